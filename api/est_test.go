package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// placeIn returns a point inside the municipality with this code (its point on
// surface), moved by dx, dy degrees.
func (e *env) placeIn(t *testing.T, code string, dx, dy float64) orb.Point {
	t.Helper()
	var p orb.Point
	if err := pgtest.Conn(t, e.url).QueryRow(context.Background(), `SELECT ST_X(p) + $2, ST_Y(p) + $3
		FROM (SELECT ST_PointOnSurface(boundary) AS p FROM municipality WHERE code = $1) m`, code, dx, dy).Scan(&p[0], &p[1]); err != nil {
		t.Fatalf("point in %s: %v", code, err)
	}
	return p
}

func geoPoint(p orb.Point) map[string]any {
	return map[string]any{"type": "Point", "coordinates": []float64{p[0], p[1]}}
}

// featureList decodes a FeatureCollection's features: id and properties.
func featureList(t *testing.T, body []byte) []map[string]any {
	t.Helper()
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			ID         string         `json:"id"`
			Geometry   map[string]any `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(body, &fc); err != nil || fc.Type != "FeatureCollection" {
		t.Fatalf("not a FeatureCollection (%v): %s", err, body)
	}
	out := make([]map[string]any, len(fc.Features))
	for i, f := range fc.Features {
		out[i] = f.Properties
		if f.ID != f.Properties["id"] || f.Geometry == nil {
			t.Errorf("feature %d: id %q, properties.id %v, geometry %v", i, f.ID, f.Properties["id"], f.Geometry)
		}
	}
	return out
}

// problemOf decodes a problem: its field, detail and record errors.
type problemBody struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Field  string `json:"field"`
	Detail string `json:"detail"`
	Errors []struct {
		Line    int    `json:"line"`
		Feature *int   `json:"feature"`
		Field   string `json:"field"`
		Reason  string `json:"detail"`
	} `json:"errors"`
}

func problemOf(t *testing.T, resp *http.Response, body []byte, status int) problemBody {
	t.Helper()
	wantStatus(t, resp, body, status)
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q: %s", ct, body)
	}
	var p problemBody
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return p
}

// errorLines are the lines a problem's errors name.
func (p problemBody) errorLines() []int {
	var out []int
	for _, e := range p.Errors {
		out = append(out, e.Line)
	}
	return out
}

func TestESTIncidentsAPI(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-0685").Email)
	police := e.signIn(t, e.addUser(t, trygg.RolePolice, "lpo-hoglandet").Email)
	moderator := e.signIn(t, e.addUser(t, trygg.RoleModerator, "kommun-0685").Email)
	varberg := e.signIn(t, e.addUser(t, trygg.RoleAdmin, "kommun-1383").Email)
	p := e.placeIn(t, "0685", 0, 0)
	occurred := time.Now().Add(-26 * time.Hour).Truncate(time.Second)
	incident := func(mod func(m map[string]any)) map[string]any {
		m := map[string]any{"type": "vandalism", "occurred_at": occurred.Format(time.RFC3339), "location": geoPoint(p),
			"area": " Resecentrum ", "description": "Krossad ruta i väntsalen, vittne nås på 070-123 45 67"}
		if mod != nil {
			mod(m)
		}
		return m
	}

	resp, body := e.client().do(t, http.MethodPost, "/api/v1/est/incidents", incident(nil))
	wantStatus(t, resp, body, http.StatusUnauthorized)
	resp, body = moderator.do(t, http.MethodPost, "/api/v1/est/incidents", incident(nil))
	wantStatus(t, resp, body, http.StatusForbidden)

	resp, body = planner.do(t, http.MethodPost, "/api/v1/est/incidents", incident(nil))
	wantStatus(t, resp, body, http.StatusCreated)
	id := jsonField(t, body, "id")
	if loc := resp.Header.Get("Location"); loc != "/api/v1/reports/"+id {
		t.Errorf("Location %q", loc)
	}
	var f struct {
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"type": "skadegorelse", "category": "skadegorelse", "source": "est",
		"status": "received", "area": "Resecentrum", "reported_by_org": "kommun-0685", "municipality": "0685",
		"observed_at": occurred.UTC().Format(time.RFC3339), "public_description": "Krossad ruta i väntsalen, vittne nås på [telefonnummer dolt]"} {
		got := f.Properties[k]
		if s, ok := got.(string); ok && k == "observed_at" {
			tm, _ := time.Parse(time.RFC3339, s)
			got = tm.UTC().Format(time.RFC3339)
		}
		if got != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}

	// The police report for their area; incidents against staff are threats.
	resp, body = police.do(t, http.MethodPost, "/api/v1/est/incidents", incident(func(m map[string]any) {
		m["type"], m["area"] = "against-staff", ""
	}))
	wantStatus(t, resp, body, http.StatusCreated)
	policeID := jsonField(t, body, "id")
	if c, o := jsonField(t, body, "properties", "category"), jsonField(t, body, "properties", "reported_by_org"); c != "hot-trakasserier" || o != "lpo-hoglandet" {
		t.Errorf("category %s, organisation %s", c, o)
	}
	// Another organisation serving the place may be named.
	resp, body = planner.do(t, http.MethodPost, "/api/v1/est/incidents", incident(func(m map[string]any) {
		m["type"], m["reported_by_org"], m["feeling"] = "klotter", "lpo-hoglandet", 1
	}))
	wantStatus(t, resp, body, http.StatusCreated)

	future := time.Now().Add(time.Hour).Format(time.RFC3339)
	for _, c := range []struct {
		name   string
		mod    func(m map[string]any)
		status int
		field  string
	}{
		{"no type", func(m map[string]any) { delete(m, "type") }, 400, "type"},
		{"unknown type", func(m map[string]any) { m["type"] = "belysning" }, 400, "type"},
		{"no time", func(m map[string]any) { delete(m, "occurred_at") }, 400, "occurred_at"},
		{"not RFC 3339", func(m map[string]any) { m["occurred_at"] = "2026-11-20 21:30" }, 400, "occurred_at"},
		{"future", func(m map[string]any) { m["occurred_at"] = future }, 400, "occurred_at"},
		{"before 2000", func(m map[string]any) { m["occurred_at"] = "1999-12-31T23:00:00Z" }, 400, "occurred_at"},
		{"no location", func(m map[string]any) { delete(m, "location") }, 400, "location"},
		{"polygon", func(m map[string]any) {
			m["location"] = map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{p[0], p[1]}, {p[0] + 0.001, p[1]}, {p[0], p[1] + 0.001}, {p[0], p[1]}}}}
		}, 400, "location.type"},
		{"swapped", func(m map[string]any) { m["location"] = geoPoint(orb.Point{p[1], p[0]}) }, 400, "location.coordinates"},
		{"outside every municipality", func(m map[string]any) { m["location"] = geoPoint(orb.Point{18.07, 59.33}) }, 422, "location"},
		{"not served", func(m map[string]any) { m["location"] = geoPoint(e.placeIn(t, "1383", 0, 0)) }, 403, "location"},
		{"organisation elsewhere", func(m map[string]any) { m["reported_by_org"] = "lpo-varberg" }, 400, "reported_by_org"},
		{"no such organisation", func(m map[string]any) { m["reported_by_org"] = "kommun-9999" }, 400, "reported_by_org"},
		{"area too long", func(m map[string]any) { m["area"] = strings.Repeat("x", 201) }, 400, "area"},
		{"feeling", func(m map[string]any) { m["feeling"] = 7 }, 400, "feeling"},
		{"unknown field", func(m map[string]any) { m["category"] = "klotter" }, 400, "category"},
	} {
		resp, body := planner.do(t, http.MethodPost, "/api/v1/est/incidents", incident(c.mod))
		if p := problemOf(t, resp, body, c.status); p.Field != c.field {
			t.Errorf("%s: field %q, want %q: %s", c.name, p.Field, c.field, body)
		}
	}
	resp, body = planner.post(t, "/api/v1/est/incidents", "text/plain", "klotter")
	wantStatus(t, resp, body, http.StatusUnsupportedMediaType)

	// The resident report path refuses source est, and says where to go.
	for _, c := range []*client{planner, e.client()} {
		resp, body = c.post(t, "/api/v1/reports", "application/json", fmt.Sprintf(
			`{"location":{"type":"Point","coordinates":[%g,%g]},"category":"klotter","feeling":2,"source":"est"}`, p[0], p[1]))
		if pr := problemOf(t, resp, body, http.StatusBadRequest); pr.Field != "source" || !strings.Contains(pr.Detail, "/api/v1/est/incidents") {
			t.Errorf("source est on /api/v1/reports: %s", body)
		}
	}

	// Lists: the caller's municipalities, filters.
	resp, body = planner.do(t, http.MethodGet, "/api/v1/est/incidents", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if fs := featureList(t, body); len(fs) != 3 {
		t.Errorf("%d incidents, want 3: %s", len(fs), body)
	}
	resp, body = police.do(t, http.MethodGet, "/api/v1/est/incidents?municipality=0685&type=against-staff,graffiti", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if fs := featureList(t, body); len(fs) != 2 || fs[0]["type"] == "skadegorelse" || fs[1]["type"] == "skadegorelse" {
		t.Errorf("filtered by type: %s", body)
	}
	from := occurred.Add(time.Second).Format(time.RFC3339)
	resp, body = planner.do(t, http.MethodGet, "/api/v1/est/incidents?from="+strings.ReplaceAll(from, "+", "%2B"), nil)
	wantStatus(t, resp, body, http.StatusOK)
	if fs := featureList(t, body); len(fs) != 0 {
		t.Errorf("from after every incident: %s", body)
	}
	resp, body = planner.do(t, http.MethodGet, "/api/v1/est/incidents?to="+strings.ReplaceAll(from, "+", "%2B")+"&limit=1", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if fs := featureList(t, body); len(fs) != 1 {
		t.Errorf("limit 1: %s", body)
	}
	for q, field := range map[string]string{"from=yesterday": "from", "type=fire": "type", "limit=0": "limit"} {
		resp, body = planner.do(t, http.MethodGet, "/api/v1/est/incidents?"+q, nil)
		if p := problemOf(t, resp, body, http.StatusBadRequest); p.Field != field {
			t.Errorf("%s: field %q: %s", q, p.Field, body)
		}
	}
	resp, body = planner.do(t, http.MethodGet, "/api/v1/est/incidents?municipality=1383", nil)
	if p := problemOf(t, resp, body, http.StatusForbidden); p.Field != "municipality" {
		t.Errorf("another municipality: %s", body)
	}
	resp, body = varberg.do(t, http.MethodGet, "/api/v1/est/incidents", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if fs := featureList(t, body); len(fs) != 0 {
		t.Errorf("Varberg's admin sees Vetlanda's incidents: %s", body)
	}
	resp, body = moderator.do(t, http.MethodGet, "/api/v1/est/incidents", nil)
	wantStatus(t, resp, body, http.StatusForbidden)

	// An incident is a report: staff read it there, the audit log has it.
	resp, body = planner.do(t, http.MethodGet, "/api/v1/reports/"+policeID, nil)
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = varberg.do(t, http.MethodGet, "/api/v1/reports/"+policeID, nil)
	wantStatus(t, resp, body, http.StatusNotFound) // received: not public until a planner publishes it
	resp, body = planner.do(t, http.MethodPost, "/api/v1/reports/"+policeID+"/moderation", map[string]string{"action": "publish"})
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = varberg.do(t, http.MethodGet, "/api/v1/reports/"+policeID, nil)
	wantStatus(t, resp, body, http.StatusOK) // published: the public view
	if strings.Contains(string(body), "070-123") || strings.Contains(string(body), "Krossad") {
		t.Errorf("the public view shows the staff's text: %s", body)
	}
	resp, body = planner.do(t, http.MethodGet, "/api/v1/audit?entity=report&entity_id="+id, nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), `"action":"est.report"`) || !strings.Contains(string(body), `"type":"skadegorelse"`) {
		t.Errorf("audit of the incident: %s", body)
	}
}

func TestESTWeeklyAPI(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-0685").Email)
	police := e.signIn(t, e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg").Email) // Vara and Lidköping
	moderator := e.signIn(t, e.addUser(t, trygg.RoleModerator, "kommun-0685").Email)
	p := e.placeIn(t, "0685", 0, 0)
	cli := trygg.NewContext(context.Background(), &trygg.Caller{Actor: "cli:test"})
	var incs []trygg.ESTIncident
	for _, c := range []struct{ at, typ, area string }{
		{"2025-12-22T00:00:00+01:00", "klotter", "Resecentrum"},      // 2025-W52
		{"2025-12-28T23:59:59+01:00", "klotter", ""},                 // 2025-W52
		{"2025-12-28T23:00:00Z", "skadegorelse", "Resecentrum"},      // Monday 00:00 in Sweden: 2026-W01
		{"2026-01-01T00:30:00+01:00", "skadegorelse", "Stortorget"},  // 2026-W01
		{"2026-01-02T18:00:00+01:00", "narkotika", "Resecentrum"},    // 2026-W01
		{"2026-01-05T00:00:00+01:00", "narkotika", "Resecentrum"},    // 2026-W02
		{"2020-12-31T12:00:00+01:00", "farlig-korning", "Skolgatan"}, // 2020-W53
		{"2021-01-04T07:00:00+01:00", "farlig-korning", "Skolgatan"}, // 2021-W01
		{"2021-01-05T07:00:00+01:00", "farlig-korning", "Skolgatan"}, // 2021-W01
	} {
		at, err := time.Parse(time.RFC3339, c.at)
		if err != nil {
			t.Fatal(err)
		}
		incs = append(incs, trygg.ESTIncident{Report: trygg.Report{Location: p, ObservedAt: &at}, Type: c.typ, Area: c.area,
			ReportedByOrg: "kommun-0685"})
	}
	if _, rej, err := e.owner.AddESTIncidents(cli, incs, 50); err != nil || len(rej) > 0 {
		t.Fatalf("AddESTIncidents: %v %+v", err, rej)
	}

	var s trygg.ESTWeekly
	get := func(c *client, query string) {
		t.Helper()
		resp, body := c.do(t, http.MethodGet, "/api/v1/est/weekly"+query, nil)
		wantStatus(t, resp, body, http.StatusOK)
		s = trygg.ESTWeekly{}
		if err := json.Unmarshal(body, &s); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
	}
	get(planner, "?municipality=0685&week=2026-W01")
	want := trygg.ESTWeekly{Municipality: "0685", Week: "2026-W01", PreviousWeek: "2025-W52",
		Total: trygg.ESTCount{Count: 3, Previous: 2, Change: 1},
		ByType: []trygg.ESTCount{{Type: "skadegorelse", Count: 2, Change: 2}, {Type: "narkotika", Count: 1, Change: 1},
			{Type: "klotter", Previous: 2, Change: -2}},
		ByArea: []trygg.ESTCount{{Area: "Resecentrum", Count: 2, Previous: 1, Change: 1}, {Area: "Stortorget", Count: 1, Change: 1},
			{Area: "(ingen plats)", Previous: 1, Change: -1}}}
	if s.From.Format(time.RFC3339) != "2025-12-29T00:00:00+01:00" || s.To.Format(time.RFC3339) != "2026-01-05T00:00:00+01:00" ||
		s.PreviousFrom.Format(time.RFC3339) != "2025-12-22T00:00:00+01:00" {
		t.Errorf("2026-W01 runs %s to %s, previous from %s", s.From, s.To, s.PreviousFrom)
	}
	s.From, s.To, s.PreviousFrom = time.Time{}, time.Time{}, time.Time{}
	if fmt.Sprint(s) != fmt.Sprint(want) {
		t.Errorf("2026-W01:\n got %+v\nwant %+v", s, want)
	}

	get(planner, "?week=2021-W01") // the planner serves one municipality: it is the default
	if s.Municipality != "0685" || s.PreviousWeek != "2020-W53" || s.Total != (trygg.ESTCount{Count: 2, Previous: 1, Change: 1}) ||
		len(s.ByArea) != 1 || s.ByArea[0] != (trygg.ESTCount{Area: "Skolgatan", Count: 2, Previous: 1, Change: 1}) {
		t.Errorf("2021-W01: %+v", s)
	}
	get(planner, "?municipality=0685&week=2020-W53")
	if s.PreviousWeek != "2020-W52" || s.Total != (trygg.ESTCount{Count: 1, Change: 1}) {
		t.Errorf("2020-W53: %+v", s)
	}

	// The current week by default, in Swedish time.
	before := trygg.WeekOf(time.Now()).String()
	get(planner, "?municipality=0685")
	if after := trygg.WeekOf(time.Now()).String(); s.Week != before && s.Week != after {
		t.Errorf("default week %s, want %s", s.Week, before)
	}
	if s.ByType == nil || s.ByArea == nil || s.Total.Count != 0 {
		t.Errorf("an empty week: %+v", s)
	}

	for _, c := range []struct {
		c      *client
		query  string
		status int
		field  string
	}{
		{planner, "?municipality=0685&week=2026-W54", 400, "week"},
		{planner, "?municipality=0685&week=2025-W53", 400, "week"},
		{planner, "?municipality=0685&week=2026-47", 400, "week"},
		{planner, "?municipality=1383", 403, "municipality"},
		{police, "?week=2026-W01", 400, "municipality"}, // serves two: say which
		{police, "?municipality=0685", 403, "municipality"},
		{moderator, "?municipality=0685", 403, ""},
		{e.client(), "?municipality=0685", 401, ""},
	} {
		resp, body := c.c.do(t, http.MethodGet, "/api/v1/est/weekly"+c.query, nil)
		if p := problemOf(t, resp, body, c.status); p.Field != c.field {
			t.Errorf("%s: field %q, want %q: %s", c.query, p.Field, c.field, body)
		}
	}
	get(police, "?municipality=1494&week=2026-W01")
	if s.Total.Count+s.Total.Previous != 0 {
		t.Errorf("Lidköping counts Vetlanda's incidents: %+v", s)
	}
}

func TestESTIncidentsCSV(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1493").Email)
	p1, p2 := e.placeIn(t, "1493", 0, 0), e.placeIn(t, "1493", 0.002, 0.001)
	count := func() int {
		t.Helper()
		resp, body := planner.do(t, http.MethodGet, "/api/v1/est/incidents", nil)
		wantStatus(t, resp, body, http.StatusOK)
		return len(featureList(t, body))
	}

	// Swedish headers, semicolons, decimal commas, a byte order mark, local times.
	swedish := "\xef\xbb\xbftyp;tid;lat;lon;plats;beskrivning\n" +
		fmt.Sprintf("klotter;2026-11-16 08:15;%s;%s;Resecentrum;Tags på väggen\n", comma(p1[1]), comma(p1[0])) +
		fmt.Sprintf("vandalism;2026-11-17T22:40:00+01:00;%s;%s;;\"Sönderslagen busskur; glas överallt\"\n", comma(p2[1]), comma(p2[0])) +
		fmt.Sprintf("Stokiga-Grupper;2026-11-18;%s;%s;Stortorget;\n", comma(p1[1]), comma(p1[0]))
	resp, body := planner.post(t, "/api/v1/est/incidents", "text/csv; charset=utf-8", swedish)
	wantStatus(t, resp, body, http.StatusCreated)
	fs := featureList(t, body)
	if len(fs) != 3 || fs[0]["type"] != "klotter" || fs[1]["type"] != "skadegorelse" || fs[1]["area"] != "" ||
		fs[1]["description"] != "Sönderslagen busskur; glas överallt" || fs[2]["area"] != "Stortorget" ||
		fs[0]["reported_by_org"] != "kommun-1493" || fs[0]["status"] != "received" {
		t.Errorf("Swedish list: %s", body)
	}
	if at, _ := time.Parse(time.RFC3339, fs[0]["observed_at"].(string)); !at.Equal(time.Date(2026, 11, 16, 8, 15, 0, 0, trygg.SwedishTime)) {
		t.Errorf("local time read as %s", at)
	}

	// English headers, commas, an organisation column.
	english := "type,occurred_at,lon,lat,area,description,organisation\n" +
		fmt.Sprintf("reckless-driving,2026-11-19T17:00:00Z,%g,%g,Hamnen,EPA-traktor i hög fart,lpo-ostra-skaraborg\n", p1[0], p1[1])
	resp, body = planner.post(t, "/api/v1/est/incidents", "text/csv", english)
	wantStatus(t, resp, body, http.StatusCreated)
	if fs := featureList(t, body); len(fs) != 1 || fs[0]["type"] != "farlig-korning" || fs[0]["reported_by_org"] != "lpo-ostra-skaraborg" {
		t.Errorf("English list: %s", body)
	}
	if n := count(); n != 4 {
		t.Fatalf("%d incidents, want 4", n)
	}

	// Every fault named by line; nothing stored.
	future := time.Now().Add(24 * time.Hour).Format("2006-01-02 15:04")
	bad := "typ;tid;lat;lon;plats\n" +
		fmt.Sprintf("klotter;2026-11-16 08:15;%s;%s;Resecentrum\n", comma(p1[1]), comma(p1[0])) + // line 2: fine
		fmt.Sprintf("brand;2026-11-16 08:15;%s;%s;Resecentrum\n", comma(p1[1]), comma(p1[0])) + // 3: type
		fmt.Sprintf("klotter;%s;%s;%s;Resecentrum\n", future, comma(p1[1]), comma(p1[0])) + // 4: future
		fmt.Sprintf("klotter;igår;%s;%s;Resecentrum\n", comma(p1[1]), comma(p1[0])) + // 5: not a time
		fmt.Sprintf("klotter;2026-11-16 08:15;%s;%s;Resecentrum\n", comma(p1[0]), comma(p1[1])) + // 6: swapped
		"klotter;2026-11-16 08:15;58,7\n" + // 7: too few values
		fmt.Sprintf("klotter;2026-11-16 08:15;%s;;Resecentrum\n", comma(p1[1])) // 8: no longitude
	resp, body = planner.post(t, "/api/v1/est/incidents", "text/csv", bad)
	pr := problemOf(t, resp, body, http.StatusBadRequest)
	if got := pr.errorLines(); !slices.Equal(got, []int{3, 4, 5, 6, 7, 8}) {
		t.Errorf("lines %v: %s", got, body)
	}
	if len(pr.Errors) == 6 && (pr.Errors[0].Field != "typ" || pr.Errors[1].Field != "tid" || pr.Errors[2].Field != "tid" ||
		pr.Errors[3].Field != "lon/lat" || !strings.Contains(pr.Errors[3].Reason, "swapped") || pr.Errors[5].Field != "lon") {
		t.Errorf("fields: %s", body)
	}
	if !strings.HasPrefix(pr.Detail, "6 records refused, nothing was stored; the first: line 3: typ:") {
		t.Errorf("detail %q", pr.Detail)
	}

	// A place outside the caller's municipalities: 422 naming the line.
	elsewhere := "typ;tid;lat;lon\n" +
		fmt.Sprintf("klotter;2026-11-16 08:15;%s;%s\n", comma(p1[1]), comma(p1[0])) +
		fmt.Sprintf("klotter;2026-11-16 08:15;%s;%s\n", comma(e.placeIn(t, "1494", 0, 0)[1]), comma(e.placeIn(t, "1494", 0, 0)[0]))
	resp, body = planner.post(t, "/api/v1/est/incidents", "text/csv", elsewhere)
	pr = problemOf(t, resp, body, http.StatusUnprocessableEntity)
	if len(pr.Errors) != 1 || pr.Errors[0].Line != 3 || pr.Errors[0].Field != "lon/lat" || !strings.Contains(pr.Errors[0].Reason, "1494") {
		t.Errorf("place elsewhere: %s", body)
	}

	// Faults of the header are line 1.
	for name, csv := range map[string]string{
		"unknown column": "typ;tid;lat;lon;färg\nklotter;2026-11-16;58,7;13,8;röd\n",
		"missing type":   "tid;lat;lon\n2026-11-16;58,7;13,8\n",
		"repeated":       "typ;type;tid;lat;lon\nklotter;klotter;2026-11-16;58,7;13,8\n",
	} {
		resp, body = planner.post(t, "/api/v1/est/incidents", "text/csv", csv)
		if pr := problemOf(t, resp, body, http.StatusBadRequest); len(pr.Errors) == 0 || pr.Errors[0].Line != 1 {
			t.Errorf("%s: %s", name, body)
		}
	}
	for name, csv := range map[string]string{"empty": "", "header only": "typ;tid;lat;lon\n"} {
		resp, body = planner.post(t, "/api/v1/est/incidents", "text/csv", csv)
		if pr := problemOf(t, resp, body, http.StatusBadRequest); pr.Field != "body" {
			t.Errorf("%s: %s", name, body)
		}
	}
	if n := count(); n != 4 {
		t.Errorf("%d incidents after refused lists, want 4", n)
	}
}
