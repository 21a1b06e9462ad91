package geo

import (
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// AreaM2 returns the area of a polygon in WGS 84 in square metres, on a sphere.
func AreaM2(p orb.Polygon) float64 { return orbgeo.Area(p) }

// Points counts the points of a polygon's rings.
func Points(p orb.Polygon) int {
	n := 0
	for _, r := range p {
		n += len(r)
	}
	return n
}

// SelfIntersects reports whether any two edges of the polygon's rings cross or touch,
// other than neighbouring edges at their shared point. It is O(n²) in the number of
// points, so callers bound n first.
func SelfIntersects(p orb.Polygon) bool {
	type edge struct{ a, b orb.Point }
	var edges []edge
	var ringOf []int
	for ri, r := range p {
		for i := 0; i+1 < len(r); i++ {
			edges = append(edges, edge{r[i], r[i+1]})
			ringOf = append(ringOf, ri)
		}
	}
	for i := 0; i < len(edges); i++ {
		for j := i + 1; j < len(edges); j++ {
			if ringOf[i] == ringOf[j] {
				n := len(p[ringOf[i]]) - 1 // edges in the ring
				first := j - i
				if first == 1 || first == n-1 { // neighbours share one point
					if neighboursOverlap(edges[i].a, edges[i].b, edges[j].a, edges[j].b) {
						return true
					}
					continue
				}
			}
			if segmentsIntersect(edges[i].a, edges[i].b, edges[j].a, edges[j].b) {
				return true
			}
		}
	}
	return false
}

// neighboursOverlap reports whether two edges that share an end point also run along
// each other (a spike back on itself).
func neighboursOverlap(a, b, c, d orb.Point) bool {
	// Shared point is b==c or a==d (or others for degenerate rings).
	if orient(a, b, c) == 0 && orient(a, b, d) == 0 {
		return onSegment(a, b, c) && c != a && c != b || onSegment(a, b, d) && d != a && d != b ||
			onSegment(c, d, a) && a != c && a != d || onSegment(c, d, b) && b != c && b != d
	}
	return false
}

func orient(a, b, c orb.Point) int {
	v := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func onSegment(a, b, p orb.Point) bool {
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}

func segmentsIntersect(a, b, c, d orb.Point) bool {
	o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
	if o1 != o2 && o3 != o4 {
		return true
	}
	return o1 == 0 && onSegment(a, b, c) || o2 == 0 && onSegment(a, b, d) ||
		o3 == 0 && onSegment(c, d, a) || o4 == 0 && onSegment(c, d, b)
}
