// Package phototest makes photos for tests: a JPEG as a phone writes it, with an EXIF
// APP1 segment holding the orientation, the camera's make, a maker note and the GPS
// position of where it was taken.
package phototest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
)

// Secrets are strings the EXIF of JPEGWithExif holds, none of which may survive.
var Secrets = []string{"Exif", "TryggKamera", "HEMLIG-MAKERNOTE-4711"}

// Picture is a w×h test picture: red in its top-left quarter, blue in its top-right,
// green at the bottom, so a test can tell how it was turned.
func Picture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{0, 160, 0, 255}
			if y < h/2 {
				c = color.RGBA{220, 0, 0, 255}
				if x >= w/2 {
					c = color.RGBA{0, 0, 220, 255}
				}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// JPEGWithExif encodes img as a JPEG with an APP1 Exif segment: IFD0 with Make,
// Orientation (orientation), an Exif IFD with a MakerNote and a GPS IFD at 58.26 N,
// 13.10 E (Vara).
func JPEGWithExif(img image.Image, orientation int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	tiff := Exif(orientation)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	j := buf.Bytes()
	out := append([]byte{}, j[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, j[2:]...)
}

type entry struct {
	tag, typ uint16
	count    uint32
	data     []byte // inline when at most 4 bytes
	ifd      []entry
}

// Exif returns EXIF's TIFF data (big-endian) as described at JPEGWithExif.
func Exif(orientation int) []byte {
	be := binary.BigEndian
	short := func(v uint16) []byte { b := make([]byte, 2); be.PutUint16(b, v); return b }
	rationals := func(vs ...uint32) []byte {
		var b []byte
		for _, v := range vs {
			b = be.AppendUint32(b, v)
		}
		return b
	}
	maker := []byte("HEMLIG-MAKERNOTE-4711 serial 0042")
	make_ := []byte("TryggKamera\x00")
	ifd0 := []entry{
		{tag: 0x010F, typ: 2, count: uint32(len(make_)), data: make_},
		{tag: 0x0112, typ: 3, count: 1, data: short(uint16(orientation))},
		{tag: 0x8769, typ: 4, count: 1, ifd: []entry{{tag: 0x927C, typ: 7, count: uint32(len(maker)), data: maker}}},
		{tag: 0x8825, typ: 4, count: 1, ifd: []entry{
			{tag: 1, typ: 2, count: 2, data: []byte("N\x00")},
			{tag: 2, typ: 5, count: 3, data: rationals(58, 1, 15, 1, 3600, 100)},
			{tag: 3, typ: 2, count: 2, data: []byte("E\x00")},
			{tag: 4, typ: 5, count: 3, data: rationals(13, 1, 6, 1, 0, 1)},
		}},
	}
	out := []byte("MM\x00\x2a\x00\x00\x00\x08")
	var write func(es []entry) // writes an IFD at the end of out, its data after it
	write = func(es []entry) {
		start := len(out)
		size := 2 + 12*len(es) + 4
		out = append(out, make([]byte, size)...)
		be.PutUint16(out[start:], uint16(len(es)))
		for k, e := range es {
			p := start + 2 + 12*k
			be.PutUint16(out[p:], e.tag)
			be.PutUint16(out[p+2:], e.typ)
			be.PutUint32(out[p+4:], e.count)
			switch {
			case e.ifd != nil:
				be.PutUint32(out[p+8:], uint32(len(out)))
				write(e.ifd)
			case len(e.data) <= 4:
				copy(out[p+8:p+12], e.data)
			default:
				be.PutUint32(out[p+8:], uint32(len(out)))
				out = append(out, e.data...)
				if len(out)%2 == 1 {
					out = append(out, 0)
				}
			}
		}
	}
	write(ifd0)
	return out
}
