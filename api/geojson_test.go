package api

import (
	"encoding/json"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

func TestAppendGeometry(t *testing.T) {
	ring := orb.Ring{{13.1, 58.2}, {13.2, 58.2}, {13.2, 58.3}, {13.1, 58.2}}
	cases := []struct {
		name string
		g    orb.Geometry
		want string
	}{
		{"nil", nil, `null`},
		{"point rounded", orb.Point{13.123456789, -0.00000001}, `{"type":"Point","coordinates":[13.1234568,0]}`},
		{"integers", orb.Point{13, 58}, `{"type":"Point","coordinates":[13,58]}`},
		{"negative", orb.Point{-0.1234567, -58.05}, `{"type":"Point","coordinates":[-0.1234567,-58.05]}`},
		{"leading fraction zeros", orb.Point{13.0000001, 58.001}, `{"type":"Point","coordinates":[13.0000001,58.001]}`},
		{"metres", orb.Point{388123.25, 6455000}, `{"type":"Point","coordinates":[388123.25,6455000]}`},
		{"linestring", orb.LineString{{1, 2}, {3.5, 4}}, `{"type":"LineString","coordinates":[[1,2],[3.5,4]]}`},
		{"polygon", orb.Polygon{ring}, `{"type":"Polygon","coordinates":[[[13.1,58.2],[13.2,58.2],[13.2,58.3],[13.1,58.2]]]}`},
		{"multipolygon", orb.MultiPolygon{{ring}, {ring}},
			`{"type":"MultiPolygon","coordinates":[[[[13.1,58.2],[13.2,58.2],[13.2,58.3],[13.1,58.2]]],[[[13.1,58.2],[13.2,58.2],[13.2,58.3],[13.1,58.2]]]]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := string(appendGeometry(nil, tc.g))
			if got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("not valid JSON: %s", got)
			}
		})
	}
}

func TestAppendFeatureRoundTrip(t *testing.T) {
	mp := orb.MultiPolygon{{{{13.1, 58.2}, {13.2, 58.2}, {13.2, 58.3}, {13.1, 58.2}}}}
	b, err := appendFeature(nil, "1470", mp, map[string]any{"name": "Vara \"x\""})
	if err != nil {
		t.Fatal(err)
	}
	f, err := geojson.UnmarshalFeature(b)
	if err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if f.ID != "1470" || f.Properties["name"] != `Vara "x"` || !orb.Equal(f.Geometry, mp) {
		t.Errorf("round trip: got %v %v %v", f.ID, f.Properties, f.Geometry)
	}
}
