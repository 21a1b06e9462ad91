package geo

import (
	"math"
	"slices"
)

// BHAdjust returns Benjamini–Hochberg adjusted p-values (false discovery rate), the same
// as R's p.adjust(p, "BH"): sorted ascending, the k-th of m p-values becomes
// min over j ≥ k of m/j · p_(j), capped at 1. NaN stays NaN and does not count in m, as R
// drops NA. p is not modified.
func BHAdjust(p []float64) []float64 {
	out := make([]float64, len(p))
	order := make([]int, 0, len(p))
	for i, pi := range p {
		if math.IsNaN(pi) {
			out[i] = math.NaN()
			continue
		}
		order = append(order, i)
	}
	// Largest first, so the running minimum walks from rank m down to rank 1.
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case p[a] > p[b]:
			return -1
		case p[a] < p[b]:
			return 1
		}
		return 0
	})
	m := float64(len(order))
	run := math.Inf(1)
	for k, i := range order {
		rank := m - float64(k)
		run = min(run, m/rank*p[i])
		out[i] = min(run, 1)
	}
	return out
}

// GiClass returns the hot or cold spot bin of a Gi* z-score and its p-value, as ArcGIS'
// Gi_Bin field: +3, +2, +1 for a hot spot at 99, 95 and 90 % confidence (p < 0.01, 0.05,
// 0.10 and z > 0), −3, −2, −1 for a cold spot (z < 0), 0 when not significant. Pass
// BH-adjusted p-values (BHAdjust) to apply the false discovery rate correction.
func GiClass(z, p float64) int {
	var c int
	switch {
	case p < 0.01:
		c = 3
	case p < 0.05:
		c = 2
	case p < 0.10:
		c = 1
	default:
		return 0
	}
	switch {
	case z > 0:
		return c
	case z < 0:
		return -c
	}
	return 0
}
