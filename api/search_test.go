package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paulmach/orb/geojson"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
)

// gazetteerEnv is the API on the demo municipalities with the demo gazetteer.
func gazetteerEnv(t *testing.T, tune func(*api.Options, *postgis.Options)) *env {
	t.Helper()
	e := newEnv(t, func(o *api.Options, d *postgis.Options) {
		o.ReportRate = api.Rate{}
		if tune != nil {
			tune(o, d)
		}
	})
	if err := demo.LoadGazetteer(context.Background(), e.owner, nil); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestSearchAPI(t *testing.T) {
	t.Parallel()
	e := gazetteerEnv(t, nil)
	search := func(query string) []string {
		t.Helper()
		resp, body := e.get(t, "/api/v1/search?"+query)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/geo+json" {
			t.Fatalf("search %s: %d %s: %s", query, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		fc, err := geojson.UnmarshalFeatureCollection(body)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fc.Features {
			got = append(got, f.Properties.MustString("kind")+":"+f.Properties.MustString("label")+":"+f.Properties.MustString("municipality"))
		}
		return got
	}
	if got := search("q=" + url.QueryEscape("resesentrum vara")); len(got) == 0 || got[0] != "stop:Vara resecentrum:1470" {
		t.Errorf("resesentrum vara: %v, want Vara resecentrum first", got)
	}
	// Torget: Varberg's square is the exact name; Vara's Stora torget a word prefix.
	got := search("q=torget&near=12.25,57.11&limit=2")
	if len(got) < 1 || got[0] != "place:Torget, Varberg:1383" {
		t.Errorf("torget near Varberg: %v", got)
	}
	got = search("q=stora+torget&near=12.955,58.262&limit=3")
	if len(got) < 1 || got[0] != "stop:Stora torget, Vara:1470" {
		t.Errorf("stora torget near Vara: %v", got)
	}
	got = search("q=torget&municipality=1470&limit=50")
	for _, g := range got {
		if !strings.HasSuffix(g, ":1470") {
			t.Errorf("municipality=1470 gave %s", g)
		}
	}
	for _, tc := range []struct{ query, field string }{
		{"", "q"},
		{"q=a", "q"},
		{"q=" + strings.Repeat("a", 101), "q"},
		{"q=torget&near=12.25", "near"},
		{"q=torget&near=abc,57", "near"},
		{"q=torget&near=200,57", "near"},
		{"q=torget&municipality=9999", "municipality"},
		{"q=torget&municipality=vara", "municipality"},
		{"q=torget&limit=0", "limit"},
		{"q=torget&limit=51", "limit"},
	} {
		resp, body := e.get(t, "/api/v1/search?"+tc.query)
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%q: %d %s, want 400 problem", tc.query, resp.StatusCode, body)
			continue
		}
		if f := problemField(t, body); f != tc.field {
			t.Errorf("%q: field %q, want %q", tc.query, f, tc.field)
		}
	}
}

// TestSearchRateLimited: search is limited per client address like other public reads.
func TestSearchRateLimited(t *testing.T) {
	t.Parallel()
	e := gazetteerEnv(t, func(o *api.Options, _ *postgis.Options) { o.SearchRate = api.Rate{N: 2, Window: 1 << 40} })
	for i, want := range []int{200, 200, 429} {
		if resp, body := e.get(t, "/api/v1/search?q=torget"); resp.StatusCode != want {
			t.Errorf("search %d: %d %s, want %d", i+1, resp.StatusCode, body, want)
		}
	}
}

// TestReportAtVarbergTorget: Torget is 345 m outside SCB's generalised boundary of
// Varberg; within the default tolerance the report is Varberg's, labelled, and the
// reverse lookup says so. 5 km out at sea is refused; with no tolerance so is Torget.
func TestReportAtVarbergTorget(t *testing.T) {
	t.Parallel()
	e := gazetteerEnv(t, nil)
	c := e.client()
	torget := `{"type":"Feature","geometry":{"type":"Point","coordinates":[12.2508,57.1057]},"properties":{"category":"belysning","feeling":2}}`
	resp, body := c.post(t, "/api/v1/reports", "application/json", torget)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("Torget: %d %s, want 201", resp.StatusCode, body)
	}
	var s struct {
		Municipality string  `json:"municipality"`
		PlaceLabel   *string `json:"place_label"`
		ID           string  `json:"id"`
		Erasure      string  `json:"erasure_token"`
	}
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	if s.Municipality != "1383" || s.PlaceLabel == nil || *s.PlaceLabel != "vid Torget" {
		t.Errorf("Torget: %s, want 1383 labelled vid Torget", body)
	}
	// The reporter's status page shows the label.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/reports/"+s.ID, nil)
	req.Header.Set("Erasure-Token", s.Erasure)
	st, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var status struct {
		PlaceLabel string `json:"place_label"`
	}
	if err := json.NewDecoder(st.Body).Decode(&status); err != nil || status.PlaceLabel != "vid Torget" {
		t.Errorf("reporter's status: %+v, %v", status, err)
	}
	st.Body.Close()

	resp, body = e.get(t, "/api/v1/search/reverse?lon=12.2508&lat=57.1057")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"label":"vid Torget"`) || !strings.Contains(string(body), `"municipality":"1383"`) {
		t.Errorf("reverse: %d %s", resp.StatusCode, body)
	}
	resp, body = e.get(t, "/api/v1/search/reverse?lon=12.2508")
	if resp.StatusCode != http.StatusBadRequest || problemField(t, body) != "lat" {
		t.Errorf("reverse without lat: %d %s", resp.StatusCode, body)
	}

	sea := `{"type":"Feature","geometry":{"type":"Point","coordinates":[12.168,57.1057]},"properties":{"category":"belysning","feeling":2}}`
	if resp, body := c.post(t, "/api/v1/reports", "application/json", sea); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("5 km at sea: %d %s, want 422", resp.StatusCode, body)
	}

	strict := newEnv(t, func(o *api.Options, d *postgis.Options) {
		o.ReportRate = api.Rate{}
		d.BoundaryToleranceM = postgis.NoBoundaryTolerance
	})
	if resp, body := strict.client().post(t, "/api/v1/reports", "application/json", torget); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("Torget with no tolerance: %d %s, want 422", resp.StatusCode, body)
	}
}

// TestDialoguePlacesNearBoundary: a dialogue place at Varberg's Torget (outside SCB's
// boundary, within the tolerance) is stored, labelled and counted in near_boundary.
func TestDialoguePlacesNearBoundary(t *testing.T) {
	t.Parallel()
	e := gazetteerEnv(t, nil)
	planner := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1383").Email)
	resp, body := planner.do(t, http.MethodPost, "/api/v1/dialogues", map[string]any{"title": "Dialog på Torget", "held_on": "2026-10-03",
		"place": "Torget", "format": "samtal", "conversations": 40})
	wantStatus(t, resp, body, http.StatusCreated)
	var d trygg.Dialogue
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	fc := `{"type":"FeatureCollection","features":[
		{"type":"Feature","geometry":{"type":"Point","coordinates":[12.2508,57.1057]},"properties":{"category":"belysning","feeling":2}},
		{"type":"Feature","geometry":{"type":"Point","coordinates":[12.2580,57.1075]},"properties":{"category":"belysning","feeling":2}}]}`
	resp, body = planner.post(t, "/api/v1/dialogues/"+d.ID+"/places", "application/geo+json", fc)
	wantStatus(t, resp, body, http.StatusCreated)
	var out struct {
		Features []struct {
			Properties struct {
				PlaceLabel *string `json:"place_label"`
			} `json:"properties"`
		} `json:"features"`
		NearBoundary int `json:"near_boundary"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Features) != 2 || out.NearBoundary != 1 || out.Features[0].Properties.PlaceLabel == nil ||
		*out.Features[0].Properties.PlaceLabel != "vid Torget" {
		t.Errorf("dialogue places: %s", body)
	}
}
