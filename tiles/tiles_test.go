package tiles_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

func TestPublicTiles(t *testing.T) {
	e := newEnv(t)
	published, received := e.seed(t, "1470", vara, 20)

	// z16: points, only the published, with their properties; public headers.
	path, _ := tilePath("reports", vara, 16, "")
	ls, resp := e.fetchTile(t, public, path)
	l := layer(ls, "reports")
	if l == nil || len(l.Features) == 0 {
		t.Fatalf("%s: no reports layer in %v", path, ls)
	}
	got := ids(l)
	for _, id := range received {
		if got[id] {
			t.Errorf("public tile holds the received report %s", id)
		}
	}
	if n := 0; true {
		for _, id := range published {
			if got[id] {
				n++
			}
		}
		if n == 0 || n != len(got) {
			t.Errorf("public z16 tile: %d features, %d of them published reports", len(got), n)
		}
	}
	for _, f := range l.Features {
		for _, p := range []string{"id", "category", "feeling", "status", "municipality"} {
			if _, ok := f.Properties[p]; !ok {
				t.Errorf("feature has no property %s: %v", p, f.Properties)
			}
		}
		if _, ok := f.Properties["description"]; ok {
			t.Errorf("public feature has the staff property description: %v", f.Properties)
		}
		if f.Properties["cluster"] != nil {
			t.Errorf("z16 feature is a cluster: %v", f.Properties)
		}
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "public, no-cache" {
		t.Errorf("Cache-Control %q", cc)
	}
	if o := resp.Header.Get("Access-Control-Allow-Origin"); o != "*" {
		t.Errorf("Access-Control-Allow-Origin %q", o)
	}

	// Below z14: clusters with counts and the dominant category, summing to the
	// published reports (all in one tile at z12).
	path, _ = tilePath("reports", vara, 12, "")
	ls, _ = e.fetchTile(t, public, path)
	l = layer(ls, "reports")
	if l == nil {
		t.Fatalf("%s: no reports layer", path)
	}
	sum := 0
	for _, f := range l.Features {
		if f.Properties["cluster"] != true || f.Properties["category"] == nil {
			t.Errorf("z12 feature is not a cluster: %v", f.Properties)
		}
		sum += count(f.Properties["count"])
	}
	if sum != len(published) {
		t.Errorf("z12 clusters count %d reports, want %d", sum, len(published))
	}
	if len(l.Features) >= len(published) {
		t.Errorf("z12: %d clusters for %d reports: not aggregated", len(l.Features), len(published))
	}

	// Filters: vald is every third report.
	path, _ = tilePath("reports", vara, 12, "category=vald&when=day,night&from=2020-01-01")
	ls, _ = e.fetchTile(t, public, path)
	if l := layer(ls, "reports"); l != nil {
		t.Errorf("when=day,night matches no report, got %d clusters", len(l.Features))
	}
	path, _ = tilePath("reports", vara, 12, "category=vald,belysning&source=resident&from=2020-01-01&to=2099-12-31")
	ls, _ = e.fetchTile(t, public, path)
	if l := layer(ls, "reports"); l == nil {
		t.Errorf("%s: no reports", path)
	}

	// The public sees no police events: not the layer, nor points in the all tile.
	path, _ = tilePath("police-events", vara, 12, "")
	resp, body := e.get(t, public, path)
	wantStatus(t, resp, body, http.StatusNotFound)
	for _, z := range []int{8, 12, 16} {
		path, _ := tilePath("all", vara, z, "")
		ls, _ := e.fetchTile(t, public, path)
		for _, l := range ls {
			if l.Name != "reports" && l.Name != "municipalities" &&
				l.Name != "promise-places" { // the demo's published promises

				t.Errorf("public all tile z%d has layer %s", z, l.Name)
			}
		}
		if layer(ls, "municipalities") == nil || layer(ls, "reports") == nil {
			t.Errorf("public all tile z%d lacks a layer: %v", z, ls)
		}
		if l := layer(ls, "reports"); l != nil {
			for _, f := range l.Features {
				if f.Properties["source"] == "police-event" {
					t.Errorf("public tile holds a police event: %v", f.Properties)
				}
			}
		}
	}
	// Municipalities at a low zoom: simplified, with code and name.
	ls, _ = e.fetchTile(t, public, "/tiles/municipalities/5/17/9.mvt")
	l = layer(ls, "municipalities")
	if l == nil || len(l.Features) != 5 {
		t.Fatalf("z5 municipalities: %v", l)
	}
	for _, f := range l.Features {
		if f.Properties["code"] == nil || f.Properties["name"] == nil {
			t.Errorf("municipality properties %v", f.Properties)
		}
	}
}

func TestStaffTiles(t *testing.T) {
	e := newEnv(t)
	_, received := e.seed(t, "1470", vara, 10)
	vbPub, vbRec := e.seed(t, "1383", varberg, 10)
	pgtest.Exec(t, e.url, `INSERT INTO walk (id, municipality_code, title, route, status)
		VALUES (gen_random_uuid(), '1470', 'Kvällsvandring',
		        ST_SetSRID(ST_MakeLine(ST_MakePoint(12.95, 58.26), ST_MakePoint(12.952, 58.262)), 4326), 'done')`)
	planner := e.staff(t, trygg.RolePlanner, "kommun-1470")

	path, _ := tilePath("reports", vara, 16, "")
	ls, resp := e.fetchTile(t, planner, path)
	got := ids(layer(ls, "reports"))
	for _, id := range received {
		if !got[id] {
			t.Errorf("the planner's tile lacks their received report %s", id)
		}
	}
	if l := layer(ls, "reports"); l != nil && l.Features[0].Properties["description"] != "hemlig beskrivning" {
		t.Errorf("staff feature properties %v", l.Features[0].Properties)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "private, max-age=0" {
		t.Errorf("staff Cache-Control %q", cc)
	}
	if o := resp.Header.Get("Access-Control-Allow-Origin"); o != "" {
		t.Errorf("staff tile has Access-Control-Allow-Origin %q", o)
	}

	// A Vara planner's tile over Varberg has no Varberg reports (row-level security).
	path, _ = tilePath("reports", varberg, 16, "")
	ls, _ = e.fetchTile(t, planner, path)
	got = ids(layer(ls, "reports"))
	for _, id := range append(vbPub, vbRec...) {
		if got[id] {
			t.Errorf("the Vara planner sees Varberg's report %s", id)
		}
	}
	// The public does see Varberg's published ones there (another view, another key).
	ls, _ = e.fetchTile(t, public, path)
	if len(ids(layer(ls, "reports"))) != len(vbPub) {
		t.Errorf("public Varberg tile: %d reports, want %d", len(ids(layer(ls, "reports"))), len(vbPub))
	}

	// Police events: one point per municipality with the count, Vara's only, at the
	// municipality's point on surface; the tile at the event itself has no point.
	rows, err := pgx(t, e.url, `SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(boundary) AS p FROM municipality WHERE code = '1470') m`)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := strconv.ParseFloat(rows[0][0], 64)
	y, _ := strconv.ParseFloat(rows[0][1], 64)
	for _, z := range []int{6, 10, 16} {
		at := orb.Point{x, y}
		if z == 16 {
			at = vara
		}
		path, _ = tilePath("police-events", at, z, "")
		ls, _ = e.fetchTile(t, planner, path)
		l := layer(ls, "police-events")
		if z == 16 {
			if l != nil {
				t.Errorf("z16 tile at the event has police-event points: %v", l.Features)
			}
			continue
		}
		if l == nil || len(l.Features) != 1 || l.Features[0].Properties["municipality"] != "1470" ||
			count(l.Features[0].Properties["count"]) != 1 {
			t.Fatalf("z%d police events: %+v", z, l)
		}
	}

	// Walks: the route.
	path, _ = tilePath("walks", vara, 15, "")
	ls, _ = e.fetchTile(t, planner, path)
	if l := layer(ls, "walks"); l == nil || len(l.Features) != 1 || l.Features[0].Properties["title"] != "Kvällsvandring" {
		t.Errorf("walks tile: %+v", l)
	}
	// The all tile: every staff layer.
	path, _ = tilePath("all", vara, 6, "")
	ls, _ = e.fetchTile(t, planner, path)
	for _, name := range []string{"municipalities", "reports", "walks", "police-events"} {
		if layer(ls, name) == nil {
			t.Errorf("staff all tile lacks %s", name)
		}
	}
	// The public may not read the walks.
	resp, body := e.get(t, public, path[:len("/tiles/")]+"walks"+path[len("/tiles/all"):])
	wantStatus(t, resp, body, http.StatusNotFound)
}

func TestInvalidation(t *testing.T) {
	e := newEnv(t)
	_, received := e.seed(t, "1470", vara, 5)
	e.seed(t, "1383", varberg, 5)
	mod := e.staff(t, trygg.RoleModerator, "kommun-1470")

	pathA, _ := tilePath("reports", vara, 16, "")
	pathB, _ := tilePath("reports", varberg, 16, "")
	lsA, respA := e.fetchTile(t, public, pathA)
	_, respB := e.fetchTile(t, public, pathB)
	if ids(layer(lsA, "reports"))[received[0]] {
		t.Fatal("unpublished report in the public tile")
	}
	// Cached: the same ETag, and 304 for If-None-Match.
	_, again := e.fetchTile(t, public, pathA)
	if again.Header.Get("ETag") != respA.Header.Get("ETag") || respA.Header.Get("ETag") == "" {
		t.Fatalf("ETag %q then %q", respA.Header.Get("ETag"), again.Header.Get("ETag"))
	}
	resp, body := e.do(t, public, http.MethodGet, pathA, "", map[string]string{"If-None-Match": respA.Header.Get("ETag")})
	wantStatus(t, resp, body, http.StatusNotModified)

	// A publish: the next request sees it; the tile over Varberg keeps its ETag.
	resp, body = e.do(t, mod, http.MethodPost, "/api/v1/reports/"+received[0]+"/moderation", `{"action":"publish"}`, nil)
	wantStatus(t, resp, body, http.StatusOK)
	lsA, respA2 := e.fetchTile(t, public, pathA)
	if !ids(layer(lsA, "reports"))[received[0]] {
		t.Errorf("the tile after the publish lacks the published report")
	}
	if respA2.Header.Get("ETag") == respA.Header.Get("ETag") {
		t.Errorf("the tile's ETag did not change")
	}
	_, respB2 := e.fetchTile(t, public, pathB)
	if respB2.Header.Get("ETag") != respB.Header.Get("ETag") {
		t.Errorf("the unrelated tile's ETag changed: %s → %s", respB.Header.Get("ETag"), respB2.Header.Get("ETag"))
	}

	// A new staff report (the moderator's own staff view): the next staff tile has it.
	pathS, _ := tilePath("reports", vara, 16, "")
	before := ids(layer(func() mvt.Layers { ls, _ := e.fetchTile(t, mod, pathS); return ls }(), "reports"))
	resp, body = e.do(t, mod, http.MethodPost, "/api/v1/reports",
		`{"location":{"type":"Point","coordinates":[12.9501,58.2601]},"category":"belysning","feeling":2}`, nil)
	wantStatus(t, resp, body, http.StatusCreated)
	var sub struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(body, &sub)
	after := ids(layer(func() mvt.Layers { ls, _ := e.fetchTile(t, mod, pathS); return ls }(), "reports"))
	if !after[sub.ID] || len(after) != len(before)+1 {
		t.Errorf("staff tile after a new report: %d features (before %d), new %s there: %v", len(after), len(before), sub.ID, after[sub.ID])
	}

	// A write by another process (as a CLI importer would): seen once its notification
	// arrives.
	rows, err := pgx(t, e.url, `UPDATE report SET status = 'published' WHERE id = '`+received[1]+`' RETURNING id`)
	if err != nil || len(rows) != 1 {
		t.Fatalf("update: %v %v", rows, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		lsA, _ = e.fetchTile(t, public, pathA)
		if ids(layer(lsA, "reports"))[received[1]] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a write by another process never reached the tile")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestResponses(t *testing.T) {
	e := newEnv(t)
	e.seed(t, "1470", vara, 3)

	// Empty: 204 (the open sea off Varberg).
	resp, body := e.get(t, public, "/tiles/reports/16/35000/20000.mvt")
	wantStatus(t, resp, body, http.StatusNoContent)

	// No gzip accepted: the MVT bytes themselves.
	path, _ := tilePath("reports", vara, 16, "")
	resp, gz := e.gzipped(t, public, path)
	resp, plain := e.do(t, public, http.MethodGet, path, "", map[string]string{"Accept-Encoding": "identity"})
	wantStatus(t, resp, plain, http.StatusOK)
	if resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("Content-Encoding %q without gzip accepted", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if !bytes.Equal(unzipped, plain) {
		t.Errorf("plain body differs from the gunzipped one")
	}
	if _, err := mvt.Unmarshal(plain); err != nil {
		t.Errorf("plain tile: %v", err)
	}

	// Bad parameters: 400 naming them.
	for _, tc := range []struct{ path, field string }{
		{"/tiles/reports/23/0/0.mvt", "z"},
		{"/tiles/reports/a/0/0.mvt", "z"},
		{"/tiles/reports/2/4/0.mvt", "x"},
		{"/tiles/reports/2/0/-1.mvt", "y"},
		{"/tiles/reports/2/0/x.mvt", "y"},
		{"/tiles/reports/2/0/0.mvt?category=nope", "category"},
		{"/tiles/reports/2/0/0.mvt?source=bird", "source"},
		{"/tiles/reports/2/0/0.mvt?when=noon", "when"},
		{"/tiles/reports/2/0/0.mvt?from=yesterday", "from"},
		{"/tiles/reports/2/0/0.mvt?to=2026-13-01", "to"},
		{"/tiles/all/2/0/0.mvt?from=2026-02-01&to=2026-01-01", "to"},
		{"/tiles/reports.json?category=nope", "category"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := e.get(t, public, tc.path)
			wantStatus(t, resp, body, http.StatusBadRequest)
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q", ct)
			}
			if f := problemField(body); !strings.HasPrefix(f, tc.field+" ") {
				t.Errorf("problem names %q, want %s", f, tc.field)
			}
		})
	}
	resp, body = e.get(t, public, "/tiles/nope/0/0/0.mvt")
	wantStatus(t, resp, body, http.StatusNotFound)
}

// TestFastPath: public tiles skip the router but not the request's id, metrics and
// log line; only tiles served from the cache go unlogged. Requests with credentials
// take the router (and their staff view).
func TestFastPath(t *testing.T) {
	e := newEnv(t)
	e.seed(t, "1470", vara, 3)
	path, _ := tilePath("reports", vara, 16, "")
	// The first request builds the tile and gets it uncompressed at once; the next
	// ones get it from the cache, gzipped once the background compression is done,
	// under the same ETag.
	resp, raw := e.get(t, public, path)
	wantStatus(t, resp, raw, http.StatusOK)
	if c, ce := resp.Header.Get("X-Cache"), resp.Header.Get("Content-Encoding"); c != "MISS" || ce != "" {
		t.Errorf("first request: X-Cache %q, Content-Encoding %q; want MISS and none", c, ce)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id")
	}
	first := resp.Header.Get("ETag")
	resp, gz := e.gzipped(t, public, path)
	if c := resp.Header.Get("X-Cache"); c != "HIT" || resp.Header.Get("ETag") != first {
		t.Errorf("gzipped: X-Cache %q, ETag %s; want HIT and %s", c, resp.Header.Get("ETag"), first)
	}
	if unzipped, err := gzip.NewReader(bytes.NewReader(gz)); err != nil {
		t.Error(err)
	} else if b, _ := io.ReadAll(unzipped); !bytes.Equal(b, raw) {
		t.Error("the gzipped tile is not the first response's MVT")
	}
	resp, body := e.get(t, public, "/tiles/reports/23/0/0.mvt")
	wantStatus(t, resp, body, http.StatusBadRequest)

	var logged []string
	for _, line := range strings.Split(e.logs.String(), "\n") {
		var l struct{ Route, Path string }
		if json.Unmarshal([]byte(line), &l) == nil && l.Route == "/tiles/{layer}/{z}/{x}/{y}.mvt" {
			logged = append(logged, l.Path)
		}
	}
	if want := []string{path, "/tiles/reports/23/0/0.mvt"}; !slices.Equal(logged, want) {
		t.Errorf("tile requests logged %q, want the miss and the error %q", logged, want)
	}
	resp, metrics := e.do(t, public, http.MethodGet, "/metrics", "", map[string]string{"Accept-Encoding": "identity"})
	wantStatus(t, resp, metrics, http.StatusOK)
	for _, want := range []string{
		`trygg_http_requests_total{method="GET",route="/tiles/{layer}/{z}/{x}/{y}.mvt",status="200"}`,
		`trygg_http_requests_total{method="GET",route="/tiles/{layer}/{z}/{x}/{y}.mvt",status="400"} 1`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}

	// A stale session cookie is ignored on the router's path too: the public's tile.
	resp, body = e.do(t, public, http.MethodGet, path, "", map[string]string{"Cookie": "trygg_session=stale", "Accept-Encoding": "gzip"})
	wantStatus(t, resp, body, http.StatusOK)
	// A bad bearer token is refused there, not served as public.
	resp, body = e.do(t, public, http.MethodGet, path, "", map[string]string{"Authorization": "Bearer nope"})
	wantStatus(t, resp, body, http.StatusUnauthorized)
}

func TestTileJSONAndStyle(t *testing.T) {
	e := newEnv(t)
	resp, body := e.get(t, public, "/tiles/all.json?category=vald")
	wantStatus(t, resp, body, http.StatusOK)
	var tj struct {
		TileJSON     string    `json:"tilejson"`
		Tiles        []string  `json:"tiles"`
		Bounds       []float64 `json:"bounds"`
		MinZoom      int       `json:"minzoom"`
		MaxZoom      int       `json:"maxzoom"`
		VectorLayers []struct {
			ID     string            `json:"id"`
			Fields map[string]string `json:"fields"`
		} `json:"vector_layers"`
	}
	if err := json.Unmarshal(body, &tj); err != nil {
		t.Fatal(err)
	}
	if tj.TileJSON != "3.0.0" || tj.MinZoom != 0 || tj.MaxZoom != 22 || len(tj.Tiles) != 1 ||
		tj.Tiles[0] != e.base+"/tiles/all/{z}/{x}/{y}.mvt?category=vald" {
		t.Errorf("TileJSON %+v", tj)
	}
	if len(tj.Bounds) != 4 || tj.Bounds[0] < 11 || tj.Bounds[2] > 16 || tj.Bounds[1] < 56 || tj.Bounds[3] > 59.5 {
		t.Errorf("bounds %v, want the demo municipalities'", tj.Bounds)
	}
	var names []string
	for _, l := range tj.VectorLayers {
		names = append(names, l.ID)
		if len(l.Fields) == 0 {
			t.Errorf("layer %s has no fields", l.ID)
		}
	}
	// The public's layers: those whose collection has a public source, in drawing order.
	var wantPublic []string
	for _, l := range postgis.TileLayers {
		if c := postgis.FeatureCollection(l); c != nil && c.Public != nil {
			wantPublic = append(wantPublic, l)
		}
	}
	if !slices.Equal(names, wantPublic) || !strings.HasPrefix(strings.Join(names, ","), "municipalities,reports,hexcells,hotspots") ||
		!slices.Contains(names, "cameras") {
		t.Errorf("public vector_layers %v, want %v", names, wantPublic)
	}

	resp, body = e.get(t, public, "/styles/trygg.json")
	wantStatus(t, resp, body, http.StatusOK)
	// It is on the first map's critical path: gzipped (env.do decodes it).
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") == "" {
		t.Errorf("the style was not sent gzipped (Content-Encoding %q, Vary %q)", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}
	var st struct {
		Version int `json:"version"`
		Sources map[string]struct {
			Type string `json:"type"`
			URL  string `json:"url"`
		} `json:"sources"`
		Layers []struct {
			ID          string `json:"id"`
			Type        string `json:"type"`
			SourceLayer string `json:"source-layer"`
		} `json:"layers"`
	}
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if st.Version != 8 || st.Sources["trygg"].URL != e.base+"/tiles/all.json" || st.Layers[0].Type != "background" {
		t.Errorf("style %+v", st)
	}
	drawn := map[string]bool{}
	for _, l := range st.Layers {
		drawn[l.SourceLayer] = true
	}
	for _, l := range []string{"municipalities", "reports", "walks", "hexcells", "hotspots"} {
		if !drawn[l] {
			t.Errorf("the style does not draw %s", l)
		}
	}
}

// TestGDAL reads a tile with GDAL's MVT driver, from a file named z/x/y.pbf, so the
// driver georeferences it. It never skips: make test installs gdal-bin.
func TestGDAL(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Fatalf("ogrinfo not found (install gdal-bin; scripts/test.sh does): %v", err)
	}
	e := newEnv(t)
	published, _ := e.seed(t, "1470", vara, 10)
	path, tl := tilePath("all", vara, 16, "")
	resp, body := e.do(t, public, http.MethodGet, path, "", map[string]string{"Accept-Encoding": "identity"})
	wantStatus(t, resp, body, http.StatusOK)
	file := filepath.Join(t.TempDir(), strconv.Itoa(int(tl.Z)), strconv.Itoa(int(tl.X)), strconv.Itoa(int(tl.Y))+".pbf")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, body, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ogrinfo", "-ro", "-al", "-so", file).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	s := string(out)
	if !strings.Contains(s, "Layer name: reports") || !strings.Contains(s, "Layer name: municipalities") ||
		!strings.Contains(s, "Feature Count: "+strconv.Itoa(len(published))) || !strings.Contains(s, "category: String") {
		t.Errorf("ogrinfo:\n%s", s)
	}
	// Georeferenced from the file's z/x/y: the extent is in EPSG:3857 metres near Vara.
	if !strings.Contains(s, "Extent: (14") {
		t.Errorf("ogrinfo extent not in EPSG:3857 metres near Vara:\n%s", s)
	}
}
