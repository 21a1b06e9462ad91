package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

type calendarBody struct {
	Municipality string `json:"municipality"`
	Year         int    `json:"year"`
	LeadDays     int    `json:"lead_days"`
	Dates        []struct {
		Key    string  `json:"key"`
		Name   string  `json:"name"`
		Kind   string  `json:"kind"`
		Date   string  `json:"date"`
		End    *string `json:"end"`
		Source string  `json:"source"`
	} `json:"dates"`
}

func decodeCalendar(t *testing.T, body []byte) (calendarBody, map[string]string) {
	t.Helper()
	var c calendarBody
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	byKey := map[string]string{}
	for _, d := range c.Dates {
		v := d.Date
		if d.End != nil {
			v += ".." + *d.End
		}
		if d.Source != "" {
			v += " " + d.Source
		}
		byKey[d.Key] = v
	}
	return c, byKey
}

func TestCalendar(t *testing.T) {
	e := newEnv(t, nil)
	resp, body := e.get(t, "/api/v1/calendar?municipality=1470&year=2026")
	wantStatus(t, resp, body, http.StatusOK)
	c, got := decodeCalendar(t, body)
	if c.Municipality != "1470" || c.Year != 2026 || c.LeadDays != trygg.RiskLeadDays || len(c.Dates) < 25 {
		t.Errorf("calendar %+v", c)
	}
	for k, v := range map[string]string{"paskdagen": "2026-04-05", "midsommarafton": "2026-06-19", "valborg": "2026-04-30",
		"skolavslutning": "2026-06-12 default", "student": "2026-06-01..2026-06-12 default"} {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}

	for _, tc := range []struct {
		path   string
		status int
		field  string
	}{
		{"/api/v1/calendar?municipality=1470", 400, "year"},
		{"/api/v1/calendar?municipality=1470&year=26", 400, "year"},
		{"/api/v1/calendar?municipality=1470&year=2O26", 400, "year"},
		{"/api/v1/calendar?municipality=1470&year=1999", 400, "year"},
		{"/api/v1/calendar?municipality=1470&year=+202", 400, "year"},
		{"/api/v1/calendar?municipality=vara&year=2026", 400, "municipality"},
		{"/api/v1/calendar?year=2026", 400, "municipality"},
		{"/api/v1/calendar?municipality=9999&year=2026", 404, "municipality"},
	} {
		resp, body := e.get(t, tc.path)
		wantStatus(t, resp, body, tc.status)
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" || problemField(t, body) != tc.field {
			t.Errorf("%s: %s field %q, want %q", tc.path, ct, problemField(t, body), tc.field)
		}
	}
}

func TestSetRiskDates(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	other := e.addUser(t, trygg.RolePlanner, "kommun-0685")
	moderator := e.addUser(t, trygg.RoleModerator, "kommun-1470")
	pl, ot, mod := e.signIn(t, planner.Email), e.signIn(t, other.Email), e.signIn(t, moderator.Email)
	const path = "/api/v1/municipalities/1470/risk-dates/2026"
	set := `{"dates":[{"key":"skolavslutning","from":"2026-06-10","to":"2026-06-10"},{"key":"student","from":"2026-06-03","to":"2026-06-09"}]}`

	resp, body := e.client().do(t, http.MethodPut, path, set)
	wantStatus(t, resp, body, http.StatusUnauthorized)
	resp, body = mod.do(t, http.MethodPut, path, set)
	wantStatus(t, resp, body, http.StatusForbidden)
	resp, body = ot.do(t, http.MethodPut, path, set) // Vetlanda's planner on Vara's calendar
	wantStatus(t, resp, body, http.StatusForbidden)
	for _, tc := range []struct{ body, field string }{
		{`{"dates":[{"key":"valborg","from":"2026-04-30","to":"2026-04-30"}]}`, "dates[0].key"},
		{`{"dates":[{"key":"student","from":"2025-06-03","to":"2026-06-09"}]}`, "dates[0].from"},
		{`{"dates":[{"key":"student","from":"2026-06-03","to":"2026-06-01"}]}`, "dates[0].to"},
		{`{"dates":[{"key":"student","from":"2026-06-03","to":"2026-06-04"},{"key":"student","from":"2026-06-03","to":"2026-06-04"}]}`, "dates[1].key"},
		{`{}`, "dates"},
	} {
		resp, body = pl.do(t, http.MethodPut, path, tc.body)
		wantStatus(t, resp, body, http.StatusBadRequest)
		if f := problemField(t, body); f != tc.field {
			t.Errorf("%s: field %q, want %q", tc.body, f, tc.field)
		}
	}
	resp, body = pl.do(t, http.MethodPut, "/api/v1/municipalities/1470/risk-dates/1999", set)
	wantStatus(t, resp, body, http.StatusBadRequest)

	resp, body = pl.do(t, http.MethodPut, path, set)
	wantStatus(t, resp, body, http.StatusOK)
	if _, got := decodeCalendar(t, body); got["skolavslutning"] != "2026-06-10 municipality" ||
		got["student"] != "2026-06-03..2026-06-09 municipality" || got["pasklov"] != "2026-04-06..2026-04-10 default" {
		t.Errorf("after PUT: %v", got)
	}
	// The public sees Vara's own dates; Vetlanda and other years keep the defaults.
	_, got := decodeCalendar(t, must200(t, e, "/api/v1/calendar?municipality=1470&year=2026"))
	if got["skolavslutning"] != "2026-06-10 municipality" {
		t.Errorf("public after PUT: %v", got)
	}
	for _, p := range []string{"/api/v1/calendar?municipality=0685&year=2026", "/api/v1/calendar?municipality=1470&year=2027"} {
		if _, got := decodeCalendar(t, must200(t, e, p)); got["skolavslutning"] != map[bool]string{true: "2026-06-12 default", false: "2027-06-18 default"}[p[len(p)-1] == '6'] {
			t.Errorf("%s: %v", p, got["skolavslutning"])
		}
	}
	if n := pgtest.Strings(t, e.url, `SELECT count(*)::text FROM audit_log WHERE entity = 'risk_date_local'
		AND entity_id = '1470/2026' AND action = 'risk_dates.update' AND actor_id = $1`, planner.ID); n[0] != "1" {
		t.Errorf("%s audit entries, want 1", n[0])
	}
	// An empty list gives the defaults back.
	resp, body = pl.do(t, http.MethodPut, path, `{"dates":[]}`)
	wantStatus(t, resp, body, http.StatusOK)
	if _, got := decodeCalendar(t, body); got["skolavslutning"] != "2026-06-12 default" {
		t.Errorf("after reset: %v", got)
	}
}

func must200(t *testing.T, e *env, path string) []byte {
	t.Helper()
	resp, body := e.get(t, path)
	wantStatus(t, resp, body, http.StatusOK)
	return body
}

func TestPatrolPlanRiskDates(t *testing.T) {
	e := newEnv(t, nil)
	police := e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg")
	pc := e.signIn(t, police.Email)
	type riskPlan struct {
		ID        string `json:"id"`
		RiskDates []struct {
			Key  string `json:"key"`
			Name string `json:"name"`
		} `json:"risk_dates"`
	}
	plan := func(start, end string) riskPlan {
		t.Helper()
		resp, body := pc.do(t, http.MethodPost, "/api/v1/patrol-plans", patrolBody(start, end, nil))
		wantStatus(t, resp, body, http.StatusCreated)
		var p riskPlan
		if err := json.Unmarshal(body, &p); err != nil || p.RiskDates == nil {
			t.Fatalf("%v: %s", err, body)
		}
		return p
	}
	// Valborg night, into första maj (a holiday, not a risk date).
	p := plan("2026-04-30T20:00:00+02:00", "2026-05-01T02:00:00+02:00")
	if len(p.RiskDates) != 1 || p.RiskDates[0].Key != "valborg" || p.RiskDates[0].Name != "Valborg" {
		t.Errorf("valborg shift: %+v", p.RiskDates)
	}
	resp, body := pc.do(t, http.MethodGet, "/api/v1/patrol-plans/"+p.ID+"/print", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), "Risktillfälle:</strong> Valborg") {
		t.Errorf("the printed plan does not name valborg:\n%s", body)
	}
	// An ordinary Tuesday: none.
	if p := plan("2026-11-17T08:00:00+01:00", "2026-11-17T16:00:00+01:00"); len(p.RiskDates) != 0 {
		t.Errorf("ordinary shift: %+v", p.RiskDates)
	}
	// Vara's own skolavslutning is on a day planned afterwards.
	planner := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	resp, body = e.signIn(t, planner.Email).do(t, http.MethodPut, "/api/v1/municipalities/1470/risk-dates/2026",
		`{"dates":[{"key":"skolavslutning","from":"2026-06-10","to":"2026-06-10"}]}`)
	wantStatus(t, resp, body, http.StatusOK)
	p = plan("2026-06-10T18:00:00+02:00", "2026-06-11T01:00:00+02:00")
	keys := []string{}
	for _, d := range p.RiskDates {
		keys = append(keys, d.Key)
	}
	if strings.Join(keys, ",") != "student,skolavslutning" {
		t.Errorf("skolavslutning shift: %v", keys)
	}
}

func TestFollowupRiskDatesJSON(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.addUser(t, trygg.RolePlanner, "kommun-0685")
	for _, c := range []*client{e.client(), e.signIn(t, planner.Email)} {
		path := "/api/v1/public/promises/" + demo.DemoID("vetlanda") + "/followup"
		if c.csrf != "" {
			path = "/api/v1/promises/" + demo.DemoID("vetlanda") + "/followup"
		}
		var f struct {
			Commitments []struct {
				ActivityKind string `json:"activity_kind"`
				RiskDates    []struct {
					Key         string   `json:"key"`
					Name        string   `json:"name"`
					Date        string   `json:"date"`
					Status      string   `json:"status"`
					Covered     bool     `json:"covered"`
					ActivityIDs []string `json:"activity_ids"`
				} `json:"risk_dates"`
			} `json:"commitments"`
		}
		if err := json.Unmarshal(must200c(t, c, path), &f); err != nil {
			t.Fatal(err)
		}
		with, covered := 0, 0
		for _, cm := range f.Commitments {
			if cm.RiskDates == nil {
				continue
			}
			with++
			if cm.ActivityKind != trygg.KindInformation {
				t.Errorf("risk dates on a %s commitment", cm.ActivityKind)
			}
			for _, r := range cm.RiskDates {
				if r.Covered {
					covered++
					if len(r.ActivityIDs) == 0 || r.Status != "covered" || r.Name == "" || len(r.Date) != 10 {
						t.Errorf("%s: %+v", path, r)
					}
				}
			}
		}
		if with != 1 || covered != 12 {
			t.Errorf("%s: %d commitments with risk dates (want 1), %d covered (want 12)", path, with, covered)
		}
	}
}

func must200c(t *testing.T, c *client, path string) []byte {
	t.Helper()
	resp, body := c.do(t, http.MethodGet, path, nil)
	wantStatus(t, resp, body, http.StatusOK)
	return body
}
