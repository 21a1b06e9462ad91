// Package geo is Trygg's pure spatial computation: extents, geometry checks, and later
// grids, statistics, projections and routes. It never touches the database; set-based
// spatial work (joins, tiles, grids over tables) is done in PostGIS by postgis/.
package geo

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Spatial reference systems Trygg reads and writes.
const (
	WGS84     = 4326 // longitude/latitude, GeoJSON's CRS84 axis order
	SWEREF99  = 3006 // SWEREF 99 TM, the national grid in metres
	WebMercat = 3857 // web maps and tiles
)

// swedenBounds are Sweden's extent with a margin, in each CRS: in degrees 10.0–24.3 E,
// 54.9–69.1 N; in SWEREF 99 TM the same land (Haparanda reaches x = 917 000).
var swedenBounds = map[int]orb.Bound{
	WGS84:    {Min: orb.Point{10.0, 54.9}, Max: orb.Point{24.3, 69.1}},
	SWEREF99: {Min: orb.Point{180000, 6100000}, Max: orb.Point{950000, 7700000}},
}

// SwedenBounds returns Sweden's extent in the CRS with the given EPSG code, and false
// for a CRS Trygg does not know.
func SwedenBounds(srid int) (orb.Bound, bool) {
	b, ok := swedenBounds[srid]
	return b, ok
}

// ErrNotFinite is returned for a coordinate that is NaN or infinite.
var ErrNotFinite = errors.New("geo: coordinate is not a finite number")

// CheckPolygonal checks what PostGIS cannot be asked about because it refuses to parse
// such input: every coordinate is finite and every ring is closed with at least four
// points. Self-intersection and other validity rules are PostGIS's ST_IsValid.
func CheckPolygonal(g orb.Geometry) error {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	default:
		return fmt.Errorf("geo: %s is not a Polygon or MultiPolygon", g.GeoJSONType())
	}
	if len(polys) == 0 {
		return errors.New("geo: geometry is empty")
	}
	for pi, p := range polys {
		if len(p) == 0 {
			return fmt.Errorf("geo: polygon %d has no rings", pi)
		}
		for ri, r := range p {
			if len(r) < 4 {
				return fmt.Errorf("geo: polygon %d ring %d has %d points, at least 4 are needed", pi, ri, len(r))
			}
			for _, pt := range r {
				if !finite(pt) {
					return ErrNotFinite
				}
			}
			if !r.Closed() {
				return fmt.Errorf("geo: polygon %d ring %d is not closed", pi, ri)
			}
		}
	}
	return nil
}

// Within reports whether the bound of g lies inside b.
func Within(g orb.Geometry, b orb.Bound) bool {
	gb := g.Bound()
	return b.Contains(gb.Min) && b.Contains(gb.Max)
}

func finite(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
}
