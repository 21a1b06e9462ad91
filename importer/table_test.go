package importer_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/importer"
)

var tableColumns = map[string]string{"typ": "type", "type": "type", "tid": "time", "lat": "lat", "lon": "lon",
	"latitud": "lat", "longitud": "lon", "plats": "area"}

func TestReadTable(t *testing.T) {
	data := "\xef\xbb\xbfTyp;Tid;Latitud;Longitud;Pla\u0308ts;\n" + // a decomposed ä is still ä; an unnamed empty column
		"klotter;2026-11-16 08:15;58,7;13,8;Resecentrum;\n" +
		"\"skade;gorelse\";2026-11-16T08:15:00Z;58.71;13.81;;\n" +
		"x;y\n" +
		"a;b;c;d;e;f\n"
	tb, errs, err := importer.ReadTable([]byte(data), map[string]string{"typ": "type", "tid": "time", "latitud": "lat",
		"longitud": "lon", "pläts": "area"}, "type", "lat", "lon")
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 2 || errs[0].Line != 4 || !strings.Contains(errs[0].Reason, "2 values") || errs[1].Line != 5 ||
		!strings.Contains(errs[1].Reason, "no name") {
		t.Errorf("refusals %v", errs)
	}
	if len(tb.Rows) != 3 || tb.Rows[0].Line != 2 || tb.Rows[0].Values["area"] != "Resecentrum" || tb.Rows[1].Values["type"] != "skade;gorelse" {
		t.Fatalf("rows %+v", tb.Rows)
	}
	if tb.Column("lat") != "Latitud" || tb.Column("nothing") != "" {
		t.Errorf("columns %q %q", tb.Column("lat"), tb.Column("nothing"))
	}
	p, e := tb.Point(tb.Rows[0], "lon", "lat")
	if e != nil || p != (orb.Point{13.8, 58.7}) {
		t.Errorf("point %v %v", p, e)
	}
	tm, e := tb.Time(tb.Rows[0], "time")
	if e != nil || !tm.Equal(time.Date(2026, 11, 16, 8, 15, 0, 0, trygg.SwedishTime)) {
		t.Errorf("time %v %v", tm, e)
	}
	if _, e := tb.Time(tb.Rows[2], "time"); e == nil || e.Line != 5 || e.Field != "Tid" {
		t.Errorf("a bad time: %v", e)
	}
	swapped := importer.TableRow{Line: 9, Values: map[string]string{"lon": "58,7", "lat": "13,8"}}
	if _, e := tb.Point(swapped, "lon", "lat"); e == nil || e.Field != "Longitud/Latitud" || !strings.Contains(e.Reason, "swapped") {
		t.Errorf("swapped: %v", e)
	}
	if e := tb.Errorf(tb.Rows[1], "type", "no"); e.Error() != "line 3, column Typ: no" {
		t.Errorf("Errorf: %v", e)
	}

	// Faults of the header: unknown, repeated, missing columns.
	_, errs, err = importer.ReadTable([]byte("typ,type,färg\nklotter,klotter,röd\n"), tableColumns, "type", "lat")
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, e := range errs {
		if e.Line != 1 {
			t.Errorf("header fault on line %d: %v", e.Line, e)
		}
		reasons = append(reasons, e.Field+": "+e.Reason)
	}
	if len(errs) != 3 || !strings.HasPrefix(reasons[0], "type: repeats column typ") || !strings.HasPrefix(reasons[1], "färg: unknown column") ||
		!strings.Contains(reasons[2], "no column gives lat: lat or latitud") {
		t.Errorf("header faults %q", reasons)
	}
	for _, bad := range []string{"", " \n"} {
		if _, _, err := importer.ReadTable([]byte(bad), tableColumns); err == nil {
			t.Errorf("ReadTable(%q): no error", bad)
		}
	}
	if _, errs, _ := importer.ReadTable([]byte("typ\n\xff\n"), tableColumns); len(errs) != 1 || errs[0].Line != 2 {
		t.Errorf("not UTF-8: %v", errs)
	}
}

func TestCheckReports(t *testing.T) {
	cats := []trygg.Category{{Code: "belysning"}, {Code: "klotter"}}
	csv := "lat,lon,kategori,känsla,när,text\n" +
		"57.70,11.97,belysning,1,kväll;helg,Mörkt – ring 0701234567\n" +
		"57.70,11.97,mörker,2,,\n" +
		"57.70,11.97,klotter,2,,\n"
	out, errs, err := importer.CheckReports([]byte(csv), cats, importer.ReportOptions{Source: trygg.SourceDialogue, Status: trygg.StatusReceived})
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 || errs[0].Line != 3 || errs[0].Field != "kategori" {
		t.Errorf("refusals %v", errs)
	}
	if len(out) != 3 || out[0].Line != 2 || out[2].Line != 4 {
		t.Fatalf("records %+v", out)
	}
	r := out[0].Report
	if r.Source != "dialogue" || r.Status != "received" || r.Feeling != 1 || !slices.Equal(r.When, []string{"evening", "weekend"}) ||
		r.PublicDescription != "Mörkt – ring [telefonnummer dolt]" || r.Location != (orb.Point{11.97, 57.70}) {
		t.Errorf("first record %+v", r)
	}
	fc := `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[11.97,57.70]},
		"properties":{"category":"klotter","feeling":3,"källa":"walk"}}]}`
	out, errs, err = importer.CheckReports([]byte(fc), cats, importer.ReportOptions{Source: trygg.SourceDialogue})
	if err != nil || len(errs) != 0 || len(out) != 1 || out[0].Feature != 0 || out[0].Report.Source != "walk" {
		t.Errorf("FeatureCollection: %+v %v %v", out, errs, err)
	}
	if _, _, err := importer.CheckReports([]byte("  "), cats, importer.ReportOptions{}); err == nil {
		t.Error("an empty file: no error")
	}
}
