package e2e_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
)

// TestPatrolPhone runs patrol_phone.mjs: the patrol tab for an officer on a phone
// (390×844, touch, geolocation granted) against the real server with the demo data.
// Its screenshots (20*-phone-patrol-*.png) go to web/e2e/out.
func TestPatrolPhone(t *testing.T) {
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
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out := filepath.Join(webDir, "e2e", "out")
	cmd := exec.CommandContext(ctx, node, filepath.Join(webDir, "e2e", "patrol_phone.mjs"), base, out)
	cmd.Dir = webDir
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium,
		"E2E_POLICE_EMAIL="+demo.DemoEmail(trygg.RolePolice, policeOrg), "E2E_POLICE_PASSWORD="+policePassword)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	start := time.Now()
	err = cmd.Run()
	t.Logf("phone patrol test (%s), screenshots in %s:\n%s", time.Since(start).Round(time.Millisecond), out, buf.String())
	if err != nil {
		t.Fatalf("node patrol_phone.mjs: %v", err)
	}
}
