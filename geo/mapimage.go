package geo

import (
	"image"
	"image/color"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// Colours of a map image.
var (
	MapBackground = color.RGBA{0xff, 0xff, 0xff, 0xff}
	MapLand       = color.RGBA{0xee, 0xf1, 0xe8, 0xff}
	MapOutline    = color.RGBA{0x44, 0x4c, 0x56, 0xff}
	MapArea       = color.RGBA{0xd7, 0x30, 0x27, 0xff}
	MapAreaEdge   = color.RGBA{0x7f, 0x10, 0x0c, 0xff}
)

// MapImage draws a municipality's outline (longitude, latitude) with polygons over it
// (hot areas, filled) into a w × h image: an equirectangular projection with longitude
// scaled by the cosine of the outline's middle latitude (at a municipality's size the
// distortion is under a percent), fitted with a margin and centred. Polygons are filled
// with the even-odd rule, so holes stay open. Pure: no I/O, the same input draws the
// same pixels.
func MapImage(w, h int, outline orb.MultiPolygon, areas []orb.Polygon) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fillRect(img, MapBackground)
	b := outline.Bound()
	for _, a := range areas {
		b = b.Union(a.Bound())
	}
	if len(outline) == 0 && len(areas) == 0 || w < 4 || h < 4 {
		return img
	}
	k := math.Cos((b.Min[1] + b.Max[1]) / 2 * math.Pi / 180)
	dx, dy := (b.Max[0]-b.Min[0])*k, b.Max[1]-b.Min[1]
	margin := 0.04 * float64(min(w, h))
	scale := math.Min((float64(w)-2*margin)/math.Max(dx, 1e-9), (float64(h)-2*margin)/math.Max(dy, 1e-9))
	ox := (float64(w) - dx*scale) / 2
	oy := (float64(h) - dy*scale) / 2
	project := func(p orb.Point) (float64, float64) {
		return ox + (p[0]-b.Min[0])*k*scale, float64(h) - oy - (p[1]-b.Min[1])*scale
	}
	for _, poly := range outline {
		fillPolygon(img, poly, project, MapLand)
	}
	for _, a := range areas {
		fillPolygon(img, a, project, MapArea)
	}
	for _, poly := range outline {
		strokePolygon(img, poly, project, MapOutline, 2)
	}
	for _, a := range areas {
		strokePolygon(img, a, project, MapAreaEdge, 1)
	}
	return img
}

func fillRect(img *image.RGBA, c color.RGBA) {
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
}

// fillPolygon fills the pixels whose centres lie inside the polygon (even-odd over all
// its rings), one scanline at a time.
func fillPolygon(img *image.RGBA, p orb.Polygon, project func(orb.Point) (float64, float64), c color.RGBA) {
	type edge struct{ x0, y0, x1, y1 float64 }
	var edges []edge
	for _, ring := range p {
		for i := 0; i+1 < len(ring); i++ {
			x0, y0 := project(ring[i])
			x1, y1 := project(ring[i+1])
			if y0 != y1 {
				edges = append(edges, edge{x0, y0, x1, y1})
			}
		}
	}
	bounds := img.Bounds()
	var xs []float64
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		yc := float64(y) + 0.5
		xs = xs[:0]
		for _, e := range edges {
			if (e.y0 <= yc) != (e.y1 <= yc) {
				xs = append(xs, e.x0+(yc-e.y0)*(e.x1-e.x0)/(e.y1-e.y0))
			}
		}
		sort.Float64s(xs)
		for i := 0; i+1 < len(xs); i += 2 {
			from := max(int(math.Ceil(xs[i]-0.5)), bounds.Min.X)
			to := min(int(math.Floor(xs[i+1]-0.5)), bounds.Max.X-1)
			for x := from; x <= to; x++ {
				img.SetRGBA(x, y, c)
			}
		}
	}
}

// strokePolygon draws the polygon's rings as lines width pixels wide.
func strokePolygon(img *image.RGBA, p orb.Polygon, project func(orb.Point) (float64, float64), c color.RGBA, width int) {
	for _, ring := range p {
		for i := 0; i+1 < len(ring); i++ {
			x0, y0 := project(ring[i])
			x1, y1 := project(ring[i+1])
			line(img, x0, y0, x1, y1, c, width)
		}
	}
}

// line steps along the segment in pixel-sized steps and sets a width × width square at
// each step.
func line(img *image.RGBA, x0, y0, x1, y1 float64, c color.RGBA, width int) {
	n := int(math.Ceil(math.Max(math.Abs(x1-x0), math.Abs(y1-y0)))) + 1
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		x := int(math.Floor(x0 + t*(x1-x0)))
		y := int(math.Floor(y0 + t*(y1-y0)))
		for dy := 0; dy < width; dy++ {
			for dx := 0; dx < width; dx++ {
				if (image.Point{X: x + dx - width/2, Y: y + dy - width/2}).In(img.Bounds()) {
					img.SetRGBA(x+dx-width/2, y+dy-width/2, c)
				}
			}
		}
	}
}
