package e2e_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/trygg-gis/trygg/postgis"
)

// browser is what every browser test runs with: node, Debian's chromium, the npm
// packages in web/node_modules and the built bundle.
type browser struct {
	node, chromium string
	webDir         string // web/
	out            string // web/e2e/out, the screenshots and figures
}

// needBrowser finds node, chromium (CHROMIUM, else /usr/bin/chromium), playwright-core
// and the bundle; anything missing fails the test with how to install it: a browser test
// is never skipped.
func needBrowser(t *testing.T) browser {
	t.Helper()
	b := browser{node: need(t, "node", "install Node.js 20 (apt-get install -y nodejs npm)"), chromium: os.Getenv("CHROMIUM")}
	if b.chromium == "" {
		b.chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(b.chromium); err != nil {
		t.Fatalf("%s is missing: apt-get install -y --no-install-recommends chromium (make test installs it as root)", b.chromium)
	}
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	b.webDir, b.out = dir, filepath.Join(dir, "e2e", "out")
	for _, f := range []string{"node_modules/playwright-core/package.json", "static/dist/app.js"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("web/%s is missing: run `make build` (npm ci and npm run build in web/) first", f)
		}
	}
	return b
}

// run runs web/e2e/SCRIPT with node and args, its environment with CHROMIUM and env
// added, for at most limit; it logs and returns what the script printed and fails the
// test when it exits non-zero.
func (b browser) run(t *testing.T, limit time.Duration, script string, args []string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.node, append([]string{filepath.Join(b.webDir, "e2e", script)}, args...)...)
	cmd.Dir = b.webDir
	cmd.Env = append(append(os.Environ(), "CHROMIUM="+b.chromium), env...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	start := time.Now()
	err := cmd.Run()
	t.Logf("%s (%s), screenshots in %s:\n%s", script, time.Since(start).Round(time.Millisecond), b.out, buf.String())
	if err != nil {
		t.Fatalf("node %s: %v", script, err)
	}
	return buf.String()
}

func need(t *testing.T, name, hint string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is missing: %s", name, hint)
	}
	return p
}

// appDB connects to the test database at url as production does (postgis.AppRole, under
// row-level security) with opts; closed when the test ends.
func appDB(t *testing.T, url string, opts postgis.Options) *postgis.DB {
	t.Helper()
	opts.Role = postgis.AppRole
	db, err := postgis.Open(context.Background(), url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// testLog is the server's log in a browser test: warnings and errors, into the test's log.
func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
