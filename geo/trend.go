package geo

import (
	"fmt"
	"math"
	"slices"
)

// MK is the result of a Mann–Kendall trend test.
type MK struct {
	S   float64 // Σ_{i<j} sign(x_j − x_i)
	Var float64 // variance of S under no trend, corrected for ties
	Z   float64 // (S − sign(S)) / √Var, with continuity correction
	P   float64 // two-sided p-value of Z
	Tau float64 // Kendall's tau-b between the series and time
}

// MannKendall tests series (in time order) for a monotonic trend: S = Σ_{i<j} sign(x_j − x_i),
// Var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18 over groups of t tied values, and
// Z = (S − 1)/√Var for S > 0, (S + 1)/√Var for S < 0, 0 otherwise. Z and P equal R's
// cor.test(x, seq_along(x), method = "kendall", exact = FALSE, continuity = TRUE);
// P is the normal approximation, not the exact distribution Kendall::MannKendall uses for
// small n without ties. At least 3 finite values are needed.
func MannKendall(series []float64) (MK, error) {
	n := len(series)
	if n < 3 {
		return MK{}, fmt.Errorf("geo: MannKendall needs at least 3 values, got %d", n)
	}
	for i, f := range series {
		if !isFinite(f) {
			return MK{}, fmt.Errorf("geo: MannKendall value %d is not a finite number", i)
		}
	}
	var s int
	for i := range n - 1 {
		for j := i + 1; j < n; j++ {
			switch {
			case series[j] > series[i]:
				s++
			case series[j] < series[i]:
				s--
			}
		}
	}
	sorted := slices.Clone(series)
	slices.Sort(sorted)
	var tieVar, tiePairs float64
	for i := 0; i < n; {
		j := i + 1
		for j < n && sorted[j] == sorted[i] {
			j++
		}
		if t := float64(j - i); t > 1 {
			tieVar += t * (t - 1) * (2*t + 5)
			tiePairs += t * (t - 1) / 2
		}
		i = j
	}
	nf := float64(n)
	r := MK{S: float64(s), Var: (nf*(nf-1)*(2*nf+5) - tieVar) / 18}
	switch {
	case s > 0 && r.Var > 0:
		r.Z = (r.S - 1) / math.Sqrt(r.Var)
	case s < 0 && r.Var > 0:
		r.Z = (r.S + 1) / math.Sqrt(r.Var)
	}
	r.P = NormalP(r.Z)
	pairs := nf * (nf - 1) / 2
	if d := pairs * (pairs - tiePairs); d > 0 {
		r.Tau = r.S / math.Sqrt(d)
	}
	return r, nil
}
