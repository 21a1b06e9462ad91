package geo

import (
	"math"
	"testing"
)

func TestBHAdjust(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name    string
		p, want []float64
	}{
		// R 4.2: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2, 0.04, NA, 0.9, 0.5, 0.03), "BH").
		// By hand: m = 9 (NA dropped); sorted 0.005, 0.01, 0.03, 0.03, 0.04, 0.04, 0.2, 0.5,
		// 0.9 times 9/rank gives 0.045, 0.045, 0.09, 0.0675, 0.072, 0.06, 0.2571, 0.5625,
		// 0.9; the running minimum from the top makes ranks 3–6 all 0.06.
		{"R example",
			[]float64{0.01, 0.04, 0.03, 0.005, 0.2, 0.04, nan, 0.9, 0.5, 0.03},
			[]float64{0.045, 0.06, 0.06, 0.045, 0.25714285714285717, 0.06, nan, 0.9, 0.5625, 0.06}},
		{"capped at 1", []float64{0.8, 0.9, 0.95}, []float64{0.95, 0.95, 0.95}},
		{"single", []float64{0.03}, []float64{0.03}},
		{"empty", []float64{}, []float64{}},
		{"ones", []float64{1, 1}, []float64{1, 1}},
		{"small m", []float64{0.02, 0.6}, []float64{0.04, 0.6}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := BHAdjust(tc.p)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d values, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if math.IsNaN(tc.want[i]) != math.IsNaN(got[i]) || math.Abs(got[i]-tc.want[i]) > 1e-15 {
					t.Errorf("BHAdjust(%v)[%d] = %v, want %v", tc.p, i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestGiClass(t *testing.T) {
	cases := []struct {
		z, p float64
		want int
	}{
		{3.1, 0.002, 3},
		{2.2, 0.028, 2},
		{1.7, 0.089, 1},
		{1.2, 0.23, 0},
		{-1.7, 0.089, -1},
		{-2.2, 0.028, -2},
		{-3.1, 0.002, -3},
		{2.6, 0.01, 2}, // p must be below 0.01 for 99 %
		{1.9, 0.10, 0}, // and below 0.10 for 90 %
		{0, 0.001, 0},  // no sign, no spot
		{3, math.NaN(), 0},
	}
	for _, tc := range cases {
		if got := GiClass(tc.z, tc.p); got != tc.want {
			t.Errorf("GiClass(%v, %v) = %d, want %d", tc.z, tc.p, got, tc.want)
		}
	}
}
