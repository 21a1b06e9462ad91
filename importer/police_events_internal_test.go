package importer

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
)

func TestPoliceTimeLayout(t *testing.T) {
	for in, want := range map[string]string{
		"2026-03-01 6:29:58 +01:00":  "2026-03-01T05:29:58Z", // the feed's hours lack the leading zero
		"2026-03-01 0:00:00 +01:00":  "2026-02-28T23:00:00Z",
		"2026-08-22 19:51:41 +02:00": "2026-08-22T17:51:41Z",
		"2022-09-29 07:56:30 +02:00": "2022-09-29T05:56:30Z", // with it too
	} {
		got, err := time.Parse(policeTimeLayout, in)
		if err != nil || got.UTC().Format(time.RFC3339) != want {
			t.Errorf("%q: %v %v, want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"2026-03-01 6:29 +01:00", "2026-3-01 6:29:58 +01:00", "2026-03-01 24:00:00 +01:00", "2026-03-01 6:29:58 CET"} {
		if _, err := time.Parse(policeTimeLayout, in); err == nil {
			t.Errorf("%q parsed", in)
		}
	}
}

func TestMunicipalityIndex(t *testing.T) {
	x := newMunicipalityIndex(map[string]string{
		"1494": "Lidköping", "0643": "Habo", "0305": "Håbo", "1470": "Vara kommun", "1383": "Varbergs kommun",
		"0180": "Stockholms stad", "0114": "Upplands Väsby", "1462": "Lilla Edet",
	})
	for name, want := range map[string]string{
		"Lidköping":            "1494",
		"lidköping":            "1494",
		"LIDKÖPING":            "1494",
		"Lidko\u0308ping":      "1494", // decomposed
		"Lidköpings kommun":    "1494",
		"Lidkoping":            "", // accents count
		"Habo":                 "0643",
		"Håbo":                 "0305",
		"HÅBO":                 "0305",
		"Vara":                 "1470",
		"Vara kommun":          "1470",
		"Varberg":              "1383",
		"Varbergs kommun":      "1383",
		"Stockholm":            "0180",
		"Upplands väsby":       "0114", // as the feed writes it
		"Lilla  edet":          "1462",
		"":                     "",
		" kommun":              "",
		"Västra Götalands län": "",
	} {
		if got, _ := x.lookup(name); got != want {
			t.Errorf("lookup(%q) = %q, want %q", name, got, want)
		}
	}
	for _, tc := range []struct {
		location, name, want string
		countyLevel          bool
	}{
		{"Lidköping", "1 mars, Stöld, Lidköping", "1494", false},
		{"Västra Götalands län", "1 mars, Stöld, Lidköping", "1494", true},
		{"Västra Götalands län", "1 mars, Trafikkontroll, ", "", true},
		{"Falkenberg", "1 mars, Stöld, Varberg", "1383", true},
		{"Vara", "1 mars, Stöld, Lidköping", "1470", false}, // location.name first
	} {
		code, county, ok := x.place(tc.location, tc.name)
		if code != tc.want || ok != (tc.want != "") || (ok && county != tc.countyLevel) {
			t.Errorf("place(%q, %q) = %q, %v, %v; want %q, %v", tc.location, tc.name, code, county, ok, tc.want, tc.countyLevel)
		}
	}
}

func TestNameTail(t *testing.T) {
	for in, want := range map[string]string{
		"30 juni 10.36, Trafikolycka, Mariestad": "Mariestad",
		"20 maj 13.09, Trafikkontroll, ":         "",
		"Mariestad":                              "Mariestad",
		"":                                       "",
	} {
		if got := nameTail(in); got != want {
			t.Errorf("nameTail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPoliceDescription(t *testing.T) {
	long := strings.Repeat("å", 3000)
	for _, tc := range []struct{ name, summary, want string }{
		{"1 mars, Stöld, Vara", "Cykel stulen.", "1 mars, Stöld, Vara\nCykel stulen."},
		{"1 mars, Stöld, Vara", "", "1 mars, Stöld, Vara"},
		{"", "Cykel stulen.", "Cykel stulen."},
		{"Samma", "Samma", "Samma"},
		{"a\x00b", " c\x1bd ", "a b\nc d"},
		{long, "", strings.Repeat("å", trygg.MaxDescription-1) + "…"},
	} {
		got := policeDescription(tc.name, tc.summary)
		if got != tc.want {
			t.Errorf("policeDescription(%.20q, %.20q) = %.40q, want %.40q", tc.name, tc.summary, got, tc.want)
		}
		if err := trygg.CheckText("description", got, trygg.MaxDescription); err != nil {
			t.Errorf("%.20q: %v", tc.name, err)
		}
	}
}

// TestPoliceEventTypesCovered checks that the category table names every type of the
// feed's history (97, of which 8 are summaries) and only categories that exist.
func TestPoliceEventTypesCovered(t *testing.T) {
	gz, err := os.Open("testdata/polisen_events_history.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer gz.Close()
	zr, err := gzip.NewReader(gz)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var events []struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &events); err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	for _, e := range events {
		types[e.Type] = true
	}
	summaries := 0
	for typ := range types {
		if isSummary(typ) {
			summaries++
			continue
		}
		if _, ok := policeEventCategories[strings.TrimSpace(typ)]; !ok {
			t.Errorf("type %q has no category", typ)
		}
	}
	if len(types) != 97 || summaries != 8 || len(policeEventCategories) != 89 {
		t.Errorf("%d types, %d summaries, %d in the table; want 97, 8, 89", len(types), summaries, len(policeEventCategories))
	}
	// The categories of migrations/00003_reports.sql.
	codes := []string{"belysning", "vegetation", "skymd-sikt", "ode-plats", "nedskrapning", "klotter", "skadegorelse", "forfall",
		"gangvag", "hallplats", "stokiga-grupper", "narkotika", "alkohol", "hot-trakasserier", "vald", "inbrott-stold",
		"hastighet", "farlig-korning", "farlig-korsning", "annat", "trygg-plats"}
	for typ, c := range policeEventCategories {
		if !slices.Contains(codes, c) {
			t.Errorf("type %q maps to unknown category %q", typ, c)
		}
	}
	for typ, want := range map[string]string{
		"Misshandel": "vald", "Misshandel, grov": "vald", "Bråk": "vald", "Stöld/inbrott": "inbrott-stold",
		"Rån": "inbrott-stold", "Skadegörelse": "skadegorelse", "Narkotikabrott": "narkotika", "Rattfylleri": "farlig-korning",
		"Trafikbrott": "farlig-korning", "Olovlig körning": "farlig-korning", "Fylleri/LOB": "alkohol", "Alkohollagen": "alkohol",
		"Olaga hot": "hot-trakasserier", "Ofredande/förargelse": "hot-trakasserier", "Knivlagen": "vald", "Vapenlagen": "vald",
		"Skottlossning": "vald", "Trafikolycka": "farlig-korning", "Trafikolycka, vilt": "annat", "Brand": "annat",
		"Lagen om hundar och katter ": "annat", "Något nytt": "annat",
	} {
		if got := PoliceEventCategory(typ); got != want {
			t.Errorf("PoliceEventCategory(%q) = %q, want %q", typ, got, want)
		}
	}
}
