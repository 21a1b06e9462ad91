package e2e_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/photo/phototest"
)

// TestPhotosBrowser: a resident reports a place on a phone and adds, on the receipt,
// a photo as a phone takes it (EXIF with GPS, maker note, orientation 6), a second and
// a third, which it removes again; the served bytes carry no EXIF; the status page shows both thumbnails; the
// moderator sees them, removes one and publishes; a stranger's status page shows the
// other (photos.mjs).
func TestPhotosBrowser(t *testing.T) {
	node := need(t, "node", "install Node.js 20 (apt-get install -y nodejs npm)")
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	webDir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	withExif := filepath.Join(dir, "IMG_0042.jpg")
	if err := os.WriteFile(withExif, phototest.JPEGWithExif(phototest.Picture(1200, 900), 6), 0o644); err != nil {
		t.Fatal(err)
	}
	var second bytes.Buffer
	if err := png.Encode(&second, phototest.Picture(300, 200)); err != nil {
		t.Fatal(err)
	}
	secondPath := filepath.Join(dir, "skarmbild.png")
	if err := os.WriteFile(secondPath, second.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	var third bytes.Buffer
	if err := png.Encode(&third, phototest.Picture(200, 300)); err != nil {
		t.Fatal(err)
	}
	thirdPath := filepath.Join(dir, "tredje.png")
	if err := os.WriteFile(thirdPath, third.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	base := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(webDir, "e2e", "photos.mjs"), base, filepath.Join(webDir, "e2e", "out"))
	cmd.Dir = webDir
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium,
		"E2E_MODERATOR_EMAIL="+demo.DemoEmail(trygg.RoleModerator, "kommun-1470"),
		"E2E_MODERATOR_PASSWORD="+moderatorPassword,
		"E2E_PHOTO="+withExif, "E2E_PHOTO2="+secondPath, "E2E_PHOTO3="+thirdPath)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err = cmd.Run()
	t.Logf("photos.mjs:\n%s", buf.String())
	if err != nil {
		t.Fatalf("node photos.mjs: %v", err)
	}
}
