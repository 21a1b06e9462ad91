package photo

import (
	"bytes"
	"encoding/binary"
)

// Orientation returns the EXIF orientation (1–8) of a JPEG (its APP1 Exif segment), a
// PNG (its eXIf chunk) or a WebP (its EXIF chunk), or 1 when it has none or it cannot
// be read. Only IFD0's tag 0x0112 is read; nothing else of the EXIF is kept.
func Orientation(data []byte) int {
	var tiff []byte
	switch {
	case len(data) > 4 && data[0] == 0xFF && data[1] == 0xD8:
		tiff = jpegExif(data)
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		tiff = pngExif(data)
	case len(data) > 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		tiff = webpExif(data)
	}
	return tiffOrientation(bytes.TrimPrefix(tiff, []byte("Exif\x00\x00")))
}

// jpegExif returns the TIFF data of a JPEG's first APP1 Exif segment, reading the
// segments before the image data (start of scan).
func jpegExif(b []byte) []byte {
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return nil
		}
		marker := b[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7):
			i += 2 // no length
			continue
		case marker == 0xDA || marker == 0xD9: // start of scan, end of image
			return nil
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return nil
		}
		seg := b[i+4 : i+2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return seg[6:]
		}
		i += 2 + n
	}
	return nil
}

// pngExif returns the data of a PNG's eXIf chunk.
func pngExif(b []byte) []byte {
	for i := 8; i+12 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		if n < 0 || i+12+n > len(b) {
			return nil
		}
		switch typ {
		case "eXIf":
			return b[i+8 : i+8+n]
		case "IDAT", "IEND":
			return nil
		}
		i += 12 + n
	}
	return nil
}

// webpExif returns the data of a WebP's EXIF chunk (extended format).
func webpExif(b []byte) []byte {
	for i := 12; i+8 <= len(b); {
		n := int(binary.LittleEndian.Uint32(b[i+4:]))
		if n < 0 || i+8+n > len(b) {
			return nil
		}
		if string(b[i:i+4]) == "EXIF" {
			return b[i+8 : i+8+n]
		}
		i += 8 + n + n&1 // chunks are padded to an even size
	}
	return nil
}

// tiffOrientation reads tag 0x0112 (Orientation, SHORT) of IFD0 of EXIF's TIFF data.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	ifd := int(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > len(t) {
		return 1
	}
	n := int(bo.Uint16(t[ifd:]))
	for k := 0; k < n; k++ {
		e := ifd + 2 + 12*k
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		if bo.Uint16(t[e+2:]) != 3 { // SHORT
			return 1
		}
		if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
			return o
		}
		return 1
	}
	return 1
}
