package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// formulaPayloads are cells a spreadsheet would run as formulas (OWASP's CSV injection).
var formulaPayloads = []string{"=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1+1", "\r=1"}

// formulaStart reports whether a spreadsheet would read the cell as a formula.
func formulaStart(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// csvTable is a CSV as read back: the header and the records.
type csvTable struct {
	name   string
	header []string
	rows   [][]string
}

func readCSV(t *testing.T, name string, body []byte, comma rune) csvTable {
	t.Helper()
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "\ufeff")))
	r.Comma = comma
	recs, err := r.ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("%s: not CSV (%v): %q", name, err, body)
	}
	return csvTable{name: name, header: recs[0], rows: recs[1:]}
}

// check asserts that no text cell starts a formula and that every cell of a numeric
// column is a number as written (never prefixed), and returns the cells by column.
func (c csvTable) check(t *testing.T, numeric func(col string) bool) map[string][]string {
	t.Helper()
	cells := map[string][]string{}
	for i, row := range c.rows {
		for j, v := range row {
			col := c.header[j]
			cells[col] = append(cells[col], v)
			if numeric(col) {
				if _, err := strconv.ParseFloat(v, 64); v != "" && err != nil {
					t.Errorf("%s row %d, numeric column %s: %q is not a number", c.name, i+1, col, v)
				}
				continue
			}
			if formulaStart(v) {
				t.Errorf("%s row %d, column %s: %q starts a formula", c.name, i+1, col, v)
			}
		}
	}
	return cells
}

// wantNeutralised asserts that each payload appears in the column prefixed with ', and
// never bare.
func wantNeutralised(t *testing.T, name, col string, cells []string, payloads ...string) {
	t.Helper()
	for _, p := range payloads {
		found := false
		for _, v := range cells {
			if v == p {
				t.Errorf("%s column %s: %q is written as is", name, col, p)
			}
			found = found || v == "'"+p
		}
		if !found {
			t.Errorf("%s column %s: no cell %q among %q", name, col, "'"+p, cells)
		}
	}
}

// TestCSVInjection plants formula payloads in every kind of text the server writes as
// CSV (resident reports and their moderated text, walks, observations, actions, saved
// hotspots, places) and reads each CSV output through the HTTP server: OGC API –
// Features items with f=csv (every collection, public and staff, WKT and xy) and one
// item, and the walk protocol. Every text cell that starts a formula is prefixed with
// ', numeric columns (coordinates, z-scores, classes) keep their values, -3.5 too.
func TestCSVInjection(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{} })
	e.addUser(t, trygg.RoleModerator, "kommun-1470")
	e.addUser(t, trygg.RoleAdmin, "kommun-1470")
	ctx := trygg.NewContext(context.Background(), &trygg.Caller{Actor: "cli:test"})
	public := e.client()
	mod := e.signIn(t, "moderator@kommun-1470.demo.trygg.se")
	admin := e.signIn(t, "admin@kommun-1470.demo.trygg.se")

	// Resident reports with formula texts, published; one with a moderated public text.
	var reportIDs []string
	for i, p := range formulaPayloads {
		b, _ := json.Marshal(p)
		s := submit(t, public, `{"location":{"type":"Point","coordinates":[13.1`+strconv.Itoa(i)+`,58.26]},"category":"belysning","feeling":2,"description":`+string(b)+`}`)
		reportIDs = append(reportIDs, s.ID)
		resp, body := mod.do(t, "POST", "/api/v1/reports/"+s.ID+"/moderation", map[string]any{"action": "publish"})
		wantStatus(t, resp, body, http.StatusOK)
	}
	resp, body := mod.do(t, "POST", "/api/v1/reports/"+reportIDs[0]+"/moderation", map[string]any{"action": "edit", "description": "@SUM(1+1)*cmd|' /C calc'!A0"})
	wantStatus(t, resp, body, http.StatusOK)

	// A walk with formula texts, observations and actions.
	start := time.Date(2026, 11, 3, 18, 30, 0, 0, time.UTC)
	w, err := e.owner.CreateWalk(ctx, trygg.Walk{Municipality: "1470", Title: "=1+1", Notes: "@cmd", Status: trygg.WalkDone,
		StartsAt: &start, Route: orb.LineString{{13.100, 58.260}, {13.105, 58.262}}})
	if err != nil {
		t.Fatal(err)
	}
	var obs []trygg.Report
	for i, p := range formulaPayloads {
		obs = append(obs, trygg.Report{Location: orb.Point{13.101 + 0.001*float64(i), 58.2601}, Category: "belysning", Feeling: 1,
			Description: p, Precision: "exact"})
	}
	obsIDs, rejected, err := e.owner.AddObservations(ctx, w.ID, obs)
	if err != nil || len(rejected) > 0 {
		t.Fatalf("AddObservations: %v %v", rejected, err)
	}
	for i, p := range formulaPayloads {
		if _, err := e.owner.CreateAction(ctx, trygg.Action{ReportID: obsIDs[i], Description: p, OwnerText: p, Feedback: p, Status: trygg.ActionOpen}); err != nil {
			t.Fatalf("CreateAction %q: %v", p, err)
		}
	}
	// However text arrives (the report API trims it), a leading tab or CR reaches the
	// writer, which must not trim it either.
	for _, sql := range []string{
		`UPDATE report SET description = E'\t=1+1', public_description = E'\t=1+1' WHERE id = '` + reportIDs[4] + `'`,
		`UPDATE report SET description = E'\r=1', public_description = E'\r=1' WHERE id = '` + reportIDs[5] + `'`,
	} {
		pgtest.Exec(t, e.url, sql)
	}
	stored := func(ids []string) []string {
		return pgtest.Strings(t, e.url, `SELECT description FROM report WHERE id = ANY ($1::uuid[]) ORDER BY description`, ids)
	}
	var storedReports, storedObs []string
	for _, s := range stored(reportIDs) {
		if formulaStart(s) {
			storedReports = append(storedReports, s)
		}
	}
	for _, s := range stored(obsIDs) {
		if formulaStart(s) {
			storedObs = append(storedObs, s)
		}
	}
	for _, want := range []string{"\t=1+1", "\r=1", "=1+1", "-2+3", "@cmd", "+SUM(A1)"} {
		if !contains(storedReports, want) || !contains(storedObs, want) {
			t.Fatalf("stored texts %q and %q lack %q", storedReports, storedObs, want)
		}
	}

	// A saved hotspot analysis with negative z-scores and classes, a hotspot and a place.
	run := &postgis.HotspotRun{Municipality: "1470", Name: "-2+3", Method: trygg.MethodGi, Query: json.RawMessage(`{}`)}
	sq := func(x, y, d float64) orb.Polygon {
		return orb.Polygon{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}
	}
	run.Cells = []postgis.RunCell{
		{Cell: postgis.Cell{I: 0, J: 0}, Polygon: sq(13.10, 58.26, 0.001), Value: -1.25, Count: 2, Z: -3.5, P: 0.0005, Class: -3},
		{Cell: postgis.Cell{I: 1, J: 0}, Polygon: sq(13.101, 58.26, 0.001), Value: 4, Count: 4, Z: 2.75, P: 0.01, Class: 2},
	}
	run.Hotspots = []postgis.RunHotspot{{Polygon: sq(13.10, 58.26, 0.002), Score: -1.5, Z: -2.5, Value: 3, Count: 4, Pattern: "=1+1"}}
	if err := e.owner.SaveHotspotRun(ctx, run); err != nil {
		t.Fatalf("SaveHotspotRun: %v", err)
	}
	if err := e.owner.CreatePlace(ctx, &postgis.Place{Municipality: "1470", Name: "@cmd", Polygon: sq(13.10, 58.26, 0.002)}); err != nil {
		t.Fatalf("CreatePlace: %v", err)
	}

	// Every collection as CSV, as the admin (every staff collection) and as the public.
	var collections struct {
		Collections []struct{ ID string } `json:"collections"`
	}
	resp, body = admin.do(t, "GET", "/ogc/collections?f=json", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if err := json.Unmarshal(body, &collections); err != nil || len(collections.Collections) < 10 {
		t.Fatalf("collections: %v %s", err, body)
	}
	got := map[string]map[string][]string{} // "who collection" → column → cells
	for _, who := range []struct {
		name string
		c    *client
	}{{"staff", admin}, {"public", public}} {
		for _, col := range collections.Collections {
			def := postgis.FeatureCollection(col.ID)
			src := def.Source(nil)
			if who.name == "staff" {
				src = def.Staff
				if src == nil {
					src = def.Public
				}
			}
			if src == nil {
				continue
			}
			for _, q := range []string{"f=csv&limit=1000", "f=csv&limit=1000&csv-geometry=xy&crs=http://www.opengis.net/def/crs/EPSG/0/3006"} {
				path := "/ogc/collections/" + col.ID + "/items?" + q
				resp, body := who.c.do(t, "GET", path, nil)
				wantStatus(t, resp, body, http.StatusOK)
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
					t.Errorf("%s: Content-Type %q", path, ct)
				}
				tab := readCSV(t, who.name+" "+path, body, ',')
				cells := tab.check(t, func(c string) bool { return c == "x" || c == "y" || src.Numeric(c) })
				if strings.Contains(q, "xy") {
					got[who.name+" "+col.ID] = cells
				}
			}
		}
	}
	staffReports, publicReports := got["staff reports"], got["public reports"]
	wantNeutralised(t, "staff reports", "description", staffReports["description"], formulaPayloads...)
	wantNeutralised(t, "staff reports", "public_description", staffReports["public_description"],
		"@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1", "-2+3")
	wantNeutralised(t, "public reports", "description", publicReports["description"],
		"@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1", "-2+3", "+SUM(A1)")
	wantNeutralised(t, "observations", "description", got["staff observations"]["description"], formulaPayloads...)
	wantNeutralised(t, "walks", "title", got["staff walks"]["title"], "=1+1")
	wantNeutralised(t, "walks", "notes", got["staff walks"]["notes"], "@cmd")
	for _, col := range []string{"description", "owner_text", "feedback"} {
		wantNeutralised(t, "actions", col, got["staff actions"][col], "=1+1", "+SUM(A1)", "-2+3", "@cmd")
	}
	wantNeutralised(t, "hotspots", "pattern", got["staff hotspots"]["pattern"], "=1+1")
	wantNeutralised(t, "places", "name", got["staff places"]["name"], "@cmd")
	// Numeric columns are untouched: negative numbers stay numbers.
	for _, tc := range []struct {
		coll, col string
		want      []string
	}{
		{"staff hexcells", "z", []string{"-3.5", "2.75"}},
		{"staff hexcells", "class", []string{"-3", "2"}},
		{"staff hexcells", "value", []string{"-1.25", "4"}},
		{"staff hotspots", "score", []string{"-1.5"}},
		{"staff hotspots", "z", []string{"-2.5"}},
	} {
		for _, w := range tc.want {
			if !contains(got[tc.coll][tc.col], w) {
				t.Errorf("%s column %s: got %q, want %q among them", tc.coll, tc.col, got[tc.coll][tc.col], w)
			}
		}
	}

	// One item as CSV.
	resp, body = admin.do(t, "GET", "/ogc/collections/reports/items/"+reportIDs[4]+"?f=csv", nil)
	wantStatus(t, resp, body, http.StatusOK)
	item := readCSV(t, "one report", body, ',')
	reports := postgis.FeatureCollection("reports").Staff
	cells := item.check(t, reports.Numeric)
	wantNeutralised(t, "one report", "description", cells["description"], "\t=1+1")
	if len(item.rows) != 1 || cells["feeling"][0] != "2" {
		t.Errorf("one report: %q", item.rows)
	}

	// The walk protocol.
	resp, body = admin.do(t, "GET", "/api/v1/walks/"+w.ID+"/protocol?format=csv", nil)
	wantStatus(t, resp, body, http.StatusOK)
	proto := readCSV(t, "protocol", body, ';')
	cells = proto.check(t, func(c string) bool { return c == "lat" || c == "lon" })
	wantNeutralised(t, "protocol", "anteckning", cells["anteckning"], formulaPayloads...)
	for _, col := range []string{"åtgärd", "ansvarig", "återkoppling"} {
		wantNeutralised(t, "protocol", col, cells[col], "=1+1", "+SUM(A1)", "-2+3", "@cmd")
	}
	if !contains(cells["lat"], "58.260000") || !contains(cells["lon"], "13.100000") {
		t.Errorf("protocol coordinates: lat %q lon %q", cells["lat"], cells["lon"])
	}
}

func contains(ss []string, s string) bool {
	for _, v := range ss {
		if v == s {
			return true
		}
	}
	return false
}
