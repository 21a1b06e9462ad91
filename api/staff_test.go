package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/auth"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// testPassword is every test user's password; its hash is made once per process
// (argon2id is slow under the race detector).
const testPassword = "Planted-Secret-Password-4711"

var testHash = sync.OnceValues(func() (string, error) { return auth.HashPassword(testPassword) })

// addUser creates the demo organisations (once) and a user with role in org, with
// testPassword.
func (e *env) addUser(t *testing.T, role trygg.Role, org string) trygg.User {
	t.Helper()
	ctx := context.Background()
	for _, o := range demo.Organisations() {
		if err := e.owner.UpsertOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	hash, err := testHash()
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.owner.CreateUser(ctx, demo.DemoEmail(role, org), role, org, hash, false)
	if err != nil {
		t.Fatalf("CreateUser %s %s: %v", role, org, err)
	}
	return u
}

// client is a browser (cookie jar, CSRF token) or a machine client (bearer token).
type client struct {
	e      *env
	http   *http.Client
	csrf   string
	bearer string
	xff    string // X-Forwarded-For to send
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar}}
}

// do sends a request; body is JSON-encoded unless it is a string or nil.
func (c *client) do(t *testing.T, method, path string, body any) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" && method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.xff != "" {
		req.Header.Set("X-Forwarded-For", c.xff)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// signIn signs a new browser client in as email.
func (e *env) signIn(t *testing.T, email string) *client {
	t.Helper()
	c := e.client()
	resp, body := c.do(t, http.MethodPost, "/api/v1/session", map[string]string{"email": email, "password": testPassword})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("sign in %s: status %d: %s", email, resp.StatusCode, body)
	}
	var s struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err := json.Unmarshal(body, &s); err != nil || s.CSRFToken == "" {
		t.Fatalf("sign in: no csrf_token in %s", body)
	}
	c.csrf = s.CSRFToken
	return c
}

func wantStatus(t *testing.T, resp *http.Response, body []byte, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, body)
	}
}

func TestSignInAndOut(t *testing.T) {
	e := newEnv(t, nil)
	u := e.addUser(t, trygg.RolePlanner, "kommun-1470")

	c := e.client()
	resp, body := c.do(t, http.MethodPost, "/api/v1/session", map[string]string{"email": "  PLANNER@kommun-1470.demo.trygg.se ", "password": testPassword})
	wantStatus(t, resp, body, http.StatusCreated)
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "trygg_session" {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Secure {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure without TLS", cookie)
	}
	if strings.Contains(string(body), cookie.Value) {
		t.Error("the session id is in the response body")
	}
	var s struct {
		User      trygg.User `json:"user"`
		CSRFToken string     `json:"csrf_token"`
		ExpiresAt time.Time  `json:"expires_at"`
	}
	json.Unmarshal(body, &s) //nolint:errcheck
	c.csrf = s.CSRFToken
	if s.User.ID != u.ID || len(s.User.Municipalities) != 1 || s.User.Municipalities[0] != "1470" {
		t.Errorf("signed in as %+v, want %s serving 1470", s.User, u.ID)
	}
	if d := time.Until(s.ExpiresAt); d < 7*24*time.Hour-time.Minute || d > 7*24*time.Hour+time.Minute {
		t.Errorf("session expires in %v, want 7 days", d)
	}

	resp, body = c.do(t, http.MethodGet, "/api/v1/me", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), `"via":"session"`) || !strings.Contains(string(body), s.CSRFToken) {
		t.Errorf("me: %s", body)
	}

	noCSRF := *c
	noCSRF.csrf = ""
	resp, body = noCSRF.do(t, http.MethodDelete, "/api/v1/session", nil)
	wantStatus(t, resp, body, http.StatusForbidden)
	if !strings.Contains(string(body), `"field":"X-CSRF-Token"`) {
		t.Errorf("CSRF refusal does not name the header: %s", body)
	}
	wrongCSRF := *c
	wrongCSRF.csrf = "x" + c.csrf
	resp, body = wrongCSRF.do(t, http.MethodDelete, "/api/v1/session", nil)
	wantStatus(t, resp, body, http.StatusForbidden)

	resp, body = c.do(t, http.MethodDelete, "/api/v1/session", nil)
	wantStatus(t, resp, body, http.StatusNoContent)
	resp, body = c.do(t, http.MethodGet, "/api/v1/me", nil)
	wantStatus(t, resp, body, http.StatusUnauthorized)

	// The old cookie, replayed, is dead too.
	old := e.client()
	old.http.Jar.SetCookies(resp.Request.URL, []*http.Cookie{{Name: "trygg_session", Value: cookie.Value}})
	resp, body = old.do(t, http.MethodGet, "/api/v1/me", nil)
	wantStatus(t, resp, body, http.StatusUnauthorized)

	secure := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.SecureCookies = true })
	secure.addUser(t, trygg.RolePlanner, "kommun-1470")
	resp, body = secure.client().do(t, http.MethodPost, "/api/v1/session", map[string]string{"email": u.Email, "password": testPassword})
	wantStatus(t, resp, body, http.StatusCreated)
	if ck := resp.Cookies(); len(ck) != 1 || !ck[0].Secure {
		t.Errorf("with SecureCookies the cookie is %+v, want Secure", ck)
	}
}

func TestSignInErrors(t *testing.T) {
	e := newEnv(t, nil)
	e.addUser(t, trygg.RolePlanner, "kommun-1470")
	cases := []struct {
		name   string
		body   any
		ctype  string
		status int
		field  string
	}{
		{"wrong password", map[string]string{"email": "planner@kommun-1470.demo.trygg.se", "password": "wrong password!"}, "", 401, ""},
		{"unknown user", map[string]string{"email": "nobody@vara.se", "password": testPassword}, "", 401, ""},
		{"bad email", map[string]string{"email": "not an address", "password": "x"}, "", 400, "email"},
		{"no password", map[string]string{"email": "planner@kommun-1470.demo.trygg.se"}, "", 400, "password"},
		{"unknown field", map[string]any{"email": "a@b.se", "password": "x", "remember": true}, "", 400, "remember"},
		{"wrong type", map[string]any{"email": 5, "password": "x"}, "", 400, "email"},
		{"malformed", `{"email": `, "", 400, "body"},
		{"empty", ``, "", 400, "body"},
		{"form post", `email=a&password=b`, "application/x-www-form-urlencoded", 415, "Content-Type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := e.client()
			var r io.Reader
			switch b := tc.body.(type) {
			case string:
				r = strings.NewReader(b)
			default:
				j, _ := json.Marshal(b)
				r = bytes.NewReader(j)
			}
			ct := tc.ctype
			if ct == "" {
				ct = "application/json"
			}
			resp, err := c.http.Post(e.srv.URL+"/api/v1/session", ct, r)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			wantStatus(t, resp, body, tc.status)
			var p api.Problem
			if err := json.Unmarshal(body, &p); err != nil || p.Field != tc.field || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("got %s (%s), want a problem naming field %q", body, resp.Header.Get("Content-Type"), tc.field)
			}
			if len(resp.Cookies()) > 0 {
				t.Error("a failed sign-in set a cookie")
			}
		})
	}
	// Unknown user and wrong password read the same.
	c := e.client()
	_, a := c.do(t, http.MethodPost, "/api/v1/session", map[string]string{"email": "planner@kommun-1470.demo.trygg.se", "password": "wrong password!"})
	_, b := c.do(t, http.MethodPost, "/api/v1/session", map[string]string{"email": "nobody@vara.se", "password": "wrong password!"})
	if !bytes.Equal(a, b) {
		t.Errorf("wrong password and unknown user answer differently:\n%s\n%s", a, b)
	}
}

func TestRolesAndPublic(t *testing.T) {
	e := newEnv(t, nil)
	e.addUser(t, trygg.RoleModerator, "kommun-1470")
	e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg")
	public := e.client()
	moderator := e.signIn(t, demo.DemoEmail(trygg.RoleModerator, "kommun-1470"))
	police := e.signIn(t, demo.DemoEmail(trygg.RolePolice, "lpo-vastra-skaraborg"))
	cases := []struct {
		c      *client
		method string
		path   string
		status int
	}{
		{public, "GET", "/api/v1/me", 401},
		{public, "GET", "/api/v1/audit", 401},
		{public, "GET", "/api/v1/users", 401},
		{public, "GET", "/api/v1/tokens", 401},
		{public, "DELETE", "/api/v1/session", 401},
		{moderator, "GET", "/api/v1/audit", 403},
		{moderator, "GET", "/api/v1/users", 403},
		{police, "GET", "/api/v1/audit", 403},
		{police, "POST", "/api/v1/tokens", 403},
		{police, "GET", "/api/v1/me", 200},
		{public, "GET", "/api/v1/municipalities/1470", 200},
	}
	for _, tc := range cases {
		resp, body := tc.c.do(t, tc.method, tc.path, nil)
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d: %s", tc.method, tc.path, resp.StatusCode, tc.status, body)
		}
		if tc.status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s: 401 without WWW-Authenticate", tc.method, tc.path)
		}
	}
	// The police user serves both municipalities of LPO Västra Skaraborg.
	_, body := police.do(t, "GET", "/api/v1/me", nil)
	if !strings.Contains(string(body), `"municipalities":["1470","1494"]`) {
		t.Errorf("police me: %s", body)
	}
}

func TestGuessingLimit(t *testing.T) {
	proxy := netip.MustParsePrefix("127.0.0.1/32")
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.TrustedProxies = []netip.Prefix{proxy} })
	vara := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	berg := e.addUser(t, trygg.RolePlanner, "kommun-1383")
	signIn := func(c *client, email, password string) (*http.Response, []byte) {
		return c.do(t, http.MethodPost, "/api/v1/session", map[string]string{"email": email, "password": password})
	}

	// Per account: ten failures from ten addresses, then even the right password waits.
	for i := range 10 {
		c := e.client()
		c.xff = "10.0.1." + strconv.Itoa(i)
		resp, body := signIn(c, vara.Email, "wrong password!")
		wantStatus(t, resp, body, http.StatusUnauthorized)
	}
	c := e.client()
	c.xff = "10.0.1.99"
	resp, body := signIn(c, vara.Email, testPassword)
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 15*60 {
		t.Errorf("Retry-After %q, want 1 to 900 seconds", resp.Header.Get("Retry-After"))
	}
	resp, body = signIn(c, berg.Email, testPassword) // another account is not affected
	wantStatus(t, resp, body, http.StatusCreated)

	// Per address: ten failures for ten accounts from one address block that address.
	for i := range 10 {
		c := e.client()
		c.xff = "10.0.2.1"
		resp, body := signIn(c, "guess"+strconv.Itoa(i)+"@vara.se", "wrong password!")
		wantStatus(t, resp, body, http.StatusUnauthorized)
	}
	c = e.client()
	c.xff = "203.0.113.5, 10.0.2.1" // the proxy appends the real peer; the left part is the client's claim
	resp, body = signIn(c, berg.Email, testPassword)
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	c.xff = "10.0.2.2"
	resp, body = signIn(c, berg.Email, testPassword)
	wantStatus(t, resp, body, http.StatusCreated)
}

// A client that is not a trusted proxy cannot pick its address with X-Forwarded-For.
func TestGuessingLimitIgnoresUntrustedForwardedFor(t *testing.T) {
	e := newEnv(t, nil)
	u := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	for i := range 10 {
		c := e.client()
		c.xff = "10.0.3." + strconv.Itoa(i)
		resp, body := c.do(t, http.MethodPost, "/api/v1/session", map[string]string{"email": "guess" + strconv.Itoa(i) + "@vara.se", "password": "x"})
		wantStatus(t, resp, body, http.StatusUnauthorized)
	}
	c := e.client()
	c.xff = "10.0.3.200"
	resp, body := c.do(t, http.MethodPost, "/api/v1/session", map[string]string{"email": u.Email, "password": testPassword})
	wantStatus(t, resp, body, http.StatusTooManyRequests)
}

func TestExpiredAndRevoked(t *testing.T) {
	e := newEnv(t, nil)
	admin := e.addUser(t, trygg.RoleAdmin, "kommun-1470")
	planner := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	ctx := context.Background()
	conn := pgtest.Conn(t, e.url)

	a := e.signIn(t, admin.Email)
	resp, body := a.do(t, http.MethodPost, "/api/v1/tokens", map[string]string{"user_id": planner.ID, "name": "QGIS"})
	wantStatus(t, resp, body, http.StatusCreated)
	var created struct {
		Token    string         `json:"token"`
		APIToken trygg.APIToken `json:"api_token"`
	}
	json.Unmarshal(body, &created) //nolint:errcheck
	machine := e.client()
	machine.bearer = created.Token
	resp, body = machine.do(t, http.MethodGet, "/api/v1/me", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), `"via":"token"`) || !strings.Contains(string(body), planner.ID) {
		t.Errorf("token me: %s", body)
	}
	// Bearer clients need no CSRF token.
	resp, body = machine.do(t, http.MethodPost, "/api/v1/tokens", map[string]string{"user_id": planner.ID, "name": "x"})
	wantStatus(t, resp, body, http.StatusForbidden) // a planner may not make tokens: role, not CSRF
	if strings.Contains(string(body), "CSRF") {
		t.Errorf("bearer request asked for CSRF: %s", body)
	}

	resp, body = a.do(t, http.MethodDelete, "/api/v1/tokens/"+created.APIToken.ID, nil)
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = machine.do(t, http.MethodGet, "/api/v1/me", nil)
	wantStatus(t, resp, body, http.StatusUnauthorized)

	for _, h := range []string{"Bearer trt_nonsense", "Basic dXNlcjpwYXNz", "Bearer"} {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/municipalities", nil)
		req.Header.Set("Authorization", h)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("Authorization %q: status %d, want 401 even on a public route", h, resp.StatusCode)
		}
	}

	for _, tc := range []struct{ name, sql string }{
		{"idle 8 h", `UPDATE session SET last_seen_at = now() - interval '8 hours 1 minute'`},
		{"absolute 7 days", `UPDATE session SET expires_at = now() - interval '1 second'`},
		{"user disabled", `UPDATE app_user SET disabled_at = now()`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := conn.Exec(ctx, `UPDATE app_user SET disabled_at = NULL`); err != nil {
				t.Fatal(err)
			}
			c := e.signIn(t, admin.Email)
			resp, body := c.do(t, http.MethodGet, "/api/v1/me", nil)
			wantStatus(t, resp, body, http.StatusOK)
			if _, err := conn.Exec(ctx, tc.sql); err != nil {
				t.Fatal(err)
			}
			resp, body = c.do(t, http.MethodGet, "/api/v1/me", nil)
			wantStatus(t, resp, body, http.StatusUnauthorized)
		})
	}
}

// TestSecretsNeverLeak plants a password, an API token and a session id, runs a whole
// staff flow (good and bad sign-ins, token use, revocation, audit reads), and checks
// that none of them, nor their hashes, appears in the server's log or in any response
// but the one that hands it out.
func TestSecretsNeverLeak(t *testing.T) {
	e := newEnv(t, nil)
	admin := e.addUser(t, trygg.RoleAdmin, "kommun-1470")
	planner := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	var responses []string
	record := func(resp *http.Response, body []byte) {
		h := resp.Header.Clone()
		h.Del("Set-Cookie")
		var hb strings.Builder
		h.Write(&hb) //nolint:errcheck
		responses = append(responses, hb.String()+string(body))
	}

	bad := e.client()
	record(bad.do(t, http.MethodPost, "/api/v1/session", map[string]string{"email": admin.Email, "password": testPassword + "x"}))
	record(bad.do(t, http.MethodPost, "/api/v1/session", map[string]string{"email": testPassword + "@vara.se", "password": testPassword}))
	record(bad.do(t, http.MethodPost, "/api/v1/session", `{"email":"`+testPassword+`",`))

	a := e.client()
	resp, body := a.do(t, http.MethodPost, "/api/v1/session", map[string]string{"email": admin.Email, "password": testPassword})
	wantStatus(t, resp, body, http.StatusCreated)
	record(resp, body)
	var session string
	for _, ck := range resp.Cookies() {
		session = ck.Value
	}
	var s struct {
		CSRFToken string `json:"csrf_token"`
	}
	json.Unmarshal(body, &s) //nolint:errcheck
	a.csrf = s.CSRFToken

	resp, body = a.do(t, http.MethodPost, "/api/v1/tokens", map[string]string{"user_id": planner.ID, "name": "QGIS"})
	wantStatus(t, resp, body, http.StatusCreated)
	var created struct {
		Token    string         `json:"token"`
		APIToken trygg.APIToken `json:"api_token"`
	}
	json.Unmarshal(body, &created) //nolint:errcheck
	m := e.client()
	m.bearer = created.Token
	for _, path := range []string{"/api/v1/me", "/api/v1/audit", "/api/v1/municipalities/1470", "/api/v1/me?token=" + created.Token[:8]} {
		record(m.do(t, http.MethodGet, path, nil))
		record(a.do(t, http.MethodGet, path, nil))
	}
	record(a.do(t, http.MethodGet, "/api/v1/tokens", nil))
	record(a.do(t, http.MethodGet, "/api/v1/users", nil))
	record(a.do(t, http.MethodDelete, "/api/v1/tokens/"+created.APIToken.ID, nil))
	record(m.do(t, http.MethodGet, "/api/v1/me", nil))
	record(a.do(t, http.MethodGet, "/api/v1/audit?entity=api_token", nil))
	record(a.do(t, http.MethodDelete, "/api/v1/session", nil))

	hashOf := func(s string) string { return fmt.Sprintf("%x", auth.HashToken(s)) }
	pwHash, _ := testHash()
	secrets := map[string]string{
		"password": testPassword, "password hash": pwHash, "API token": created.Token, "API token hash": hashOf(created.Token),
		"session id": session, "session hash": hashOf(session),
	}
	logs := e.log.String()
	if !strings.Contains(logs, `"route":"/api/v1/session"`) {
		t.Fatalf("the log does not have the flow's requests:\n%s", logs)
	}
	for what, secret := range secrets {
		if secret == "" || len(secret) < 8 {
			t.Fatalf("%s not planted", what)
		}
		if strings.Contains(logs, secret) {
			t.Errorf("the %s appears in the log", what)
		}
		for i, r := range responses {
			if strings.Contains(r, secret) {
				t.Errorf("the %s appears in response %d:\n%s", what, i, r)
			}
		}
	}
}

// jsonField returns the string at a path of object keys in a JSON body.
func jsonField(t *testing.T, body []byte, path ...string) string {
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
	s, ok := v.(string)
	if !ok {
		t.Fatalf("no string at %v in %s", path, body)
	}
	return s
}
