package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestSelfIntersects(t *testing.T) {
	cases := []struct {
		name string
		p    orb.Polygon
		want bool
	}{
		{"square", orb.Polygon{square(13, 58, 0.01)}, false},
		{"bowtie", orb.Polygon{{{13, 58}, {13.01, 58.01}, {13.01, 58}, {13, 58.01}, {13, 58}}}, true},
		{"square with hole", orb.Polygon{square(13, 58, 0.01), square(13.004, 58.004, 0.002)}, false},
		{"hole crossing shell", orb.Polygon{square(13, 58, 0.01), square(13.008, 58.004, 0.004)}, true},
		{"spike back on itself", orb.Polygon{{{13, 58}, {13.02, 58}, {13.01, 58}, {13.01, 58.01}, {13, 58}}}, true},
		{"triangle", orb.Polygon{{{13, 58}, {13.01, 58}, {13, 58.01}, {13, 58}}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := SelfIntersects(tc.p); got != tc.want {
				t.Errorf("SelfIntersects = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAreaM2(t *testing.T) {
	// About 0.01° × 0.01° at 58° N: 1113 m × 590 m ≈ 0.66 km².
	a := AreaM2(orb.Polygon{square(13, 58, 0.01)})
	if math.Abs(a-656_000) > 15_000 {
		t.Errorf("area %.0f m², want about 656 000", a)
	}
}
