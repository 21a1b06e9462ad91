package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/geo"
)

// MunicipalityStore is what importing municipalities needs of the store.
type MunicipalityStore interface {
	UpsertMunicipalities(ctx context.Context, ms []trygg.Municipality, srid int,
		progress func(done, total int)) (trygg.ImportSummary, error)
}

// MunicipalityOptions tune Municipalities.
type MunicipalityOptions struct {
	SRID     int       // EPSG code of the coordinates when the file has no crs member (0: 4326)
	Only     []string  // import only these codes (and fail if one is missing); nil for all
	Progress io.Writer // progress lines; nil for none
}

// Property names of the code and the name in the files Trygg knows: SCB's (KnKod,
// KnNamn), okfse/sweden-geojson's (id, kom_namn) and plain ones.
var (
	codeKeys = []string{"KnKod", "kn_kod", "kommunkod", "id", "code"}
	nameKeys = []string{"KnNamn", "kn_namn", "kom_namn", "kommunnamn", "name"}
)

// Municipalities imports municipality boundaries from a GeoJSON FeatureCollection in
// EPSG:4326 or EPSG:3006. Every feature is checked (code and name present, a Polygon or
// MultiPolygon with closed rings inside Sweden, a code not repeated), then PostGIS
// checks validity; if any feature is rejected nothing is written and the summary lists
// each rejection with the feature's index.
func Municipalities(ctx context.Context, store MunicipalityStore, r io.Reader, opts MunicipalityOptions) (trygg.ImportSummary, error) {
	var sum trygg.ImportSummary
	fc, srid, err := readFeatureCollection(r, opts.SRID)
	if err != nil {
		return sum, err
	}
	if len(fc.Features) == 0 {
		return sum, fmt.Errorf("the file has no features")
	}
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "read %d features (EPSG:%d)\n", len(fc.Features), srid)
	}
	sweden, _ := geo.SwedenBounds(srid)

	ms := make([]trygg.Municipality, 0, len(fc.Features))
	index := make([]int, 0, len(fc.Features)) // feature index of ms[i]
	seen := map[string]int{}
	var only map[string]bool
	if opts.Only != nil {
		only = map[string]bool{}
		for _, c := range opts.Only {
			only[c] = true
		}
	}
	for i, raw := range fc.Features {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		m, err := municipalityFeature(raw, sweden)
		if only != nil && !only[m.Code] {
			continue
		}
		if err == nil {
			if j, dup := seen[m.Code]; dup {
				err = fmt.Errorf("code %s is also used by feature %d", m.Code, j)
			}
		}
		if err != nil {
			sum.Rejected = append(sum.Rejected, trygg.Rejection{Index: i, Code: m.Code, Reason: err.Error()})
			continue
		}
		seen[m.Code] = i
		ms = append(ms, m)
		index = append(index, i)
	}
	if len(sum.Rejected) > 0 {
		return sum, nil
	}
	for code := range only {
		if _, ok := seen[code]; !ok {
			return sum, fmt.Errorf("the file has no municipality with code %s", code)
		}
	}

	p := &progress{w: opts.Progress, label: "writing"}
	sum, err = store.UpsertMunicipalities(ctx, ms, srid, p.update)
	for k := range sum.Rejected {
		sum.Rejected[k].Index = index[sum.Rejected[k].Index]
	}
	return sum, err
}

// municipalityFeature decodes and checks one feature. The returned municipality's code
// is set whenever the feature has one, also on error, for the report.
func municipalityFeature(raw json.RawMessage, sweden orb.Bound) (trygg.Municipality, error) {
	var m trygg.Municipality
	f, err := geojson.UnmarshalFeature(raw)
	if err != nil {
		return m, fmt.Errorf("not a GeoJSON feature: %v", err)
	}
	m.Code = codeProperty(f.Properties)
	m.Name = strings.TrimSpace(stringProperty(f.Properties, nameKeys))
	if f.Geometry == nil {
		return m, fmt.Errorf("geometry is missing")
	}
	switch g := f.Geometry.(type) {
	case orb.Polygon:
		m.Boundary = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		m.Boundary = g
	default:
		return m, fmt.Errorf("geometry is a %s, want Polygon or MultiPolygon", f.Geometry.GeoJSONType())
	}
	if m.Code == "" {
		return m, fmt.Errorf("municipality code is missing (property %s)", strings.Join(codeKeys, ", "))
	}
	if m.Name == "" {
		return m, fmt.Errorf("municipality name is missing (property %s)", strings.Join(nameKeys, ", "))
	}
	if err := geo.CheckPolygonal(m.Boundary); err != nil {
		return m, fmt.Errorf("invalid boundary: %s", strings.TrimPrefix(err.Error(), "geo: "))
	}
	if !geo.Within(m.Boundary, sweden) {
		b := m.Boundary.Bound()
		return m, fmt.Errorf("boundary %s,%s,%s,%s is outside Sweden (wrong CRS, or swapped axes?)",
			num(b.Min[0]), num(b.Min[1]), num(b.Max[0]), num(b.Max[1]))
	}
	if err := m.Validate(); err != nil {
		return m, fmt.Errorf("%s", trygg.ErrorMessage(err))
	}
	return m, nil
}

func stringProperty(props geojson.Properties, keys []string) string {
	for _, k := range keys {
		if s, ok := props[k].(string); ok && strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// codeProperty reads the municipality code, also when a file stores it as a number
// (114 for Upplands Väsby's 0114).
func codeProperty(props geojson.Properties) string {
	for _, k := range codeKeys {
		switch v := props[k].(type) {
		case string:
			if s := strings.TrimSpace(v); s != "" {
				return s
			}
		case float64: // a whole number is zero-padded; Validate judges the result
			if v == math.Trunc(v) && v >= 0 && v < 1e15 {
				return fmt.Sprintf("%04d", int64(v))
			}
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return ""
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
