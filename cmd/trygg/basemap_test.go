package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg/basemap"
	"github.com/trygg-gis/trygg/basemap/basemaptest"
)

func TestBasemapFetchCommand(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "planet.pmtiles")
	mariestad := orb.Bound{Min: orb.Point{13.80, 58.68}, Max: orb.Point{13.85, 58.72}} // 1493
	all := basemaptest.Tiles(t, basemaptest.Vara, mariestad)
	basemaptest.WritePMTilesOf(t, src, all)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, src) // answers range requests
	}))
	defer hs.Close()

	out := filepath.Join(dir, "vara.pmtiles")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"trygg", "basemap", "fetch", "--municipality", "1470", "--out", out, "--maxzoom", "14"},
		envOf(map[string]string{"TRYGG_BASEMAP_URL": hs.URL + "/planet.pmtiles"}), &stdout, &stderr)
	if err != nil {
		t.Fatalf("fetch: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "fetching") || !strings.Contains(stdout.String(), "TRYGG_BASEMAP="+out) {
		t.Errorf("stdout %q, stderr %q: want progress and how to serve it", stdout.String(), stderr.String())
	}
	a, err := basemap.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var in, outside int
	for _, tl := range all {
		b, err := a.Tile(context.Background(), tl.Z, tl.X, tl.Y)
		if err != nil {
			t.Fatal(err)
		}
		if b != nil {
			in++
		} else {
			outside++
		}
	}
	// Vara's and Mariestad's areas share no tile at these zooms but the coarsest.
	if in == 0 || outside == 0 {
		t.Errorf("%d tiles extracted, %d not: want Vara's and not Mariestad's", in, outside)
	}

	// Unreachable: one line, non-zero exit (an error from run), no file.
	hs.Close()
	bad := filepath.Join(dir, "bad.pmtiles")
	stderr.Reset()
	err = run(context.Background(), []string{"trygg", "basemap", "fetch", "--municipality", "1470", "--out", bad, "--url", hs.URL + "/planet.pmtiles"},
		envOf(map[string]string{}), &stdout, &stderr)
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "basemap fetch") {
		t.Errorf("unreachable: %v, want one line", err)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("%s exists after a failed fetch", bad)
	}
	if err := run(context.Background(), []string{"trygg", "basemap", "fetch", "--municipality", "9999", "--out", bad},
		envOf(map[string]string{}), &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "9999") {
		t.Errorf("unknown municipality: %v", err)
	}
}
