package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Stockholm without the system's zone files
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/geo"
)

// ReportStore is what importing reports needs of the store.
type ReportStore interface {
	Categories(ctx context.Context) ([]trygg.Category, error)
	CheckReportPlaces(ctx context.Context, places []orb.Geometry) ([]trygg.Rejection, error)
	ImportReports(ctx context.Context, rs []trygg.Report, gridM float64, actor string,
		progress func(done, total int)) (trygg.ImportSummary, error)
}

// ReportOptions tune Reports.
type ReportOptions struct {
	Name     string    // the file's name: each report's first status is by "import:" + Name
	Source   string    // the source of records that name none ("" for resident)
	Status   string    // published (historical data from the municipality) or received (to moderate); "" for published, but received for est and police records
	GridM    float64   // public positions of points snap to cells this many metres wide (0 for 50)
	Progress io.Writer // progress lines; nil for none
}

// DefaultGridM is the width of the cells public positions snap to, in metres.
const DefaultGridM = 50

// progressMin is the number of records from which progress is shown.
const progressMin = 1000

// ReportSummary is what Reports did.
type ReportSummary struct {
	Format         string         // "CSV (separator ;)" or "GeoJSON"
	Read           int            // records read (CSV rows after the header, or features)
	Imported       int            // reports written
	ByMunicipality map[string]int // reports written per municipality code
	NearBoundary   int            // of them, outside every boundary but within the tolerance of one
	Errors         []RecordError  // refusals, in file order; if any, nothing was written
}

// RecordError is one refusal: the record, the column or field at fault and why.
type RecordError struct {
	Line    int    // CSV: the line the record starts on, the header being line 1; 0 for GeoJSON
	Feature int    // GeoJSON: the feature's index, from 0
	Field   string // CSV: the column(s); GeoJSON: "properties.NAME", "geometry…"; "" for the whole record
	Reason  string
}

func (e RecordError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d", e.Line)
		if e.Field != "" {
			if strings.Contains(e.Field, "/") {
				b.WriteString(", columns ")
			} else {
				b.WriteString(", column ")
			}
			b.WriteString(e.Field)
		}
	} else {
		fmt.Fprintf(&b, "feature %d", e.Feature)
		if e.Field != "" {
			b.WriteString(", " + e.Field)
		}
	}
	return b.String() + ": " + e.Reason
}

// record is the line (CSV) or feature index (GeoJSON).
func (e RecordError) record() int { return e.Line + e.Feature }

// The fields of a report record, and the column or property names that give them
// (English and Swedish, compared without case).
type field int

const (
	fLon field = iota
	fLat
	fWKT
	fCategory
	fFeeling
	fWhen
	fTime
	fSource
	fDescription
	fPrecision
	nFields
)

var fieldNames = map[string]field{
	"lon": fLon, "longitud": fLon, "longitude": fLon,
	"lat": fLat, "latitud": fLat, "latitude": fLat,
	"wkt":      fWKT,
	"category": fCategory, "kategori": fCategory,
	"feeling": fFeeling, "känsla": fFeeling,
	"when": fWhen, "när": fWhen,
	"time": fTime, "tid": fTime, "observed_at": fTime, "date": fTime, "datum": fTime,
	"source": fSource, "källa": fSource,
	"description": fDescription, "beskrivning": fDescription, "text": fDescription,
	"note": fDescription, "anteckning": fDescription, // walk observations' notes
	"precision": fPrecision,
}

const knownColumns = "lon and lat (longitud, latitud) or wkt; category (kategori), feeling (känsla), " +
	"when (när), time (tid, observed_at, date, datum), source (källa), description (beskrivning), precision"

// fieldOf returns the field a column or property name gives. Names are compared
// without case and with å, ä, ö composed (files from macOS may decompose them).
func fieldOf(name string) (field, bool) {
	f, ok := fieldNames[normalizeName(name)]
	return f, ok
}

// layout says where a file's records keep their fields.
type layout struct {
	names        [nFields]string // the column or property of each field; "" if none
	decimalComma bool            // CSV separated by semicolons: 58,26 is 58.26
}

// record is one report as read, before any check.
type record struct {
	line, feature int // as in RecordError
	vals          [nFields]string
	refused       [nFields]bool // a value already refused when read (GeoJSON)
	lay           *layout
	geometry      json.RawMessage // GeoJSON: the feature's geometry
}

func (r *record) errorf(field, format string, args ...any) RecordError {
	return RecordError{Line: r.line, Feature: r.feature, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// fail turns a domain error into a refusal of field (or of the field the error names,
// when field is "").
func (r *record) fail(field string, err error) RecordError {
	if field == "" {
		field = trygg.ErrorField(err)
	}
	return r.errorf(field, "%s", trygg.ErrorMessage(err))
}

// locationField names the columns or member that give a record's place.
func (r *record) locationField() string {
	switch {
	case r.geometry != nil:
		return "geometry"
	case r.lay.names[fWKT] != "":
		return r.lay.names[fWKT]
	}
	return r.lay.names[fLon] + "/" + r.lay.names[fLat]
}

// Reports imports historical reports from CSV (a header row; separated by commas,
// semicolons or tabs; UTF-8 with or without a byte order mark) or a GeoJSON
// FeatureCollection of Points and Polygons in WGS 84. Each record is checked as the
// HTTP API checks a report, and the places of all of them in one store query (each
// must lie in a stored municipality). If any record is refused, nothing is written and
// the summary lists every refusal; otherwise all are written in one transaction.
func Reports(ctx context.Context, store ReportStore, r io.Reader, opts ReportOptions) (ReportSummary, error) {
	var sum ReportSummary
	if opts.Source == "" {
		opts.Source = trygg.SourceResident
	}
	if err := trygg.CheckSource(opts.Source); err != nil {
		return sum, errors.New(trygg.ErrorMessage(err))
	}
	given := opts.Status != ""
	switch opts.Status {
	case "":
		opts.Status = trygg.StatusPublished
	case trygg.StatusPublished, trygg.StatusReceived:
	default:
		return sum, fmt.Errorf("status %q: imported reports are published or received", opts.Status)
	}
	if opts.GridM == 0 {
		opts.GridM = DefaultGridM
	}
	if !(opts.GridM >= 1 && opts.GridM <= 5000) {
		return sum, fmt.Errorf("grid %g m: public positions snap to cells of 1 to 5000 metres", opts.GridM)
	}

	data, err := io.ReadAll(r)
	if err != nil {
		return sum, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeftFunc(data, unicode.IsSpace)
	if len(trimmed) == 0 {
		return sum, errors.New("the file is empty")
	}
	var recs []record
	if trimmed[0] == '{' || trimmed[0] == '[' {
		sum.Format = "GeoJSON"
		recs, sum.Read, sum.Errors, err = readGeoJSONReports(data)
	} else {
		var sep rune
		recs, sum.Read, sep, sum.Errors, err = readCSVReports(data)
		sum.Format = fmt.Sprintf("CSV, separator %q", sep)
	}
	if err != nil {
		return sum, err
	}
	if sum.Read == 0 && len(sum.Errors) == 0 {
		return sum, errors.New("the file has no records")
	}
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "read %d records (%s)\n", sum.Read, sum.Format)
	}
	if len(recs) == 0 {
		return sum, nil
	}

	cats, err := store.Categories(ctx)
	if err != nil {
		return sum, err
	}
	c := checker{cats: cats, source: opts.Source, status: opts.Status, statusGiven: given}
	var show io.Writer
	if len(recs) >= progressMin {
		show = opts.Progress
	}
	reports := make([]trygg.Report, 0, len(recs))
	places := make([]orb.Geometry, 0, len(recs)) // the place of every record whose place is readable
	placeOf := make([]int, 0, len(recs))         // the record of places[i]
	p := &progress{w: show, label: "checking"}
	for i := range recs {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return sum, err
			}
		}
		rep, errs := c.check(&recs[i])
		if rep.Location != nil {
			places = append(places, rep.Location)
			placeOf = append(placeOf, i)
		}
		if len(errs) > 0 {
			sum.Errors = append(sum.Errors, errs...)
		} else {
			reports = append(reports, rep)
		}
		p.update(i+1, len(recs))
	}
	placeError := func(rej trygg.Rejection) RecordError {
		rec := &recs[placeOf[rej.Index]]
		return rec.errorf(rec.locationField(), "%s", rej.Reason)
	}
	if len(sum.Errors) > 0 {
		// The places too, so that one run lists every refusal.
		if len(places) > 0 {
			rej, err := store.CheckReportPlaces(ctx, places)
			if err != nil {
				return sum, err
			}
			for _, r := range rej {
				sum.Errors = append(sum.Errors, placeError(r))
			}
		}
		slices.SortStableFunc(sum.Errors, func(a, b RecordError) int { return a.record() - b.record() })
		return sum, nil
	}

	w := &progress{w: show, label: "writing"}
	is, err := store.ImportReports(ctx, reports, opts.GridM, "import:"+opts.Name, func(done, total int) {
		w.update(done, total)
		if done == total && show != nil {
			fmt.Fprintln(show, "finding municipalities and storing")
		}
	})
	if err != nil {
		return sum, err
	}
	for _, r := range is.Rejected {
		sum.Errors = append(sum.Errors, placeError(r)) // every record has a place: indexes agree
	}
	if len(sum.Errors) > 0 {
		return sum, nil
	}
	sum.Imported, sum.ByMunicipality, sum.NearBoundary = is.Inserted, is.ByMunicipality, is.NearBoundary
	return sum, nil
}

// readCSVReports reads the header and the records of a CSV file (readCSV). Header
// faults end the reading (the columns cannot be trusted); a record with the wrong number
// of values is refused and reading goes on; a quoting fault ends it.
func readCSVReports(data []byte) (recs []record, read int, sep rune, errs []RecordError, err error) {
	header, rows, read, sep, errs, err := readCSV(data)
	if err != nil || header == nil {
		return nil, 0, sep, errs, err
	}
	lay, lerrs := csvLayout(header, sep)
	if len(lerrs) > 0 {
		return nil, 0, sep, lerrs, nil
	}
	colOf := make([]field, len(header)) // nFields for an unnamed column
	for j, h := range header {
		var ok bool
		if colOf[j], ok = fieldOf(h); !ok {
			colOf[j] = nFields
		}
	}
	for _, row := range rows {
		rec := record{line: row.line, lay: lay}
		for j, v := range row.vals {
			if colOf[j] == nFields {
				if v != "" {
					errs = append(errs, rec.errorf("", "value %q in column %d, which has no name", abbreviate(v, 40), j+1))
				}
				continue
			}
			rec.vals[colOf[j]] = v
		}
		recs = append(recs, rec)
	}
	return recs, read, sep, errs, nil
}

// detectSeparator picks the separator the header row uses most: comma, semicolon or tab.
func detectSeparator(data []byte) rune {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(line) {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	sep := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[sep] {
			sep = c
		}
	}
	return sep
}

// csvLayout maps a header row to the fields; every fault is an error of line 1.
func csvLayout(header []string, sep rune) (*layout, []RecordError) {
	lay := &layout{decimalComma: sep != ','}
	var errs []RecordError
	for _, h := range header {
		name := strings.TrimSpace(h)
		f, ok := fieldOf(name)
		switch {
		case name == "":
			// An unnamed column (a separator at the end of the header, say) must stay empty.
		case !ok:
			errs = append(errs, RecordError{Line: 1, Field: name, Reason: "unknown column; the columns are " + knownColumns})
		case lay.names[f] != "":
			errs = append(errs, RecordError{Line: 1, Field: name, Reason: "repeats column " + lay.names[f]})
		default:
			lay.names[f] = name
		}
	}
	errs = append(errs, checkLayout(lay, func(reason string) RecordError {
		return RecordError{Line: 1, Reason: reason}
	})...)
	return lay, errs
}

// checkLayout says which fields a file (or feature) lacks or gives twice.
func checkLayout(lay *layout, fail func(reason string) RecordError) []RecordError {
	var errs []RecordError
	n := lay.names
	switch {
	case n[fWKT] != "" && (n[fLon] != "" || n[fLat] != ""):
		errs = append(errs, fail(fmt.Sprintf("give the place in %s or in lon and lat, not both", n[fWKT])))
	case n[fWKT] == "" && n[fLon] == "" && n[fLat] == "":
		errs = append(errs, fail("no column gives the place: lon and lat (longitud, latitud), or wkt"))
	case n[fWKT] == "" && n[fLat] == "":
		errs = append(errs, fail(fmt.Sprintf("column %s has no partner: add lat (latitud)", n[fLon])))
	case n[fWKT] == "" && n[fLon] == "":
		errs = append(errs, fail(fmt.Sprintf("column %s has no partner: add lon (longitud)", n[fLat])))
	}
	if n[fCategory] == "" {
		errs = append(errs, fail("no column gives the category: category (kategori)"))
	}
	if n[fFeeling] == "" {
		errs = append(errs, fail("no column gives the feeling: feeling (känsla), 1 very unsafe to 4 safe"))
	}
	return errs
}

// reportFeature is a GeoJSON Feature, decoded by hand for precise refusals.
type reportFeature struct {
	Type       string                     `json:"type"`
	Geometry   json.RawMessage            `json:"geometry"`
	Properties map[string]json.RawMessage `json:"properties"`
}

// readGeoJSONReports reads a FeatureCollection in WGS 84 (no crs member, or CRS84 or
// EPSG:4326). A malformed file is an error; a malformed feature is refused.
func readGeoJSONReports(data []byte) ([]record, int, []RecordError, error) {
	fc, err := decodeFeatureCollection(data)
	if err != nil {
		return nil, 0, nil, err
	}
	if fc.CRS != nil {
		srid, err := parseCRSName(fc.CRS.Properties.Name)
		if err != nil {
			return nil, 0, nil, fmt.Errorf("crs: %v: reports are in WGS 84 longitude, latitude (CRS84 or EPSG:4326)", err)
		}
		if srid != geo.WGS84 {
			return nil, 0, nil, fmt.Errorf("crs is EPSG:%d: reports are in WGS 84 longitude, latitude (CRS84 or EPSG:4326)", srid)
		}
	}
	recs := make([]record, 0, len(fc.Features))
	var errs []RecordError
	for i, raw := range fc.Features {
		rec := record{feature: i, lay: &layout{}}
		var f reportFeature
		if err := json.Unmarshal(raw, &f); err != nil {
			errs = append(errs, rec.errorf("", "not a GeoJSON Feature: %v", err))
			continue
		}
		if f.Type != "Feature" {
			errs = append(errs, rec.errorf("type", "type is %q, want Feature", f.Type))
			continue
		}
		rec.geometry = f.Geometry
		if rec.geometry == nil {
			rec.geometry = json.RawMessage("null")
		}
		for _, key := range slices.Sorted(maps.Keys(f.Properties)) {
			prop := "properties." + key
			fld, ok := fieldOf(key)
			switch {
			case !ok:
				errs = append(errs, rec.errorf(prop, "unknown property; the properties are %s", strings.TrimPrefix(knownColumns, "lon and lat (longitud, latitud) or wkt; ")))
				continue
			case fld == fLon || fld == fLat || fld == fWKT:
				errs = append(errs, rec.errorf(prop, "a feature's place is its geometry"))
				continue
			case rec.lay.names[fld] != "":
				errs = append(errs, rec.errorf(prop, "repeats property %s", rec.lay.names[fld]))
				continue
			}
			rec.lay.names[fld] = prop
			v, err := propertyText(f.Properties[key])
			if err != nil {
				errs = append(errs, rec.errorf(prop, "%v", err))
				rec.refused[fld] = true
				continue
			}
			rec.vals[fld] = strings.TrimSpace(v)
		}
		if rec.lay.names[fCategory] == "" {
			rec.lay.names[fCategory] = "properties.category"
		}
		if rec.lay.names[fFeeling] == "" {
			rec.lay.names[fFeeling] = "properties.feeling"
		}
		recs = append(recs, rec) // checked also when a property was refused, to list every fault
	}
	return recs, len(fc.Features), errs, nil
}

// propertyText returns a property's value as text: a string, a number as written, a
// list of strings joined with ";" (for when), or "" for null.
func propertyText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", nil
	}
	switch c := raw[0]; {
	case c == 'n':
		return "", nil
	case c == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case c == '-' || c >= '0' && c <= '9':
		return string(raw), nil
	case c == '[':
		var list []string
		if err := json.Unmarshal(raw, &list); err != nil {
			return "", errors.New("a list must hold texts")
		}
		return strings.Join(list, ";"), nil
	}
	return "", errors.New("must be a text or a number")
}

// checker checks records as the HTTP API checks a report.
type checker struct {
	cats           []trygg.Category
	source, status string
	statusGiven    bool // else staff sources' records are received (trygg.StaffSourced)
}

var (
	stockholm, _ = time.LoadLocation("Europe/Stockholm")
	whenSV       = map[string]string{"dag": "day", "kväll": "evening", "natt": "night", "vardag": "weekday", "helg": "weekend"}
)

// check turns a record into a report, or says everything wrong with it. The report's
// Location is set whenever the place itself passed, also when other fields did not.
func (c *checker) check(rec *record) (trygg.Report, []RecordError) {
	var rep trygg.Report
	var errs []RecordError
	names, vals := &rec.lay.names, &rec.vals

	g, placeErr := rec.location()
	if placeErr != nil {
		errs = append(errs, *placeErr)
	}
	var err error

	// One category, or several reasons separated by semicolons ("belysning;vegetation"),
	// the main one first.
	rep.Category = vals[fCategory]
	if rec.refused[fCategory] {
		// said when read
	} else if strings.Contains(rep.Category, ";") {
		list := strings.Split(rep.Category, ";")
		for i := range list {
			list[i] = strings.TrimSpace(list[i])
		}
		if rep.Category, rep.Categories, err = trygg.CheckCategories("", list, c.cats); err != nil {
			errs = append(errs, rec.fail(names[fCategory], err))
		}
	} else if err := trygg.CheckCategory(rep.Category, c.cats); err != nil {
		e := rec.fail(names[fCategory], err)
		if rep.Category != "" {
			e.Reason += c.categoryHint(rep.Category)
		}
		errs = append(errs, e)
	}

	var feeling *int
	if v := vals[fFeeling]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, rec.errorf(names[fFeeling], "feeling %q is not a whole number: 1 very unsafe, 2 unsafe, 3 acceptable, 4 safe", v))
		} else {
			feeling = &n
		}
	}
	if (feeling != nil || vals[fFeeling] == "") && !rec.refused[fFeeling] {
		if n, err := trygg.CheckFeeling(feeling); err != nil {
			errs = append(errs, rec.fail(names[fFeeling], err))
		} else {
			rep.Feeling = n
		}
	}

	if v := vals[fWhen]; v != "" && !rec.refused[fWhen] {
		parts := strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '|' || r == ',' || unicode.IsSpace(r) })
		for i, p := range parts {
			if en, ok := whenSV[strings.ToLower(p)]; ok {
				parts[i] = en
			}
		}
		if rep.When, err = normalizeWhen(parts); err != nil {
			errs = append(errs, rec.errorf(names[fWhen], "%s (or dag, kväll, natt, vardag, helg)", trygg.ErrorMessage(err)))
		}
	}

	if v := vals[fTime]; v != "" && !rec.refused[fTime] {
		if t, dateOnly, ok := parseTimeOrDate(v); !ok {
			errs = append(errs, rec.errorf(names[fTime], "%q is not a time: write 2024-11-20T21:30:00+01:00 (RFC 3339), 2024-11-20 21:30 (Swedish time) or 2024-11-20", v))
		} else if err := trygg.CheckObservedAt(names[fTime], t); err != nil {
			errs = append(errs, rec.fail("", err))
		} else if dateOnly {
			// A day without a time of day is the report's date, not a moment: noon of
			// that day as when it was made, no observed hour (its times are what it
			// named).
			y, m, d := t.Date()
			rep.CreatedAt = time.Date(y, m, d, 12, 0, 0, 0, stockholm)
		} else {
			rep.ObservedAt = &t
		}
	}

	rep.Source = vals[fSource]
	if rep.Source == "" || rec.refused[fSource] {
		rep.Source = c.source
	}
	if err := trygg.CheckSource(rep.Source); err != nil {
		errs = append(errs, rec.fail(names[fSource], err))
	}
	rep.Status = c.status
	if !c.statusGiven && trygg.StaffSourced(rep.Source) {
		rep.Status = trygg.StatusReceived // public once a planner publishes it
	}

	if d := vals[fDescription]; d != "" {
		if err := trygg.CheckText(names[fDescription], d, trygg.MaxDescription); err != nil {
			errs = append(errs, rec.fail("", err))
		}
		rep.Description = trygg.CleanText(d)
		rep.PublicDescription = trygg.MaskContacts(d)
	}

	if g != nil {
		if rep.Precision, err = trygg.ReportPrecision(g, vals[fPrecision]); err != nil {
			f := names[fPrecision]
			if f == "" {
				f = rec.locationField()
			}
			errs = append(errs, rec.fail(f, err))
		}
		rep.Location = g
	}
	return rep, errs
}

// normalizeWhen is trygg.NormalizeWhen, which keeps nil for an empty list.
func normalizeWhen(parts []string) ([]string, error) {
	if len(parts) == 0 {
		return nil, nil
	}
	return trygg.NormalizeWhen(parts)
}

// categoryHint helps with an unknown category: a label given for its code, or the
// codes.
func (c *checker) categoryHint(v string) string {
	for _, cat := range c.cats {
		if strings.EqualFold(v, cat.LabelSV) || strings.EqualFold(v, cat.LabelEN) || strings.EqualFold(v, cat.Code) {
			return fmt.Sprintf(": that is category %s, give its code", cat.Code)
		}
	}
	codes := make([]string, len(c.cats))
	for i, cat := range c.cats {
		codes[i] = cat.Code
	}
	return "; the codes are " + strings.Join(codes, ", ")
}

// parseTimeOrDate is parseTime, saying whether s was a date without a time of day.
func parseTimeOrDate(s string) (t time.Time, dateOnly bool, ok bool) {
	t, ok = parseTime(s)
	_, err := time.Parse(time.DateOnly, s)
	return t, ok && err == nil, ok
}

// parseTime reads RFC 3339, or a Swedish local time "2024-11-20 21:30", or a date.
func parseTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, stockholm); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// location reads and checks a record's place: a GeoJSON geometry, a WKT value, or
// lon and lat.
func (rec *record) location() (orb.Geometry, *RecordError) {
	fail := func(err error) (orb.Geometry, *RecordError) {
		e := rec.fail("", err)
		return nil, &e
	}
	switch {
	case rec.geometry != nil:
		g, err := geoJSONGeometry(rec.geometry)
		if err != nil {
			return fail(err)
		}
		if err := checkPlace(g, "geometry", "geometry.coordinates", "GeoJSON positions are [longitude, latitude]"); err != nil {
			return fail(err)
		}
		return g, nil

	case rec.lay.names[fWKT] != "":
		col := rec.lay.names[fWKT]
		g, err := wktGeometry(rec.vals[fWKT], col)
		if err != nil {
			return fail(err)
		}
		if err := checkPlace(g, col, col, "WKT positions are longitude latitude"); err != nil {
			return fail(err)
		}
		return g, nil
	}
	lonCol, latCol := rec.lay.names[fLon], rec.lay.names[fLat]
	cols := lonCol + "/" + latCol
	lon, err := rec.number(fLon)
	if err != nil {
		return fail(err)
	}
	lat, err := rec.number(fLat)
	if err != nil {
		return fail(err)
	}
	p, err := trygg.CheckPosition(cols, lon, lat)
	if err != nil {
		return fail(err)
	}
	order := fmt.Sprintf("%s is the longitude (east, 10 to 24 in Sweden), %s the latitude (north, 55 to 69)", lonCol, latCol)
	if err := trygg.CheckInSweden(p, cols, cols, order); err != nil {
		return fail(err)
	}
	return p, nil
}

// number reads a coordinate column; files separated by semicolons may use a decimal
// comma.
func (rec *record) number(f field) (float64, error) {
	col, v := rec.lay.names[f], rec.vals[f]
	if v == "" {
		return 0, trygg.Errorf(trygg.EINVALID, col, "%s is missing", col)
	}
	if rec.lay.decimalComma && strings.Count(v, ",") == 1 && !strings.Contains(v, ".") {
		v = strings.Replace(v, ",", ".", 1)
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, trygg.Errorf(trygg.EINVALID, col, "%s %q is not a number", col, rec.vals[f])
	}
	return x, nil
}

// checkPlace checks a Point or Polygon: positions, the polygon's shape and size, and
// Sweden.
func checkPlace(g orb.Geometry, field, coords, order string) error {
	switch g := g.(type) {
	case orb.Point:
		if _, err := trygg.CheckPosition(coords, g[0], g[1]); err != nil {
			return err
		}
	case orb.Polygon:
		for _, r := range g {
			for _, p := range r {
				if _, err := trygg.CheckPosition(coords, p[0], p[1]); err != nil {
					return err
				}
			}
		}
		if err := trygg.CheckArea(coords, g); err != nil {
			return err
		}
	default:
		return trygg.Errorf(trygg.EINVALID, field, "a report is a Point or a Polygon, not a %s", g.GeoJSONType())
	}
	return trygg.CheckInSweden(g, field, coords, order)
}

// geoJSONGeometry decodes a Point or a Polygon.
func geoJSONGeometry(raw json.RawMessage) (orb.Geometry, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, trygg.Errorf(trygg.EINVALID, "geometry", "geometry is missing: a Point or a Polygon")
	}
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
		CRS         json.RawMessage `json:"crs"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, trygg.Errorf(trygg.EINVALID, "geometry", "not a GeoJSON geometry: %v", err)
	}
	if len(g.CRS) > 0 {
		return nil, trygg.Errorf(trygg.EINVALID, "geometry.crs", "crs is not allowed in a geometry: coordinates are WGS 84 longitude, latitude")
	}
	const coords = "geometry.coordinates"
	if len(g.Coordinates) == 0 || string(g.Coordinates) == "null" {
		return nil, trygg.Errorf(trygg.EINVALID, coords, "coordinates are missing")
	}
	switch g.Type {
	case "Point":
		var c []float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, trygg.Errorf(trygg.EINVALID, coords, "a Point's coordinates are [longitude, latitude]")
		}
		if len(c) < 2 || len(c) > 3 {
			return nil, trygg.Errorf(trygg.EINVALID, coords, "a position is [longitude, latitude], not %d numbers", len(c))
		}
		return orb.Point{c[0], c[1]}, nil
	case "Polygon":
		var rings [][][]float64
		if err := json.Unmarshal(g.Coordinates, &rings); err != nil {
			return nil, trygg.Errorf(trygg.EINVALID, coords, "a Polygon's coordinates are rings of [longitude, latitude] positions")
		}
		poly := make(orb.Polygon, len(rings))
		for i, ring := range rings {
			for _, c := range ring {
				if len(c) < 2 || len(c) > 3 {
					return nil, trygg.Errorf(trygg.EINVALID, coords, "a position is [longitude, latitude], not %d numbers", len(c))
				}
				poly[i] = append(poly[i], orb.Point{c[0], c[1]})
			}
		}
		return poly, nil
	case "":
		return nil, trygg.Errorf(trygg.EINVALID, "geometry.type", "the geometry's type is missing")
	}
	return nil, trygg.Errorf(trygg.EINVALID, "geometry.type", "a report is a Point or a Polygon, not a %s", g.Type)
}

// wktGeometry reads a WKT POINT or POLYGON, optionally with the EWKT prefix SRID=4326.
func wktGeometry(s, col string) (orb.Geometry, error) {
	if s == "" {
		return nil, trygg.Errorf(trygg.EINVALID, col, "%s is missing: POINT(lon lat) or POLYGON((lon lat, …))", col)
	}
	if srid, rest, ok := strings.Cut(s, ";"); ok && strings.HasPrefix(strings.ToUpper(srid), "SRID=") {
		if strings.TrimSpace(srid[5:]) != "4326" {
			return nil, trygg.Errorf(trygg.EINVALID, col, "%s: reports are in WGS 84 longitude, latitude (SRID=4326)", srid)
		}
		s = rest
	}
	g, err := wkt.Unmarshal(s)
	if err != nil {
		return nil, trygg.Errorf(trygg.EINVALID, col, "%q is not WKT: write POINT(lon lat) or POLYGON((lon lat, …))", abbreviate(s, 60))
	}
	return g, nil
}

func abbreviate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
