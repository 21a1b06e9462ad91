// Package photo turns an uploaded photo into what Trygg stores and serves: decoded
// (JPEG, PNG, WebP), turned upright by its EXIF orientation, scaled to fit MaxEdge,
// composed on white where it is transparent and re-encoded as a JPEG, with a
// thumbnail of ThumbEdge. Re-encoding keeps only pixels, so EXIF (GPS, maker notes,
// the camera's serial number), XMP, ICC profiles and comments are gone. No database,
// no HTTP.
package photo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // registers the decoder

	"github.com/trygg-gis/trygg"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers the decoder (decode only)
)

// Limits and sizes.
const (
	MaxBytes     = 10 << 20   // an upload is at most 10 MB
	MaxPixels    = 40_000_000 // decoded images are at most 40 megapixels (20 for 16-bit ones)
	MaxEdge      = 1600       // the stored photo's longer edge, at most
	ThumbEdge    = 320        // the thumbnail's longer edge, at most
	Quality      = 82         // JPEG quality of both
	ContentType  = "image/jpeg"
	maxAspect    = 20 // a photo's long edge is at most 20 times its short one
	minDimension = 1
)

// ContentTypes are the media types an upload may have.
var ContentTypes = []string{"image/jpeg", "image/png", "image/webp"}

// Photo is a processed photo: the JPEG to serve, its thumbnail, their sizes, and the
// hex SHA-256 of the JPEG (its name and ETag).
type Photo struct {
	JPEG          []byte
	Width, Height int
	Thumbnail     []byte
	ThumbWidth    int
	ThumbHeight   int
	Hash          string
}

// Config reads an image's format and dimensions without decoding it, and refuses one
// whose decoded size would be too large (a decompression bomb: a few kilobytes of PNG
// can claim 100 000 × 100 000 pixels). Errors name the field "body".
func Config(data []byte) (format string, w, h int, err error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return "", 0, 0, trygg.Errorf(trygg.EINVALID, "body", "the body is not a JPEG, PNG or WebP image")
		}
		return "", 0, 0, trygg.Errorf(trygg.EINVALID, "body", "the image cannot be read: %v", err)
	}
	if format != "jpeg" && format != "png" && format != "webp" { // other decoders may be registered (GIF, by fpdf)
		return "", 0, 0, trygg.Errorf(trygg.EINVALID, "body", "the body is a %s image: send a JPEG, PNG or WebP", format)
	}
	limit := MaxPixels
	switch cfg.ColorModel {
	case color.RGBA64Model, color.NRGBA64Model, color.Gray16Model:
		limit /= 2 // 8 bytes a pixel decoded
	}
	px := int64(cfg.Width) * int64(cfg.Height)
	switch {
	case cfg.Width < minDimension || cfg.Height < minDimension:
		return "", 0, 0, trygg.Errorf(trygg.EINVALID, "body", "the image has no pixels")
	case px > int64(limit):
		return "", 0, 0, trygg.Errorf(trygg.EUNPROCESSABLE, "body",
			"the image is %d × %d pixels (%.0f megapixels); at most %d megapixels are accepted", cfg.Width, cfg.Height, float64(px)/1e6, limit/1_000_000)
	case max(cfg.Width, cfg.Height) > maxAspect*min(cfg.Width, cfg.Height):
		return "", 0, 0, trygg.Errorf(trygg.EUNPROCESSABLE, "body",
			"the image is %d × %d pixels: a photo's long edge is at most %d times its short one", cfg.Width, cfg.Height, maxAspect)
	}
	return format, cfg.Width, cfg.Height, nil
}

// Process decodes an uploaded JPEG, PNG or WebP (whatever the declared type, which the
// caller checks is one of ContentTypes), applies its EXIF orientation, scales it to
// fit MaxEdge (never up) and a thumbnail to fit ThumbEdge, and encodes both as JPEG.
func Process(data []byte) (Photo, error) {
	var p Photo
	format, _, _, err := Config(data)
	if err != nil {
		return p, err
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return p, trygg.Errorf(trygg.EINVALID, "body", "the %s image cannot be decoded: %v", format, err)
	}
	o := Orientation(data)
	big := fit(src, MaxEdge, o)
	thumb := fit(big, ThumbEdge, 1)
	if p.JPEG, err = encode(big); err != nil {
		return p, err
	}
	if p.Thumbnail, err = encode(thumb); err != nil {
		return p, err
	}
	p.Width, p.Height = big.Bounds().Dx(), big.Bounds().Dy()
	p.ThumbWidth, p.ThumbHeight = thumb.Bounds().Dx(), thumb.Bounds().Dy()
	sum := sha256.Sum256(p.JPEG)
	p.Hash = hex.EncodeToString(sum[:])
	return p, nil
}

func encode(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: Quality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fit scales src to fit edge×edge (never up), on white, then turns it by the EXIF
// orientation o (the scaled image is smaller, so turning it after is cheaper; fitting
// a square is the same either way).
func fit(src image.Image, edge int, o int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > edge || h > edge {
		if w >= h {
			w, h = edge, max(1, (h*edge+w/2)/w)
		} else {
			w, h = max(1, (w*edge+h/2)/h), edge
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	op := draw.Src
	if op2, ok := src.(interface{ Opaque() bool }); !ok || !op2.Opaque() {
		draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
		op = draw.Over
	}
	switch {
	case w == b.Dx() && h == b.Dy():
		draw.Draw(dst, dst.Bounds(), src, b.Min, op)
	case b.Dx() > 2*w && b.Dy() > 2*h:
		// A large reduction: bilinear to twice the size first (cheap, and at most 2:1
		// from there Catmull-Rom's kernel stays small), which halves the time of a
		// 12 MP photo against Catmull-Rom all the way, with no visible difference.
		mid := image.NewRGBA(image.Rect(0, 0, 2*w, 2*h))
		if op == draw.Over {
			draw.Draw(mid, mid.Bounds(), image.White, image.Point{}, draw.Src)
		}
		draw.ApproxBiLinear.Scale(mid, mid.Bounds(), src, b, op, nil)
		draw.CatmullRom.Scale(dst, dst.Bounds(), mid, mid.Bounds(), draw.Src, nil)
	default:
		draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, op, nil)
	}
	return orient(dst, o)
}

// orient returns img turned by the EXIF orientation o (1–8; 1 and any other value:
// as it is). 2: mirrored; 3: turned 180°; 4: upside down mirrored; 5: mirrored along
// the main diagonal; 6: needs 90° clockwise; 7: mirrored along the other diagonal;
// 8: needs 90° counter-clockwise.
func orient(img *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return img
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			si, di := img.PixOffset(sx, sy), dst.PixOffset(x, y)
			copy(dst.Pix[di:di+4], img.Pix[si:si+4])
		}
	}
	return dst
}
