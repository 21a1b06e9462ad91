package trygg

import (
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// Kinds of gazetteer entries, in the order search ranks them among equal matches.
const (
	PlaceMunicipality = "municipality"
	PlacePlace        = "place"
	PlaceStop         = "stop"
	PlaceStreet       = "street"
	PlaceAddress      = "address"
)

// PlaceKinds are the kinds of gazetteer entries, in rank order.
var PlaceKinds = []string{PlaceMunicipality, PlacePlace, PlaceStop, PlaceStreet, PlaceAddress}

// GazetteerEntry is a named place residents search for and reports are labelled with:
// an address, a street, a public-transport stop, a place (a square, a station, a
// school, a park) or a municipality. It is public data.
type GazetteerEntry struct {
	Kind         string
	Name         string
	Street       string
	Housenumber  string
	Postcode     string
	Locality     string
	Municipality string // SCB code; the store assigns it from the position on import
	Location     orb.Point
	// Lines are a street's ways (nil for others); distances to a street are to them.
	Lines    orb.MultiLineString
	Source   string // e.g. "osm", "vasttrafik", "demo"
	SourceID string // unique within the source
	// Label is how a search hit reads ("Storgatan 5, Vara"), filled by the store.
	Label string
}

// Search limits.
const (
	MinSearchQuery     = 2   // characters
	MaxSearchQuery     = 100 // characters
	DefaultSearchLimit = 10
	MaxSearchLimit     = 50
)

// NormalizeSearch is q as search matches it: lower case, spaces collapsed, trimmed
// (å, ä and ö stay themselves), or an EINVALID error naming field "q".
func NormalizeSearch(q string) (string, error) {
	q = strings.Join(strings.Fields(strings.ToLower(CleanText(q))), " ")
	switch n := utf8.RuneCountInString(q); {
	case n == 0:
		return "", Errorf(EINVALID, "q", "q is required: the name of a place, street, address or stop")
	case n < MinSearchQuery:
		return "", Errorf(EINVALID, "q", "q is too short: at least %d characters", MinSearchQuery)
	case n > MaxSearchQuery:
		return "", Errorf(EINVALID, "q", "q is too long: at most %d characters", MaxSearchQuery)
	}
	return q, nil
}

// GazetteerSummary counts what an import of gazetteer entries did.
type GazetteerSummary struct {
	Read    int            // entries given
	Outside int            // not in any stored municipality, skipped
	Written int            // entries inserted or changed
	ByKind  map[string]int // entries of each kind stored from this import (new, changed or unchanged)
	// Relabelled is how many reports without a place label got one.
	Relabelled int
}
