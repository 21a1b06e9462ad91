// Package web is Trygg's browser app, embedded in the binary and served at /.
//
// The app's source is in src/ (vanilla JS modules and CSS); esbuild bundles it with
// MapLibre GL JS into static/dist/ (build.mjs, run by `make build` and `make test`).
// A clean clone without the bundle still compiles: static/dist/ then holds only its
// README, and the page says that the app is not built.
//
// The pages (/, /rapport/{id}, /moderation, /planner, …) are one HTML shell, index.html,
// with the configuration in a meta element; the app picks the view from the path and
// loads the view's code on demand (dist/app.js imports VIEW-HASH.js). Each page names
// its view's chunks in <link rel="modulepreload"> (from dist/assets.json, written by
// build.mjs), so they load in parallel with app.js rather than one after the other.
//
// Files are held in memory with their encodings: brotli and gzip precompressed by
// build.mjs (FILE.br, FILE.gz beside FILE), else gzip made at the first request when it
// pays. A response is br when the request accepts br, else gzip when it accepts gzip,
// else identity, with Vary: Accept-Encoding and a strong ETag per encoding; Range, HEAD
// and conditional requests are http.ServeContent's. Files with the hash of their content
// in their name (assets.json's immutable list) are cached for a year as immutable;
// app.js, app.css, the pages and everything else are revalidated on every use (no-cache
// with the ETag), since a stale app.js would name chunks a new version no longer has.
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
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed static
var static embed.FS

// Options configure the app.
type Options struct {
	// BasemapStyle is the URL of a MapLibre style drawn under Trygg's layers; "" for
	// none, so the map works offline on a plain background.
	BasemapStyle string
	// Basemap tells that the map draws the self-hosted basemap (TRYGG_BASEMAP, and no
	// BasemapStyle replaces it): the resident page then preloads its TileJSON and the
	// Latin range of the app's glyphs, which the first tile with labels waits for.
	Basemap bool
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
	return newHandler(static, notFound, opts)
}

// newHandler serves the app from the tree in fsys (static/…).
func newHandler(fsys fs.FS, notFound http.Handler, opts Options) http.Handler {
	load := sync.OnceValue(func() *site { return loadSite(fsys, opts) })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := load()
		files := s.files
		name := path.Clean("/" + r.URL.Path)
		if isPage(name) {
			if f, ok := s.pages[pageView(name)]; ok {
				f.serve(w, r)
				return
			}
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
var emptyGlyphs = &file{ctype: "application/x-protobuf", cache: cacheRevalidate, body: []byte{}, etag: "empty-glyphs"}

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

// pageView is the view main.js opens at the page p (isPage), whose chunks the page
// preloads; "" for a page it does not know.
func pageView(p string) string {
	switch p {
	case "/":
		return "resident"
	case "/moderation", "/planner", "/followup", "/cameras":
		return p[1:]
	}
	if strings.HasPrefix(p, "/rapport/") {
		return "status"
	}
	return ""
}

// assets is dist/assets.json, written by build.mjs.
type assets struct {
	Entry       string              `json:"entry"`
	MapLibre    string              `json:"maplibre"`    // the chunk with MapLibre
	Worker      string              `json:"worker"`      // MapLibre's worker
	EntryChunks []string            `json:"entryChunks"` // what the entry imports statically
	Views       map[string][]string `json:"views"`       // each view's chunks beyond those
	Immutable   []string            `json:"immutable"`   // dist files with their hash in their name
}

// site is the app's files by path, and the page of each view (index.html with the
// view's modulepreload links).
type site struct {
	files map[string]*file
	pages map[string]*file
}

// file is one file of the app, ready to send in each of its encodings.
type file struct {
	ctype string
	cache string // Cache-Control
	body  []byte
	gz    []byte // nil when there is none
	br    []byte // nil when there is none
	etag  string // of body; the encodings' add -gz and -br
}

const (
	cacheRevalidate = "no-cache"
	cacheImmutable  = "public, max-age=31536000, immutable"
)

func loadSite(fsys fs.FS, opts Options) *site {
	root, err := fs.Sub(fsys, "static")
	if err != nil {
		panic(err) // the embedded tree always has static/
	}
	_, err = fs.Stat(root, "dist/app.js")
	built := err == nil
	var a assets
	if b, err := fs.ReadFile(root, "dist/assets.json"); err == nil {
		if err := json.Unmarshal(b, &a); err != nil {
			panic("web: dist/assets.json: " + err.Error()) // written by build.mjs, embedded
		}
	}
	raw := map[string][]byte{}
	fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error { //nolint:errcheck // embedded files do not fail
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		raw[p] = b
		return nil
	})
	s := &site{files: map[string]*file{}, pages: map[string]*file{}}
	for p, b := range raw {
		if base, ok := strings.CutSuffix(p, ".br"); ok && raw[base] != nil {
			continue // an encoding of base
		}
		if base, ok := strings.CutSuffix(p, ".gz"); ok && raw[base] != nil {
			continue
		}
		if p == "index.html" {
			b = withConfig(b, config{BasemapStyle: opts.BasemapStyle, Built: built})
		}
		f := newFile(p, b, raw[p+".gz"], raw[p+".br"])
		if d, ok := strings.CutPrefix(p, "dist/"); ok && slices.Contains(a.Immutable, d) {
			f.cache = cacheImmutable
		}
		s.files["/"+p] = f
	}
	if page := raw["index.html"]; page != nil {
		for view, chunks := range a.Views {
			b := withConfig(page, config{BasemapStyle: opts.BasemapStyle, Built: built})
			var prefetch []string
			if a.MapLibre != "" && a.Worker != "" && slices.Contains(chunks, a.MapLibre) {
				// MapLibre's worker is fetched only once MapLibre runs (map.js starts it):
				// fetched now into the HTTP cache (immutable), it arrives with MapLibre.
				prefetch = []string{a.Worker}
			}
			fetches := viewFetches[view]
			if opts.Basemap && slices.Contains(fetches, "/styles/trygg.json") {
				fetches = append(slices.Clone(fetches), "/basemap.json", "/fonts/"+strings.ReplaceAll(Font, " ", "%20")+"/0-255.pbf")
			}
			b = withPreloads(b, append(slices.Clone(a.EntryChunks), chunks...), prefetch, fetches)
			s.pages[view] = newFile("index.html", b, nil, nil)
		}
	}
	addPWA(s.files)
	return s
}

// withConfig fills the page's <meta name="trygg-config" content="{}">.
func withConfig(page []byte, c config) []byte {
	j, _ := json.Marshal(c)
	return bytes.Replace(page, []byte(`content="{}"`), []byte(`content="`+html.EscapeString(string(j))+`"`), 1)
}

// viewFetches are the first requests of a view that does not wait for a sign-in, made
// by fetch() once its code runs: the resident map's style and TileJSON (map.js).
// Preloaded with the page (as="fetch", crossorigin: fetch's same-origin credentials),
// they are there when MapLibre has loaded, one round trip sooner.
var viewFetches = map[string][]string{
	"resident": {"/styles/trygg.json", "/tiles/all.json"},
}

// withPreloads adds, before the page's </head>, <link rel="modulepreload"> for each of
// the dist files chunks, <link rel="prefetch"> for each dist file of prefetch and
// <link rel="preload" as="fetch"> for each path of fetches.
func withPreloads(page []byte, chunks, prefetch, fetches []string) []byte {
	var links bytes.Buffer
	for _, f := range fetches {
		links.WriteString(`<link rel="preload" as="fetch" crossorigin href="` + html.EscapeString(f) + `">` + "\n")
	}
	for _, c := range chunks {
		links.WriteString(`<link rel="modulepreload" href="/dist/` + html.EscapeString(c) + `">` + "\n")
	}
	for _, c := range prefetch {
		links.WriteString(`<link rel="prefetch" href="/dist/` + html.EscapeString(c) + `">` + "\n")
	}
	return bytes.Replace(page, []byte("</head>"), append(links.Bytes(), "</head>"...), 1)
}

// newFile makes the file name of body b with its precompressed encodings (nil when
// there are none); without a gzip encoding, one is made when it pays.
func newFile(name string, b, gz, br []byte) *file {
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
	f := &file{ctype: ctype, cache: cacheRevalidate, body: b, gz: gz, br: br,
		etag: base64.RawURLEncoding.EncodeToString(sum[:18])}
	if gz == nil && len(b) >= 1024 && !strings.HasPrefix(ctype, "image/png") {
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

// serve answers r with f in the encoding r accepts (br, else gzip, else identity), with
// 304 on a matching If-None-Match and ranges of the encoded bytes.
func (f *file) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", f.cache)
	h.Set("X-Content-Type-Options", "nosniff")
	if f.gz != nil || f.br != nil {
		h.Add("Vary", "Accept-Encoding")
	}
	body, etag := f.body, f.etag
	switch {
	case f.br != nil && accepts(r, "br"):
		h.Set("Content-Encoding", "br")
		body, etag = f.br, etag+"-br"
	case f.gz != nil && accepts(r, "gzip"):
		h.Set("Content-Encoding", "gzip")
		body, etag = f.gz, etag+"-gz"
	}
	h.Set("ETag", `"`+etag+`"`)
	// ServeContent sets the length of a range, and of the whole body only when it is
	// not encoded; 304s and errors drop it.
	h.Set("Content-Length", strconv.Itoa(len(body)))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// accepts reports whether r's Accept-Encoding accepts coding with a q above 0, named or
// as "*" (RFC 9110, 12.5.3).
func accepts(r *http.Request, coding string) bool {
	star := false
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		c, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		c = strings.TrimSpace(c)
		ok := qAbove0(params)
		if strings.EqualFold(c, coding) {
			return ok
		}
		if c == "*" {
			star = ok
		}
	}
	return star
}

// qAbove0 reports whether the parameters of a coding ("q=0.5", "") leave its weight
// above 0; a weight that does not parse counts as 0.
func qAbove0(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return err == nil && q > 0
	}
	return true
}
