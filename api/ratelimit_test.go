package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// another starts one more API server on e's database, with its own pool and e's
// options: a second instance behind the same load balancer, or the first one restarted.
func (e *env) another(t *testing.T) *env {
	t.Helper()
	db, err := postgis.Open(context.Background(), e.url, postgis.Options{Role: postgis.AppRole})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	logs := &syncBuffer{}
	srv := httptest.NewServer(api.New(db, slog.New(slog.NewJSONHandler(logs, nil)), e.opts))
	t.Cleanup(srv.Close)
	return &env{srv: srv, log: logs, url: e.url, opts: e.opts, owner: e.owner}
}

// behindProxy trusts the loopback test client as a reverse proxy, so that each
// client's X-Forwarded-For is its address on every server.
func behindProxy(o *api.Options) {
	o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
}

// from is a client of e at address ip.
func from(e *env, ip string) *client {
	c := e.client()
	c.xff = ip
	return c
}

// want429 checks a refusal: 429 with a Retry-After of 1 to max seconds.
func want429(t *testing.T, resp *http.Response, body []byte, max int) {
	t.Helper()
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 || ra > max {
		t.Errorf("%s: Retry-After %q, want 1 to %d seconds", resp.Request.URL.Path, resp.Header.Get("Retry-After"), max)
	}
}

// TestReportRateAcrossServers: two servers on one database share one address's limit
// of 10 reports an hour (10 in all, not 10 each), and a server started afterwards (a
// restart) still refuses; another address is not affected.
func TestReportRateAcrossServers(t *testing.T) {
	one := newEnv(t, func(o *api.Options, _ *postgis.Options) {
		behindProxy(o)
		o.ReportRate = api.Rate{N: 10, Window: time.Hour}
	})
	two := one.another(t)
	const ip = "198.51.100.7"
	a, b := from(one, ip), from(two, ip)
	for i := range 10 {
		c := a
		if i%2 == 1 {
			c = b
		}
		submit(t, c, report(""))
	}
	// An hour refills 10, so the next one comes in 6 minutes.
	for _, c := range []*client{a, b} {
		resp, body := c.post(t, "/api/v1/reports", "application/json", report(""))
		want429(t, resp, body, 360)
	}
	if n := countReports(t, one.url); n != 10 {
		t.Errorf("%d reports stored, want 10", n)
	}

	three := one.another(t)
	resp, body := from(three, ip).post(t, "/api/v1/reports", "application/json", report(""))
	want429(t, resp, body, 360)
	submit(t, from(three, "198.51.100.8"), report(""))
	if n := countReports(t, one.url); n != 11 {
		t.Errorf("%d reports stored, want 11", n)
	}
}

// TestConfirmRateAcrossServers: confirmations share one address's limit across
// servers and restarts, and so does "once per address and report".
func TestConfirmRateAcrossServers(t *testing.T) {
	one := newEnv(t, func(o *api.Options, _ *postgis.Options) {
		behindProxy(o)
		o.ConfirmRate = api.Rate{N: 3, Window: time.Hour}
	})
	police := one.signIn(t, one.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg").Email)
	planner := one.signIn(t, one.addUser(t, trygg.RolePlanner, "kommun-1470").Email)
	ids := make([]string, 5)
	for i := range ids {
		ids[i] = submit(t, police, report(`"source":"police"`)).ID
		resp, body := planner.do(t, http.MethodPost, "/api/v1/reports/"+ids[i]+"/moderation", map[string]string{"action": "publish"})
		wantStatus(t, resp, body, http.StatusOK)
	}
	two := one.another(t)
	const ip = "198.51.100.9"
	a, b := from(one, ip), from(two, ip)

	resp, body := a.do(t, http.MethodPost, "/api/v1/reports/"+ids[0]+"/confirm", nil)
	wantStatus(t, resp, body, http.StatusCreated)
	resp, body = b.do(t, http.MethodPost, "/api/v1/reports/"+ids[0]+"/confirm", nil)
	want429(t, resp, body, 24*3600) // this address has confirmed it, on the other server
	var p struct{ Detail string }
	if err := json.Unmarshal(body, &p); err != nil || p.Detail != "this address has already confirmed this report" {
		t.Errorf("detail %q (%v), want the once-per-report refusal", p.Detail, err)
	}

	resp, body = b.do(t, http.MethodPost, "/api/v1/reports/"+ids[1]+"/confirm", nil)
	wantStatus(t, resp, body, http.StatusCreated)
	resp, body = a.do(t, http.MethodPost, "/api/v1/reports/"+ids[2]+"/confirm", nil)
	wantStatus(t, resp, body, http.StatusCreated)
	for _, c := range []*client{a, b, from(one.another(t), ip)} {
		resp, body = c.do(t, http.MethodPost, "/api/v1/reports/"+ids[3]+"/confirm", nil)
		want429(t, resp, body, 20*60)
	}
	if n := pgtest.Strings(t, one.url, `SELECT count(*)::text FROM report_confirmation`)[0]; n != "3" {
		t.Errorf("%s confirmations stored, want 3", n)
	}
	resp, body = from(two, "198.51.100.10").do(t, http.MethodPost, "/api/v1/reports/"+ids[3]+"/confirm", nil)
	wantStatus(t, resp, body, http.StatusCreated)
}

// TestHotspotRateAcrossServers: the public's hotspot analyses share one address's
// limit across servers and restarts.
func TestHotspotRateAcrossServers(t *testing.T) {
	one := newEnv(t, func(o *api.Options, _ *postgis.Options) {
		behindProxy(o)
		o.HotspotRate = api.Rate{N: 2, Window: time.Minute}
	})
	two := one.another(t)
	const ip = "198.51.100.11"
	a, b := from(one, ip), from(two, ip)
	for _, c := range []*client{a, b} {
		resp, body := c.do(t, http.MethodGet, "/api/v1/hotspots?municipality=1470", nil)
		wantStatus(t, resp, body, http.StatusOK)
	}
	for _, c := range []*client{a, b, from(one.another(t), ip)} {
		resp, body := c.do(t, http.MethodGet, "/api/v1/hotspots?municipality=1470", nil)
		want429(t, resp, body, 30)
	}
	resp, body := from(two, "198.51.100.12").do(t, http.MethodGet, "/api/v1/hotspots?municipality=1470", nil)
	wantStatus(t, resp, body, http.StatusOK)
}

// TestGuessingLimitAcrossServers: failed sign-ins (table login_failure) count on every
// server: per account and per address, failures spread over two servers block the
// next attempt on either, and on a server started afterwards.
func TestGuessingLimitAcrossServers(t *testing.T) {
	one := newEnv(t, func(o *api.Options, _ *postgis.Options) {
		behindProxy(o)
		o.LoginFailures = 4
	})
	two := one.another(t)
	vara := one.addUser(t, trygg.RolePlanner, "kommun-1470")
	berg := one.addUser(t, trygg.RolePlanner, "kommun-1383")
	signIn := func(c *client, email, password string) (*http.Response, []byte) {
		return c.do(t, http.MethodPost, "/api/v1/session", map[string]string{"email": email, "password": password})
	}

	// Per account, from four addresses over two servers.
	for i := range 4 {
		e := one
		if i%2 == 1 {
			e = two
		}
		resp, body := signIn(from(e, "10.0.5."+strconv.Itoa(i)), vara.Email, "wrong password!")
		wantStatus(t, resp, body, http.StatusUnauthorized)
	}
	three := one.another(t)
	for _, e := range []*env{one, two, three} {
		resp, body := signIn(from(e, "10.0.5.99"), vara.Email, testPassword)
		want429(t, resp, body, 15*60)
	}

	// Per address, for four accounts over two servers.
	for i := range 4 {
		e := one
		if i%2 == 1 {
			e = two
		}
		resp, body := signIn(from(e, "10.0.6.1"), "guess"+strconv.Itoa(i)+"@vara.se", "wrong password!")
		wantStatus(t, resp, body, http.StatusUnauthorized)
	}
	for _, e := range []*env{one, two, three} {
		resp, body := signIn(from(e, "10.0.6.1"), berg.Email, testPassword)
		want429(t, resp, body, 15*60)
	}
	resp, body := signIn(from(three, "10.0.6.2"), berg.Email, testPassword)
	wantStatus(t, resp, body, http.StatusCreated)
}
