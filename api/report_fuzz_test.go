package api

import (
	"context"
	"io"
	"log/slog"
	"math"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/geo"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// FuzzReadReport feeds arbitrary bodies to the report decoder and validator. Whatever
// it accepts must be in range and valid in PostGIS; whatever it refuses must be refused
// with a field. Run longer with: go test -fuzz FuzzReadReport ./api
func FuzzReadReport(f *testing.F) {
	for _, seed := range []string{
		`{"location":{"type":"Point","coordinates":[13.1,58.26]},"category":"belysning","feeling":2}`,
		`{"location":{"type":"Point","coordinates":[13.1,58.26,12]},"category":"vald","feeling":1,"when":["night","weekend"],"description":"hej","contact":{"email":"a@b.se"}}`,
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[13.1,58.26],[13.102,58.26],[13.102,58.261],[13.1,58.261],[13.1,58.26]]]},"properties":{"category":"ode-plats","feeling":1}}`,
		`{"location":{"type":"Polygon","coordinates":[[[13.1,58.26],[13.101,58.261],[13.101,58.26],[13.1,58.261],[13.1,58.26]]]},"category":"belysning","feeling":2}`,
		`{"location":{"type":"Point","coordinates":[58.26,13.1]},"category":"belysning","feeling":2}`,
		`{"location":{"type":"Point","coordinates":[1e308,-1e308]},"category":"belysning","feeling":4,"observed_at":"2026-01-01T00:00:00Z"}`,
		`{"location":null}`, `[]`, `{"type":"FeatureCollection"}`, `{"location":{"type":"Polygon","coordinates":[[[0,0]]]}}`,
	} {
		f.Add(seed)
	}
	db, url := pgtest.Open(f)
	s := New(db, slog.New(slog.NewJSONHandler(io.Discard, nil)), DefaultOptions())
	conn := pgtest.Conn(f, url)
	sweden, _ := geo.SwedenBounds(geo.WGS84)

	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/api/v1/reports", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rep, _, err := s.readReport(req)
		if err != nil {
			p, internal := problemFor(err, req)
			if internal || p.Status < 400 || p.Status >= 500 {
				t.Fatalf("refusal %v is not a 4xx problem: %+v", err, p)
			}
			if p.Field == "" {
				t.Fatalf("refusal %q names no field", p.Detail)
			}
			return
		}
		if rep.Feeling < 1 || rep.Feeling > 4 {
			t.Fatalf("accepted feeling %d", rep.Feeling)
		}
		cats, _ := db.Categories(context.Background())
		if !slices.ContainsFunc(cats, func(c trygg.Category) bool { return c.Code == rep.Category }) {
			t.Fatalf("accepted category %q", rep.Category)
		}
		if !geo.Within(rep.Location, sweden) {
			t.Fatalf("accepted a place outside Sweden: %v", rep.Location.Bound())
		}
		if p, ok := rep.Location.(orb.Point); ok && (math.IsNaN(p[0]) || math.IsNaN(p[1])) {
			t.Fatal("accepted NaN")
		}
		if err := trygg.CheckText("description", rep.Description, trygg.MaxDescription); err != nil {
			t.Fatalf("accepted description: %v", err)
		}
		g, err := wkb.Marshal(rep.Location)
		if err != nil {
			t.Fatal(err)
		}
		var valid bool
		var area float64
		if err := conn.QueryRow(context.Background(), `SELECT ST_IsValid(g), ST_Area(g::geography)
			FROM ST_SetSRID(ST_GeomFromWKB($1), 4326) g`, g).Scan(&valid, &area); err != nil {
			t.Fatalf("PostGIS cannot read the accepted location: %v", err)
		}
		if !valid || area > trygg.MaxAreaM2*1.01 {
			t.Fatalf("accepted a location PostGIS finds invalid (%v) or too large (%.0f m²): %s", valid, area, body)
		}
	})
}
