package e2e_test

import (
	"bytes"
	"image/png"
	"os"
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
	b := needBrowser(t)
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
	b.run(t, 3*time.Minute, "photos.mjs", []string{base, b.out},
		"E2E_MODERATOR_EMAIL="+demo.DemoEmail(trygg.RoleModerator, "kommun-1470"),
		"E2E_MODERATOR_PASSWORD="+moderatorPassword,
		"E2E_PHOTO="+withExif, "E2E_PHOTO2="+secondPath, "E2E_PHOTO3="+thirdPath)
}
