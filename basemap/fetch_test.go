package basemap_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/trygg-gis/trygg/basemap"
	"github.com/trygg-gis/trygg/basemap/basemaptest"
	"github.com/trygg-gis/trygg/demo"
)

// vetlanda is an area far from Vara that the source archive also covers.
var vetlanda = orb.Bound{Min: orb.Point{15.05, 57.40}, Max: orb.Point{15.10, 57.45}}

// rangeServer serves the file at path with range support (http.ServeContent) and
// counts the range requests.
func rangeServer(t *testing.T, path string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var ranges atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/planet.pmtiles" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Range") != "" {
			ranges.Add(1)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		st, _ := f.Stat()
		http.ServeContent(w, r, "planet.pmtiles", st.ModTime(), f)
	}))
	t.Cleanup(srv.Close)
	return srv, &ranges
}

func TestFetch(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "planet.pmtiles")
	all := basemaptest.Tiles(t, basemaptest.Vara, vetlanda)
	basemaptest.WritePMTilesOf(t, src, all)
	srv, ranges := rangeServer(t, src)

	bbox, err := basemap.MunicipalityBounds(demo.Boundaries, []string{"1470"}) // Vara
	if err != nil {
		t.Fatal(err)
	}
	if !bbox.Contains(basemaptest.Vara.Center()) || bbox.Contains(vetlanda.Center()) {
		t.Fatalf("Vara's bounds %v", bbox)
	}
	out := filepath.Join(dir, "vara.pmtiles")
	var progress strings.Builder
	if err := basemap.Fetch(context.Background(), srv.URL+"/planet.pmtiles", bbox, 13, out, &progress); err != nil {
		t.Fatal(err)
	}
	if ranges.Load() < 3 {
		t.Errorf("%d range requests, want the header, the directory and tiles each in their own", ranges.Load())
	}
	if !strings.Contains(progress.String(), "fetching") {
		t.Errorf("progress %q, want the extract's progress", progress.String())
	}
	a, err := basemap.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if m := a.Metadata(); m.MaxZoom != 13 || m.MinZoom != basemaptest.MinZoom || len(m.VectorLayers) != len(basemaptest.VectorLayers) {
		t.Errorf("metadata %+v, want zooms %d–13 and the source's vector layers", m, basemaptest.MinZoom)
	}
	in, outside := 0, 0
	for _, tl := range all {
		b, err := a.Tile(context.Background(), tl.Z, tl.X, tl.Y)
		if err != nil {
			t.Fatal(err)
		}
		tb := maptile.New(uint32(tl.X), uint32(tl.Y), maptile.Zoom(tl.Z)).Bound()
		switch {
		case tb.Intersects(vetlanda):
			if b != nil {
				t.Errorf("tile %d/%d/%d over Vetlanda is in Vara's extract", tl.Z, tl.X, tl.Y)
			}
			outside++
		case tl.Z <= 13 && tb.Intersects(basemaptest.Vara):
			if string(b) != string(tl.Data) {
				t.Errorf("tile %d/%d/%d over Vara: %d bytes, want %d", tl.Z, tl.X, tl.Y, len(b), len(tl.Data))
			}
			in++
		case tl.Z == 14 && b != nil:
			t.Errorf("tile %d/%d/%d beyond --maxzoom 13 is in the extract", tl.Z, tl.X, tl.Y)
		}
	}
	if in == 0 || outside == 0 {
		t.Fatalf("%d tiles in, %d outside: the test checks nothing", in, outside)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*part"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestFetchFails(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "planet.pmtiles")
	basemaptest.WritePMTiles(t, src)
	srv, _ := rangeServer(t, src)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close() // nothing listens there any more
	for _, c := range []struct{ name, url, want string }{
		{"unreachable", deadURL + "/planet.pmtiles", "connection refused"},
		{"missing", srv.URL + "/20260101.pmtiles", "not found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, c.name+".pmtiles")
			err := basemap.Fetch(context.Background(), c.url, basemaptest.Vara, 14, out, &strings.Builder{})
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v, want one line saying %q", err, c.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s exists after a failed fetch", out)
			}
			left, _ := filepath.Glob(filepath.Join(dir, ".*part"))
			if len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}
