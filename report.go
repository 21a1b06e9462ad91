package trygg

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg/geo"
)

// Report sources, statuses and precisions.
const (
	SourceResident    = "resident"
	SourceWalk        = "walk"
	SourceDialogue    = "dialogue"
	SourceEST         = "est"
	SourcePolice      = "police"
	SourcePoliceEvent = "police-event"
	SourceSurvey      = "survey"

	StatusReceived  = "received"
	StatusPublished = "published"
	StatusRejected  = "rejected"
	StatusResolved  = "resolved"

	PrecisionExact       = "exact"
	PrecisionApproximate = "approximate"
	PrecisionArea        = "area"
	// PrecisionSnapped is the public precision of a point shown at the centre of its
	// cell of the public grid (Report.PrecisionM metres); never stored.
	PrecisionSnapped = "snapped"
)

// StaffSourced reports whether reports of source are staff's own: EST incidents and
// police-sourced reports. They are public only once a planner (or the municipality's
// moderator or admin) publishes them, never with their free text, and their public
// times are whole hours (migrations/00018_staff_sources.sql).
func StaffSourced(source string) bool { return source == SourceEST || source == SourcePolice }

var (
	// Sources lists every report source.
	Sources = []string{SourceResident, SourceWalk, SourceDialogue, SourceEST, SourcePolice, SourcePoliceEvent, SourceSurvey}
	// Statuses lists every report status.
	Statuses = []string{StatusReceived, StatusPublished, StatusRejected, StatusResolved}
	// Times are the values of Report.When: times of day (day 06–18, evening 18–22,
	// night 22–06) and kinds of day.
	Times = []string{"day", "evening", "night", "weekday", "weekend"}
)

// Category is an entry of the report taxonomy (see migrations/00003_reports.sql).
type Category struct {
	Code    string `json:"code"`
	LabelSV string `json:"label_sv"`
	LabelEN string `json:"label_en"`
	Group   string `json:"group"`
	Icon    string `json:"icon"`
}

// Contact is a reporter's private contact data; it is never public and is deleted
// after the retention period.
type Contact struct {
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Report is a place where someone feels unsafe (or safe). Location is a Point or a
// Polygon (an area up to 1 km²) in WGS 84. Description is the text as written;
// PublicDescription is what the public sees (contact details masked, or a moderator's
// edit).
type Report struct {
	ID                string         `json:"id"`
	Municipality      string         `json:"municipality"`
	Location          orb.Geometry   `json:"-"`
	Category          string         `json:"category"`   // the main reason: Categories[0]
	Categories        []string       `json:"categories"` // every reason, the main one first (MaxCategories at most)
	Feeling           int            `json:"feeling"`
	When              []string       `json:"when"`
	Description       string         `json:"description"`
	PublicDescription string         `json:"public_description"`
	Source            string         `json:"source"`
	Precision         string         `json:"precision"`
	PrecisionM        *float64       `json:"precision_m,omitempty"` // public reads: the public grid of a snapped point
	Status            string         `json:"status"`
	RejectReason      string         `json:"reject_reason,omitempty"`
	ObservedAt        *time.Time     `json:"observed_at"`
	CreatedAt         time.Time      `json:"created_at"`
	UpdatedAt         time.Time      `json:"updated_at"`
	Confirmations     int            `json:"confirmations"`
	PlaceLabel        *string        `json:"place_label"` // "vid Vara resecentrum", from the gazetteer; null when none is near
	Contact           *Contact       `json:"contact,omitempty"`
	Lang              string         `json:"lang,omitempty"` // the language it was made in (Languages), for mails to the reporter
	History           []StatusChange `json:"history,omitempty"`
	Action            *PublicAction  `json:"action,omitempty"` // public reads: the report's latest action
	Steps             []ReportStep   `json:"steps,omitempty"`  // public read of one report: the day of each step
	Photos            []Photo        `json:"photos"`           // at most MaxPhotos, oldest first; never null in reads
}

// ReportStep is a step of a report as its status page shows it: received, published,
// rejected (with the moderator's reason, for the reporter only), resolved, planned (an
// action) or done, on a Swedish day.
type ReportStep struct {
	Step   string `json:"step"`
	Date   Date   `json:"date"`
	Reason string `json:"reason,omitempty"`
}

// StatusChange is one entry of a report's status history.
type StatusChange struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Note   string    `json:"note,omitempty"`
}

// Limits of a report.
const (
	MaxDescription   = 2000      // characters
	MaxAreaM2        = 1_000_000 // a Polygon report covers at most 1 km²
	MaxPolygonPoints = 500
)

// NormalizeWhen checks and sorts a list of times, dropping repeats.
func NormalizeWhen(when []string) ([]string, error) {
	out := make([]string, 0, len(when))
	for _, w := range when {
		w = strings.ToLower(strings.TrimSpace(w))
		if !slices.Contains(Times, w) {
			return nil, Errorf(EINVALID, "when", "%q is not one of %s", w, strings.Join(Times, ", "))
		}
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(Times, a) - slices.Index(Times, b) })
	return out, nil
}

// invisible reports whether r changes how text is shown without showing itself:
// the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
// which can make a text read differently than it is written, the zero-width space,
// joiners and direction marks (U+200B–U+200F), the word joiner (U+2060) and the byte
// order mark or zero-width no-break space (U+FEFF), which can hide a word or a phone
// number from a moderator's search and from MaskContacts.
func invisible(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r >= 0x200B && r <= 0x200F ||
		r == 0x2060 || r == 0xFEFF
}

// CleanText is a free text as Trygg keeps it: without invisible formatting
// characters (bidi overrides, zero-width characters) and without surrounding space.
// Every text a resident writes that can become public goes through it.
func CleanText(s string) string {
	if strings.IndexFunc(s, invisible) >= 0 {
		s = strings.Map(func(r rune) rune {
			if invisible(r) {
				return -1
			}
			return r
		}, s)
	}
	return strings.TrimSpace(s)
}

// CheckText checks a free text: at most max characters, valid UTF-8, and no control
// characters but line breaks and tabs.
func CheckText(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return Errorf(EINVALID, field, "%s is not valid UTF-8", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return Errorf(EINVALID, field, "%s has %d characters, at most %d are allowed", field, n, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return Errorf(EINVALID, field, "%s contains the control character U+%04X", field, r)
		}
	}
	return nil
}

// The checks below are the rules every report meets, however it comes in (the HTTP API,
// trygg import reports). Each takes the name of the field to blame where the caller's
// input names it differently ("location.coordinates", a CSV column).

// CheckCategory checks a category code against the taxonomy.
func CheckCategory(code string, cats []Category) error {
	switch {
	case code == "":
		return Errorf(EINVALID, "category", "category is missing")
	case !slices.ContainsFunc(cats, func(c Category) bool { return c.Code == code }):
		return Errorf(EINVALID, "category", "unknown category %q", code)
	}
	return nil
}

// MaxCategories is how many reasons a report gives at most.
const MaxCategories = 5

// CheckCategories checks a report's reasons, given as category (the main one, as old
// clients send it) and categories (every reason, the main one first), and returns them:
// categories alone sets category to its first; category alone is the one reason; both
// must agree on the first. Each code must be in the taxonomy, none twice, one to
// MaxCategories of them. Refusals name the field at fault.
func CheckCategories(category string, categories []string, cats []Category) (string, []string, error) {
	if categories == nil {
		if err := CheckCategory(category, cats); err != nil {
			return "", nil, err
		}
		return category, []string{category}, nil
	}
	switch {
	case len(categories) == 0:
		return "", nil, Errorf(EINVALID, "categories", "categories is empty: give at least one reason")
	case len(categories) > MaxCategories:
		return "", nil, Errorf(EINVALID, "categories", "%d reasons, at most %d are allowed", len(categories), MaxCategories)
	}
	out := make([]string, 0, len(categories))
	for _, c := range categories {
		switch {
		case c == "":
			return "", nil, Errorf(EINVALID, "categories", "categories has an empty code")
		case !slices.ContainsFunc(cats, func(x Category) bool { return x.Code == c }):
			return "", nil, Errorf(EINVALID, "categories", "unknown category %q", c)
		case slices.Contains(out, c):
			return "", nil, Errorf(EINVALID, "categories", "category %q is given twice", c)
		}
		out = append(out, c)
	}
	if category != "" && category != out[0] {
		return "", nil, Errorf(EINVALID, "categories", "category %q is not the first of categories (%q): category is the main reason", category, out[0])
	}
	return out[0], out, nil
}

// Demographic values: optional, anonymous, never shown with a single report; used only
// in aggregate with small counts suppressed (see migrations/00031_report_categories.sql).
var (
	AgeBands = []string{"under-18", "18-29", "30-49", "50-64", "65+", Unstated}
	Genders  = []string{"woman", "man", "other", Unstated}
)

// Unstated is the demographic value of a reporter who did not say ("vill inte ange").
const Unstated = "unstated"

// Demographics are what a reporter may say about themself; "" is unstated. They are
// kept apart from Report, so no report output can carry them.
type Demographics struct {
	AgeBand string
	Gender  string
}

// CheckDemographics checks an age band and a gender ("" for unstated) and returns them
// with "" as Unstated.
func CheckDemographics(ageBand, gender string) (Demographics, error) {
	d := Demographics{AgeBand: ageBand, Gender: gender}
	if d.AgeBand == "" {
		d.AgeBand = Unstated
	}
	if d.Gender == "" {
		d.Gender = Unstated
	}
	if !slices.Contains(AgeBands, d.AgeBand) {
		return d, Errorf(EINVALID, "age_band", "age_band %q is not one of %s", ageBand, strings.Join(AgeBands, ", "))
	}
	if !slices.Contains(Genders, d.Gender) {
		return d, Errorf(EINVALID, "gender", "gender %q is not one of %s", gender, strings.Join(Genders, ", "))
	}
	return d, nil
}

// CheckFeeling checks how a place feels, from 1 (very unsafe) to 4 (safe); nil is
// missing.
func CheckFeeling(f *int) (int, error) {
	if f == nil {
		return 0, Errorf(EINVALID, "feeling", "feeling is missing: 1 very unsafe, 2 unsafe, 3 acceptable, 4 safe")
	}
	if *f < 1 || *f > 4 {
		return 0, Errorf(EINVALID, "feeling", "feeling %d is not 1 (very unsafe) to 4 (safe)", *f)
	}
	return *f, nil
}

// CheckSource checks a report's source. Police events are not reports: they have an
// import of their own.
func CheckSource(source string) error {
	switch {
	case !slices.Contains(Sources, source):
		return Errorf(EINVALID, "source", "unknown source %q", source)
	case source == SourcePoliceEvent:
		return Errorf(EINVALID, "source", "police events come in with trygg import police-events")
	case source == SourceEST:
		return Errorf(EINVALID, "source", "EST incidents have a type: report them with POST /api/v1/est/incidents")
	}
	return nil
}

// ReportPrecision returns the precision of a report at g, given the one asked for
// ("" for the default): a Polygon's is area, a Point's exact (the default) or
// approximate.
func ReportPrecision(g orb.Geometry, precision string) (string, error) {
	_, isArea := g.(orb.Polygon)
	switch {
	case isArea && precision != "" && precision != PrecisionArea:
		return "", Errorf(EINVALID, "precision", "a Polygon's precision is area")
	case isArea:
		return PrecisionArea, nil
	case precision == "":
		return PrecisionExact, nil
	case precision == PrecisionExact || precision == PrecisionApproximate:
		return precision, nil
	}
	return "", Errorf(EINVALID, "precision", "a Point's precision is exact or approximate, not %q", precision)
}

// CheckObservedAt checks when a report's place was experienced: not in the future (with
// five minutes for clocks that run fast) and not before 2000.
func CheckObservedAt(field string, t time.Time) error {
	switch {
	case t.After(time.Now().Add(5 * time.Minute)):
		return Errorf(EINVALID, field, "%s is in the future", field)
	case t.Year() < 2000:
		return Errorf(EINVALID, field, "%s is before 2000", field)
	}
	return nil
}

// CheckPosition checks a WGS 84 position and returns it as a point.
func CheckPosition(field string, lon, lat float64) (orb.Point, error) {
	if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
		return orb.Point{}, Errorf(EINVALID, field, "coordinates must be finite numbers")
	}
	if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return orb.Point{}, Errorf(EINVALID, field, "[%g, %g] is out of range: longitude is -180 to 180, latitude -90 to 90", lon, lat)
	}
	return orb.Point{lon, lat}, nil
}

// CheckArea checks a Polygon report: at most MaxPolygonPoints points, closed rings,
// edges that do not cross, and at most MaxAreaM2.
func CheckArea(field string, p orb.Polygon) error {
	if n := geo.Points(p); n > MaxPolygonPoints {
		return Errorf(EINVALID, field, "the polygon has %d points, at most %d are allowed", n, MaxPolygonPoints)
	}
	if err := geo.CheckPolygonal(p); err != nil {
		return Errorf(EINVALID, field, "%s", strings.TrimPrefix(err.Error(), "geo: "))
	}
	if geo.SelfIntersects(p) {
		return Errorf(EINVALID, field, "the polygon's edges cross each other")
	}
	if a := geo.AreaM2(p); a > MaxAreaM2 {
		return Errorf(EINVALID, field, "the area is %.2f km², at most 1 km² is allowed: mark a point instead", a/1e6)
	}
	return nil
}

// CheckInSweden checks that a report's place lies in Sweden: a place outside is
// EUNPROCESSABLE on field or, when its coordinates look swapped, EINVALID on coords with
// order, the caller's words on the order of coordinates ("GeoJSON positions are
// [longitude, latitude]").
func CheckInSweden(g orb.Geometry, field, coords, order string) error {
	sweden, _ := geo.SwedenBounds(geo.WGS84)
	if geo.Within(g, sweden) {
		return nil
	}
	b := g.Bound()
	if sweden.Contains(orb.Point{b.Min[1], b.Min[0]}) && sweden.Contains(orb.Point{b.Max[1], b.Max[0]}) {
		return Errorf(EINVALID, coords, "longitude and latitude look swapped: %s", order)
	}
	return Errorf(EUNPROCESSABLE, field, "the place is outside Sweden")
}

var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{4,20}$`)

// Validate checks contact data, normalizing the e-mail address.
func (c *Contact) Validate() error {
	c.Phone = strings.TrimSpace(c.Phone)
	if c.Email == "" && c.Phone == "" {
		return Errorf(EINVALID, "contact", "give an e-mail address or a phone number, or leave contact out")
	}
	if c.Email != "" {
		e, err := NormalizeEmail(c.Email)
		if err != nil {
			return Errorf(EINVALID, "contact.email", "%q is not an e-mail address", c.Email)
		}
		c.Email = e
	}
	if c.Phone != "" {
		digits := 0
		for _, r := range c.Phone {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if !phoneRE.MatchString(c.Phone) || digits < 6 || digits > 15 {
			return Errorf(EINVALID, "contact.phone", "%q is not a phone number", c.Phone)
		}
	}
	return nil
}

var (
	emailInText = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	phoneInText = regexp.MustCompile(`(?:\+|\b0)[0-9](?:[ \-]?[0-9]){5,13}\b`)
)

// MaskContacts replaces e-mail addresses and phone numbers in free text, for public
// display; the text is CleanText first, so no invisible character hides a number.
func MaskContacts(s string) string {
	s = CleanText(s)
	s = emailInText.ReplaceAllString(s, "[e-post dold]")
	return phoneInText.ReplaceAllString(s, "[telefonnummer dolt]")
}
