package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

func TestImportWalkCommand(t *testing.T) {
	db, url := pgtest.Open(t)
	ctx := context.Background()
	if err := demo.Load(ctx, db, nil); err != nil {
		t.Fatal(err)
	}
	env := envOf(map[string]string{"DATABASE_URL": url, "USER": "anna"})
	testdata := func(name string) string { return filepath.Join("..", "..", "importer", "testdata", name) }
	importWalk := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"trygg", "import", "walk"}, args...), env, &out, &out)
		return out.String(), err
	}
	counts := func() string {
		return pgtest.Strings(t, url, `SELECT (SELECT count(*) FROM walk) || ' walks, ' || (SELECT count(*) FROM walk WHERE route IS NOT NULL) ||
			' routes, ' || (SELECT count(*) FROM report) || ' observations'`)[0]
	}
	wantOutput := func(out string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("output lacks %q:\n%s", w, out)
			}
		}
	}

	// A new walk from a GPX track and a CSV with Swedish headers.
	out, err := importWalk("--municipality", "1470", "--title", "Trygghetsvandring Vara centrum",
		"--route", testdata("walk_vara.gpx"), "--observations", testdata("observations_vara.csv"))
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	wantOutput(out, "route: 9 points in 2 segments (GPX track), from 2024-10-15 19:30 to 2024-10-15 19:40\n",
		"read 4 observations (CSV, separator ';')\n",
		", municipality 1470, 2024-10-15 19:30 to 2024-10-15 19:40)\n",
		": a route of 9 points with times, 4 observations added\n")
	id := regexp.MustCompile(`created walk ([0-9a-f-]{36})`).FindStringSubmatch(out)
	if id == nil {
		t.Fatalf("no walk id in the output:\n%s", out)
	}
	walkID := id[1]
	got := pgtest.Strings(t, url, `SELECT title || ' ' || status || ' ' || GeometryType(route) || ' ' || ST_NPoints(route) || ' ' ||
		to_char(starts_at AT TIME ZONE 'UTC', 'HH24:MI') || '-' || to_char(ends_at AT TIME ZONE 'UTC', 'HH24:MI') || ' ' ||
		(SELECT count(*) FROM report r WHERE r.walk_id = w.id AND r.source = 'walk')
		FROM walk w WHERE id = $1`, walkID)
	if got[0] != "Trygghetsvandring Vara centrum done LINESTRINGM 9 17:30-17:40 4" {
		t.Errorf("stored %s", got[0])
	}
	if a := pgtest.Strings(t, url, `SELECT action || ' ' || actor FROM audit_log WHERE entity_id = $1 ORDER BY id`, walkID); strings.Join(a, ", ") !=
		"walk.create cli:anna, walk.add_observations cli:anna" {
		t.Errorf("audit log %v", a)
	}

	// The stored walk gets another route (GeoJSON without times replaces the track) and
	// observations from GeoJSON.
	noTimes := filepath.Join(t.TempDir(), "route.json")
	if err := os.WriteFile(noTimes, []byte(`{"type":"LineString","coordinates":[[13.1,58.26],[13.101,58.261],[13.102,58.262]]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = importWalk("--walk", walkID, "--route", noTimes, "--observations", testdata("observations_vara.geojson"))
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	wantOutput(out, "route: 3 points (GeoJSON LineString), without times\n", "read 3 observations (GeoJSON)\n", "stored 3 observations\n",
		"stored the route\n", "walk "+walkID+": a route of 3 points without times, 3 observations added\n")
	if got := pgtest.Strings(t, url, `SELECT GeometryType(route) || ' ' || ST_NPoints(route) FROM walk WHERE id = $1`, walkID); got[0] != "LINESTRING 3" {
		t.Errorf("stored route %s", got[0])
	}
	before := counts()
	if before != "1 walks, 1 routes, 7 observations" {
		t.Fatalf("stored %s", before)
	}

	// Refused files: every refusal of both files is listed and nothing is written.
	for _, tc := range []struct {
		name string
		args []string
		want []string // in the output or the error
	}{
		{"route and observations both bad", []string{"--walk", walkID, "--route", testdata("walk_vara_some_times.gpx"),
			"--observations", testdata("observations_unknown_category.csv")},
			[]string{"rejected: walk_vara_some_times.gpx: line 27: trkpt: this point has no time, but others have (the first at line 14)",
				"rejected: walk_vara_some_times.gpx: line 40: trkpt:",
				`rejected: observations_unknown_category.csv: line 3, column kategori: unknown category "lampa"`,
				"rejected: observations_unknown_category.csv: line 5, column känsla: feeling 5 is not 1 (very unsafe) to 4 (safe)",
				"5 errors; nothing was written"}},
		{"truncated GPX", []string{"--walk", walkID, "--route", testdata("walk_vara_truncated.gpx")},
			[]string{"rejected: walk_vara_truncated.gpx: line 38: the file ends before the GPX does: is it cut off?", "1 error; nothing was written"}},
		{"outside Sweden, new walk", []string{"--municipality", "1470", "--title", "Ny", "--route", testdata("walk_vara_outside_sweden.gpx"),
			"--observations", testdata("observations_vara.csv")},
			[]string{"line 31: trkpt: the point is outside Sweden", "line 45: trkpt: longitude and latitude look swapped", "2 errors; nothing was written"}},
		{"truncated CSV", []string{"--walk", walkID, "--observations", testdata("observations_truncated.csv")},
			[]string{"line 4: 2 values, but the header has 7 columns (is the file cut short?)"}},
		{"wrong columns", []string{"--walk", walkID, "--observations", testdata("observations_wrong_columns.csv")},
			[]string{"line 1, column typ: unknown column", "line 1: no column gives the category"}},
		{"bad coordinates", []string{"--walk", walkID, "--route", testdata("walk_vara.gpx"), "--observations", testdata("observations_bad_coordinates.csv")},
			[]string{"line 3, columns lon/lat: longitude and latitude look swapped", "line 7, columns lon/lat: the place is outside Sweden", "5 errors; nothing was written"}},
		{"outside the walk's municipality", []string{"--walk", walkID, "--route", testdata("walk_vara.gpx"), "--observations", testdata("observations_outside_walk.csv")},
			[]string{"rejected: observations_outside_walk.csv: line 3, columns lon/lat: the place is outside the walk's municipality",
				"1 error; nothing was written"}},
		{"bad GeoJSON route", []string{"--walk", walkID, "--route", testdata("walk_vara_bad.geojson")},
			[]string{"features[0].geometry.coordinates[5]: longitude and latitude look swapped", `features[0].properties.times[8]: "igår kväll"`}},
		{"unknown walk", []string{"--walk", "5b0e3a53-2f3c-4a55-9d0c-7f4a0e3c2b11", "--route", testdata("walk_vara.gpx")},
			[]string{`no walk has id "5b0e3a53-2f3c-4a55-9d0c-7f4a0e3c2b11"`}},
		{"unknown municipality", []string{"--municipality", "9999", "--title", "Ny", "--route", testdata("walk_vara.gpx")},
			[]string{"9999"}},
		{"route file missing", []string{"--walk", walkID, "--route", testdata("missing.gpx")}, []string{"no such file"}},
		{"observations as route", []string{"--walk", walkID, "--route", testdata("observations_vara.csv")}, []string{"a route comes as GPX or GeoJSON, not CSV"}},
		{"no files", []string{"--walk", walkID}, []string{"give --route FILE, --observations FILE or both"}},
		{"walk and municipality", []string{"--walk", walkID, "--municipality", "1470", "--route", testdata("walk_vara.gpx")}, []string{"not both"}},
		{"title missing", []string{"--municipality", "1470", "--route", testdata("walk_vara.gpx")}, []string{"needs both --municipality and --title"}},
		{"neither", []string{"--route", testdata("walk_vara.gpx")}, []string{"usage: trygg import walk"}},
		{"times for a stored walk", []string{"--walk", walkID, "--starts-at", "2024-10-15 19:30", "--route", testdata("walk_vara.gpx")}, []string{"for a new walk"}},
		{"bad time", []string{"--municipality", "1470", "--title", "Ny", "--starts-at", "i kväll", "--route", testdata("walk_vara.gpx")}, []string{`--starts-at "i kväll" is not a time`}},
		{"ends before it starts", []string{"--municipality", "1470", "--title", "Ny", "--ends-at", "2024-10-15 18:00", "--route", testdata("walk_vara.gpx")},
			[]string{"the walk ends before it starts"}},
		{"bad status", []string{"--municipality", "1470", "--title", "Ny", "--status", "ongoing", "--route", testdata("walk_vara.gpx")}, []string{`status "ongoing"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := importWalk(tc.args...)
			if err == nil {
				t.Fatalf("no error; output:\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out+err.Error(), w) {
					t.Errorf("lacks %q:\n%s\nerror: %v", w, out, err)
				}
			}
			if got := counts(); got != before {
				t.Errorf("stored %s after the refusal, want %s", got, before)
			}
		})
	}

	// Starts and ends given explicitly win over the route's times.
	out, err = importWalk("--municipality", "1470", "--title", "Kvällsvandring", "--starts-at", "2024-10-15 19:00", "--status", "planned",
		"--route", testdata("walk_vara.geojson"))
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	wantOutput(out, ", 2024-10-15 19:00 to 2024-10-15 19:40)\n", ": a route of 9 points with times, 0 observations added\n")

	// New walk whose observation lies outside its municipality: the walk stays, and the
	// message says how to go on.
	out, err = importWalk("--municipality", "1470", "--title", "Gränsvandring", "--observations", testdata("observations_outside_walk.csv"))
	if err == nil || !strings.Contains(err.Error(), "was created, but no observation was stored") ||
		!strings.Contains(out, "line 3, columns lon/lat: the place is outside the walk's municipality") {
		t.Errorf("got %v\n%s", err, out)
	}
	if got := counts(); got != "3 walks, 2 routes, 7 observations" {
		t.Errorf("stored %s", got)
	}

	// Help.
	var help bytes.Buffer
	if err := run(ctx, []string{"trygg", "import", "walk", "-h"}, env, &help, &help); err != nil || !strings.Contains(help.String(), "DATABASE_URL") ||
		!strings.Contains(help.String(), "--observations is CSV") {
		t.Errorf("help: %v\n%s", err, help.String())
	}
}
