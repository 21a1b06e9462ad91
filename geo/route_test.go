package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomStops is a fixture: start and n stops in a town-sized square (4 km) of
// SWEREF 99 TM around Vara, or clustered in a few blocks when clustered.
func randomStops(r *rand.Rand, n int, clustered bool) (Point2, []Point2) {
	base := Point2{X: 380000, Y: 6463000}
	at := func(s float64) Point2 { return Point2{X: base.X + r.Float64()*s, Y: base.Y + r.Float64()*s} }
	start := at(4000)
	stops := make([]Point2, n)
	for i := range stops {
		if clustered {
			c := Point2{X: base.X + float64(r.IntN(3))*1500, Y: base.Y + float64(r.IntN(3))*1500}
			stops[i] = Point2{X: c.X + r.NormFloat64()*150, Y: c.Y + r.NormFloat64()*150}
		} else {
			stops[i] = at(4000)
		}
	}
	return start, stops
}

func isPermutation(order []int, n int) bool {
	s := slices.Clone(order)
	slices.Sort(s)
	for i, v := range s {
		if v != i {
			return false
		}
	}
	return len(s) == n
}

// TestWalkingOrderQuality: 2-opt is never longer than nearest neighbour (on random
// fixtures of 1–12 stops), and for up to 8 stops within 5 % of the brute-force
// optimum; it reports how often it is the optimum and its worst ratio.
func TestWalkingOrderQuality(t *testing.T) {
	r := rand.New(rand.NewPCG(1470, 2026))
	worst, equal, total := 1.0, 0, 0
	var sumRatio float64
	for trial := range 1800 {
		n := 1 + trial%12
		start, stops := randomStops(r, n, trial%3 == 0)
		nn := NearestNeighbourOrder(start, stops)
		order, m := WalkingOrder(start, stops, 1.3)
		if !isPermutation(order, n) {
			t.Fatalf("trial %d: order %v is not a permutation of %d stops", trial, order, n)
		}
		if got := PathLength(start, stops, order, 1.3); math.Abs(got-m) > 1e-6 {
			t.Fatalf("trial %d: WalkingOrder says %v m, its order is %v m", trial, m, got)
		}
		if nnM := PathLength(start, stops, nn, 1.3); m > nnM+1e-6 {
			t.Errorf("trial %d (%d stops): 2-opt %.1f m is longer than nearest neighbour %.1f m", trial, n, m, nnM)
		}
		if n > 8 {
			continue
		}
		bo, bm := BruteForceOrder(start, stops, 1.3)
		if !isPermutation(bo, n) {
			t.Fatalf("brute force order %v", bo)
		}
		ratio := 1.0
		if bm > 0 {
			ratio = m / bm
		}
		if ratio < 1-1e-9 {
			t.Fatalf("trial %d: 2-opt %.3f m beats brute force %.3f m", trial, m, bm)
		}
		if ratio > 1.05 {
			t.Errorf("trial %d (%d stops): 2-opt %.1f m is %.1f %% over the optimum %.1f m", trial, n, m, (ratio-1)*100, bm)
		}
		worst = max(worst, ratio)
		sumRatio += ratio
		total++
		if ratio < 1+1e-9 {
			equal++
		}
	}
	t.Logf("≤ 8 stops: %d fixtures, optimum found in %d (%.1f %%), mean ratio %.4f, worst %.4f",
		total, equal, 100*float64(equal)/float64(total), sumRatio/float64(total), worst)
}

func TestWalkingOrderSmall(t *testing.T) {
	start := Point2{0, 0}
	if o, m := WalkingOrder(start, nil, 1.3); len(o) != 0 || m != 0 {
		t.Fatalf("no stops: %v %v", o, m)
	}
	// On a line, stops out of order: the walk goes out along the line.
	stops := []Point2{{300, 0}, {100, 0}, {200, 0}}
	o, m := WalkingOrder(start, stops, 1)
	if !slices.Equal(o, []int{1, 2, 0}) || m != 300 {
		t.Fatalf("line: %v %v", o, m)
	}
	// The detour scales the length, not the order; 0 is the default.
	if o2, m2 := WalkingOrder(start, stops, 0); !slices.Equal(o2, o) || math.Abs(m2-300*DefaultDetour) > 1e-9 {
		t.Fatalf("default detour: %v %v", o2, m2)
	}
	// A case where nearest neighbour is poor: start between a near stop on one side
	// and a row of stops on the other. NN goes to the near one first and then walks
	// back; 2-opt keeps whatever is shortest.
	stops = []Point2{{-10, 0}, {20, 0}, {40, 0}, {60, 0}, {-200, 0}}
	o, m = WalkingOrder(start, stops, 1)
	_, bm := BruteForceOrder(start, stops, 1)
	if m > bm*1.05 {
		t.Fatalf("%v %v > optimum %v", o, m, bm)
	}
}

func TestBruteForceOrderLimit(t *testing.T) {
	if o, _ := BruteForceOrder(Point2{}, make([]Point2, MaxBruteForceStops+1), 1); o != nil {
		t.Fatal("brute force of 10 stops")
	}
}
