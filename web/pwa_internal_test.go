package web

import (
	"strings"
	"testing"
)

// A new build (a changed file of the shell) is a new worker version, so a new cache;
// a file outside the shell (a glyph range) is not.
func TestServiceWorkerVersion(t *testing.T) {
	version := func(app, glyphs string) string {
		files := map[string]*file{
			"/sw.js":                    newFile("sw.js", []byte("const VERSION = '__TRYGG_VERSION__';\nconst PRECACHE = ['__TRYGG_PRECACHE__'];\n"), nil, nil),
			"/index.html":               newFile("index.html", []byte("<!doctype html>"), nil, nil),
			"/dist/app.js":              newFile("app.js", []byte(app), nil, nil),
			"/dist/fonts/x/0-255.pbf":   newFile("0-255.pbf", []byte(glyphs), nil, nil),
			"/manifest.webmanifest":     newFile("manifest.webmanifest", []byte("{}"), nil, nil),
			"/dist/basemap-layers.json": newFile("basemap-layers.json", []byte("[]"), nil, nil),
		}
		addPWA(files)
		body := string(files["/sw.js"].body)
		if !strings.Contains(body, `const PRECACHE = ["/","/dist/app.js","/manifest.webmanifest"];`) {
			t.Errorf("sw.js: %s", body)
		}
		if files["/manifest.webmanifest"].ctype != ManifestType {
			t.Errorf("manifest type %q", files["/manifest.webmanifest"].ctype)
		}
		v, _, _ := strings.Cut(strings.TrimPrefix(body, "const VERSION = '"), "'")
		return v
	}
	a, b, c := version("one", "g"), version("two", "g"), version("one", "h")
	if a == b {
		t.Errorf("a changed app.js keeps version %s", a)
	}
	if a != c {
		t.Errorf("a changed glyph range changes the version: %s, %s", a, c)
	}
}
