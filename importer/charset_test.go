package importer_test

import (
	"strings"
	"testing"

	"github.com/trygg-gis/trygg/importer"
)

// A GPX file in, or declaring, an encoding the importer cannot read is refused as a
// file (line 1: encoding), naming the encoding; it is not a failure to read.
func TestReadGPXCharsets(t *testing.T) {
	t.Parallel()
	const gpx = `<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>` +
		`<trkpt lat="58.26" lon="13.10"/><trkpt lat="58.261" lon="13.101"/></trkseg></trk></gpx>`
	decl := func(enc string) string { return `<?xml version="1.0" encoding="` + enc + `"?>` + "\n" + gpx }
	for _, tc := range []struct {
		name, file, want string // want: the refusals, "" for none
	}{
		{"UTF-8", decl("UTF-8"), ""},
		{"utf8", decl("utf8"), ""},
		{"US-ASCII", decl("US-ASCII"), ""},
		{"ISO-8859-1", decl("ISO-8859-1"), ""},
		{"declared UTF-16", decl("UTF-16"), `line 1: encoding: the file declares encoding "UTF-16", which is not supported: save it as UTF-8`},
		{"unknown", decl("x-klingon"), `line 1: encoding: the file declares encoding "x-klingon", which is not supported: save it as UTF-8`},
		{"UTF-16 bytes", "\xff\xfe" + strings.Join(strings.Split(decl("UTF-16"), ""), "\x00"),
			"line 1: encoding: the file is in UTF-16, which is not supported: save it as UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, format := range []string{importer.FormatGPX, ""} {
				if format == "" && tc.name == "UTF-16 bytes" {
					continue // not told apart from CSV by its first character
				}
				rt, errs, err := importer.ReadRoute(strings.NewReader(tc.file), format)
				if err != nil {
					t.Fatalf("format %q: %v, want a refusal", format, err)
				}
				if got := routeErrors(errs); got != tc.want {
					t.Errorf("format %q: refusals %q, want %q", format, got, tc.want)
				}
				if tc.want == "" && len(rt.Line) != 2 {
					t.Errorf("format %q: %d points, want 2", format, len(rt.Line))
				}
			}
		})
	}
}
