package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// Walk bodies in Vara.
const (
	walkRoute = `{"type":"LineString","coordinates":[[13.1,58.26],[13.102,58.261],[13.105,58.2615]]}`
	walkTimes = `["2026-10-01T19:00:00+02:00","2026-10-01T19:04:30+02:00","2026-10-01T19:09:00.5+02:00"]`
	walkArea  = `{"type":"Polygon","coordinates":[[[13.09,58.25],[13.12,58.25],[13.12,58.27],[13.09,58.27],[13.09,58.25]]]}`
	bergPoint = `{"type":"Point","coordinates":[12.42,57.17]}`
)

func walkBody(extra string) string {
	if extra != "" {
		extra = "," + extra
	}
	return `{"municipality":"1470","title":"Trygghetsvandring Vara centrum","route":` + walkRoute +
		`,"route_times":` + walkTimes + `,"area":` + walkArea + `,"starts_at":"2026-10-01T19:00:00+02:00",` +
		`"ends_at":"2026-10-01T21:00:00+02:00","dark":true,"organisers":["Vara kommun","LPO Västra Skaraborg"],` +
		`"participants":{"boende":14,"polis":2,"fastighetsägare":1}` + extra + `}`
}

// walkFeature is a walk as the API answers it.
type walkFeature struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	Geometry *struct {
		Type        string      `json:"type"`
		Coordinates [][]float64 `json:"coordinates"`
	} `json:"geometry"`
	Properties struct {
		ID           string          `json:"id"`
		Municipality string          `json:"municipality"`
		Title        string          `json:"title"`
		Area         json.RawMessage `json:"area"`
		RouteTimes   []time.Time     `json:"route_times"`
		StartsAt     *time.Time      `json:"starts_at"`
		Dark         *bool           `json:"dark"`
		Organisers   []string        `json:"organisers"`
		Participants map[string]int  `json:"participants"`
		Status       string          `json:"status"`
		Notes        string          `json:"notes"`
	} `json:"properties"`
}

func decodeWalk(t *testing.T, body []byte) walkFeature {
	t.Helper()
	var w walkFeature
	if err := json.Unmarshal(body, &w); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return w
}

// problemField returns the field a problem names.
func problemField(t *testing.T, body []byte) string {
	t.Helper()
	var p struct {
		Field string `json:"field"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return p.Field
}

func day(days int) string { return time.Now().AddDate(0, 0, days).Format(time.DateOnly) }

func TestWalkObservationsActionsFlow(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	police := e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg")
	pl, po := e.signIn(t, planner.Email), e.signIn(t, police.Email)

	// The police plan a walk in Vara; they serve Vara and Lidköping, so they must say which.
	resp, body := po.do(t, http.MethodPost, "/api/v1/walks", strings.Replace(walkBody(""), `"municipality":"1470",`, "", 1))
	wantStatus(t, resp, body, http.StatusBadRequest)
	if f := problemField(t, body); f != "municipality" {
		t.Errorf("a walk without municipality by the police: field %q, want municipality", f)
	}
	resp, body = po.do(t, http.MethodPost, "/api/v1/walks", walkBody(""))
	wantStatus(t, resp, body, http.StatusCreated)
	if ct := resp.Header.Get("Content-Type"); ct != "application/geo+json" {
		t.Errorf("Content-Type %q", ct)
	}
	w := decodeWalk(t, body)
	if resp.Header.Get("Location") != "/api/v1/walks/"+w.ID {
		t.Errorf("Location %q", resp.Header.Get("Location"))
	}
	p := w.Properties
	if w.Type != "Feature" || w.Geometry == nil || w.Geometry.Type != "LineString" || len(w.Geometry.Coordinates) != 3 ||
		w.Geometry.Coordinates[1][0] != 13.102 {
		t.Errorf("walk geometry %+v, want the route as a LineString of 3 points", w.Geometry)
	}
	wantTimes := []time.Time{time.Date(2026, 10, 1, 17, 0, 0, 0, time.UTC), time.Date(2026, 10, 1, 17, 4, 30, 0, time.UTC),
		time.Date(2026, 10, 1, 17, 9, 0, 5e8, time.UTC)}
	if !slices.EqualFunc(p.RouteTimes, wantTimes, time.Time.Equal) {
		t.Errorf("route_times %v, want %v", p.RouteTimes, wantTimes)
	}
	if p.ID != w.ID || p.Municipality != "1470" || p.Status != "planned" || p.Dark == nil || !*p.Dark ||
		p.Participants["boende"] != 14 || len(p.Organisers) != 2 || !strings.HasPrefix(string(p.Area), `{"type":"Polygon"`) {
		t.Errorf("walk properties %+v", p)
	}

	// A planner serves one municipality: it is the default. No times, no area.
	resp, body = pl.do(t, http.MethodPost, "/api/v1/walks", `{"title":"Stationsområdet","route":`+walkRoute+`}`)
	wantStatus(t, resp, body, http.StatusCreated)
	w2 := decodeWalk(t, body)
	if w2.Properties.Municipality != "1470" || w2.Properties.RouteTimes != nil || string(w2.Properties.Area) != "null" ||
		!strings.Contains(string(body), `"organisers":[],"participants":{}`) {
		t.Errorf("second walk: %s", body)
	}

	// GET, then PUT what was read back with changes (the Feature form round-trips).
	resp, body = pl.do(t, http.MethodGet, "/api/v1/walks/"+w.ID, nil)
	wantStatus(t, resp, body, http.StatusOK)
	var feature map[string]any
	if err := json.Unmarshal(body, &feature); err != nil {
		t.Fatal(err)
	}
	props := feature["properties"].(map[string]any)
	props["status"], props["notes"] = "done", "Tre mörka passager, en trygg plats."
	resp, body = pl.do(t, http.MethodPut, "/api/v1/walks/"+w.ID, feature)
	wantStatus(t, resp, body, http.StatusOK)
	if u := decodeWalk(t, body); u.Properties.Status != "done" || !slices.EqualFunc(u.Properties.RouteTimes, wantTimes, time.Time.Equal) ||
		u.Properties.Notes == "" || len(u.Geometry.Coordinates) != 3 {
		t.Errorf("after PUT: %s", body)
	}
	props["municipality"] = "1383"
	resp, body = pl.do(t, http.MethodPut, "/api/v1/walks/"+w.ID, feature)
	wantStatus(t, resp, body, http.StatusBadRequest)
	if f := problemField(t, body); f != "municipality" {
		t.Errorf("moving a walk: field %q, want municipality", f)
	}

	resp, body = pl.do(t, http.MethodGet, "/api/v1/walks?municipality=1470", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), w.ID) || !strings.Contains(string(body), w2.ID) || !strings.HasPrefix(string(body), `{"type":"FeatureCollection"`) {
		t.Errorf("walk list: %s", body)
	}
	resp, body = pl.do(t, http.MethodGet, "/api/v1/walks?municipality=1383", nil)
	wantStatus(t, resp, body, http.StatusForbidden)
	resp, body = pl.do(t, http.MethodGet, "/api/v1/walks?municipality=Vara", nil)
	wantStatus(t, resp, body, http.StatusBadRequest)

	// Observations: a FeatureCollection, with a place that feels safe; all or nothing.
	feature1 := func(geom, props string) string {
		return `{"type":"Feature","geometry":` + geom + `,"properties":{` + props + `}}`
	}
	fc := func(fs ...string) string {
		return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`
	}
	lamp := feature1(`{"type":"Point","coordinates":[13.1011,58.2603]}`,
		`"category":"belysning","feeling":1,"when":["evening","night"],"description":"Trasig lampa vid tunneln","observed_at":"2026-10-01T19:05:00+02:00"`)
	square := feature1(`{"type":"Polygon","coordinates":[[[13.103,58.261],[13.104,58.261],[13.104,58.2615],[13.103,58.2615],[13.103,58.261]]]}`,
		`"category":"trygg-plats","feeling":4,"description":"Torget känns tryggt"`)
	bushes := feature1(`{"type":"Point","coordinates":[13.105,58.2615]}`, `"category":"vegetation","feeling":2,"source":"walk"`)
	bad := feature1(`{"type":"Point","coordinates":[13.105,58.2615]}`, `"category":"vegetation","feeling":7`)
	outside := feature1(bergPoint, `"category":"klotter","feeling":2`)

	before := countReports(t, e.url)
	resp, body = pl.do(t, http.MethodPost, "/api/v1/walks/"+w.ID+"/observations", fc(lamp, bad, outside, `{"type":"Point"}`))
	wantStatus(t, resp, body, http.StatusBadRequest)
	var refused struct {
		Field  string `json:"field"`
		Errors []struct {
			Index int    `json:"feature"`
			Field string `json:"field"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &refused); err != nil {
		t.Fatal(err)
	}
	if refused.Field != "features[1].properties.feeling" || len(refused.Errors) != 2 || refused.Errors[0].Index != 1 ||
		refused.Errors[1].Index != 3 || refused.Errors[1].Field != "features[3].type" {
		t.Errorf("refused observations: %s", body)
	}
	resp, body = pl.do(t, http.MethodPost, "/api/v1/walks/"+w.ID+"/observations", fc(lamp, square, outside))
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	if err := json.Unmarshal(body, &refused); err != nil {
		t.Fatal(err)
	}
	if refused.Field != "features[2].geometry" || len(refused.Errors) != 1 || refused.Errors[0].Index != 2 {
		t.Errorf("observation outside the walk's municipality: %s", body)
	}
	if n := countReports(t, e.url); n != before {
		t.Fatalf("%d reports stored by refused requests", n-before)
	}

	resp, body = pl.do(t, http.MethodPost, "/api/v1/walks/"+w.ID+"/observations", fc(lamp, square, bushes))
	wantStatus(t, resp, body, http.StatusCreated)
	var added struct {
		IDs []string `json:"ids"`
	}
	if err := json.Unmarshal(body, &added); err != nil || len(added.IDs) != 3 {
		t.Fatalf("added: %s", body)
	}
	// One observation, plain or as a Feature.
	resp, body = pl.do(t, http.MethodPost, "/api/v1/walks/"+w.ID+"/observations",
		`{"location":{"type":"Point","coordinates":[13.1,58.26]},"category":"skymd-sikt","feeling":2}`)
	wantStatus(t, resp, body, http.StatusCreated)
	resp, body = po.do(t, http.MethodPost, "/api/v1/walks/"+w.ID+"/observations", bushes)
	wantStatus(t, resp, body, http.StatusCreated)
	resp, body = pl.do(t, http.MethodPost, "/api/v1/walks/"+w.ID+"/observations",
		`{"location":{"type":"Point","coordinates":[13.1,58.26]},"category":"skymd-sikt","feeling":2,"contact":{"email":"a@b.se"}}`)
	wantStatus(t, resp, body, http.StatusBadRequest)
	if f := problemField(t, body); f != "contact" {
		t.Errorf("an observation with contact data: field %q, want contact", f)
	}
	resp, body = pl.do(t, http.MethodPost, "/api/v1/walks/"+w.ID+"/observations", `{"location":`+bergPoint+`,"category":"klotter","feeling":2}`)
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	if f := problemField(t, body); f != "location" {
		t.Errorf("one observation outside: field %q, want location", f)
	}

	resp, body = pl.do(t, http.MethodGet, "/api/v1/walks/"+w.ID+"/observations", nil)
	wantStatus(t, resp, body, http.StatusOK)
	type observation struct {
		ID         string `json:"id"`
		Properties struct {
			Category, Source, Status, Description string
		} `json:"properties"`
	}
	var obs struct {
		Features []observation `json:"features"`
	}
	if err := json.Unmarshal(body, &obs); err != nil || len(obs.Features) != 5 {
		t.Fatalf("observations: %s", body)
	}
	for _, f := range obs.Features {
		if f.Properties.Source != "walk" || f.Properties.Status != "published" {
			t.Errorf("observation %s: source %s status %s, want walk, published", f.ID, f.Properties.Source, f.Properties.Status)
		}
	}
	if !slices.ContainsFunc(obs.Features, func(f observation) bool { return f.Properties.Category == "trygg-plats" }) {
		t.Errorf("the safe place is missing: %s", body)
	}

	// An action on the broken lamp, owned by the municipality, already overdue.
	lampID := added.IDs[0]
	resp, body = pl.do(t, http.MethodPost, "/api/v1/actions", map[string]any{"report_id": lampID,
		"description": "Byt armatur i gångtunneln", "owner_org": "kommun-1470", "due_on": day(-3)})
	wantStatus(t, resp, body, http.StatusCreated)
	var action trygg.Action
	if err := json.Unmarshal(body, &action); err != nil {
		t.Fatal(err)
	}
	if action.WalkID != w.ID || action.Municipality != "1470" || action.Status != "open" || action.DueOn == nil ||
		action.DueOn.Format(time.DateOnly) != day(-3) || resp.Header.Get("Location") != "/api/v1/actions/"+action.ID {
		t.Errorf("action: %s", body)
	}
	resp, body = po.do(t, http.MethodPost, "/api/v1/actions", map[string]any{"walk_id": w.ID,
		"description": "Fler kvällspatruller vid torget", "owner_org": "lpo-vastra-skaraborg", "due_on": day(30)})
	wantStatus(t, resp, body, http.StatusCreated)
	patrolID := jsonField(t, body, "id")

	overdue := func(query string) []string {
		t.Helper()
		resp, body := pl.do(t, http.MethodGet, "/api/v1/actions?"+query, nil)
		wantStatus(t, resp, body, http.StatusOK)
		var out struct{ Actions []trygg.Action }
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, a := range out.Actions {
			ids = append(ids, a.ID)
		}
		return ids
	}
	if got := overdue("overdue=true"); !slices.Equal(got, []string{action.ID}) {
		t.Errorf("overdue: %v, want [%s]", got, action.ID)
	}
	if got := overdue("walk=" + w.ID); !slices.Equal(got, []string{action.ID, patrolID}) {
		t.Errorf("the walk's actions: %v, want the lamp, then the patrols", got)
	}
	if got := overdue("report=" + lampID + "&status=open,in_progress&municipality=1470"); !slices.Equal(got, []string{action.ID}) {
		t.Errorf("the lamp's open actions: %v", got)
	}

	// Work starts, then the lamp is fixed: feedback for residents.
	resp, body = pl.do(t, http.MethodPatch, "/api/v1/actions/"+action.ID, map[string]any{"status": "in_progress",
		"feedback": "Ny armatur är beställd."})
	wantStatus(t, resp, body, http.StatusOK)
	if got := overdue("overdue=1"); !slices.Equal(got, []string{action.ID}) {
		t.Errorf("overdue in progress: %v, want [%s]", got, action.ID)
	}
	resp, body = pl.do(t, http.MethodPatch, "/api/v1/actions/"+action.ID, map[string]any{"status": "done",
		"feedback": "Lampan i gångtunneln är lagad.", "due_on": nil})
	wantStatus(t, resp, body, http.StatusOK)
	if err := json.Unmarshal(body, &action); err != nil {
		t.Fatal(err)
	}
	if action.Status != "done" || action.DoneAt == nil || action.DueOn != nil || action.OwnerOrg != "kommun-1470" {
		t.Errorf("done: %s", body)
	}
	if got := overdue("overdue=true"); len(got) != 0 {
		t.Errorf("overdue after done: %v", got)
	}
	resp, body = po.do(t, http.MethodGet, "/api/v1/actions/"+action.ID, nil)
	wantStatus(t, resp, body, http.StatusOK)

	// The public sees the action's status and feedback on the published observation.
	resp, body = e.client().do(t, http.MethodGet, "/api/v1/reports/"+lampID, nil)
	wantStatus(t, resp, body, http.StatusOK)
	var pub struct {
		Properties struct {
			Source string `json:"source"`
			Action *struct {
				Status   string `json:"status"`
				Feedback string `json:"feedback"`
			} `json:"action"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(body, &pub); err != nil {
		t.Fatal(err)
	}
	if pub.Properties.Source != "walk" || pub.Properties.Action == nil || pub.Properties.Action.Status != "done" ||
		pub.Properties.Action.Feedback != "Lampan i gångtunneln är lagad." {
		t.Errorf("public report: %s", body)
	}
	resp, body = e.client().do(t, http.MethodGet, "/api/v1/reports/"+added.IDs[1], nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), `"action":null`) {
		t.Errorf("a public report without an action: %s", body)
	}
	resp, body = e.client().do(t, http.MethodGet, "/api/v1/reports/nearby?lon=13.1011&lat=58.2603&radius=100", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), `"action":{"status":"done","feedback":"Lampan i gångtunneln är lagad."}`) {
		t.Errorf("nearby does not show the action: %s", body)
	}

	// The audit log has the walk and the action, with before and after.
	resp, body = pl.do(t, http.MethodGet, "/api/v1/audit?entity=action&entity_id="+action.ID, nil)
	wantStatus(t, resp, body, http.StatusOK)
	var audit struct {
		Entries []struct {
			Action string          `json:"action"`
			Actor  string          `json:"actor"`
			Before json.RawMessage `json:"before"`
			After  json.RawMessage `json:"after"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(body, &audit); err != nil {
		t.Fatal(err)
	}
	if len(audit.Entries) != 3 || audit.Entries[0].Action != "action.update" || audit.Entries[2].Action != "action.create" ||
		!strings.Contains(string(audit.Entries[0].Before), `"status":"in_progress"`) ||
		!strings.Contains(string(audit.Entries[0].After), `"status":"done"`) || audit.Entries[0].Actor != planner.Email {
		t.Errorf("audit of the action: %s", body)
	}
	resp, body = pl.do(t, http.MethodGet, "/api/v1/audit?entity=walk&entity_id="+w.ID, nil)
	wantStatus(t, resp, body, http.StatusOK)
	for _, a := range []string{"walk.create", "walk.update", "walk.add_observations"} {
		if !strings.Contains(string(body), `"action":"`+a+`"`) {
			t.Errorf("the walk's audit has no %s: %s", a, body)
		}
	}
}

func TestWalkAccess(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	moderator := e.addUser(t, trygg.RoleModerator, "kommun-1470")
	bergPlanner := e.addUser(t, trygg.RolePlanner, "kommun-1383")
	pl := e.signIn(t, planner.Email)
	resp, body := pl.do(t, http.MethodPost, "/api/v1/walks", walkBody(""))
	wantStatus(t, resp, body, http.StatusCreated)
	walkID := jsonField(t, body, "id")
	resp, body = pl.do(t, http.MethodPost, "/api/v1/actions", map[string]any{"walk_id": walkID, "description": "Klipp häcken",
		"owner_text": "Fastighetsägaren"})
	wantStatus(t, resp, body, http.StatusCreated)
	actionID := jsonField(t, body, "id")
	observation := `{"location":{"type":"Point","coordinates":[13.1,58.26]},"category":"belysning","feeling":2}`
	action := map[string]any{"walk_id": walkID, "description": "x", "owner_text": "x"}

	endpoints := []struct {
		method, path string
		body         any
		other        int // what a planner of another municipality gets
	}{
		{"GET", "/api/v1/walks", nil, 200},
		{"POST", "/api/v1/walks", walkBody(""), 403},
		{"GET", "/api/v1/walks/" + walkID, nil, 404},
		{"PUT", "/api/v1/walks/" + walkID, walkBody(""), 404},
		{"GET", "/api/v1/walks/" + walkID + "/observations", nil, 404},
		{"POST", "/api/v1/walks/" + walkID + "/observations", observation, 404},
		{"GET", "/api/v1/actions", nil, 200},
		{"POST", "/api/v1/actions", action, 404},
		{"GET", "/api/v1/actions/" + actionID, nil, 404},
		{"PATCH", "/api/v1/actions/" + actionID, map[string]any{"feedback": "kapad"}, 404},
	}
	mod, berg := e.signIn(t, moderator.Email), e.signIn(t, bergPlanner.Email)
	for _, ep := range endpoints {
		t.Run(ep.method+" "+ep.path, func(t *testing.T) {
			if resp, body := e.client().do(t, ep.method, ep.path, ep.body); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("public: status %d, want 401: %s", resp.StatusCode, body)
			}
			if resp, body := mod.do(t, ep.method, ep.path, ep.body); resp.StatusCode != http.StatusForbidden {
				t.Errorf("moderator: status %d, want 403: %s", resp.StatusCode, body)
			}
			resp, body := berg.do(t, ep.method, ep.path, ep.body)
			if resp.StatusCode != ep.other {
				t.Errorf("Varberg's planner: status %d, want %d: %s", resp.StatusCode, ep.other, body)
			}
			if resp.StatusCode == http.StatusOK && (strings.Contains(string(body), walkID) || strings.Contains(string(body), actionID)) {
				t.Errorf("Varberg's planner sees Vara's walk or action: %s", body)
			}
		})
	}
	if n := pgtest.Strings(t, e.url, `SELECT feedback FROM action WHERE id = $1`, actionID); n[0] != "" {
		t.Errorf("feedback %q was written by someone who may not", n[0])
	}
}

func TestWalkValidation(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	pl := e.signIn(t, planner.Email)
	resp, body := pl.do(t, http.MethodPost, "/api/v1/walks", walkBody(""))
	wantStatus(t, resp, body, http.StatusCreated)
	walkID := jsonField(t, body, "id")
	obsURL := "/api/v1/walks/" + walkID + "/observations"

	line := func(coords string) string {
		return `{"title":"x","route":{"type":"LineString","coordinates":` + coords + `}}`
	}
	cases := []struct {
		name, method, path, body string
		status                   int
		field                    string
	}{
		{"no title", "POST", "/api/v1/walks", `{"route":` + walkRoute + `}`, 400, "title"},
		{"one point", "POST", "/api/v1/walks", line(`[[13.1,58.26]]`), 400, "route.coordinates"},
		{"route as a Point", "POST", "/api/v1/walks", `{"title":"x","route":{"type":"Point","coordinates":[13.1,58.26]}}`, 400, "route.type"},
		{"swapped coordinates", "POST", "/api/v1/walks", line(`[[58.26,13.1],[58.261,13.102]]`), 400, "route.coordinates"},
		{"route outside Sweden", "POST", "/api/v1/walks", line(`[[2.35,48.85],[2.36,48.86]]`), 422, "route"},
		{"route not numbers", "POST", "/api/v1/walks", line(`[["a","b"],[1,2]]`), 400, "route.coordinates"},
		{"times without route", "POST", "/api/v1/walks", `{"title":"x","route_times":["2026-10-01T19:00:00Z"]}`, 400, "route_times"},
		{"the full walk", "POST", "/api/v1/walks", walkBody(`"notes":"Samling vid stationen"`), 201, ""},
		{"times count", "POST", "/api/v1/walks", `{"title":"x","route":` + walkRoute + `,"route_times":["2026-10-01T19:00:00Z"]}`, 400, "route_times"},
		{"bad time", "POST", "/api/v1/walks", `{"title":"x","route":` + walkRoute + `,"route_times":["2026-10-01T19:00:00Z","igår","2026-10-01T19:10:00Z"]}`, 400, "route_times[1]"},
		{"times backwards", "POST", "/api/v1/walks", `{"title":"x","route":` + walkRoute + `,"route_times":["2026-10-01T19:00:00Z","2026-10-01T18:00:00Z","2026-10-01T19:10:00Z"]}`, 400, "route_times[1]"},
		{"area unclosed", "POST", "/api/v1/walks", `{"title":"x","area":{"type":"Polygon","coordinates":[[[13.09,58.25],[13.12,58.25],[13.12,58.27],[13.09,58.27]]]}}`, 400, "area.coordinates"},
		{"area as LineString", "POST", "/api/v1/walks", `{"title":"x","area":` + walkRoute + `}`, 400, "area.type"},
		{"ends before start", "POST", "/api/v1/walks", `{"title":"x","starts_at":"2026-10-01T19:00:00Z","ends_at":"2026-10-01T18:00:00Z"}`, 400, "ends_at"},
		{"bad start", "POST", "/api/v1/walks", `{"title":"x","starts_at":"i kväll"}`, 400, "starts_at"},
		{"bad status", "POST", "/api/v1/walks", `{"title":"x","status":"klar"}`, 400, "status"},
		{"negative participants", "POST", "/api/v1/walks", `{"title":"x","participants":{"boende":-1}}`, 400, "participants"},
		{"participants not counts", "POST", "/api/v1/walks", `{"title":"x","participants":{"boende":"många"}}`, 400, "participants"},
		{"dark not a boolean", "POST", "/api/v1/walks", `{"title":"x","dark":"ja"}`, 400, "dark"},
		{"unknown field", "POST", "/api/v1/walks", `{"title":"x","weather":"rain"}`, 400, "weather"},
		{"municipality not served", "POST", "/api/v1/walks", `{"title":"x","municipality":"1383"}`, 403, "municipality"},
		{"feature without properties", "POST", "/api/v1/walks", `{"type":"Feature","geometry":` + walkRoute + `}`, 400, "properties"},
		{"feature bad property", "POST", "/api/v1/walks", `{"type":"Feature","geometry":` + walkRoute + `,"properties":{"title":"x","status":"klar"}}`, 400, "properties.status"},
		{"feature unknown property", "POST", "/api/v1/walks", `{"type":"Feature","geometry":null,"properties":{"title":"x","y":1}}`, 400, "properties.y"},
		{"feature collection", "POST", "/api/v1/walks", `{"type":"FeatureCollection","features":[]}`, 400, "type"},
		{"not JSON", "POST", "/api/v1/walks", `{"title":`, 400, "body"},
		{"other id in body", "PUT", "/api/v1/walks/" + walkID, `{"id":"5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1","title":"x"}`, 400, "id"},
		{"unknown walk", "PUT", "/api/v1/walks/5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1", `{"title":"x"}`, 404, "id"},
		{"malformed walk id", "GET", "/api/v1/walks/x", "", 404, "id"},

		{"observation without location", "POST", obsURL, `{"category":"belysning","feeling":2}`, 400, "location"},
		{"observation unknown category", "POST", obsURL, `{"location":` + varaPoint + `,"category":"mörkt","feeling":2}`, 400, "category"},
		{"observation bad feeling", "POST", obsURL, `{"type":"Feature","geometry":` + varaPoint + `,"properties":{"category":"belysning","feeling":0}}`, 400, "properties.feeling"},
		{"observation other source", "POST", obsURL, `{"location":` + varaPoint + `,"category":"belysning","feeling":2,"source":"resident"}`, 400, "source"},
		{"observation in the future", "POST", obsURL, `{"location":` + varaPoint + `,"category":"belysning","feeling":2,"observed_at":"2999-01-01T00:00:00Z"}`, 400, "observed_at"},
		{"observation outside Sweden", "POST", obsURL, `{"location":{"type":"Point","coordinates":[2.35,48.85]},"category":"belysning","feeling":2}`, 422, "location"},
		{"empty collection", "POST", obsURL, `{"type":"FeatureCollection","features":[]}`, 400, "features"},
		{"collection member not JSON object", "POST", obsURL, `{"type":"FeatureCollection","features":[1]}`, 400, "features[0]"},
		{"collection bad geometry", "POST", obsURL, `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[13.1,58.26],[13.2,58.3]]},"properties":{"category":"belysning","feeling":2}}]}`, 400, "features[0].geometry.type"},
		{"observations of an unknown walk", "POST", "/api/v1/walks/5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1/observations", `{"location":` + varaPoint + `,"category":"belysning","feeling":2}`, 404, "id"},

		{"action without origin", "POST", "/api/v1/actions", `{"description":"x","owner_text":"x"}`, 400, "report_id"},
		{"action malformed report", "POST", "/api/v1/actions", `{"report_id":"x","description":"x","owner_text":"x"}`, 400, "report_id"},
		{"action unknown report", "POST", "/api/v1/actions", `{"report_id":"5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1","description":"x","owner_text":"x"}`, 404, "report_id"},
		{"action without owner", "POST", "/api/v1/actions", `{"walk_id":"` + walkID + `","description":"x"}`, 400, "owner"},
		{"action unknown organisation", "POST", "/api/v1/actions", `{"walk_id":"` + walkID + `","description":"x","owner_org":"gatukontoret"}`, 400, "owner_org"},
		{"action bad due date", "POST", "/api/v1/actions", `{"walk_id":"` + walkID + `","description":"x","owner_text":"x","due_on":"1 december"}`, 400, "due_on"},
		{"action bad status", "POST", "/api/v1/actions", `{"walk_id":"` + walkID + `","description":"x","owner_text":"x","status":"klar"}`, 400, "status"},
		{"action without description", "POST", "/api/v1/actions", `{"walk_id":"` + walkID + `","owner_text":"x"}`, 400, "description"},
		{"action unknown field", "POST", "/api/v1/actions", `{"walk_id":"` + walkID + `","description":"x","owner_text":"x","prio":1}`, 400, "prio"},
		{"actions bad overdue", "GET", "/api/v1/actions?overdue=kanske", "", 400, "overdue"},
		{"actions bad status", "GET", "/api/v1/actions?status=open,klar", "", 400, "status"},
		{"actions bad walk", "GET", "/api/v1/actions?walk=x", "", 400, "walk"},
		{"actions other municipality", "GET", "/api/v1/actions?municipality=1383", "", 403, "municipality"},
		{"unknown action", "GET", "/api/v1/actions/5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1", "", 404, "id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var in any
			if tc.body != "" {
				in = tc.body
			}
			resp, body := pl.do(t, tc.method, tc.path, in)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.status >= 400 {
				if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("Content-Type %q, want application/problem+json", ct)
				}
				if f := problemField(t, body); f != tc.field {
					t.Errorf("field %q, want %q: %s", f, tc.field, body)
				}
			}
		})
	}

	// PATCH: each field, null and unknown fields.
	resp, body = pl.do(t, http.MethodPost, "/api/v1/actions", map[string]any{"walk_id": walkID, "description": "Klipp häcken",
		"owner_org": "kommun-1470", "due_on": day(5)})
	wantStatus(t, resp, body, http.StatusCreated)
	actionURL := "/api/v1/actions/" + jsonField(t, body, "id")
	for _, tc := range []struct {
		body   string
		status int
		field  string
	}{
		{`{"owner_org":null}`, 400, "owner"},
		{`{"owner_org":null,"owner_text":"Fastighetsägaren"}`, 200, ""},
		{`{"owner_org":"kommun-9999"}`, 400, "owner_org"},
		{`{"status":null}`, 400, "status"},
		{`{"status":"paused"}`, 400, "status"},
		{`{"description":""}`, 400, "description"},
		{`{"due_on":"2026-13-01"}`, 400, "due_on"},
		{`{"due_on":5}`, 400, "due_on"},
		{`{"walk_id":"` + walkID + `"}`, 400, "walk_id"},
		{`{"priority":"high"}`, 400, "priority"},
		{`[]`, 400, "body"},
		{`{"feedback":"` + strings.Repeat("å", 2001) + `"}`, 400, "feedback"},
		{`{"due_on":null,"feedback":null}`, 200, ""},
	} {
		resp, body := pl.do(t, http.MethodPatch, actionURL, tc.body)
		if resp.StatusCode != tc.status || tc.field != "" && problemField(t, body) != tc.field {
			t.Errorf("PATCH %.60s: status %d, want %d, field %s: %s", tc.body, resp.StatusCode, tc.status, tc.field, body)
		}
	}
	resp, body = pl.do(t, http.MethodGet, actionURL, nil)
	wantStatus(t, resp, body, http.StatusOK)
	if want := `"owner_text":"Fastighetsägaren","due_on":null`; !strings.Contains(string(body), want) || strings.Contains(string(body), "owner_org") {
		t.Errorf("after the patches: %s, want %s", body, want)
	}
}
