package ogc_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/auth"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// seedKinds adds, in Vara (1470), a walk observation, a dialogue with a received and a
// published place, and an EST incident; and the same kinds in Varberg (1383), which
// Vara's staff must not see. Call it after env.staff (reported_by_org is a demo
// organisation).
func (e *env) seedKinds(t *testing.T) {
	t.Helper()
	pgtest.Exec(t, e.url, `
		INSERT INTO walk (id, municipality_code, title, route, starts_at, status) VALUES
		  ('00000000-0000-4000-8000-0000000000a1', '1470', 'Vandring', ST_SetSRID(ST_MakeLine(ST_MakePoint(12.95, 58.26), ST_MakePoint(12.96, 58.27)), 4326), '2026-11-10 18:00Z', 'done'),
		  ('00000000-0000-4000-8000-0000000000a2', '1383', 'Vandring', ST_SetSRID(ST_MakeLine(ST_MakePoint(12.25, 57.10), ST_MakePoint(12.26, 57.11)), 4326), '2026-11-10 18:00Z', 'done');
		INSERT INTO dialogue (id, municipality_code, title, held_on) VALUES
		  ('00000000-0000-4000-8000-0000000000b1', '1470', 'Dialog', '2026-11-03'),
		  ('00000000-0000-4000-8000-0000000000b2', '1383', 'Dialog', '2026-11-03');
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status,
		                    walk_id, dialogue_id, est_type, est_area, reported_by_org, observed_at, created_at, description)
		SELECT id::uuid, m, ST_SetSRID(ST_MakePoint(x, y), 4326), ST_SetSRID(ST_MakePoint(x, y), 4326), 'belysning', 2,
		       src, 'exact', st, w::uuid, d::uuid, et, ea, org, obs::timestamptz, '2026-11-12 10:00Z', 'beskrivning'
		FROM (VALUES
		  ('00000000-0000-4000-8000-0000000000c1', '1470', 12.955, 58.265, 'walk', 'received', '00000000-0000-4000-8000-0000000000a1', NULL, NULL, NULL, NULL, '2026-11-10 18:30Z'),
		  ('00000000-0000-4000-8000-0000000000c2', '1470', 12.956, 58.266, 'dialogue', 'received', NULL, '00000000-0000-4000-8000-0000000000b1', NULL, NULL, NULL, NULL),
		  ('00000000-0000-4000-8000-0000000000c3', '1470', 12.957, 58.267, 'dialogue', 'published', NULL, '00000000-0000-4000-8000-0000000000b1', NULL, NULL, NULL, NULL),
		  ('00000000-0000-4000-8000-0000000000c4', '1470', 12.958, 58.268, 'est', 'received', NULL, NULL, 'klotter', 'Torget', 'kommun-1470', '2026-11-08 23:30Z'),
		  ('00000000-0000-4000-8000-0000000000d1', '1383', 12.255, 57.105, 'walk', 'received', '00000000-0000-4000-8000-0000000000a2', NULL, NULL, NULL, NULL, '2026-11-10 18:30Z'),
		  ('00000000-0000-4000-8000-0000000000d2', '1383', 12.256, 57.106, 'dialogue', 'received', NULL, '00000000-0000-4000-8000-0000000000b2', NULL, NULL, NULL, NULL),
		  ('00000000-0000-4000-8000-0000000000d4', '1383', 12.258, 57.108, 'est', 'received', NULL, NULL, 'klotter', 'Torget', 'kommun-1383', '2026-11-08 23:30Z')
		) v(id, m, x, y, src, st, w, d, et, ea, org, obs);`)
}

var kindCollections = []string{"observations", "dialogue-places", "est-incidents"}

func TestStaffKindCollections(t *testing.T) {
	e := newEnv(t)
	planner := e.staff(t, trygg.RolePlanner)
	e.seedKinds(t)

	// The public neither sees nor lists them.
	_, body := e.get(t, nil, "/ogc/collections")
	for _, id := range kindCollections {
		if bytes.Contains(body, []byte(`"`+id+`"`)) {
			t.Errorf("the public is listed %s: %s", id, body)
		}
		for _, path := range []string{"/ogc/collections/" + id, "/ogc/collections/" + id + "/items",
			"/ogc/collections/" + id + "/items/00000000-0000-4000-8000-0000000000c1"} {
			resp, body := e.get(t, nil, path)
			wantStatus(t, resp, body, http.StatusNotFound)
		}
	}

	// A planner of Vara: every kind, only Vara's (row-level security), received too.
	_, body = e.get(t, planner, "/ogc/collections")
	for _, id := range kindCollections {
		if !bytes.Contains(body, []byte(`"`+id+`"`)) {
			t.Errorf("a planner is not listed %s: %s", id, body)
		}
	}
	p := e.items(t, planner, "/ogc/collections/observations/items")
	if p.NumberReturned != 1 || p.Features[0].ID != "00000000-0000-4000-8000-0000000000c1" ||
		p.Features[0].Properties["walk_id"] != "00000000-0000-4000-8000-0000000000a1" ||
		p.Features[0].Properties["category"] != "belysning" || p.Features[0].Properties["observed_at"] == nil ||
		p.Features[0].Properties["description"] != "beskrivning" {
		t.Errorf("observations: %+v", p)
	}
	for _, k := range []string{"feeling", "when"} {
		if _, ok := p.Features[0].Properties[k]; !ok {
			t.Errorf("observations: no %s: %+v", k, p.Features[0].Properties)
		}
	}
	p = e.items(t, planner, "/ogc/collections/dialogue-places/items")
	if p.NumberReturned != 2 || p.NumberMatched == nil || *p.NumberMatched != 2 {
		t.Errorf("dialogue places: %+v", p)
	}
	for _, f := range p.Features {
		if f.Properties["dialogue_id"] != "00000000-0000-4000-8000-0000000000b1" || f.Properties["status"] == nil {
			t.Errorf("dialogue place: %+v", f.Properties)
		}
	}
	if p := e.items(t, planner, "/ogc/collections/dialogue-places/items?status=received"); p.NumberReturned != 1 {
		t.Errorf("received dialogue places: %d, want 1", p.NumberReturned)
	}
	p = e.items(t, planner, "/ogc/collections/est-incidents/items")
	if p.NumberReturned != 1 || p.Features[0].Properties["est_type"] != "klotter" || p.Features[0].Properties["est_area"] != "Torget" ||
		p.Features[0].Properties["reported_by_org"] != "kommun-1470" || p.Features[0].Properties["occurred_at"] == nil {
		t.Errorf("est incidents: %+v", p)
	}
	// occurred_at is the datetime field: 2026-11-08 23:30Z is 9 November in Sweden.
	if p := e.items(t, planner, "/ogc/collections/est-incidents/items?datetime=2026-11-09"); p.NumberReturned != 1 {
		t.Errorf("est incidents on 9 November: %d, want 1", p.NumberReturned)
	}
	if p := e.items(t, planner, "/ogc/collections/est-incidents/items?datetime=2026-11-08"); p.NumberReturned != 0 {
		t.Errorf("est incidents on 8 November: %d, want 0", p.NumberReturned)
	}
	// Varberg's objects are not Vara's to read, not even by id.
	for id, fid := range map[string]string{"observations": "d1", "dialogue-places": "d2", "est-incidents": "d4"} {
		resp, body := e.get(t, planner, "/ogc/collections/"+id+"/items/00000000-0000-4000-8000-0000000000"+fid)
		wantStatus(t, resp, body, http.StatusNotFound)
	}
	// A bbox around Varberg finds nothing for Vara's planner.
	if p := e.items(t, planner, "/ogc/collections/observations/items?bbox=12.2,57.0,12.3,57.2"); p.NumberReturned != 0 {
		t.Errorf("observations in Varberg: %d", p.NumberReturned)
	}

	// The police: observations and EST, not dialogues. A moderator: none.
	police := e.staffIn(t, trygg.RolePolice, "lpo-vastra-skaraborg") // serves Vara

	for id, want := range map[string]int{"observations": http.StatusOK, "est-incidents": http.StatusOK, "dialogue-places": http.StatusNotFound} {
		resp, body := e.get(t, police, "/ogc/collections/"+id+"/items")
		wantStatus(t, resp, body, want)
	}
	moderator := e.staff(t, trygg.RoleModerator)
	for _, id := range kindCollections {
		resp, body := e.get(t, moderator, "/ogc/collections/"+id+"/items")
		wantStatus(t, resp, body, http.StatusNotFound)
	}
}

func readCSV(t *testing.T, e *env, c *http.Client, path string) [][]string {
	t.Helper()
	resp, body := e.get(t, c, path)
	wantStatus(t, resp, body, http.StatusOK)
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

func TestCSVGeometryXY(t *testing.T) {
	e := newEnv(t)
	e.seed(t, 2)
	num := func(s string) float64 {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("not a number: %q", s)
		}
		return f
	}
	recs := readCSV(t, e, nil, "/ogc/collections/reports/items?f=csv&csv-geometry=xy")
	if len(recs) != 3 || recs[0][1] != "x" || recs[0][2] != "y" {
		t.Fatalf("xy csv: %v", recs)
	}
	for _, r := range recs[1:] {
		if x, y := num(r[1]), num(r[2]); x < 12.9 || x > 13.0 || y < 58.2 || y > 58.3 {
			t.Errorf("CRS84 x, y %v, %v", x, y)
		}
	}
	// EPSG:3006: easting in x, northing in y.
	recs = readCSV(t, e, nil, "/ogc/collections/reports/items?f=csv&csv-geometry=xy&crs=http://www.opengis.net/def/crs/EPSG/0/3006")
	for _, r := range recs[1:] {
		if x, y := num(r[1]), num(r[2]); x < 300000 || x > 400000 || y < 6400000 || y > 6500000 {
			t.Errorf("EPSG:3006 x, y %v, %v", x, y)
		}
	}
	// wkt is the default and may be asked for.
	for _, q := range []string{"", "&csv-geometry=wkt"} {
		if recs := readCSV(t, e, nil, "/ogc/collections/reports/items?f=csv"+q); recs[0][1] != "WKT" || !strings.HasPrefix(recs[1][1], "POINT(") {
			t.Errorf("wkt csv %q: %v", q, recs)
		}
	}
	// A route's point lies on it; one item as xy too.
	planner := e.staff(t, trygg.RolePlanner)
	recs = readCSV(t, e, planner, "/ogc/collections/walks/items?f=csv&csv-geometry=xy")
	if len(recs) != 2 {
		t.Fatalf("walks xy: %v", recs)
	}
	if x, y := num(recs[1][1]), num(recs[1][2]); x < 12.95 || x > 12.96 || math.Abs((y-58.26)-(x-12.95)) > 1e-6 {
		t.Errorf("walk point %v, %v is not on its route", x, y)
	}
	recs = readCSV(t, e, planner, "/ogc/collections/walks/items/00000000-0000-4000-8000-000000000001?f=csv&csv-geometry=xy")
	if len(recs) != 2 || recs[0][1] != "x" || recs[1][1] == "" {
		t.Errorf("walk item xy: %v", recs)
	}
	// A bad value names the parameter, on items and on an item.
	for _, path := range []string{"/ogc/collections/reports/items?f=csv&csv-geometry=latlon",
		"/ogc/collections/walks/items/00000000-0000-4000-8000-000000000001?f=csv&csv-geometry=XY"} {
		resp, body := e.get(t, planner, path)
		wantStatus(t, resp, body, http.StatusBadRequest)
		var p struct{ Field string }
		json.Unmarshal(body, &p)
		if p.Field != "csv-geometry" {
			t.Errorf("%s: field %q: %s", path, p.Field, body)
		}
	}
}

// TestDatetimeSwedishDate: a bare date is that day in Europe/Stockholm, winter (CET,
// UTC+1) and summer (CEST, UTC+2).
func TestDatetimeSwedishDate(t *testing.T) {
	e := newEnv(t)
	pgtest.Exec(t, e.url, `
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status, created_at)
		SELECT gen_random_uuid(), '1470', ST_SetSRID(ST_MakePoint(12.95, 58.26), 4326), ST_SetSRID(ST_MakePoint(12.95, 58.26), 4326),
		       'belysning', 2, 'resident', 'exact', 'published', t::timestamptz
		FROM unnest(ARRAY['2026-11-01 22:30Z', '2026-11-01 23:30Z', '2026-11-02 22:59Z', '2026-11-02 23:00Z',
		                  '2026-07-01 21:30Z', '2026-07-01 22:30Z']) t;`)
	for q, want := range map[string]int{
		"2026-11-01":            1, // 22:30Z is 23:30 on the 1st
		"2026-11-02":            2, // 23:30Z on the 1st is 00:30 on the 2nd; 22:59Z on the 2nd is 23:59
		"2026-11-03":            1, // 23:00Z on the 2nd is midnight on the 3rd
		"2026-11-02/..":         3,
		"../2026-11-01":         3, // both July ones and the 1st's
		"2026-07-01":            1, // 21:30Z is 23:30 CEST
		"2026-07-02":            1, // 22:30Z is 00:30 CEST on the 2nd
		"2026-07-02/2026-11-01": 2,
	} {
		if p := e.items(t, nil, "/ogc/collections/reports/items?datetime="+q); p.NumberReturned != want {
			t.Errorf("datetime=%s: %d reports, want %d", q, p.NumberReturned, want)
		}
	}
}

// TestGDALStaff reads the staff collections with GDAL as a planner: GDAL 3.6's OAPIF
// driver has no HEADERS open option (only USERPWD, Basic), but GDAL's HTTP layer sends
// the headers of GDAL_HTTP_HEADER_FILE with every request, so a bearer API token works.
func TestGDALStaff(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Fatalf("ogrinfo not found (install gdal-bin; scripts/test.sh does): %v", err)
	}
	e := newEnv(t)
	e.seed(t, 3)
	e.staff(t, trygg.RolePlanner)
	e.seedKinds(t)
	ctx := context.Background()
	var userID string
	if ids := pgtest.Strings(t, e.url, `SELECT id::text FROM app_user WHERE role = 'planner'`); len(ids) == 1 {
		userID = ids[0]
	} else {
		t.Fatalf("planners: %v", ids)
	}
	token := auth.NewToken("trygg_")
	if _, err := e.owner.CreateAPIToken(ctx, userID, "gdal", auth.HashToken(token)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	headers := filepath.Join(dir, "headers.txt")
	writeFile(t, headers, "Authorization: Bearer "+token+"\n")
	root := "OAPIF:" + e.srv.URL + "/ogc"
	out, err := exec.Command("ogrinfo", "--config", "GDAL_HTTP_HEADER_FILE", headers, "-ro", "-al", "-so", root).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	want := map[string]int{"reports": 10, "walks": 2, "actions": 1, "police-events": 1,
		"observations": 1, "dialogue-places": 2, "est-incidents": 1}
	for id, n := range want {
		if !strings.Contains(string(out), "Layer name: "+id+"\n") {
			t.Errorf("ogrinfo lists no %s to a planner:\n%s", id, out)
			continue
		}
		for _, crs := range []string{"", "http://www.opengis.net/def/crs/EPSG/0/3006"} {
			src := root
			if crs != "" {
				src += "?crs=" + crs
			}
			dst := filepath.Join(dir, id+strconv.Itoa(len(crs))+".geojson")
			out, err := exec.Command("ogr2ogr", "--config", "GDAL_HTTP_HEADER_FILE", headers, "-f", "GeoJSON", dst, src, id).CombinedOutput()
			if err != nil {
				t.Fatalf("ogr2ogr %s %s: %v\n%s", id, crs, err, out)
			}
			var fc struct {
				Features []struct{ Geometry struct{ Type string } }
			}
			if err := json.Unmarshal(readFile(t, dst), &fc); err != nil {
				t.Fatal(err)
			}
			if len(fc.Features) != n {
				t.Errorf("%s %s: GDAL read %d features, want %d", id, crs, len(fc.Features), n)
			}
			for _, f := range fc.Features {
				if f.Geometry.Type == "" {
					t.Errorf("%s %s: a feature without geometry", id, crs)
				}
			}
		}
	}
}

func writeFile(t *testing.T, name, s string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
