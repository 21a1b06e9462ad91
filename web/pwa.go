package web

// The installable app: the web app manifest, its icons and the service worker
// (static/sw.js), which caches the app shell so that the pages reload offline.

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"path"
	"slices"
	"strings"
)

//go:generate go run ./pwaicons static/icons

// ManifestType is the media type of the web app manifest.
const ManifestType = "application/manifest+json"

// addPWA types the manifest and fills the service worker with the shell it precaches
// (precache) and a version that changes with any of those files, so a new build
// installs a new worker, whose new cache replaces the old one.
func addPWA(files map[string]*file) {
	if f := files["/manifest.webmanifest"]; f != nil {
		f.ctype = ManifestType
	}
	sw := files["/sw.js"]
	if sw == nil {
		return
	}
	list := precache(files)
	h := sha256.New()
	h.Write(sw.body) //nolint:errcheck // hashes do not fail
	for _, p := range list {
		f := files[p]
		if p == "/" {
			f = files["/index.html"]
		}
		if f != nil {
			h.Write([]byte(p + " " + f.etag + "\n")) //nolint:errcheck // as above
		}
	}
	version := base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:9])
	names, _ := json.Marshal(list)
	body := strings.Replace(string(sw.body), "'__TRYGG_VERSION__'", "'"+version+"'", 1)
	body = strings.Replace(body, "['__TRYGG_PRECACHE__']", string(names), 1)
	files["/sw.js"] = newFile("sw.js", []byte(body), nil, nil)
}

// precache lists the app shell: the page (/), the bundle's scripts and styles in
// /dist/ (every chunk, so that any page's code is there offline), the manifest and
// the icon the page names. The map's glyphs and data are cached as they are fetched.
func precache(files map[string]*file) []string {
	list := []string{"/"}
	for p := range files {
		switch {
		case strings.HasPrefix(p, "/dist/") && !strings.HasPrefix(p, "/dist/fonts/"):
			switch path.Ext(p) {
			case ".js", ".mjs", ".css":
				list = append(list, p)
			}
		case p == "/manifest.webmanifest", p == "/icons/icon-192.png":
			list = append(list, p)
		}
	}
	slices.Sort(list[1:])
	return list
}

// pwaHeaders adds what the service worker's answer needs besides the file's own
// headers (no-cache, so the browser checks for a new worker at every visit).
func pwaHeaders(w http.ResponseWriter, name string) {
	if name == "/sw.js" {
		w.Header().Set("Service-Worker-Allowed", "/")
	}
}
