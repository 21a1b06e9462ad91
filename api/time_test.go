package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
)

// TestDialoguePlaceTimes: the places of a dialogue keep what people said about time:
// the times named (JSON, GeoJSON and CSV), an observed moment, and a date without a
// time of day as the place's date (not a moment at midnight).
func TestDialoguePlaceTimes(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1494").Email)
	resp, body := planner.do(t, http.MethodPost, "/api/v1/dialogues", map[string]any{"title": "Trygghetsvandring",
		"held_on": "2025-11-20", "place": "Torget"})
	wantStatus(t, resp, body, http.StatusCreated)
	var d trygg.Dialogue
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/dialogues/" + d.ID + "/places"
	p1, p2 := e.placeIn(t, "1494", 0, 0), e.placeIn(t, "1494", 0.003, 0)

	resp, body = planner.do(t, http.MethodPost, path, map[string]any{"location": geoPoint(p1), "category": "belysning",
		"feeling": 1, "when": []string{"weekend", "night"}})
	wantStatus(t, resp, body, http.StatusCreated)
	csv := "lat,lon,kategori,känsla,när,datum\n" +
		fmt.Sprintf("%g,%g,belysning,2,natt;helg,2025-11-20\n", p2[1], p2[0]) +
		fmt.Sprintf("%g,%g,belysning,2,,2025-11-21 22:15\n", p2[1], p2[0])
	resp, body = planner.post(t, path, "text/csv", csv)
	wantStatus(t, resp, body, http.StatusCreated)

	rows, err := e.owner.Pool().Query(context.Background(), `SELECT times::text, coalesce(to_char(observed_at AT TIME ZONE 'Europe/Stockholm', 'YYYY-MM-DD HH24:MI'), '-'),
		to_char(created_at AT TIME ZONE 'Europe/Stockholm', 'YYYY-MM-DD'), report_slots(observed_at, times)
		FROM report WHERE dialogue_id = $1 ORDER BY created_at DESC, observed_at NULLS FIRST`, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	type place struct {
		times, observed, date string
		slots                 []int16
	}
	var got []place
	for rows.Next() {
		var p place
		if err := rows.Scan(&p.times, &p.observed, &p.date, &p.slots); err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	today := time.Now().In(trygg.SwedishTime).Format(time.DateOnly)
	want := []place{
		{"{night,weekend}", "-", today, nil},        // JSON: the times named
		{"{}", "2025-11-21 22:15", today, nil},      // CSV: an observed moment
		{"{night,weekend}", "-", "2025-11-20", nil}, // CSV: the times named and a date
	}
	if len(got) != 3 {
		t.Fatalf("places %+v, want 3", got)
	}
	byKey := map[string]place{}
	for _, p := range got {
		byKey[p.times+p.observed+p.date] = p
	}
	for _, w := range want {
		p, ok := byKey[w.times+w.observed+w.date]
		if !ok {
			t.Errorf("no place %+v among %+v", w, got)
			continue
		}
		if n := len(p.slots); w.times == "{night,weekend}" && n != 16 || w.times == "{}" && n != 1 {
			t.Errorf("place %+v: %d slots, want 16 (night × weekend) or 1 (observed)", p, n)
		}
	}
}

// TestHotspotWhenValues: every when value filters, weekday and weekend too; others
// are refused naming the parameter; the summary says how many reports had no time.
func TestHotspotWhenValues(t *testing.T) {
	e := newEnv(t, nil)
	seedHotspots(t, e)
	staff := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1470").Email) // no rate limit
	for _, w := range trygg.Times {
		fc := getHotspots(t, staff, "municipality=1470&when="+w)
		if _, ok := fc.Summary["unknown_time"]; !ok {
			t.Errorf("when=%s: summary %v without unknown_time", w, fc.Summary)
		}
	}
	resp, body := staff.do(t, http.MethodGet, "/api/v1/hotspots?municipality=1470&when=noon", nil)
	if p := problemOf(t, resp, body, http.StatusBadRequest); p.Field != "when" {
		t.Errorf("when=noon: field %q, want when: %s", p.Field, body)
	}
	// The seeded reports were all observed: none without a time; one without is counted.
	if _, err := e.owner.Pool().Exec(context.Background(), `UPDATE report SET observed_at = NULL, times = '{}'
		WHERE id = (SELECT id FROM report ORDER BY id LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
	if fc := getHotspots(t, staff, "municipality=1470&method=dbscan"); fc.Summary["unknown_time"] != float64(1) {
		t.Errorf("summary %v, want unknown_time 1", fc.Summary)
	}
}
