package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

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
				!strings.Contains(string(body), b.reportID) {
				t.Errorf("control, B's admin does not see B's object: %s", body)
			}
		})
	}
}
