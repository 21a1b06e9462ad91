package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// cameraBody is a camera in Vara, with extra fields (JSON members) added.
func cameraBody(extra string) string {
	if extra != "" {
		extra = "," + extra
	}
	return `{"name":"Resecentrum norr","position":{"type":"Point","coordinates":[13.1,58.26]},"height_m":4.5,` +
		`"bearing":350,"fov":40,"range_m":60,"operator_kind":"municipality","operator_name":"Vara kommun",` +
		`"purpose":"Förebygga skadegörelse och våld","place_type":"travel-centre","retention_days":30` + extra + `}`
}

// outdoorsCommitment inserts a promise of Vara with a camera commitment, as the owner.
func outdoorsCommitment(t *testing.T, url string, outdoorsOnly bool) string {
	t.Helper()
	conn := pgtest.Conn(t, url)
	p, c := uuid.NewString(), uuid.NewString()
	if _, err := conn.Exec(context.Background(), `INSERT INTO promise (id, municipality_code, title, period_start, period_end)
		VALUES ($1, '1470', 'Medborgarlöfte Vara', '2025-01-01', '2026-12-31')`, p); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(context.Background(), `INSERT INTO commitment (id, promise_id, municipality_code, party, activity_kind, text, outdoors_only)
		VALUES ($1, $2, '1470', 'joint', 'camera-surveillance', 'Utökad kamerabevakning vid skolor eller resecentrum, endast utomhus, efter tillstånd', $3)`,
		c, p, outdoorsOnly); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCameras(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1470").Email)
	police := e.signIn(t, e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg").Email)

	// Create: a sector across north; the municipality comes from the position.
	resp, body := planner.do(t, http.MethodPost, "/api/v1/cameras", cameraBody(""))
	wantStatus(t, resp, body, http.StatusCreated)
	id := jsonField(t, body, "id")
	if jsonField(t, body, "properties", "municipality") != "1470" || jsonField(t, body, "properties", "state") != "proposed" ||
		jsonField(t, body, "properties", "view", "type") != "Polygon" {
		t.Fatalf("created: %s", body)
	}
	if !strings.Contains(string(body), `"regime":null`) {
		t.Errorf("a camera without a decision has no regime: %s", body)
	}

	// The police read, but do not write.
	resp, body = police.do(t, http.MethodGet, "/api/v1/cameras/"+id, nil)
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = police.do(t, http.MethodPost, "/api/v1/cameras", cameraBody(""))
	wantStatus(t, resp, body, http.StatusForbidden)
	resp, body = police.do(t, http.MethodPost, "/api/v1/cameras/"+id+"/transition", map[string]string{"to": "assessed"})
	wantStatus(t, resp, body, http.StatusForbidden)

	// Problems name their field.
	for _, tc := range []struct {
		body, field string
		status      int
	}{
		{strings.Replace(cameraBody(""), `"bearing":350`, `"bearing":361`, 1), "bearing", 400},
		{strings.Replace(cameraBody(""), `"fov":40,`, ``, 1), "bearing", 400},
		{strings.Replace(cameraBody(""), `"operator_kind":"municipality"`, `"operator_kind":"nsa"`, 1), "operator_kind", 400},
		{cameraBody(`"state":"active"`), "state", 400},
		{cameraBody(`"view":{"type":"Polygon","coordinates":[[[13.1,58.26],[13.101,58.26],[13.101,58.261],[13.1,58.26]]]}`), "view", 400},
		{cameraBody(`"operated_from":"2025-04-02","operated_until":"2025-04-01"`), "operated_until", 400},
		{cameraBody(`"may_operate_today":true`), "may_operate_today", 400},
		{strings.Replace(cameraBody(""), `[13.1,58.26]`, `[12.42,57.17]`, 1) + "", "municipality", 403},
		{`{"name":"x"}`, "position", 400},
	} {
		resp, body := planner.do(t, http.MethodPost, "/api/v1/cameras", tc.body)
		p := problemOf(t, resp, body, tc.status)
		if p.Field != tc.field {
			t.Errorf("%s: field %q, want %q: %s", tc.body, p.Field, tc.field, body)
		}
	}

	// Lifecycle under the weighing regime (decided 2025-04-01).
	transition := func(id, to string, status int, field string) []byte {
		t.Helper()
		resp, body := planner.do(t, http.MethodPost, "/api/v1/cameras/"+id+"/transition", map[string]string{"to": to})
		if status != http.StatusOK {
			p := problemOf(t, resp, body, status)
			if p.Field != field || p.Detail == "" {
				t.Errorf("to %s: %+v", to, p)
			}
			return body
		}
		wantStatus(t, resp, body, status)
		if got := jsonField(t, body, "properties", "state"); got != to {
			t.Errorf("state %s, want %s", got, to)
		}
		return body
	}
	transition(id, "approved", http.StatusConflict, "to")
	transition(id, "assessed", http.StatusOK, "")
	transition(id, "approved", http.StatusConflict, "decision_on")
	resp, body = planner.do(t, http.MethodPatch, "/api/v1/cameras/"+id, map[string]any{"decision_on": "2025-04-01", "weighing_ref": "KS 2025/88"})
	wantStatus(t, resp, body, http.StatusOK)
	if jsonField(t, body, "properties", "regime") != "weighing" || jsonField(t, body, "properties", "name") != "Resecentrum norr" {
		t.Errorf("patched: %s", body)
	}
	b := transition(id, "approved", http.StatusConflict, "dpia_ref")
	if !strings.Contains(string(b), "conflict") {
		t.Errorf("409 without its code: %s", b)
	}
	resp, body = planner.do(t, http.MethodPatch, "/api/v1/cameras/"+id, map[string]any{"dpia_ref": "KS 2025/89", "indoor": true,
		"commitment_ids": []string{outdoorsCommitment(t, e.url, true)}})
	wantStatus(t, resp, body, http.StatusOK)
	// Indoors, under an outdoors-only commitment: not approved.
	transition(id, "approved", http.StatusConflict, "indoor")
	resp, body = planner.do(t, http.MethodPatch, "/api/v1/cameras/"+id, map[string]any{"indoor": false, "public_view": true,
		"signage_checked_on": "2026-01-15"})
	wantStatus(t, resp, body, http.StatusOK)
	transition(id, "approved", http.StatusOK, "")
	transition(id, "installed", http.StatusOK, "")
	transition(id, "active", http.StatusOK, "")
	transition(id, "bogus", http.StatusBadRequest, "to")
	// An active camera keeps its approval and its commitments' rules.
	for _, tc := range []struct {
		patch map[string]any
		field string
	}{{map[string]any{"indoor": true}, "indoor"}, {map[string]any{"weighing_ref": ""}, "weighing_ref"},
		{map[string]any{"dpia_ref": ""}, "dpia_ref"}, {map[string]any{"decision_on": nil}, "decision_on"}} {
		resp, body := planner.do(t, http.MethodPatch, "/api/v1/cameras/"+id, tc.patch)
		if p := problemOf(t, resp, body, http.StatusConflict); p.Field != tc.field {
			t.Errorf("%v: %+v", tc.patch, p)
		}
	}
	resp, body = planner.do(t, http.MethodPost, "/api/v1/cameras/"+uuid.NewString()+"/transition", map[string]string{"to": "assessed"})
	problemOf(t, resp, body, http.StatusNotFound)

	// Decided 2025-03-31 with a permit: today's rules (weighing and DPIA) decide, and a
	// permit expiring soon no longer needs attention.
	resp, body = planner.do(t, http.MethodPost, "/api/v1/cameras", strings.Replace(cameraBody(`"decision_on":"2025-03-31"`),
		"Resecentrum norr", "Torget", 1))
	wantStatus(t, resp, body, http.StatusCreated)
	torget := jsonField(t, body, "id")
	transition(torget, "assessed", http.StatusOK, "")
	soon := trygg.SwedishDay(time.Now()).AddDate(0, 0, 30).Format(time.DateOnly)
	resp, body = planner.do(t, http.MethodPatch, "/api/v1/cameras/"+torget, map[string]any{"permit_ref": "DI-2024-5678",
		"permit_expires_on": soon, "permit_conditions": "Kl. 22–06", "review_on": "2025-12-31"})
	wantStatus(t, resp, body, http.StatusOK)
	if jsonField(t, body, "properties", "regime") != "permit" {
		t.Errorf("regime: %s", body)
	}
	transition(torget, "approved", http.StatusConflict, "weighing_ref")
	resp, body = planner.do(t, http.MethodPatch, "/api/v1/cameras/"+torget, map[string]any{"weighing_ref": "KS 2025/90", "dpia_ref": "KS 2025/91"})
	wantStatus(t, resp, body, http.StatusOK)
	transition(torget, "approved", http.StatusOK, "")
	transition(torget, "installed", http.StatusOK, "")

	// The attention list: Torget's review is overdue and its signs were never checked;
	// the active camera needs nothing.
	resp, body = police.do(t, http.MethodGet, "/api/v1/cameras/attention", nil)
	wantStatus(t, resp, body, http.StatusOK)
	for _, want := range []string{torget, "review-overdue", "signage-never-checked"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("attention lacks %s: %s", want, body)
		}
	}
	if strings.Contains(string(body), id) || strings.Contains(string(body), "permit-expiring") {
		t.Errorf("the active camera or a permit needs attention: %s", body)
	}
	resp, body = planner.do(t, http.MethodGet, "/api/v1/cameras/attention?on=soon", nil)
	problemOf(t, resp, body, http.StatusBadRequest)

	// Lists, coverage.
	resp, body = police.do(t, http.MethodGet, "/api/v1/cameras?municipality=1470", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if n := len(featureList(t, body)); n != 2 {
		t.Errorf("%d cameras", n)
	}
	for _, path := range []string{"/api/v1/cameras/" + id + "/coverage", "/api/v1/camera-coverage", "/api/v1/cameras/" + id} {
		resp, body = police.do(t, http.MethodGet, path, nil)
		wantStatus(t, resp, body, http.StatusOK)
	}

	// Public transparency: the OGC collection shows the installed and active cameras,
	// and no decisions.
	resp, body = e.client().do(t, http.MethodGet, "/ogc/collections/cameras/items", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if n := strings.Count(string(body), `"type":"Feature"`); n != 2 || strings.Contains(string(body), "DI-2024-5678") {
		t.Errorf("public cameras: %s", body)
	}
	resp, body = e.client().do(t, http.MethodGet, "/api/v1/cameras", nil)
	problemOf(t, resp, body, http.StatusUnauthorized)
}
