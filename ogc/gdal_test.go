package ogc_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// bigNumber is a coordinate in metres (five digits before any decimal point).
var bigNumber = regexp.MustCompile(`(^|[^.0-9])[0-9]{5,}`)

// TestGDAL reads every public collection with GDAL's OGC API – Features driver (what
// QGIS uses), completely, in CRS84 and in EPSG:3006. GDAL 3.6 has no CRS open option:
// query parameters of the connection URL are passed on to every request, so the
// EPSG:3006 read asks for crs there. It never skips: make test installs gdal-bin.
func TestGDAL(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Fatalf("ogrinfo not found (install gdal-bin; scripts/test.sh does): %v", err)
	}
	e := newEnv(t)
	e.seed(t, 120) // more than one GDAL page
	root := "OAPIF:" + e.srv.URL + "/ogc"
	out, err := exec.Command("ogrinfo", "-ro", "-al", "-so", root).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	want := map[string]int{"municipalities": 5, "reports": 120}
	for id := range want {
		if !strings.Contains(string(out), "Layer name: "+id) {
			t.Errorf("ogrinfo lists no %s:\n%s", id, out)
		}
	}
	if strings.Contains(string(out), "walks") {
		t.Errorf("ogrinfo lists a staff collection to the public:\n%s", out)
	}
	dir := t.TempDir()
	for id, n := range want {
		for _, crs := range []string{"", "http://www.opengis.net/def/crs/EPSG/0/3006"} {
			src := root
			if crs != "" {
				src += "?crs=" + crs
			}
			dst := filepath.Join(dir, id+".geojson")
			os.Remove(dst)
			out, err := exec.Command("ogr2ogr", "-f", "GeoJSON", dst, src, id).CombinedOutput()
			if err != nil {
				t.Fatalf("ogr2ogr %s %s: %v\n%s", id, crs, err, out)
			}
			b, err := os.ReadFile(dst)
			if err != nil {
				t.Fatal(err)
			}
			var fc struct {
				Features []struct {
					Geometry struct {
						Type        string
						Coordinates json.RawMessage
					}
				}
			}
			if err := json.Unmarshal(b, &fc); err != nil {
				t.Fatal(err)
			}
			if len(fc.Features) != n {
				t.Errorf("%s %s: GDAL read %d features, want %d", id, crs, len(fc.Features), n)
			}
			for _, f := range fc.Features {
				c := string(f.Geometry.Coordinates)
				metres := bigNumber.MatchString(c)
				if f.Geometry.Type == "" || metres != (crs != "") {
					t.Fatalf("%s %s: geometry %s %.80s", id, crs, f.Geometry.Type, c)
				}
			}
		}
	}
}
