package geo_test

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg/geo"
)

func ExampleWithin() {
	sweden, _ := geo.SwedenBounds(geo.SWEREF99)
	// A square kilometre in Vara, in SWEREF 99 TM metres.
	vara := orb.Polygon{{{388000, 6455000}, {389000, 6455000}, {389000, 6456000}, {388000, 6456000}, {388000, 6455000}}}
	fmt.Println(geo.Within(vara, sweden))
	// Output: true
}
