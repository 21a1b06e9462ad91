package api_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/trygg-gis/trygg"
)

// publicReads is every public read of reports, as the public sees report id: by id
// (nil when 404), in the OGC reports collection, in Open311's list and by id, and in
// the public tile over p at z16 (the properties of each; nil where it is absent).
type publicReads struct {
	byID, ogc, open311, open311ID, tile map[string]any
}

func (e *env) publicReads(t *testing.T, id string, p orb.Point) publicReads {
	t.Helper()
	var out publicReads
	anyone := e.client()
	resp, body := anyone.do(t, http.MethodGet, "/api/v1/reports/"+id, nil)
	switch resp.StatusCode {
	case http.StatusOK:
		var f struct{ Properties map[string]any }
		if err := json.Unmarshal(body, &f); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		out.byID = f.Properties
	case http.StatusNotFound:
	default:
		t.Fatalf("GET /api/v1/reports/%s: status %d: %s", id, resp.StatusCode, body)
	}

	resp, body = anyone.do(t, http.MethodGet, "/ogc/collections/reports/items?limit=1000", nil)
	wantStatus(t, resp, body, http.StatusOK)
	var fc struct {
		Features []struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	for _, f := range fc.Features {
		if f.ID == id {
			out.ogc = f.Properties
		}
	}

	resp, body = anyone.do(t, http.MethodGet, "/open311/v2/requests.json", nil)
	wantStatus(t, resp, body, http.StatusOK)
	var reqs []map[string]any
	if err := json.Unmarshal(body, &reqs); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	for _, r := range reqs {
		if r["service_request_id"] == id {
			out.open311 = r
		}
	}
	resp, body = anyone.do(t, http.MethodGet, "/open311/v2/requests/"+id+".json", nil)
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &reqs); err != nil || len(reqs) != 1 {
			t.Fatalf("%v: %s", err, body)
		}
		out.open311ID = reqs[0]
	} else if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("Open311 request %s: status %d: %s", id, resp.StatusCode, body)
	}

	tl := maptile.At(p, 16)
	resp, body = anyone.do(t, http.MethodGet, "/tiles/reports/16/"+strconv.Itoa(int(tl.X))+"/"+strconv.Itoa(int(tl.Y))+".mvt", nil)
	if resp.StatusCode == http.StatusOK {
		ls, err := mvt.Unmarshal(body)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			for _, f := range l.Features {
				if f.Properties["id"] == id {
					out.tile = f.Properties
				}
			}
		}
	} else if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("tile: status %d: %s", resp.StatusCode, body)
	}
	return out
}

// wholeHour reports whether v (an RFC 3339 time, as JSON or MVT carry it) is a whole
// hour.
func wholeHour(t *testing.T, what string, v any) {
	t.Helper()
	s, _ := v.(string)
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		tm, err = time.Parse("2006-01-02 15:04:05Z07", s) // PostgreSQL's text, in tiles
	}
	if err != nil {
		t.Errorf("%s: %v is not a time (%v)", what, v, err)
		return
	}
	if !tm.Equal(tm.Truncate(time.Hour)) {
		t.Errorf("%s: %s is not a whole hour", what, s)
	}
}

// TestStaffSourcesStayStaff: an EST incident a planner enters, and a report the police
// enter, are absent from every public read until a planner publishes them; published,
// the public sees none of their free text and only whole hours; a resident's report
// says its public position is snapped, and to what grid.
func TestStaffSourcesStayStaff(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1470").Email)
	moderator := e.signIn(t, e.addUser(t, trygg.RoleModerator, "kommun-1470").Email)
	police := e.signIn(t, e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg").Email)
	p := e.placeIn(t, "1470", 0, 0)

	// At the school at 15:20 two days ago, Swedish time.
	day := time.Now().In(trygg.SwedishTime).AddDate(0, 0, -2)
	occurred := time.Date(day.Year(), day.Month(), day.Day(), 15, 20, 37, 0, trygg.SwedishTime)
	const text = "Hot mot fritidspersonal vid skolan"
	resp, body := planner.do(t, http.MethodPost, "/api/v1/est/incidents", map[string]any{"type": "against-staff",
		"occurred_at": occurred.Format(time.RFC3339), "location": geoPoint(p), "area": "Skolan", "description": text})
	wantStatus(t, resp, body, http.StatusCreated)
	est := jsonField(t, body, "id")
	if s := jsonField(t, body, "properties", "status"); s != "received" {
		t.Errorf("a new EST incident is %s, want received", s)
	}
	resp, body = police.post(t, "/api/v1/reports", "application/json",
		`{"location":`+mustJSON(t, geoPoint(p))+`,"category":"narkotika","feeling":1,"source":"police","description":"Langning bakom sporthallen","observed_at":"`+occurred.Format(time.RFC3339)+`"}`)
	wantStatus(t, resp, body, http.StatusCreated)
	pol := jsonField(t, body, "id")
	if s := jsonField(t, body, "status"); s != "received" {
		t.Errorf("a new police report is %s, want received", s)
	}

	for _, id := range []string{est, pol} {
		r := e.publicReads(t, id, p)
		if r.byID != nil || r.ogc != nil || r.open311 != nil || r.open311ID != nil || r.tile != nil {
			t.Errorf("unpublished staff report %s is public: %+v", id, r)
		}
	}

	// The police may not publish; a planner may (the municipality's), and may not
	// moderate a resident's report.
	resp, body = police.do(t, http.MethodPost, "/api/v1/reports/"+pol+"/moderation", map[string]string{"action": "publish"})
	wantStatus(t, resp, body, http.StatusForbidden)
	resident := submit(t, e.client(), `{"location":`+mustJSON(t, geoPoint(p))+`,"category":"belysning","feeling":2,"description":"Mörkt vid busshållplatsen"}`)
	resp, body = planner.do(t, http.MethodPost, "/api/v1/reports/"+resident.ID+"/moderation", map[string]string{"action": "publish"})
	wantStatus(t, resp, body, http.StatusForbidden)
	for _, id := range []string{est, pol} {
		resp, body = planner.do(t, http.MethodPost, "/api/v1/reports/"+id+"/moderation", map[string]string{"action": "publish"})
		wantStatus(t, resp, body, http.StatusOK)
	}
	resp, body = moderator.do(t, http.MethodPost, "/api/v1/reports/"+resident.ID+"/moderation", map[string]string{"action": "publish"})
	wantStatus(t, resp, body, http.StatusOK)

	// Published: no free text anywhere public, whole hours.
	for _, id := range []string{est, pol} {
		r := e.publicReads(t, id, p)
		for what, props := range map[string]map[string]any{"by id": r.byID, "OGC": r.ogc, "Open311": r.open311,
			"Open311 by id": r.open311ID, "tile": r.tile} {
			if props == nil {
				t.Errorf("%s: the published staff report %s is missing", what, id)
				continue
			}
			all, _ := json.Marshal(props)
			if strings.Contains(string(all), "fritidspersonal") || strings.Contains(string(all), "sporthallen") {
				t.Errorf("%s: the public sees the staff's free text: %s", what, all)
			}
			for _, k := range []string{"observed_at", "created_at", "requested_datetime", "updated_datetime"} {
				if v, ok := props[k]; ok && v != nil {
					wholeHour(t, what+" "+k, v)
				}
			}
			if _, open311 := props["service_request_id"]; !open311 &&
				(props["precision"] != "snapped" || count(props["precision_m"]) != 50) {
				t.Errorf("%s: precision %v, precision_m %v; want snapped, 50", what, props["precision"], props["precision_m"])
			}
		}
		if got := r.byID["observed_at"]; got != occurred.Truncate(time.Hour).UTC().Format(time.RFC3339) &&
			got != occurred.Truncate(time.Hour).Format(time.RFC3339) {
			t.Errorf("public observed_at %v, want the hour %s", got, occurred.Truncate(time.Hour))
		}
	}
	// Staff still see all of it.
	resp, body = planner.do(t, http.MethodGet, "/api/v1/reports/"+est, nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), text) || !strings.Contains(string(body), ":20:37") {
		t.Errorf("the planner's view lacks the text or the minutes: %s", body)
	}

	// A resident's published report: its text, its times as they are, and its public
	// position snapped to the 50 m grid.
	r := e.publicReads(t, resident.ID, p)
	if r.byID == nil || r.byID["description"] != "Mörkt vid busshållplatsen" {
		t.Fatalf("the resident's report: %+v", r.byID)
	}
	for what, props := range map[string]map[string]any{"by id": r.byID, "OGC": r.ogc, "tile": r.tile} {
		if props["precision"] != "snapped" || count(props["precision_m"]) != 50 {
			t.Errorf("%s: precision %v, precision_m %v; want snapped, 50", what, props["precision"], props["precision_m"])
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// count is a JSON or MVT number as an int, or -1.
func count(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int64:
		return int(n)
	case uint64:
		return int(n)
	}
	return -1
}
