package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
)

// The CSV machinery of report import, shared with other files people bring: EST
// incidents and the places of citizen dialogues (through the HTTP API).

// csvRow is one CSV record: the line it starts on and its values, trimmed.
type csvRow struct {
	line int
	vals []string
}

// readCSV reads a CSV file (a byte order mark already removed): its header row and its
// records, separated by what the header row uses most (comma, semicolon or tab). Text
// that is not UTF-8 or a header that is not CSV is one refusal and a nil header; a
// record with the wrong number of values is refused and reading goes on; a quoting
// fault is refused and ends the reading.
func readCSV(data []byte) (header []string, rows []csvRow, read int, sep rune, errs []RecordError, err error) {
	if !utf8.Valid(data) {
		n := 0
		for len(data) > 0 {
			line, rest, _ := bytes.Cut(data, []byte("\n"))
			n++
			if !utf8.Valid(line) {
				break
			}
			data = rest
		}
		return nil, nil, 0, ',', []RecordError{{Line: n, Reason: "the text is not UTF-8: save the file as UTF-8 (in Excel: CSV UTF-8)"}}, nil
	}
	sep = detectSeparator(data)
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sep
	cr.TrimLeadingSpace = true
	header, err = cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, nil, 0, sep, []RecordError{{Line: 1, Reason: "the header row is not CSV: " + pe.Err.Error()}}, nil
		}
		return nil, nil, 0, sep, nil, fmt.Errorf("reading the header: %w", err)
	}
	shortLast := -1 // index in errs of a short last record
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		read++
		shortLast = -1
		var pe *csv.ParseError
		if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
			errs = append(errs, RecordError{Line: pe.StartLine,
				Reason: fmt.Sprintf("%d values, but the header has %d columns", len(row), len(header))})
			if len(row) < len(header) {
				shortLast = len(errs) - 1
			}
			continue
		}
		if errors.As(err, &pe) {
			errs = append(errs, RecordError{Line: pe.StartLine,
				Reason: fmt.Sprintf("%v (line %d, column %d); the rest of the file was not read", pe.Err, pe.Line, pe.Column)})
			return header, rows, read, sep, errs, nil
		}
		if err != nil {
			return nil, nil, read, sep, nil, err
		}
		line, _ := cr.FieldPos(0)
		for j := range row {
			row[j] = strings.TrimSpace(row[j])
		}
		rows = append(rows, csvRow{line: line, vals: row})
	}
	if shortLast >= 0 {
		errs[shortLast].Reason += " (is the file cut short?)"
	}
	return header, rows, read, sep, errs, nil
}

// Table is a CSV file read by its header row, for files with columns of their own.
type Table struct {
	Rows         []TableRow
	names        map[string]string // column → its name in the header, as written
	decimalComma bool
}

// TableRow is one record of a Table.
type TableRow struct {
	Line   int               // the line the record starts on; the header is line 1
	Values map[string]string // by column; "" for a column the file lacks
}

// ReadTable reads a CSV file as report import does (a header row; comma, semicolon or
// tab; UTF-8 with or without a byte order mark; every refusal named by line): columns
// maps each name a header may use (compared without case, å ä ö composed) to the column
// it gives, and every column in required must be there. Unknown, repeated or missing
// columns, records with the wrong number of values and values in unnamed columns are
// refused; the Table holds the records that were read.
func ReadTable(data []byte, columns map[string]string, required ...string) (*Table, []RecordError, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimLeftFunc(data, unicode.IsSpace)) == 0 {
		return nil, nil, errors.New("the file is empty")
	}
	header, rows, _, sep, errs, err := readCSV(data)
	if err != nil || header == nil {
		return nil, errs, err
	}
	t := &Table{names: map[string]string{}, decimalComma: sep != ','}
	colOf := make([]string, len(header)) // "" for an unnamed column
	var known []string
	for name := range columns {
		known = append(known, name)
	}
	slices.Sort(known)
	var headerErrs []RecordError
	for j, h := range header {
		name := strings.TrimSpace(h)
		col, ok := columns[normalizeName(name)]
		switch {
		case name == "":
		case !ok:
			headerErrs = append(headerErrs, RecordError{Line: 1, Field: name, Reason: "unknown column; the columns are " + strings.Join(known, ", ")})
		case t.names[col] != "":
			headerErrs = append(headerErrs, RecordError{Line: 1, Field: name, Reason: "repeats column " + t.names[col]})
		default:
			t.names[col] = name
			colOf[j] = col
		}
	}
	for _, col := range required {
		if t.names[col] == "" {
			var aliases []string
			for _, name := range known {
				if columns[name] == col {
					aliases = append(aliases, name)
				}
			}
			headerErrs = append(headerErrs, RecordError{Line: 1, Reason: fmt.Sprintf("no column gives %s: %s", col, strings.Join(aliases, " or "))})
		}
	}
	if len(headerErrs) > 0 {
		return nil, headerErrs, nil
	}
	for _, row := range rows {
		tr := TableRow{Line: row.line, Values: make(map[string]string, len(t.names))}
		for j, v := range row.vals {
			if colOf[j] == "" {
				if v != "" {
					errs = append(errs, RecordError{Line: row.line, Reason: fmt.Sprintf("value %q in column %d, which has no name", abbreviate(v, 40), j+1)})
				}
				continue
			}
			tr.Values[colOf[j]] = v
		}
		t.Rows = append(t.Rows, tr)
	}
	slices.SortStableFunc(errs, func(a, b RecordError) int { return a.Line - b.Line })
	return t, errs, nil
}

// normalizeName is a column name as compared: lower case, å ä ö composed.
func normalizeName(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	return strings.NewReplacer("a\u030a", "å", "a\u0308", "ä", "o\u0308", "ö").Replace(n)
}

// Column is the header's name of a column, as written, or "" when the file lacks it.
func (t *Table) Column(col string) string { return t.names[col] }

// Errorf refuses a row's column (named as in the header; "" for the whole row).
func (t *Table) Errorf(row TableRow, col, format string, args ...any) RecordError {
	return RecordError{Line: row.Line, Field: t.names[col], Reason: fmt.Sprintf(format, args...)}
}

// Fail refuses a row's column with a domain error's message.
func (t *Table) Fail(row TableRow, col string, err error) RecordError {
	return t.Errorf(row, col, "%s", trygg.ErrorMessage(err))
}

// Point reads a row's place from its longitude and latitude columns, checked as report
// import checks them (numbers, a decimal comma in files separated by semicolons, inside
// Sweden, a hint when they look swapped).
func (t *Table) Point(row TableRow, lonCol, latCol string) (orb.Point, *RecordError) {
	rec := record{line: row.Line, lay: &layout{decimalComma: t.decimalComma}}
	rec.lay.names[fLon], rec.lay.names[fLat] = t.names[lonCol], t.names[latCol]
	rec.vals[fLon], rec.vals[fLat] = row.Values[lonCol], row.Values[latCol]
	g, e := rec.location()
	if e != nil {
		return orb.Point{}, e
	}
	return g.(orb.Point), nil
}

// Time reads a row's time column as report import reads times: RFC 3339, a Swedish
// local time (2026-11-20 21:30) or a day (2026-11-20, at midnight Swedish time); not in
// the future and not before 2000. A missing value is refused.
func (t *Table) Time(row TableRow, col string) (time.Time, *RecordError) {
	v := row.Values[col]
	name := t.names[col]
	if v == "" {
		e := t.Errorf(row, col, "%s is missing", name)
		return time.Time{}, &e
	}
	tm, ok := parseTime(v)
	if !ok {
		e := t.Errorf(row, col, "%q is not a time: write 2026-11-20T21:30:00+01:00 (RFC 3339), 2026-11-20 21:30 (Swedish time) or 2026-11-20", v)
		return time.Time{}, &e
	}
	if err := trygg.CheckObservedAt(name, tm); err != nil {
		e := t.Fail(row, col, err)
		return time.Time{}, &e
	}
	return tm, nil
}

// CheckedReport is a report read from a file and checked, with where it stands there.
type CheckedReport struct {
	Report  trygg.Report
	Line    int // CSV: the line the record starts on, the header being line 1
	Feature int // GeoJSON: the feature's index
}

// CheckReports reads reports from CSV or a GeoJSON FeatureCollection and checks each as
// Reports does (same columns and properties, same refusals), but does not place them
// in a municipality or store them: that is the caller's. opts.Source and opts.Status
// are used as in Reports. Every record read comes back, refused or not, for the
// caller's own checks; store them only when there are no refusals (listed in file
// order).
func CheckReports(data []byte, cats []trygg.Category, opts ReportOptions) ([]CheckedReport, []RecordError, error) {
	if opts.Source == "" {
		opts.Source = trygg.SourceResident
	}
	given := opts.Status != ""
	if opts.Status == "" {
		opts.Status = trygg.StatusPublished
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeftFunc(data, unicode.IsSpace)
	if len(trimmed) == 0 {
		return nil, nil, errors.New("the file is empty")
	}
	var recs []record
	var read int
	var errs []RecordError
	var err error
	if trimmed[0] == '{' || trimmed[0] == '[' {
		recs, read, errs, err = readGeoJSONReports(data)
	} else {
		recs, read, _, errs, err = readCSVReports(data)
	}
	if err != nil {
		return nil, nil, err
	}
	if read == 0 && len(errs) == 0 {
		return nil, nil, errors.New("the file has no records")
	}
	c := checker{cats: cats, source: opts.Source, status: opts.Status, statusGiven: given}
	out := make([]CheckedReport, 0, len(recs))
	for i := range recs {
		rep, rerrs := c.check(&recs[i])
		errs = append(errs, rerrs...)
		out = append(out, CheckedReport{Report: rep, Line: recs[i].line, Feature: recs[i].feature})
	}
	slices.SortStableFunc(errs, func(a, b RecordError) int { return a.record() - b.record() })
	return out, errs, nil
}
