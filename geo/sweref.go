package geo

import "math"

// SwerefToWGS84 returns the longitude and latitude (degrees, GRS 80 ≈ WGS 84) of a
// point in SWEREF 99 TM (EPSG:3006, easting and northing in metres): the inverse
// transverse Mercator projection by Krüger's series, as Lantmäteriet gives it
// ("Gauss Konforma projektion", to about a millimetre within Sweden). For work that
// needs no database, such as the bounding box of an embedded boundary file.
func SwerefToWGS84(easting, northing float64) (lon, lat float64) {
	const (
		a    = 6378137.0
		f    = 1 / 298.257222101
		k0   = 0.9996
		fe   = 500000.0
		lon0 = 15.0
	)
	e2 := f * (2 - f)
	n := f / (2 - f)
	aRoof := a / (1 + n) * (1 + n*n/4 + n*n*n*n/64)
	d1 := n/2 - 2*n*n/3 + 37*n*n*n/96 - n*n*n*n/360
	d2 := n*n/48 + n*n*n/15 - 437*n*n*n*n/1440
	d3 := 17*n*n*n/480 - 37*n*n*n*n/840
	d4 := 4397 * n * n * n * n / 161280
	aStar := e2 + e2*e2 + e2*e2*e2 + e2*e2*e2*e2
	bStar := -(7*e2*e2 + 17*e2*e2*e2 + 30*e2*e2*e2*e2) / 6
	cStar := (224*e2*e2*e2 + 889*e2*e2*e2*e2) / 120
	dStar := -(4279 * e2 * e2 * e2 * e2) / 1260

	xi := northing / (k0 * aRoof)
	eta := (easting - fe) / (k0 * aRoof)
	xiP := xi - d1*math.Sin(2*xi)*math.Cosh(2*eta) - d2*math.Sin(4*xi)*math.Cosh(4*eta) -
		d3*math.Sin(6*xi)*math.Cosh(6*eta) - d4*math.Sin(8*xi)*math.Cosh(8*eta)
	etaP := eta - d1*math.Cos(2*xi)*math.Sinh(2*eta) - d2*math.Cos(4*xi)*math.Sinh(4*eta) -
		d3*math.Cos(6*xi)*math.Sinh(6*eta) - d4*math.Cos(8*xi)*math.Sinh(8*eta)
	phiStar := math.Asin(math.Sin(xiP) / math.Cosh(etaP))
	dLambda := math.Atan(math.Sinh(etaP) / math.Cos(xiP))
	s := math.Sin(phiStar)
	s2 := s * s
	phi := phiStar + s*math.Cos(phiStar)*(aStar+bStar*s2+cStar*s2*s2+dStar*s2*s2*s2)
	return lon0 + dLambda*180/math.Pi, phi * 180 / math.Pi
}
