package geo

import (
	"errors"
	"math"

	"github.com/paulmach/orb"
)

// Sector is a camera's view: the circular sector with its apex at (x, y), in metres of
// a projected CRS with north along +y (SWEREF 99 TM, EPSG:3006), centred on bearingDeg
// (degrees clockwise from north: 0 north, 90 east), fovDeg wide (0 < fov ≤ 360) and
// rangeM deep. The arc is approximated by segments chords (0: one per 2°, at least
// 8), so the area is (n/2)·r²·sin(θ/n), below θ/360·π·r² by about (θ/n)²/6 (0.02 % at
// 2° a chord). The ring is closed and counter-clockwise (RFC 7946's right-hand rule);
// a sector across north (bearing 350, fov 40) is one polygon; a fov of 360 is a
// circle without an apex.
func Sector(x, y, bearingDeg, fovDeg, rangeM float64, segments int) (orb.Polygon, error) {
	for _, v := range []float64{x, y, bearingDeg, fovDeg, rangeM} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.New("geo: a sector's numbers must be finite")
		}
	}
	switch {
	case fovDeg <= 0 || fovDeg > 360:
		return nil, errors.New("geo: a sector's field of view is more than 0 and at most 360 degrees")
	case rangeM <= 0:
		return nil, errors.New("geo: a sector's range is more than 0 metres")
	case segments < 0 || segments > 3600:
		return nil, errors.New("geo: a sector has 0 (automatic) to 3600 segments")
	}
	if segments == 0 {
		segments = max(int(math.Ceil(fovDeg/2)), 8)
	}
	bearing := math.Mod(bearingDeg, 360)
	if bearing < 0 {
		bearing += 360
	}
	at := func(deg float64) orb.Point {
		rad := deg * math.Pi / 180
		// Clockwise from north: east is sin, north is cos.
		return orb.Point{x + rangeM*math.Sin(rad), y + rangeM*math.Cos(rad)}
	}
	// Counter-clockwise on the map is decreasing bearing: walk the arc from its
	// clockwise end (bearing + fov/2) back to its other end.
	end := bearing + fovDeg/2
	ring := make(orb.Ring, 0, segments+3)
	if fovDeg == 360 {
		for i := 0; i < segments; i++ {
			ring = append(ring, at(end-fovDeg*float64(i)/float64(segments)))
		}
		return orb.Polygon{append(ring, ring[0])}, nil
	}
	ring = append(ring, orb.Point{x, y})
	for i := 0; i <= segments; i++ {
		ring = append(ring, at(end-fovDeg*float64(i)/float64(segments)))
	}
	return orb.Polygon{append(ring, orb.Point{x, y})}, nil
}
