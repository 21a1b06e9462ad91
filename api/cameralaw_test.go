package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// lawCamera is the properties of a camera that the camera-law tests read.
type lawCamera struct {
	ID         string `json:"id"`
	Properties struct {
		State           string                `json:"state"`
		MayOperateToday bool                  `json:"may_operate_today"`
		OperateReason   trygg.OperationReason `json:"operate_reason"`
		PermitRequired  bool                  `json:"permit_required"`
		PermitNeeded    bool                  `json:"permit_needed"`
		OperatedFrom    *string               `json:"operated_from"`
		OperatorKind    string                `json:"operator_kind"`
	} `json:"properties"`
}

// TestCameraLaw: the register judges each camera by the law in force on the server's
// day (Options.Now), on both sides of 2025-04-01, whatever the day of the decision.
func TestCameraLaw(t *testing.T) {
	var now atomic.Int64
	setDay := func(d string) { // noon in Sweden
		tm, err := time.ParseInLocation(time.DateOnly+" 15:04", d+" 12:00", trygg.SwedishTime)
		if err != nil {
			t.Fatal(err)
		}
		now.Store(tm.Unix())
	}
	setDay("2026-06-02")
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.Now = func() time.Time { return time.Unix(now.Load(), 0) } })
	planner := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1470").Email)
	berg := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1383").Email)

	create := func(name, extra string) string {
		t.Helper()
		b := strings.Replace(cameraBody(extra), "Resecentrum norr", name, 1)
		if strings.Contains(extra, `"operator_kind"`) { // the operator the extra names
			b = strings.Replace(b, `"operator_kind":"municipality","operator_name":"Vara kommun",`, "", 1)
		}
		resp, body := planner.do(t, http.MethodPost, "/api/v1/cameras", b)
		wantStatus(t, resp, body, http.StatusCreated)
		id := jsonField(t, body, "id")
		resp, body = planner.do(t, http.MethodPost, "/api/v1/cameras/"+id+"/transition", map[string]string{"to": "assessed"})
		wantStatus(t, resp, body, http.StatusOK)
		return id
	}
	move := func(id, to string, status int, field string) {
		t.Helper()
		resp, body := planner.do(t, http.MethodPost, "/api/v1/cameras/"+id+"/transition", map[string]string{"to": to})
		if status == http.StatusOK {
			wantStatus(t, resp, body, status)
			return
		}
		if p := problemOf(t, resp, body, status); p.Field != field || p.Detail == "" {
			t.Errorf("%s to %s: %+v, want %d on %s", id, to, p, status, field)
		}
	}
	get := func(id string) lawCamera {
		t.Helper()
		resp, body := planner.do(t, http.MethodGet, "/api/v1/cameras/"+id, nil)
		wantStatus(t, resp, body, http.StatusOK)
		var c lawCamera
		if err := json.Unmarshal(body, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	const weighing = `"weighing_ref":"KS 2025/88 intresseavvägning","dpia_ref":"KS 2025/89"`

	// The 2024 camera whose IMY permit expired 2026-06-01, with weighing and DPIA:
	// approved, installed and activated today.
	old := create("Resecentrum 2024", `"decision_on":"2024-03-01","permit_ref":"DI-2024-0417","permit_expires_on":"2026-06-01",`+weighing)
	for _, to := range []string{"approved", "installed", "active"} {
		move(old, to, http.StatusOK, "")
	}
	c := get(old)
	if !c.Properties.MayOperateToday || c.Properties.OperateReason.Code != trygg.OperateWeighing ||
		!strings.Contains(c.Properties.OperateReason.Text, "intresseavvägning") || c.Properties.PermitRequired ||
		!c.Properties.PermitNeeded || c.Properties.OperatedFrom == nil || *c.Properties.OperatedFrom != "2026-06-02" {
		t.Errorf("the 2024 camera today: %+v", c.Properties)
	}

	// A decision of 2025-01-15 without a permit: approved for operation from today.
	jan := create("Torget", `"decision_on":"2025-01-15",`+weighing)
	move(jan, "approved", http.StatusOK, "")
	// Without the DPIA it could not be.
	janNoDPIA := create("Torget norr", `"decision_on":"2025-01-15","weighing_ref":"KS 2025/88"`)
	move(janNoDPIA, "approved", http.StatusConflict, "dpia_ref")
	if c := get(janNoDPIA); c.Properties.MayOperateToday || c.Properties.OperateReason.Code != trygg.OperateNoDPIA ||
		c.Properties.OperateReason.Field != "dpia_ref" {
		t.Errorf("without a DPIA: %+v", c.Properties)
	}

	// Both sides of 2025-04-01: a public authority with and without a permit, a shop
	// without a permit, an expired permit, the weighing and DPIA missing.
	type side struct {
		status int
		field  string
	}
	cases := []struct {
		name, body string
		before     side // approval on 2025-03-31
		from       side // approval on 2025-04-01
	}{
		{"Myndighet med tillstånd", `"operator_kind":"public-authority","operator_name":"Trafikverket","decision_on":"2024-05-01","permit_ref":"DI-2024-1"`,
			side{200, ""}, side{409, "weighing_ref"}},
		{"Myndighet utan tillstånd", `"operator_kind":"public-authority","operator_name":"Trafikverket","decision_on":"2024-05-01",` + weighing,
			side{409, "permit_ref"}, side{200, ""}},
		{"Kommun utan något", `"decision_on":"2024-05-01"`, side{409, "permit_ref"}, side{409, "weighing_ref"}},
		{"Butik utan tillstånd", `"operator_kind":"shop","operator_name":"Ica Nära","decision_on":"2024-05-01"`,
			side{200, ""}, side{409, "weighing_ref"}},
		{"Butik med avvägning", `"operator_kind":"shop","operator_name":"Ica Nära","decision_on":"2024-05-01",` + weighing,
			side{200, ""}, side{200, ""}},
		{"Enskild med allmän uppgift", `"operator_kind":"private-public-task","operator_name":"Västtrafik","decision_on":"2024-05-01"`,
			side{409, "permit_ref"}, side{409, "weighing_ref"}},
		{"Utgånget tillstånd", `"decision_on":"2024-05-01","permit_ref":"DI-2024-2","permit_expires_on":"2025-03-30",` + weighing,
			side{409, "permit_expires_on"}, side{200, ""}},
		{"Avvägning utan DPIA", `"decision_on":"2024-05-01","permit_ref":"DI-2024-3","weighing_ref":"KS 2025/88"`,
			side{200, ""}, side{409, "dpia_ref"}},
	}
	for _, d := range []string{"2025-03-31", "2025-04-01"} {
		setDay(d)
		for _, tc := range cases {
			want := tc.before
			if d == "2025-04-01" {
				want = tc.from
			}
			id := create(tc.name+" "+d, tc.body)
			move(id, "approved", want.status, want.field)
			if c := get(id); c.Properties.MayOperateToday != (want.status == 200) {
				t.Errorf("%s on %s: may_operate_today %v, reason %+v", tc.name, d, c.Properties.MayOperateToday, c.Properties.OperateReason)
			}
		}
	}
	// The same approved shop camera may film on 2025-03-31, and no longer on 2025-04-01.
	setDay("2025-03-31")
	shop := create("Butiken", `"operator_kind":"shop","operator_name":"Ica Nära","decision_on":"2024-05-01"`)
	move(shop, "approved", http.StatusOK, "")
	if c := get(shop); !c.Properties.MayOperateToday || c.Properties.OperateReason.Code != trygg.OperatePrivate {
		t.Errorf("shop on 2025-03-31: %+v", c.Properties)
	}
	setDay("2025-04-01")
	if c := get(shop); c.Properties.MayOperateToday || c.Properties.OperateReason.Code != trygg.OperateNoWeighing {
		t.Errorf("shop on 2025-04-01: %+v", c.Properties)
	}
	setDay("2026-06-02")

	// Indoors under Vara's outdoors-only commitment: 409 at approval, and at install
	// when the rule comes after the approval; never public.
	outdoors := outdoorsCommitment(t, e.url, true)
	indoor := create("Väntsalen", `"indoor":true,"public_view":true,"decision_on":"2025-06-01","commitment_ids":["`+outdoors+`"],`+weighing)
	move(indoor, "approved", http.StatusConflict, "indoor")
	later := outdoorsCommitment(t, e.url, false)
	resp, body := planner.do(t, http.MethodPatch, "/api/v1/cameras/"+indoor, map[string]any{"commitment_ids": []string{later}})
	wantStatus(t, resp, body, http.StatusOK)
	move(indoor, "approved", http.StatusOK, "")
	conn := pgtest.Conn(t, e.url)
	if _, err := conn.Exec(context.Background(), `UPDATE commitment SET outdoors_only = true WHERE id = $1`, later); err != nil {
		t.Fatal(err)
	}
	move(indoor, "installed", http.StatusConflict, "indoor")
	// Linking the rule to an approved indoor camera is refused too.
	resp, body = planner.do(t, http.MethodPatch, "/api/v1/cameras/"+jan, map[string]any{"indoor": true, "commitment_ids": []string{outdoors}})
	if p := problemOf(t, resp, body, http.StatusConflict); p.Field != "indoor" {
		t.Errorf("indoor under outdoors only by PATCH: %+v", p)
	}
	if _, err := conn.Exec(context.Background(), `UPDATE camera_site SET state = 'active' WHERE id = $1`, indoor); err != nil {
		t.Fatal(err)
	}
	resp, body = e.client().do(t, http.MethodGet, "/ogc/collections/cameras/items", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(string(body), indoor) || !strings.Contains(string(body), old) {
		t.Errorf("public cameras: %s", body)
	}

	// The attention list: filmed from 2024-06-01 without the permit a municipality
	// needed then (a past violation); a property owner needed none.
	past := create("Skolgården", `"decision_on":"2024-05-01","operated_from":"2024-06-01",`+weighing)
	owner := create("Fastighetens entré", `"operator_kind":"property-owner","operator_name":"Bostads AB","decision_on":"2024-05-01","operated_from":"2024-06-01",`+weighing)
	resp, body = planner.do(t, http.MethodGet, "/api/v1/cameras/attention?municipality=1470", nil)
	wantStatus(t, resp, body, http.StatusOK)
	var att struct {
		On      string `json:"on"`
		Cameras []struct {
			ID      string `json:"id"`
			Reasons []struct {
				Reason string `json:"reason"`
				Due    string `json:"due"`
			} `json:"reasons"`
		} `json:"cameras"`
	}
	if err := json.Unmarshal(body, &att); err != nil {
		t.Fatal(err)
	}
	violations := map[string]string{}
	for _, c := range att.Cameras {
		for _, r := range c.Reasons {
			if r.Reason == trygg.AttentionPastViolation {
				violations[c.ID] = r.Due
			}
		}
	}
	if att.On != "2026-06-02" || violations[past] != "2024-06-01" || violations[owner] != "" {
		t.Errorf("past violations %v on %s: %s", violations, att.On, body)
	}
	// Another municipality sees none of it.
	resp, body = berg.do(t, http.MethodGet, "/api/v1/cameras/attention", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(string(body), past) {
		t.Errorf("Varberg sees Vara's attention list: %s", body)
	}
	resp, body = berg.do(t, http.MethodGet, "/api/v1/cameras/"+past, nil)
	problemOf(t, resp, body, http.StatusNotFound)
	resp, body = berg.do(t, http.MethodPost, "/api/v1/cameras/"+jan+"/transition", map[string]string{"to": "installed"})
	problemOf(t, resp, body, http.StatusNotFound)
	resp, body = e.client().do(t, http.MethodGet, "/api/v1/cameras/attention", nil)
	problemOf(t, resp, body, http.StatusUnauthorized)
}
