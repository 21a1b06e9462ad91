package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

func TestBulkModeration(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{} })
	e.addUser(t, trygg.RoleModerator, "kommun-1470")
	e.addUser(t, trygg.RoleModerator, "kommun-1383")
	e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg")
	public := e.client()
	const n = 6
	var lights []string
	for i := 0; i < n; i++ {
		lights = append(lights, submit(t, public, report("")).ID)
	}
	other := submit(t, public, `{"location":`+varaPoint+`,"category":"ode-plats","feeling":1}`)
	mod := e.signIn(t, "moderator@kommun-1470.demo.trygg.se")
	varberg := e.signIn(t, "moderator@kommun-1383.demo.trygg.se")

	counts := func(body []byte) map[string]int {
		t.Helper()
		var m map[string]int
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		return m
	}
	filter := map[string]any{"action": "publish", "filter": map[string]any{"source": "resident", "category": "belysning"}}

	// No user, and residents, are refused; bad input names its field.
	resp, body := public.do(t, "POST", "/api/v1/moderation/bulk", filter)
	wantStatus(t, resp, body, http.StatusUnauthorized)
	resp, body = mod.do(t, "POST", "/api/v1/moderation/bulk", map[string]any{"action": "reject", "filter": map[string]any{}})
	wantStatus(t, resp, body, http.StatusBadRequest)
	if !strings.Contains(string(body), `"reason"`) {
		t.Errorf("reject without reason does not name reason: %s", body)
	}
	resp, body = mod.do(t, "POST", "/api/v1/moderation/bulk", map[string]any{"action": "publish"})
	wantStatus(t, resp, body, http.StatusBadRequest)
	resp, body = mod.do(t, "POST", "/api/v1/moderation/bulk", map[string]any{"action": "publish", "filter": map[string]any{"bbox": []float64{13, 58, 12, 59}}})
	wantStatus(t, resp, body, http.StatusBadRequest)

	police := e.signIn(t, "police@lpo-vastra-skaraborg.demo.trygg.se")
	resp, body = police.do(t, "POST", "/api/v1/moderation/bulk", filter)
	wantStatus(t, resp, body, http.StatusForbidden)
	// A bbox away from the reports, or another municipality, selects none.
	resp, body = mod.do(t, "POST", "/api/v1/moderation/bulk", map[string]any{"action": "publish", "filter": map[string]any{"bbox": []float64{11, 57, 11.1, 57.1}}})
	wantStatus(t, resp, body, http.StatusOK)
	if c := counts(body); c["published"] != 0 {
		t.Errorf("bbox elsewhere published %v", c)
	}
	resp, body = mod.do(t, "POST", "/api/v1/moderation/bulk", map[string]any{"action": "publish", "filter": map[string]any{"municipality": "1383"}})
	wantStatus(t, resp, body, http.StatusOK)
	if c := counts(body); c["published"] != 0 {
		t.Errorf("municipality 1383 published %v", c)
	}

	// Another municipality's moderator changes nothing: 0 by filter, 404 by ids.
	resp, body = varberg.do(t, "POST", "/api/v1/moderation/bulk", filter)
	wantStatus(t, resp, body, http.StatusOK)
	if c := counts(body); c["published"] != 0 {
		t.Errorf("Varberg published %v", c)
	}
	resp, body = varberg.do(t, "POST", "/api/v1/moderation/bulk", map[string]any{"action": "reject", "reason": "x", "ids": lights})
	wantStatus(t, resp, body, http.StatusNotFound)

	// One already published is skipped when named by id, and not chosen by the filter.
	resp, body = mod.do(t, "POST", "/api/v1/reports/"+lights[0]+"/moderation", map[string]string{"action": "publish"})
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = mod.do(t, "POST", "/api/v1/moderation/bulk", filter)
	wantStatus(t, resp, body, http.StatusOK)
	if c := counts(body); c["published"] != n-1 || c["skipped"] != 0 {
		t.Errorf("bulk publish by filter: %v, want %d published", c, n-1)
	}
	for _, id := range lights {
		if st := pgtest.Strings(t, e.url, `SELECT status FROM report WHERE id = $1`, id)[0]; st != "published" {
			t.Errorf("report %s is %s", id, st)
		}
		if a := pgtest.Strings(t, e.url, `SELECT count(*)::text FROM audit_log WHERE entity = 'report' AND entity_id = $1 AND action = 'report.publish'`, id)[0]; a != "1" {
			t.Errorf("report %s has %s publish audit entries, want 1", id, a)
		}
	}
	if st := pgtest.Strings(t, e.url, `SELECT status FROM report WHERE id = $1`, other.ID)[0]; st != "received" {
		t.Errorf("the filter reached another category: %s", st)
	}

	// Reject by ids: pending ones rejected with the reason, published ones skipped.
	resp, body = mod.do(t, "POST", "/api/v1/moderation/bulk", map[string]any{"action": "reject", "reason": "dubblett", "ids": append([]string{other.ID}, lights[:2]...)})
	wantStatus(t, resp, body, http.StatusOK)
	if c := counts(body); c["rejected"] != 1 || c["skipped"] != 2 {
		t.Errorf("bulk reject by ids: %v", c)
	}
	if r := pgtest.Strings(t, e.url, `SELECT status || ' ' || reject_reason FROM report WHERE id = $1`, other.ID)[0]; r != "rejected dubblett" {
		t.Errorf("rejected report: %s", r)
	}
	if a := pgtest.Strings(t, e.url, `SELECT count(*)::text FROM report_status WHERE report_id = $1 AND status = 'rejected'`, other.ID)[0]; a != "1" {
		t.Errorf("%s rejected status rows", a)
	}
}
