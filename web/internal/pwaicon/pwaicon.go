// Package pwaicon draws Trygg's app icon: a white map pin with a hole, on the app's
// accent blue (--accent in web/src/style.css), as in the page's logo. Pure Go, no SVG:
// each pixel is the coverage of 8×8 samples, so the edges are smooth.
package pwaicon

import (
	"image"
	"image/color"
	"math"
)

// Colours of the icon: the background is style.css's --accent, the pin white.
var (
	Background = color.RGBA{0x0b, 0x5c, 0xad, 0xff}
	Pin        = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

// Draw returns the size×size icon. A maskable icon keeps the pin inside the central
// circle of 80 % of the size that every mask shows (the W3C safe zone), so its pin is
// smaller; the other has rounded corners and a transparent outside.
func Draw(size int, maskable bool) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	s := float64(size)
	// The pin: a circle of radius r about (cx, cy) and the two tangents from its tip.
	scale := 1.0
	if maskable {
		scale = 0.85
	}
	r := 0.22 * s * scale
	cx, cy := s/2, s/2-0.08*s*scale
	tipY := cy + 0.45*s*scale
	hole := 0.42 * r
	corner := 0.18 * s // the plain icon's corner radius
	const n = 8        // samples per pixel and axis
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var bg, pin int
			for j := 0; j < n; j++ {
				for i := 0; i < n; i++ {
					px := float64(x) + (float64(i)+0.5)/n
					py := float64(y) + (float64(j)+0.5)/n
					if !maskable && !inRoundedSquare(px, py, s, corner) {
						continue
					}
					if inPin(px, py, cx, cy, r, tipY) && math.Hypot(px-cx, py-cy) > hole {
						pin++
					} else {
						bg++
					}
				}
			}
			img.SetRGBA(x, y, mix(bg, pin, n*n))
		}
	}
	return img
}

// mix is the premultiplied colour of bg background and pin pin samples of total.
func mix(bg, pin, total int) color.RGBA {
	c := func(b, p uint8) uint8 {
		return uint8((int(b)*bg + int(p)*pin + total/2) / total)
	}
	return color.RGBA{c(Background.R, Pin.R), c(Background.G, Pin.G), c(Background.B, Pin.B), uint8((255*(bg+pin) + total/2) / total)}
}

func inRoundedSquare(x, y, s, rad float64) bool {
	dx := math.Max(math.Max(rad-x, x-(s-rad)), 0)
	dy := math.Max(math.Max(rad-y, y-(s-rad)), 0)
	return dx*dx+dy*dy <= rad*rad
}

// inPin reports whether (x, y) is in the circle about (cx, cy) of radius r or in the
// triangle of the tip (cx, tipY) and the points where its tangents touch the circle.
func inPin(x, y, cx, cy, r, tipY float64) bool {
	if math.Hypot(x-cx, y-cy) <= r {
		return true
	}
	d := tipY - cy
	cos := r / d // the tangent points are at this cosine from the downward direction
	sin := math.Sqrt(1 - cos*cos)
	ax, ay := cx-r*sin, cy+r*cos
	bx, by := cx+r*sin, cy+r*cos
	tx, ty := cx, tipY
	s1 := (bx-ax)*(y-ay) - (by-ay)*(x-ax)
	s2 := (tx-bx)*(y-by) - (ty-by)*(x-bx)
	s3 := (ax-tx)*(y-ty) - (ay-ty)*(x-tx)
	return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0)
}

// Icon is one icon file of the manifest.
type Icon struct {
	Name     string
	Size     int
	Maskable bool
}

// Icons are the icons the manifest names, in web/static/icons/.
var Icons = []Icon{
	{"icon-192.png", 192, false},
	{"icon-512.png", 512, false},
	{"icon-maskable-512.png", 512, true},
}
