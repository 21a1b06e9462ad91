package ogc_test

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/ogc"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

func TestEndpoints(t *testing.T) {
	e := newEnv(t)
	e.seed(t, 5)
	for _, path := range []string{"/ogc", "/ogc/", "/ogc/conformance", "/ogc/collections", "/ogc/collections/reports"} {
		for _, f := range []string{"json", "html"} {
			resp, body := e.get(t, nil, path+"?f="+f)
			wantStatus(t, resp, body, http.StatusOK)
			if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, f) {
				t.Errorf("%s f=%s: Content-Type %q", path, f, ct)
			}
			if f == "html" && !bytes.Contains(body, []byte(`lang="sv"`)) {
				t.Errorf("%s: not a Swedish page: %.200s", path, body)
			}
		}
	}
	_, body := e.get(t, nil, "/ogc/conformance")
	var conf struct{ ConformsTo []string }
	json.Unmarshal(body, &conf)
	if len(conf.ConformsTo) != len(ogc.ConformsTo) || !strings.Contains(string(body), "ogcapi-features-2/1.0/conf/crs") {
		t.Errorf("conformance: %s", body)
	}

	resp, body := e.get(t, nil, "/ogc/api")
	wantStatus(t, resp, body, http.StatusOK)
	checkOpenAPI(t, body)

	p := e.items(t, nil, "/ogc/collections/reports/items")
	if p.Type != "FeatureCollection" || p.NumberReturned != 5 || p.NumberMatched == nil || *p.NumberMatched != 5 || p.TimeStamp == "" {
		t.Fatalf("reports items: %+v", p)
	}
	id := p.Features[0].ID
	resp, body = e.get(t, nil, "/ogc/collections/reports/items/"+id)
	wantStatus(t, resp, body, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "application/geo+json" {
		t.Errorf("item Content-Type %q", ct)
	}
	var f struct {
		Type, ID string
		Links    []any
	}
	json.Unmarshal(body, &f)
	if f.Type != "Feature" || f.ID != id || len(f.Links) == 0 {
		t.Errorf("item: %s", body)
	}
	for _, fm := range []string{"html", "csv"} {
		resp, body = e.get(t, nil, "/ogc/collections/reports/items/"+id+"?f="+fm)
		wantStatus(t, resp, body, http.StatusOK)
	}
	resp, body = e.get(t, nil, "/ogc/collections/reports/items?f=html")
	wantStatus(t, resp, body, http.StatusOK)
	if !bytes.Contains(body, []byte("Träffar: 5")) {
		t.Errorf("items html: %.500s", body)
	}

	resp, body = e.get(t, nil, "/ogc/collections/reports/items?f=csv")
	wantStatus(t, resp, body, http.StatusOK)
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(recs) != 6 || recs[0][1] != "WKT" || !strings.HasPrefix(recs[1][1], "POINT(") {
		t.Errorf("csv (%v): %s", err, body)
	}

	p = e.items(t, nil, "/ogc/collections/municipalities/items")
	if p.NumberReturned != 5 {
		t.Errorf("municipalities: %d features", p.NumberReturned)
	}
	// Filters and datetime.
	if p := e.items(t, nil, "/ogc/collections/municipalities/items?municipality=1470,1494"); p.NumberReturned != 2 {
		t.Errorf("municipality filter: %d", p.NumberReturned)
	}
	if p := e.items(t, nil, "/ogc/collections/reports/items?category=vald"); p.NumberReturned != 0 {
		t.Errorf("category filter: %d", p.NumberReturned)
	}
	if p := e.items(t, nil, "/ogc/collections/reports/items?status=published&source=resident&category=belysning"); p.NumberReturned != 5 {
		t.Errorf("filters: %d", p.NumberReturned)
	}
	for q, want := range map[string]int{
		"2026-11-01T12:00:00Z": 1, "2026-11-01T12:00:00Z/2026-11-01T14:00:00Z": 3,
		"../2026-11-01T13:00:00Z": 2, "2026-11-01T15:00:00Z/..": 2, "2026-11-01": 5, "2026-10-31": 0,
	} {
		if p := e.items(t, nil, "/ogc/collections/reports/items?datetime="+q); p.NumberReturned != want {
			t.Errorf("datetime=%s: %d features, want %d", q, p.NumberReturned, want)
		}
	}
	// bbox: 4 and 6 numbers, CRS84 and EPSG:3006 (northing, easting).
	for q, want := range map[string]int{
		"12.9,58.2,13.0,58.3": 5, "12.9,58.2,0,13.0,58.3,100": 5, "14,58,15,59": 0,
		"6450000,370000,6470000,385000&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3006": 5,
		"6450000,300000,6470000,310000&bbox-crs=EPSG:3006":                                  0,
	} {
		if p := e.items(t, nil, "/ogc/collections/reports/items?bbox="+q); p.NumberReturned != want {
			t.Errorf("bbox=%s: %d features, want %d", q, p.NumberReturned, want)
		}
	}
	// limit: larger values are clamped.
	if p := e.items(t, nil, "/ogc/collections/reports/items?limit=1000000"); p.NumberReturned != 5 {
		t.Errorf("limit clamped: %d", p.NumberReturned)
	}

	// gzip when accepted.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/ogc/collections/municipalities/items", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	gresp, err := (&http.Transport{}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer gresp.Body.Close()
	if gresp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", gresp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(gresp.Body)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil || !json.Valid(raw) {
		t.Fatalf("gzipped body: %v", err)
	}
}

// checkOpenAPI checks the document's shape: every path's {parameters} are declared as
// path parameters, every $ref resolves, every operation has responses.
func checkOpenAPI(t *testing.T, body []byte) {
	t.Helper()
	var doc struct {
		OpenAPI string
		Info    struct{ Title, Version string }
		Paths   map[string]map[string]struct {
			OperationID string           `json:"operationId"`
			Parameters  []map[string]any `json:"parameters"`
			Responses   map[string]any   `json:"responses"`
		}
		Components struct {
			Parameters map[string]map[string]any
		}
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("api: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") || doc.Info.Title == "" || doc.Info.Version == "" {
		t.Errorf("api: openapi %q info %+v", doc.OpenAPI, doc.Info)
	}
	for _, path := range []string{"/", "/conformance", "/api", "/collections", "/collections/{collectionId}",
		"/collections/{collectionId}/items", "/collections/{collectionId}/items/{featureId}"} {
		ops, ok := doc.Paths[path]
		if !ok {
			t.Errorf("api: no path %s", path)
			continue
		}
		get := ops["get"]
		if get.OperationID == "" || len(get.Responses) == 0 {
			t.Errorf("api: %s: %+v", path, get)
		}
		declared := map[string]bool{}
		for _, p := range get.Parameters {
			name := strings.TrimPrefix(p["$ref"].(string), "#/components/parameters/")
			comp, ok := doc.Components.Parameters[name]
			if !ok {
				t.Errorf("api: %s: unresolved %s", path, name)
				continue
			}
			if comp["in"] == "path" {
				declared[comp["name"].(string)] = true
			}
			for _, k := range []string{"name", "in", "schema"} {
				if comp[k] == nil {
					t.Errorf("api: parameter %s has no %s", name, k)
				}
			}
		}
		for _, part := range strings.Split(path, "/") {
			if strings.HasPrefix(part, "{") && !declared[strings.Trim(part, "{}")] {
				t.Errorf("api: %s: path parameter %s not declared", path, part)
			}
		}
	}
	if len(doc.Paths) != 7 {
		t.Errorf("api: %d paths, want 7", len(doc.Paths))
	}
	if _, ok := doc.Components.Parameters["limit"]["schema"].(map[string]any)["maximum"]; !ok {
		t.Error("api: limit has no maximum")
	}
}

func TestBadParameters(t *testing.T) {
	e := newEnv(t)
	for q, field := range map[string]string{
		"bbox=1,2,3":                  "bbox",
		"bbox=a,b,c,d":                "bbox",
		"bbox=13,58,12,59":            "bbox",
		"bbox=12,59,13,58":            "bbox",
		"bbox=1,2,3,4,5":              "bbox",
		"bbox=12,58,13,59&bbox-crs=x": "bbox-crs",
		"crs=EPSG:4326":               "crs",
		"crs=http://www.opengis.net/def/crs/EPSG/0/9999": "crs",
		"datetime=yesterday":                             "datetime",
		"datetime=2026-11-02/2026-11-01":                 "datetime",
		"datetime=../..":                                 "datetime",
		"limit=0":                                        "limit",
		"limit=-5":                                       "limit",
		"limit=ten":                                      "limit",
		"cursor=garbage":                                 "cursor",
		"f=xml":                                          "f",
	} {
		resp, body := e.get(t, nil, "/ogc/collections/reports/items?"+q)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400: %s", q, resp.StatusCode, body)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s: Content-Type %q", q, ct)
		}
		var p struct{ Field string }
		json.Unmarshal(body, &p)
		if p.Field != field {
			t.Errorf("%s: field %q, want %q: %s", q, p.Field, field, body)
		}
	}
	// walks cannot be filtered by category (and the public does not see walks at all).
	resp, body := e.get(t, nil, "/ogc/collections/municipalities/items?category=vald")
	wantStatus(t, resp, body, http.StatusBadRequest)
	for _, path := range []string{"/ogc/collections/nope", "/ogc/collections/nope/items",
		"/ogc/collections/reports/items/00000000-0000-4000-8000-00000000000f", "/ogc/collections/reports/items/x",
		"/ogc/collections/municipalities/items/9999"} {
		resp, body := e.get(t, nil, path)
		wantStatus(t, resp, body, http.StatusNotFound)
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
	}
}

// TestPagingWithInserts pages through reports two at a time while new reports arrive
// between pages: every report is returned exactly once, then prev goes back.
func TestPagingWithInserts(t *testing.T) {
	e := newEnv(t)
	e.seed(t, 7)
	seen := map[string]int{}
	next := "/ogc/collections/reports/items?limit=2"
	pages := 0
	var last page
	for next != "" {
		p := e.items(t, nil, next)
		for _, f := range p.Features {
			seen[f.ID]++
		}
		if pages < 3 {
			// A new report, newer than every other, arrives.
			pgtest.Exec(t, e.url, `INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status)
				VALUES (gen_random_uuid(), '1470', ST_SetSRID(ST_MakePoint(12.95, 58.26), 4326),
				        ST_SetSRID(ST_MakePoint(12.95, 58.26), 4326), 'klotter', 3, 'resident', 'exact', 'published')`)
		}
		pages++
		if pages > 20 {
			t.Fatal("paging does not end")
		}
		next, last = p.link("next"), p
	}
	if len(seen) != 10 {
		t.Errorf("saw %d reports, want 7 + 3 inserted", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s seen %d times", id, n)
		}
	}
	// Back one page from the last.
	prev := last.link("prev")
	if prev == "" {
		t.Fatal("last page has no prev link")
	}
	p := e.items(t, nil, prev)
	if p.NumberReturned != 2 || p.link("next") == "" {
		t.Errorf("prev page: %+v", p)
	}
	for _, f := range p.Features {
		for _, g := range last.Features {
			if f.ID == g.ID {
				t.Errorf("prev page repeats %s", f.ID)
			}
		}
	}
	// Later pages leave numberMatched out (counting costs a full read); the first has it.
	if p.NumberMatched != nil {
		t.Errorf("numberMatched %v on a later page, want it left out", *p.NumberMatched)
	}
	if first := e.items(t, nil, "/ogc/collections/reports/items?limit=2"); first.NumberMatched == nil || *first.NumberMatched != 10 {
		t.Errorf("first page numberMatched %v, want 10", first.NumberMatched)
	}
}

func TestCRS3006(t *testing.T) {
	e := newEnv(t)
	e.seed(t, 2)
	resp, body := e.get(t, nil, "/ogc/collections/reports/items?crs=http://www.opengis.net/def/crs/EPSG/0/3006")
	wantStatus(t, resp, body, http.StatusOK)
	if got := resp.Header.Get("Content-Crs"); got != "<http://www.opengis.net/def/crs/EPSG/0/3006>" {
		t.Errorf("Content-Crs %q", got)
	}
	var fc struct {
		Features []struct {
			Geometry struct{ Coordinates []float64 }
		}
	}
	json.Unmarshal(body, &fc)
	if len(fc.Features) != 2 {
		t.Fatalf("%d features", len(fc.Features))
	}
	for _, f := range fc.Features {
		c := f.Geometry.Coordinates
		// Vara in SWEREF 99 TM, northing first: about 6 460 000 N, 377 000 E.
		if len(c) != 2 || c[0] < 6.4e6 || c[0] > 6.5e6 || c[1] < 3.5e5 || c[1] > 4e5 {
			t.Errorf("coordinates %v are not Vara's northing, easting in metres", c)
		}
	}
	resp, body = e.get(t, nil, "/ogc/collections/reports/items")
	if got := resp.Header.Get("Content-Crs"); got != "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>" {
		t.Errorf("default Content-Crs %q", got)
	}
	_ = body
}

func TestPublicAndStaff(t *testing.T) {
	e := newEnv(t)
	e.seed(t, 3)
	// The public: four collections (the hotspot analysis' latest public run too),
	// published reports only, coarsened.
	_, body := e.get(t, nil, "/ogc/collections")
	var cs struct{ Collections []struct{ ID string } }
	json.Unmarshal(body, &cs)
	var public []string // the collections with a public source (cameras, promise places, …), in order
	for _, c := range postgis.FeatureCollections {
		if c.Public != nil {
			public = append(public, c.ID)
		}
	}
	if len(cs.Collections) != len(public) || len(public) < 5 || cs.Collections[0].ID != "municipalities" || cs.Collections[1].ID != "reports" ||
		cs.Collections[2].ID != "hexcells" || cs.Collections[3].ID != "hotspots" || !strings.Contains(string(body), `"id":"cameras"`) {
		t.Errorf("public collections: %s", body)
	}
	for _, id := range []string{"walks", "actions", "police-events", "places"} {
		for _, path := range []string{"/ogc/collections/" + id, "/ogc/collections/" + id + "/items",
			"/ogc/collections/" + id + "/items/00000000-0000-4000-8000-000000000001"} {
			resp, body := e.get(t, nil, path)
			wantStatus(t, resp, body, http.StatusNotFound)
		}
	}
	p := e.items(t, nil, "/ogc/collections/reports/items?limit=100")
	if p.NumberReturned != 3 {
		t.Errorf("public reports: %d, want the 3 published", p.NumberReturned)
	}
	for _, f := range p.Features {
		if f.Properties["status"] != "published" || f.Properties["source"] == "police-event" {
			t.Errorf("public sees %v", f.Properties)
		}
	}
	if p := e.items(t, nil, "/ogc/collections/reports/items?status=received"); p.NumberReturned != 0 {
		t.Errorf("public sees %d received reports", p.NumberReturned)
	}
	resp, body := e.get(t, nil, "/ogc/collections/reports/items/00000000-0000-4000-8000-000000000003")
	wantStatus(t, resp, body, http.StatusNotFound)

	// Staff of Vara: the full view through row-level security.
	c := e.staff(t, trygg.RolePlanner)
	_, body = e.get(t, c, "/ogc/collections")
	json.Unmarshal(body, &cs)
	staffCaller := &trygg.Caller{User: trygg.User{ID: "planner", Role: trygg.RolePlanner}}
	staffCount := 0
	for _, c := range postgis.FeatureCollections {
		if c.Source(staffCaller) != nil {
			staffCount++
		}
	}
	if len(cs.Collections) != staffCount {
		t.Errorf("staff collections: %s", body)
	}
	if p := e.items(t, c, "/ogc/collections/reports/items"); p.NumberReturned != 6 {
		t.Errorf("staff reports: %d, want 6", p.NumberReturned)
	}
	if p := e.items(t, c, "/ogc/collections/walks/items"); p.NumberReturned != 1 || !strings.Contains(string(p.Features[0].Geometry), "LineString") {
		t.Errorf("walks: %+v", p)
	}
	if p := e.items(t, c, "/ogc/collections/actions/items"); p.NumberReturned != 1 || !strings.Contains(string(p.Features[0].Geometry), "LineString") {
		t.Errorf("actions: %+v", p)
	}
	if p := e.items(t, c, "/ogc/collections/police-events/items"); p.NumberReturned != 1 {
		t.Errorf("police events: %+v", p)
	}
	// A moderator reads no walks.
	m := e.staff(t, trygg.RoleModerator)
	resp, body = e.get(t, m, "/ogc/collections/walks/items")
	wantStatus(t, resp, body, http.StatusNotFound)
}
