package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/geo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type env struct {
	srv   *httptest.Server
	log   *syncBuffer
	url   string
	opts  api.Options
	owner *postgis.DB // for setting up data; the server connects as postgis.AppRole
}

// newEnv starts the API on a fresh database with the demo data (no accounts), served
// as the server is in production: connected as the role row-level security applies to.
func newEnv(t *testing.T, tune func(*api.Options, *postgis.Options)) *env {
	t.Helper()
	owner, url := pgtest.Open(t)
	if err := demo.Load(context.Background(), owner, nil); err != nil {
		t.Fatal(err)
	}
	opts, dbOpts := api.DefaultOptions(), postgis.Options{Role: postgis.AppRole}
	if tune != nil {
		tune(&opts, &dbOpts)
	}
	db, err := postgis.Open(context.Background(), url, dbOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	logs := &syncBuffer{}
	srv := httptest.NewServer(api.New(db, slog.New(slog.NewJSONHandler(logs, nil)), opts))
	t.Cleanup(srv.Close)
	return &env{srv: srv, log: logs, url: url, opts: opts, owner: owner}
}

func (e *env) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	return e.client().do(t, http.MethodGet, path, nil)
}

func TestMunicipalities(t *testing.T) {
	e := newEnv(t, nil)
	resp, body := e.get(t, "/api/v1/municipalities")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/geo+json" {
		t.Errorf("Content-Type %q, want application/geo+json", ct)
	}
	fc, err := geojson.UnmarshalFeatureCollection(body)
	if err != nil {
		t.Fatalf("not a FeatureCollection: %v", err)
	}
	want := map[string]string{"0685": "Vetlanda", "1383": "Varberg", "1470": "Vara", "1493": "Mariestad", "1494": "Lidköping"}
	if len(fc.Features) != len(want) {
		t.Fatalf("got %d features, want %d", len(fc.Features), len(want))
	}
	sweden, _ := geo.SwedenBounds(geo.WGS84)
	for _, f := range fc.Features {
		code, _ := f.Properties["code"].(string)
		if want[code] == "" || f.Properties["name"] != want[code] {
			t.Errorf("feature code %q name %v, want one of %v", code, f.Properties["name"], want)
		}
		if f.ID != code {
			t.Errorf("feature id %v, want %s", f.ID, code)
		}
		mp, ok := f.Geometry.(orb.MultiPolygon)
		if !ok {
			t.Fatalf("%s: geometry %T, want MultiPolygon", code, f.Geometry)
		}
		if err := geo.CheckPolygonal(mp); err != nil {
			t.Errorf("%s: %v", code, err)
		}
		if !geo.Within(mp, sweden) {
			t.Errorf("%s: bound %v outside Sweden", code, mp.Bound())
		}
		areas, _ := f.Properties["police_areas"].([]any)
		if len(areas) != 1 {
			t.Errorf("%s: police_areas %v, want one", code, f.Properties["police_areas"])
		}
	}
	// Vara and Lidköping share LPO Västra Skaraborg.
	_, body = e.get(t, "/api/v1/municipalities/1494")
	f, err := geojson.UnmarshalFeature(body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), "LPO Västra Skaraborg") || f.Properties["name"] != "Lidköping" {
		t.Errorf("Lidköping: got %s", body)
	}
}

func TestProblems(t *testing.T) {
	e := newEnv(t, nil)
	cases := []struct {
		name, method, path string
		status             int
		field              string
	}{
		{"unknown municipality", "GET", "/api/v1/municipalities/9999", 404, "code"},
		{"malformed code", "GET", "/api/v1/municipalities/vara", 400, "code"},
		{"five digits", "GET", "/api/v1/municipalities/14700", 400, "code"},
		{"unknown path", "GET", "/api/v1/nothing", 404, ""},
		{"unknown file", "GET", "/nothing.html", 404, ""},
		{"wrong method", "POST", "/api/v1/municipalities", 405, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.client().do(t, tc.method, tc.path, nil)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q, want application/problem+json", ct)
			}
			var p api.Problem
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatalf("body is not a problem: %v: %s", err, body)
			}
			if p.Status != tc.status || p.Title == "" || p.Detail == "" || p.Field != tc.field {
				t.Errorf("got %+v, want status %d, title, detail and field %q", p, tc.status, tc.field)
			}
		})
	}
}

func TestHealthReadyMetricsAndLog(t *testing.T) {
	e := newEnv(t, nil)
	for _, path := range []string{"/healthz", "/readyz", "/"} {
		if resp, body := e.get(t, path); resp.StatusCode != 200 {
			t.Errorf("GET %s: status %d: %s", path, resp.StatusCode, body)
		}
	}
	e.get(t, "/api/v1/municipalities/1470")
	e.get(t, "/api/v1/municipalities/9999")

	_, body := e.get(t, "/metrics")
	for _, want := range []string{
		`trygg_http_requests_total{method="GET",route="/api/v1/municipalities/{code}",status="200"} 1`,
		`trygg_http_requests_total{method="GET",route="/api/v1/municipalities/{code}",status="404"} 1`,
		`trygg_http_request_duration_seconds_count{method="GET",route="/readyz"} 1`,
		`trygg_db_pool_max_connections`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}

	var line map[string]any
	for _, l := range strings.Split(e.log.String(), "\n") {
		if strings.Contains(l, `"route":"/api/v1/municipalities/{code}"`) && strings.Contains(l, `"status":200`) {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatal(err)
			}
		}
	}
	if line == nil {
		t.Fatalf("no log line for GET /api/v1/municipalities/1470 in:\n%s", e.log.String())
	}
	for _, k := range []string{"method", "route", "status", "duration_ms", "bytes", "request_id"} {
		if _, ok := line[k]; !ok {
			t.Errorf("log line lacks %q: %v", k, line)
		}
	}
	if b, _ := line["bytes"].(float64); b < 500 {
		t.Errorf("log line bytes %v, want the size of Vara's feature", line["bytes"])
	}
}

func TestReadyWithoutMigrations(t *testing.T) {
	db, err := postgis.Open(context.Background(), pgtest.EmptyURL(t), postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(api.New(db, slog.New(slog.NewJSONHandler(io.Discard, nil)), api.DefaultOptions()))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz on an unmigrated database: status %d, want 503", resp.StatusCode)
	}
	if resp, _ := http.Get(srv.URL + "/healthz"); resp == nil || resp.StatusCode != 200 {
		t.Errorf("healthz: want 200 while the process is up")
	}
}

// A statement slower than the statement timeout is stopped by PostgreSQL and answered
// with 503, and a request deadline shorter than the query cancels it on the server.
func TestTimeoutsReachPostgres(t *testing.T) {
	cases := []struct {
		name string
		tune func(*api.Options, *postgis.Options)
	}{
		{"statement timeout", func(o *api.Options, d *postgis.Options) { d.StatementTimeout = 200 * time.Millisecond }},
		{"request deadline", func(o *api.Options, d *postgis.Options) { o.RequestTimeout = 200 * time.Millisecond }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.tune)
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, e.url)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx) //nolint:errcheck
			if _, err := tx.Exec(ctx, `LOCK TABLE municipality IN ACCESS EXCLUSIVE MODE`); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			resp, body := e.get(t, "/api/v1/municipalities")
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want 503: %s", resp.StatusCode, body)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v; the timeout did not stop the query", d)
			}
			// The waiting query is gone from the server: nothing waits on the lock.
			var waiting int
			deadline := time.Now().Add(5 * time.Second)
			for {
				if err := tx.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
					WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
					t.Fatal(err)
				}
				if waiting == 0 || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if waiting != 0 {
				t.Errorf("%d queries still wait on the lock in PostgreSQL, want 0", waiting)
			}
		})
	}
}

// allBoundaries reads SCB's 290 municipality boundaries (EPSG:3006) from the demo file.
func allBoundaries(tb testing.TB) []trygg.Municipality {
	tb.Helper()
	fc, err := geojson.UnmarshalFeatureCollection(demo.Boundaries)
	if err != nil {
		tb.Fatal(err)
	}
	var ms []trygg.Municipality
	for _, f := range fc.Features {
		m := trygg.Municipality{Code: f.Properties.MustString("KnKod"), Name: f.Properties.MustString("KnNamn")}
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			m.Boundary = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			m.Boundary = g
		}
		ms = append(ms, m)
	}
	return ms
}
