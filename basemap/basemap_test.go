package basemap_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/basemap"
	"github.com/trygg-gis/trygg/basemap/basemaptest"
)

// server serves a (nil: none) with a problem writer that maps the domain's codes as
// the API server does.
func server(t *testing.T, a *basemap.Archive) *httptest.Server {
	t.Helper()
	r := mux.NewRouter()
	var srv *httptest.Server
	basemap.NewHandler(a, basemap.Hooks{
		Fail: func(w http.ResponseWriter, r *http.Request, err error) {
			status := map[string]int{trygg.EINVALID: 400, trygg.ENOTFOUND: 404}[trygg.ErrorCode(err)]
			if status == 0 {
				t.Errorf("%s: %v", r.URL, err)
				status = 500
			}
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]any{"status": status, "detail": trygg.ErrorMessage(err), "field": trygg.ErrorField(err)})
		},
		BaseURL: func(*http.Request) string { return srv.URL },
	}).Register(r)
	srv = httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	// No transparent decompression: the test sees what was sent.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestArchives(t *testing.T) {
	for _, kind := range []string{"pmtiles", "mbtiles"} {
		t.Run(kind, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vara."+kind)
			var tiles []basemaptest.Tile
			if kind == "pmtiles" {
				tiles = basemaptest.WritePMTiles(t, path)
			} else {
				tiles = basemaptest.WriteMBTiles(t, path)
			}
			a, err := basemap.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if a.Kind() != kind {
				t.Errorf("kind %q, want %q", a.Kind(), kind)
			}
			// Every tile comes back as stored.
			for _, tl := range tiles {
				b, err := a.Tile(context.Background(), tl.Z, tl.X, tl.Y)
				if err != nil || !bytes.Equal(b, tl.Data) {
					t.Fatalf("tile %d/%d/%d: %d bytes (%v), want %d", tl.Z, tl.X, tl.Y, len(b), err, len(tl.Data))
				}
			}
			// The road crosses the area at every zoom (each tile's own projected copy).
			roadZooms := map[int]bool{}
			for _, tl := range tiles {
				ls, err := mvt.UnmarshalGzipped(tl.Data)
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range ls {
					if l.Name == "roads" && len(l.Features) > 0 && l.Features[0].Properties["name"] == basemaptest.RoadName {
						roadZooms[tl.Z] = true
					}
				}
			}
			if len(roadZooms) != basemaptest.MaxZoom-basemaptest.MinZoom+1 {
				t.Errorf("the road is in tiles of zooms %v, want every zoom", roadZooms)
			}
			srv := server(t, a)
			tl := tiles[len(tiles)/2]
			url := srv.URL + "/basemap/" + itoa(tl.Z) + "/" + itoa(tl.X) + "/" + itoa(tl.Y) + ".mvt"

			resp, gz := get(t, url, "Accept-Encoding", "gzip, deflate")
			if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(gz, tl.Data) {
				t.Fatalf("gzip: %d %q, %d bytes, want 200 gzip and the stored %d bytes", resp.StatusCode, resp.Header.Get("Content-Encoding"), len(gz), len(tl.Data))
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=86400" {
				t.Errorf("Cache-Control %q", cc)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.mapbox-vector-tile" {
				t.Errorf("Content-Type %q", ct)
			}
			gzTag := resp.Header.Get("ETag")

			resp, raw := get(t, url)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(raw, gunzip(t, tl.Data)) {
				t.Fatalf("identity: %d %q, %d bytes, want 200 and the decompressed tile", resp.StatusCode, resp.Header.Get("Content-Encoding"), len(raw))
			}
			layers, err := mvt.Unmarshal(raw)
			if err != nil || len(layers) != 4 {
				t.Fatalf("decoded %d layers (%v), want 4", len(layers), err)
			}
			idTag := resp.Header.Get("ETag")
			if gzTag == "" || idTag == "" || gzTag == idTag {
				t.Errorf("ETags %q (gzip) and %q (identity): want two distinct", gzTag, idTag)
			}
			if resp, _ := get(t, url, "Accept-Encoding", "gzip", "If-None-Match", gzTag); resp.StatusCode != http.StatusNotModified {
				t.Errorf("If-None-Match with the gzip ETag: %d, want 304", resp.StatusCode)
			}
			if resp, _ := get(t, url, "If-None-Match", gzTag); resp.StatusCode != 200 {
				t.Errorf("identity request with the gzip ETag: %d, want 200", resp.StatusCode)
			}
			if resp, _ := get(t, url, "If-None-Match", idTag); resp.StatusCode != http.StatusNotModified {
				t.Errorf("If-None-Match with the identity ETag: %d, want 304", resp.StatusCode)
			}

			// A tile the archive lacks, inside and outside its zooms: empty 204.
			for _, u := range []string{"/basemap/14/0/0.mvt", "/basemap/3/1/1.mvt"} {
				if resp, b := get(t, srv.URL+u); resp.StatusCode != http.StatusNoContent || len(b) != 0 {
					t.Errorf("%s: %d with %d bytes, want an empty 204", u, resp.StatusCode, len(b))
				}
			}
			for _, c := range []struct{ path, field string }{{"/basemap/x/0/0.mvt", "z"}, {"/basemap/2/4/0.mvt", "x"},
				{"/basemap/2/0/-1.mvt", "y"}, {"/basemap/23/0/0.mvt", "z"}} {
				resp, b := get(t, srv.URL+c.path)
				var p struct{ Field string }
				json.Unmarshal(b, &p)
				if resp.StatusCode != 400 || p.Field != c.field || resp.Header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("%s: %d field %q, want 400 problem naming %q", c.path, resp.StatusCode, p.Field, c.field)
				}
			}

			resp, b := get(t, srv.URL+"/basemap.json")
			var tj struct {
				TileJSON     string           `json:"tilejson"`
				Tiles        []string         `json:"tiles"`
				VectorLayers []map[string]any `json:"vector_layers"`
				Bounds       []float64        `json:"bounds"`
				MinZoom      *int             `json:"minzoom"`
				MaxZoom      *int             `json:"maxzoom"`
				Attribution  string           `json:"attribution"`
			}
			if err := json.Unmarshal(b, &tj); err != nil || resp.StatusCode != 200 {
				t.Fatalf("TileJSON: %d %v: %s", resp.StatusCode, err, b)
			}
			if tj.TileJSON != "3.0.0" || len(tj.Tiles) != 1 || tj.Tiles[0] != srv.URL+"/basemap/{z}/{x}/{y}.mvt" {
				t.Errorf("tilejson %q tiles %q, want 3.0.0 and the server's own tile URL", tj.TileJSON, tj.Tiles)
			}
			if len(tj.VectorLayers) != len(basemaptest.VectorLayers) || tj.VectorLayers[2]["id"] != "roads" {
				t.Errorf("vector_layers %v, want earth, water, roads, places", tj.VectorLayers)
			}
			if tj.MinZoom == nil || *tj.MinZoom != basemaptest.MinZoom || tj.MaxZoom == nil || *tj.MaxZoom != basemaptest.MaxZoom {
				t.Errorf("zooms %v–%v, want %d–%d", tj.MinZoom, tj.MaxZoom, basemaptest.MinZoom, basemaptest.MaxZoom)
			}
			v := basemaptest.Vara
			if len(tj.Bounds) != 4 || tj.Bounds[0] > v.Min[0] || tj.Bounds[1] > v.Min[1] || tj.Bounds[2] < v.Max[0] || tj.Bounds[3] < v.Max[1] ||
				tj.Bounds[0] < v.Min[0]-0.4 || tj.Bounds[3] > v.Max[1]+0.4 {
				t.Errorf("bounds %v, want %v within a z10 tile", tj.Bounds, v)
			}
			if tj.Attribution != "© OpenStreetMap contributors" {
				t.Errorf("attribution %q", tj.Attribution)
			}
		})
	}
}

func TestNoBasemap(t *testing.T) {
	srv := server(t, nil)
	for _, u := range []string{"/basemap.json", "/basemap/10/549/297.mvt"} {
		resp, b := get(t, srv.URL+u)
		var p struct{ Detail string }
		json.Unmarshal(b, &p)
		if resp.StatusCode != 404 || !bytes.Contains([]byte(p.Detail), []byte("TRYGG_BASEMAP")) {
			t.Errorf("%s: %d %q, want 404 saying how to add a basemap", u, resp.StatusCode, p.Detail)
		}
	}
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"empty": "", "text": "not a tile archive at all, just text"} {
		p := filepath.Join(dir, name)
		writeFile(t, p, body)
		if a, err := basemap.Open(p); err == nil {
			a.Close()
			t.Errorf("%s: opened, want an error", name)
		}
	}
	if _, err := basemap.Open(filepath.Join(dir, "missing.pmtiles")); err == nil {
		t.Error("a missing file opened")
	}
}
