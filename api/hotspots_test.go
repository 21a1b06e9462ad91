package api_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// The hot place of the hotspot tests: Vara's centre, where 80 published reports lie
// within 100 m, over 300 reports spread over the whole municipality.
var hotLon, hotLat = 12.9500, 58.2620

func seedHotspots(t *testing.T, e *env) {
	t.Helper()
	pgtest.Exec(t, e.url, fmt.Sprintf(`
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
		                    public_description, source, precision, status, observed_at)
		SELECT gen_random_uuid(), '1470', g, report_public_geom(g, 50), 'belysning', 1, '{evening}', 'Mörkt', 'Mörkt',
		       'resident', 'exact', 'published',
		       -- 17:00 Swedish time in December (dark) for even i, 12:00 (daylight) for odd
		       timestamptz '2025-12-01 17:00 Europe/Stockholm' + (i / 2) * interval '1 day' - (i %% 2) * interval '5 hours'
		FROM generate_series(1, 80) i,
		     LATERAL (SELECT ST_SetSRID(ST_MakePoint(%[1]f + (i %% 9 - 4) * 0.0002, %[2]f + (i / 9 - 4) * 0.0001), 4326) AS g) p;
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
		                    public_description, source, precision, status, observed_at)
		SELECT gen_random_uuid(), '1470', d.geom, report_public_geom(d.geom, 50), 'klotter', 2, '{day}', 'Klotter', 'Klotter',
		       'resident', 'exact', CASE WHEN d.path[1] %% 10 = 0 THEN 'received' ELSE 'published' END,
		       timestamptz '2025-06-01 12:00 Europe/Stockholm' + d.path[1] * interval '13 hours'
		FROM municipality m, LATERAL ST_Dump(ST_GeneratePoints(m.boundary, 300, 42)) d
		WHERE m.code = '1470';`, hotLon, hotLat))
}

type hotspotCollection struct {
	Type     string `json:"type"`
	Features []struct {
		Geometry struct {
			Type        string         `json:"type"`
			Coordinates [][][2]float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties struct {
			Rank       int     `json:"rank"`
			Kind       string  `json:"kind"`
			Score      float64 `json:"score"`
			Z          float64 `json:"z"`
			Class      int     `json:"class"`
			Confidence int     `json:"confidence"`
			Count      int     `json:"count"`
			Value      float64 `json:"value"`
			PeakHours  []int   `json:"peak_hours"`
			Series     []struct {
				Start string  `json:"start"`
				Count int     `json:"count"`
				Value float64 `json:"value"`
			} `json:"series"`
			Profile struct {
				HourWeekday [7][24]float64 `json:"hour_weekday"`
				Categories  []struct {
					Name  string `json:"name"`
					Count int    `json:"count"`
				} `json:"categories"`
			} `json:"profile"`
		} `json:"properties"`
	} `json:"features"`
	Parameters map[string]any `json:"parameters"`
	Summary    map[string]any `json:"summary"`
}

func getHotspots(t *testing.T, c *client, query string) hotspotCollection {
	t.Helper()
	resp, body := c.do(t, http.MethodGet, "/api/v1/hotspots?"+query, nil)
	wantStatus(t, resp, body, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "application/geo+json" {
		t.Errorf("Content-Type %q", ct)
	}
	var fc hotspotCollection
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatal(err)
	}
	return fc
}

// near reports whether the first ring's centre lies within m metres of the hot place.
func near(coords [][][2]float64, m float64) bool {
	if len(coords) == 0 || len(coords[0]) == 0 {
		return false
	}
	var x, y float64
	ring := coords[0][:len(coords[0])-1]
	for _, p := range ring {
		x, y = x+p[0], y+p[1]
	}
	x, y = x/float64(len(ring)), y/float64(len(ring))
	dx := (x - hotLon) * 111320 * math.Cos(hotLat*math.Pi/180)
	dy := (y - hotLat) * 110540
	return math.Hypot(dx, dy) <= m
}

func TestHotspotsGi(t *testing.T) {
	e := newEnv(t, nil)
	seedHotspots(t, e)
	public := e.client()

	fc := getHotspots(t, public, "municipality=1470")
	if fc.Type != "FeatureCollection" || len(fc.Features) == 0 {
		t.Fatalf("no hotspots: %+v", fc.Summary)
	}
	top := fc.Features[0]
	if p := top.Properties; p.Rank != 1 || p.Kind != "area" || p.Class < 1 || p.Confidence < 90 || p.Count < trygg.DefaultMinCount {
		t.Errorf("top hotspot %+v", p)
	}
	if !near(top.Geometry.Coordinates, 300) {
		t.Errorf("top hotspot at %v, not within 300 m of the hot place", top.Geometry.Coordinates)
	}
	for i, f := range fc.Features {
		// Hot areas rank by the weighted reports inside (the score).
		if p := f.Properties; p.Rank != i+1 || p.Score != p.Value || (i > 0 && p.Score > fc.Features[i-1].Properties.Score) {
			t.Errorf("feature %d: rank %d score %v value %v out of order", i, p.Rank, p.Score, p.Value)
		}
		if f.Properties.Count < trygg.DefaultMinCount {
			t.Errorf("public hotspot with %d reports, under the minimum count", f.Properties.Count)
		}
	}
	var profiled float64
	for _, d := range top.Properties.Profile.HourWeekday {
		for _, n := range d {
			profiled += n
		}
	}
	if math.Abs(profiled-float64(top.Properties.Count)) > 1e-3 || len(top.Properties.PeakHours) == 0 {
		t.Errorf("profile counts %v reports, the hotspot %d; peaks %v", profiled, top.Properties.Count, top.Properties.PeakHours)
	}
	if cs := top.Properties.Profile.Categories; len(cs) == 0 || cs[0].Name != "belysning" {
		t.Errorf("categories %+v, want belysning first", cs)
	}
	var inSeries int
	for _, p := range top.Properties.Series {
		inSeries += p.Count
	}
	if periods := fc.Summary["periods"].(float64); len(top.Properties.Series) != int(periods) || periods < 2 || inSeries != top.Properties.Count {
		t.Errorf("series of %d periods holding %d reports; summary %v periods, hotspot %d reports",
			len(top.Properties.Series), inSeries, periods, top.Properties.Count)
	}
	if fc.Parameters["public"] != true || fc.Parameters["min_count"] != float64(trygg.DefaultMinCount) ||
		fc.Parameters["cell"] != float64(trygg.DefaultCellM) || fc.Parameters["grid"] != "hex" ||
		fc.Parameters["fdr"] != true || fc.Parameters["study_area"] != "reports" || !(fc.Parameters["band"].(float64) >= 1) {
		t.Errorf("parameters %v", fc.Parameters)
	}
	// The public counts only published reports (no received ones): 80 + 270.
	if n := fc.Summary["reports"]; n != float64(350) {
		t.Errorf("public analysis over %v reports, want 350", n)
	}

	// Darkness: the hot place's reports were observed at 17:00 (dark) and 12:00 (light) in
	// December; the spread ones at all hours in summer and autumn.
	dark := getHotspots(t, public, "municipality=1470&dark=true")
	light := getHotspots(t, public, "municipality=1470&dark=false")
	nd, nl := dark.Summary["reports"].(float64), light.Summary["reports"].(float64)
	if nd+nl != 350 || nd < 40 || nl < 40 {
		t.Errorf("dark %v + light %v reports, want 350 with both at least the hot place's 40", nd, nl)
	}

	// Staff see received reports too.
	planner := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1470").Email)
	staff := getHotspots(t, planner, "municipality=1470&fdr=false&cell=300&band=2")
	if staff.Summary["reports"] != float64(380) || staff.Parameters["public"] != false || staff.Parameters["fdr"] != false ||
		staff.Parameters["band"] != float64(2) || staff.Summary["band"].(map[string]any)["method"] != "given" {
		t.Errorf("staff summary %v, parameters %v", staff.Summary, staff.Parameters)
	}
	// … but only in their own municipalities.
	resp, body := planner.do(t, http.MethodGet, "/api/v1/hotspots?municipality=1383", nil)
	wantStatus(t, resp, body, http.StatusForbidden)

	// Every cell of the grid, for the map.
	resp, body = public.do(t, http.MethodGet, "/api/v1/hotspots/cells?municipality=1470&cell=500", nil)
	wantStatus(t, resp, body, http.StatusOK)
	var cells struct {
		Features []struct {
			Properties struct{ Class, Count int } `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(body, &cells); err != nil {
		t.Fatal(err)
	}
	hot := 0
	for _, c := range cells.Features {
		if c.Properties.Class > 0 {
			hot++
		}
		if c.Properties.Count > 0 && c.Properties.Count < trygg.DefaultMinCount && c.Properties.Class != 0 {
			t.Errorf("public cell with %d reports shows class %d", c.Properties.Count, c.Properties.Class)
		}
	}
	if len(cells.Features) < 1000 || hot == 0 {
		t.Errorf("%d cells, %d hot", len(cells.Features), hot)
	}
	// Only the cells with a class, for a map that draws nothing else.
	resp, body = public.do(t, http.MethodGet, "/api/v1/hotspots/cells?municipality=1470&cell=500&significant=true", nil)
	wantStatus(t, resp, body, http.StatusOK)
	var sig struct {
		Features []struct {
			Properties struct{ Class int } `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(body, &sig); err != nil {
		t.Fatal(err)
	}
	for _, c := range sig.Features {
		if c.Properties.Class == 0 {
			t.Error("significant=true gave a cell without a class")
		}
	}
	if len(sig.Features) == 0 || len(sig.Features) >= len(cells.Features) {
		t.Errorf("%d significant cells of %d", len(sig.Features), len(cells.Features))
	}
	// The same cells with the hotspots, from one analysis.
	resp, body = public.do(t, http.MethodGet, "/api/v1/hotspots?municipality=1470&cell=500&cells=significant", nil)
	wantStatus(t, resp, body, http.StatusOK)
	var both struct {
		Features []json.RawMessage `json:"features"`
		Cells    struct {
			Features []json.RawMessage `json:"features"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(body, &both); err != nil {
		t.Fatal(err)
	}
	if len(both.Features) == 0 || len(both.Cells.Features) != len(sig.Features) {
		t.Errorf("%d hotspots and %d cells, want the %d significant cells", len(both.Features), len(both.Cells.Features), len(sig.Features))
	}
	resp, body = public.do(t, http.MethodGet, "/api/v1/hotspots?municipality=1470&cells=some", nil)
	wantStatus(t, resp, body, http.StatusBadRequest)
}

func TestHotspotsDBSCAN(t *testing.T) {
	e := newEnv(t, nil)
	seedHotspots(t, e)
	fc := getHotspots(t, e.client(), "municipality=1470&method=dbscan&eps=80&min_points=10")
	if len(fc.Features) == 0 {
		t.Fatalf("no clusters: %v", fc.Summary)
	}
	top := fc.Features[0].Properties
	if top.Kind != "cluster" || top.Count < 60 || !near(fc.Features[0].Geometry.Coordinates, 150) {
		t.Errorf("top cluster %+v at %v", top, fc.Features[0].Geometry.Coordinates)
	}
	if fc.Parameters["eps"] != float64(80) || fc.Parameters["min_points"] != float64(10) {
		t.Errorf("parameters %v", fc.Parameters)
	}
}

func TestHotspotProblems(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct{ query, field string }{
		{"municipality=1470&cell=20", "cell"},
		{"municipality=1470&cell=abc", "cell"},
		{"municipality=1470&method=dbscan&eps=5", "eps"},
		{"municipality=1470&method=kde", "method"},
		{"municipality=1470&grid=triangle", "grid"},
		{"municipality=1470&from=2026-02-01&to=2026-01-01", "to"},
		{"municipality=1470&from=yesterday", "from"},
		{"municipality=1470&hours=25-3", "hours"},
		{"municipality=1470&dark=maybe", "dark"},
		{"municipality=1470&when=noon", "when"},
		{"municipality=1470&category=nope", "category"},
		{"municipality=1470&season=monsoon", "season"},
		{"municipality=1470&period=decade", "period"},
		{"municipality=1470&band=0.5", "band"},
		{"municipality=1470&study_area=everywhere", "study_area"},
		{"municipality=1470&source_weights=resident:x", "source_weights"},
		{"municipality=1470&bogus=1", "bogus"},
		{"bbox=1,2", "bbox"},
		{"", "municipality"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			resp, body := e.get(t, "/api/v1/hotspots?"+tc.query)
			wantStatus(t, resp, body, http.StatusBadRequest)
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.Contains(string(body), `"`+tc.field) {
				t.Errorf("problem does not name %s: %s", tc.field, body)
			}
		})
	}
	resp, body := e.get(t, "/api/v1/hotspots?municipality=9999")
	wantStatus(t, resp, body, http.StatusNotFound)
}

func TestHotspotRunsAndPlaces(t *testing.T) {
	e := newEnv(t, nil)
	seedHotspots(t, e)
	planner := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1470").Email)
	resp, body := planner.do(t, http.MethodPost, "/api/v1/hotspot-runs", map[string]any{
		"name": "Vara centrum 2025", "public": true, "query": map[string]string{"municipality": "1470", "cell": "250"}})
	wantStatus(t, resp, body, http.StatusCreated)
	var run struct {
		ID       string `json:"id"`
		Public   bool   `json:"public"`
		Hotspots []struct {
			ID   string `json:"id"`
			Rank int    `json:"rank"`
		} `json:"hotspots"`
	}
	if err := json.Unmarshal(body, &run); err != nil {
		t.Fatal(err)
	}
	if run.ID == "" || !run.Public || len(run.Hotspots) == 0 || run.Hotspots[0].Rank != 1 {
		t.Fatalf("run %s", body)
	}
	// The run stores hot areas: the one hot place is one hotspot whose polygon covers every
	// hot cell of the run (what the hotspots tiles and OGC collection serve), and the
	// cells keep their classes (the hexcells layer).
	got := pgtest.Strings(t, e.url, `SELECT (SELECT count(*) FROM public_hotspot WHERE run_id = $1) || ' ' ||
		(SELECT count(*) FROM public_hotspot_cell WHERE run_id = $1 AND class > 0) || ' ' ||
		(SELECT count(*) FROM public_hotspot_cell c JOIN public_hotspot h ON h.run_id = c.run_id
		 WHERE c.run_id = $1 AND c.class > 0 AND ST_Covers(h.geom, ST_PointOnSurface(c.geom)))`, run.ID)
	var areas, hotCells, covered int
	if _, err := fmt.Sscan(got[0], &areas, &hotCells, &covered); err != nil || areas != 1 || hotCells < 1 || covered != hotCells {
		t.Errorf("saved run: %d hot areas, %d hot cells, %d of them in an area; want 1 area covering every hot cell", areas, hotCells, covered)
	}
	resp, body = planner.do(t, http.MethodGet, "/api/v1/hotspot-runs?municipality=1470", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), run.ID) {
		t.Errorf("runs lack %s: %s", run.ID, body)
	}

	resp, body = planner.do(t, http.MethodPost, "/api/v1/places", map[string]any{"name": "Resecentrum", "hotspot_id": run.Hotspots[0].ID})
	wantStatus(t, resp, body, http.StatusCreated)
	var place struct {
		Geometry struct {
			Coordinates [][][2]float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties struct{ ID, Name string } `json:"properties"`
	}
	if err := json.Unmarshal(body, &place); err != nil {
		t.Fatal(err)
	}
	if place.Properties.Name != "Resecentrum" || !near(place.Geometry.Coordinates, 300) {
		t.Errorf("place %s", body)
	}
	resp, body = planner.do(t, http.MethodPost, "/api/v1/places", map[string]any{"name": "resecentrum", "hotspot_id": run.Hotspots[0].ID})
	wantStatus(t, resp, body, http.StatusConflict)
	resp, body = planner.do(t, http.MethodPost, "/api/v1/places", map[string]any{"name": "Torget"})
	wantStatus(t, resp, body, http.StatusBadRequest)
	resp, body = planner.do(t, http.MethodGet, "/api/v1/places?municipality=1470", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), "Resecentrum") {
		t.Errorf("places %s", body)
	}

	// Another municipality's planner sees neither.
	other := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1383").Email)
	for _, path := range []string{"/api/v1/hotspot-runs/" + run.ID, "/api/v1/places/" + place.Properties.ID} {
		resp, body = other.do(t, http.MethodGet, path, nil)
		wantStatus(t, resp, body, http.StatusNotFound)
	}
	// The public may not save.
	resp, body = e.client().do(t, http.MethodPost, "/api/v1/hotspot-runs", map[string]any{"name": "x", "query": map[string]string{"municipality": "1470"}})
	wantStatus(t, resp, body, http.StatusUnauthorized)
}

// TestHotspotRate: the public's analyses are limited per address (each reads every
// report of a municipality); staff are not.
func TestHotspotRate(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.HotspotRate = api.Rate{N: 1, Window: time.Minute} })
	resp, body := e.get(t, "/api/v1/hotspots?municipality=1470")
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = e.get(t, "/api/v1/hotspots/cells?municipality=1470")
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	planner := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1470").Email)
	for range 2 {
		resp, body = planner.do(t, http.MethodGet, "/api/v1/hotspots?municipality=1470", nil)
		wantStatus(t, resp, body, http.StatusOK)
	}
}

// TestHotspotsOneTightCluster: a category whose reports all lie in a few neighbouring
// cells leaves Moran's I undefined at the short distances of the band search (no pairs);
// the answer says so with a null z, not a 500 (JSON has no NaN).
func TestHotspotsOneTightCluster(t *testing.T) {
	e := newEnv(t, nil)
	pgtest.Exec(t, e.url, `
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
		                    public_description, source, precision, status, created_at, observed_at)
		SELECT gen_random_uuid(), '1470', g, report_public_geom(g, 50), 'belysning', 1, '{evening}', 'Mörkt', 'Mörkt',
		       'resident', 'exact', 'published', now() - i * interval '47 hours', now() - i * interval '47 hours'
		FROM generate_series(1, 60) i,
		     LATERAL (SELECT ST_SetSRID(ST_MakePoint(12.9500 + (i % 8 - 4) * 0.0002, 58.2620 + (i / 8 - 4) * 0.0001), 4326) AS g) p`)
	resp, body := e.get(t, "/api/v1/hotspots?municipality=1470&method=gi&cell=200&category=belysning&cells=significant")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s\n%s", resp.StatusCode, body, e.log.String())
	}
}
