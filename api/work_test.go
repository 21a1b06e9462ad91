package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
)

type workFollowup struct {
	Commitments []struct {
		ID       string `json:"id"`
		Progress struct {
			Achieved int    `json:"achieved"`
			Status   string `json:"status"`
		} `json:"progress"`
		Work []trygg.WorkItem `json:"work"`
	} `json:"commitments"`
}

// The follow-up counts a done walk and a held dialogue that name the commitment, lists
// them with links; activities are corrected (PATCH) and deleted (DELETE) by staff of
// their municipality only; commitment_ids of another municipality are 400.
func TestWorkAndActivityCorrections(t *testing.T) {
	e := newEnv(t, nil)
	pl := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1470").Email)
	berg := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1383").Email)
	mod := e.signIn(t, e.addUser(t, trygg.RoleModerator, "kommun-1470").Email)
	today := trygg.Today(time.Now())
	period := fmt.Sprintf(`"period_start":%q,"period_end":%q,"status":"active"`,
		today.AddDate(0, -1, 0).Format(time.DateOnly), today.AddDate(0, 6, 0).Format(time.DateOnly))

	resp, body := pl.do(t, http.MethodPost, "/api/v1/promises", `{"title":"Vara nu",`+period+`,"commitments":[
		{"party":"joint","activity_kind":"safety-walk","text":"Två trygghetsvandringar.","target":2},
		{"party":"police","activity_kind":"traffic-control","text":"Tjugo kontroller.","target":20},
		{"party":"joint","activity_kind":"neighbourhood-watch","text":"Erbjuda grannsamverkan."}]}`)
	wantStatus(t, resp, body, http.StatusCreated)
	id := jsonField(t, body, "id")
	var p struct {
		Commitments []struct {
			ID string `json:"id"`
		} `json:"commitments"`
	}
	if err := json.Unmarshal(body, &p); err != nil || len(p.Commitments) != 3 {
		t.Fatalf("%v %s", err, body)
	}
	walkC, trafficC, watchC := p.Commitments[0].ID, p.Commitments[1].ID, p.Commitments[2].ID
	resp, body = berg.do(t, http.MethodPost, "/api/v1/promises", `{"title":"Varberg nu",`+period+`,"commitments":[
		{"party":"joint","activity_kind":"safety-walk","text":"Vandringar.","target":2}]}`)
	wantStatus(t, resp, body, http.StatusCreated)
	var bp struct {
		Commitments []struct {
			ID string `json:"id"`
		} `json:"commitments"`
	}
	if err := json.Unmarshal(body, &bp); err != nil {
		t.Fatal(err)
	}
	bergC := bp.Commitments[0].ID
	followup := func() workFollowup {
		t.Helper()
		resp, body := pl.do(t, http.MethodGet, "/api/v1/promises/"+id+"/followup", nil)
		wantStatus(t, resp, body, http.StatusOK)
		var f workFollowup
		if err := json.Unmarshal(body, &f); err != nil || len(f.Commitments) != 3 {
			t.Fatalf("%v %s", err, body)
		}
		return f
	}

	// A walk naming another municipality's commitment is refused, naming the field.
	yesterday := time.Now().Add(-24 * time.Hour).Format(time.RFC3339)
	resp, body = pl.do(t, http.MethodPost, "/api/v1/walks", fmt.Sprintf(`{"title":"Vandring","starts_at":%q,"status":"planned",
		"commitment_ids":[%q]}`, yesterday, bergC))
	wantStatus(t, resp, body, http.StatusBadRequest)
	if got := problemField(t, body); got != "commitment_ids" {
		t.Errorf("field %q, want commitment_ids", got)
	}
	// Planned, it does not count; done, it does.
	resp, body = pl.do(t, http.MethodPost, "/api/v1/walks", fmt.Sprintf(`{"title":"Vandring i centrum","starts_at":%q,
		"status":"planned","commitment_ids":[%q]}`, yesterday, walkC))
	wantStatus(t, resp, body, http.StatusCreated)
	walkID := jsonField(t, body, "id")
	if !strings.Contains(string(body), walkC) {
		t.Errorf("the walk does not show its commitment: %s", body)
	}
	if n := followup().Commitments[0].Progress.Achieved; n != 0 {
		t.Errorf("a planned walk counts %d", n)
	}
	resp, body = pl.do(t, http.MethodPut, "/api/v1/walks/"+walkID, fmt.Sprintf(`{"title":"Vandring i centrum","starts_at":%q,
		"status":"done"}`, yesterday))
	wantStatus(t, resp, body, http.StatusOK)
	f := followup()
	if c := f.Commitments[0]; c.Progress.Achieved != 1 || len(c.Work) != 1 || c.Work[0].Kind != trygg.WorkWalk ||
		c.Work[0].Link != "/api/v1/walks/"+walkID {
		t.Errorf("done walk in the follow-up: %+v", c)
	}

	// A dialogue held counts once linked by PATCH.
	resp, body = pl.do(t, http.MethodPost, "/api/v1/dialogues", fmt.Sprintf(`{"title":"Dialog på torget","held_on":%q}`,
		today.AddDate(0, 0, -2).Format(time.DateOnly)))
	wantStatus(t, resp, body, http.StatusCreated)
	dlg := jsonField(t, body, "id")
	resp, body = pl.do(t, http.MethodPatch, "/api/v1/dialogues/"+dlg, fmt.Sprintf(`{"commitment_ids":[%q]}`, bergC))
	wantStatus(t, resp, body, http.StatusBadRequest)
	resp, body = pl.do(t, http.MethodPatch, "/api/v1/dialogues/"+dlg, fmt.Sprintf(`{"commitment_ids":[%q]}`, walkC))
	wantStatus(t, resp, body, http.StatusOK)
	if c := followup().Commitments[0]; c.Progress.Achieved != 2 || c.Progress.Status != trygg.ProgressMet {
		t.Errorf("walk and dialogue: %+v, want 2 and met", c.Progress)
	}
	resp, body = pl.do(t, http.MethodPatch, "/api/v1/dialogues/"+dlg, `{"colour":"red"}`)
	wantStatus(t, resp, body, http.StatusBadRequest)

	// Activities: a correction moves the count; only the municipality's staff may.
	resp, body = pl.do(t, http.MethodPost, "/api/v1/activities", fmt.Sprintf(`{"kind":"traffic-control","party":"police",
		"starts_at":%q,"commitment_ids":[%q]}`, yesterday, trafficC))
	wantStatus(t, resp, body, http.StatusCreated)
	act := jsonField(t, body, "id")
	path := "/api/v1/activities/" + act
	resp, body = pl.do(t, http.MethodPatch, path, `{"count":6,"notes":"Sex kontroller samma kväll.","date":"`+
		today.AddDate(0, 0, -3).Format(time.DateOnly)+`"}`)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), `"count":6`) {
		t.Errorf("patched activity %s", body)
	}
	if n := followup().Commitments[1].Progress.Achieved; n != 6 {
		t.Errorf("traffic achieved %d, want 6", n)
	}
	resp, body = pl.do(t, http.MethodPatch, path, fmt.Sprintf(`{"commitment_ids":[%q]}`, bergC))
	wantStatus(t, resp, body, http.StatusBadRequest)
	if got := problemField(t, body); got != "commitment_ids" {
		t.Errorf("field %q, want commitment_ids", got)
	}
	resp, body = pl.do(t, http.MethodPatch, path, `{"kind":"grannsamverkan"}`)
	wantStatus(t, resp, body, http.StatusBadRequest)
	if got := problemField(t, body); got != "kind" {
		t.Errorf("field %q, want kind", got)
	}
	for _, who := range []struct {
		name   string
		c      *client
		status int
	}{{"Varberg's planner", berg, http.StatusNotFound}, {"a moderator", mod, http.StatusForbidden}, {"no one", e.client(), http.StatusUnauthorized}} {
		resp, body = who.c.do(t, http.MethodPatch, path, `{"count":1}`)
		if resp.StatusCode != who.status {
			t.Errorf("%s patches: %d, want %d: %s", who.name, resp.StatusCode, who.status, body)
		}
		resp, body = who.c.do(t, http.MethodDelete, path, nil)
		if resp.StatusCode != who.status {
			t.Errorf("%s deletes: %d, want %d: %s", who.name, resp.StatusCode, who.status, body)
		}
	}
	resp, body = pl.do(t, http.MethodDelete, path, nil)
	wantStatus(t, resp, body, http.StatusNoContent)
	resp, body = pl.do(t, http.MethodGet, path, nil)
	wantStatus(t, resp, body, http.StatusNotFound)
	if n := followup().Commitments[1].Progress.Achieved; n != 0 {
		t.Errorf("traffic achieved %d after the delete, want 0", n)
	}

	// The yes/no commitment: done needs work or a reason (409 naming done_reason).
	resp, body = pl.do(t, http.MethodPatch, "/api/v1/commitments/"+watchC, `{"done":true}`)
	wantStatus(t, resp, body, http.StatusConflict)
	if got := problemField(t, body); got != "done_reason" {
		t.Errorf("field %q, want done_reason", got)
	}
	// Commitment PATCH: text, target, places, done with a reason.
	resp, body = pl.do(t, http.MethodPatch, "/api/v1/commitments/"+watchC, `{"text":"Erbjuda grannsamverkan i alla tätorter.",
		"target":null,"done":true,"done_reason":"Erbjudandet gick ut till alla hushåll i december.",
		"places":[{"name":"Stora torget","geometry":{"type":"Point","coordinates":[12.956,58.2617]}}]}`)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), "alla tätorter") || !strings.Contains(string(body), "Stora torget") ||
		!strings.Contains(string(body), `"done":true`) {
		t.Errorf("patched commitment %s", body)
	}
	if st := followup().Commitments[2].Progress.Status; st != trygg.ProgressDone {
		t.Errorf("yes/no status %s, want done", st)
	}
	resp, body = pl.do(t, http.MethodPatch, "/api/v1/commitments/"+trafficC, `{"target":25,"activity_kind":"vehicle-inspection"}`)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), `"target":25`) || !strings.Contains(string(body), "vehicle-inspection") {
		t.Errorf("patched commitment %s", body)
	}
	resp, body = berg.do(t, http.MethodPatch, "/api/v1/commitments/"+trafficC, `{"target":1}`)
	wantStatus(t, resp, body, http.StatusNotFound)
}
