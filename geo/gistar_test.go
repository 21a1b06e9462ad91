package geo

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestGiStarSmall checks a five-point line by hand: n = 5, x̄ = 4, S = √10; the first
// point's neighbours at band 100 are itself and the point exactly 100 m away (the bound
// is inclusive), so W = 2, Σ w x = 3 and Gi* = (3 − 8)/(√10 · √((10 − 4)/4)) = −1.2910.
// The expected values are R spdep 1.2-7's localG on the same input.
func TestGiStarSmall(t *testing.T) {
	x := []float64{0, 100, 200, 300, 400}
	y := make([]float64, 5)
	v := []float64{1, 2, 3, 4, 10}
	want := []float64{-1.2909944487358056, -1.5491933384829668, -0.7745966692414834, 1.2909944487358056, 1.5491933384829668}
	wantN := []int{2, 3, 3, 3, 2}
	got, err := GiStar(x, y, v, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range got {
		if math.Abs(g.Z-want[i]) > 1e-12 || g.Neighbours != wantN[i] {
			t.Errorf("point %d: got Z %v with %d neighbours, want %v with %d", i, g.Z, g.Neighbours, want[i], wantN[i])
		}
		if math.Abs(g.P-NormalP(want[i])) > 1e-12 {
			t.Errorf("point %d: got P %v, want %v", i, g.P, NormalP(want[i]))
		}
	}
}

func TestGiStarErrors(t *testing.T) {
	three := []float64{0, 1, 2}
	cases := []struct {
		name    string
		x, y, v []float64
		band    float64
		want    string
	}{
		{"lengths differ", three, three[:2], three, 1, "as many"},
		{"too few", three[:2], three[:2], three[:2], 1, "at least 3"},
		{"zero band", three, three, three, 0, "band"},
		{"negative band", three, three, three, -5, "band"},
		{"NaN band", three, three, three, math.NaN(), "band"},
		{"infinite band", three, three, three, math.Inf(1), "band"},
		{"NaN coordinate", []float64{0, math.NaN(), 2}, three, three, 1, "finite"},
		{"infinite value", three, three, []float64{0, math.Inf(-1), 2}, 1, "finite"},
		{"equal values", three, three, []float64{4, 4, 4}, 1, "not all equal"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := GiStar(tc.x, tc.y, tc.v, tc.band)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// bruteGiStar is the O(n²) definition, to check the grid hash against.
func bruteGiStar(x, y, v []float64, band float64) []Gi {
	n := len(v)
	var mean float64
	for _, f := range v {
		mean += f
	}
	mean /= float64(n)
	var ss float64
	for _, f := range v {
		ss += (f - mean) * (f - mean)
	}
	s := math.Sqrt(ss / float64(n))
	out := make([]Gi, n)
	for i := range n {
		var lag, w float64
		for j := range n {
			if math.Hypot(x[j]-x[i], y[j]-y[i]) <= band {
				lag += v[j]
				w++
			}
		}
		vr := (float64(n)*w - w*w) / float64(n-1)
		if vr <= 0 {
			out[i] = Gi{0, 1, int(w)}
			continue
		}
		z := (lag - mean*w) / (s * math.Sqrt(vr))
		out[i] = Gi{z, NormalP(z), int(w)}
	}
	return out
}

func TestGiStarMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name   string
		n      int
		extent float64
		band   float64
	}{
		{"dense", 2000, 5000, 300},
		{"sparse, large extent", 500, 1e7, 50}, // the grid has to grow its cells
		{"band covers all", 50, 100, 1000},     // every neighbourhood is everything
		{"duplicates", 300, 200, 30},           // coincident points count separately
		{"thin line", 400, 10000, 250},         // all points on one row of cells
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x, y, v := make([]float64, tc.n), make([]float64, tc.n), make([]float64, tc.n)
			for i := range tc.n {
				x[i] = 500000 + r.Float64()*tc.extent
				y[i] = 6400000 + r.Float64()*tc.extent
				switch tc.name {
				case "duplicates":
					x[i], y[i] = math.Round(x[i]/20)*20, math.Round(y[i]/20)*20
				case "thin line":
					y[i] = 6400000
				}
				v[i] = float64(r.IntN(10))
			}
			got, err := GiStar(x, y, v, tc.band)
			if err != nil {
				t.Fatal(err)
			}
			want := bruteGiStar(x, y, v, tc.band)
			for i := range want {
				if got[i].Neighbours != want[i].Neighbours || math.Abs(got[i].Z-want[i].Z) > 1e-9 {
					t.Fatalf("point %d: got %+v, want %+v", i, got[i], want[i])
				}
			}
		})
	}
}

// TestGiStarFast checks the O(n·k) promise loosely: 30,000 points with about 7
// neighbours each (a 200 m hexagon lattice, band 300 m) well under a second even with the
// race detector.
func TestGiStarFast(t *testing.T) {
	x, y := hexLattice(173, 174, 200)
	x, y = x[:30000], y[:30000]
	v := make([]float64, len(x))
	r := rand.New(rand.NewPCG(3, 4))
	for i := range v {
		v[i] = float64(r.IntN(5))
	}
	start := time.Now()
	got, err := GiStar(x, y, v, 300)
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	if k := got[len(got)/2].Neighbours; k != 7 {
		t.Errorf("interior point has %d neighbours, want 7", k)
	}
	t.Logf("GiStar on %d points: %v", len(x), el)
	if el > 2*time.Second {
		t.Errorf("GiStar took %v on %d points", el, len(x))
	}
}

func TestNormalP(t *testing.T) {
	cases := []struct{ z, want float64 }{
		{0, 1},
		{1.6448536269514722, 0.10},
		{-1.959963984540054, 0.05},
		{2.5758293035489004, 0.01},
	}
	for _, tc := range cases {
		if got := NormalP(tc.z); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("NormalP(%v) = %v, want %v", tc.z, got, tc.want)
		}
	}
}

// hexLattice returns the centres of a pointy-top hexagon lattice with cols × rows cells
// and centre spacing d metres, rows d·√3/2 apart and odd rows shifted by d/2, starting at
// SWEREF 99 TM (400 000, 6 400 000).
func hexLattice(cols, rows int, d float64) (x, y []float64) {
	h := d * math.Sqrt(3) / 2
	for r := range rows {
		for c := range cols {
			off := 0.0
			if r%2 == 1 {
				off = d / 2
			}
			x = append(x, 400000+float64(c)*d+off)
			y = append(y, 6400000+float64(r)*h)
		}
	}
	return x, y
}
