package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg"
)

func TestDialogues(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1494").Email) // Lidköping
	moderator := e.signIn(t, e.addUser(t, trygg.RoleModerator, "kommun-1494").Email)
	police := e.signIn(t, e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg").Email)
	vara := e.signIn(t, e.addUser(t, trygg.RoleAdmin, "kommun-1470").Email)
	varaModerator := e.signIn(t, e.addUser(t, trygg.RoleModerator, "kommun-1470").Email)

	in := map[string]any{"title": "Trygghetsdialog Nya Stadens torg", "held_on": "2026-10-03", "place": "Nya Stadens torg",
		"format": "samtal på torget", "conversations": 600, "notes": "Kvällar och gångtunnlar nämns oftast."}
	resp, body := e.client().do(t, http.MethodPost, "/api/v1/dialogues", in)
	wantStatus(t, resp, body, http.StatusUnauthorized)
	resp, body = police.do(t, http.MethodPost, "/api/v1/dialogues", in)
	wantStatus(t, resp, body, http.StatusForbidden)
	resp, body = planner.do(t, http.MethodPost, "/api/v1/dialogues", in)
	wantStatus(t, resp, body, http.StatusCreated)
	var d trygg.Dialogue
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if d.Municipality != "1494" || d.Title != in["title"] || d.HeldOn.Format("2006-01-02") != "2026-10-03" || d.Conversations != 600 ||
		d.Place != "Nya Stadens torg" || d.Places != 0 || resp.Header.Get("Location") != "/api/v1/dialogues/"+d.ID {
		t.Errorf("created %+v (Location %s)", d, resp.Header.Get("Location"))
	}
	path := "/api/v1/dialogues/" + d.ID

	for _, c := range []struct {
		mod    func(m map[string]any)
		status int
		field  string
	}{
		{func(m map[string]any) { delete(m, "title") }, 400, "title"},
		{func(m map[string]any) { m["title"] = strings.Repeat("x", 201) }, 400, "title"},
		{func(m map[string]any) { delete(m, "held_on") }, 400, "held_on"},
		{func(m map[string]any) { m["held_on"] = "3 oktober" }, 400, "held_on"},
		{func(m map[string]any) { m["held_on"] = "1999-10-03" }, 400, "held_on"},
		{func(m map[string]any) { m["conversations"] = -1 }, 400, "conversations"},
		{func(m map[string]any) { m["conversations"] = "många" }, 400, "conversations"},
		{func(m map[string]any) { m["format"] = strings.Repeat("x", 101) }, 400, "format"},
		{func(m map[string]any) { m["municipality"] = "1470" }, 403, "municipality"},
		{func(m map[string]any) { m["municipality"] = "Vara" }, 400, "municipality"},
		{func(m map[string]any) { m["places"] = 3 }, 400, "places"},
	} {
		m := map[string]any{}
		for k, v := range in {
			m[k] = v
		}
		c.mod(m)
		resp, body := planner.do(t, http.MethodPost, "/api/v1/dialogues", m)
		if p := problemOf(t, resp, body, c.status); p.Field != c.field {
			t.Errorf("%v: field %q, want %q: %s", m, p.Field, c.field, body)
		}
	}

	// Reading: the dialogue's municipality only.
	resp, body = planner.do(t, http.MethodGet, path, nil)
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = planner.do(t, http.MethodGet, "/api/v1/dialogues?municipality=1494", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), d.ID) {
		t.Errorf("list: %s", body)
	}
	resp, body = vara.do(t, http.MethodGet, path, nil)
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = vara.do(t, http.MethodGet, "/api/v1/dialogues", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if string(body) != "{\"dialogues\":[]}\n" {
		t.Errorf("Vara's list: %s", body)
	}
	resp, body = vara.do(t, http.MethodGet, "/api/v1/dialogues?municipality=1494", nil)
	wantStatus(t, resp, body, http.StatusForbidden)
	resp, body = planner.do(t, http.MethodGet, "/api/v1/dialogues/not-a-uuid", nil)
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = e.client().do(t, http.MethodGet, path, nil)
	wantStatus(t, resp, body, http.StatusUnauthorized)
	resp, body = moderator.do(t, http.MethodGet, path, nil)
	wantStatus(t, resp, body, http.StatusForbidden)

	// Places: one, a FeatureCollection, CSV.
	p1, p2, p3 := e.placeIn(t, "1494", 0, 0), e.placeIn(t, "1494", 0.003, 0), e.placeIn(t, "1494", 0, 0.002)
	resp, body = planner.do(t, http.MethodPost, path+"/places", map[string]any{"location": geoPoint(p1), "category": "belysning",
		"feeling": 1, "when": []string{"evening", "night"}, "description": "Mörkt vid gångtunneln, ring mig på 0701234567"})
	wantStatus(t, resp, body, http.StatusCreated)
	fs := featureList(t, body)
	if len(fs) != 1 || fs[0]["source"] != "dialogue" || fs[0]["status"] != "received" ||
		fs[0]["public_description"] != "Mörkt vid gångtunneln, ring mig på [telefonnummer dolt]" {
		t.Errorf("one place: %s", body)
	}
	ids := []string{fs[0]["id"].(string)}

	fc := fmt.Sprintf(`{"type":"FeatureCollection","features":[
		{"type":"Feature","geometry":{"type":"Point","coordinates":[%g,%g]},"properties":{"kategori":"ode-plats","känsla":2,"när":"kväll;helg"}},
		{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]},
		 "properties":{"category":"vegetation","feeling":2,"description":"Igenvuxet längs ån"}}]}`,
		p2[0], p2[1], p3[0], p3[1], p3[0]+0.002, p3[1], p3[0], p3[1]+0.001, p3[0], p3[1])
	resp, body = planner.post(t, path+"/places", "application/geo+json", fc)
	wantStatus(t, resp, body, http.StatusCreated)
	fs = featureList(t, body)
	if len(fs) != 2 || fs[0]["category"] != "ode-plats" || fmt.Sprint(fs[0]["when"]) != "[evening weekend]" ||
		fs[1]["precision"] != "area" || fs[1]["source"] != "dialogue" {
		t.Errorf("FeatureCollection: %s", body)
	}
	for _, f := range fs {
		ids = append(ids, f["id"].(string))
	}

	csv := "lat,lon,kategori,känsla,när,text\n" +
		fmt.Sprintf("%g,%g,stokiga-grupper,1,kväll,\"Gäng vid busshållplatsen, mejla anna@example.se\"\n", p2[1], p2[0]) +
		fmt.Sprintf("%g,%g,trygg-plats,4,,Biblioteket känns tryggt\n", p3[1], p3[0])
	resp, body = planner.post(t, path+"/places", "text/csv", csv)
	wantStatus(t, resp, body, http.StatusCreated)
	fs = featureList(t, body)
	if len(fs) != 2 || fs[0]["public_description"] != "Gäng vid busshållplatsen, mejla [e-post dold]" || fs[1]["feeling"] != 4.0 {
		t.Errorf("CSV: %s", body)
	}
	for _, f := range fs {
		ids = append(ids, f["id"].(string))
	}

	// Refusals name the feature or line; nothing is stored.
	bad := fmt.Sprintf(`{"type":"FeatureCollection","features":[
		{"type":"Feature","geometry":{"type":"Point","coordinates":[%g,%g]},"properties":{"category":"belysning","feeling":2}},
		{"type":"Feature","geometry":{"type":"Point","coordinates":[%g,%g]},"properties":{"category":"mörker","feeling":2}},
		{"type":"Feature","geometry":{"type":"Point","coordinates":[%g,%g]},"properties":{"category":"belysning","feeling":9}},
		{"type":"Feature","geometry":{"type":"Point","coordinates":[%g,%g]},"properties":{"category":"belysning","feeling":2,"source":"walk"}}]}`,
		p1[0], p1[1], p1[0], p1[1], p1[0], p1[1], p1[0], p1[1])
	resp, body = planner.post(t, path+"/places", "application/json", bad)
	pr := problemOf(t, resp, body, http.StatusBadRequest)
	var features []int
	for _, e := range pr.Errors {
		if e.Feature == nil {
			t.Errorf("an error without a feature: %s", body)
			continue
		}
		features = append(features, *e.Feature)
	}
	if !slices.Equal(features, []int{1, 2, 3}) || pr.Errors[0].Field != "properties.category" || pr.Errors[1].Field != "properties.feeling" ||
		pr.Errors[2].Field != "source" {
		t.Errorf("features %v: %s", features, body)
	}
	resp, body = planner.post(t, path+"/places", "text/csv", "lat;lon;kategori;känsla\n"+
		fmt.Sprintf("%s;%s;belysning;2\n", comma(p1[1]), comma(p1[0]))+
		fmt.Sprintf("%s;%s;belysning;mycket\n", comma(p1[1]), comma(p1[0])))
	if pr := problemOf(t, resp, body, http.StatusBadRequest); !slices.Equal(pr.errorLines(), []int{3}) || pr.Errors[0].Field != "känsla" {
		t.Errorf("bad CSV: %s", body)
	}
	resp, body = planner.post(t, path+"/places", "text/csv", "lat,lon,kategori\n1,2,belysning\n")
	if pr := problemOf(t, resp, body, http.StatusBadRequest); len(pr.Errors) == 0 || pr.Errors[0].Line != 1 {
		t.Errorf("CSV without känsla: %s", body)
	}
	// A place in another municipality: 422, naming the feature.
	outside := fmt.Sprintf(`{"type":"FeatureCollection","features":[
		{"type":"Feature","geometry":{"type":"Point","coordinates":[%g,%g]},"properties":{"category":"belysning","feeling":2}},
		{"type":"Feature","geometry":{"type":"Point","coordinates":[%g,%g]},"properties":{"category":"belysning","feeling":2}}]}`,
		p1[0], p1[1], e.placeIn(t, "1470", 0, 0)[0], e.placeIn(t, "1470", 0, 0)[1])
	resp, body = planner.post(t, path+"/places", "application/json", outside)
	pr = problemOf(t, resp, body, http.StatusUnprocessableEntity)
	if len(pr.Errors) != 1 || pr.Errors[0].Feature == nil || *pr.Errors[0].Feature != 1 || pr.Errors[0].Field != "geometry" ||
		!strings.Contains(pr.Errors[0].Reason, "1494") {
		t.Errorf("place elsewhere: %s", body)
	}
	single := func(m map[string]any) map[string]any {
		out := map[string]any{"location": geoPoint(p1), "category": "belysning", "feeling": 2}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	for _, c := range []struct {
		body   map[string]any
		status int
		field  string
	}{
		{single(map[string]any{"location": geoPoint(e.placeIn(t, "1470", 0, 0))}), 422, "location"},
		{single(map[string]any{"contact": map[string]string{"email": "a@example.se"}}), 400, "contact"},
		{single(map[string]any{"source": "walk"}), 400, "source"},
		{single(map[string]any{"source": "est"}), 400, "source"},
		{single(map[string]any{"feeling": nil}), 400, "feeling"},
	} {
		resp, body := planner.do(t, http.MethodPost, path+"/places", c.body)
		if p := problemOf(t, resp, body, c.status); p.Field != c.field {
			t.Errorf("%v: field %q, want %q: %s", c.body, p.Field, c.field, body)
		}
	}
	resp, body = planner.post(t, path+"/places", "text/plain", "x")
	wantStatus(t, resp, body, http.StatusUnsupportedMediaType)

	// Another municipality's staff reach neither the dialogue nor its places.
	resp, body = vara.do(t, http.MethodPost, path+"/places", single(map[string]any{"location": geoPoint(e.placeIn(t, "1470", 0, 0))}))
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = vara.do(t, http.MethodGet, path+"/places", nil)
	wantStatus(t, resp, body, http.StatusNotFound)

	// The places are the dialogue's, and wait in its municipality's moderation queue.
	resp, body = planner.do(t, http.MethodGet, path+"/places", nil)
	wantStatus(t, resp, body, http.StatusOK)
	var got []string
	for _, f := range featureList(t, body) {
		got = append(got, f["id"].(string))
	}
	slices.Sort(got)
	want := slices.Clone(ids)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("places %v, want %v", got, want)
	}
	resp, body = planner.do(t, http.MethodGet, path, nil)
	wantStatus(t, resp, body, http.StatusOK)
	if n := jsonNumber(t, body, "places"); n != len(ids) {
		t.Errorf("the dialogue counts %d places, want %d", n, len(ids))
	}
	resp, body = moderator.do(t, http.MethodGet, "/api/v1/moderation/queue", nil)
	wantStatus(t, resp, body, http.StatusOK)
	for _, id := range ids {
		if !strings.Contains(string(body), id) {
			t.Errorf("place %s is not in Lidköping's moderation queue", id)
		}
	}
	resp, body = varaModerator.do(t, http.MethodGet, "/api/v1/moderation/queue", nil)
	wantStatus(t, resp, body, http.StatusOK)
	for _, id := range ids {
		if strings.Contains(string(body), id) {
			t.Errorf("place %s is in Vara's moderation queue", id)
		}
	}
	// A moderator publishes one; the public sees it, masked.
	resp, body = moderator.do(t, http.MethodPost, "/api/v1/reports/"+ids[0]+"/moderation", map[string]string{"action": "publish"})
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = e.client().do(t, http.MethodGet, "/api/v1/reports/"+ids[0], nil)
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(string(body), "0701234567") || !strings.Contains(string(body), `"source":"dialogue"`) {
		t.Errorf("the public view of a published dialogue place: %s", body)
	}
	resp, body = e.client().do(t, http.MethodGet, "/api/v1/reports/"+ids[1], nil)
	wantStatus(t, resp, body, http.StatusNotFound)

	// Audited.
	resp, body = planner.do(t, http.MethodGet, "/api/v1/audit?entity=dialogue&entity_id="+d.ID, nil)
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Count(string(body), `"action":"dialogue.add_places"`) != 3 || !strings.Contains(string(body), `"action":"dialogue.create"`) {
		t.Errorf("audit: %s", body)
	}
}

func comma(f float64) string { return strings.Replace(fmt.Sprintf("%.6f", f), ".", ",", 1) }

// jsonNumber reads a whole number at path.
func jsonNumber(t *testing.T, body []byte, path ...string) int {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("no %v in %s", path, body)
		}
		v = m[k]
	}
	n, ok := v.(float64)
	if !ok {
		t.Fatalf("no number at %v in %s", path, body)
	}
	return int(n)
}
