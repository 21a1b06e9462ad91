package demo

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
)

// Stops is Västtrafik's stop areas and stop points (name, id, lat, lon, weight, track),
// as scraped from its open API by Kladdkaka/vasttrafik-stops; see ATTRIBUTION.md.
//
//go:embed vasttrafik_stops.csv
var Stops []byte

// GazetteerStore is what loading the demo gazetteer needs of the store.
type GazetteerStore interface {
	ImportGazetteer(ctx context.Context, es []trygg.GazetteerEntry, progress func(done, total int)) (trygg.GazetteerSummary, error)
}

// LoadGazetteer loads place names for the demo municipalities: Västtrafik's stops
// (every stop point and stop area of one name, "Vara resecentrum, Vara", is one stop at
// their centre; the store keeps those inside the stored municipalities) and a short
// list of places per town (Places). Idempotent. Not part of Load, so tests that need
// only the municipalities stay fast.
func LoadGazetteer(ctx context.Context, store GazetteerStore, w io.Writer) error {
	if w == nil {
		w = io.Discard
	}
	es, err := stopEntries(Stops)
	if err != nil {
		return fmt.Errorf("demo: stops: %w", err)
	}
	es = append(es, Places()...)
	sum, err := store.ImportGazetteer(ctx, es, nil)
	if err != nil {
		return fmt.Errorf("demo: gazetteer: %w", err)
	}
	fmt.Fprintf(w, "demo: gazetteer: %d stops, %d places, %d streets (%d new or changed); %d reports labelled\n",
		sum.ByKind[trygg.PlaceStop], sum.ByKind[trygg.PlacePlace], sum.ByKind[trygg.PlaceStreet], sum.Written, sum.Relabelled)
	return nil
}

// stopEntries merges the rows of the stops file by name into one stop each. Rows whose
// id is not a Västtrafik stop (9021… areas, 9022… points) are park-and-ride sites and
// the like, left out.
func stopEntries(data []byte) ([]trygg.GazetteerEntry, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	type acc struct {
		id       string
		lon, lat float64
		n        int
	}
	byName := map[string]*acc{}
	for i, row := range rows {
		if i == 0 || len(row) < 4 || !strings.HasPrefix(row[1], "902") {
			continue
		}
		lat, err1 := strconv.ParseFloat(row[2], 64)
		lon, err2 := strconv.ParseFloat(row[3], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("line %d: bad position %q, %q", i+1, row[2], row[3])
		}
		a := byName[row[0]]
		if a == nil {
			a = &acc{}
			byName[row[0]] = a
		}
		if a.id == "" || strings.HasPrefix(row[1], "9021") && !strings.HasPrefix(a.id, "9021") {
			a.id = row[1] // the stop area's id, else the first point's
		}
		a.lon, a.lat, a.n = a.lon+lon, a.lat+lat, a.n+1
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	es := make([]trygg.GazetteerEntry, 0, len(names))
	for _, full := range names {
		a := byName[full]
		name, locality, _ := strings.Cut(full, ", ")
		es = append(es, trygg.GazetteerEntry{Kind: trygg.PlaceStop, Name: strings.TrimSpace(name), Locality: strings.TrimSpace(locality),
			Location: orb.Point{a.lon / float64(a.n), a.lat / float64(a.n)}, Source: "vasttrafik", SourceID: a.id})
	}
	return es, nil
}

// Places are a few named places per demo town that are not Västtrafik stops of the
// same name: where the coordinates come from is said for each (Västtrafik's stop of
// that place, or the place of a commitment in promises.go, which are approximate).
func Places() []trygg.GazetteerEntry {
	p := func(code, name, locality string, lon, lat float64) trygg.GazetteerEntry {
		return trygg.GazetteerEntry{Kind: trygg.PlacePlace, Name: name, Locality: locality, Location: orb.Point{lon, lat},
			Source: "demo", SourceID: code + ":" + strings.ToLower(name)}
	}
	return []trygg.GazetteerEntry{
		// Vara
		p("1470", "Vara station", "Vara", 12.951739, 58.260824), // stop "Vara resecentrum (tåg)"
		p("1470", "Parken vid konserthuset", "Vara", varaParken[0], varaParken[1]),
		// Varberg
		p("1383", "Torget", "Varberg", 12.2508, 57.1057), // the square; SCB's boundary passes 345 m east of it
		p("1383", "Mittpunktens ungdomsgård", "Varberg", 12.2560, 57.1090),
		// Lidköping
		p("1494", "Nya stadens torg", "Lidköping", lidkopingTorg[0], lidkopingTorg[1]),
		p("1494", "Lidköpings station", "Lidköping", 13.164711, 58.504549), // stop "Lidköpings resecentrum (tåg)"
		// Mariestad
		p("1493", "Mariestads station", "Mariestad", 13.825733, 58.711354), // stop "Mariestad resecentrum (tåg)"
		p("1493", "Mariestads centrum", "Mariestad", 13.8235, 58.7085),
		// Vetlanda: Västtrafik's file has no stops there; the places of its commitments.
		p("0685", "Vetlanda centrum", "Vetlanda", vetlandaCentrum[0], vetlandaCentrum[1]),
		{Kind: trygg.PlaceStreet, Name: "Storgatan", Locality: "Vetlanda", Lines: orb.MultiLineString{vetlandaStorgata},
			Location: vetlandaStorgata[1], Source: "demo", SourceID: "0685:storgatan"},
	}
}
