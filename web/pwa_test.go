package web_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg/web"
	"github.com/trygg-gis/trygg/web/internal/pwaicon"
)

func getter(t *testing.T) func(path string) (*http.Response, []byte) {
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "nope", http.StatusNotFound) })
	h := web.Handler(notFound)
	return func(path string) (*http.Response, []byte) {
		t.Helper()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		resp := w.Result()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
}

// cssColour is the value of a custom property in web/src/style.css.
func cssColour(t *testing.T, name string) string {
	t.Helper()
	css, err := os.ReadFile("src/style.css")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(name) + `:\s*(#[0-9a-fA-F]{6});`).FindSubmatch(css)
	if m == nil {
		t.Fatalf("style.css has no %s", name)
	}
	return strings.ToLower(string(m[1]))
}

// The manifest is valid JSON with the Swedish name, and its icons are PNGs of the
// sizes it states (192 and 512, and a maskable one), drawn by pwaicon; its colours are
// style.css's; the page links it and carries the same theme colour.
func TestManifest(t *testing.T) {
	get := getter(t)
	resp, body := get("/manifest.webmanifest")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/manifest+json" {
		t.Fatalf("GET /manifest.webmanifest: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var m struct {
		Name            string `json:"name"`
		ShortName       string `json:"short_name"`
		Lang            string `json:"lang"`
		StartURL        string `json:"start_url"`
		Scope           string `json:"scope"`
		Display         string `json:"display"`
		ThemeColor      string `json:"theme_color"`
		BackgroundColor string `json:"background_color"`
		Icons           []struct {
			Src     string `json:"src"`
			Sizes   string `json:"sizes"`
			Type    string `json:"type"`
			Purpose string `json:"purpose"`
		} `json:"icons"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("manifest: %v\n%s", err, body)
	}
	if !json.Valid(body) {
		t.Fatalf("manifest is not valid JSON")
	}
	if m.Name != "Trygg – trygghet i din kommun" || m.ShortName != "Trygg" || m.Lang != "sv" || m.StartURL != "/" ||
		m.Scope != "/" || m.Display != "standalone" {
		t.Errorf("manifest: %+v", m)
	}
	if m.ThemeColor != cssColour(t, "--accent") || m.BackgroundColor != cssColour(t, "--bg") {
		t.Errorf("colours %s on %s, want style.css's --accent %s on --bg %s", m.ThemeColor, m.BackgroundColor,
			cssColour(t, "--accent"), cssColour(t, "--bg"))
	}
	var sizes []string
	maskable := false
	for _, ic := range m.Icons {
		resp, b := get(ic.Src)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || ic.Type != "image/png" {
			t.Errorf("%s: status %d, type %q (manifest %q)", ic.Src, resp.StatusCode, resp.Header.Get("Content-Type"), ic.Type)
			continue
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Errorf("%s: %v", ic.Src, err)
			continue
		}
		w, h, ok := strings.Cut(ic.Sizes, "x")
		if bs := img.Bounds(); !ok || strconv.Itoa(bs.Dx()) != w || strconv.Itoa(bs.Dy()) != h {
			t.Errorf("%s is %v, the manifest says %s", ic.Src, img.Bounds(), ic.Sizes)
		}
		sizes = append(sizes, ic.Sizes)
		maskable = maskable || ic.Purpose == "maskable"
		// The committed file is what pwaicon draws (go generate ./web remakes them).
		i := slices.IndexFunc(pwaicon.Icons, func(x pwaicon.Icon) bool { return "/icons/"+x.Name == ic.Src })
		if i < 0 {
			t.Errorf("%s is not one of pwaicon.Icons", ic.Src)
			continue
		}
		want := pwaicon.Draw(pwaicon.Icons[i].Size, pwaicon.Icons[i].Maskable)
		if !samePixels(img, want) {
			t.Errorf("%s differs from pwaicon.Draw: run go generate ./web", ic.Src)
		}
		if (ic.Purpose == "maskable") != pwaicon.Icons[i].Maskable {
			t.Errorf("%s: purpose %q", ic.Src, ic.Purpose)
		}
	}
	if !slices.Contains(sizes, "192x192") || !slices.Contains(sizes, "512x512") || !maskable {
		t.Errorf("icons %v (maskable %v), want 192 and 512 and a maskable one", sizes, maskable)
	}
	// A maskable icon fills its square; the safe zone holds the whole pin.
	mask := pwaicon.Draw(512, true)
	if _, _, _, a := mask.At(0, 0).RGBA(); a != 0xffff {
		t.Errorf("the maskable icon's corner is not opaque")
	}

	_, page := get("/")
	for _, want := range []string{`<link rel="manifest" href="/manifest.webmanifest">`, `<meta name="theme-color" content="` + m.ThemeColor + `">`} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the page lacks %s", want)
		}
	}
}

func samePixels(a image.Image, b *image.RGBA) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			// PNG stores unpremultiplied colour: edges round differently.
			for _, d := range []int{int(r1>>8) - int(r2>>8), int(g1>>8) - int(g2>>8), int(b1>>8) - int(b2>>8), int(a1>>8) - int(a2>>8)} {
				if d < -2 || d > 2 {
					return false
				}
			}
		}
	}
	return true
}

// The service worker is served for scope / without caching, with its precache list
// filled in: the shell, every file of which the server serves.
func TestServiceWorker(t *testing.T) {
	get := getter(t)
	resp, body := get("/sw.js")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") ||
		resp.Header.Get("Service-Worker-Allowed") != "/" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("GET /sw.js: %d %v", resp.StatusCode, resp.Header)
	}
	if bytes.Contains(body, []byte("__TRYGG_")) {
		t.Fatalf("sw.js still has a placeholder")
	}
	v := regexp.MustCompile(`const VERSION = '([A-Za-z0-9_-]{12})';`).FindSubmatch(body)
	m := regexp.MustCompile(`const PRECACHE = (\[[^\]]*\]);`).FindSubmatch(body)
	if v == nil || m == nil {
		t.Fatalf("sw.js has no VERSION or PRECACHE")
	}
	var list []string
	if err := json.Unmarshal(m[1], &list); err != nil {
		t.Fatal(err)
	}
	if len(list) < 3 || list[0] != "/" || !slices.Contains(list, "/manifest.webmanifest") || !slices.Contains(list, "/icons/icon-192.png") {
		t.Errorf("precache %v", list)
	}
	if _, err := os.Stat("static/dist/app.js"); err == nil && !slices.Contains(list, "/dist/app.js") {
		t.Errorf("precache %v lacks the bundle", list)
	}
	for _, p := range list {
		if resp, _ := get(p); resp.StatusCode != http.StatusOK {
			t.Errorf("precached %s: status %d", p, resp.StatusCode)
		}
		if strings.HasPrefix(p, "/dist/fonts/") || strings.HasSuffix(p, ".json") {
			t.Errorf("precached %s: glyphs and data are cached as they are fetched", p)
		}
	}
}
