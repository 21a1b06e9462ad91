package tiles_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/auth"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// env is the API server (with its tile routes) on a fresh database with the demo
// municipalities, connected as the role row-level security applies to, and served by
// Serve, as in production: it listens for tile versions.
type env struct {
	base  string
	url   string
	owner *postgis.DB
	logs  *logBuffer // the server's JSON log lines
}

// logBuffer is a bytes.Buffer safe for the server's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, nil)
}

// newEnvWith is newEnv with options changed by opt.
func newEnvWith(t *testing.T, opt func(*api.Options)) *env {
	t.Helper()
	owner, url := pgtest.Open(t)
	if err := demo.Load(context.Background(), owner, nil); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	o := api.DefaultOptions()
	if opt != nil {
		opt(&o)
	}
	srv := api.New(pgtest.App(t, url), slog.New(slog.NewJSONHandler(logs, nil)), o)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("serve: %v", err)
		}
	})
	return &env{base: "http://" + ln.Addr().String(), url: url, owner: owner, logs: logs}
}

// A place in Vara (1470) and one in Varberg (1383).
var (
	vara    = orb.Point{12.95, 58.26}
	varberg = orb.Point{12.25, 57.11}
)

// seed adds reports around p in municipality code: n published, n received, and one
// police event at p; it returns the published ids and the received ids.
func (e *env) seed(t *testing.T, code string, p orb.Point, n int) (published, received []string) {
	t.Helper()
	rows, err := pgx(t, e.url, fmt.Sprintf(`
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status, description)
		SELECT gen_random_uuid(), '%[1]s', g.p, report_public_geom(g.p, 50), CASE WHEN i %% 3 = 0 THEN 'vald' ELSE 'belysning' END,
		       2, 'resident', 'exact', CASE WHEN i %% 2 = 0 THEN 'published' ELSE 'received' END, 'hemlig beskrivning'
		FROM generate_series(0, %[4]d) i,
		     LATERAL (SELECT ST_SetSRID(ST_MakePoint(%[2]f + (i %% 10) * 0.0003, %[3]f + (i / 10) * 0.0003), 4326) AS p) g
		RETURNING id::text, status`, code, p[0], p[1], 2*n-1))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r[1] == "published" {
			published = append(published, r[0])
		} else {
			received = append(received, r[0])
		}
	}
	pgtest.Exec(t, e.url, fmt.Sprintf(`
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status,
		                    observed_at, police_event_id, police_event_type, description)
		SELECT gen_random_uuid(), '%[1]s', ST_SetSRID(ST_MakePoint(%[2]f, %[3]f), 4326), ST_SetSRID(ST_MakePoint(%[2]f, %[3]f), 4326),
		       'vald', 2, 'police-event', 'area', 'published', '2026-11-05 22:00Z', (random() * 1e9)::bigint, 'Misshandel', 'Misshandel'`,
		code, p[0], p[1]))
	return published, received
}

// pgx runs a query as the owner and returns its rows as text.
func pgx(t *testing.T, url, sql string) ([][]string, error) {
	t.Helper()
	db, err := postgis.Open(context.Background(), url, postgis.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Pool().Query(context.Background(), sql)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, err
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = fmt.Sprint(v)
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

var testHash = sync.OnceValues(func() (string, error) { return auth.HashPassword("Planted-Secret-Password-4711") })

// client is the public (no jar) or a signed-in staff member (cookie and CSRF token).
type client struct {
	http *http.Client
	csrf string
}

var public = &client{http: &http.Client{}}

// staff signs a new user with role in organisation org in.
func (e *env) staff(t *testing.T, role trygg.Role, org string) *client {
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
	c := &client{http: &http.Client{Jar: jar}}
	resp, body := e.do(t, c, http.MethodPost, "/api/v1/session", `{"email":"`+email+`","password":"Planted-Secret-Password-4711"}`, nil)
	wantStatus(t, resp, body, http.StatusCreated)
	var s struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	c.csrf = s.CSRFToken
	return c
}

// do sends a request with headers; a GET asks for gzip unless headers say otherwise,
// so the transport does not decompress behind the test's back.
func (e *env) do(t *testing.T, c *client, method, path, body string, headers map[string]string) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" && method != http.MethodGet {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	// JSON (the TileJSON, the style) comes gzipped when asked for: decoded here; tiles
	// stay as sent, for the tests of their encoding.
	if resp.Header.Get("Content-Encoding") == "gzip" && strings.Contains(resp.Header.Get("Content-Type"), "json") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp, b
}

func (e *env) get(t *testing.T, c *client, path string) (*http.Response, []byte) {
	t.Helper()
	return e.do(t, c, http.MethodGet, path, "", nil)
}

func wantStatus(t *testing.T, resp *http.Response, body []byte, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %.400s", resp.Request.Method, resp.Request.URL, resp.StatusCode, want, body)
	}
}

// tilePath is the path of layer's tile at zoom z over p.
func tilePath(layer string, p orb.Point, z int, query string) (string, maptile.Tile) {
	tl := maptile.At(p, maptile.Zoom(z))
	path := fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layer, tl.Z, tl.X, tl.Y)
	if query != "" {
		path += "?" + query
	}
	return path, tl
}

// fetchTile gets a tile and decodes it, checking the MVT headers and that every
// geometry lies within the extent plus the buffer; a 204 is no layers.
func (e *env) fetchTile(t *testing.T, c *client, path string) (mvt.Layers, *http.Response) {
	t.Helper()
	resp, body := e.get(t, c, path)
	if resp.StatusCode == http.StatusNoContent {
		return nil, resp
	}
	wantStatus(t, resp, body, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.mapbox-vector-tile" {
		t.Errorf("%s: Content-Type %q", path, ct)
	}
	// A tile just built comes uncompressed while it is gzipped in the background.
	unmarshal := mvt.Unmarshal
	switch ce := resp.Header.Get("Content-Encoding"); ce {
	case "gzip":
		unmarshal = mvt.UnmarshalGzipped
	case "":
	default:
		t.Fatalf("%s: Content-Encoding %q", path, ce)
	}
	layers, err := unmarshal(body)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	within := orb.Bound{Min: orb.Point{-64, -64}, Max: orb.Point{4096 + 64, 4096 + 64}}
	for _, l := range layers {
		if l.Extent != 4096 {
			t.Errorf("%s: layer %s extent %d, want 4096", path, l.Name, l.Extent)
		}
		for _, f := range l.Features {
			if f.Geometry == nil || !within.Contains(f.Geometry.Bound().Min) || !within.Contains(f.Geometry.Bound().Max) {
				t.Errorf("%s: layer %s: geometry %v outside the extent and buffer", path, l.Name, f.Geometry)
			}
		}
	}
	return layers, resp
}

// gzipped gets a tile until it comes gzipped from the cache (its first request builds
// it and has it compressed in the background) and returns the last response.
func (e *env) gzipped(t *testing.T, c *client, path string) (*http.Response, []byte) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, body := e.get(t, c, path)
		wantStatus(t, resp, body, http.StatusOK)
		if resp.Header.Get("Content-Encoding") == "gzip" {
			return resp, body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not gzipped after 5 s (X-Cache %s)", path, resp.Header.Get("X-Cache"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func layer(ls mvt.Layers, name string) *mvt.Layer {
	for _, l := range ls {
		if l.Name == name {
			return l
		}
	}
	return nil
}

func ids(l *mvt.Layer) map[string]bool {
	out := map[string]bool{}
	if l == nil {
		return out
	}
	for _, f := range l.Features {
		if id, ok := f.Properties["id"].(string); ok {
			out[id] = true
		}
	}
	return out
}

func count(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int64:
		return int(n)
	case uint64:
		return int(n)
	}
	return -1
}

func problemField(body []byte) string {
	var p struct {
		Field  string `json:"field"`
		Detail string `json:"detail"`
	}
	_ = json.Unmarshal(body, &p)
	return p.Field + " " + p.Detail
}
