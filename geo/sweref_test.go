package geo

import (
	"math"
	"testing"
)

// The expected positions are PostGIS 3's ST_Transform(…, 4326) of the same points.
func TestSwerefToWGS84(t *testing.T) {
	cases := []struct {
		name           string
		e, n, lon, lat float64
	}{
		{"Stockholm", 674032, 6580822, 18.05918973635474, 59.330231226921924},
		{"Vara", 380000, 6460000, 12.954552153424546, 58.26467592576764},
		{"central meridian", 500000, 7300000, 15, 65.82137295134855},
		{"Kiruna", 850000, 7600000, 23.503236054743738, 68.29552304163471},
		{"south-west", 290000, 6150000, 11.679123599722939, 55.45104517764659},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lon, lat := SwerefToWGS84(tc.e, tc.n)
			// 1e-7 degrees is about a centimetre.
			if math.Abs(lon-tc.lon) > 1e-7 || math.Abs(lat-tc.lat) > 1e-7 {
				t.Errorf("got %.9f %.9f, want %.9f %.9f", lon, lat, tc.lon, tc.lat)
			}
		})
	}
}
