package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestSectorArea(t *testing.T) {
	const x, y = 380000.0, 6450000.0 // Vara, SWEREF 99 TM
	for _, tc := range []struct {
		bearing, fov, r float64
		segments        int
	}{
		{0, 90, 50, 0}, {45, 60, 30, 0}, {350, 40, 80, 0}, {180, 120, 100, 16}, {270, 10, 25, 2},
		{10, 359, 40, 0}, {0, 360, 40, 0}, {123, 1, 500, 1}, {90, 90, 50, 8},
	} {
		p, err := Sector(x, y, tc.bearing, tc.fov, tc.r, tc.segments)
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		want := tc.fov / 360 * math.Pi * tc.r * tc.r
		got := planar.Area(p)
		if o := p[0].Orientation(); o != orb.CCW {
			t.Errorf("%+v: the ring is %v, not counter-clockwise", tc, o)
		}
		if math.Abs(math.Abs(got)-want)/want > 0.01 {
			t.Errorf("%+v: area %.2f m², want %.2f ± 1 %%", tc, got, want)
		}
		if r := p[0]; r[0] != r[len(r)-1] {
			t.Errorf("%+v: ring not closed", tc)
		}
		if err := CheckPolygonal(p); err != nil {
			t.Errorf("%+v: %v", tc, err)
		}
		if SelfIntersects(p) {
			t.Errorf("%+v: the sector crosses itself", tc)
		}
	}
}

func TestSectorBearing(t *testing.T) {
	// The centroid of a narrow sector lies along its bearing: 0 north (+y), 90 east
	// (+x), 180 south, 270 west, -90 and 450 too.
	for _, tc := range []struct {
		bearing float64
		dx, dy  float64
	}{{0, 0, 1}, {90, 1, 0}, {180, 0, -1}, {270, -1, 0}, {-90, -1, 0}, {450, 1, 0}, {45, math.Sqrt2 / 2, math.Sqrt2 / 2}} {
		p, err := Sector(100, 200, tc.bearing, 10, 60, 0)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := planar.CentroidArea(p)
		dx, dy := c[0]-100, c[1]-200
		n := math.Hypot(dx, dy)
		if math.Abs(dx/n-tc.dx) > 1e-9 || math.Abs(dy/n-tc.dy) > 1e-9 {
			t.Errorf("bearing %v: centroid direction (%.4f, %.4f), want (%.4f, %.4f)", tc.bearing, dx/n, dy/n, tc.dx, tc.dy)
		}
		if !planar.PolygonContains(p, orb.Point{100 + 30*tc.dx, 200 + 30*tc.dy}) {
			t.Errorf("bearing %v: the point 30 m along the bearing is not in the sector", tc.bearing)
		}
	}
}

func TestSectorAcrossNorth(t *testing.T) {
	// Bearing 350, 40° wide: from 330 to 10, across north, as one polygon.
	p, err := Sector(0, 0, 350, 40, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 1 {
		t.Fatalf("%d rings", len(p))
	}
	if err := CheckPolygonal(p); err != nil || SelfIntersects(p) {
		t.Fatalf("not a valid polygon: %v", err)
	}
	for _, in := range []orb.Point{{0, 50}, {-30, 70}, {10, 80}} {
		if !planar.PolygonContains(p, in) {
			t.Errorf("%v is not in the sector", in)
		}
	}
	for _, out := range []orb.Point{{30, 50}, {-60, 50}, {0, -10}, {0, 101}} {
		if planar.PolygonContains(p, out) {
			t.Errorf("%v is in the sector", out)
		}
	}
	b := p.Bound()
	if b.Min[1] != 0 || b.Max[1] < 99.99 || b.Min[0] > -49 || b.Max[0] > 18 {
		t.Errorf("bound %v", b)
	}
}

func TestSectorRefuses(t *testing.T) {
	for _, tc := range [][4]float64{{0, 0, 50, 0}, {0, -5, 50, 0}, {0, 361, 50, 0}, {0, 90, 0, 0}, {0, 90, -1, 0},
		{math.NaN(), 90, 50, 0}, {0, 90, math.Inf(1), 0}, {0, 90, 50, -1}} {
		if _, err := Sector(0, 0, tc[0], tc[1], tc[2], int(tc[3])); err == nil {
			t.Errorf("%v: no error", tc)
		}
	}
}
