package ogc_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/auth"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// env is the API server on a fresh database with the demo municipalities, connected as
// the role row-level security applies to (as in production).
type env struct {
	srv   *httptest.Server
	url   string
	owner *postgis.DB
}

func newEnv(t *testing.T) *env {
	t.Helper()
	owner, url := pgtest.Open(t)
	if err := demo.Load(context.Background(), owner, nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(pgtest.App(t, url), slog.New(slog.NewJSONHandler(io.Discard, nil)), api.DefaultOptions()))
	t.Cleanup(srv.Close)
	return &env{srv: srv, url: url, owner: owner}
}

// seed adds n published resident reports in Vara (1470), n received ones, and, for
// staff only, a walk, an action on it and a police event; all dated in 2026-11.
func (e *env) seed(t *testing.T, n int) {
	t.Helper()
	pgtest.Exec(t, e.url, `
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status, created_at)
		SELECT gen_random_uuid(), '1470', p, report_public_geom(p, 50), 'belysning', 2, 'resident', 'exact',
		       CASE WHEN i % 2 = 0 THEN 'published' ELSE 'received' END,
		       timestamptz '2026-11-01 12:00Z' + (i / 2) * interval '1 hour'
		FROM generate_series(0, `+itoa(2*n-1)+`) i,
		     LATERAL (SELECT ST_SetSRID(ST_MakePoint(12.95 + (i % 50) * 0.0005, 58.26 + (i / 50) * 0.0005), 4326) AS p) g;
		INSERT INTO walk (id, municipality_code, title, route, starts_at, status)
		VALUES ('00000000-0000-4000-8000-000000000001', '1470', 'Kvällsvandring', 
		        ST_SetSRID(ST_MakeLine(ST_MakePoint(12.95, 58.26), ST_MakePoint(12.96, 58.27)), 4326), '2026-11-10 18:00Z', 'done');
		INSERT INTO action (id, municipality_code, walk_id, description, owner_text)
		VALUES ('00000000-0000-4000-8000-000000000002', '1470', '00000000-0000-4000-8000-000000000001', 'Byt lampor', 'Gatukontoret');
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status,
		                    observed_at, police_event_id, police_event_type, description)
		VALUES ('00000000-0000-4000-8000-000000000003', '1470', ST_SetSRID(ST_MakePoint(12.93, 58.25), 4326),
		        ST_SetSRID(ST_MakePoint(12.93, 58.25), 4326), 'vald', 2, 'police-event', 'area', 'published',
		        '2026-11-05 22:00Z', 4711, 'Misshandel', 'Misshandel, Vara');`)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

var testHash = sync.OnceValues(func() (string, error) { return auth.HashPassword("Planted-Secret-Password-4711") })

// staff signs a new user with role in kommun-1470 in and returns a client with the
// session cookie.
func (e *env) staff(t *testing.T, role trygg.Role) *http.Client {
	t.Helper()
	return e.staffIn(t, role, "kommun-1470")
}

// staffIn signs a new user with role in the organisation org in.
func (e *env) staffIn(t *testing.T, role trygg.Role, org string) *http.Client {
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
	email := demo.DemoEmail(role, org)
	if _, err := e.owner.CreateUser(ctx, email, role, org, hash, false); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Post(e.srv.URL+"/api/v1/session", "application/json",
		strings.NewReader(`{"email":"`+email+`","password":"Planted-Secret-Password-4711"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("sign in: status %d", resp.StatusCode)
	}
	return c
}

// get fetches path (relative to the server, or absolute) with c (nil: the public).
func (e *env) get(t *testing.T, c *http.Client, path string) (*http.Response, []byte) {
	t.Helper()
	if c == nil {
		c = http.DefaultClient
	}
	u := path
	if !strings.HasPrefix(u, "http") {
		u = e.srv.URL + path
	}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func wantStatus(t *testing.T, resp *http.Response, body []byte, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s: status %d, want %d: %.400s", resp.Request.URL, resp.StatusCode, want, body)
	}
}

// page is an items response.
type page struct {
	Type     string `json:"type"`
	Features []struct {
		ID         string          `json:"id"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties map[string]any  `json:"properties"`
	} `json:"features"`
	Links []struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
	} `json:"links"`
	NumberMatched  *int   `json:"numberMatched"`
	NumberReturned int    `json:"numberReturned"`
	TimeStamp      string `json:"timeStamp"`
}

func (p page) link(rel string) string {
	for _, l := range p.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func (e *env) items(t *testing.T, c *http.Client, path string) page {
	t.Helper()
	resp, body := e.get(t, c, path)
	wantStatus(t, resp, body, http.StatusOK)
	var p page
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("%s: %v: %.300s", path, err, body)
	}
	return p
}
