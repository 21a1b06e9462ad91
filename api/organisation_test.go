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

// orgSide is one organisation's admin and a second user, with a token of that user.
type orgSide struct {
	org     string
	admin   trygg.User
	other   trygg.User // a moderator in a kommun, an officer in a police area
	tokenID string
	c       *client
}

// TestOrganisationMatrix checks that users and API tokens are managed within one
// organisation only, for every pair of a kommun, the police area that serves it and
// another kommun of that area: the police area's admin serves both kommuns'
// municipalities, but must not see their users, mint tokens for them or revoke theirs,
// and the kommuns none of the police's. Each question is put through the API and to
// the store with the asker's scope and no handler in between; the owner's own admin
// is the control.
func TestOrganisationMatrix(t *testing.T) {
	e := newEnv(t, nil)
	sides := []*orgSide{{org: "kommun-1470"}, {org: "lpo-vastra-skaraborg"}, {org: "kommun-1494"}}
	for _, s := range sides {
		s.admin = e.addUser(t, trygg.RoleAdmin, s.org)
		role := trygg.RoleModerator
		if strings.HasPrefix(s.org, "lpo-") {
			role = trygg.RolePolice
		}
		s.other = e.addUser(t, role, s.org)
		s.c = e.signIn(t, s.admin.Email)
		resp, body := s.c.do(t, http.MethodPost, "/api/v1/tokens", map[string]string{"user_id": s.other.ID, "name": "egen"})
		wantStatus(t, resp, body, http.StatusCreated)
		s.tokenID = jsonField(t, body, "api_token", "id")
	}
	app := pgtest.App(t, e.url)
	tokensOf := func(userID string) int {
		var n int
		if err := e.owner.Pool().QueryRow(context.Background(),
			`SELECT count(*) FROM api_token WHERE user_id = $1`, userID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	endpoints := []struct {
		name   string
		method string
		path   func(y *orgSide, u trygg.User) string
		body   func(y *orgSide, u trygg.User) any
		want   int // for the other organisation's admin; a list is 200 without y's objects
		store  func(ctx context.Context, db *postgis.DB, y *orgSide, u trygg.User) (reached bool, err error)
	}{
		{"user by id", "GET", func(y *orgSide, u trygg.User) string { return "/api/v1/users/" + u.ID }, nil, 404,
			func(ctx context.Context, db *postgis.DB, y *orgSide, u trygg.User) (bool, error) {
				_, err := db.User(ctx, u.ID)
				return err == nil, ignoreNotFound(err)
			}},
		{"user list", "GET", func(*orgSide, trygg.User) string { return "/api/v1/users" }, nil, 200,
			func(ctx context.Context, db *postgis.DB, y *orgSide, u trygg.User) (bool, error) {
				us, err := db.Users(ctx)
				return slices.ContainsFunc(us, func(x trygg.User) bool { return x.ID == u.ID }), err
			}},
		{"token list", "GET", func(*orgSide, trygg.User) string { return "/api/v1/tokens" }, nil, 200,
			func(ctx context.Context, db *postgis.DB, y *orgSide, u trygg.User) (bool, error) {
				ts, err := db.APITokens(ctx)
				return slices.ContainsFunc(ts, func(x trygg.APIToken) bool { return x.ID == y.tokenID }), err
			}},
		{"token for the user", "POST", func(*orgSide, trygg.User) string { return "/api/v1/tokens" },
			func(y *orgSide, u trygg.User) any { return map[string]string{"user_id": u.ID, "name": "kapad"} }, 404,
			func(ctx context.Context, db *postgis.DB, y *orgSide, u trygg.User) (bool, error) {
				_, err := db.CreateAPIToken(ctx, u.ID, "kapad", []byte("0123456789abcdef0123456789abcdef"+u.ID[:8]))
				return err == nil, ignoreNotFound(err)
			}},
		{"revoke the token", "DELETE", func(y *orgSide, u trygg.User) string { return "/api/v1/tokens/" + y.tokenID }, nil, 404,
			func(ctx context.Context, db *postgis.DB, y *orgSide, u trygg.User) (bool, error) {
				_, err := db.RevokeAPIToken(ctx, y.tokenID)
				return err == nil, ignoreNotFound(err)
			}},
	}

	for _, x := range sides {
		ctxX := trygg.NewContext(context.Background(), &trygg.Caller{User: x.admin})
		for _, y := range sides {
			if x == y {
				continue
			}
			for _, u := range []trygg.User{y.admin, y.other} {
				for _, ep := range endpoints {
					if ep.name == "revoke the token" && u.ID != y.other.ID {
						continue // the token belongs to y.other
					}
					t.Run(x.org+" admin → "+y.org+" "+string(u.Role)+": "+ep.name, func(t *testing.T) {
						before := tokensOf(u.ID)
						var in any
						if ep.body != nil {
							in = ep.body(y, u)
						}
						resp, body := x.c.do(t, ep.method, ep.path(y, u), in)
						if resp.StatusCode != ep.want {
							t.Errorf("status %d, want %d: %s", resp.StatusCode, ep.want, body)
						}
						if ep.want == 200 {
							for _, id := range []string{y.admin.ID, y.other.ID, y.tokenID, y.admin.Email, y.other.Email} {
								if strings.Contains(string(body), id) {
									t.Errorf("%s's admin sees %s of %s: %s", x.org, id, y.org, body)
								}
							}
						}
						reached, err := ep.store(ctxX, app, y, u)
						if err != nil {
							t.Errorf("store with %s's scope: %v", x.org, err)
						}
						if reached {
							t.Errorf("the store, with %s's scope and no handler check, reached %s's %s", x.org, y.org, u.Role)
						}
						if n := tokensOf(u.ID); n != before {
							t.Errorf("%s's %s had %d tokens, now %d", y.org, u.Role, before, n)
						}

						// Control: y's own admin reaches the same object, so the test can fail.
						resp, body = y.c.do(t, ep.method, ep.path(y, u), in)
						if resp.StatusCode >= 300 {
							t.Errorf("control, %s's admin: status %d: %s", y.org, resp.StatusCode, body)
						}
						if ep.want == 200 && !strings.Contains(string(body), y.other.ID) {
							t.Errorf("control, %s's admin does not see its own: %s", y.org, body)
						}
					})
				}
			}
		}
	}

	// The police area's admin still sees the kommuns' data it serves (isolation is of
	// people, not of places): a report in Vara is in its moderation-free staff view.
	var police *orgSide
	for _, s := range sides {
		if strings.HasPrefix(s.org, "lpo-") {
			police = s
		}
	}
	resp, body := e.client().post(t, "/api/v1/reports", "application/json",
		`{"location":{"type":"Point","coordinates":[12.955,58.262]},"category":"klotter","feeling":2}`)
	wantStatus(t, resp, body, http.StatusCreated)
	reportID := jsonField(t, body, "id")
	resp, body = police.c.do(t, http.MethodGet, "/api/v1/reports/"+reportID, nil)
	wantStatus(t, resp, body, http.StatusOK)
	// … but moderates nothing for the kommun: that would be acting as its moderators.
	resp, body = police.c.do(t, http.MethodPost, "/api/v1/reports/"+reportID+"/moderation", map[string]string{"action": "publish"})
	wantStatus(t, resp, body, http.StatusForbidden)
	_, err := app.Moderate(trygg.NewContext(context.Background(), &trygg.Caller{User: police.admin}), reportID,
		postgis.Moderation{Action: "publish"})
	if trygg.ErrorCode(err) != trygg.EFORBIDDEN {
		t.Errorf("store: the police area's admin moderates Vara's report: %v", err)
	}
	resp, body = sides[0].c.do(t, http.MethodGet, "/api/v1/reports/"+reportID, nil)
	if s := jsonField(t, body, "properties", "status"); s != "received" {
		t.Errorf("after the refusals the report is %q, want received", s)
	}
	resp, body = sides[0].c.do(t, http.MethodPost, "/api/v1/reports/"+reportID+"/moderation", map[string]string{"action": "publish"})
	wantStatus(t, resp, body, http.StatusOK)
}
