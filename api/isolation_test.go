package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// objects are municipality B's things that A's staff must not reach.
type objects struct {
	municipality string
	userID       string
	tokenID      string
	reportID     string // received, not yet public
	dialogueID   string // with a place (placeID)
	placeID      string // named in the dialogue: received, in B's moderation queue
	incidentID   string // an EST incident of this week
	walkID       string // with an observation
	actionID     string // on reportID
}

// isolationMatrix lists every staff endpoint that reads or changes municipality-scoped
// data. For each: what a user of municipality A gets asking for B's object (404 or 403,
// or for a list 200 without B's objects), and the same question put to the store with
// A's scope and no handler in between. Later issues add their endpoints here.
var isolationMatrix = []struct {
	name   string
	method string
	path   func(b objects) string
	body   func(b objects) any
	want   int
	store  func(ctx context.Context, db *postgis.DB, b objects) (leaked bool, err error)
}{
	{"user by id", "GET", func(b objects) string { return "/api/v1/users/" + b.userID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.User(ctx, b.userID)
			return err == nil, ignoreNotFound(err)
		}},
	{"user list", "GET", func(b objects) string { return "/api/v1/users" }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			us, err := db.Users(ctx)
			return slices.ContainsFunc(us, func(u trygg.User) bool { return u.ID == b.userID }), err
		}},
	{"token list", "GET", func(b objects) string { return "/api/v1/tokens" }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			ts, err := db.APITokens(ctx)
			return slices.ContainsFunc(ts, func(t trygg.APIToken) bool { return t.ID == b.tokenID }), err
		}},
	{"token for B's user", "POST", func(b objects) string { return "/api/v1/tokens" },
		func(b objects) any { return map[string]string{"user_id": b.userID, "name": "stolen"} }, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.CreateAPIToken(ctx, b.userID, "stolen", []byte("0123456789abcdef0123456789abcdef"))
			return err == nil, ignoreNotFound(err)
		}},
	{"revoke B's token", "DELETE", func(b objects) string { return "/api/v1/tokens/" + b.tokenID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.RevokeAPIToken(ctx, b.tokenID)
			return err == nil, ignoreNotFound(err)
		}},
	{"audit of B", "GET", func(b objects) string { return "/api/v1/audit?municipality=" + b.municipality }, nil, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			es, err := db.AuditLog(ctx, trygg.AuditFilter{Municipality: b.municipality})
			return len(es) > 0, err
		}},
	{"B's report, staff view", "GET", func(b objects) string { return "/api/v1/reports/" + b.reportID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Report(ctx, b.reportID)
			return err == nil, ignoreNotFound(err)
		}},
	{"moderation queue", "GET", func(b objects) string { return "/api/v1/moderation/queue" }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			rs, err := db.ModerationQueue(ctx, 1000)
			return slices.ContainsFunc(rs, func(r trygg.Report) bool { return r.ID == b.reportID }), err
		}},
	{"moderate B's report", "POST", func(b objects) string { return "/api/v1/reports/" + b.reportID + "/moderation" },
		func(b objects) any { return map[string]string{"action": "edit", "description": "ändrad"} }, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Moderate(ctx, b.reportID, postgis.Moderation{Action: "reject", Reason: "x"})
			return err == nil, ignoreNotFound(err)
		}},
	{"audit of B's user", "GET", func(b objects) string { return "/api/v1/audit?entity=user&entity_id=" + b.userID }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			es, err := db.AuditLog(ctx, trygg.AuditFilter{EntityID: b.userID})
			return len(es) > 0, err
		}},
	{"B's walk", "GET", func(b objects) string { return "/api/v1/walks/" + b.walkID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Walk(ctx, b.walkID)
			return err == nil, ignoreNotFound(err)
		}},
	{"walk list", "GET", func(b objects) string { return "/api/v1/walks" }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			ws, err := db.Walks(ctx, "")
			return slices.ContainsFunc(ws, func(w trygg.Walk) bool { return w.ID == b.walkID }), err
		}},
	{"update B's walk", "PUT", func(b objects) string { return "/api/v1/walks/" + b.walkID },
		func(b objects) any { return map[string]string{"title": "Vandring i Varberg"} }, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.UpdateWalk(ctx, trygg.Walk{ID: b.walkID, Title: "kapad", Status: trygg.WalkPlanned})
			return err == nil, ignoreNotFound(err)
		}},
	{"observations of B's walk", "GET", func(b objects) string { return "/api/v1/walks/" + b.walkID + "/observations" }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			rs, err := db.Observations(ctx, b.walkID)
			return len(rs) > 0, err
		}},
	{"protocol of B's walk", "GET", func(b objects) string { return "/api/v1/walks/" + b.walkID + "/protocol" }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Walk(ctx, b.walkID)
			return err == nil, ignoreNotFound(err)
		}},
	{"route of B's walk", "PUT", func(b objects) string { return "/api/v1/walks/" + b.walkID + "/route" },
		func(b objects) any {
			return map[string]any{"type": "LineString", "coordinates": [][]float64{{12.42, 57.17}, {12.43, 57.175}}}
		}, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.UpdateWalk(ctx, trygg.Walk{ID: b.walkID, Title: "kapad", Status: trygg.WalkDone,
				Route: orb.LineString{{12.42, 57.17}, {12.43, 57.175}}})
			return err == nil, ignoreNotFound(err)
		}},
	{"observation on B's walk", "POST", func(b objects) string { return "/api/v1/walks/" + b.walkID + "/observations" },
		func(b objects) any {
			return map[string]any{"location": map[string]any{"type": "Point", "coordinates": []float64{12.421, 57.171}},
				"category": "klotter", "feeling": 2}
		}, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			ids, _, err := db.AddObservations(ctx, b.walkID, []trygg.Report{{Location: orb.Point{12.421, 57.171},
				Category: "klotter", Feeling: 2, Precision: trygg.PrecisionExact}})
			return err == nil && len(ids) > 0, ignoreNotFound(err)
		}},
	{"B's action", "GET", func(b objects) string { return "/api/v1/actions/" + b.actionID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Action(ctx, b.actionID)
			return err == nil, ignoreNotFound(err)
		}},
	{"action list", "GET", func(b objects) string { return "/api/v1/actions" }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			as, err := db.Actions(ctx, postgis.ActionFilter{})
			return slices.ContainsFunc(as, func(a trygg.Action) bool { return a.ID == b.actionID }), err
		}},
	{"action on B's report", "POST", func(b objects) string { return "/api/v1/actions" },
		func(b objects) any {
			return map[string]string{"report_id": b.reportID, "description": "Sanera klottret", "owner_text": "Fastighetsägaren"}
		}, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.CreateAction(ctx, trygg.Action{ReportID: b.reportID, Description: "x", OwnerText: "x"})
			return err == nil, ignoreNotFound(err)
		}},
	{"action on B's walk", "POST", func(b objects) string { return "/api/v1/actions" },
		func(b objects) any {
			return map[string]string{"walk_id": b.walkID, "description": "Fler patruller", "owner_org": "lpo-varberg"}
		}, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.CreateAction(ctx, trygg.Action{WalkID: b.walkID, Description: "x", OwnerText: "x"})
			return err == nil, ignoreNotFound(err)
		}},
	{"update B's action", "PATCH", func(b objects) string { return "/api/v1/actions/" + b.actionID },
		func(b objects) any {
			return map[string]string{"status": "in_progress", "feedback": "Klottret är borta."}
		}, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			feedback := "kapad"
			_, err := db.UpdateAction(ctx, b.actionID, postgis.ActionUpdate{Feedback: &feedback})
			return err == nil, ignoreNotFound(err)
		}},
	{"B's dialogue", "GET", func(b objects) string { return "/api/v1/dialogues/" + b.dialogueID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Dialogue(ctx, b.dialogueID)
			return err == nil, ignoreNotFound(err)
		}},
	{"dialogue list", "GET", func(b objects) string { return "/api/v1/dialogues" }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			ds, err := db.Dialogues(ctx, "")
			return slices.ContainsFunc(ds, func(d trygg.Dialogue) bool { return d.ID == b.dialogueID }), err
		}},
	{"dialogue list of B", "GET", func(b objects) string { return "/api/v1/dialogues?municipality=" + b.municipality }, nil, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			ds, err := db.Dialogues(ctx, b.municipality)
			return len(ds) > 0, err
		}},
	{"places of B's dialogue", "GET", func(b objects) string { return "/api/v1/dialogues/" + b.dialogueID + "/places" }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			rs, err := db.DialoguePlaces(ctx, b.dialogueID)
			return len(rs) > 0, ignoreNotFound(err)
		}},
	{"place in B's dialogue", "POST", func(b objects) string { return "/api/v1/dialogues/" + b.dialogueID + "/places" },
		func(b objects) any {
			return map[string]any{"location": map[string]any{"type": "Point", "coordinates": []float64{12.422, 57.172}},
				"category": "belysning", "feeling": 1}
		}, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			out, rej, err := db.AddDialoguePlaces(ctx, b.dialogueID, []trygg.Report{{Location: orb.Point{12.422, 57.172},
				Category: "belysning", Feeling: 1, Precision: trygg.PrecisionExact}}, 50)
			return err == nil && len(rej) == 0 && len(out) > 0, ignoreNotFound(err)
		}},
	{"EST incident list", "GET", func(b objects) string { return "/api/v1/est/incidents" }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			incs, err := db.ESTIncidents(ctx, postgis.ESTFilter{})
			return slices.ContainsFunc(incs, func(i trygg.ESTIncident) bool { return i.ID == b.incidentID }), err
		}},
	{"EST incident list of B", "GET", func(b objects) string { return "/api/v1/est/incidents?municipality=" + b.municipality }, nil, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			incs, err := db.ESTIncidents(ctx, postgis.ESTFilter{Municipality: b.municipality})
			return len(incs) > 0, err
		}},
	{"EST weekly of B", "GET", func(b objects) string { return "/api/v1/est/weekly?municipality=" + b.municipality }, nil, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			s, err := db.ESTWeekly(ctx, b.municipality, trygg.WeekOf(time.Now()))
			return s.Total.Count+s.Total.Previous > 0 || len(s.ByType) > 0, err
		}},
	{"EST incident in B", "POST", func(b objects) string { return "/api/v1/est/incidents" },
		func(b objects) any {
			return map[string]any{"type": "klotter", "occurred_at": time.Now().Add(-time.Minute).Format(time.RFC3339),
				"location": map[string]any{"type": "Point", "coordinates": []float64{12.422, 57.172}}}
		}, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			at := time.Now().Add(-time.Minute)
			out, rej, err := db.AddESTIncidents(ctx, []trygg.ESTIncident{{Report: trygg.Report{Location: orb.Point{12.422, 57.172},
				ObservedAt: &at}, Type: "klotter", ReportedByOrg: "kommun-1383"}}, 50)
			return err == nil && len(rej) == 0 && len(out) > 0, err
		}},
}

func ignoreNotFound(err error) error {
	if trygg.ErrorCode(err) == trygg.ENOTFOUND {
		return nil
	}
	return err
}

func TestIsolationMatrix(t *testing.T) {
	e := newEnv(t, nil)
	varaAdmin := e.addUser(t, trygg.RoleAdmin, "kommun-1470")
	e.addUser(t, trygg.RolePlanner, "kommun-1470")
	bergAdmin := e.addUser(t, trygg.RoleAdmin, "kommun-1383")
	bergPlanner := e.addUser(t, trygg.RolePlanner, "kommun-1383")

	// B's objects, made by B's admin through the API (which also audits them).
	b := objects{municipality: "1383", userID: bergPlanner.ID}
	bc := e.signIn(t, bergAdmin.Email)
	resp, body := bc.do(t, http.MethodPost, "/api/v1/tokens", map[string]string{"user_id": b.userID, "name": "Varbergs QGIS"})
	wantStatus(t, resp, body, http.StatusCreated)
	b.tokenID = jsonField(t, body, "api_token", "id")
	resp, body = e.client().post(t, "/api/v1/reports", "application/json",
		`{"location":{"type":"Point","coordinates":[12.42,57.17]},"category":"klotter","feeling":2}`)
	wantStatus(t, resp, body, http.StatusCreated)
	b.reportID = jsonField(t, body, "id")
	if m := jsonField(t, body, "municipality"); m != b.municipality {
		t.Fatalf("the Varberg report landed in %s", m)
	}
	resp, body = bc.do(t, http.MethodPost, "/api/v1/walks", `{"title":"Trygghetsvandring Varberg",`+
		`"route":{"type":"LineString","coordinates":[[12.42,57.17],[12.425,57.172]]}}`)
	wantStatus(t, resp, body, http.StatusCreated)
	b.walkID = jsonField(t, body, "id")
	resp, body = bc.do(t, http.MethodPost, "/api/v1/walks/"+b.walkID+"/observations",
		`{"location":{"type":"Point","coordinates":[12.421,57.171]},"category":"belysning","feeling":1}`)
	wantStatus(t, resp, body, http.StatusCreated)
	resp, body = bc.do(t, http.MethodPost, "/api/v1/actions", map[string]string{"report_id": b.reportID,
		"description": "Sanera klottret", "owner_org": "kommun-1383"})
	wantStatus(t, resp, body, http.StatusCreated)
	b.actionID = jsonField(t, body, "id")

	// B's dialogue with a place and an EST incident of this week, entered by B's planner.
	bp := e.signIn(t, bergPlanner.Email)
	resp, body = bp.do(t, http.MethodPost, "/api/v1/dialogues", map[string]any{"title": "Trygghetsdialog Varberg", "held_on": "2026-10-01"})
	wantStatus(t, resp, body, http.StatusCreated)
	b.dialogueID = jsonField(t, body, "id")
	resp, body = bp.do(t, http.MethodPost, "/api/v1/dialogues/"+b.dialogueID+"/places",
		`{"location":{"type":"Point","coordinates":[12.422,57.172]},"category":"belysning","feeling":1}`)
	wantStatus(t, resp, body, http.StatusCreated)
	b.placeID = featureList(t, body)[0]["id"].(string)
	resp, body = bp.do(t, http.MethodPost, "/api/v1/est/incidents", map[string]any{"type": "klotter", "area": "Stationen",
		"occurred_at": time.Now().Add(-time.Minute).Format(time.RFC3339),
		"location":    map[string]any{"type": "Point", "coordinates": []float64{12.422, 57.172}}})
	wantStatus(t, resp, body, http.StatusCreated)
	b.incidentID = jsonField(t, body, "id")

	a := e.signIn(t, varaAdmin.Email)
	app := pgtest.App(t, e.url)
	ctxA := trygg.NewContext(context.Background(), &trygg.Caller{User: varaAdmin})
	for _, tc := range isolationMatrix {
		t.Run(tc.name, func(t *testing.T) {
			var in any
			if tc.body != nil {
				in = tc.body(b)
			}
			resp, body := a.do(t, tc.method, tc.path(b), in)
			if resp.StatusCode != tc.want {
				t.Errorf("A's admin: status %d, want %d: %s", resp.StatusCode, tc.want, body)
			}
			for _, id := range []string{b.userID, b.tokenID, b.reportID} {
				if tc.want == 200 && strings.Contains(string(body), id) {
					t.Errorf("A's admin sees B's object %s: %s", id, body)
				}
			}
			for _, id := range []string{b.walkID, b.actionID} {
				if tc.want == 200 && strings.Contains(string(body), id) {
					t.Errorf("A's admin sees B's object %s: %s", id, body)
				}
			}
			for _, id := range []string{b.dialogueID, b.placeID, b.incidentID} {
				if tc.want == 200 && strings.Contains(string(body), id) {
					t.Errorf("A's admin sees B's object %s: %s", id, body)
				}
			}
			leaked, err := tc.store(ctxA, app, b)
			if err != nil {
				t.Errorf("store with A's scope: %v", err)
			}
			if leaked {
				t.Error("the store, with A's scope and no handler check, reached B's object")
			}

			// Control: B's own admin reaches the same object, so the test can fail.
			resp, body = bc.do(t, tc.method, tc.path(b), in)
			if resp.StatusCode >= 300 {
				t.Errorf("control, B's admin: status %d: %s", resp.StatusCode, body)
			}
			if tc.want == 200 && tc.name != "audit of B's user" && !strings.Contains(string(body), b.userID) &&
				!strings.Contains(string(body), b.reportID) && !strings.Contains(string(body), b.walkID) {
				t.Errorf("control, B's admin does not see B's object: %s", body)
			}
		})
	}
}
