package geo

import "math"

// Walking routes for foot patrols: the order in which to visit a handful of stops from
// a start point, in SWEREF 99 TM metres. The route is an open path (start, then every
// stop once, no return to the start): a patrol ends its planned stops wherever the
// last one is and goes on with the rest of its shift. Walking distance is the straight
// line times a detour factor (streets are not straight; 1.3 is a common urban value),
// which scales every leg alike, so the order does not depend on it.

// Point2 is a point in a projected CRS (metres).
type Point2 struct{ X, Y float64 }

// DefaultDetour is the factor from straight-line to walking distance.
const DefaultDetour = 1.3

// MaxBruteForceStops is the most stops BruteForceOrder accepts (9! orders).
const MaxBruteForceStops = 9

func dist(a, b Point2) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }

// PathLength is the walking length of visiting stops in order from start: the sum of
// the straight legs times detour (values below 1 are taken as 1).
func PathLength(start Point2, stops []Point2, order []int, detour float64) float64 {
	if detour < 1 {
		detour = 1
	}
	d, at := 0.0, start
	for _, i := range order {
		d += dist(at, stops[i])
		at = stops[i]
	}
	return d * detour
}

// NearestNeighbourOrder visits the nearest unvisited stop from start, then from each
// stop, ties to the lower index.
func NearestNeighbourOrder(start Point2, stops []Point2) []int {
	order := make([]int, 0, len(stops))
	used := make([]bool, len(stops))
	at := start
	for range stops {
		best, bestD := -1, math.Inf(1)
		for i, p := range stops {
			if used[i] {
				continue
			}
			if d := dist(at, p); d < bestD {
				best, bestD = i, d
			}
		}
		used[best] = true
		order = append(order, best)
		at = stops[best]
	}
	return order
}

// TwoOpt improves an open path from start by reversing segments while any reversal
// shortens it (first improvement, until no move helps). The start stays first; the
// end is free, so reversing the tail is a move too. It never lengthens the path.
func TwoOpt(start Point2, stops []Point2, order []int) []int {
	n := len(order)
	out := append([]int(nil), order...)
	pt := func(k int) Point2 { // position k of the path: -1 is the start
		if k < 0 {
			return start
		}
		return stops[out[k]]
	}
	const eps = 1e-9
	for improved := true; improved; {
		improved = false
		for i := 0; i < n-1; i++ {
			for j := i + 1; j < n; j++ {
				// Reverse out[i..j]: edges (i-1, i) and (j, j+1) become (i-1, j) and (i, j+1).
				before := dist(pt(i-1), pt(i))
				after := dist(pt(i-1), pt(j))
				if j+1 < n {
					before += dist(pt(j), pt(j+1))
					after += dist(pt(i), pt(j+1))
				}
				if after < before-eps {
					for a, b := i, j; a < b; a, b = a+1, b-1 {
						out[a], out[b] = out[b], out[a]
					}
					improved = true
				}
			}
		}
	}
	return out
}

// WalkingOrder orders stops as a walking route from start: nearest neighbour, then
// 2-opt and Or-opt in turn until neither shortens the path; the same again from every
// other first stop, keeping the shortest. It returns the order (indexes into stops) and the walking length in metres
// (straight legs times detour; detour below 1, including 0, is DefaultDetour).
func WalkingOrder(start Point2, stops []Point2, detour float64) (order []int, metres float64) {
	if detour < 1 {
		detour = DefaultDetour
	}
	if len(stops) == 0 {
		return []int{}, 0
	}
	// Local search from nearest neighbour's order, then from each other first stop
	// (nearest neighbour after it): the best wins, so the result is never longer than
	// nearest neighbour's. A patrol plan has at most eight stops: n starts are cheap.
	improve := func(o []int) ([]int, float64) {
		d := PathLength(start, stops, o, 1)
		for {
			o = OrOpt(start, stops, TwoOpt(start, stops, o))
			nd := PathLength(start, stops, o, 1)
			if nd >= d-1e-9 {
				return o, nd
			}
			d = nd
		}
	}
	nn := NearestNeighbourOrder(start, stops)
	order, best := improve(nn)
	for f := range stops {
		if f == nn[0] {
			continue
		}
		rest := make([]Point2, 0, len(stops)-1)
		idx := make([]int, 0, len(stops)-1)
		for i, p := range stops {
			if i != f {
				rest, idx = append(rest, p), append(idx, i)
			}
		}
		o := []int{f}
		for _, k := range NearestNeighbourOrder(stops[f], rest) {
			o = append(o, idx[k])
		}
		if o, d := improve(o); d < best-1e-9 {
			order, best = o, d
		}
	}
	return order, best * detour
}

// OrOpt improves an open path from start by moving a run of one to three consecutive
// stops, as it is or reversed, to another place in the path while that shortens it
// (the moves 2-opt cannot make in one step). It never lengthens the path.
func OrOpt(start Point2, stops []Point2, order []int) []int {
	out := append([]int(nil), order...)
	n := len(out)
	best := PathLength(start, stops, out, 1)
	cand := make([]int, 0, n)
	for improved := true; improved; {
		improved = false
		for l := 1; l <= 3 && l < n; l++ {
			for i := 0; i+l <= n; i++ {
				seg := append([]int(nil), out[i:i+l]...)
				rest := append(append([]int(nil), out[:i]...), out[i+l:]...)
				for k := 0; k <= len(rest); k++ {
					if k == i {
						continue
					}
					for _, rev := range []bool{false, true} {
						if rev && l == 1 {
							continue
						}
						s := seg
						if rev {
							s = make([]int, l)
							for a := range seg {
								s[a] = seg[l-1-a]
							}
						}
						cand = append(append(append(cand[:0], rest[:k]...), s...), rest[k:]...)
						if d := PathLength(start, stops, cand, 1); d < best-1e-9 {
							copy(out, cand)
							best, improved = d, true
							seg = append(seg[:0], out[i:min(i+l, n)]...)
							rest = append(append(rest[:0], out[:i]...), out[min(i+l, n):]...)
						}
					}
				}
			}
		}
	}
	return out
}

// BruteForceOrder tries every order of up to MaxBruteForceStops stops and returns the
// shortest open path from start (for tests of WalkingOrder); more stops return nil.
func BruteForceOrder(start Point2, stops []Point2, detour float64) (order []int, metres float64) {
	if detour < 1 {
		detour = DefaultDetour
	}
	n := len(stops)
	if n > MaxBruteForceStops {
		return nil, math.NaN()
	}
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	best, bestD := append([]int(nil), perm...), PathLength(start, stops, perm, 1)
	// Heap's algorithm, iteratively.
	c := make([]int, n)
	for i := 0; i < n; {
		if c[i] < i {
			if i%2 == 0 {
				perm[0], perm[i] = perm[i], perm[0]
			} else {
				perm[c[i]], perm[i] = perm[i], perm[c[i]]
			}
			if d := PathLength(start, stops, perm, 1); d < bestD {
				bestD = d
				copy(best, perm)
			}
			c[i]++
			i = 0
		} else {
			c[i] = 0
			i++
		}
	}
	return best, bestD * detour
}
