// Package importer reads files that people bring (GeoJSON boundaries, historical reports
// in CSV or GeoJSON; walks and police events later), checks every record, and hands
// them to the store all or nothing. Every refusal names the record (feature index or
// line) and the reason.
package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/trygg-gis/trygg/geo"
)

// featureCollection is the top of a GeoJSON file, with features kept raw so that one
// bad feature is reported by its index instead of failing the whole decode.
type featureCollection struct {
	Type     string            `json:"type"`
	CRS      *crsMember        `json:"crs"`
	Features []json.RawMessage `json:"features"`
}

type crsMember struct {
	Type       string `json:"type"`
	Properties struct {
		Name string `json:"name"`
	} `json:"properties"`
}

var epsgRE = regexp.MustCompile(`(?i)^(?:urn:ogc:def:crs:EPSG:[0-9.]*:|EPSG:|https?://www\.opengis\.net/def/crs/EPSG/[0-9.]+/)([0-9]+)$`)

// parseCRSName returns the EPSG code of a GeoJSON 2008 named CRS.
func parseCRSName(name string) (int, error) {
	n := strings.TrimSpace(name)
	switch strings.ToUpper(n) {
	case "URN:OGC:DEF:CRS:OGC:1.3:CRS84", "URN:OGC:DEF:CRS:OGC::CRS84", "CRS84",
		"HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84":
		return geo.WGS84, nil
	}
	m := epsgRE.FindStringSubmatch(n)
	if m == nil {
		return 0, fmt.Errorf("unknown crs %q", name)
	}
	return strconv.Atoi(m[1])
}

// readFeatureCollection decodes r and works out its CRS: from the crs member, from
// srid when the caller gives one (0 for none), or EPSG:4326 as RFC 7946 says. Only
// EPSG:4326 and EPSG:3006 are accepted.
func readFeatureCollection(r io.Reader, srid int) (*featureCollection, int, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, 0, err
	}
	fc, err := decodeFeatureCollection(data)
	if err != nil {
		return nil, 0, err
	}
	fileSRID := 0
	if fc.CRS != nil {
		if fileSRID, err = parseCRSName(fc.CRS.Properties.Name); err != nil {
			return nil, 0, err
		}
	}
	switch {
	case srid != 0 && fileSRID != 0 && srid != fileSRID:
		return nil, 0, fmt.Errorf("the file says EPSG:%d but --srid says %d", fileSRID, srid)
	case srid == 0 && fileSRID != 0:
		srid = fileSRID
	case srid == 0:
		srid = geo.WGS84
	}
	if _, ok := geo.SwedenBounds(srid); !ok {
		return nil, 0, fmt.Errorf("EPSG:%d is not supported: use EPSG:4326 or EPSG:3006", srid)
	}
	return fc, srid, nil
}

// decodeFeatureCollection decodes a FeatureCollection, keeping its features raw.
func decodeFeatureCollection(data []byte) (*featureCollection, error) {
	var fc featureCollection
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, jsonError(data, err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("not a GeoJSON FeatureCollection (type is %q)", fc.Type)
	}
	return &fc, nil
}

// jsonError adds the line and column to a JSON syntax or type error.
func jsonError(data []byte, err error) error {
	var offset int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	}
	if offset < 0 || offset > int64(len(data)) {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	line := 1 + strings.Count(string(data[:offset]), "\n")
	col := int(offset) - strings.LastIndex(string(data[:offset]), "\n")
	return fmt.Errorf("invalid JSON at line %d, column %d: %w", line, col, err)
}

// progress prints "label done/total" lines to w at about every tenth of the work and at
// the end, so long imports show they are moving without flooding a log.
type progress struct {
	w     io.Writer
	label string
	last  int
}

func (p *progress) update(done, total int) {
	if p == nil || p.w == nil || total == 0 {
		return
	}
	step := total / 10
	if step < 1 {
		step = 1
	}
	if done == total || done-p.last >= step {
		p.last = done
		fmt.Fprintf(p.w, "%s %d/%d (%d%%)\n", p.label, done, total, done*100/total)
	}
}
