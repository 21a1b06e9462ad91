package csvout_test

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg/csvout"
)

func TestCell(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"Trasig lampa", "Trasig lampa"},
		{"=1+1", "'=1+1"},
		{"+SUM(A1)", "'+SUM(A1)"},
		{"-2+3", "'-2+3"},
		{"@cmd", "'@cmd"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1", "'\r=1"},
		{" =1+1", " =1+1"}, // a spreadsheet reads a leading space as text
		{"a=1", "a=1"},
		{"-3.5", "'-3.5"}, // text that looks like a number is still text
	}
	for _, tc := range cases {
		if got := csvout.Cell(tc.in); got != tc.want {
			t.Errorf("Cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWriter(t *testing.T) {
	var b strings.Builder
	w := csvout.NewWriter(&b, []csvout.Column{csvout.Text("text"), csvout.Number("x"), csvout.Number("y")})
	w.SetComma(';')
	if err := w.WriteHeader(); err != nil {
		t.Fatal(err)
	}
	rows := [][]string{
		{"\t=1+1", "-3.5", "-1e-05"},
		{"-2+3", "", "12"},
		{"@cmd", "-2+3", "+1"}, // not numbers in numeric columns: treated as text
		{"ok", "-Inf", "0x1p-2", "=extra"},
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(b.String()))
	r.Comma = ';'
	r.FieldsPerRecord = -1
	got, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"text", "x", "y"},
		{"'\t=1+1", "-3.5", "-1e-05"},
		{"'-2+3", "", "12"},
		{"'@cmd", "'-2+3", "'+1"},
		{"ok", "'-Inf", "0x1p-2", "'=extra"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("record %d: got %q, want %q", i, got[i], want[i])
		}
	}
}
