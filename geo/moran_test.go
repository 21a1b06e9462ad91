package geo

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// spdepMoran runs geo/testdata/moran.R (R spdep's moran.test with binary fixed-distance
// weights) at each band and returns one row per band: I, E, Var, Z, P.
func spdepMoran(tb testing.TB, x, y, v []float64, bands []float64) [][5]float64 {
	tb.Helper()
	rscript, err := exec.LookPath("Rscript")
	if err != nil {
		tb.Fatalf("Rscript not found: %s", rHint)
	}
	dir := tb.TempDir()
	in, out := filepath.Join(dir, "in.csv"), filepath.Join(dir, "out.csv")
	var b strings.Builder
	b.WriteString("x,y,v\n")
	for i := range v {
		fmt.Fprintf(&b, "%s,%s,%s\n", ff(x[i]), ff(y[i]), ff(v[i]))
	}
	if err := os.WriteFile(in, []byte(b.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	args := []string{filepath.Join("testdata", "moran.R"), in, out}
	for _, band := range bands {
		args = append(args, ff(band))
	}
	if o, err := exec.Command(rscript, args...).CombinedOutput(); err != nil {
		tb.Fatalf("Rscript moran.R: %v: %s (%s)", err, o, rHint)
	}
	f, err := os.Open(out)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var rows [][5]float64
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		parts := strings.Split(sc.Text(), ",")
		if len(parts) != 6 {
			tb.Fatalf("moran.R output line %q", sc.Text())
		}
		var row [5]float64
		for k := range row {
			if row[k], err = strconv.ParseFloat(parts[k+1], 64); err != nil {
				tb.Fatalf("moran.R output line %q: %v", sc.Text(), err)
			}
		}
		rows = append(rows, row)
	}
	if len(rows) != len(bands) {
		tb.Fatalf("moran.R returned %d rows for %d bands", len(rows), len(bands))
	}
	return rows
}

// TestMoranMatchesSpdep compares IncrementalMoran (and MoranI) with R spdep's
// moran.test on ~600 hexagon centres 200 m apart at bands from 1 to 6 cells: counts in
// two blobs (positive autocorrelation), i.i.d. counts, and a lattice with a gap so
// that some points have no neighbours at the smallest band (n adjusted as spdep does).
func TestMoranMatchesSpdep(t *testing.T) {
	x, y := hexLattice(25, 24, 200)
	r := rand.New(rand.NewPCG(2025, 1493))
	clustered, random := make([]float64, len(x)), make([]float64, len(x))
	blob := func(i int, cx, cy, sigma float64) float64 {
		dx, dy := x[i]-cx, y[i]-cy
		return math.Exp(-(dx*dx + dy*dy) / (2 * sigma * sigma))
	}
	for i := range x {
		clustered[i] = poisson(r, 0.3+6*blob(i, 401000, 6401000, 500)+4*blob(i, 404000, 6403000, 300))
		random[i] = poisson(r, 0.5)
	}
	// Some isolated points: far from the lattice and from each other.
	gx, gy, gv := append([]float64{}, x...), append([]float64{}, y...), append([]float64{}, random...)
	for k := range 5 {
		gx, gy, gv = append(gx, 300000+float64(k)*5000), append(gy, 6300000), append(gv, float64(k%2))
	}
	bands := []float64{200, 300, 400, 500, 600, 800, 1000, 1200}
	for _, tc := range []struct {
		name    string
		x, y, v []float64
	}{{"clustered", x, y, clustered}, {"random", x, y, random}, {"isolated", gx, gy, gv}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := IncrementalMoran(tc.x, tc.y, tc.v, bands)
			if err != nil {
				t.Fatal(err)
			}
			want := spdepMoran(t, tc.x, tc.y, tc.v, bands)
			for k, m := range got {
				w := want[k]
				for f, pair := range [][2]float64{{m.I, w[0]}, {m.E, w[1]}, {m.Var, w[2]}, {m.Z, w[3]}, {m.P, w[4]}} {
					if d := math.Abs(pair[0] - pair[1]); !(d <= 1e-9*max(1, math.Abs(pair[1]))) {
						t.Errorf("band %v %s: trygg %.17g, spdep %.17g", bands[k], []string{"I", "E", "Var", "Z", "P"}[f], pair[0], pair[1])
					}
				}
				one, err := MoranI(tc.x, tc.y, tc.v, bands[k])
				if err != nil || math.Abs(one.Z-m.Z) > 1e-9 || one.Neighbours != m.Neighbours {
					t.Errorf("band %v: MoranI %+v (%v), IncrementalMoran %+v", bands[k], one, err, m)
				}
			}
			t.Logf("%d points, z by band: %.3f", len(tc.x), zs(got))
			if tc.name == "clustered" && !(got[0].Z > 5) {
				t.Errorf("the clustered fixture has Moran z %v at one cell, want strong positive autocorrelation", got[0].Z)
			}
		})
	}
}

func zs(ms []Moran) []float64 {
	out := make([]float64, len(ms))
	for k, m := range ms {
		out[k] = m.Z
	}
	return out
}

func TestMoranErrors(t *testing.T) {
	x, y := hexLattice(4, 4, 200)
	v := make([]float64, len(x))
	if _, err := MoranI(x, y, v, 300); err == nil {
		t.Error("equal values: want an error")
	}
	v[3] = 1
	for _, bands := range [][]float64{nil, {0}, {300, 200}, {math.Inf(1)}} {
		if _, err := IncrementalMoran(x, y, v, bands); err == nil {
			t.Errorf("bands %v: want an error", bands)
		}
	}
	if _, err := MoranI(x[:3], y[:3], v[:3], 300); err == nil {
		t.Error("3 points: want an error")
	}
}

func TestFirstPeak(t *testing.T) {
	m := func(z ...float64) []Moran {
		out := make([]Moran, len(z))
		for k := range z {
			out[k].Z = z[k]
		}
		return out
	}
	for _, tc := range []struct {
		name string
		z    []float64
		want int
	}{
		{"rise and fall", []float64{3, 4, 5, 4.5, 6}, 2},
		{"falls from the start", []float64{8, 6, 5}, 0},
		{"plateau then fall", []float64{3, 5, 5, 4}, 1},
		{"plateau then rise", []float64{5, 5, 6, 4}, 2},
		{"rises to the end", []float64{1, 2, 3}, -1},
		{"not significant", []float64{0.5, 1.2, 0.3}, -1},
		{"NaN", []float64{math.NaN(), 3, 2}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FirstPeak(m(tc.z...), 1.96); got != tc.want {
				t.Errorf("FirstPeak(%v) = %d, want %d", tc.z, got, tc.want)
			}
		})
	}
}
