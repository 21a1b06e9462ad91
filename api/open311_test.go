package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/trygg-gis/trygg"
)

// TestOpen311StatusAfterAction goes the whole way through the API: a GeoReport v2
// client posts only the standard fields, a moderator publishes, a planner of Vara puts
// an action on it (one of Lidköping cannot), marks it done with feedback, and Open311
// then shows the request closed with that feedback as status_notes.
func TestOpen311StatusAfterAction(t *testing.T) {
	e := newEnv(t, nil)
	form := url.Values{"service_code": {"belysning"}, "lat": {"58.26"}, "long": {"13.1"},
		"description": {"Mörkt vid cykelbanan"}, "email": {"ada@example.se"}}
	resp, body := e.client().post(t, "/open311/v2/requests.json", "application/x-www-form-urlencoded", form.Encode())
	wantStatus(t, resp, body, http.StatusCreated)
	var c []struct {
		ID string `json:"service_request_id"`
	}
	if err := json.Unmarshal(body, &c); err != nil || len(c) != 1 {
		t.Fatalf("%v: %s", err, body)
	}
	id := c[0].ID

	mod := e.signIn(t, e.addUser(t, trygg.RoleModerator, "kommun-1470").Email)
	resp, body = mod.do(t, http.MethodGet, "/api/v1/reports/"+id, nil)
	wantStatus(t, resp, body, http.StatusOK)
	var rep struct{ Properties trygg.Report }
	if err := json.Unmarshal(body, &rep); err != nil || rep.Properties.Feeling != 2 {
		t.Errorf("feeling %d (%v), want 2 (unsafe) for a request without attribute[feeling]: %s", rep.Properties.Feeling, err, body)
	}
	resp, body = mod.do(t, http.MethodPost, "/api/v1/reports/"+id+"/moderation", map[string]string{"action": "publish"})
	wantStatus(t, resp, body, http.StatusOK)

	open311 := func() (string, *string) {
		t.Helper()
		resp, body := e.get(t, "/open311/v2/requests/"+id+".json")
		wantStatus(t, resp, body, http.StatusOK)
		var rs []struct {
			Status      string  `json:"status"`
			StatusNotes *string `json:"status_notes"`
		}
		if err := json.Unmarshal(body, &rs); err != nil || len(rs) != 1 {
			t.Fatalf("%v: %s", err, body)
		}
		return rs[0].Status, rs[0].StatusNotes
	}
	if s, n := open311(); s != "open" || n != nil {
		t.Errorf("published: %s %v, want open, no notes", s, n)
	}

	other := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1494").Email)
	resp, body = other.do(t, http.MethodPost, "/api/v1/actions", map[string]any{"report_id": id,
		"description": "Byt lampan", "owner_org": "kommun-1494"})
	if resp.StatusCode < 400 {
		t.Errorf("a planner of Lidköping put an action on a Vara report: %d %s", resp.StatusCode, body)
	}

	pl := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1470").Email)
	resp, body = pl.do(t, http.MethodPost, "/api/v1/actions", map[string]any{"report_id": id,
		"description": "Byt lampan", "owner_org": "kommun-1470"})
	wantStatus(t, resp, body, http.StatusCreated)
	actionID := jsonField(t, body, "id")
	resp, body = pl.do(t, http.MethodPatch, "/api/v1/actions/"+actionID, map[string]any{"status": "in_progress",
		"feedback": "Ny lampa är beställd."})
	wantStatus(t, resp, body, http.StatusOK)
	if s, n := open311(); s != "open" || n == nil || *n != "Ny lampa är beställd." {
		t.Errorf("in progress: %s %v, want open with the feedback", s, n)
	}
	resp, body = pl.do(t, http.MethodPatch, "/api/v1/actions/"+actionID, map[string]any{"status": "done",
		"feedback": "Lampan vid cykelbanan är bytt."})
	wantStatus(t, resp, body, http.StatusOK)
	if s, n := open311(); s != "closed" || n == nil || *n != "Lampan vid cykelbanan är bytt." {
		t.Errorf("done: %s %v, want closed with the feedback", s, n)
	}
}
