package api

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// coordDecimals is how many decimals of a degree GeoJSON output keeps: 7 is about 1 cm.
const (
	coordDecimals = 7
	coordScale    = 10_000_000 // 10^coordDecimals
)

// appendFeature appends an RFC 7946 Feature. props must marshal to a JSON object.
// Geometry is written by appendGeometry: encoding/json through orb's nested
// MarshalJSON methods was fifteen times slower than the SQL query behind it.
func appendFeature(b []byte, id string, geom orb.Geometry, props any) ([]byte, error) {
	p, err := json.Marshal(props)
	if err != nil {
		return b, err
	}
	b = append(b, `{"type":"Feature","id":`...)
	b = strconv.AppendQuote(b, id)
	b = append(b, `,"geometry":`...)
	b = appendGeometry(b, geom)
	b = append(b, `,"properties":`...)
	b = append(b, p...)
	return append(b, '}'), nil
}

// appendGeometry appends g as a GeoJSON geometry object; nil becomes null.
func appendGeometry(b []byte, g orb.Geometry) []byte {
	if g == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"type":"`...)
	b = append(b, g.GeoJSONType()...)
	b = append(b, `","coordinates":`...)
	switch g := g.(type) {
	case orb.Point:
		b = appendPoint(b, g)
	case orb.MultiPoint:
		b = appendPoints(b, g)
	case orb.LineString:
		b = appendPoints(b, g)
	case orb.Ring:
		b = appendPoints(b, g)
	case orb.MultiLineString:
		b = appendList(b, len(g), func(b []byte, i int) []byte { return appendPoints(b, g[i]) })
	case orb.Polygon:
		b = appendPolygon(b, g)
	case orb.MultiPolygon:
		b = appendList(b, len(g), func(b []byte, i int) []byte { return appendPolygon(b, g[i]) })
	default:
		b = append(b, "[]"...)
	}
	return append(b, '}')
}

func appendPolygon(b []byte, p orb.Polygon) []byte {
	return appendList(b, len(p), func(b []byte, i int) []byte { return appendPoints(b, p[i]) })
}

func appendPoints[P ~[]orb.Point](b []byte, ps P) []byte {
	return appendList(b, len(ps), func(b []byte, i int) []byte { return appendPoint(b, ps[i]) })
}

func appendList(b []byte, n int, item func([]byte, int) []byte) []byte {
	b = append(b, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = item(b, i)
	}
	return append(b, ']')
}

func appendPoint(b []byte, p orb.Point) []byte {
	b = append(b, '[')
	b = appendCoord(b, p[0])
	b = append(b, ',')
	b = appendCoord(b, p[1])
	return append(b, ']')
}

// appendCoord appends f rounded to coordDecimals, without trailing zeros. It formats
// the rounded fixed-point integer, several times faster than strconv's float formatting.
func appendCoord(b []byte, f float64) []byte {
	v := math.Round(f * coordScale)
	if math.IsNaN(v) || math.Abs(v) >= 1<<53 {
		return strconv.AppendFloat(b, f, 'f', -1, 64) // not a coordinate in degrees
	}
	n := int64(v)
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	b = strconv.AppendInt(b, n/coordScale, 10)
	frac := n % coordScale
	if frac == 0 {
		return b
	}
	var digits [coordDecimals]byte
	for i := coordDecimals - 1; i >= 0; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	end := coordDecimals
	for digits[end-1] == '0' {
		end--
	}
	b = append(b, '.')
	return append(b, digits[:end]...)
}
