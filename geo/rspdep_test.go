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

// rHint says how to get the reference implementation; the comparison never skips.
const rHint = "run make test (it installs r-cran-spdep) or apt-get install r-cran-spdep"

// spdepLocalG runs geo/testdata/localg.R (R spdep's localG with binary fixed-distance
// weights, self included) on the points and returns its z-scores, p-values and the
// seconds R spent on neighbours, weights and the statistic, and on dnearneigh within that.
func spdepLocalG(tb testing.TB, x, y, v []float64, band float64) (z, p []float64, seconds, dnearneigh float64) {
	tb.Helper()
	rscript, err := exec.LookPath("Rscript")
	if err != nil {
		tb.Fatalf("Rscript not found: %s", rHint)
	}
	if out, err := exec.Command(rscript, "-e", "suppressPackageStartupMessages(library(spdep))").CombinedOutput(); err != nil {
		tb.Fatalf("R package spdep not available (%v: %s): %s", err, strings.TrimSpace(string(out)), rHint)
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
	cmd := exec.Command(rscript, filepath.Join("testdata", "localg.R"), in, out, ff(band))
	stdout, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		tb.Fatalf("Rscript localg.R: %v: %s", err, stderr)
	}
	if _, err := fmt.Sscanf(strings.TrimSpace(string(stdout)), "seconds %g %g", &seconds, &dnearneigh); err != nil {
		tb.Fatalf("localg.R printed %q, want \"seconds <s> <d>\"", stdout)
	}
	f, err := os.Open(out)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header z,p
	for sc.Scan() {
		zs, ps, ok := strings.Cut(sc.Text(), ",")
		zi, err1 := strconv.ParseFloat(zs, 64)
		pi, err2 := strconv.ParseFloat(ps, 64)
		if !ok || err1 != nil || err2 != nil {
			tb.Fatalf("localg.R output line %q", sc.Text())
		}
		z, p = append(z, zi), append(p, pi)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(z) != len(v) {
		tb.Fatalf("localg.R returned %d values for %d points", len(z), len(v))
	}
	return z, p, seconds, dnearneigh
}

// ff formats f so that R reads back the same float64.
func ff(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// poisson draws a Poisson(lambda) count (Knuth's method; lambda is small here).
func poisson(r *rand.Rand, lambda float64) float64 {
	l, k, p := math.Exp(-lambda), 0.0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// TestGiStarMatchesSpdep compares GiStar with R spdep on ~600 hexagon centres (200 m
// apart, band 1.5 × 200 m so each interior cell has 6 neighbours plus itself): counts raised
// in two blobs, and i.i.d. counts.
func TestGiStarMatchesSpdep(t *testing.T) {
	x, y := hexLattice(25, 24, 200)
	const band = 1.5 * 200
	r := rand.New(rand.NewPCG(2024, 1470))
	clustered, random := make([]float64, len(x)), make([]float64, len(x))
	blob := func(i int, cx, cy, sigma float64) float64 {
		dx, dy := x[i]-cx, y[i]-cy
		return math.Exp(-(dx*dx + dy*dy) / (2 * sigma * sigma))
	}
	for i := range x {
		lambda := 1 + 8*blob(i, 401000, 6401000, 400) + 5*blob(i, 404000, 6403000, 300)
		clustered[i] = poisson(r, lambda)
		random[i] = poisson(r, 2)
	}
	for _, tc := range []struct {
		name string
		v    []float64
	}{{"clustered", clustered}, {"random", random}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := GiStar(x, y, tc.v, band)
			if err != nil {
				t.Fatal(err)
			}
			zR, pR, _, _ := spdepLocalG(t, x, y, tc.v, band)
			var maxZ, maxP float64
			hot := 0
			for i, g := range got {
				dz, dp := math.Abs(g.Z-zR[i]), math.Abs(g.P-pR[i])
				maxZ, maxP = max(maxZ, dz), max(maxP, dp)
				if dz > 1e-6 || dp > 1e-6 {
					t.Errorf("point %d (%.1f, %.1f): z %v p %v, spdep z %v p %v", i, x[i], y[i], g.Z, g.P, zR[i], pR[i])
				}
				if GiClass(g.Z, g.P) == 3 {
					hot++
				}
			}
			t.Logf("%d points, max |Δz| %.3g, max |Δp| %.3g, %d hot spots at 99 %%", len(x), maxZ, maxP, hot)
			if tc.name == "clustered" && hot == 0 {
				t.Error("the clustered fixture has no 99 % hot spot")
			}
		})
	}
}
