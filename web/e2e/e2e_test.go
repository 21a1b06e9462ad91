// Package e2e_test is Trygg's browser test: the real server (api.New on a fresh
// migrated database with the demo data) and Debian's chromium, driven by run.mjs with
// playwright-core. It needs TRYGG_TEST_DATABASE_URL (make test sets it), node, the npm
// packages in web/node_modules and the built bundle (npm ci and npm run build in web/,
// which make test runs first), and /usr/bin/chromium. Anything missing fails the test
// with how to install it: it is never skipped.
package e2e_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/auth"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

const moderatorPassword = "E2e-Moderator-Password-2026"

func TestBrowser(t *testing.T) {
	node := need(t, "node", "install Node.js 20 (apt-get install -y nodejs npm)")
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("%s is missing: apt-get install -y --no-install-recommends chromium (make test installs it as root)", chromium)
	}
	webDir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"node_modules/playwright-core/package.json", "static/dist/app.js"} {
		if _, err := os.Stat(filepath.Join(webDir, f)); err != nil {
			t.Fatalf("web/%s is missing: run `make build` (npm ci and npm run build in web/) first", f)
		}
	}

	base := startServer(t)
	out := filepath.Join(webDir, "e2e", "out")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(webDir, "e2e", "run.mjs"), base, out)
	cmd.Dir = webDir
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium,
		"E2E_MODERATOR_EMAIL="+demo.DemoEmail(trygg.RoleModerator, "kommun-1470"),
		"E2E_MODERATOR_PASSWORD="+moderatorPassword)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	start := time.Now()
	err = cmd.Run()
	t.Logf("browser test (%s), screenshots in %s:\n%s", time.Since(start).Round(time.Millisecond), out, buf.String())
	if err != nil {
		t.Fatalf("node run.mjs: %v", err)
	}
}

// startServer serves the API and the app on a fresh database with the demo data and a
// moderator of Vara with a known password, connected as production connects (the role
// row-level security applies to), and returns its URL.
func startServer(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	owner, url := pgtest.Open(t)
	if err := demo.Load(ctx, owner, nil); err != nil {
		t.Fatal(err)
	}
	for _, o := range demo.Organisations() {
		if err := owner.UpsertOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	hash, err := auth.HashPassword(moderatorPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.CreateUser(ctx, demo.DemoEmail(trygg.RoleModerator, "kommun-1470"), trygg.RoleModerator, "kommun-1470", hash, false); err != nil {
		t.Fatal(err)
	}
	db, err := postgis.Open(ctx, url, postgis.Options{Role: postgis.AppRole})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	srv := httptest.NewServer(api.New(db, slog.New(slog.NewTextHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})), api.DefaultOptions()))
	t.Cleanup(srv.Close)
	return srv.URL
}

// testWriter logs the server's warnings and errors into the test's log.
type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

func need(t *testing.T, name, hint string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is missing: %s", name, hint)
	}
	return p
}
