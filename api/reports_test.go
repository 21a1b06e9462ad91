package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// varaPoint is a place in Vara's town centre.
const varaPoint = `{"type":"Point","coordinates":[13.1,58.26]}`

func report(extra string) string {
	if extra != "" {
		extra = "," + extra
	}
	return `{"location":` + varaPoint + `,"category":"belysning","feeling":2` + extra + `}`
}

func (c *client) post(t *testing.T, path, contentType, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.xff != "" {
		req.Header.Set("X-Forwarded-For", c.xff)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = fmt.Fprint(&b, "")
	buf := make([]byte, 0, 1024)
	for {
		chunk := make([]byte, 4096)
		n, err := resp.Body.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if err != nil {
			break
		}
	}
	return resp, buf
}

func countReports(t *testing.T, url string) int {
	t.Helper()
	n := pgtest.Strings(t, url, `SELECT count(*)::text FROM report`)
	var i int
	fmt.Sscan(n[0], &i) //nolint:errcheck
	return i
}

// TestReportBadInputs sends at least 30 kinds of bad report and checks that each gets
// a problem naming the field at fault and that nothing is stored.
func TestReportBadInputs(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{} })
	bigPolygon := `{"type":"Polygon","coordinates":[[[13.0,58.2],[13.05,58.2],[13.05,58.25],[13.0,58.25],[13.0,58.2]]]}`
	var many strings.Builder
	many.WriteString(`{"type":"Polygon","coordinates":[[`)
	for i := 0; i < 600; i++ {
		fmt.Fprintf(&many, "[%f,%f],", 13.1+0.001*float64(i%30)/30, 58.26+0.0001*float64(i))
	}
	many.WriteString(`[13.1,58.26]]]}`)
	cases := []struct {
		name   string
		ctype  string
		body   string
		status int
		field  string
	}{
		{"malformed JSON", "", `{"location":`, 400, "body"},
		{"not an object", "", `[1,2,3]`, 400, "body"},
		{"empty body", "", ``, 400, "body"},
		{"trailing data", "", report("") + `{}`, 400, "body"},
		{"unknown field", "", report(`"colour":"red"`), 400, "colour"},
		{"feeling as string", "", `{"location":` + varaPoint + `,"category":"belysning","feeling":"2"}`, 400, "feeling"},
		{"feeling not whole", "", `{"location":` + varaPoint + `,"category":"belysning","feeling":2.5}`, 400, "feeling"},
		{"feeling 0", "", `{"location":` + varaPoint + `,"category":"belysning","feeling":0}`, 400, "feeling"},
		{"feeling 5", "", `{"location":` + varaPoint + `,"category":"belysning","feeling":5}`, 400, "feeling"},
		{"feeling missing", "", `{"location":` + varaPoint + `,"category":"belysning"}`, 400, "feeling"},
		{"category missing", "", `{"location":` + varaPoint + `,"feeling":2}`, 400, "category"},
		{"category empty", "", `{"location":` + varaPoint + `,"category":"","feeling":2}`, 400, "category"},
		{"unknown category", "", `{"location":` + varaPoint + `,"category":"ufo","feeling":2}`, 400, "category"},
		{"category as number", "", `{"location":` + varaPoint + `,"category":7,"feeling":2}`, 400, "category"},
		{"location missing", "", `{"category":"belysning","feeling":2}`, 400, "location"},
		{"location null", "", `{"location":null,"category":"belysning","feeling":2}`, 400, "location"},
		{"location not a geometry", "", `{"location":"Vara","category":"belysning","feeling":2}`, 400, "location"},
		{"coordinates missing", "", `{"location":{"type":"Point"},"category":"belysning","feeling":2}`, 400, "location.coordinates"},
		{"one coordinate", "", `{"location":{"type":"Point","coordinates":[13.1]},"category":"belysning","feeling":2}`, 400, "location.coordinates"},
		{"coordinates as strings", "", `{"location":{"type":"Point","coordinates":["13.1","58.26"]},"category":"belysning","feeling":2}`, 400, "location.coordinates"},
		{"NaN", "", `{"location":{"type":"Point","coordinates":[NaN,58.26]},"category":"belysning","feeling":2}`, 400, "body"},
		{"infinite", "", `{"location":{"type":"Point","coordinates":[1e999,58.26]},"category":"belysning","feeling":2}`, 400, "location.coordinates"},
		{"longitude out of range", "", `{"location":{"type":"Point","coordinates":[213.1,58.26]},"category":"belysning","feeling":2}`, 400, "location.coordinates"},
		{"latitude out of range", "", `{"location":{"type":"Point","coordinates":[13.1,98.26]},"category":"belysning","feeling":2}`, 400, "location.coordinates"},
		{"swapped", "", `{"location":{"type":"Point","coordinates":[58.26,13.1]},"category":"belysning","feeling":2}`, 400, "location.coordinates"},
		{"outside Sweden", "", `{"location":{"type":"Point","coordinates":[-0.12,51.5]},"category":"belysning","feeling":2}`, 422, "location"},
		{"outside every municipality", "", `{"location":{"type":"Point","coordinates":[18.07,59.33]},"category":"belysning","feeling":2}`, 422, "location"},
		{"line string", "", `{"location":{"type":"LineString","coordinates":[[13.1,58.26],[13.2,58.27]]},"category":"belysning","feeling":2}`, 400, "location.type"},
		{"multipoint", "", `{"location":{"type":"MultiPoint","coordinates":[[13.1,58.26]]},"category":"belysning","feeling":2}`, 400, "location.type"},
		{"geometry type missing", "", `{"location":{"coordinates":[13.1,58.26]},"category":"belysning","feeling":2}`, 400, "location.type"},
		{"unclosed ring", "", `{"location":{"type":"Polygon","coordinates":[[[13.1,58.26],[13.101,58.26],[13.101,58.261],[13.1,58.261]]]},"category":"belysning","feeling":2}`, 400, "location.coordinates"},
		{"ring of three", "", `{"location":{"type":"Polygon","coordinates":[[[13.1,58.26],[13.101,58.26],[13.1,58.26]]]},"category":"belysning","feeling":2}`, 400, "location.coordinates"},
		{"self-intersecting", "", `{"location":{"type":"Polygon","coordinates":[[[13.1,58.26],[13.101,58.261],[13.101,58.26],[13.1,58.261],[13.1,58.26]]]},"category":"belysning","feeling":2}`, 400, "location.coordinates"},
		{"polygon too large", "", `{"location":` + bigPolygon + `,"category":"belysning","feeling":2}`, 400, "location.coordinates"},
		{"too many vertices", "", `{"location":` + many.String() + `,"category":"belysning","feeling":2}`, 400, "location.coordinates"},
		{"crs member", "", `{"location":` + varaPoint + `,"crs":{"type":"name","properties":{"name":"EPSG:3006"}},"category":"belysning","feeling":2}`, 400, "crs"},
		{"crs in geometry", "", `{"location":{"type":"Point","coordinates":[13.1,58.26],"crs":{"type":"name"}},"category":"belysning","feeling":2}`, 400, "location.crs"},
		{"description too long", "", report(`"description":"` + strings.Repeat("å", 2001) + `"`), 400, "description"},
		{"control character", "", report(`"description":"hej\u0007då"`), 400, "description"},
		{"unknown time", "", report(`"when":["midnight"]`), 400, "when"},
		{"when not a list", "", report(`"when":"night"`), 400, "when"},
		{"precision of a point", "", report(`"precision":"area"`), 400, "precision"},
		{"bad observed_at", "", report(`"observed_at":"igår"`), 400, "observed_at"},
		{"future observed_at", "", report(`"observed_at":"` + time.Now().Add(48*time.Hour).Format(time.RFC3339) + `"`), 400, "observed_at"},
		{"bad email", "", report(`"contact":{"email":"anna at vara"}`), 400, "contact.email"},
		{"bad phone", "", report(`"contact":{"phone":"ring mig"}`), 400, "contact.phone"},
		{"empty contact", "", report(`"contact":{}`), 400, "contact"},
		{"staff source from the public", "", report(`"source":"police"`), 403, "source"},
		{"unknown source", "", report(`"source":"rumour"`), 400, "source"},
		{"honeypot filled", "", report(`"website":"http://spam.example"`), 400, "website"},
		{"feature without properties", "", `{"type":"Feature","geometry":` + varaPoint + `}`, 400, "properties"},
		{"feature with location", "", `{"type":"Feature","location":` + varaPoint + `,"properties":{"category":"belysning","feeling":2}}`, 400, "location"},
		{"feature unknown property", "", `{"type":"Feature","geometry":` + varaPoint + `,"properties":{"category":"belysning","feeling":2,"x":1}}`, 400, "properties.x"},
		{"feature collection", "", `{"type":"FeatureCollection","features":[]}`, 400, "type"},
		{"wrong content type", "text/plain", report(""), 415, "Content-Type"},
		{"form post", "application/x-www-form-urlencoded", "category=belysning", 415, "Content-Type"},
		{"body over 64 KiB", "", report(`"description":"` + strings.Repeat("a", 70<<10) + `"`), 413, "body"},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d bad inputs", len(cases))
	}
	c := e.client()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ct := tc.ctype
			if ct == "" {
				ct = "application/json"
			}
			resp, body := c.post(t, "/api/v1/reports", ct, tc.body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			var p api.Problem
			if err := json.Unmarshal(body, &p); err != nil || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("not a problem: %s", body)
			}
			if p.Field != tc.field || p.Detail == "" {
				t.Errorf("field %q (%s), want %q", p.Field, p.Detail, tc.field)
			}
		})
	}
	if n := countReports(t, e.url); n != 0 {
		t.Errorf("%d reports stored after bad inputs, want 0", n)
	}
}

type submitted struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	Municipality string `json:"municipality"`
	FollowUp     string `json:"follow_up_url"`
	Erasure      string `json:"erasure_token"`
	// ReceiptMailed: a receipt is queued for the contact e-mail (mail on).
	ReceiptMailed bool `json:"receipt_mailed"`
}

func submit(t *testing.T, c *client, body string, header ...string) submitted {
	t.Helper()
	resp, b := c.post(t, "/api/v1/reports", "application/json", body, header...)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("submit: status %d: %s", resp.StatusCode, b)
	}
	var s submitted
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("Location") != s.FollowUp {
		t.Errorf("Location %q, follow_up_url %q", resp.Header.Get("Location"), s.FollowUp)
	}
	return s
}

func TestReportLifecycle(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{} })
	e.addUser(t, trygg.RoleModerator, "kommun-1470")
	e.addUser(t, trygg.RoleModerator, "kommun-1383")
	e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg")
	public := e.client()

	// Both forms are accepted; a Polygon gets area precision.
	s := submit(t, public, report(`"when":["night","evening","night"],"description":"Mörk gång, ring 070-123 45 67 eller mejla anna@example.com","contact":{"email":"anna@example.com","phone":"070-123 45 67"}`))
	if s.Status != "received" || s.Municipality != "1470" || !strings.HasPrefix(s.Erasure, "tre_") || s.FollowUp != "/api/v1/reports/"+s.ID {
		t.Fatalf("submitted %+v", s)
	}
	park := submit(t, public, `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[13.1,58.26],[13.102,58.26],[13.102,58.261],[13.1,58.261],[13.1,58.26]]]},"properties":{"category":"ode-plats","feeling":1}}`)

	// Not public until published; the reporter, with the erasure token, sees its status.
	resp, body := public.do(t, "GET", "/api/v1/reports/"+s.ID, nil)
	wantStatus(t, resp, body, http.StatusNotFound)
	req, _ := http.NewRequest("GET", e.srv.URL+s.FollowUp, nil)
	req.Header.Set("Erasure-Token", s.Erasure)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("the reporter's follow-up: %v %v", resp, err)
	} else {
		var st map[string]any
		json.NewDecoder(resp.Body).Decode(&st) //nolint:errcheck
		resp.Body.Close()
		if st["status"] != "received" || st["description"] != nil || st["contact"] != nil {
			t.Errorf("the reporter's follow-up: %v", st)
		}
	}
	req.Header.Set("Erasure-Token", park.Erasure)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("follow-up with another report's token: %v", resp.StatusCode)
	}
	resp, body = public.do(t, "GET", "/api/v1/reports/nearby?lon=13.1&lat=58.26&radius=500", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(string(body), s.ID) {
		t.Error("an unpublished report is listed nearby")
	}

	// The queue is per municipality.
	mod := e.signIn(t, "moderator@kommun-1470.demo.trygg.se")
	other := e.signIn(t, "moderator@kommun-1383.demo.trygg.se")
	resp, body = mod.do(t, "GET", "/api/v1/moderation/queue", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), s.ID) || !strings.Contains(string(body), park.ID) || !strings.Contains(string(body), "anna@example.com") {
		t.Errorf("Vara's queue lacks the reports or their contact: %s", body)
	}
	resp, body = other.do(t, "GET", "/api/v1/moderation/queue", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(string(body), s.ID) {
		t.Errorf("Varberg's moderator sees Vara's report: %s", body)
	}
	resp, body = other.do(t, "POST", "/api/v1/reports/"+s.ID+"/moderation", map[string]string{"action": "publish"})
	wantStatus(t, resp, body, http.StatusNotFound)

	// Edit keeps the original for staff; publish makes it public, masked and coarsened.
	resp, body = mod.do(t, "POST", "/api/v1/reports/"+s.ID+"/moderation", map[string]any{"action": "edit", "description": "Mörk gång vid skolan. Ring 0512-12345"})
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = mod.do(t, "POST", "/api/v1/reports/"+s.ID+"/moderation", map[string]string{"action": "publish"})
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), "ring 070-123 45 67") || !strings.Contains(string(body), `"status":"published"`) {
		t.Errorf("staff view lacks the original text: %s", body)
	}
	resp, body = mod.do(t, "POST", "/api/v1/reports/"+park.ID+"/moderation", map[string]string{"action": "reject"})
	wantStatus(t, resp, body, http.StatusBadRequest) // a reason is needed
	resp, body = mod.do(t, "POST", "/api/v1/reports/"+park.ID+"/moderation", map[string]string{"action": "reject", "reason": "dubblett"})
	wantStatus(t, resp, body, http.StatusOK)

	resp, body = public.do(t, "GET", "/api/v1/reports/"+s.ID, nil)
	wantStatus(t, resp, body, http.StatusOK)
	var f struct {
		Geometry   struct{ Coordinates []float64 }
		Properties map[string]any
	}
	json.Unmarshal(body, &f) //nolint:errcheck
	if f.Properties["description"] != "Mörk gång vid skolan. Ring [telefonnummer dolt]" {
		t.Errorf("public description %q", f.Properties["description"])
	}
	if len(f.Geometry.Coordinates) != 2 || (f.Geometry.Coordinates[0] == 13.1 && f.Geometry.Coordinates[1] == 58.26) {
		t.Errorf("public position %v is the exact one", f.Geometry.Coordinates)
	}
	for _, leak := range []string{"anna@example.com", "070-123", "contact", "reject_reason", "public_description"} {
		if strings.Contains(string(body), leak) {
			t.Errorf("public report contains %q: %s", leak, body)
		}
	}
	resp, body = public.do(t, "GET", "/api/v1/reports/"+park.ID, nil)
	wantStatus(t, resp, body, http.StatusNotFound) // rejected

	// Nearby and "me too".
	resp, body = public.do(t, "GET", "/api/v1/reports/nearby?lon=13.1&lat=58.26&radius=200&category=belysning", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), s.ID) {
		t.Errorf("nearby lacks the published report: %s", body)
	}
	resp, body = public.do(t, "GET", "/api/v1/reports/nearby?lon=13.1&lat=58.26&radius=200&category=klotter", nil)
	if strings.Contains(string(body), s.ID) {
		t.Errorf("category filter ignored: %s", body)
	}
	for _, bad := range []string{"lon=x&lat=58", "lat=58", "lon=13&lat=58&radius=0", "lon=13&lat=58&radius=99999", "lon=13&lat=58&category=ufo"} {
		resp, body = public.do(t, "GET", "/api/v1/reports/nearby?"+bad, nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("nearby?%s: status %d: %s", bad, resp.StatusCode, body)
		}
	}
	resp, body = public.do(t, "POST", "/api/v1/reports/"+s.ID+"/confirm", nil)
	wantStatus(t, resp, body, http.StatusCreated)
	if !strings.Contains(string(body), `"confirmations":1`) {
		t.Errorf("confirm: %s", body)
	}
	resp, body = public.do(t, "POST", "/api/v1/reports/"+s.ID+"/confirm", nil)
	wantStatus(t, resp, body, http.StatusTooManyRequests) // once per address
	resp, body = public.do(t, "POST", "/api/v1/reports/"+park.ID+"/confirm", nil)
	wantStatus(t, resp, body, http.StatusNotFound)

	// The police's reports wait for a planner to publish them; the police may not moderate.
	police := e.signIn(t, "police@lpo-vastra-skaraborg.demo.trygg.se")
	resp, body = police.post(t, "/api/v1/reports", "application/json", report(`"source":"police"`))
	wantStatus(t, resp, body, http.StatusCreated)
	if !strings.Contains(string(body), `"status":"received"`) {
		t.Errorf("police report: %s", body)
	}
	resp, body = police.do(t, "POST", "/api/v1/reports/"+s.ID+"/moderation", map[string]string{"action": "reject", "reason": "x"})
	wantStatus(t, resp, body, http.StatusForbidden)

	// History and audit.
	rows := pgtest.Strings(t, e.url, `SELECT status || ' ' || actor FROM report_status WHERE report_id = $1 ORDER BY id`, s.ID)
	want := []string{"received public", "received moderator@kommun-1470.demo.trygg.se", "published moderator@kommun-1470.demo.trygg.se"}
	if strings.Join(rows, ",") != strings.Join(want, ",") {
		t.Errorf("history %v, want %v", rows, want)
	}
	if a := pgtest.Strings(t, e.url, `SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id`, s.ID); strings.Join(a, ",") != "report.edit,report.publish" {
		t.Errorf("audit %v", a)
	}

	// Erasure: wrong token 404, right token 204 and everything gone.
	del := func(token string) int {
		req, _ := http.NewRequest(http.MethodDelete, e.srv.URL+"/api/v1/reports/"+s.ID, nil)
		if token != "" {
			req.Header.Set("Erasure-Token", token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := del(""); got != http.StatusBadRequest {
		t.Errorf("erase without token: %d", got)
	}
	if got := del(park.Erasure); got != http.StatusNotFound {
		t.Errorf("erase with another report's token: %d", got)
	}
	if got := del(s.Erasure); got != http.StatusNoContent {
		t.Errorf("erase: %d", got)
	}
	for _, table := range []string{"report", "report_contact", "report_status", "report_confirmation"} {
		col := "report_id"
		if table == "report" {
			col = "id"
		}
		if n := pgtest.Strings(t, e.url, `SELECT count(*)::text FROM `+table+` WHERE `+col+` = $1`, s.ID); n[0] != "0" {
			t.Errorf("%s still has %s rows of the erased report", table, n[0])
		}
	}
}

func TestReportIdempotencyAndRateLimit(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{N: 3, Window: time.Hour} })
	c := e.client()
	a := submit(t, c, report(""), "Idempotency-Key", "k-1")
	b := submit(t, c, report(""), "Idempotency-Key", "k-1")
	if a != b {
		t.Errorf("retry got %+v, first %+v: want the same report", b, a)
	}
	resp, body := c.post(t, "/api/v1/reports", "application/json", `{"location":`+varaPoint+`,"category":"klotter","feeling":2}`, "Idempotency-Key", "k-1")
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	if n := countReports(t, e.url); n != 1 {
		t.Errorf("%d reports after a retried submission, want 1", n)
	}
	// Three reports stored are allowed, then 429 with Retry-After. A replay and a
	// refused request take nothing, so two more go in.
	submit(t, c, report(""))
	submit(t, c, report(""), "Idempotency-Key", "k-2")
	submit(t, c, report(""), "Idempotency-Key", "k-2") // a replay, not a fourth
	resp, body = c.post(t, "/api/v1/reports", "application/json", report(""))
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if n := countReports(t, e.url); n != 3 {
		t.Errorf("%d reports, want 3", n)
	}
	// A client whose answer got lost still gets it when the limit is used up.
	if again := submit(t, c, report(""), "Idempotency-Key", "k-1"); again != a {
		t.Errorf("replay at the limit got %+v, want %+v", again, a)
	}
}

// TestReportPrivacy plants secrets in reports and checks that no public answer carries
// any of them: not contact data, not the erasure token, not unmoderated text, not the
// exact position, not an unpublished report.
func TestReportPrivacy(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{} })
	e.addUser(t, trygg.RoleModerator, "kommun-1470")
	public := e.client()
	const (
		email  = "hemlig.person@example.org"
		phone  = "+46 70 999 88 77"
		secret = "HEMLIG-TEXT-OMODERERAD"
	)
	exact := `{"type":"Point","coordinates":[13.1123457,58.2623457]}`
	pub := submit(t, public, `{"location":`+exact+`,"category":"vald","feeling":1,"description":"mejla `+email+` eller ring `+phone+`","contact":{"email":"`+email+`","phone":"`+phone+`"}}`)
	hidden := submit(t, public, `{"location":`+exact+`,"category":"vald","feeling":1,"description":"`+secret+`"}`)
	mod := e.signIn(t, "moderator@kommun-1470.demo.trygg.se")
	resp, body := mod.do(t, "POST", "/api/v1/reports/"+pub.ID+"/moderation", map[string]string{"action": "publish"})
	wantStatus(t, resp, body, http.StatusOK)

	var answers []string
	for _, path := range []string{
		"/api/v1/reports/" + pub.ID, "/api/v1/reports/" + hidden.ID,
		"/api/v1/reports/nearby?lon=13.1123457&lat=58.2623457&radius=2000",
		"/api/v1/reports/nearby?lon=13.1123457&lat=58.2623457&radius=2000&category=vald",
		"/api/v1/municipalities/1470", "/api/v1/categories",
		"/open311/v2/requests.json", "/open311/v2/requests.xml", "/open311/v2/requests/" + pub.ID + ".json",
		"/open311/v2/requests.json?jurisdiction_id=1470&service_code=vald",
	} {
		_, b := public.do(t, "GET", path, nil)
		answers = append(answers, string(b))
	}
	all := strings.Join(answers, "\n")
	if !strings.Contains(all, pub.ID) {
		t.Fatal("the published report is not in the public answers: the test would prove nothing")
	}
	if resp, body := public.do(t, "GET", "/api/v1/reports/"+hidden.ID, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the unpublished report: status %d: %s", resp.StatusCode, body)
	}
	for _, s := range []string{email, phone, "70 999", pub.Erasure, hidden.Erasure, secret, "13.1123457", "58.2623457", "127.0.0.1"} {
		if strings.Contains(all, s) {
			t.Errorf("a public answer contains %q", s)
		}
	}
	// The public position is the centre of a 50 m cell in SWEREF 99 TM.
	cell := pgtest.Strings(t, e.url, `SELECT ST_X(p)::int % 50 || ' ' || ST_Y(p)::int % 50 || ' ' || round(ST_Distance(p, ST_Transform(r.geom, 3006)))
		FROM report r, ST_Transform(r.public_geom, 3006) p WHERE r.id = $1`, pub.ID)
	if len(cell) != 1 || !strings.HasPrefix(cell[0], "25 25 ") {
		t.Errorf("public position: %v, want a cell centre (x, y ≡ 25 mod 50) within 36 m", cell)
	}
}

func TestRetention(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{} })
	old := submit(t, e.client(), report(`"contact":{"email":"old@example.org"}`))
	fresh := submit(t, e.client(), report(`"contact":{"email":"new@example.org"}`))
	pgtest.Exec(t, e.url, `UPDATE report_contact SET created_at = now() - interval '91 days' WHERE report_id = '`+old.ID+`'`)
	n, err := e.owner.Retention(context.Background(), 90*24*time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("Retention = %d, %v; want 1", n, err)
	}
	left := pgtest.Strings(t, e.url, `SELECT report_id::text FROM report_contact`)
	if len(left) != 1 || left[0] != fresh.ID {
		t.Errorf("contact rows left: %v, want only %s", left, fresh.ID)
	}
	if countReports(t, e.url) != 2 {
		t.Error("retention deleted reports, not only their contact data")
	}
}
