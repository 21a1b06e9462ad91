package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/importer"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// Places inside the demo municipalities, and one outside all of them.
var (
	varaPlace      = orb.Point{13.10, 58.24}   // 1470
	lidkopingPlace = orb.Point{13.03, 58.51}   // 1494
	vetlandaPlace  = orb.Point{15.157, 57.351} // 0685
	stockholm      = orb.Point{18.07, 59.33}   // in Sweden, in no demo municipality
)

// demoStore returns a store with the five demo municipalities, and its URL.
func demoStore(t *testing.T) (*postgis.DB, string) {
	t.Helper()
	db, url := pgtest.Open(t)
	if err := demo.Load(context.Background(), db, nil); err != nil {
		t.Fatal(err)
	}
	return db, url
}

func importReports(t *testing.T, db *postgis.DB, file string, opts importer.ReportOptions) (importer.ReportSummary, error) {
	t.Helper()
	if opts.Name == "" {
		opts.Name = "test.csv"
	}
	return importer.Reports(context.Background(), db, strings.NewReader(file), opts)
}

func reportCount(t *testing.T, url string) string {
	t.Helper()
	return pgtest.Strings(t, url, `SELECT (SELECT count(*) FROM report) || ' reports, ' || (SELECT count(*) FROM report_status) || ' statuses'`)[0]
}

func TestReportsCSV(t *testing.T) {
	t.Parallel()
	db, url := demoStore(t)
	cases := []struct {
		name, file string
		want       []string // stored reports, ordered by observed_at
	}{
		{"comma, English headers",
			"lon,lat,category,feeling,when,time,source,description\n" +
				"13.10,58.24,belysning,2,evening;night,2023-05-01T21:30:00+02:00,survey,Mörkt vid tunneln ring 070-123 45 67\n" +
				"13.03,58.51,vegetation,1,day|weekend,2023-06-01T10:00:00Z,,\"Buskar, höga\"\n",
			[]string{
				"1470 belysning 2 {evening,night} survey exact published 2023-05-01 19:30 | Mörkt vid tunneln ring [telefonnummer dolt]",
				"1494 vegetation 1 {day,weekend} resident exact published 2023-06-01 10:00 | Buskar, höga",
			}},
		{"semicolon, Swedish headers, BOM, decimal comma, trailing separator",
			"\ufefflongitud;latitud;kategori;känsla;när;tid;källa;beskrivning;\r\n" +
				"13,10;58,24;gangvag;3;Kväll natt;2022-12-24 18:00;dialogue;Ingen belysning;\r\n" +
				"15.157;57.351;hallplats;4;vardag;2022-12-25;;;\r\n",
			[]string{
				"1470 gangvag 3 {evening,night} dialogue exact published 2022-12-24 17:00 | Ingen belysning",
				"0685 hallplats 4 {weekday} resident exact published day 2022-12-25 12:00 | ",
			}},
		{"tab, WKT point and polygon, precision",
			"WKT\tKategori\tKänsla\tprecision\n" +
				"POINT(13.10 58.24)\tklotter\t2\tapproximate\n" +
				"SRID=4326;POLYGON((13.10 58.24, 13.101 58.24, 13.101 58.241, 13.10 58.241, 13.10 58.24))\tode-plats\t1\t\n",
			[]string{
				"1470 klotter 2 {} resident approximate published - | ",
				"1470 ode-plats 1 {} resident area published - | ",
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pgtest.Exec(t, url, `TRUNCATE report CASCADE`)
			sum, err := importReports(t, db, tc.file, importer.ReportOptions{Name: "walk.csv"})
			if err != nil || len(sum.Errors) > 0 {
				t.Fatalf("Reports: %v %v", err, sum.Errors)
			}
			if sum.Read != len(tc.want) || sum.Imported != len(tc.want) {
				t.Errorf("read %d, imported %d; want %d", sum.Read, sum.Imported, len(tc.want))
			}
			got := pgtest.Strings(t, url, `SELECT municipality_code || ' ' || category || ' ' || feeling || ' ' || times::text || ' ' ||
				source || ' ' || precision || ' ' || status || ' ' || coalesce(to_char(observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
				  -- a date without a time of day: the report's date, no observed moment
				  CASE WHEN created_at < now() - interval '1 day' THEN 'day ' || to_char(created_at AT TIME ZONE 'Europe/Stockholm', 'YYYY-MM-DD HH24:MI') END, '-') ||
				' | ' || public_description FROM report ORDER BY observed_at, category`)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("stored:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if h := pgtest.Strings(t, url, `SELECT DISTINCT actor || ' ' || status FROM report_status`); len(h) != 1 || h[0] != "import:walk.csv published" {
				t.Errorf("status history %v, want import:walk.csv published", h)
			}
		})
	}
}

func TestReportsGeoJSON(t *testing.T) {
	t.Parallel()
	db, url := demoStore(t)
	file := `{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
	"features": [
	  {"type": "Feature", "id": 7, "geometry": {"type": "Point", "coordinates": [13.10, 58.24]},
	   "properties": {"kategori": "belysning", "känsla": "2", "när": ["kväll", "natt"], "tid": "2024-01-10 22:15", "beskrivning": "mejla a@b.se"}},
	  {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[13.03, 58.51], [13.032, 58.51], [13.032, 58.511], [13.03, 58.511], [13.03, 58.51]]]},
	   "properties": {"category": "skymd-sikt", "feeling": 1, "when": "night", "source": "walk", "observed_at": null}}
	]}`
	sum, err := importReports(t, db, file, importer.ReportOptions{Name: "walk.geojson", Status: trygg.StatusReceived, Source: trygg.SourceSurvey})
	if err != nil || len(sum.Errors) > 0 {
		t.Fatalf("Reports: %v %v", err, sum.Errors)
	}
	if sum.Format != "GeoJSON" || sum.Read != 2 || sum.Imported != 2 || sum.ByMunicipality["1470"] != 1 || sum.ByMunicipality["1494"] != 1 {
		t.Errorf("summary %+v", sum)
	}
	got := pgtest.Strings(t, url, `SELECT municipality_code || ' ' || GeometryType(geom) || ' ' || category || ' ' || feeling || ' ' ||
		times::text || ' ' || source || ' ' || precision || ' ' || status || ' ' || ST_Equals(geom, public_geom) || ' ' ||
		coalesce(to_char(observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), '-') || ' ' || public_description
		FROM report ORDER BY municipality_code`)
	want := []string{
		"1470 POINT belysning 2 {evening,night} survey exact received false 2024-01-10 21:15 mejla [e-post dold]",
		"1494 POLYGON skymd-sikt 1 {night} walk area received true - ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stored:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := pgtest.Strings(t, url, `SELECT count(*)::text FROM public_report`); n[0] != "0" {
		t.Errorf("%s received reports are public", n[0])
	}
	if a := pgtest.Strings(t, url, `SELECT entity_id || ' ' || municipalities::text || ' ' || (after->>'reports') FROM audit_log WHERE action = 'report.import'`); len(a) != 1 || a[0] != "import:walk.geojson {1470,1494} 2" {
		t.Errorf("audit log %v", a)
	}
}

// TestReportsLikeSubmitReport checks that an imported report gets the municipality and
// public position submit_report would give it, at the grid asked for.
func TestReportsLikeSubmitReport(t *testing.T) {
	t.Parallel()
	db, url := demoStore(t)
	ctx := context.Background()
	for _, grid := range []float64{50, 200} {
		pgtest.Exec(t, url, `TRUNCATE report CASCADE`)
		file := fmt.Sprintf("lon,lat,category,feeling\n%g,%g,belysning,2\n", vetlandaPlace[0], vetlandaPlace[1])
		if sum, err := importReports(t, db, file, importer.ReportOptions{GridM: grid}); err != nil || sum.Imported != 1 {
			t.Fatalf("grid %g: %v %+v", grid, err, sum)
		}
		sub, err := db.SubmitReport(ctx, postgis.Submission{Report: trygg.Report{
			ID: "00000000-0000-4000-8000-000000000001", Location: vetlandaPlace, Category: "belysning", Feeling: 2,
			Source: trygg.SourceResident, Precision: trygg.PrecisionExact, Status: trygg.StatusPublished,
		}, SnapMetres: grid})
		if err != nil {
			t.Fatal(err)
		}
		got := pgtest.Strings(t, url, `SELECT count(DISTINCT municipality_code) || ' ' || count(DISTINCT ST_AsText(public_geom)) || ' ' ||
			bool_and(NOT ST_Equals(geom, public_geom)) || ' ' ||
			bool_and(abs(ST_X(ST_Transform(public_geom, 3006))::numeric % $1::numeric - $1::numeric / 2) < 0.01) FROM report`, grid)
		if got[0] != "1 1 true true" || sub.Municipality != "0685" {
			t.Errorf("grid %g: imported and submitted differ or are not snapped to the cell centre: %s (submitted in %s)", grid, got[0], sub.Municipality)
		}
	}
}

// refusal is an expected RecordError: line (CSV) or feature (GeoJSON, when line is 0),
// field and a part of the reason.
type refusal struct {
	line, feature int
	field, reason string
}

func TestReportsRefused(t *testing.T) {
	t.Parallel()
	db, url := demoStore(t)
	const head = "lon,lat,category,feeling,time\n"
	good := "13.10,58.24,belysning,2,2023-01-01\n"
	bowtie := "POLYGON((13.10 58.24, 13.101 58.241, 13.101 58.24, 13.10 58.241, 13.10 58.24))"
	big := "POLYGON((13.10 58.24, 13.12 58.24, 13.12 58.26, 13.10 58.26, 13.10 58.24))" // about 1.2 × 2.2 km
	future := time.Now().Add(48 * time.Hour).Format("2006-01-02")
	feature := func(geometry, props string) string {
		return `{"type": "Feature", "geometry": ` + geometry + `, "properties": ` + props + `}`
	}
	collection := func(features ...string) string {
		return "{\"type\": \"FeatureCollection\", \"features\": [\n" + strings.Join(features, ",\n") + "\n]}"
	}
	vara := `{"type": "Point", "coordinates": [13.10, 58.24]}`
	props := `{"category": "belysning", "feeling": 2}`

	cases := []struct {
		name, file string
		want       []refusal
	}{
		{"unknown column", "lon,lat,category,feeling,färg\n" + "13.10,58.24,belysning,2,röd\n",
			[]refusal{{1, 0, "färg", "unknown column"}}},
		{"misspelt column", "lon,lat,kategory,feeling\n13.10,58.24,belysning,2\n",
			[]refusal{{1, 0, "kategory", "unknown column"}, {1, 0, "", "no column gives the category"}}},
		{"missing feeling", "lon,lat,category\n13.10,58.24,belysning\n",
			[]refusal{{1, 0, "", "no column gives the feeling"}}},
		{"no place", "category,feeling\nbelysning,2\n",
			[]refusal{{1, 0, "", "no column gives the place"}}},
		{"lon without lat", "lon,category,feeling\n13.10,belysning,2\n",
			[]refusal{{1, 0, "", "column lon has no partner"}}},
		{"wkt and lon/lat", "lon,lat,wkt,category,feeling\n13.10,58.24,POINT(13.10 58.24),belysning,2\n",
			[]refusal{{1, 0, "", "not both"}}},
		{"value in an unnamed column", "lon,lat,category,feeling,\n13.10,58.24,belysning,2,\n13.10,58.24,belysning,2,x\n",
			[]refusal{{3, 0, "", `value "x" in column 5, which has no name`}}},
		{"repeated column", "lon,lat,category,kategori,feeling\n13.10,58.24,belysning,belysning,2\n",
			[]refusal{{1, 0, "kategori", "repeats column category"}}},
		{"unknown category", head + good + "13.10,58.24,ufo,2,\n" + "13.10,58.24,Dålig belysning,2,\n",
			[]refusal{{3, 0, "category", `unknown category "ufo"; the codes are belysning`}, {4, 0, "category", "that is category belysning"}}},
		{"missing category", head + "13.10,58.24,,2,\n", []refusal{{2, 0, "category", "category is missing"}}},
		{"feeling 0, 5, x, empty", head + good + "13.10,58.24,belysning,0,\n13.10,58.24,belysning,5,\n13.10,58.24,belysning,x,\n13.10,58.24,belysning,,\n",
			[]refusal{{3, 0, "feeling", "feeling 0 is not 1"}, {4, 0, "feeling", "feeling 5 is not 1"},
				{5, 0, "feeling", `feeling "x" is not a whole number`}, {6, 0, "feeling", "feeling is missing"}}},
		{"bad coordinates", head + "abc,58.24,belysning,2,\n213.1,58.24,belysning,2,\nNaN,58.24,belysning,2,\n13.10,,belysning,2,\n",
			[]refusal{{2, 0, "lon", `lon "abc" is not a number`}, {3, 0, "lon/lat", "out of range"},
				{4, 0, "lon/lat", "finite"}, {5, 0, "lat", "lat is missing"}}},
		{"swapped lon and lat", head + good + "58.24,13.10,belysning,2,\n", []refusal{{3, 0, "lon/lat", "look swapped: lon is the longitude"}}},
		{"outside Sweden", head + "-0.12,51.5,belysning,2,\n", []refusal{{2, 0, "lon/lat", "outside Sweden"}}},
		{"outside every municipality", head + good + fmt.Sprintf("%g,%g,belysning,2,\n", stockholm[0], stockholm[1]) + good,
			[]refusal{{3, 0, "lon/lat", "outside every municipality"}}},
		{"self-intersecting polygon", "wkt,category,feeling\n\"" + bowtie + "\",belysning,2\n",
			[]refusal{{2, 0, "wkt", "edges cross"}}},
		{"too large polygon", "wkt,category,feeling\n\"" + big + "\",belysning,2\n",
			[]refusal{{2, 0, "wkt", "at most 1 km²"}}},
		{"line string", "wkt,category,feeling\n\"LINESTRING(13.10 58.24, 13.11 58.25)\",belysning,2\n",
			[]refusal{{2, 0, "wkt", "not a LineString"}}},
		{"not WKT", "wkt,category,feeling\nPOINT(13.10),belysning,2\n", []refusal{{2, 0, "wkt", "is not WKT"}}},
		{"WKT in SWEREF 99", "wkt,category,feeling\nSRID=3006;POINT(380000 6460000),belysning,2\n", []refusal{{2, 0, "wkt", "SRID=3006"}}},
		{"future time", head + "13.10,58.24,belysning,2," + future + "\n", []refusal{{2, 0, "time", "time is in the future"}}},
		{"bad time", head + "13.10,58.24,belysning,2,igår\n13.10,58.24,belysning,2,1999-12-31\n",
			[]refusal{{2, 0, "time", `"igår" is not a time`}, {3, 0, "time", "before 2000"}}},
		{"bad when", "lon,lat,category,feeling,när\n13.10,58.24,belysning,2,kväll midnatt\n",
			[]refusal{{2, 0, "när", `"midnatt" is not one of`}}},
		{"police event", "lon,lat,category,feeling,source\n13.10,58.24,belysning,2,police-event\n13.10,58.24,belysning,2,blog\n",
			[]refusal{{2, 0, "source", "trygg import police-events"}, {3, 0, "source", `unknown source "blog"`}}},
		{"point with area precision", "lon,lat,category,feeling,precision\n13.10,58.24,belysning,2,area\n",
			[]refusal{{2, 0, "precision", "a Point's precision is exact or approximate"}}},
		{"description too long", "lon,lat,category,feeling,beskrivning\n13.10,58.24,belysning,2," + strings.Repeat("a", 2001) + "\n",
			[]refusal{{2, 0, "beskrivning", "at most 2000"}}},
		{"every fault of a record", head + "58.24,13.10,ufo,9,igår\n",
			[]refusal{{2, 0, "lon/lat", "swapped"}, {2, 0, "category", "ufo"}, {2, 0, "feeling", "9"}, {2, 0, "time", "igår"}}},
		{"a description over two lines", "lon,lat,category,feeling,description\n" +
			"13.10,58.24,belysning,2,\"first\nsecond\"\n" + "13.10,58.24,ufo,2,\n",
			[]refusal{{4, 0, "category", "ufo"}}},
		{"truncated file", head + good + "13.10,58.2", []refusal{{3, 0, "", "2 values, but the header has 5 columns (is the file cut short?)"}}},
		{"truncated in a quote", "lon,lat,category,feeling,description\n13.10,58.24,belysning,2,\"Mörk",
			[]refusal{{2, 0, "", `extraneous or missing " in quoted-field`}}},
		{"not UTF-8", head + good + "13.10,58.24,belysning,2,\n" + "13.10,58.24,belysning,2,\xe5\xe4\xf6\n",
			[]refusal{{4, 0, "", "not UTF-8"}}},

		{"GeoJSON line string", collection(feature(vara, props), feature(`{"type": "LineString", "coordinates": [[13.1, 58.24], [13.2, 58.25]]}`, props)),
			[]refusal{{0, 1, "geometry.type", "not a LineString"}}},
		{"GeoJSON without geometry", collection(feature(`null`, props)), []refusal{{0, 0, "geometry", "geometry is missing"}}},
		{"GeoJSON swapped", collection(feature(`{"type": "Point", "coordinates": [58.24, 13.10]}`, props)),
			[]refusal{{0, 0, "geometry.coordinates", "GeoJSON positions are [longitude, latitude]"}}},
		{"GeoJSON self-intersecting polygon", collection(feature(vara, props),
			feature(`{"type": "Polygon", "coordinates": [[[13.10, 58.24], [13.101, 58.241], [13.101, 58.24], [13.10, 58.241], [13.10, 58.24]]]}`, props)),
			[]refusal{{0, 1, "geometry.coordinates", "edges cross"}}},
		{"GeoJSON outside every municipality", collection(feature(`{"type": "Point", "coordinates": [18.07, 59.33]}`, props)),
			[]refusal{{0, 0, "geometry", "outside every municipality"}}},
		{"GeoJSON properties", collection(feature(vara, `{"category": "belysning", "feeling": 0, "colour": "red", "lon": 13.1}`),
			feature(vara, `{"category": true, "feeling": 2.5}`), feature(vara, `null`)),
			[]refusal{{0, 0, "properties.colour", "unknown property"}, {0, 0, "properties.lon", "place is its geometry"},
				{0, 0, "properties.feeling", "feeling 0"}, {0, 1, "properties.category", "must be a text or a number"},
				{0, 1, "properties.feeling", `"2.5" is not a whole number`}, {0, 2, "properties.category", "category is missing"},
				{0, 2, "properties.feeling", "feeling is missing"}}},
		{"GeoJSON not a feature", collection(`{"type": "Point", "coordinates": [13.1, 58.24]}`), []refusal{{0, 0, "type", `"Point", want Feature`}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sum, err := importReports(t, db, tc.file, importer.ReportOptions{})
			if err != nil {
				t.Fatalf("Reports: %v", err)
			}
			if sum.Imported != 0 || len(sum.Errors) != len(tc.want) {
				t.Errorf("imported %d, %d errors, want 0 and %d:\n%s", sum.Imported, len(sum.Errors), len(tc.want), errorLines(sum.Errors))
			}
			for i, w := range tc.want {
				if i >= len(sum.Errors) {
					break
				}
				e := sum.Errors[i]
				if e.Line != w.line || e.Feature != w.feature || e.Field != w.field || !strings.Contains(e.Reason, w.reason) {
					t.Errorf("error %d is %q (line %d, feature %d, field %q), want line %d, feature %d, field %q, reason with %q",
						i, e.Error(), e.Line, e.Feature, e.Field, w.line, w.feature, w.field, w.reason)
				}
			}
			if n := reportCount(t, url); n != "0 reports, 0 statuses" {
				t.Errorf("after a refused file: %s", n)
			}
		})
	}
}

func errorLines(errs []importer.RecordError) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString(e.Error() + "\n")
	}
	return b.String()
}

// TestReportsFileErrors are files that are not read at all.
func TestReportsFileErrors(t *testing.T) {
	t.Parallel()
	db, url := demoStore(t)
	cases := []struct{ name, file, want string }{
		{"empty", "", "the file is empty"},
		{"only a byte order mark", "\ufeff \n", "the file is empty"},
		{"header only", "lon,lat,category,feeling\n", "the file has no records"},
		{"malformed JSON", "{\"type\": \"FeatureCollection\",\n \"features\": [\n {\"type\": \"Feature\",, }]}", "invalid JSON at line 3, column 22"},
		{"truncated JSON", `{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [13.1, 58.2`, "unexpected end of JSON input"},
		{"not a FeatureCollection", `{"type": "Feature", "geometry": null, "properties": {}}`, "not a GeoJSON FeatureCollection"},
		{"crs EPSG:3006", `{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}, "features": []}`,
			"crs is EPSG:3006: reports are in WGS 84"},
		{"unknown crs", `{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "RT90"}}, "features": []}`, `unknown crs "RT90"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := importReports(t, db, tc.file, importer.ReportOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
	for _, opts := range []importer.ReportOptions{{Source: "police-event"}, {Source: "x"}, {Status: "rejected"}, {GridM: -1}} {
		if _, err := importReports(t, db, "lon,lat,category,feeling\n13.1,58.24,belysning,2\n", opts); err == nil {
			t.Errorf("options %+v accepted", opts)
		}
	}
	if n := reportCount(t, url); n != "0 reports, 0 statuses" {
		t.Errorf("after refused files: %s", n)
	}
}

// TestReportsAllErrorsListed checks that every refusal of a file is listed in file
// order, those found in the database among the others.
func TestReportsAllErrorsListed(t *testing.T) {
	t.Parallel()
	db, url := demoStore(t)
	var b strings.Builder
	b.WriteString("lon,lat,category,feeling\n")
	for i := 0; i < 150; i++ {
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "%g,%g,belysning,7\n", varaPlace[0], varaPlace[1])
		case 1:
			fmt.Fprintf(&b, "%g,%g,belysning,2\n", stockholm[0], stockholm[1])
		case 2:
			fmt.Fprintf(&b, "%g,%g,belysning,2\n", lidkopingPlace[0], lidkopingPlace[1])
		}
	}
	sum, err := importReports(t, db, b.String(), importer.ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Errors) != 100 || sum.Read != 150 {
		t.Fatalf("read %d, %d errors, want 150 and 100", sum.Read, len(sum.Errors))
	}
	for i, e := range sum.Errors {
		line := 2 + i/2*3 + i%2 // lines 2, 3, 5, 6, 8, …
		if e.Line != line {
			t.Fatalf("error %d is on line %d, want %d: %v", i, e.Line, line, e)
		}
	}
	if n := reportCount(t, url); n != "0 reports, 0 statuses" {
		t.Errorf("after a refused file: %s", n)
	}
}

// TestReportsLarge imports 20 000 generated rows, showing progress; trygg import
// reports of 100 000 is measured by hand (see the README).
func TestReportsLarge(t *testing.T) {
	t.Parallel()
	db, url := demoStore(t)
	const n = 20_000
	places := []orb.Point{varaPlace, lidkopingPlace, vetlandaPlace}
	cats := []string{"belysning", "vegetation", "gangvag", "hallplats"}
	rnd := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	b.WriteString("longitud;latitud;kategori;känsla;när;tid;beskrivning\n")
	for i := 0; i < n; i++ {
		p := places[i%len(places)]
		fmt.Fprintf(&b, "%.6f;%.6f;%s;%d;kväll|natt;2023-%02d-%02d 21:%02d;Rad %d, mörkt\n",
			p[0]+rnd.Float64()*0.01-0.005, p[1]+rnd.Float64()*0.01-0.005, cats[i%len(cats)], 1+i%4, 1+i%12, 1+i%28, i%60, i)
	}
	var progress bytes.Buffer
	start := time.Now()
	sum, err := importer.Reports(context.Background(), db, &b, importer.ReportOptions{Name: "big.csv", Progress: &progress})
	took := time.Since(start)
	if err != nil || len(sum.Errors) > 0 {
		t.Fatalf("Reports: %v %v", err, errorLines(sum.Errors[:min(len(sum.Errors), 5)]))
	}
	t.Logf("%d rows in %v (%.0f rows/s)", n, took.Round(time.Millisecond), n/took.Seconds())
	if sum.Imported != n || sum.ByMunicipality["1470"] != n/3+1 {
		t.Errorf("imported %d, by municipality %v", sum.Imported, sum.ByMunicipality)
	}
	for _, want := range []string{"read 20000 records (CSV, separator ';')", "checking 2000/20000 (10%)", "checking 20000/20000 (100%)",
		"writing 10000/20000 (50%)", "writing 20000/20000 (100%)"} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, progress.String())
		}
	}
	if c := reportCount(t, url); c != "20000 reports, 20000 statuses" {
		t.Errorf("stored %s", c)
	}
}
