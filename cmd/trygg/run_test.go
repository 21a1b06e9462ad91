package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

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

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

var listeningRE = regexp.MustCompile(`"msg":"listening","addr":"([^"]+)"`)

// waitListening waits for the server's "listening" log line and returns its address.
func waitListening(t *testing.T, logs fmt.Stringer, done <-chan error) string {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(logs.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("server stopped before listening: %v\n%s", err, logs)
		case <-deadline:
			t.Fatalf("server did not listen within 60 s:\n%s", logs)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not 200 within 30 s (last: %v)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func getFeatures(t *testing.T, url string) []map[string]any {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: status %d: %s", url, resp.StatusCode, b)
	}
	var fc struct {
		Type     string           `json:"type"`
		Features []map[string]any `json:"features"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" {
		t.Fatalf("type %q, want FeatureCollection", fc.Type)
	}
	return fc.Features
}

// TestServeEndToEnd starts the whole program on an empty database: it migrates, loads
// the demo data, serves, and stops cleanly when its context ends.
func TestServeEndToEnd(t *testing.T) {
	url := pgtest.EmptyURL(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs, out := &syncBuffer{}, &syncBuffer{}
	env := map[string]string{"DATABASE_URL": url, "TRYGG_ADDR": "127.0.0.1:0", "TRYGG_DEMO": "true"}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"trygg", "serve"}, envOf(env), out, logs) }()

	base := "http://" + waitListening(t, logs, done)
	waitReady(t, base)
	features := getFeatures(t, base+"/api/v1/municipalities")
	if len(features) != 5 {
		t.Errorf("got %d municipalities, want the 5 demo ones", len(features))
	}
	if !strings.Contains(out.String(), "demo: 5 municipalities") {
		t.Errorf("stdout lacks the demo summary: %q", out.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v, want nil after shutdown", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after its context ended")
	}

	// A second start finds the demo data and does not load it again.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	out2, logs2 := &syncBuffer{}, &syncBuffer{}
	done2 := make(chan error, 1)
	go func() { done2 <- run(ctx2, []string{"trygg", "serve"}, envOf(env), out2, logs2) }()
	waitReady(t, "http://"+waitListening(t, logs2, done2))
	cancel2()
	if err := <-done2; err != nil {
		t.Errorf("second run: %v", err)
	}
	if strings.Contains(out2.String(), "demo:") || strings.Contains(logs2.String(), "migration applied") {
		t.Errorf("second start loaded demo data or migrated again: %s %s", out2, logs2)
	}
}

func TestConfigErrors(t *testing.T) {
	good := "postgres:///trygg?host=/nonexistent"
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no command", []string{"trygg"}, nil, "no command"},
		{"unknown command", []string{"trygg", "fly"}, nil, `unknown command "fly"`},
		{"no database", []string{"trygg", "serve"}, nil, "DATABASE_URL is not set"},
		{"bad database url", []string{"trygg", "migrate"}, map[string]string{"DATABASE_URL": "postgres://a b:c@/"}, "invalid DATABASE_URL"},
		{"bad log level", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_LOG_LEVEL": "loud"}, "invalid TRYGG_LOG_LEVEL"},
		{"bad timeout", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_STATEMENT_TIMEOUT": "soon"}, "invalid TRYGG_STATEMENT_TIMEOUT"},
		{"negative timeout", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_WRITE_TIMEOUT": "-1s"}, "invalid TRYGG_WRITE_TIMEOUT"},
		{"bad addr", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_ADDR": "8080"}, "invalid TRYGG_ADDR"},
		{"bad bool", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_MIGRATE": "perhaps"}, "invalid TRYGG_MIGRATE"},
		{"bad body limit", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_MAX_BODY_BYTES": "-5"}, "invalid TRYGG_MAX_BODY_BYTES"},
		{"missing basemap", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_BASEMAP": "/nonexistent/basemap.pmtiles"}, "invalid TRYGG_BASEMAP"},
		{"not a basemap", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_BASEMAP": "run_test.go"}, "neither a PMTiles nor an MBTiles"},
		{"flag overrides a bad variable", []string{"trygg", "serve", "-log-level", "debug"},
			map[string]string{"DATABASE_URL": good, "TRYGG_LOG_LEVEL": "loud", "TRYGG_ADDR": "x"}, "invalid TRYGG_ADDR"},
		{"bad flag", []string{"trygg", "serve", "-nope"}, nil, "flag provided but not defined"},
		{"import without file", []string{"trygg", "import", "municipalities"}, map[string]string{"DATABASE_URL": good}, "usage: trygg import"},
		{"import of what", []string{"trygg", "import", "stuff"}, nil, "usage: trygg import"},
		{"bad environment", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_ENV": "prod"}, "invalid TRYGG_ENV"},
		{"demo in production", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_ENV": "production", "TRYGG_DEMO": "1"}, "not allowed"},
		{"bad report rate", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_REPORT_RATE": "ten"}, "invalid TRYGG_REPORT_RATE"},
		{"bad grid", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_PUBLIC_GRID_M": "-5"}, "invalid TRYGG_PUBLIC_GRID_M"},
		{"bad retention", []string{"trygg", "maintenance", "retention"}, map[string]string{"DATABASE_URL": good, "TRYGG_CONTACT_RETENTION": "90d"}, "invalid TRYGG_CONTACT_RETENTION"},
		{"maintenance of what", []string{"trygg", "maintenance"}, nil, "usage: trygg maintenance"},
		{"bad proxies", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_TRUSTED_PROXIES": "10.0.0.0/33"}, "invalid TRYGG_TRUSTED_PROXIES"},
		{"relative public url", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_PUBLIC_URL": "/gis"}, "invalid TRYGG_PUBLIC_URL"},
		{"public url with query", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_PUBLIC_URL": "https://trygg.example.se/?a=1"}, "invalid TRYGG_PUBLIC_URL"},
		{"bad pool size", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_DB_MAX_CONNS": "many"}, "invalid TRYGG_DB_MAX_CONNS"},
		{"no pool", []string{"trygg", "migrate"}, map[string]string{"DATABASE_URL": good, "TRYGG_DB_MAX_CONNS": "0"}, "invalid TRYGG_DB_MAX_CONNS"},
		{"limits take the pool", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_DB_MAX_CONNS": "8",
			"TRYGG_LIMIT_ANALYSES": "6", "TRYGG_LIMIT_COLD_TILES": "1", "TRYGG_LIMIT_LARGE_PAGES": "1"}, "must leave some of TRYGG_DB_MAX_CONNS (8)"},
		{"no analyses", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_LIMIT_ANALYSES": "0"}, "invalid TRYGG_LIMIT_ANALYSES"},
		{"bad queue wait", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_QUEUE_WAIT": "a bit"}, "invalid TRYGG_QUEUE_WAIT"},
		{"smtp url scheme", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_SMTP_URL": "http://mail.example.se",
			"TRYGG_MAIL_FROM": "a@example.se", "TRYGG_PUBLIC_URL": "https://trygg.example.se"}, "invalid TRYGG_SMTP_URL"},
		{"smtp without from", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_SMTP_URL": "smtp://mail.example.se",
			"TRYGG_PUBLIC_URL": "https://trygg.example.se"}, "TRYGG_MAIL_FROM is not set"},
		{"smtp without public url", []string{"trygg", "serve"}, map[string]string{"DATABASE_URL": good, "TRYGG_SMTP_URL": "smtps://u:p@mail.example.se",
			"TRYGG_MAIL_FROM": "Trygg <no-reply@example.se>"}, "needs TRYGG_PUBLIC_URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tc.args, envOf(tc.env), &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"trygg", "help"}, envOf(nil), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"serve", "migrate", "import municipalities FILE", "demo", "version"} {
		if !strings.Contains(out.String(), cmd) {
			t.Errorf("help lacks %q", cmd)
		}
	}
	for _, cmd := range [][]string{{"serve"}, {"migrate"}, {"demo"}, {"import", "municipalities"}, {"user", "add"}, {"user", "passwd"}, {"token", "create"}, {"token", "revoke"}, {"maintenance", "retention"}} {
		out.Reset()
		errOut.Reset()
		args := append(append([]string{"trygg"}, cmd...), "-h")
		if err := run(context.Background(), args, envOf(nil), &out, &errOut); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(errOut.String()+out.String(), "DATABASE_URL") {
			t.Errorf("%v -h does not explain DATABASE_URL:\n%s", args, errOut.String())
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"trygg", "version"}, envOf(nil), &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "trygg ") {
		t.Errorf("version: %v %q", err, out.String())
	}
}

func TestImportAndMigrateCommands(t *testing.T) {
	url := pgtest.EmptyURL(t)
	env := envOf(map[string]string{"DATABASE_URL": url})
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"trygg", "import", "municipalities", "../../demo/scb_kommuner_3006.geojson"}, env, &out, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "trygg migrate") {
		t.Errorf("import before migrate: got %v, want advice to run trygg migrate", err)
	}
	out.Reset()
	if err := run(ctx, []string{"trygg", "migrate"}, env, &out, io.Discard); err != nil || !strings.Contains(out.String(), "applied") {
		t.Fatalf("migrate: %v %q", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"trygg", "migrate"}, env, &out, io.Discard); err != nil || !strings.Contains(out.String(), "up to date") {
		t.Errorf("second migrate: %v %q", err, out.String())
	}

	out.Reset()
	if err := run(ctx, []string{"trygg", "import", "municipalities", "../../demo/scb_kommuner_3006.geojson"}, env, &out, io.Discard); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	for _, want := range []string{"read 290 features (EPSG:3006)", "writing 290/290 (100%)", "inserted 290, updated 0, unchanged 0, rejected 0"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("import output lacks %q:\n%s", want, out.String())
		}
	}

	// A file with one broken feature is refused whole, with the feature and reason.
	bad := filepath.Join(t.TempDir(), "bad.geojson")
	os.WriteFile(bad, []byte(`{"type":"FeatureCollection","features":[
	 {"type":"Feature","properties":{"KnKod":"1470","KnNamn":"Ny Vara"},"geometry":{"type":"Polygon","coordinates":[[[13,58],[13.1,58],[13.1,58.1],[13,58.1],[13,58]]]}},
	 {"type":"Feature","properties":{"KnKod":"1471","KnNamn":"Fluga"},"geometry":{"type":"Polygon","coordinates":[[[13,58],[13.1,58.1],[13.1,58],[13,58.1],[13,58]]]}}
	]}`), 0o644)
	out.Reset()
	err := run(ctx, []string{"trygg", "import", "municipalities", bad}, env, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "nothing was written") {
		t.Errorf("broken import: got %v, want an error saying nothing was written", err)
	}
	if !strings.Contains(out.String(), "rejected: feature 1 (code 1471): invalid boundary: Self-intersection") {
		t.Errorf("broken import output lacks the rejected feature:\n%s", out.String())
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	var name string
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM municipality), (SELECT name FROM municipality WHERE code = '1470')`).Scan(&n, &name); err != nil {
		t.Fatal(err)
	}
	if n != 290 || name != "Vara" {
		t.Errorf("after the refused import: %d rows, Vara named %q; want 290 and Vara unchanged", n, name)
	}
}

// TestSIGTERMFinishesRequest builds the real binary, starts a request that waits on a
// table lock, sends SIGTERM, and checks the request still completes with 200 before the
// process exits 0.
func TestSIGTERMFinishesRequest(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "trygg")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	url := pgtest.URL(t)
	ctx := context.Background()
	if err := run(ctx, []string{"trygg", "demo"}, envOf(map[string]string{"DATABASE_URL": url}), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(bin, "serve", "-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() //nolint:errcheck
	logs := &syncBuffer{}
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			logs.Write(append(s.Bytes(), '\n')) //nolint:errcheck
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	base := "http://" + waitListening(t, logs, exited)
	waitReady(t, base)

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE municipality IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}

	type result struct {
		status int
		n      int
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get(base + "/api/v1/municipalities")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		var fc struct{ Features []json.RawMessage }
		err = json.NewDecoder(resp.Body).Decode(&fc)
		got <- result{status: resp.StatusCode, n: len(fc.Features), err: err}
	}()

	// Wait until the request's query is blocked on the lock inside PostgreSQL.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the request never reached the database")
		}
		time.Sleep(20 * time.Millisecond)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	select {
	case err := <-exited:
		t.Fatalf("process exited (%v) with a request in flight", err)
	case <-got:
		t.Fatal("the request ended while its query was still blocked")
	default:
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("no shutdown log line after SIGTERM:\n%s", logs)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("new connections still accepted after SIGTERM")
	}

	if err := tx.Rollback(ctx); err != nil { // release the lock
		t.Fatal(err)
	}
	select {
	case r := <-got:
		if r.err != nil || r.status != http.StatusOK || r.n != 5 {
			t.Errorf("in-flight request: status %d, %d features, err %v; want 200 with 5", r.status, r.n, r.err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("in-flight request did not finish")
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("process exit: %v, want 0\n%s", err, logs)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("process did not exit after its last request")
	}
}
