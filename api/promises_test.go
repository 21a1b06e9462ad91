package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
)

const promiseBody = `{"title":"Medborgarlöfte Vara 2026","police_areas":["lpo-vastra-skaraborg"],
	"period_start":"2026-01-01","period_end":"2026-12-31","signed_on":"2026-02-01",
	"signatories":[{"name":"Anna Andersson","title":"Kommunalråd","organisation":"Vara kommun"}],
	"focus_areas":["traffic","unsafe-places"],"summary":"Vi lovar","situation":"Lägesbild från VEST","status":"active",
	"commitments":[
	 {"party":"police","focus_area":"traffic","activity_kind":"traffic-control","text":"Minst sex trafikkontroller.","target":6,
	  "places":[{"name":"Infarten","geometry":{"type":"Point","coordinates":[12.97,58.265]}}]},
	 {"party":"municipality","focus_area":"unsafe-places","activity_kind":"camera-surveillance","outdoors_only":true,
	  "text":"Kameror vid skolor eller Resecentrum, endast utomhus och efter tillståndsprövning.",
	  "places":[{"name":"Resecentrum","geometry":{"type":"Polygon","coordinates":[[[12.948,58.262],[12.951,58.262],[12.951,58.263],[12.948,58.263],[12.948,58.262]]]}}]}]}`

type followupBody struct {
	Public      bool `json:"public"`
	Commitments []struct {
		ID       string `json:"id"`
		Text     string `json:"text"`
		Progress struct {
			Achieved int    `json:"achieved"`
			Status   string `json:"status"`
		} `json:"progress"`
		Places []struct {
			Geometry json.RawMessage `json:"geometry"`
		} `json:"places"`
		Activities []map[string]any `json:"activities"`
	} `json:"commitments"`
}

func decodeFollowup(t *testing.T, body []byte) followupBody {
	t.Helper()
	var f followupBody
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return f
}

func TestPromiseFlow(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	police := e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg")
	moderator := e.addUser(t, trygg.RoleModerator, "kommun-1470")
	pl, po, mod := e.signIn(t, planner.Email), e.signIn(t, police.Email), e.signIn(t, moderator.Email)

	resp, body := pl.do(t, http.MethodPost, "/api/v1/promises", promiseBody)
	wantStatus(t, resp, body, http.StatusCreated)
	id := jsonField(t, body, "id")
	if resp.Header.Get("Location") != "/api/v1/promises/"+id || jsonField(t, body, "municipality") != "1470" {
		t.Errorf("Location %q, body %s", resp.Header.Get("Location"), body)
	}
	var p struct {
		Commitments []struct {
			ID           string `json:"id"`
			OutdoorsOnly bool   `json:"outdoors_only"`
			Target       *int   `json:"target"`
			Places       []struct {
				Geometry struct {
					Type string `json:"type"`
				} `json:"geometry"`
			} `json:"places"`
		} `json:"commitments"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Commitments) != 2 || p.Commitments[0].Target == nil || *p.Commitments[0].Target != 6 ||
		!p.Commitments[1].OutdoorsOnly || p.Commitments[1].Places[0].Geometry.Type != "Polygon" {
		t.Fatalf("promise %s", body)
	}
	traffic := p.Commitments[0].ID

	// A commitment added later, by the police.
	resp, body = po.do(t, http.MethodPost, "/api/v1/promises/"+id+"/commitments",
		`{"party":"joint","activity_kind":"safety-walk","text":"Tätortsvandringar med uppföljning och återkoppling.",
		  "places":[{"name":"Centrum","geometry":{"type":"LineString","coordinates":[[12.95,58.262],[12.96,58.26]]}}]}`)
	wantStatus(t, resp, body, http.StatusCreated)
	walk := jsonField(t, body, "id")

	// Activities: logged by the police, one in the future.
	past := time.Now().Add(-24 * time.Hour).Format(time.RFC3339)
	for i := 0; i < 2; i++ {
		resp, body = po.do(t, http.MethodPost, "/api/v1/activities", map[string]any{"kind": "traffic-control", "party": "police",
			"starts_at": past, "duration_minutes": 90, "notes": "Anteckning som inte är publik",
			"geometry": map[string]any{"type": "Point", "coordinates": []float64{12.97, 58.265}}, "commitment_ids": []string{traffic}})
		wantStatus(t, resp, body, http.StatusCreated)
	}
	if jsonField(t, body, "properties", "municipality") != "1470" || jsonField(t, body, "geometry", "type") != "Point" {
		t.Errorf("activity %s", body)
	}
	activityID := jsonField(t, body, "id")
	future := time.Now().Add(72 * time.Hour).Format(time.RFC3339)
	resp, body = po.do(t, http.MethodPost, "/api/v1/activities", map[string]any{"kind": "traffic-control", "party": "police",
		"starts_at": future, "commitment_ids": []string{traffic}})
	wantStatus(t, resp, body, http.StatusCreated)
	plannedID := jsonField(t, body, "id")

	// Everyone staff reads; only admin, planner and police write.
	for _, path := range []string{"/api/v1/promises", "/api/v1/promises/" + id, "/api/v1/promises/" + id + "/followup",
		"/api/v1/activities", "/api/v1/activities/" + activityID, "/api/v1/commitments/" + traffic} {
		resp, body = mod.do(t, http.MethodGet, path, nil)
		wantStatus(t, resp, body, http.StatusOK)
		if resp, body = e.client().do(t, http.MethodGet, path, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("public GET %s: %d %s", path, resp.StatusCode, body)
		}
	}
	resp, body = mod.do(t, http.MethodPost, "/api/v1/activities", map[string]any{"kind": "foot-patrol", "party": "police", "starts_at": past})
	wantStatus(t, resp, body, http.StatusForbidden)
	resp, body = pl.do(t, http.MethodGet, "/api/v1/activities?commitment_id="+traffic, nil)
	wantStatus(t, resp, body, http.StatusOK)
	var fc struct {
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(body, &fc); err != nil {
		t.Fatal(err)
	}
	if n := len(fc.Features); n != 3 {
		t.Errorf("%d activities of the commitment, want 3", n)
	}

	// Staff follow-up: 2 achieved, the planned one listed and marked, with notes.
	resp, body = pl.do(t, http.MethodGet, "/api/v1/promises/"+id+"/followup", nil)
	wantStatus(t, resp, body, http.StatusOK)
	f := decodeFollowup(t, body)
	if f.Public || len(f.Commitments) != 3 || f.Commitments[0].Progress.Achieved != 2 || len(f.Commitments[0].Activities) != 3 {
		t.Fatalf("staff followup %s", body)
	}
	if !strings.Contains(string(body), "Anteckning som inte är publik") || !strings.Contains(string(body), `"planned":true`) {
		t.Errorf("staff followup lacks notes or the planned activity: %s", body)
	}

	// Not published: the public gets 404; published, the public version.
	pub := "/api/v1/public/promises/" + id + "/followup"
	resp, body = e.client().do(t, http.MethodGet, pub, nil)
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = pl.do(t, http.MethodPatch, "/api/v1/commitments/"+walk, map[string]any{"done": true})
	wantStatus(t, resp, body, http.StatusConflict)
	if got := problemField(t, body); got != "done_reason" {
		t.Errorf("done without work: field %q, want done_reason", got)
	}
	resp, body = pl.do(t, http.MethodPatch, "/api/v1/commitments/"+walk, map[string]any{"done": true, "done_reason": "Vandringen hölls."})
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = pl.do(t, http.MethodPatch, "/api/v1/promises/"+id, map[string]any{"published": true})
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = e.client().do(t, http.MethodGet, pub, nil)
	wantStatus(t, resp, body, http.StatusOK)
	f = decodeFollowup(t, body)
	if !f.Public || f.Commitments[0].Progress.Achieved != 2 || len(f.Commitments[0].Activities) != 2 ||
		f.Commitments[2].Progress.Status != trygg.ProgressDone || len(f.Commitments[1].Places) != 1 {
		t.Errorf("public followup %s", body)
	}
	for _, secret := range []string{"Anteckning", plannedID, police.ID, `"notes"`, `"created_by"`, `"planned"`} {
		if strings.Contains(string(body), secret) {
			t.Errorf("the public followup shows %q: %s", secret, body)
		}
	}
	resp, body = e.client().do(t, http.MethodGet, "/api/v1/public/promises?municipality=1470", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), id) {
		t.Errorf("the published promise is not listed: %s", body)
	}
}

func TestPromiseValidation(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	pl := e.signIn(t, planner.Email)
	resp, body := pl.do(t, http.MethodPost, "/api/v1/promises", promiseBody)
	wantStatus(t, resp, body, http.StatusCreated)
	id := jsonField(t, body, "id")
	commitments := "/api/v1/promises/" + id + "/commitments"
	base := `"title":"x","period_start":"2026-01-01","period_end":"2026-12-31"`
	commitment := `"party":"police","activity_kind":"foot-patrol","text":"Fotpatruller"`
	at := time.Now().Add(-time.Hour).Format(time.RFC3339)
	activity := `"kind":"foot-patrol","party":"police","starts_at":"` + at + `"`

	cases := []struct {
		name, method, path, body string
		status                   int
		field                    string
	}{
		{"no title", "POST", "/api/v1/promises", `{"period_start":"2026-01-01","period_end":"2026-12-31"}`, 400, "title"},
		{"no start", "POST", "/api/v1/promises", `{"title":"x","period_end":"2026-12-31"}`, 400, "period_start"},
		{"bad end", "POST", "/api/v1/promises", `{"title":"x","period_start":"2026-01-01","period_end":"31/12"}`, 400, "period_end"},
		{"end before start", "POST", "/api/v1/promises", `{"title":"x","period_start":"2026-01-01","period_end":"2025-12-31"}`, 400, "period_end"},
		{"bad signed_on", "POST", "/api/v1/promises", `{` + base + `,"signed_on":"i våras"}`, 400, "signed_on"},
		{"focus area", "POST", "/api/v1/promises", `{` + base + `,"focus_areas":["traffic","fiske"]}`, 400, "focus_areas[1]"},
		{"status", "POST", "/api/v1/promises", `{` + base + `,"status":"signed"}`, 400, "status"},
		{"published draft", "POST", "/api/v1/promises", `{` + base + `,"published":true}`, 400, "published"},
		{"police area of another municipality", "POST", "/api/v1/promises", `{` + base + `,"police_areas":["lpo-varberg"]}`, 400, "police_areas[0]"},
		{"municipality not served", "POST", "/api/v1/promises", `{` + base + `,"municipality":"1383"}`, 403, "municipality"},
		{"unknown field", "POST", "/api/v1/promises", `{` + base + `,"budget":1}`, 400, "budget"},
		{"bad commitment", "POST", "/api/v1/promises", `{` + base + `,"commitments":[{` + commitment + `},{"party":"polisen","activity_kind":"foot-patrol","text":"x"}]}`, 400, "commitments[1].party"},
		{"commitment place type", "POST", "/api/v1/promises", `{` + base + `,"commitments":[{` + commitment + `,"places":[{"geometry":{"type":"MultiPoint","coordinates":[[13,58]]}}]}]}`, 400, "commitments[0].places[0].geometry.type"},
		{"the full promise", "POST", "/api/v1/promises", `{` + base + `,"commitments":[{` + commitment + `}]}`, 201, ""},
		{"commitment without text", "POST", commitments, `{"party":"police","activity_kind":"foot-patrol"}`, 400, "text"},
		{"commitment kind", "POST", commitments, `{"party":"police","activity_kind":"patrol","text":"x"}`, 400, "activity_kind"},
		{"commitment target", "POST", commitments, `{` + commitment + `,"target":0}`, 400, "target"},
		{"commitment target not a number", "POST", commitments, `{` + commitment + `,"target":"femton"}`, 400, "target"},
		{"commitment other party unnamed", "POST", commitments, `{"party":"other","activity_kind":"meeting","text":"x"}`, 400, "party_name"},
		{"commitment place outside Sweden", "POST", commitments, `{` + commitment + `,"places":[{"geometry":{"type":"Point","coordinates":[2.35,48.85]}}]}`, 422, "places[0].geometry"},
		{"commitment place without geometry", "POST", commitments, `{` + commitment + `,"places":[{"name":"x"}]}`, 400, "places[0]"},
		{"commitment place unknown", "POST", commitments, `{` + commitment + `,"places":[{"place_id":"5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1"}]}`, 400, "places[0].place_id"},
		{"commitment of an unknown promise", "POST", "/api/v1/promises/5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1/commitments", `{` + commitment + `}`, 404, "id"},
		{"activity without a time", "POST", "/api/v1/activities", `{"kind":"foot-patrol","party":"police"}`, 400, "starts_at"},
		{"activity bad time", "POST", "/api/v1/activities", `{"kind":"foot-patrol","party":"police","starts_at":"i kväll"}`, 400, "starts_at"},
		{"activity kind", "POST", "/api/v1/activities", `{"kind":"patrull","party":"police","starts_at":"` + at + `"}`, 400, "kind"},
		{"activity party", "POST", "/api/v1/activities", `{"kind":"foot-patrol","party":"polisen","starts_at":"` + at + `"}`, 400, "party"},
		{"activity duration", "POST", "/api/v1/activities", `{` + activity + `,"duration_minutes":-5}`, 400, "duration_minutes"},
		{"activity geometry type", "POST", "/api/v1/activities", `{` + activity + `,"geometry":{"type":"MultiPolygon","coordinates":[]}}`, 400, "geometry.type"},
		{"activity swapped coordinates", "POST", "/api/v1/activities", `{` + activity + `,"geometry":{"type":"Point","coordinates":[58.26,12.95]}}`, 400, "geometry.coordinates"},
		{"activity line of one point", "POST", "/api/v1/activities", `{` + activity + `,"geometry":{"type":"LineString","coordinates":[[12.95,58.26]]}}`, 400, "geometry.coordinates"},
		{"activity unknown commitment", "POST", "/api/v1/activities", `{` + activity + `,"commitment_ids":["5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1"]}`, 404, "commitment_ids"},
		{"activity commitment not an id", "POST", "/api/v1/activities", `{` + activity + `,"commitment_ids":["x"]}`, 404, "commitment_ids"},
		{"activity municipality not served", "POST", "/api/v1/activities", `{` + activity + `,"municipality":"1383"}`, 403, "municipality"},
		{"activity polygon", "POST", "/api/v1/activities", `{` + activity + `,"geometry":{"type":"Polygon","coordinates":[[[12.95,58.26],[12.96,58.26],[12.96,58.265],[12.95,58.26]]]}}`, 201, ""},
		{"activity unknown field", "POST", "/api/v1/activities", `{` + activity + `,"weather":"regn"}`, 400, "weather"},
		{"activities bad kind", "GET", "/api/v1/activities?kind=patrull", "", 400, "kind"},
		{"activities bad from", "GET", "/api/v1/activities?from=igår", "", 400, "from"},
		{"activities of a municipality not served", "GET", "/api/v1/activities?municipality=1383", "", 403, "municipality"},
		{"promise bad status", "PATCH", "/api/v1/promises/" + id, `{"status":"klar"}`, 400, "status"},
		{"commitment patch without fields", "PATCH", "/api/v1/commitments/5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1", `{}`, 400, "body"},
		{"commitment patch, unknown field", "PATCH", "/api/v1/commitments/5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1", `{"colour":"red"}`, 400, "colour"},
		{"commitment patch, bad target", "PATCH", "/api/v1/commitments/5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1", `{"target":"many"}`, 400, "target"},
		{"commitment patch, bad place", "PATCH", "/api/v1/commitments/5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1", `{"places":[{"name":"x","geometry":{"type":"MultiPoint","coordinates":[[13,58]]}}]}`, 400, "places[0].geometry.type"},
		{"activity patch, unknown field", "PATCH", "/api/v1/activities/5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1", `{"colour":"red"}`, 400, "colour"},
		{"activity patch, bad count", "PATCH", "/api/v1/activities/5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1", `{"count":"x"}`, 400, "count"},
		{"unknown activity patch", "PATCH", "/api/v1/activities/5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1", `{"count":3}`, 404, "id"},
		{"unknown activity delete", "DELETE", "/api/v1/activities/5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1", "", 404, "id"},
		{"unknown promise", "GET", "/api/v1/promises/5f0c7d44-6a8f-4a43-9c57-1c52b2f1a9a1", "", 404, "id"},
		{"public followup, not an id", "GET", "/api/v1/public/promises/x/followup", "", 404, "id"},
		{"public promises, bad municipality", "GET", "/api/v1/public/promises?municipality=Vara", "", 400, "municipality"},
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
			if tc.field != "" {
				if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("Content-Type %q", ct)
				}
				if got := problemField(t, body); got != tc.field {
					t.Errorf("field %q, want %q: %s", got, tc.field, body)
				}
			}
		})
	}
}

// The demo's promises are published, so their follow-ups are public.
func TestDemoPromiseFollowup(t *testing.T) {
	e := newEnv(t, nil)
	resp, body := e.client().do(t, http.MethodGet, "/api/v1/public/promises/"+demo.DemoID("vetlanda")+"/followup", nil)
	wantStatus(t, resp, body, http.StatusOK)
	f := decodeFollowup(t, body)
	if len(f.Commitments) != 7 {
		t.Fatalf("Vetlanda has %d commitments, want 7", len(f.Commitments))
	}
	if c := f.Commitments[1]; !strings.Contains(c.Text, "femton trafikkontroller") || c.Progress.Achieved != 8 || c.Progress.Status != trygg.ProgressNotMet {
		t.Errorf("traffic controls 2020–21: %+v, want 8 and not-met", c)
	}
	resp, body = e.client().do(t, http.MethodGet, "/api/v1/public/promises", nil)
	wantStatus(t, resp, body, http.StatusOK)
	var list struct {
		Promises []map[string]any `json:"promises"`
	}
	if err := json.Unmarshal(body, &list); err != nil || len(list.Promises) != 5 {
		t.Errorf("public promises: %v %s", err, body)
	}
}
