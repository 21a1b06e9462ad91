// Package csvout writes the CSV that Trygg serves (OGC API – Features with f=csv, the
// walk protocol) so that no cell is run as a formula when the file is opened in Excel or
// LibreOffice: as OWASP advises against CSV injection, a text cell that starts with
// '=', '+', '-', '@', a tab or a carriage return gets a leading apostrophe. Numeric
// columns are declared as such and keep their values (-3.5 stays -3.5): the decision is
// per column, never by how a value looks. Cells are never trimmed, so a leading tab
// cannot hide a formula behind it.
package csvout

import (
	"encoding/csv"
	"io"
	"strconv"
)

// Column is one column of a CSV: its header and whether its values are numbers.
type Column struct {
	Name    string
	Numeric bool
}

// Text and Number are columns of text and of numbers.
func Text(name string) Column   { return Column{Name: name} }
func Number(name string) Column { return Column{Name: name, Numeric: true} }

// Writer writes records of its columns, neutralising formula cells. It is the
// encoding/csv writer underneath: quoting and the separator are its.
type Writer struct {
	w    *csv.Writer
	cols []Column
	rec  []string
}

// NewWriter returns a writer of comma-separated records of cols to w.
func NewWriter(w io.Writer, cols []Column) *Writer {
	return &Writer{w: csv.NewWriter(w), cols: cols}
}

// SetComma sets the separator (a semicolon for Swedish spreadsheets).
func (w *Writer) SetComma(r rune) { w.w.Comma = r }

// WriteHeader writes the columns' names.
func (w *Writer) WriteHeader() error {
	w.rec = w.rec[:0]
	for _, c := range w.cols {
		w.rec = append(w.rec, Cell(c.Name))
	}
	return w.w.Write(w.rec)
}

// Write writes one record, one cell per column: text cells neutralised, numeric cells
// as they are. A value in a numeric column that is not a number is a mistake of the
// caller's; it is neutralised as text rather than trusted. A record with more cells
// than columns has the extra cells treated as text.
func (w *Writer) Write(record []string) error {
	w.rec = w.rec[:0]
	for i, v := range record {
		if i < len(w.cols) && w.cols[i].Numeric && isNumber(v) {
			w.rec = append(w.rec, v)
			continue
		}
		w.rec = append(w.rec, Cell(v))
	}
	return w.w.Write(w.rec)
}

// Flush writes any buffered data and returns the first write error, if any.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// Cell is s as a text cell: with a leading apostrophe when a spreadsheet would read it
// as a formula (it starts with '=', '+', '-', '@', a tab or a carriage return).
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// isNumber reports whether v is empty (no value) or a decimal number as Go and
// PostgreSQL write them: an optional minus, digits, a point, an exponent. Not "+1",
// "Inf" or hexadecimal, which a spreadsheet would not read as the number.
func isNumber(v string) bool {
	if v == "" {
		return true
	}
	if v[0] == '+' {
		return false
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
		default:
			return false
		}
	}
	_, err := strconv.ParseFloat(v, 64)
	return err == nil
}
