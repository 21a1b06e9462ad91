package importer_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trygg-gis/trygg/importer"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// historyFile is the merged history of the Police's event feed, 85,011 events (30 MB),
// kept gzipped in testdata (4.6 MB); see testdata/ATTRIBUTION.md.
const historyFile = "testdata/polisen_events_history.json.gz"

// event is one element of the Police's feed.
func event(id int, datetime, name, typ, place, gps string) string {
	return fmt.Sprintf(`{"id": %d, "datetime": %q, "name": %q, "summary": "Polisen är på plats.", "url": "/aktuellt/handelser/x/",
		"type": %q, "location": {"name": %q, "gps": %q}}`, id, datetime, name, typ, place, gps)
}

func eventArray(events ...string) string { return "[\n" + strings.Join(events, ",\n") + "\n]\n" }

func importPoliceEvents(t *testing.T, db *postgis.DB, file, name string) (importer.PoliceEventSummary, error) {
	t.Helper()
	return importer.PoliceEvents(context.Background(), db, strings.NewReader(file), importer.PoliceEventOptions{Name: name})
}

// Places of the feed: municipality centroids before 2026, county centroids since.
const (
	varbergGPS      = "57.107118,12.252091"
	lidkopingGPS    = "58.503505,13.157077"
	varaGPS         = "58.261781,12.960194"
	vastraGotaland  = "58.252793,13.059643" // the county's centroid lies in Vara
	jonkopingsLan   = "57.370843,14.343917" // in Jönköping, not in Vetlanda
	hallandsLanName = "Hallands län"
)

func TestPoliceEventsRealFile(t *testing.T) {
	t.Parallel()
	db, url := demoStore(t)
	data, err := os.ReadFile("testdata/polisen_events.json")
	if err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	sum, err := importer.PoliceEvents(context.Background(), db, bytes.NewReader(data),
		importer.PoliceEventOptions{Name: "polisen_events.json", Size: int64(len(data)), Progress: &progress})
	if err != nil || len(sum.Errors) > 0 {
		t.Fatalf("PoliceEvents: %v %v", err, sum.Errors)
	}
	// 500 events, 2026-08-14 to 22: every location.name is a county, so the three in the
	// demo municipalities are found by the name's tail. 96 are summaries.
	if sum.Read != 500 || sum.Inserted != 3 || sum.Updated != 0 || sum.Unchanged != 0 || sum.Summaries != 96 || sum.NotServed != 401 ||
		fmt.Sprint(sum.ByMunicipality) != "map[0685:1 1470:1 1493:1]" {
		t.Errorf("summary %+v", sum)
	}
	if !strings.Contains(progress.String(), "read 500 events: 3 to store, 96 summaries and 401 in no stored municipality to skip\n") {
		t.Errorf("progress:\n%s", progress.String())
	}
	got := pgtest.Strings(t, url, `SELECT police_event_id || ' ' || municipality_code || ' ' || police_event_type || ' → ' || category || ' ' ||
		source || ' ' || precision || ' ' || status || ' ' || feeling || ' ' || GeometryType(geom) || ' ' ||
		ST_Equals(geom, public_geom) || ' ' || (report_municipality(geom) = municipality_code) || ' ' ||
		to_char(observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' ' || (created_at = observed_at) || ' | ' ||
		replace(description, E'\n', ' / ') FROM report ORDER BY police_event_id`)
	want := []string{
		"649627 1493 Trafikolycka, personskada → farlig-korning police-event area published 2 POINT true true 2026-08-16 16:30:24 true | " +
			"16 augusti 17.39, Trafikolycka, personskada, Mariestad / Svår trafikolycka mellan lastbil och personbil på E 20 norr om Mariestad",
		"649845 0685 Trafikolycka, singel → farlig-korning police-event area published 2 POINT true true 2026-08-18 14:47:25 true | " +
			"18 augusti 16.35, Trafikolycka, singel, Vetlanda / Singelolycka i centrala Vetlanda.",
		"649881 1470 Brand → annat police-event area published 2 POINT true true 2026-08-19 05:01:44 true | " +
			"19 augusti 05.20, Brand, Vara / Larm inkommer via SOS om en brand i en villa i närheten av Längjum.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stored:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The county's centroid stays where it lies in the event's municipality (Vara) and
	// is replaced by a point of the municipality elsewhere.
	if g := pgtest.Strings(t, url, `SELECT police_event_id || ' ' || ST_Equals(geom, ST_SetSRID(ST_MakePoint(13.059643, 58.252793), 4326))
		FROM report ORDER BY police_event_id`); strings.Join(g, ",") != "649627 false,649845 false,649881 true" {
		t.Errorf("positions kept as given: %v", g)
	}
	if h := pgtest.Strings(t, url, `SELECT DISTINCT actor || ' ' || status FROM report_status`); len(h) != 1 || h[0] != "import:polisen_events.json published" {
		t.Errorf("status history %v", h)
	}
	if a := pgtest.Strings(t, url, `SELECT entity_id || ' ' || municipalities::text || ' ' || (after->>'inserted') FROM audit_log
		WHERE action = 'police_event.import'`); len(a) != 1 || a[0] != "import:polisen_events.json {0685,1470,1493} 3" {
		t.Errorf("audit log %v", a)
	}
	if n := pgtest.Strings(t, url, `SELECT count(*)::text FROM public_report`); n[0] != "0" {
		t.Errorf("%s police events are public", n[0])
	}

	// Again: nothing new, nothing changed, no second status or audit entry.
	sum, err = importer.PoliceEvents(context.Background(), db, bytes.NewReader(data), importer.PoliceEventOptions{Name: "again.json"})
	if err != nil || sum.Inserted != 0 || sum.Updated != 0 || sum.Unchanged != 3 || sum.Summaries != 96 || sum.NotServed != 401 {
		t.Errorf("second import: %v %+v", err, sum)
	}
	if n := reportCount(t, url); n != "3 reports, 3 statuses" {
		t.Errorf("after the second import: %s", n)
	}
	if n := pgtest.Strings(t, url, `SELECT count(*)::text FROM audit_log WHERE action = 'police_event.import'`); n[0] != "1" {
		t.Errorf("%s audit entries, want 1", n[0])
	}

	// The Police edit an event: its report is updated in place.
	edited := bytes.Replace(data, []byte(`"summary": "Singelolycka i centrala Vetlanda."`),
		[]byte(`"summary": "Singelolycka i centrala Vetlanda. Föraren fördes till sjukhus."`), 1)
	id := pgtest.Strings(t, url, `SELECT id::text FROM report WHERE police_event_id = 649845`)[0]
	sum, err = importer.PoliceEvents(context.Background(), db, bytes.NewReader(edited), importer.PoliceEventOptions{Name: "edited.json"})
	if err != nil || sum.Inserted != 0 || sum.Updated != 1 || sum.Unchanged != 2 {
		t.Errorf("edited import: %v %+v", err, sum)
	}
	if d := pgtest.Strings(t, url, `SELECT id || ' ' || description FROM report WHERE police_event_id = 649845`); d[0] !=
		id+" 18 augusti 16.35, Trafikolycka, singel, Vetlanda\nSingelolycka i centrala Vetlanda. Föraren fördes till sjukhus." {
		t.Errorf("edited event: %q", d[0])
	}
	if n := reportCount(t, url); n != "3 reports, 3 statuses" {
		t.Errorf("after the edited import: %s", n)
	}
}

func TestPoliceEventsNames(t *testing.T) {
	t.Parallel()
	db, url := demoStore(t)
	file := eventArray(
		// Until 2025 location.name is the municipality; hours lack the leading zero.
		event(1, "2025-03-01 6:29:58 +01:00", "1 mars 06.10, Misshandel, Varberg", "Misshandel", "Varberg", varbergGPS),
		// Since 2026 location.name is the county and the municipality ends the name.
		event(2, "2026-07-30 10:40:00 +02:00", "30 juli 10.36, Rån, Lidköping", "Rån", "Västra Götalands län", vastraGotaland),
		// Other case, " kommun", decomposed ö, spaces.
		event(3, "2024-12-24 23:05:01 +01:00", "24 december 22.50, Fylleri/LOB, Lidköping", "Fylleri/LOB", "LIDKÖPINGS KOMMUN", lidkopingGPS),
		event(4, "2024-01-02 0:00:00 +01:00", "2 januari 00.00, Narkotikabrott, Lidko\u0308ping", "Narkotikabrott", "Västra Götalands län", vastraGotaland),
		event(5, "2023-05-06 7:08:09 +02:00", "6 maj 07.00, Olaga hot, Vara", "Olaga hot", " vara  kommun ", varaGPS),
		// A type the table does not know, kept as written.
		event(6, "2026-02-03 4:05:06 +01:00", "3 februari 04.00, Nytt slag av händelse, Vara", "Nytt slag av händelse", "Västra Götalands län", vastraGotaland),
		// Skipped: summaries, and municipalities Trygg does not serve (Habo is not Vara,
		// Falkenberg is not stored, a county alone names none).
		event(7, "2026-03-01 7:00:00 +01:00", "Sammanfattning natt, Varberg", "Sammanfattning natt", hallandsLanName, "56.896681,12.803399"),
		event(8, "2025-03-01 7:00:00 +01:00", "1 mars 07.00, Brand, Habo", "Brand", "Habo", "57.909309,14.074367"),
		event(9, "2026-03-01 7:00:00 +01:00", "1 mars 07.00, Brand, Falkenberg", "Brand", hallandsLanName, "56.896681,12.803399"),
		event(10, "2026-03-01 7:00:00 +01:00", "1 mars 07.00, Trafikkontroll, ", "Trafikkontroll", hallandsLanName, "56.896681,12.803399"),
		event(11, "2026-03-01 7:00:00 +01:00", "1 mars 07.00, Stöld, Vetlanda", "Stöld", "Jönköpings län", jonkopingsLan),
	)
	sum, err := importPoliceEvents(t, db, file, "names.json")
	if err != nil || len(sum.Errors) > 0 {
		t.Fatalf("PoliceEvents: %v %v", err, sum.Errors)
	}
	if sum.Read != 11 || sum.Inserted != 7 || sum.Summaries != 1 || sum.NotServed != 3 ||
		fmt.Sprint(sum.ByMunicipality) != "map[0685:1 1383:1 1470:2 1494:3]" {
		t.Errorf("summary %+v", sum)
	}
	got := pgtest.Strings(t, url, `SELECT police_event_id || ' ' || municipality_code || ' ' || police_event_type || ' → ' || category || ' ' ||
		to_char(observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' at ' || coalesce(report_municipality(geom), 'sea')
		FROM report ORDER BY police_event_id`)
	want := []string{
		// The Police's point of Varberg is on the coast, outside the demo's coarse
		// boundary: a municipality's own point is kept all the same, and since migration
		// 22 report_municipality places it in Varberg, within the boundary tolerance.
		"1 1383 Misshandel → vald 2025-03-01 05:29:58 at 1383",
		// The county's centroid lies in Vara: Lidköping's events get a point in Lidköping.
		"2 1494 Rån → inbrott-stold 2026-07-30 08:40:00 at 1494",
		"3 1494 Fylleri/LOB → alkohol 2024-12-24 22:05:01 at 1494",
		"4 1494 Narkotikabrott → narkotika 2024-01-01 23:00:00 at 1494",
		"5 1470 Olaga hot → hot-trakasserier 2023-05-06 05:08:09 at 1470",
		"6 1470 Nytt slag av händelse → annat 2026-02-03 03:05:06 at 1470",
		"11 0685 Stöld → inbrott-stold 2026-03-01 06:00:00 at 0685",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stored:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The feed's points stay, but a county's centroid outside the event's municipality.
	if g := pgtest.Strings(t, url, `SELECT police_event_id || ' ' || ST_AsText(geom) FROM report WHERE police_event_id IN (1, 3, 5, 6)
		ORDER BY police_event_id`); strings.Join(g, "\n") != "1 POINT(12.252091 57.107118)\n3 POINT(13.157077 58.503505)\n"+
		"5 POINT(12.960194 58.261781)\n6 POINT(13.059643 58.252793)" {
		t.Errorf("positions:\n%s", strings.Join(g, "\n"))
	}
	if n := pgtest.Strings(t, url, `SELECT count(*)::text FROM public_report`); n[0] != "0" {
		t.Errorf("%s police events are public", n[0])
	}
}

func TestPoliceEventsByteOrderMark(t *testing.T) {
	t.Parallel()
	db, _ := demoStore(t)
	sum, err := importPoliceEvents(t, db, "\ufeff"+eventArray(event(1, "2025-03-01 6:29:58 +01:00", "x, Vara", "Stöld", "Vara", varaGPS)), "bom.json")
	if err != nil || len(sum.Errors) > 0 || sum.Inserted != 1 {
		t.Errorf("with a byte order mark: %v %+v", err, sum)
	}
}

func TestPoliceEventsMixedWithReports(t *testing.T) {
	t.Parallel()
	db, url := demoStore(t)
	// A resident's published report is public; a police event at the same place is not.
	if _, err := importReports(t, db, "lon,lat,category,feeling\n12.960194,58.261781,vald,1\n", importer.ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := importPoliceEvents(t, db, eventArray(event(5, "2023-05-06 7:08:09 +02:00", "6 maj, Misshandel, Vara", "Misshandel", "Vara", varaGPS)), "x.json"); err != nil {
		t.Fatal(err)
	}
	if got := pgtest.Strings(t, url, `SELECT source FROM public_report`); strings.Join(got, ",") != "resident" {
		t.Errorf("public reports: %v, want only the resident's", got)
	}
	if got := pgtest.Strings(t, url, `SELECT count(*)::text FROM report WHERE source = 'police-event'`); got[0] != "1" {
		t.Errorf("%s police events stored, want 1", got[0])
	}
}

func TestPoliceEventsBadFiles(t *testing.T) {
	t.Parallel()
	db, url := demoStore(t)
	good := event(1, "2025-03-01 6:29:58 +01:00", "1 mars, Misshandel, Varberg", "Misshandel", "Varberg", varbergGPS)
	realFile, err := os.ReadFile("testdata/polisen_events.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, file string
		err        string   // the error, if the file as a whole is refused
		want       []string // else every refusal
	}{
		{"empty", "", "the file is empty", nil},
		{"spaces", " \n ", "the file is empty", nil},
		{"object", `{"events": []}`, "not a JSON array of events: the file starts with an object", nil},
		{"number", `42`, "not a JSON array of events: the file starts with 42", nil},
		{"not JSON", "id;datetime\n1;2", "invalid JSON at line 1, column 1", nil},
		{"no events", "[]", "the array has no events", nil},
		{"data after the array", eventArray(good) + `[]`, "something follows the array at line 5", nil},
		{"no id, datetime, type",
			eventArray(good, `{"datetime": "2025-03-01 6:29:58 +01:00", "type": "Stöld", "location": {"name": "Vara", "gps": "58.26,12.96"}}`,
				`{"id": 3, "type": "Stöld", "location": {"name": "Vara", "gps": "58.26,12.96"}}`,
				`{"id": 4, "datetime": "2025-03-01 6:29:58 +01:00", "location": {"name": "Vara", "gps": "58.26,12.96"}}`,
				`{"id": 5, "datetime": "2025-03-01 6:29:58 +01:00", "type": " ", "location": {"name": "Vara", "gps": "58.26,12.96"}}`),
			"", []string{
				"element 1, id: id is missing",
				"element 2 (id 3), datetime: datetime is missing",
				"element 3 (id 4), type: type is missing",
				"element 4 (id 5), type: type is empty",
			}},
		{"times",
			eventArray(
				event(2, "2025-03-01T06:29:58+01:00", "x", "Stöld", "Vara", varaGPS),
				event(3, "2025-03-01 6:29:58", "x", "Stöld", "Vara", varaGPS),
				event(4, "2025-13-01 6:29:58 +01:00", "x", "Stöld", "Vara", varaGPS),
				event(5, "2099-03-01 6:29:58 +01:00", "x", "Stöld", "Vara", varaGPS),
				event(6, "1999-03-01 6:29:58 +01:00", "x", "Stöld", "Vara", varaGPS)),
			"", []string{
				`element 0 (id 2), datetime: "2025-03-01T06:29:58+01:00" is not a time like 2026-03-01 6:29:58 +01:00`,
				`element 1 (id 3), datetime: "2025-03-01 6:29:58" is not a time like 2026-03-01 6:29:58 +01:00`,
				`element 2 (id 4), datetime: "2025-13-01 6:29:58 +01:00" is not a time like 2026-03-01 6:29:58 +01:00`,
				"element 3 (id 5), datetime: datetime is in the future (2099-03-01 6:29:58 +01:00)",
				"element 4 (id 6), datetime: datetime is before 2000 (1999-03-01 6:29:58 +01:00)",
			}},
		{"positions",
			eventArray(
				event(2, "2025-03-01 6:29:58 +01:00", "x", "Stöld", "Vara", "58.26"),
				event(3, "2025-03-01 6:29:58 +01:00", "x", "Stöld", "Vara", "58.26;12.96"),
				event(4, "2025-03-01 6:29:58 +01:00", "x", "Stöld", "Vara", "12.96,58.26"),
				event(5, "2025-03-01 6:29:58 +01:00", "x", "Stöld", "Vara", "48.85,2.35"),
				event(6, "2025-03-01 6:29:58 +01:00", "x", "Stöld", "Vara", "NaN,12"),
				`{"id": 7, "datetime": "2025-03-01 6:29:58 +01:00", "type": "Stöld", "location": {"name": "Vara"}}`,
				`{"id": 8, "datetime": "2025-03-01 6:29:58 +01:00", "type": "Stöld"}`,
				`{"id": 9, "datetime": "2025-03-01 6:29:58 +01:00", "type": "Stöld", "location": {"gps": [58.26, 12.96]}}`),
			"", []string{
				`element 0 (id 2), location.gps: "58.26" is not "latitude,longitude"`,
				`element 1 (id 3), location.gps: "58.26;12.96" is not "latitude,longitude"`,
				`element 2 (id 4), location.gps: "12.96,58.26": longitude and latitude look swapped: location.gps is "latitude,longitude" (latitude 55 to 69, longitude 10 to 24 in Sweden)`,
				`element 3 (id 5), location.gps: "48.85,2.35": the place is outside Sweden`,
				`element 4 (id 6), location.gps: "NaN,12": coordinates must be finite numbers`,
				"element 5 (id 7), location.gps: location.gps is missing",
				"element 6 (id 8), location: location is missing",
				"element 7 (id 9), location.gps: location.gps is a JSON array, not a text",
			}},
		{"ids and types",
			eventArray(good, good,
				strings.Replace(good, `"id": 1`, `"id": "1"`, 1),
				strings.Replace(good, `"id": 1`, `"id": 1.5`, 1),
				strings.Replace(good, `"id": 1`, `"id": -4`, 1),
				strings.Replace(good, `"type": "Misshandel"`, `"type": 12`, 1),
				`null`, `"event"`, `{}`),
			"", []string{
				"element 1 (id 1), id: id 1 is also the id of element 0",
				"element 2, id: id is a JSON string, not a number",
				"element 3, id: id 1.5 is not a whole number",
				"element 4, id: id -4 is not a positive number",
				"element 5 (id 1), type: type is a JSON number, not a text",
				"element 6: not an event: none of id, datetime, type and location is there",
				"element 7: is a JSON string, not an event object",
				"element 8: not an event: none of id, datetime, type and location is there",
			}},
		{"cut inside an element", string(realFile[:len(realFile)/2]), "", []string{
			"element 250: the file ends inside this element, which starts at line 3002, column 3: is the file cut short?",
		}},
		{"cut after an element", "[\n" + good + ",\n", "", []string{
			"element 1: the file ends after element 0 without closing the array: is the file cut short?",
		}},
		{"byte order mark, then not JSON", "\ufeff[\n x", "", []string{
			"element 0: invalid JSON at line 2, column 2: invalid character 'x' looking for beginning of value; the rest of the file was not read",
		}},
		{"bad value inside", eventArray(good, strings.Replace(good, `"name": "1 mars`, `"name": 1 mars`, 1), good), "", []string{
			"element 1: invalid JSON at line 4, column 62: invalid character 'm' after object key:value pair; the rest of the file was not read",
		}},
		{"object brace ends the array", "[" + good + "}", "invalid JSON at line 2", nil},
		{"missing comma", "[\n" + good + "\n" + good + "]", "", []string{
			"element 1: invalid JSON at line 4, column 1: expected comma after array element; the rest of the file was not read",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sum, err := importPoliceEvents(t, db, tc.file, "bad.json")
			var got []string
			for _, e := range sum.Errors {
				got = append(got, e.Error())
			}
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("got %v, want an error with %q", err, tc.err)
			case tc.err == "" && err != nil:
				t.Errorf("got %v, want refusals", err)
			case tc.err == "" && strings.Join(got, "\n") != strings.Join(tc.want, "\n"):
				t.Errorf("refusals:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if sum.Inserted != 0 {
				t.Errorf("inserted %d", sum.Inserted)
			}
			if n := reportCount(t, url); n != "0 reports, 0 statuses" {
				t.Errorf("after a refused file: %s", n)
			}
		})
	}
}

func TestPoliceEventsNoMunicipality(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.Open(t)
	_, err := importPoliceEvents(t, db, eventArray(event(1, "2025-03-01 6:29:58 +01:00", "x, Vara", "Stöld", "Vara", varaGPS)), "x.json")
	if err == nil || !strings.Contains(err.Error(), "no municipality is stored") {
		t.Errorf("got %v, want no municipality is stored", err)
	}
}

// openHistory unpacks the 30 MB history of the feed into a temporary file and opens it
// (the importer reads files, and the tests seek back to the start).
func openHistory(t testing.TB) *os.File {
	t.Helper()
	gz, err := os.Open(historyFile)
	if err != nil {
		t.Fatal(err)
	}
	defer gz.Close()
	zr, err := gzip.NewReader(gz)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "events_history.json"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if _, err := io.Copy(f, zr); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestPoliceEventsHistory(t *testing.T) {
	t.Parallel()
	db, url := demoStore(t)
	f := openHistory(t)
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	start := time.Now()
	sum, err := importer.PoliceEvents(context.Background(), db, f,
		importer.PoliceEventOptions{Name: "events_history.json", Size: info.Size(), Progress: &progress})
	took := time.Since(start)
	if err != nil || len(sum.Errors) > 0 {
		t.Fatalf("PoliceEvents: %v %v", err, sum.Errors)
	}
	t.Logf("85,011 events, five municipalities: %v", took)
	// SOURCES.md counts the test towns by the name's tail: Varberg 163, Vetlanda 99,
	// Lidköping 80, Mariestad 57, Vara 42. None of them is a summary.
	want := "map[0685:99 1383:163 1470:42 1493:57 1494:80]"
	if sum.Read != 85011 || sum.Inserted != 441 || sum.Summaries != 14575 || sum.NotServed != 85011-14575-441 ||
		fmt.Sprint(sum.ByMunicipality) != want {
		t.Errorf("summary %+v", sum)
	}
	if got := pgtest.Strings(t, url, `SELECT municipality_code || ':' || count(*) FROM report GROUP BY municipality_code ORDER BY municipality_code`); strings.Join(got, " ") !=
		"0685:99 1383:163 1470:42 1493:57 1494:80" {
		t.Errorf("stored per municipality: %v", got)
	}
	if n := strings.Count(progress.String(), "reading "); n != 10 {
		t.Errorf("%d reading lines, want 10:\n%s", n, progress.String())
	}
	if n := pgtest.Strings(t, url, `SELECT count(*)::text FROM public_report`); n[0] != "0" {
		t.Errorf("%s police events are public", n[0])
	}

	if _, err := f.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	sum, err = importer.PoliceEvents(context.Background(), db, f, importer.PoliceEventOptions{Name: "again.json"})
	if err != nil || sum.Inserted != 0 || sum.Updated != 0 || sum.Unchanged != 441 {
		t.Errorf("second import: %v %+v", err, sum)
	}
	if n := reportCount(t, url); n != "441 reports, 441 statuses" {
		t.Errorf("after the second import: %s", n)
	}
}

// TestPoliceEventsHistoryEverywhere imports the whole history with all 290
// municipalities stored: the most a Trygg installation writes from this file.
func TestPoliceEventsHistoryEverywhere(t *testing.T) {
	t.Parallel()
	db, url := pgtest.Open(t)
	ctx := context.Background()
	boundaries, err := os.Open("testdata/okfse_kommuner_4326.geojson")
	if err != nil {
		t.Fatal(err)
	}
	defer boundaries.Close()
	if _, err := importer.Municipalities(ctx, db, boundaries, importer.MunicipalityOptions{}); err != nil {
		t.Fatal(err)
	}
	f := openHistory(t)
	start := time.Now()
	sum, err := importer.PoliceEvents(ctx, db, f, importer.PoliceEventOptions{Name: "history.json"})
	took := time.Since(start)
	if err != nil || len(sum.Errors) > 0 {
		t.Fatalf("PoliceEvents: %v %v", err, sum.Errors)
	}
	t.Logf("85,011 events, 290 municipalities: %d inserted in %v", sum.Inserted, took)
	// Before 2026 most events name a kommun; since, the name's tail does. What is left
	// names a county only (or nothing).
	if sum.Read != 85011 || sum.Inserted != 62385 || sum.Summaries != 14575 || sum.NotServed != 8051 {
		t.Errorf("summary %+v", sum)
	}
	if got := pgtest.Strings(t, url, `SELECT count(*)::text FROM report WHERE report_municipality(geom) IS DISTINCT FROM municipality_code`); got[0] != "0" {
		t.Errorf("%s events lie outside their municipality", got[0])
	}
}
