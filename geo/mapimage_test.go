package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestMapImage(t *testing.T) {
	// A square municipality at the equator with a square hole-free hot area in its
	// middle and a ring with a hole: pixels inside the hole stay land.
	outline := orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}
	area := orb.Polygon{{{0.4, 0.4}, {0.6, 0.4}, {0.6, 0.6}, {0.4, 0.6}, {0.4, 0.4}}}
	holed := orb.Polygon{{{0.05, 0.05}, {0.3, 0.05}, {0.3, 0.3}, {0.05, 0.3}, {0.05, 0.05}},
		{{0.1, 0.1}, {0.25, 0.1}, {0.25, 0.25}, {0.1, 0.25}, {0.1, 0.1}}}
	img := MapImage(100, 100, outline, []orb.Polygon{area, holed})
	if got := img.RGBAAt(50, 50); got != MapArea {
		t.Errorf("centre pixel = %v, want the hot area's %v", got, MapArea)
	}
	if got := img.RGBAAt(80, 20); got != MapLand {
		t.Errorf("pixel inside the outline = %v, want land %v", got, MapLand)
	}
	if got := img.RGBAAt(0, 0); got != MapBackground {
		t.Errorf("corner = %v, want background %v", got, MapBackground)
	}
	// The hole of the second area: x 0.1–0.25, y 0.1–0.25 → the middle, 0.175, is at
	// pixel (4 + 0.175 × 92, 100 − 4 − 0.175 × 92) ≈ (20, 80).
	if got := img.RGBAAt(20, 80); got != MapLand {
		t.Errorf("pixel in the hole = %v, want land %v", got, MapLand)
	}
	if got := img.RGBAAt(11, 89); got != MapArea {
		t.Errorf("pixel in the ring = %v, want area %v", got, MapArea)
	}
	// The outline is stroked at its edge (x = 4).
	if got := img.RGBAAt(4, 50); got != MapOutline {
		t.Errorf("pixel on the outline = %v, want %v", got, MapOutline)
	}
	if empty := MapImage(10, 10, nil, nil); empty.RGBAAt(5, 5) != MapBackground {
		t.Error("an empty map is not blank")
	}
}
