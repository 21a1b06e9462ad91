package geo

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Gi is one point's Getis-Ord Gi* result.
type Gi struct {
	Z, P       float64 // z-score and its two-sided p-value
	Neighbours int     // points j with w_ij = 1, the point itself included
}

// GiStar computes Getis-Ord Gi* (Ord & Getis 1995) for values v at points (x[i], y[i]) in metres
// with binary fixed-distance weights: w_ij = 1 when the Euclidean distance between i and j is at most
// band (self included, w_ii = 1). It returns one Gi per point, z-score and two-sided p-value.
//
// The result equals R spdep's
// localG(v, nb2listw(include.self(dnearneigh(xy, 0, band)), style = "B")): the band's upper
// bound is inclusive like dnearneigh's default bounds = c("GE", "LE"), and with n points,
// mean x̄, S² = Σ(x − x̄)²/n and W_i = Σ_j w_ij,
//
//	Gi* = (Σ_j w_ij x_j − x̄ W_i) / (S √((n W_i − W_i²)/(n − 1))).
//
// A point whose neighbourhood holds every point has no variance (n W_i = W_i²); its Z is
// 0 and its P 1, where spdep divides by zero. Neighbours are found with a uniform grid hash
// whose cells are band wide, so the work is O(n·k) for k neighbours per point.
func GiStar(x, y, v []float64, band float64) ([]Gi, error) {
	n := len(v)
	if len(x) != n || len(y) != n {
		return nil, fmt.Errorf("geo: GiStar needs as many x (%d) and y (%d) as values (%d)", len(x), len(y), n)
	}
	if n < 3 {
		return nil, fmt.Errorf("geo: GiStar needs at least 3 points, got %d", n)
	}
	if !(band > 0) || math.IsInf(band, 0) {
		return nil, fmt.Errorf("geo: GiStar band must be a positive finite distance, got %v", band)
	}
	for i := range n {
		if !isFinite(x[i]) || !isFinite(y[i]) {
			return nil, fmt.Errorf("geo: GiStar point %d: %w", i, ErrNotFinite)
		}
		if !isFinite(v[i]) {
			return nil, fmt.Errorf("geo: GiStar value %d is not a finite number", i)
		}
	}

	// Two-pass mean and variance, as spdep: mean(x), then sum(scale(x, scale = FALSE)^2)/n.
	mean := compensatedSum(v) / float64(n)
	var ss, c float64
	for _, vi := range v {
		d := vi - mean
		ss, c = twoSum(ss, c, d*d)
	}
	s := math.Sqrt((ss + c) / float64(n))
	if s == 0 || math.IsNaN(s) {
		return nil, errors.New("geo: GiStar needs values that are not all equal")
	}

	g := newGridHash(x, y, band)
	band2 := band * band
	// Sums over each point's neighbourhood, the point itself included; each pair within
	// band is found once and added to both points.
	vs := make([]float64, n) // values in the grid's sorted order
	for k, i := range g.order {
		vs[k] = v[i]
	}
	lag := slices.Clone(vs)
	w := make([]int32, n)
	var rs [5][2]int32
	for k := range n {
		w[k]++
		px, py, pv := g.xs[k], g.ys[k], vs[k]
		for _, r := range rs[:g.forward(&rs, k)] {
			for j := r[0]; j < r[1]; j++ {
				dx, dy := g.xs[j]-px, g.ys[j]-py
				if dx*dx+dy*dy <= band2 {
					lag[k] += vs[j]
					lag[j] += pv
					w[k]++
					w[j]++
				}
			}
		}
	}
	out := make([]Gi, n)
	nf := float64(n)
	for k, i := range g.order {
		wf := float64(w[k])
		vr := (nf*wf - wf*wf) / (nf - 1)
		if vr <= 0 {
			out[i] = Gi{Z: 0, P: 1, Neighbours: int(w[k])}
			continue
		}
		z := (lag[k] - mean*wf) / (s * math.Sqrt(vr))
		out[i] = Gi{Z: z, P: NormalP(z), Neighbours: int(w[k])}
	}
	return out, nil
}

// NormalP returns the two-sided p-value of z under the standard normal distribution,
// P(|Z| ≥ |z|).
func NormalP(z float64) float64 {
	return math.Erfc(math.Abs(z) / math.Sqrt2)
}

func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// twoSum adds v to the running sum s with compensation c (Neumaier's variant of Kahan
// summation) and returns the new sum and compensation.
func twoSum(s, c, v float64) (float64, float64) {
	t := s + v
	if math.Abs(s) >= math.Abs(v) {
		c += (s - t) + v
	} else {
		c += (v - t) + s
	}
	return t, c
}

func compensatedSum(v []float64) float64 {
	var s, c float64
	for _, f := range v {
		s, c = twoSum(s, c, f)
	}
	return s + c
}
