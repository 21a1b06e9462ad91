package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// cheapBound is how long a cheap request may take while expensive work loads the
// server: "well under a second", generous for a shared 2-core machine.
const cheapBound = time.Second

// cheapRequests times one round of the requests that must not be starved: health,
// a municipality, a report POST. It fails the test for any that is slow or fails.
func cheapRequests(t *testing.T, e *env, round int) {
	t.Helper()
	c := e.client()
	for _, rq := range []struct{ method, path, body string }{
		{http.MethodGet, "/healthz", ""},
		{http.MethodGet, "/api/v1/municipalities/1470", ""},
		{http.MethodPost, "/api/v1/reports", report("")},
	} {
		start := time.Now()
		var resp *http.Response
		var body []byte
		if rq.method == http.MethodPost {
			resp, body = c.post(t, rq.path, "application/json", rq.body)
		} else {
			resp, body = c.do(t, rq.method, rq.path, nil)
		}
		d := time.Since(start)
		if resp.StatusCode >= 300 {
			t.Errorf("round %d: %s %s: status %d: %s", round, rq.method, rq.path, resp.StatusCode, body)
		}
		if d > cheapBound {
			t.Errorf("round %d: %s %s took %v, want < %v", round, rq.method, rq.path, d, cheapBound)
		}
	}
}

// Eight clients ask for 10 000 reports each (megabytes, far more than socket buffers)
// and never read the answer, on a pool of 8 connections: the pages are read into
// memory and each connection goes back to the pool before the slow write, so cheap
// requests keep answering at once; the write deadline drops the slow clients.
func TestSlowReadersHoldNoConnection(t *testing.T) {
	const writeTimeout = 15 * time.Second // from the request's start; reading the pages takes seconds under -race
	e := newEnv(t, func(o *api.Options, d *postgis.Options) {
		d.MaxConns = 8
		o.Limits.LargePages = 8 // all eight are served: the point is what they hold while writing
		o.WriteTimeout = writeTimeout
		o.ReportRate = api.Rate{}
	})
	pgtest.Exec(t, e.url, `
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status,
		                    description, public_description, created_at)
		SELECT gen_random_uuid(), '1470', p, report_public_geom(p, 50), 'belysning', 2, 'resident', 'exact', 'published',
		       repeat('Mörkt vid busshållplatsen. ', 30), repeat('Mörkt vid busshållplatsen. ', 30),
		       timestamptz '2026-11-01 12:00Z' + i * interval '1 minute'
		FROM generate_series(0, 9999) i,
		     LATERAL (SELECT ST_SetSRID(ST_MakePoint(12.95 + (i % 100) * 0.0005, 58.26 + (i / 100) * 0.0005), 4326) AS p) g;`)

	addr := strings.TrimPrefix(e.srv.URL, "http://")
	// The slow clients' sockets receive into a buffer of 4 KiB, so the server's writes
	// block soon: they are clients that never read.
	dialer := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}
	const slow = 8
	conns := make([]net.Conn, slow)
	sent := time.Now()
	for i := range conns {
		c, err := dialer.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
		// No Accept-Encoding: the answer is the full JSON.
		fmt.Fprintf(c, "GET /ogc/collections/reports/items?limit=10000&f=json HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", addr)
	}
	// Each answer has begun (its status line is here): the server read the page and
	// writes it now, as slowly as the client reads, which is never.
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(60 * time.Second))
		status := make([]byte, len("HTTP/1.1 200"))
		if _, err := io.ReadFull(c, status); err != nil {
			t.Fatalf("slow client %d: %v", i, err)
		}
		if string(status) != "HTTP/1.1 200" {
			t.Fatalf("slow client %d: status line %q, want 200", i, status)
		}
	}
	for round := range 5 {
		cheapRequests(t, e, round)
	}
	// A small page needs a connection too, and gets one.
	start := time.Now()
	resp, body := e.get(t, "/ogc/collections/reports/items?limit=10")
	wantStatus(t, resp, body, http.StatusOK)
	if d := time.Since(start); d > cheapBound {
		t.Errorf("a page of 10 took %v beside the slow clients, want < %v", d, cheapBound)
	}
	if stat := e.metric(t, "trygg_db_pool_acquired_connections"); stat != 0 {
		t.Errorf("%v pool connections acquired while 8 clients do not read, want 0", stat)
	}

	// The write deadline drops each slow client: once it has passed, what is left to
	// read is what the socket buffers held, and the answer ends unfinished.
	time.Sleep(time.Until(sent.Add(writeTimeout + time.Second)))
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		rest, err := io.ReadAll(c)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("slow client %d: still connected %v after the requests (%d bytes read)", i, time.Since(sent), len(rest))
		}
		if bytes.HasSuffix(rest, []byte("0\r\n\r\n")) {
			t.Errorf("slow client %d: the whole answer (%d bytes) was sent; want it cut at the write deadline", i, len(rest))
		}
	}
}

// metric reads one unlabelled metric from /metrics.
func (e *env) metric(t *testing.T, name string) float64 {
	t.Helper()
	_, body := e.get(t, "/metrics")
	for _, l := range strings.Split(string(body), "\n") {
		var v float64
		if n, _ := fmt.Sscanf(l, name+" %g", &v); n == 1 {
			return v
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// Far more concurrent hotspot analyses than the server runs at once: a few are
// served, the rest shed at once or after a short wait, each with 503, problem+json and
// Retry-After within a second, and counted; a municipality meanwhile answers at once.
func TestOverloadShedsAnalyses(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) {
		o.HotspotRate = api.Rate{} // one address asks them all
		o.ReportRate = api.Rate{}
	})
	seedHotspots(t, e)
	pgtest.Exec(t, e.url, `
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status, created_at)
		SELECT gen_random_uuid(), '1470', d.geom, report_public_geom(d.geom, 50), 'klotter', 2, 'resident', 'exact', 'published',
		       timestamptz '2025-01-01 12:00Z' + d.path[1] * interval '3 hours'
		FROM municipality m, LATERAL ST_Dump(ST_GeneratePoints(m.boundary, 20000, 7)) d
		WHERE m.code = '1470';`)

	const n = 80
	type result struct {
		status     int
		retryAfter string
		ctype      string
		took       time.Duration
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: n}}
	startLine := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startLine
			start := time.Now()
			resp, err := client.Get(e.srv.URL + "/api/v1/hotspots?municipality=1470")
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			results[i] = result{resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), time.Since(start)}
		}()
	}
	close(startLine)
	time.Sleep(100 * time.Millisecond) // the analyses have arrived
	for round := range 5 {
		cheapRequests(t, e, round)
	}
	wg.Wait()

	served, shed := 0, 0
	var slowestShed time.Duration
	for i, r := range results {
		switch r.status {
		case http.StatusOK:
			served++
		case http.StatusServiceUnavailable:
			shed++
			slowestShed = max(slowestShed, r.took)
			if r.retryAfter == "" || r.ctype != "application/problem+json" {
				t.Errorf("analysis %d: 503 with Retry-After %q, Content-Type %q; want both", i, r.retryAfter, r.ctype)
			}
			if r.took > cheapBound {
				t.Errorf("analysis %d: shed after %v, want < %v", i, r.took, cheapBound)
			}
		default:
			t.Errorf("analysis %d: status %d, want 200 or 503", i, r.status)
		}
	}
	t.Logf("%d analyses: %d served, %d shed (the slowest after %v)", n, served, shed, slowestShed)
	if served < api.DefaultLimits().Analyses || shed == 0 {
		t.Errorf("%d served, %d shed; want at least the limit (%d) served and some shed", served, shed, api.DefaultLimits().Analyses)
	}
	_, body := e.get(t, "/metrics")
	if want := fmt.Sprintf(`trygg_shed_requests_total{class="analyses"} %d`, shed); !strings.Contains(string(body), want) {
		t.Errorf("metrics lack %s", want)
	}
}

// proxy forwards TCP connections to PostgreSQL's Unix socket; cut closes its listener
// and every connection (the database is unreachable: connections break, new ones are
// refused), restore listens again on the same address.
type proxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, addr: "127.0.0.1:0", target: target, conns: map[net.Conn]bool{}}
	p.restore()
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) restore() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("unix", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[c], p.conns[up] = true, true
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// With the database unreachable every endpoint that needs it answers 503 with
// Retry-After (problem+json), /readyz too, and one line is logged, not one per
// request; when it is back the server serves again by itself and logs that once.
func TestDatabaseUnreachable(t *testing.T) {
	owner, url := pgtest.Open(t)
	if err := demo.Load(context.Background(), owner, nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, fmt.Sprintf("%s/.s.PGSQL.%d", cfg.Host, cfg.Port))
	db, err := postgis.Open(context.Background(),
		fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", cfg.User, p.addr, cfg.Database), postgis.Options{Role: postgis.AppRole})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	logs := &syncBuffer{}
	opts := api.DefaultOptions()
	opts.ReportRate, opts.HotspotRate = api.Rate{}, api.Rate{}
	srv := httptest.NewServer(api.New(db, slog.New(slog.NewJSONHandler(logs, nil)), opts))
	t.Cleanup(srv.Close)
	e := &env{srv: srv, log: logs, url: url, opts: opts, owner: owner}

	get := func(path string) *http.Response {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	for _, path := range []string{"/readyz", "/api/v1/municipalities/1470"} {
		if resp := get(path); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s before the cut: status %d", path, resp.StatusCode)
		}
	}

	p.cut()
	requests := []struct{ method, path string }{
		{http.MethodGet, "/readyz"},
		{http.MethodGet, "/api/v1/municipalities/1470"},
		{http.MethodGet, "/api/v1/municipalities"},
		{http.MethodPost, "/api/v1/reports"},
		{http.MethodGet, "/api/v1/reports/nearby?lon=13.1&lat=58.26"},
		{http.MethodGet, "/api/v1/hotspots?municipality=1470"},
		{http.MethodGet, "/ogc/collections/reports/items"},
		{http.MethodGet, "/tiles/reports/12/2196/1190.mvt"},
		{http.MethodGet, "/open311/v2/requests.json"},
	}
	for round := range 4 {
		for _, rq := range requests {
			var resp *http.Response
			var body []byte
			if rq.method == http.MethodPost {
				resp, body = e.client().post(t, rq.path, "application/json", report(""))
			} else {
				resp, body = e.client().do(t, rq.method, rq.path, nil)
			}
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
				t.Errorf("round %d: %s %s: status %d, Retry-After %q; want 503 with Retry-After: %s",
					round, rq.method, rq.path, resp.StatusCode, resp.Header.Get("Retry-After"), body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(rq.path, "/open311") && ct != "application/problem+json" {
				t.Errorf("%s: Content-Type %q, want application/problem+json", rq.path, ct)
			}
		}
		if round == 0 {
			waitForLog(t, logs, "database unavailable")
		}
	}
	if resp := get("/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("healthz with the database down: %d, want 200 (the process is up)", resp.StatusCode)
	}
	if n := countLog(logs, "database unavailable"); n != 1 {
		t.Errorf("%d \"database unavailable\" lines over %d requests, want 1:\n%s", n, 4*len(requests), logs)
	}
	if n := countLog(logs, "internal error"); n != 0 {
		t.Errorf("%d internal errors logged, want none:\n%s", n, logs)
	}

	p.restore()
	deadline := time.Now().Add(15 * time.Second)
	for get("/api/v1/municipalities/1470").StatusCode != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("the server did not recover within 15 s of the database's return")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if resp := get("/readyz"); resp.StatusCode != http.StatusOK {
		t.Errorf("readyz after the return: %d, want 200", resp.StatusCode)
	}
	waitForLog(t, logs, "database available again")
	for range 5 {
		get("/api/v1/municipalities/1470")
	}
	if n := countLog(logs, "database available again"); n != 1 {
		t.Errorf("%d \"database available again\" lines, want 1:\n%s", n, logs)
	}
	if n := countLog(logs, "database unavailable"); n != 1 {
		t.Errorf("%d \"database unavailable\" lines in all, want 1", n)
	}
}

// countLog counts the log lines whose msg is msg.
func countLog(logs *syncBuffer, msg string) int {
	n := 0
	for _, l := range strings.Split(logs.String(), "\n") {
		var line struct{ Msg string }
		if json.Unmarshal([]byte(l), &line) == nil && line.Msg == msg {
			n++
		}
	}
	return n
}

func waitForLog(t *testing.T, logs *syncBuffer, msg string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for countLog(logs, msg) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no %q line within 10 s:\n%s", msg, logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Each class of expensive work has its limit: with one of each held (waiting on a
// lock of the report table inside PostgreSQL), the next of the same class is shed
// with 503 and Retry-After within a second and counted under its class, while the
// cheap requests still answer; the held ones finish once the lock is gone.
func TestShedEachClass(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) {
		o.Limits = api.Limits{Analyses: 1, LargePages: 1, ColdTiles: 1, Imports: 1, QueueWait: 100 * time.Millisecond}
		o.HotspotRate, o.ReportRate = api.Rate{}, api.Rate{}
	})
	planner := e.signIn(t, e.addUser(t, trygg.RolePlanner, "kommun-1493").Email)
	p := e.placeIn(t, "1493", 0, 0)
	estCSV := fmt.Sprintf("type,occurred_at,lon,lat\nklotter,2026-11-19T17:00:00Z,%g,%g\n", p[0], p[1])
	classes := []struct {
		class string
		do    func(c *client, i int) (*http.Response, []byte)
		held  int
	}{
		{"analyses", func(c *client, i int) (*http.Response, []byte) {
			return c.do(t, http.MethodGet, "/api/v1/hotspots?municipality=1470", nil)
		}, http.StatusOK},
		{"large_pages", func(c *client, i int) (*http.Response, []byte) {
			return c.do(t, http.MethodGet, "/ogc/collections/reports/items?limit=5000", nil)
		}, http.StatusOK},
		{"cold_tiles", func(c *client, i int) (*http.Response, []byte) {
			return c.do(t, http.MethodGet, fmt.Sprintf("/tiles/reports/%d/0/0.mvt", 3+i), nil) // two different tiles
		}, http.StatusNoContent},
		{"imports", func(c *client, i int) (*http.Response, []byte) {
			return planner.post(t, "/api/v1/est/incidents", "text/csv", estCSV)
		}, http.StatusCreated},
	}

	ctx := context.Background()
	conn := pgtest.Conn(t, e.url)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if _, err := tx.Exec(ctx, `LOCK TABLE report IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	held := make(chan string, len(classes))
	for _, c := range classes {
		go func() {
			resp, body := c.do(e.client(), 0)
			if resp.StatusCode != c.held {
				t.Errorf("%s: the held request: status %d, want %d: %s", c.class, resp.StatusCode, c.held, body)
			}
			held <- c.class
		}()
	}
	// Every held request waits on the lock in PostgreSQL, with its class's slot. (Asked
	// outside the transaction: within one, pg_stat_activity is a snapshot.)
	watch := pgtest.Conn(t, e.url)
	deadline := time.Now().Add(15 * time.Second)
	for {
		var waiting int
		if err := watch.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting == len(classes) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d requests wait on the lock, want %d: %v", waiting, len(classes), pgtest.Strings(t, e.url,
				`SELECT coalesce(wait_event_type, '') || ' ' || state || ' ' || left(query, 120) FROM pg_stat_activity WHERE datname = current_database()`))
		}
		time.Sleep(20 * time.Millisecond)
	}

	for _, c := range classes {
		start := time.Now()
		resp, body := c.do(e.client(), 1)
		d := time.Since(start)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
			resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s beyond its limit: status %d, Retry-After %q, Content-Type %q; want 503 problem+json with Retry-After: %s",
				c.class, resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), body)
		}
		if d > cheapBound {
			t.Errorf("%s: shed after %v, want < %v", c.class, d, cheapBound)
		}
	}
	for _, path := range []string{"/healthz", "/api/v1/municipalities/1470"} {
		start := time.Now()
		resp, body := e.get(t, path)
		wantStatus(t, resp, body, http.StatusOK)
		if d := time.Since(start); d > cheapBound {
			t.Errorf("%s took %v beside the held work, want < %v", path, d, cheapBound)
		}
	}
	_, body := e.get(t, "/metrics")
	for _, c := range classes {
		if want := fmt.Sprintf(`trygg_shed_requests_total{class=%q} 1`, c.class); !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}

	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for range classes {
		select {
		case <-held:
		case <-time.After(20 * time.Second):
			t.Fatal("a held request did not finish after the lock was released")
		}
	}
}
