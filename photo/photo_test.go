package photo_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	_ "image/gif" // registered, as another package of the server does: still refused
	"image/jpeg"
	"image/png"
	"os"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/photo"
	"github.com/trygg-gis/trygg/photo/phototest"
)

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, format, err := image.Decode(bytes.NewReader(b))
	if err != nil || format != "jpeg" {
		t.Fatalf("decode: %v (%s)", err, format)
	}
	return img
}

// near says whether c is within 40 of want in each channel (JPEG is lossy).
func near(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	d := func(a uint32, w uint8) bool { x := int(a>>8) - int(w); return x > -40 && x < 40 }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

var (
	red   = color.RGBA{220, 0, 0, 255}
	blue  = color.RGBA{0, 0, 220, 255}
	green = color.RGBA{0, 160, 0, 255}
	white = color.RGBA{255, 255, 255, 255}
)

func TestExifIsGoneAndOrientationApplied(t *testing.T) {
	src := phototest.JPEGWithExif(phototest.Picture(400, 200), 6)
	for _, s := range phototest.Secrets {
		if !bytes.Contains(src, []byte(s)) {
			t.Fatalf("the test photo lacks %q", s)
		}
	}
	if o := photo.Orientation(src); o != 6 {
		t.Fatalf("orientation %d, want 6", o)
	}
	p, err := photo.Process(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{p.JPEG, p.Thumbnail} {
		for _, s := range phototest.Secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("the processed photo still holds %q", s)
			}
		}
		if bytes.Contains(b, []byte{0xFF, 0xE1}) {
			t.Error("the processed photo has an APP1 marker")
		}
	}
	// Turned 90° clockwise: 200 wide, 400 high; the top (red left, blue right) is now
	// on the right (red at the top), the green bottom on the left.
	if p.Width != 200 || p.Height != 400 {
		t.Fatalf("size %d×%d, want 200×400", p.Width, p.Height)
	}
	img := decode(t, p.JPEG)
	for _, c := range []struct {
		x, y int
		want color.RGBA
	}{{150, 50, red}, {150, 350, blue}, {50, 50, green}, {50, 350, green}} {
		if got := img.At(c.x, c.y); !near(got, c.want) {
			t.Errorf("pixel %d,%d is %v, want %v", c.x, c.y, got, c.want)
		}
	}
	if p.ThumbWidth != 160 || p.ThumbHeight != 320 || photo.Orientation(p.JPEG) != 1 {
		t.Errorf("thumbnail %d×%d, orientation %d", p.ThumbWidth, p.ThumbHeight, photo.Orientation(p.JPEG))
	}
}

func TestEveryOrientation(t *testing.T) {
	// Where the red top-left quarter of a 40×20 picture lands, seen upright.
	for o, want := range map[int]image.Point{1: {5, 5}, 2: {35, 5}, 3: {35, 15}, 4: {5, 15},
		5: {5, 5}, 6: {15, 5}, 7: {15, 35}, 8: {5, 35}} {
		p, err := photo.Process(phototest.JPEGWithExif(phototest.Picture(40, 20), o))
		if err != nil {
			t.Fatal(err)
		}
		img := decode(t, p.JPEG)
		if got := img.At(want.X, want.Y); !near(got, red) {
			t.Errorf("orientation %d: %v at %v, want red", o, got, want)
		}
	}
}

func TestScaledToMaxEdge(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, phototest.Picture(4000, 3000), nil); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	p, err := photo.Process(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("12 MP JPEG processed in %v: %d bytes, thumbnail %d bytes", time.Since(start), len(p.JPEG), len(p.Thumbnail))
	if p.Width != 1600 || p.Height != 1200 || p.ThumbWidth != 320 || p.ThumbHeight != 240 {
		t.Errorf("sizes %d×%d, %d×%d", p.Width, p.Height, p.ThumbWidth, p.ThumbHeight)
	}
	if len(p.Hash) != 64 {
		t.Errorf("hash %q", p.Hash)
	}
	img := decode(t, p.Thumbnail)
	if b := img.Bounds(); b.Dx() != 320 || b.Dy() != 240 {
		t.Errorf("thumbnail decodes as %v", b)
	}
}

func TestTransparentOnWhite(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 20, 20))
	img.Set(15, 15, color.NRGBA{0, 0, 220, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	p, err := photo.Process(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got := decode(t, p.JPEG).At(2, 2); !near(got, white) {
		t.Errorf("transparent pixel is %v, want white", got)
	}
}

// pngHeader is the start of a PNG that claims w×h pixels of 8-bit RGBA (or 16-bit).
func pngHeader(w, h uint32, depth byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, 6, 0, 0, 0)
	chunk := append([]byte("IHDR"), ihdr...)
	b := append([]byte("\x89PNG\r\n\x1a\n"), binary.BigEndian.AppendUint32(nil, uint32(len(ihdr)))...)
	b = append(b, chunk...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(chunk))
}

func TestRefusals(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		code string
	}{
		{"bomb", pngHeader(10000, 10000, 8), trygg.EUNPROCESSABLE},  // 100 MP
		{"16-bit", pngHeader(6000, 5000, 16), trygg.EUNPROCESSABLE}, // 30 MP at 8 bytes a pixel
		{"strip", pngHeader(4000, 100, 8), trygg.EUNPROCESSABLE},    // 40:1
		{"not an image", []byte("not an image at all"), trygg.EINVALID},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00"), trygg.EINVALID},
		{"truncated", pngHeader(100, 100, 8), trygg.EINVALID},
	} {
		_, err := photo.Process(c.data)
		if trygg.ErrorCode(err) != c.code || trygg.ErrorField(err) != "body" {
			t.Errorf("%s: %v, want %s on body", c.name, err, c.code)
		}
	}
	if _, _, _, err := photo.Config(pngHeader(6000, 5000, 8)); err != nil {
		t.Errorf("30 MP of 8-bit RGBA: %v", err)
	}
}

// chunkPNG inserts a chunk after a PNG's IHDR.
func chunkPNG(p []byte, typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	body := append([]byte(typ), data...)
	c = append(c, body...)
	c = binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(body))
	at := 8 + 25 // signature, IHDR
	return append(append(append([]byte{}, p[:at]...), c...), p[at:]...)
}

// webpWithExif appends an EXIF chunk to an extended (VP8X) WebP and sets its flag.
func webpWithExif(w []byte, tiff []byte) []byte {
	out := append([]byte{}, w...)
	out[20] |= 0x08 // VP8X flags: EXIF
	out = append(out, "EXIF"...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(tiff)))
	out = append(out, tiff...)
	if len(tiff)%2 == 1 {
		out = append(out, 0)
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out
}

// TestWebPAndPNG: a WebP (with alpha, made by Chromium's canvas) decodes, and the
// orientation of a PNG's eXIf chunk and of a WebP's EXIF chunk is applied.
func TestWebPAndPNG(t *testing.T) {
	webp, err := os.ReadFile("testdata/quadrants.webp")
	if err != nil {
		t.Fatal(err)
	}
	p, err := photo.Process(webp)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, p.JPEG)
	if p.Width != 64 || p.Height != 48 || !near(img.At(5, 5), red) || !near(img.At(50, 5), blue) || !near(img.At(30, 40), green) {
		t.Errorf("the WebP: %d×%d, %v %v %v", p.Width, p.Height, img.At(5, 5), img.At(50, 5), img.At(30, 40))
	}
	turned := webpWithExif(webp, phototest.Exif(3))
	if o := photo.Orientation(turned); o != 3 {
		t.Fatalf("WebP orientation %d, want 3", o)
	}
	if p, err = photo.Process(turned); err != nil {
		t.Fatal(err)
	}
	if img := decode(t, p.JPEG); !near(img.At(58, 42), red) {
		t.Errorf("WebP turned 180°: %v at the bottom right, want red", img.At(58, 42))
	}
	for _, b := range [][]byte{p.JPEG, p.Thumbnail} {
		if bytes.Contains(b, []byte("HEMLIG")) || bytes.Contains(b, []byte("Exif")) {
			t.Error("the WebP's EXIF survived")
		}
	}

	var buf bytes.Buffer
	if err := png.Encode(&buf, phototest.Picture(40, 20)); err != nil {
		t.Fatal(err)
	}
	withExif := chunkPNG(buf.Bytes(), "eXIf", phototest.Exif(8))
	if o := photo.Orientation(withExif); o != 8 {
		t.Fatalf("PNG orientation %d, want 8", o)
	}
	if p, err = photo.Process(withExif); err != nil {
		t.Fatal(err)
	}
	if img := decode(t, p.JPEG); p.Width != 20 || p.Height != 40 || !near(img.At(5, 35), red) {
		t.Errorf("PNG turned by 8: %d×%d, %v at 5,35", p.Width, p.Height, img.At(5, 35))
	}
}
