package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func square(x, y, s float64) orb.Ring {
	return orb.Ring{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}
}

func TestCheckPolygonal(t *testing.T) {
	cases := []struct {
		name    string
		g       orb.Geometry
		wantErr bool
	}{
		{"polygon", orb.Polygon{square(13, 58, 0.1)}, false},
		{"multipolygon", orb.MultiPolygon{{square(13, 58, 0.1)}, {square(14, 58, 0.1)}}, false},
		{"point", orb.Point{13, 58}, true},
		{"empty multipolygon", orb.MultiPolygon{}, true},
		{"polygon without rings", orb.Polygon{}, true},
		{"short ring", orb.Polygon{{{13, 58}, {13.1, 58}, {13, 58}}}, true},
		{"open ring", orb.Polygon{{{13, 58}, {13.1, 58}, {13.1, 58.1}, {13, 58.1}}}, true},
		{"NaN", orb.Polygon{{{13, 58}, {math.NaN(), 58}, {13.1, 58.1}, {13, 58}}}, true},
		{"Inf", orb.Polygon{{{13, 58}, {math.Inf(1), 58}, {13.1, 58.1}, {13, 58}}}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPolygonal(tc.g)
			if (err != nil) != tc.wantErr {
				t.Fatalf("CheckPolygonal() error = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}

func TestSwedenBounds(t *testing.T) {
	vara := orb.Polygon{square(13.0, 58.2, 0.1)}
	b, ok := SwedenBounds(WGS84)
	if !ok {
		t.Fatal("SwedenBounds(4326) not known")
	}
	if !Within(vara, b) {
		t.Errorf("Vara %v not within Sweden %v", vara.Bound(), b)
	}
	london := orb.Polygon{square(-0.2, 51.4, 0.1)}
	if Within(london, b) {
		t.Errorf("London within Sweden %v", b)
	}
	b3006, _ := SwedenBounds(SWEREF99)
	if Within(vara, b3006) {
		t.Errorf("degrees %v taken as SWEREF 99 TM metres", vara.Bound())
	}
	if _, ok := SwedenBounds(3857); ok {
		t.Error("SwedenBounds(3857) known, want unknown")
	}
}
