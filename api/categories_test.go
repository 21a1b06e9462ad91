package api_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// noDemographics fails when a read's body carries a reporter's age band or gender, by
// key or by the values this test's reporter gave.
func noDemographics(t *testing.T, what string, body []byte) {
	t.Helper()
	for _, s := range []string{"age_band", "gender", "30-49", "woman"} {
		if strings.Contains(string(body), s) {
			t.Errorf("%s shows the reporter's demographics (%q): %s", what, s, body)
		}
	}
}

// listOf is a JSON list of strings as decoded into any.
func listOf(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// tileFeature returns the properties of report id in the public reports tile over p
// at z16 with the query (nil when absent).
func tileFeature(t *testing.T, c *client, p orb.Point, query, id string) map[string]any {
	t.Helper()
	tl := maptile.At(p, 16)
	resp, body := c.do(t, http.MethodGet, "/tiles/reports/16/"+strconv.Itoa(int(tl.X))+"/"+strconv.Itoa(int(tl.Y))+".mvt?"+query, nil)
	if resp.StatusCode == http.StatusNoContent {
		return nil
	}
	wantStatus(t, resp, body, http.StatusOK)
	noDemographics(t, "tile", body)
	ls, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		for _, f := range l.Features {
			if f.Properties["id"] == id {
				return f.Properties
			}
		}
	}
	return nil
}

// TestReportCategories: a report with two reasons (and the reporter's age band and
// gender) is refused when its reasons are bad, stored with category its first, shown
// with both in every read (by id, the reporter's follow-up, staff's read and queue,
// OGC items and CSV, Open311, tiles), found by a filter on either reason, and edited by
// its municipality's moderator alone; its demographics appear in none of them.
func TestReportCategories(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{} })
	modUser := e.addUser(t, trygg.RoleModerator, "kommun-1470")
	otherUser := e.addUser(t, trygg.RoleModerator, "kommun-1383")
	mod, other, public := e.signIn(t, modUser.Email), e.signIn(t, otherUser.Email), e.client()
	p := e.placeIn(t, "1470", 0, 0)
	loc := mustJSON(t, geoPoint(p))

	for _, tc := range []struct{ body, field string }{
		{`"categories":["belysning","ingen-sadan"]`, "categories"},
		{`"categories":["belysning","vegetation","belysning"]`, "categories"},
		{`"categories":[]`, "categories"},
		{`"categories":[""]`, "categories"},
		{`"categories":["belysning","vegetation","klotter","alkohol","vald","narkotika"]`, "categories"},
		{`"category":"vegetation","categories":["belysning","vegetation"]`, "categories"},
		{`"categories":["belysning"],"age_band":"40"`, "age_band"},
		{`"categories":["belysning"],"gender":"x"`, "gender"},
		{`"age_band":"30-49"`, "category"},
	} {
		resp, body := public.post(t, "/api/v1/reports", "application/json", `{"location":`+loc+`,"feeling":2,`+tc.body+`}`)
		if p := problemIn(t, resp, body, http.StatusBadRequest); p.Field != tc.field {
			t.Errorf("%s: field %q, want %q: %s", tc.body, p.Field, tc.field, body)
		}
	}
	resp, body := public.post(t, "/api/v1/reports", "application/json",
		`{"type":"Feature","geometry":`+loc+`,"categories":["belysning"],"properties":{"feeling":2,"category":"belysning"}}`)
	if p := problemIn(t, resp, body, http.StatusBadRequest); p.Field != "properties" {
		t.Errorf("categories beside a Feature's properties: field %q", p.Field)
	}
	if n := countReports(t, e.url); n != 0 {
		t.Fatalf("%d reports stored after bad inputs", n)
	}

	// Old clients send category alone; new ones categories (and the first is category).
	old := submit(t, public, `{"location":`+loc+`,"category":"klotter","feeling":3}`)
	both := submit(t, public, `{"location":`+loc+`,"category":"alkohol","categories":["alkohol","vald"],"feeling":1}`)
	resp, body = public.post(t, "/api/v1/reports", "application/json", `{"type":"Feature","geometry":`+loc+
		`,"properties":{"categories":["belysning","vegetation"],"feeling":2,"age_band":"30-49","gender":"woman"}}`)
	wantStatus(t, resp, body, http.StatusCreated)
	noDemographics(t, "the receipt", body)
	var s submitted
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	id := s.ID
	got := pgtest.Strings(t, e.url, `SELECT r.category || ' ' || array_to_string(r.categories, ',') || ' ' || coalesce(d.age_band, '-') || ' ' || coalesce(d.gender, '-')
		FROM report r LEFT JOIN report_demographics d ON d.report_id = r.id WHERE r.id = ANY($1::uuid[]) ORDER BY r.created_at`,
		[]string{old.ID, both.ID, id})
	if want := []string{"klotter klotter - -", "alkohol alkohol,vald - -", "belysning belysning,vegetation 30-49 woman"}; !slices.Equal(got, want) {
		t.Errorf("stored %q, want %q", got, want)
	}
	if got := pgtest.Strings(t, e.url, `SELECT has_table_privilege('trygg_app', 'report_demographics', 'SELECT')::text`); got[0] != "false" {
		t.Error("the server's role may read the demographics")
	}

	// The reporter's follow-up before publication.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/reports/"+id, nil)
	req.Header.Set("Erasure-Token", s.Erasure)
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Status     string   `json:"status"`
		Categories []string `json:"categories"`
		Geometry   struct {
			Type        string     `json:"type"`
			Coordinates [2]float64 `json:"coordinates"`
		} `json:"geometry"`
	}
	json.NewDecoder(r2.Body).Decode(&st) //nolint:errcheck
	r2.Body.Close()
	if st.Status != "received" || !slices.Equal(st.Categories, []string{"belysning", "vegetation"}) {
		t.Errorf("the reporter's follow-up: %+v", st)
	}
	if st.Geometry.Type != "Point" || st.Geometry.Coordinates == [2]float64(p) {
		t.Errorf("the reporter's follow-up shows %+v, want the public (snapped) point, not %v", st.Geometry, p)
	}

	// Staff: the moderator of Vara sees both reasons, no demographics; Varberg's nothing.
	resp, body = mod.do(t, http.MethodGet, "/api/v1/reports/"+id, nil)
	wantStatus(t, resp, body, http.StatusOK)
	noDemographics(t, "staff's read", body)
	var staff struct{ Properties map[string]any }
	if err := json.Unmarshal(body, &staff); err != nil {
		t.Fatal(err)
	}
	if c := listOf(staff.Properties["categories"]); !slices.Equal(c, []string{"belysning", "vegetation"}) || staff.Properties["category"] != "belysning" {
		t.Errorf("staff's read: category %v categories %v", staff.Properties["category"], c)
	}
	resp, body = mod.do(t, http.MethodGet, "/api/v1/moderation/queue", nil)
	wantStatus(t, resp, body, http.StatusOK)
	noDemographics(t, "the moderation queue", body)
	if !strings.Contains(string(body), `"categories":["belysning","vegetation"]`) {
		t.Errorf("the queue lacks the categories: %s", body)
	}
	resp, body = other.do(t, http.MethodGet, "/api/v1/reports/"+id, nil)
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = other.do(t, http.MethodPost, "/api/v1/reports/"+id+"/moderation", map[string]any{"action": "edit", "categories": []string{"klotter"}})
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = public.do(t, http.MethodPost, "/api/v1/reports/"+id+"/moderation", map[string]any{"action": "edit", "categories": []string{"klotter"}})
	wantStatus(t, resp, body, http.StatusUnauthorized)
	resp, body = mod.do(t, http.MethodPost, "/api/v1/reports/"+id+"/moderation", map[string]any{"action": "edit", "categories": []string{"klotter", "klotter"}})
	if p := problemIn(t, resp, body, http.StatusBadRequest); p.Field != "categories" {
		t.Errorf("an edit with a category twice: field %q", p.Field)
	}
	for _, r := range []string{id, old.ID, both.ID} {
		resp, body = mod.do(t, http.MethodPost, "/api/v1/reports/"+r+"/moderation", map[string]string{"action": "publish"})
		wantStatus(t, resp, body, http.StatusOK)
		noDemographics(t, "the moderation answer", body)
	}

	// The reporter saw the public position the public now sees.
	resp, body = public.do(t, http.MethodGet, "/api/v1/reports/"+id, nil)
	wantStatus(t, resp, body, http.StatusOK)
	var pub struct {
		Geometry struct {
			Coordinates [2]float64 `json:"coordinates"`
		} `json:"geometry"`
	}
	if err := json.Unmarshal(body, &pub); err != nil || math.Abs(pub.Geometry.Coordinates[0]-st.Geometry.Coordinates[0]) > 1e-6 ||
		math.Abs(pub.Geometry.Coordinates[1]-st.Geometry.Coordinates[1]) > 1e-6 {
		t.Errorf("public position %v, the reporter's follow-up showed %v", pub.Geometry.Coordinates, st.Geometry.Coordinates)
	}

	// Every public read shows both reasons; Open311's service_code is the first.
	reads := e.publicReads(t, id, p)
	if c := listOf(reads.byID["categories"]); !slices.Equal(c, []string{"belysning", "vegetation"}) || reads.byID["category"] != "belysning" {
		t.Errorf("public read: %v", reads.byID)
	}
	if c := listOf(reads.ogc["categories"]); !slices.Equal(c, []string{"belysning", "vegetation"}) {
		t.Errorf("OGC item: %v", reads.ogc)
	}
	if reads.open311["service_code"] != "belysning" || reads.open311ID["service_code"] != "belysning" {
		t.Errorf("Open311: %v, %v", reads.open311, reads.open311ID)
	}
	if reads.tile["categories"] != "belysning,vegetation" || reads.tile["category"] != "belysning" {
		t.Errorf("tile: %v", reads.tile)
	}
	if c := listOf(reads.byID["categories"]); len(c) != 2 {
		t.Errorf("public read's categories %v", c)
	}
	for _, m := range []map[string]any{reads.byID, reads.ogc, reads.open311, reads.open311ID, reads.tile} {
		for _, k := range []string{"age_band", "gender"} {
			if _, ok := m[k]; ok {
				t.Errorf("a public read has %s: %v", k, m)
			}
		}
	}
	for _, path := range []string{"/api/v1/reports/" + id, "/ogc/collections/reports/items?limit=1000", "/ogc/collections/reports/items/" + id,
		"/open311/v2/requests.json", "/open311/v2/requests/" + id + ".xml", "/api/v1/reports/nearby?lon=" + fmt.Sprint(p[0]) + "&lat=" + fmt.Sprint(p[1])} {
		resp, body := public.do(t, http.MethodGet, path, nil)
		wantStatus(t, resp, body, http.StatusOK)
		noDemographics(t, path, body)
	}
	for _, path := range []string{"/ogc/collections/reports/items?limit=1000", "/ogc/collections/reports/items/" + id} {
		resp, body := mod.do(t, http.MethodGet, path, nil)
		wantStatus(t, resp, body, http.StatusOK)
		noDemographics(t, "staff "+path, body)
		if !strings.Contains(string(body), `["belysning","vegetation"]`) {
			t.Errorf("staff %s lacks the categories: %s", path, body)
		}
	}

	// A filter on either reason finds it; on neither it does not.
	for _, tc := range []struct {
		cat  string
		want bool
	}{{"vegetation", true}, {"belysning", true}, {"narkotika", false}} {
		has := func(what string, body []byte, key string) {
			t.Helper()
			if strings.Contains(string(body), key) != tc.want {
				t.Errorf("%s with category %s: has the report %v, want %v", what, tc.cat, !tc.want, tc.want)
			}
		}
		resp, body := public.do(t, http.MethodGet, "/ogc/collections/reports/items?category="+tc.cat, nil)
		wantStatus(t, resp, body, http.StatusOK)
		has("OGC items", body, id)
		resp, body = mod.do(t, http.MethodGet, "/ogc/collections/reports/items?category="+tc.cat, nil)
		wantStatus(t, resp, body, http.StatusOK)
		has("staff OGC items", body, id)
		resp, body = public.do(t, http.MethodGet, "/open311/v2/requests.json?service_code="+tc.cat, nil)
		wantStatus(t, resp, body, http.StatusOK)
		has("Open311 requests", body, id)
		resp, body = public.do(t, http.MethodGet, fmt.Sprintf("/api/v1/reports/nearby?lon=%v&lat=%v&category=%s", p[0], p[1], tc.cat), nil)
		wantStatus(t, resp, body, http.StatusOK)
		has("nearby", body, id)
		if f := tileFeature(t, public, p, "category="+tc.cat, id); (f != nil) != tc.want {
			t.Errorf("tile with category %s: %v", tc.cat, f)
		}
	}

	// CSV: a categories column, the reasons joined by semicolons.
	for who, c := range map[string]*client{"public": public, "staff": mod} {
		resp, body := c.do(t, http.MethodGet, "/ogc/collections/reports/items?f=csv&limit=1000", nil)
		wantStatus(t, resp, body, http.StatusOK)
		noDemographics(t, who+" CSV", body)
		recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if err != nil || len(recs) < 2 {
			t.Fatalf("%s CSV: %v: %s", who, err, body)
		}
		col, idCol := slices.Index(recs[0], "categories"), slices.Index(recs[0], "id")
		if col < 0 || idCol < 0 {
			t.Fatalf("%s CSV header %v", who, recs[0])
		}
		found := map[string]string{}
		for _, r := range recs[1:] {
			found[r[idCol]] = r[col]
		}
		if found[id] != "belysning;vegetation" || found[both.ID] != "alkohol;vald" || found[old.ID] != "klotter" {
			t.Errorf("%s CSV categories: %v", who, found)
		}
	}

	// The moderator edits the reasons; a new main category alone moves to the front.
	resp, body = mod.do(t, http.MethodPost, "/api/v1/reports/"+id+"/moderation", map[string]any{"action": "edit", "categories": []string{"vegetation", "klotter"}})
	wantStatus(t, resp, body, http.StatusOK)
	if jsonField(t, body, "properties", "category") != "vegetation" {
		t.Errorf("after the edit: %s", body)
	}
	resp, body = mod.do(t, http.MethodPost, "/api/v1/reports/"+id+"/moderation", map[string]any{"action": "edit", "category": "belysning"})
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), `"categories":["belysning","klotter"]`) {
		t.Errorf("a new main category: %s", body)
	}

	// Erasure takes the demographics with the report.
	req, _ = http.NewRequest(http.MethodDelete, e.srv.URL+"/api/v1/reports/"+id, nil)
	req.Header.Set("Erasure-Token", s.Erasure)
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != http.StatusNoContent {
		t.Fatalf("erase: %v %v", r, err)
	}
	if n := pgtest.Strings(t, e.url, `SELECT count(*)::text FROM report_demographics`); n[0] != "0" {
		t.Errorf("%s demographics rows left after erasure", n[0])
	}
}

// TestHotspotCategoryCounts: a report with two reasons counts in both categories'
// figures of a hot area's profile, while the area's count stays one per report, and a
// filter on the second reason finds the same reports.
func TestHotspotCategoryCounts(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.HotspotRate = api.Rate{} })
	seedHotspots(t, e)
	public := e.client()
	counts := func(fc hotspotCollection) (int, map[string]int) {
		t.Helper()
		if len(fc.Features) == 0 {
			t.Fatal("no hot area")
		}
		top := fc.Features[0].Properties
		m := map[string]int{}
		for _, c := range top.Profile.Categories {
			m[c.Name] = c.Count
		}
		return top.Count, m
	}
	n, before := counts(getHotspots(t, public, "municipality=1470"))
	if before["belysning"] == 0 || before["vegetation"] != 0 {
		t.Fatalf("before: %d reports, categories %v", n, before)
	}
	pgtest.Exec(t, e.url, `UPDATE report SET categories = ARRAY['belysning', 'vegetation'] WHERE category = 'belysning'`)
	n2, after := counts(getHotspots(t, public, "municipality=1470"))
	if n2 != n || after["belysning"] != before["belysning"] || after["vegetation"] != before["belysning"] {
		t.Errorf("after: %d reports (before %d), categories %v (before %v): want vegetation counted as belysning", n2, n, after, before)
	}
	n3, only := counts(getHotspots(t, public, "municipality=1470&category=vegetation"))
	if n3 != before["belysning"] || only["vegetation"] != n3 {
		t.Errorf("category=vegetation: %d reports, categories %v; want %d", n3, only, before["belysning"])
	}
}

// TestDemographicsStats: counts by age band and by gender over published residents'
// reports, with known counts: 4 is null and suppressed, 5 is 5, the next smallest of a
// marginal with one suppressed cell is suppressed too, a total under 5 is suppressed;
// unpublished reports and other municipalities do not count; anyone, and staff of any
// municipality, get the same aggregate.
func TestDemographicsStats(t *testing.T) {
	e := newEnv(t, nil)
	staff := e.signIn(t, e.addUser(t, trygg.RoleModerator, "kommun-1383").Email)
	// Vara, published belysning: age 18-29 ×4, under-18 ×5, 30-49 ×6, 50-64 ×7, 65+ ×8,
	// unstated ×9 (39); gender woman ×5, other ×6, man ×7, unstated ×21. Received ones
	// and Varberg's are not counted.
	pgtest.Exec(t, e.url, `
		CREATE TEMP TABLE seed AS
		SELECT gen_random_uuid() AS id, muni, status, age, gender
		FROM (VALUES ('1470', 'published', '18-29', 4), ('1470', 'published', 'under-18', 5), ('1470', 'published', '30-49', 6),
		             ('1470', 'published', '50-64', 7), ('1470', 'published', '65+', 8), ('1470', 'published', 'unstated', 9),
		             ('1470', 'received', '18-29', 10), ('1383', 'published', '18-29', 10)) v(muni, status, age, n),
		     generate_series(1, v.n) i,
		     LATERAL (SELECT NULL::text AS gender) g;
		WITH o AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM seed WHERE muni = '1470' AND status = 'published')
		UPDATE seed s SET gender = CASE WHEN o.k <= 5 THEN 'woman' WHEN o.k <= 11 THEN 'other' WHEN o.k <= 18 THEN 'man' ELSE 'unstated' END
		FROM o WHERE o.id = s.id;
		INSERT INTO report (id, municipality_code, geom, public_geom, category, categories, feeling, source, precision, status)
		SELECT s.id, s.muni, p, p, 'belysning', CASE WHEN s.age = '65+' THEN ARRAY['belysning', 'vegetation'] ELSE ARRAY['belysning'] END,
		       2, 'resident', 'exact', s.status
		FROM seed s, LATERAL (SELECT ST_PointOnSurface(boundary) AS p FROM municipality WHERE code = s.muni) m;
		INSERT INTO report_demographics (report_id, age_band, gender)
		SELECT id, age, coalesce(gender, 'unstated') FROM seed WHERE age <> 'unstated' OR coalesce(gender, 'unstated') <> 'unstated';`)

	type cell struct {
		Value      string `json:"value"`
		Count      *int   `json:"count"`
		Suppressed bool   `json:"suppressed"`
	}
	var out struct {
		Total   cell   `json:"total"`
		AgeBand []cell `json:"age_band"`
		Gender  []cell `json:"gender"`
	}
	show := func(cs []cell) string {
		var b []string
		for _, c := range cs {
			if c.Count == nil {
				b = append(b, fmt.Sprintf("%s:null:%v", c.Value, c.Suppressed))
			} else {
				b = append(b, fmt.Sprintf("%s:%d:%v", c.Value, *c.Count, c.Suppressed))
			}
		}
		return strings.Join(b, " ")
	}
	get := func(c *client, query string) string {
		t.Helper()
		resp, body := c.do(t, http.MethodGet, "/api/v1/stats/demographics?"+query, nil)
		wantStatus(t, resp, body, http.StatusOK)
		out.AgeBand, out.Gender = nil, nil
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		return show([]cell{out.Total}) + " | " + show(out.AgeBand) + " | " + show(out.Gender)
	}
	want := "total:39:false | under-18:null:true 18-29:null:true 30-49:6:false 50-64:7:false 65+:8:false unstated:9:false" +
		" | woman:5:false man:7:false other:6:false unstated:21:false"
	for who, c := range map[string]*client{"anyone": e.client(), "Varberg's moderator": staff} {
		if got := get(c, "municipality=1470"); got != want {
			t.Errorf("%s, Vara:\n got %s\nwant %s", who, got, want)
		}
	}
	// The 65+ reports also give vegetation: 8 of them, all in one band and unstated or not.
	if got := get(e.client(), "municipality=1470&category=vegetation"); !strings.HasPrefix(got, "total:8:false | under-18:null:true 18-29:null:true 30-49:null:true 50-64:null:true 65+:8:false unstated:null:true") {
		t.Errorf("Vara, vegetation: %s", got)
	}
	// Varberg: 10 reports, all 18-29, all unstated gender: one cell shown per marginal.
	if got := get(e.client(), "municipality=1383"); got != "total:10:false | under-18:null:true 18-29:10:false 30-49:null:true 50-64:null:true 65+:null:true unstated:null:true"+
		" | woman:null:true man:null:true other:null:true unstated:10:false" {
		t.Errorf("Varberg: %s", got)
	}
	if got := get(e.client(), "municipality=1470&category=klotter"); !strings.HasPrefix(got, "total:null:true | under-18:null:true") {
		t.Errorf("no reports: %s", got)
	}
	// Vara alone had one small cell (18-29: 4), so under-18 (5) was suppressed with it;
	// no national figure is given, since Varberg's 10 would give Vara's 4 back.
	for _, tc := range []struct{ query, field string }{{"municipality=1470&category=ingen", "category"}, {"kommun=1470", "kommun"}, {"", "municipality"}, {"category=belysning", "municipality"}} {
		resp, body := e.client().do(t, http.MethodGet, "/api/v1/stats/demographics?"+tc.query, nil)
		if p := problemIn(t, resp, body, http.StatusBadRequest); p.Field != tc.field {
			t.Errorf("%s: field %q", tc.query, p.Field)
		}
	}
	resp, body := e.client().do(t, http.MethodGet, "/api/v1/stats/demographics?municipality=9999", nil)
	wantStatus(t, resp, body, http.StatusNotFound)
}

// TestDialoguePlaceCategories: a dialogue's places keep several reasons, from JSON and
// from a CSV cell with semicolons; another municipality's planner adds none.
func TestDialoguePlaceCategories(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1494").Email)
	vara := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1470").Email)
	resp, body := planner.do(t, http.MethodPost, "/api/v1/dialogues", map[string]any{"title": "Dialog", "held_on": "2026-10-03"})
	wantStatus(t, resp, body, http.StatusCreated)
	path := "/api/v1/dialogues/" + jsonField(t, body, "id") + "/places"
	p := e.placeIn(t, "1494", 0, 0)
	resp, body = planner.do(t, http.MethodPost, path, map[string]any{"location": geoPoint(p), "categories": []string{"vegetation", "belysning"}, "feeling": 2})
	wantStatus(t, resp, body, http.StatusCreated)
	resp, body = planner.post(t, path, "text/csv", fmt.Sprintf("lat,lon,kategori,känsla\n%g,%g,klotter;nedskrapning,2\n", p[1], p[0]))
	wantStatus(t, resp, body, http.StatusCreated)
	resp, body = vara.do(t, http.MethodPost, path, map[string]any{"location": geoPoint(p), "categories": []string{"vegetation"}, "feeling": 2})
	if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusForbidden {
		t.Errorf("Vara's planner adds a place to Lidköping's dialogue: %d %s", resp.StatusCode, body)
	}
	got := pgtest.Strings(t, e.url, `SELECT category || ' ' || array_to_string(categories, ',') FROM report WHERE source = 'dialogue' ORDER BY category`)
	if strings.Join(got, "|") != "klotter klotter,nedskrapning|vegetation vegetation,belysning" {
		t.Errorf("stored %q", got)
	}
}
