package api_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// The patrol tests' places in Vara: three day places 1.4 km apart north to south
// (reports 10–13 every day; each its own hot area) and a night place 1.7 km east of the
// middle one (reports 23–01), over reports spread across the municipality.
var (
	patrolDay   = [2]float64{12.9500, 58.2620}
	patrolNight = [2]float64{12.9800, 58.2620}
	patrolDays  = [][2]float64{patrolDay, {12.9500, 58.2750}, {12.9500, 58.2490}}
)

func seedPatrolHotspots(t *testing.T, e *env) {
	t.Helper()
	pgtest.Exec(t, e.url, fmt.Sprintf(`
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
		                    public_description, source, precision, status, observed_at)
		SELECT gen_random_uuid(), '1470', g, report_public_geom(g, 50), c.cat, 1, '{}', 'x', 'x', 'resident', 'exact', 'published',
		       timestamptz '2026-08-01 00:00 Europe/Stockholm' + (i / 3) * interval '1 day' + c.hour * interval '1 hour'
		                   + (i %% 3) * interval '1 hour'
		FROM (VALUES (%[1]f, %[2]f, 10, 'stokiga-grupper'), (%[3]f, %[4]f, 23, 'narkotika'),
		             (%[5]f, %[6]f, 10, 'stokiga-grupper'), (%[7]f, %[8]f, 10, 'stokiga-grupper')) c(lon, lat, hour, cat),
		     generate_series(1, 81) i,
		     LATERAL (SELECT ST_SetSRID(ST_MakePoint(c.lon + (i %% 9 - 4) * 0.0002, c.lat + (i / 9 - 4) * 0.0001), 4326) AS g) p;
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
		                    public_description, source, precision, status, created_at)
		SELECT gen_random_uuid(), '1470', d.geom, report_public_geom(d.geom, 50), 'klotter', 2, '{}', 'x', 'x',
		       'resident', 'exact', 'published', timestamptz '2026-03-01 00:00 Europe/Stockholm' + d.path[1] * interval '13 hours'
		FROM municipality m, LATERAL ST_Dump(ST_GeneratePoints(m.boundary, 300, 42)) d
		WHERE m.code = '1470';`, patrolDay[0], patrolDay[1], patrolNight[0], patrolNight[1],
		patrolDays[1][0], patrolDays[1][1], patrolDays[2][0], patrolDays[2][1]))
}

type patrolFC struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	Features []struct {
		ID       string `json:"id"`
		Geometry struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
		Properties struct {
			Kind             string    `json:"kind"`
			Seq              int       `json:"seq"`
			Target           string    `json:"target"`
			Name             string    `json:"name"`
			PlannedArrival   time.Time `json:"planned_arrival"`
			PlannedDeparture time.Time `json:"planned_departure"`
			Hotspot          struct {
				Activity    float64 `json:"activity"`
				Count       int     `json:"count"`
				DoseMinutes float64 `json:"dose_minutes_per_week"`
				PeakHours   []int   `json:"peak_hours"`
			} `json:"hotspot"`
			Area json.RawMessage `json:"area"`
		} `json:"properties"`
	} `json:"features"`
	Seed    int64    `json:"seed"`
	Notes   []string `json:"notes"`
	NoStops *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"no_stops"`
}

func decodePatrol(t *testing.T, body []byte) patrolFC {
	t.Helper()
	var fc patrolFC
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return fc
}

// stopPoints returns the stops' points, in order.
func (fc patrolFC) stops(t *testing.T) [][2]float64 {
	t.Helper()
	var out [][2]float64
	for _, f := range fc.Features {
		if f.Properties.Kind != "stop" {
			continue
		}
		var p [2]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func metresBetween(a, b [2]float64) float64 {
	dy := (a[1] - b[1]) * 111_320
	dx := (a[0] - b[0]) * 111_320 * math.Cos(a[1]*math.Pi/180)
	return math.Hypot(dx, dy)
}

func patrolBody(start, end string, extra map[string]any) map[string]any {
	b := map[string]any{"municipality": "1470", "shift_start": start, "shift_end": end,
		"start": map[string]any{"type": "Point", "coordinates": []float64{12.94, 58.258}}}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

func TestPatrolPlanFlow(t *testing.T) {
	e := newEnv(t, nil)
	seedPatrolHotspots(t, e)
	police := e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg")
	planner := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	pc := e.signIn(t, police.Email)

	// A commitment of Vara's promise the visits count toward.
	ctx := trygg.NewContext(context.Background(), &trygg.Caller{Actor: "cli:test"})
	day := func(s string) trygg.Date { d, _ := trygg.ParseDate(s); return d }
	// The shift: a week ago (the visit is in the past and within the dose's weeks).
	y, m, dd := time.Now().In(trygg.SwedishTime).AddDate(0, 0, -7).Date()
	local := func(day, h, min int) time.Time { return time.Date(y, m, dd+day, h, min, 0, 0, trygg.SwedishTime) }
	rfc := func(t time.Time) string { return t.Format(time.RFC3339) }
	pr, err := e.owner.CreatePromise(ctx, trygg.Promise{Municipality: "1470", Title: "Medborgarlöfte Vara",
		PeriodStart: day(fmt.Sprintf("%d-01-01", y-1)), PeriodEnd: day(fmt.Sprintf("%d-12-31", y+1)), Status: trygg.PromiseActive})
	if err != nil {
		t.Fatal(err)
	}
	target := 50
	cm, err := e.owner.AddCommitment(ctx, pr.ID, trygg.Commitment{Party: trygg.PartyPolice, ActivityKind: trygg.KindFootPatrol,
		Text: "Synliga fotpatruller på otrygga platser", Target: &target})
	if err != nil {
		t.Fatal(err)
	}

	// A day shift: one stop per day place (its reports are one place), none at the
	// night place, at least 150 m apart.
	dayStart, dayEnd := rfc(local(0, 8, 0)), rfc(local(0, 16, 0))
	resp, body := pc.do(t, http.MethodPost, "/api/v1/patrol-plans", patrolBody(dayStart, dayEnd,
		map[string]any{"commitment_id": cm.ID, "seed": 42}))
	wantStatus(t, resp, body, http.StatusCreated)
	if ct := resp.Header.Get("Content-Type"); ct != "application/geo+json" {
		t.Errorf("Content-Type %q", ct)
	}
	fc := decodePatrol(t, body)
	if fc.Type != "FeatureCollection" || fc.ID == "" || fc.Seed != 42 || resp.Header.Get("Location") != "/api/v1/patrol-plans/"+fc.ID {
		t.Fatalf("plan: %s", body)
	}
	pts := fc.stops(t)
	n := len(pts)
	if n == 0 || len(fc.Features) != n+1 || fc.Features[n].Geometry.Type != "LineString" {
		t.Fatalf("want stops and a route: %s", body)
	}
	if d := min(metresBetween(pts[0], patrolDays[0]), metresBetween(pts[0], patrolDays[1]), metresBetween(pts[0], patrolDays[2])); d > 600 {
		t.Errorf("the first stop is %.0f m from the nearest day place", d)
	}
	for i := range pts {
		if d := metresBetween(pts[i], patrolNight); d < 600 {
			t.Errorf("stop %d is %.0f m from the night place in a day shift", i+1, d)
		}
		for j := range i {
			if d := metresBetween(pts[i], pts[j]); d < 150 {
				t.Errorf("stops %d and %d are %.0f m apart", j+1, i+1, d)
			}
		}
	}
	prev := time.Time{}
	for i, f := range fc.Features[:n] {
		p := f.Properties
		if p.Seq != i+1 || !p.PlannedArrival.After(prev) || p.PlannedDeparture.Sub(p.PlannedArrival) != 15*time.Minute {
			t.Errorf("stop %d: %+v", i+1, p)
		}
		d := math.Inf(1)
		for _, place := range patrolDays {
			d = min(d, metresBetween(pts[i], place))
		}
		if d > 600 {
			t.Errorf("stop %d is %.0f m from the nearest day place: %+v", i+1, d, p)
		}
		if p.Name == "" || strings.HasPrefix(p.Name, "Hotspot") {
			t.Errorf("stop %d is named %q", i+1, p.Name)
		}
		if p.Hotspot.Activity <= 0 || len(p.Area) == 0 ||
			!strings.HasPrefix(p.Target, "cell:hex:200:") && !strings.HasPrefix(p.Target, "place:") {
			t.Errorf("stop %d: %+v", i+1, p)
		}
		prev = p.PlannedDeparture
	}
	first := fc.Features[0].Properties.PlannedArrival
	if first.Before(local(0, 8, 0)) {
		t.Errorf("first arrival %v before the shift", first)
	}

	// GPX: waypoints and the route.
	resp, body = pc.do(t, http.MethodGet, "/api/v1/patrol-plans/"+fc.ID+"?format=gpx", nil)
	wantStatus(t, resp, body, http.StatusOK)
	var gpx struct {
		XMLName xml.Name `xml:"gpx"`
		Wpts    []struct {
			Lat  float64 `xml:"lat,attr"`
			Lon  float64 `xml:"lon,attr"`
			Name string  `xml:"name"`
			Time string  `xml:"time"`
		} `xml:"wpt"`
		Rte struct {
			Points []struct {
				Lat float64 `xml:"lat,attr"`
			} `xml:"rtept"`
		} `xml:"rte"`
	}
	if err := xml.Unmarshal(body, &gpx); err != nil {
		t.Fatalf("GPX: %v\n%s", err, body)
	}
	if resp.Header.Get("Content-Type") != "application/gpx+xml" || len(gpx.Wpts) != n || len(gpx.Rte.Points) != n+1 ||
		!strings.HasPrefix(gpx.Wpts[0].Name, "1. ") || gpx.Wpts[0].Time == "" {
		t.Fatalf("GPX: %s", body)
	}
	if d := metresBetween([2]float64{gpx.Wpts[0].Lon, gpx.Wpts[0].Lat}, pts[0]); d > 0.1 {
		t.Errorf("GPX waypoint 1 is %.2f m from the stop", d)
	}

	// Accept: application/gpx+xml asks for GPX too; ?format=html for the page.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/patrol-plans/"+fc.ID, nil)
	req.Header.Set("Accept", "application/gpx+xml")
	if r, err := pc.http.Do(req); err != nil || r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/gpx+xml" {
		t.Errorf("Accept GPX: %v %v", r, err)
	} else {
		r.Body.Close()
	}
	resp, body = pc.do(t, http.MethodGet, "/api/v1/patrol-plans/"+fc.ID+"?format=html", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("format=html: %s", resp.Header.Get("Content-Type"))
	}

	// The printable page, for a planner too.
	plc := e.signIn(t, planner.Email)
	resp, body = plc.do(t, http.MethodGet, "/api/v1/patrol-plans/"+fc.ID+"/print", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), "Patrullplan") || !strings.Contains(string(body), "Vara kommun") ||
		strings.Count(string(body), "<tr>") != n+1 {
		t.Errorf("print: %s", body)
	}
	// A planner may not plan.
	resp, body = plc.do(t, http.MethodPost, "/api/v1/patrol-plans", patrolBody(dayStart, dayEnd, nil))
	wantStatus(t, resp, body, http.StatusForbidden)

	// A visit becomes a foot-patrol activity on the commitment; a second one is a conflict.
	visit := map[string]string{"arrived_at": rfc(local(0, 8, 20)), "departed_at": rfc(local(0, 8, 34))}
	resp, body = pc.do(t, http.MethodPost, "/api/v1/patrol-plans/"+fc.ID+"/stops/1/visit", visit)
	wantStatus(t, resp, body, http.StatusCreated)
	acts, err := e.owner.Activities(ctx, postgis.ActivityFilter{CommitmentID: cm.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(acts) != 1 || acts[0].Kind != trygg.KindFootPatrol || acts[0].DurationMinutes != 14 || acts[0].Party != trygg.PartyPolice {
		t.Fatalf("activities on the commitment: %+v", acts)
	}
	if id := jsonField(t, body, "stop", "activity_id"); id != acts[0].ID {
		t.Errorf("stop's activity %s, want %s", id, acts[0].ID)
	}
	f, err := e.owner.Followup(ctx, pr.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Commitments) != 1 || f.Commitments[0].Progress.Achieved != 1 {
		t.Errorf("follow-up: %+v", f.Commitments)
	}
	resp, body = pc.do(t, http.MethodPost, "/api/v1/patrol-plans/"+fc.ID+"/stops/1/visit", visit)
	wantStatus(t, resp, body, http.StatusConflict)
	resp, body = pc.do(t, http.MethodPost, "/api/v1/patrol-plans/"+fc.ID+"/stops/9/visit", visit)
	wantStatus(t, resp, body, http.StatusNotFound)

	// The dose: 14 minutes at the first stop's place over 8 weeks.
	resp, body = pc.do(t, http.MethodGet, "/api/v1/patrol-dose?municipality=1470", nil)
	wantStatus(t, resp, body, http.StatusOK)
	var doses struct {
		Features []struct {
			ID         string `json:"id"`
			Properties struct {
				Target         string  `json:"target"`
				Visits         int     `json:"visits"`
				Minutes        float64 `json:"minutes"`
				MinutesPerWeek float64 `json:"minutes_per_week"`
				Weeks          []struct {
					Minutes float64 `json:"minutes"`
					Reports int     `json:"reports"`
				} `json:"weeks"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(body, &doses); err != nil {
		t.Fatal(err)
	}
	if len(doses.Features) != 1 {
		t.Fatalf("dose: %s", body)
	}
	d := doses.Features[0].Properties
	if d.Visits != 1 || d.Minutes != 14 || d.MinutesPerWeek != 14.0/8 || d.Target != fc.Features[0].Properties.Target ||
		len(d.Weeks) != 8 || d.Weeks[6].Minutes+d.Weeks[7].Minutes != 14 {
		t.Errorf("dose: %s", body)
	}

	// A second plan for the same shift spreads: none of the first plan's places; its
	// first-stop place shows its dose.
	resp, body = pc.do(t, http.MethodPost, "/api/v1/patrol-plans", patrolBody(dayStart, dayEnd, map[string]any{"stops": 2}))
	wantStatus(t, resp, body, http.StatusCreated)
	again := decodePatrol(t, body)
	for _, f := range again.Features {
		for _, g := range fc.Features {
			if f.Properties.Kind == "stop" && f.Properties.Target == g.Properties.Target {
				t.Errorf("the second plan visits %s again: %s", f.Properties.Target, body)
			}
		}
	}
	if !strings.Contains(strings.Join(again.Notes, ";"), "hade ett patrullstopp inom 120 minuter") {
		t.Errorf("notes: %v", again.Notes)
	}

	// Focus on drugs: only the night place has drug reports, so a day shift has no stop.
	resp, body = pc.do(t, http.MethodPost, "/api/v1/patrol-plans", patrolBody(dayStart, dayEnd,
		map[string]any{"categories": []string{"narkotika"}}))
	wantStatus(t, resp, body, http.StatusCreated)
	if drugs := decodePatrol(t, body); len(drugs.Features) != 0 || !strings.Contains(string(body), `"no_stops":{"code"`) {
		t.Errorf("drugs by day: %s", body)
	}

	// A night shift goes to the night place.
	resp, body = pc.do(t, http.MethodPost, "/api/v1/patrol-plans", patrolBody(rfc(local(0, 22, 0)), rfc(local(1, 6, 0)),
		map[string]any{"stops": 1}))
	wantStatus(t, resp, body, http.StatusCreated)
	night := decodePatrol(t, body)
	if p := night.stops(t); len(p) != 1 || metresBetween(p[0], patrolNight) > 600 {
		t.Errorf("night plan: %s", body)
	}

	// Reading it back gives the same plan, with the recorded visit.
	resp, body = pc.do(t, http.MethodGet, "/api/v1/patrol-plans/"+fc.ID, nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), `"arrived_at":"`+local(0, 8, 20).UTC().Format(time.RFC3339)+`"`) {
		t.Errorf("read back: %s", body)
	}
}

// TestPatrolPlanProblems: bad input is a problem naming the field.
func TestPatrolPlanProblems(t *testing.T) {
	e := newEnv(t, nil)
	police := e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg")
	pc := e.signIn(t, police.Email)
	const s, en = "2026-11-17T08:00:00+01:00", "2026-11-17T16:00:00+01:00"
	for _, tc := range []struct {
		name  string
		body  map[string]any
		want  int
		field string
	}{
		{"0 stops", patrolBody(s, en, map[string]any{"stops": 0}), 400, "stops"},
		{"9 stops", patrolBody(s, en, map[string]any{"stops": 9}), 400, "stops"},
		{"dwell 4", patrolBody(s, en, map[string]any{"dwell_minutes": 4}), 400, "dwell_minutes"},
		{"dwell 61", patrolBody(s, en, map[string]any{"dwell_minutes": 61}), 400, "dwell_minutes"},
		{"end before start", patrolBody(en, s, nil), 400, "shift_end"},
		{"13 hours", patrolBody(s, "2026-11-17T21:00:01+01:00", nil), 400, "shift_end"},
		{"bad time", patrolBody("tisdag", en, nil), 400, "shift_start"},
		{"no start", map[string]any{"municipality": "1470", "shift_start": s, "shift_end": en}, 400, "start"},
		{"unknown commitment", patrolBody(s, en, map[string]any{"commitment_id": "00000000-0000-4000-8000-000000000001"}), 400, "commitment_id"},
		{"bad commitment", patrolBody(s, en, map[string]any{"commitment_id": "x"}), 400, "commitment_id"},
		{"unknown category", patrolBody(s, en, map[string]any{"categories": []string{"drakar"}}), 400, "categories"},
		{"not served", patrolBody(s, en, map[string]any{"municipality": "1383"}), 403, "municipality"},
		{"unknown field", patrolBody(s, en, map[string]any{"stoppar": 3}), 400, "stoppar"},
		{"unknown source", patrolBody(s, en, map[string]any{"source": "kameror"}), 400, "source"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := pc.do(t, http.MethodPost, "/api/v1/patrol-plans", tc.body)
			wantStatus(t, resp, body, tc.want)
			if f := problemField(t, body); f != tc.field {
				t.Errorf("field %q, want %q: %s", f, tc.field, body)
			}
		})
	}
	// No reports: a plan without stops that says why, also when read back.
	resp, body := pc.do(t, http.MethodPost, "/api/v1/patrol-plans", patrolBody(s, en, nil))
	wantStatus(t, resp, body, http.StatusCreated)
	fc := decodePatrol(t, body)
	if len(fc.Features) != 0 || fc.NoStops == nil || fc.NoStops.Code != "no_reports" || !strings.Contains(fc.NoStops.Message, "inga rapporter") {
		t.Errorf("empty plan: %s", body)
	}
	resp, body = pc.do(t, http.MethodGet, "/api/v1/patrol-plans/"+fc.ID, nil)
	wantStatus(t, resp, body, http.StatusOK)
	if again := decodePatrol(t, body); again.NoStops == nil || again.NoStops.Code != "no_reports" {
		t.Errorf("read back: %s", body)
	}
	// A start in Gothenburg, far outside Vara: no stops, and why.
	resp, body = pc.do(t, http.MethodPost, "/api/v1/patrol-plans", patrolBody(s, en,
		map[string]any{"start": []float64{11.97, 57.71}}))
	wantStatus(t, resp, body, http.StatusCreated)
	if fc := decodePatrol(t, body); len(fc.Features) != 0 || fc.NoStops == nil || fc.NoStops.Code != "start_outside" ||
		!strings.Contains(fc.NoStops.Message, "utanför Vara kommun") {
		t.Errorf("start outside: %s", body)
	}
	resp, body = pc.do(t, http.MethodGet, "/api/v1/patrol-dose?municipality=1470&weeks=0", nil)
	wantStatus(t, resp, body, http.StatusBadRequest)
}
