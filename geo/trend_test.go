package geo

import (
	"math"
	"testing"
)

func TestMannKendall(t *testing.T) {
	cases := []struct {
		name   string
		series []float64
		want   MK
	}{
		// By hand: all 3 pairs increase, S = 3, Var = 3·2·11/18 = 11/3,
		// Z = (3 − 1)/√(11/3) = 1.0445, tau = 3/3.
		{"three rising", []float64{1, 2, 3},
			MK{S: 3, Var: 11.0 / 3, Z: 2 / math.Sqrt(11.0/3), P: NormalP(2 / math.Sqrt(11.0/3)), Tau: 1}},
		// One tie pair (4, 4): Var = (10·9·25 − 2·1·9)/18 = 124; S = 39 − 5 = 34 (pairs up minus pairs down).
		// R 4.2: cor.test(x, seq_along(x), method = "kendall", exact = FALSE) gives
		// z = 2.9634874834417859, p = 0.003041744319900935, tau = 0.76409317745834104.
		{"rising with a tie", []float64{1, 3, 2, 5, 4, 4, 7, 8, 6, 9},
			MK{S: 34, Var: 124, Z: 2.9634874834417859, P: 0.003041744319900935, Tau: 0.76409317745834104}},
		// Two tie pairs: Var = (9·8·23 − 2·18)/18 = 90; R gives z = −2.6352313834736494,
		// p = 0.0084079945772492937, tau = −0.74316053561753836.
		{"falling with ties", []float64{5, 4, 4, 3, 6, 2, 1, 1, 0},
			MK{S: -26, Var: 90, Z: -2.6352313834736494, P: 0.0084079945772492937, Tau: -0.74316053561753836}},
		{"flat", []float64{2, 2, 2, 2}, MK{S: 0, Var: 0, Z: 0, P: 1, Tau: 0}},
		// S = 1 (up, down, up … counted pairwise) is corrected to Z = 0.
		{"no trend", []float64{1, 3, 2}, MK{S: 1, Var: 11.0 / 3, Z: 0, P: 1, Tau: 1.0 / 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MannKendall(tc.series)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []struct {
				name      string
				got, want float64
			}{{"S", got.S, tc.want.S}, {"Var", got.Var, tc.want.Var}, {"Z", got.Z, tc.want.Z}, {"P", got.P, tc.want.P}, {"Tau", got.Tau, tc.want.Tau}} {
				if math.Abs(f.got-f.want) > 1e-12 {
					t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
				}
			}
		})
	}
	for _, bad := range [][]float64{nil, {1, 2}, {1, math.NaN(), 3}} {
		if _, err := MannKendall(bad); err == nil {
			t.Errorf("MannKendall(%v): no error", bad)
		}
	}
}

func TestEmerging(t *testing.T) {
	const H, C, N = 3.0, -3.0, 0.5 // z of a significant hot step, a cold step, neither
	// p-values: significant (0.003) for |z| = 3, not (0.6) otherwise.
	pOf := func(z []float64) []float64 {
		p := make([]float64, len(z))
		for i, zi := range z {
			p[i] = NormalP(zi)
			if math.Abs(zi) < 1 {
				p[i] = 0.6
			}
		}
		return p
	}
	rising := func(base, step float64, n int) []float64 {
		z := make([]float64, n)
		for i := range z {
			z[i] = base + step*float64(i)
		}
		return z
	}
	wobble := []float64{3, 3.5, 3.1, 3.4, 3.2, 3.3, 3.05, 3.45, 3.15, 3.35} // no trend
	neg := func(z []float64) []float64 {
		out := make([]float64, len(z))
		for i, f := range z {
			out[i] = -f
		}
		return out
	}
	cases := []struct {
		name string
		z    []float64
		want Pattern
	}{
		{"nothing", []float64{N, N, N, N, N, N, N, N, N, N}, NoPattern},
		{"new", []float64{N, N, N, N, N, N, N, N, N, H}, NewHot},
		{"consecutive", []float64{N, N, N, N, N, N, N, H, H, H}, ConsecutiveHot},
		{"intensifying", rising(3, 0.5, 10), IntensifyingHot},
		{"persistent", wobble, PersistentHot},
		{"persistent, one gap", []float64{3, 3.5, 3.1, N, 3.2, 3.3, 3.05, 3.45, 3.15, 3.35}, PersistentHot},
		{"diminishing", rising(8, -0.5, 10), DiminishingHot},
		{"sporadic", []float64{N, H, N, N, H, N, H, N, N, H}, SporadicHot},
		{"sporadic, gap before the final run", []float64{H, N, N, N, N, N, N, N, H, H}, SporadicHot},
		{"oscillating", []float64{C, N, H, N, C, N, N, N, N, H}, OscillatingHot},
		{"historical", []float64{3, 3.5, 3.1, 3.4, 3.2, 3.3, 3.05, 3.45, 3.15, N}, HistoricalHot},
		{"hot in the past only", []float64{H, H, H, N, N, N, N, N, N, N}, NoPattern},
		{"cold-new", []float64{N, N, N, N, N, N, N, N, N, C}, NewCold},
		{"cold-consecutive", []float64{N, N, N, N, N, N, N, C, C, C}, ConsecutiveCold},
		{"cold-intensifying", rising(-3, -0.5, 10), IntensifyingCold},
		{"cold-persistent", neg(wobble), PersistentCold},
		{"cold-diminishing", rising(-8, 0.5, 10), DiminishingCold},
		{"cold-sporadic", []float64{N, C, N, N, C, N, C, N, N, C}, SporadicCold},
		{"cold-oscillating", []float64{H, N, C, N, H, N, N, N, N, C}, OscillatingCold},
		{"cold-historical", []float64{-3, -3.5, -3.1, -3.4, -3.2, -3.3, -3.05, -3.45, -3.15, N}, HistoricalCold},
		{"short series, no trend test", []float64{N, H}, NewHot},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Emerging(tc.z, pOf(tc.z), 0.1); got != tc.want {
				t.Fatalf("Emerging(%v) = %q, want %q", tc.z, got, tc.want)
			}
		})
	}
	if got := Emerging([]float64{1, 2}, []float64{0.5}, 0.1); got != NoPattern {
		t.Errorf("mismatched lengths: got %q", got)
	}
}
