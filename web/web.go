// Package web is Trygg's browser app, embedded in the binary and served at /.
//
// The app's source is in src/ (vanilla JS modules and CSS); esbuild bundles it with
// MapLibre GL JS into static/dist/ (build.mjs, run by `make build` and `make test`).
// A clean clone without the bundle still compiles: static/dist/ then holds only its
// README, and the page says that the app is not built.
//
// The pages (/, /rapport/{id}, /moderation, /planner) are one HTML shell, index.html,
// with the configuration in a meta element; the app picks the view from the path.
// Files are held in memory with their gzip encoding and a strong ETag, made once at the
// first request.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"html"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

//go:embed static
var static embed.FS

// Options configure the app.
type Options struct {
	// BasemapStyle is the URL of a MapLibre style drawn under Trygg's layers; "" for
	// none, so the map works offline on a plain background.
	BasemapStyle string
}

// config is what the page reads from <meta name="trygg-config">.
type config struct {
	BasemapStyle string `json:"basemap_style,omitempty"`
	Built        bool   `json:"built"`
}

// Handler serves the app with the default options; a path with no file or page goes to
// notFound.
func Handler(notFound http.Handler) http.Handler {
	return New(notFound, Options{})
}

// New serves the app with opts; a path with no file or page goes to notFound.
func New(notFound http.Handler, opts Options) http.Handler {
	load := sync.OnceValue(func() map[string]*file { return loadFiles(opts) })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		files := load()
		name := path.Clean("/" + r.URL.Path)
		if isPage(name) {
			name = "/index.html"
		}
		if rest, ok := strings.CutPrefix(name, "/fonts/"); ok {
			if f := glyphs(files, rest); f != nil {
				f.serve(w, r)
				return
			}
		}
		f, ok := files[name]
		if !ok || name == "/dist/README.md" {
			notFound.ServeHTTP(w, r)
			return
		}
		pwaHeaders(w, name)
		f.serve(w, r)
	})
}

// Font is the one font the app ships, for the basemap's labels.
const Font = "Noto Sans Regular"

// emptyGlyphs is a glyph range with no glyphs (an empty protocol buffer message).
var emptyGlyphs = &file{ctype: "application/x-protobuf", body: []byte{}, etag: `"empty-glyphs"`}

// glyphs finds the glyph range of /fonts/{fontstack}/{range}.pbf: from the first font of
// the stack that is shipped, else from Font; a range of a valid start that is not
// shipped (scripts beyond Latin, Greek and Cyrillic) is empty. nil for a bad path.
func glyphs(files map[string]*file, rest string) *file {
	stack, rng, ok := strings.Cut(rest, "/")
	r, ok2 := strings.CutSuffix(rng, ".pbf")
	lo, hi, ok3 := strings.Cut(r, "-")
	start, err1 := strconv.Atoi(lo)
	end, err2 := strconv.Atoi(hi)
	if !ok || !ok2 || !ok3 || err1 != nil || err2 != nil || start < 0 || start%256 != 0 || end != start+255 || end > 65535 {
		return nil
	}
	if _, built := files["/dist/basemap-layers.json"]; !built {
		return nil
	}
	for _, font := range append(strings.Split(stack, ","), Font) {
		if f, ok := files["/dist/fonts/"+strings.TrimSpace(font)+"/"+rng]; ok {
			return f
		}
	}
	return emptyGlyphs
}

// BasemapLayers returns the self-hosted basemap's MapLibre layers (source "basemap",
// the Protomaps schema, labelled in Swedish in Font), made by build.mjs; nil when the
// app is not built.
func BasemapLayers() ([]any, error) {
	b, err := static.ReadFile("static/dist/basemap-layers.json")
	if err != nil {
		return nil, nil //nolint:nilerr // not built: no layers
	}
	var layers []any
	return layers, json.Unmarshal(b, &layers)
}

// isPage reports whether p is one of the app's views.
func isPage(p string) bool {
	switch p {
	case "/followup":
		return true
	case "/cameras":
		return true
	case "/", "/moderation", "/planner":
		return true
	}
	id, ok := strings.CutPrefix(p, "/rapport/")
	return ok && id != "" && !strings.Contains(id, "/")
}

// file is one file of the app, ready to send.
type file struct {
	ctype string
	body  []byte
	gz    []byte // nil when gzip does not pay
	etag  string
}

func loadFiles(opts Options) map[string]*file {
	root, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree always has static/
	}
	_, err = fs.Stat(root, "dist/app.js")
	built := err == nil
	files := map[string]*file{}
	fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error { //nolint:errcheck // embedded files do not fail
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		if p == "index.html" {
			b = withConfig(b, config{BasemapStyle: opts.BasemapStyle, Built: built})
		}
		files["/"+p] = newFile(p, b)
		return nil
	})
	addPWA(files)
	return files
}

// withConfig fills the page's <meta name="trygg-config" content="{}">.
func withConfig(page []byte, c config) []byte {
	j, _ := json.Marshal(c)
	return bytes.Replace(page, []byte(`content="{}"`), []byte(`content="`+html.EscapeString(string(j))+`"`), 1)
}

func newFile(name string, b []byte) *file {
	ctype := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".mjs", ".js":
		ctype = "text/javascript; charset=utf-8"
	case ".pbf":
		ctype = "application/x-protobuf"
	case "":
		ctype = "application/octet-stream"
	}
	sum := sha256.Sum256(b)
	f := &file{ctype: ctype, body: b, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`}
	if len(b) >= 1024 && !strings.HasPrefix(ctype, "image/png") {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(b) //nolint:errcheck // writes to a bytes.Buffer do not fail
		zw.Close()  //nolint:errcheck // as above
		if buf.Len() < len(b)*9/10 {
			f.gz = buf.Bytes()
		}
	}
	return f
}

// serve answers r with f: 304 on a matching If-None-Match, gzip when accepted. Every
// response is revalidated (no-cache): the names carry no version, and a 304 is cheap.
func (f *file) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", f.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	if f.gz != nil {
		h.Add("Vary", "Accept-Encoding")
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := f.body
	if f.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body) //nolint:errcheck // the client may be gone
	}
}

func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		return !ok || strings.Trim(q, "0.") != ""
	}
	return false
}
