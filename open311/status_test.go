package open311_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// TestStandardFieldsOnly posts what a plain GeoReport v2 client sends (no attribute at
// all) and finds it stored as a resident report that feels unsafe (feeling 2).
func TestStandardFieldsOnly(t *testing.T) {
	e := newEnv(t, nil)
	for _, ext := range []string{"json", "xml"} {
		f := url.Values{"service_code": {"belysning"}, "lat": {varaLat}, "long": {varaLong},
			"description": {"Trasig lampa vid busshållplatsen " + ext}, "email": {"bo@example.se"}}
		resp, body := e.post(t, "/open311/v2/requests."+ext, f)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("%s: status %d, want 201: %s", ext, resp.StatusCode, body)
		}
		row := pgtest.Strings(t, e.url, `SELECT feeling || '|' || source || '|' || status FROM report WHERE description = $1`,
			"Trasig lampa vid busshållplatsen "+ext)
		if len(row) != 1 || row[0] != "2|resident|received" {
			t.Errorf("%s: stored %v, want feeling 2 (unsafe), resident, received", ext, row)
		}
	}
}

// TestStatusNotes: a report whose action is done is closed with the action's feedback
// as status_notes; an action in progress leaves it open with its feedback; a resolved
// report without an action is closed with a fixed note; a rejected one is no service
// request at all. The status filter follows the same rule.
func TestStatusNotes(t *testing.T) {
	e := newEnv(t, nil)
	done := e.submit(t, form())
	going := e.submit(t, form("service_code", "klotter"))
	resolved := e.submit(t, form("lat", "58.262", "long", "13.105"))
	plain := e.submit(t, form("attribute[feeling]", "3"))
	rejected := e.submit(t, form("attribute[feeling]", "1"))
	for _, id := range []string{done, going, plain} {
		e.setStatus(t, id, "published")
	}
	e.setStatus(t, resolved, "resolved")
	e.setStatus(t, rejected, "rejected")
	pgtest.Exec(t, e.url, `UPDATE report_status SET note = 'Dubblett, internt' WHERE report_id = '`+rejected+`'`)
	action := func(report, status, feedback string) {
		pgtest.Exec(t, e.url, fmt.Sprintf(`INSERT INTO action (id, municipality_code, report_id, description, owner_text, status, feedback)
			VALUES (gen_random_uuid(), '1470', '%s', 'Byt lampan', 'Gatuenheten', '%s', '%s')`, report, status, feedback))
	}
	action(done, "open", "")
	pgtest.Exec(t, e.url, `UPDATE action SET status = 'done', feedback = 'Lampan är bytt 2026-12-01.', done_at = now(), updated_at = now()
		WHERE report_id = '`+done+`'`)
	action(going, "in_progress", "Saneringen är beställd.")

	want := map[string][2]string{
		done:     {"closed", "Lampan är bytt 2026-12-01."},
		going:    {"open", "Saneringen är beställd."},
		resolved: {"closed", "Ärendet är avslutat av kommunen."},
		plain:    {"open", ""},
	}
	for id, w := range want {
		_, body := e.get(t, "/open311/v2/requests/"+id+".json")
		var rs []request
		if err := json.Unmarshal(body, &rs); err != nil || len(rs) != 1 {
			t.Fatalf("%v: %s", err, body)
		}
		notes := ""
		if rs[0].StatusNotes != nil {
			notes = *rs[0].StatusNotes
		}
		if rs[0].Status != w[0] || notes != w[1] || (w[1] == "" && rs[0].StatusNotes != nil) {
			t.Errorf("json %s: status %q notes %q, want %q %q", id, rs[0].Status, notes, w[0], w[1])
		}
		if rs[0].MediaURL != nil {
			t.Errorf("media_url %q, want null: there are no photos", *rs[0].MediaURL)
		}

		_, body = e.get(t, "/open311/v2/requests/"+id+".xml")
		wellFormed(t, body)
		var x struct {
			Requests []struct {
				Status      string  `xml:"status"`
				StatusNotes string  `xml:"status_notes"`
				MediaURL    *string `xml:"media_url"`
			} `xml:"request"`
		}
		if err := xml.Unmarshal(body, &x); err != nil || len(x.Requests) != 1 {
			t.Fatalf("%v: %s", err, body)
		}
		if r := x.Requests[0]; r.Status != w[0] || r.StatusNotes != w[1] || r.MediaURL == nil || *r.MediaURL != "" {
			t.Errorf("xml %s: %+v, want %q %q and an empty media_url", id, r, w[0], w[1])
		}
	}

	resp, body := e.get(t, "/open311/v2/requests/"+rejected+".json")
	wantError(t, resp, body, http.StatusNotFound)

	if got := e.list(t, "status=closed"); !sameSet(got, []string{done, resolved}) {
		t.Errorf("status=closed: %v, want %v", got, []string{done, resolved})
	}
	if got := e.list(t, "status=open"); !sameSet(got, []string{going, plain}) {
		t.Errorf("status=open: %v, want %v", got, []string{going, plain})
	}
	if got := e.list(t, "status=open,closed"); len(got) != 4 {
		t.Errorf("status=open,closed: %v, want 4", got)
	}
}
