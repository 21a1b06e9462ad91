package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/trygg-gis/trygg/web"
)

func TestHandler(t *testing.T) {
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "nope", http.StatusTeapot) })
	h := web.New(notFound, web.Options{BasemapStyle: `https://example.org/style.json?a=1&b="2"`})
	get := func(path string, hdr ...string) *http.Response {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Result()
	}
	cases := []struct {
		name, path string
		want       int
	}{
		{"resident", "/", 200},
		{"status page", "/rapport/3ef7834d-5eb2-44bf-b569-67eeafb11bdf", 200},
		{"moderation", "/moderation", 200},
		{"planner", "/planner", 200},
		{"nested under rapport", "/rapport/a/b", http.StatusTeapot},
		{"no such file", "/nope.js", http.StatusTeapot},
		{"the placeholder is not served", "/dist/README.md", http.StatusTeapot},
		{"a folder", "/dist", http.StatusTeapot},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := get(tc.path).StatusCode; got != tc.want {
				t.Errorf("GET %s: got %d, want %d", tc.path, got, tc.want)
			}
		})
	}

	resp := get("/", "Accept-Encoding", "gzip")
	body := resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		body = zr
	}
	b, _ := io.ReadAll(body)
	if !strings.Contains(string(b), `&#34;basemap_style&#34;:&#34;https://example.org/style.json?a=1\u0026b=\&#34;2\&#34;&#34;`) {
		t.Errorf("the page does not carry the escaped configuration:\n%s", b)
	}
	if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, "text/html") {
		t.Errorf("Content-Type %q, want text/html", got)
	}
	etag := resp.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if got := get("/", "Accept-Encoding", "gzip", "If-None-Match", etag).StatusCode; got != http.StatusNotModified {
		t.Errorf("If-None-Match: got %d, want 304", got)
	}
	if got := get("/", "Accept-Encoding", "gzip;q=0").Header.Get("Content-Encoding"); got != "" {
		t.Errorf("gzip;q=0: Content-Encoding %q, want none", got)
	}
}

// bundleFS is a built app in miniature: an entry with precompressed encodings, a
// hashed chunk, a view's chunk, a file with no encodings and assets.json naming them.
func bundleFS() fstest.MapFS {
	js := strings.Repeat("export const x = 'Trygg';\n", 200)
	chunk := strings.Repeat("export const y = 'chunk';\n", 200)
	return fstest.MapFS{
		"static/index.html":                           {Data: []byte(`<!doctype html><html><head><meta name="trygg-config" content="{}"><script type="module" src="/dist/app.js"></script></head><body></body></html>`)},
		"static/dist/README.md":                       {Data: []byte("placeholder")},
		"static/dist/app.js":                          {Data: []byte(js)},
		"static/dist/app.js.br":                       {Data: []byte("BR:" + js[:40])},
		"static/dist/app.js.gz":                       {Data: gz(js)},
		"static/dist/chunk-ABCDEFGH.js":               {Data: []byte(chunk)},
		"static/dist/chunk-ABCDEFGH.js.br":            {Data: []byte("BR:" + chunk[:30])},
		"static/dist/chunk-ABCDEFGH.js.gz":            {Data: gz(chunk)},
		"static/dist/resident-QRSTUVWX.js":            {Data: []byte("export function resident() {}")},
		"static/dist/resident-QRSTUVWX.js.br":         {Data: []byte("BR:resident")},
		"static/dist/moderation-MNOPQRST.js":          {Data: []byte("export function moderation() {}")},
		"static/dist/plain.txt":                       {Data: []byte("no encodings")},
		"static/dist/maplibre-IJKLMNOP.js":            {Data: []byte("export class Map {}")},
		"static/dist/maplibre-gl-worker-BCDEFGHI.mjs": {Data: []byte("self.onmessage = () => {};")},
		"static/dist/assets.json": {Data: []byte(`{"entry": "app.js", "entryChunks": ["chunk-ABCDEFGH.js"],
			"maplibre": "maplibre-IJKLMNOP.js", "worker": "maplibre-gl-worker-BCDEFGHI.mjs",
			"views": {"resident": ["resident-QRSTUVWX.js", "maplibre-IJKLMNOP.js"], "moderation": ["moderation-MNOPQRST.js", "maplibre-IJKLMNOP.js"], "status": []},
			"immutable": ["chunk-ABCDEFGH.js", "resident-QRSTUVWX.js", "moderation-MNOPQRST.js", "maplibre-IJKLMNOP.js", "maplibre-gl-worker-BCDEFGHI.mjs"]}`)},
	}
}

func gz(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s)) //nolint:errcheck // a bytes.Buffer
	zw.Close()          //nolint:errcheck // a bytes.Buffer
	return b.Bytes()
}

// serve answers one request of method to path with the headers hdr (name, value, …).
func serve(h http.Handler, method, path string, hdr ...string) (*http.Response, []byte) {
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result(), w.Body.Bytes()
}

func TestEncodings(t *testing.T) {
	fsys := bundleFS()
	h := web.NewFS(fsys, http.NotFoundHandler(), web.Options{})
	js := fsys["static/dist/app.js"].Data
	br := fsys["static/dist/app.js.br"].Data
	gzipped := fsys["static/dist/app.js.gz"].Data
	cases := []struct {
		accept string
		want   string // Content-Encoding
	}{
		{"", ""},
		{"identity", ""},
		{"br", "br"},
		{"gzip, deflate, br, zstd", "br"},
		{"BR", "br"},
		{"gzip;q=1.0, br;q=0.1", "br"},
		{"gzip", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"br;q=0.000, gzip;q=0.001", "gzip"},
		{"br; q=0 , gzip ; q=0.5", "gzip"},
		{"br;q=0", ""},
		{"gzip;q=0", ""},
		{"br;q=0, gzip;q=0", ""},
		{"*", "br"},
		{"br;q=0, *", "gzip"},
		{"*;q=0", ""},
		{"*;q=0, gzip", "gzip"},
		{"deflate", ""},
		{"br;q=oops, gzip", "gzip"},
	}
	etags := map[string]string{}
	for _, tc := range cases {
		resp, body := serve(h, http.MethodGet, "/dist/app.js", "Accept-Encoding", tc.accept)
		if got := resp.Header.Get("Content-Encoding"); got != tc.want || resp.StatusCode != 200 {
			t.Errorf("Accept-Encoding %q: %d, Content-Encoding %q, want %q", tc.accept, resp.StatusCode, got, tc.want)
			continue
		}
		want := map[string][]byte{"": js, "br": br, "gzip": gzipped}[tc.want]
		if !bytes.Equal(body, want) {
			t.Errorf("Accept-Encoding %q: the body is not the %q encoding (%d bytes, want %d)", tc.accept, tc.want, len(body), len(want))
		}
		if got := resp.Header.Get("Content-Length"); got != strconv.Itoa(len(want)) {
			t.Errorf("Accept-Encoding %q: Content-Length %s, want %d", tc.accept, got, len(want))
		}
		if got := resp.Header.Values("Vary"); len(got) != 1 || got[0] != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q, want Accept-Encoding once", tc.accept, got)
		}
		if got := resp.Header.Get("Content-Type"); got != "text/javascript; charset=utf-8" {
			t.Errorf("Accept-Encoding %q: Content-Type %q", tc.accept, got)
		}
		etag := resp.Header.Get("ETag")
		if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 10 {
			t.Errorf("Accept-Encoding %q: ETag %q is not a strong tag", tc.accept, etag)
		}
		if e, ok := etags[tc.want]; ok && e != etag {
			t.Errorf("encoding %q has two ETags: %s and %s", tc.want, e, etag)
		}
		etags[tc.want] = etag
	}
	if len(etags) != 3 || etags[""] == etags["br"] || etags[""] == etags["gzip"] || etags["br"] == etags["gzip"] {
		t.Errorf("the encodings' ETags are not distinct: %v", etags)
	}
	// The gzip encoding is the file's bytes compressed.
	zr, err := gzip.NewReader(bytes.NewReader(gzipped))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(zr); !bytes.Equal(b, js) {
		t.Error("the gzip encoding does not decode to the file")
	}

	// Conditional requests: 304 for the tag of the encoding that would be sent.
	for _, tc := range []struct {
		accept, inm string
		want        int
	}{
		{"br", etags["br"], 304},
		{"br", `W/` + etags["br"], 304},
		{"br", `"x", ` + etags["br"], 304},
		{"br", "*", 304},
		{"gzip", etags["gzip"], 304},
		{"", etags[""], 304},
		{"br", etags[""], 200},
		{"br", etags["gzip"], 200},
		{"gzip", etags["br"], 200},
		{"", etags["br"], 200},
	} {
		resp, body := serve(h, http.MethodGet, "/dist/app.js", "Accept-Encoding", tc.accept, "If-None-Match", tc.inm)
		if resp.StatusCode != tc.want {
			t.Errorf("Accept-Encoding %q, If-None-Match %s: %d, want %d", tc.accept, tc.inm, resp.StatusCode, tc.want)
		}
		if tc.want == 304 && (len(body) != 0 || resp.Header.Get("ETag") == "") {
			t.Errorf("Accept-Encoding %q: a 304 with %d bytes and ETag %q", tc.accept, len(body), resp.Header.Get("ETag"))
		}
	}

	// HEAD: the headers of GET, no body.
	resp, body := serve(h, http.MethodHead, "/dist/app.js", "Accept-Encoding", "br")
	if resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Length") != strconv.Itoa(len(br)) ||
		resp.Header.Get("Content-Encoding") != "br" || resp.Header.Get("ETag") != etags["br"] {
		t.Errorf("HEAD: %d, %d bytes, Content-Length %s, Content-Encoding %q, ETag %s", resp.StatusCode, len(body),
			resp.Header.Get("Content-Length"), resp.Header.Get("Content-Encoding"), resp.Header.Get("ETag"))
	}

	// Ranges are of the encoded bytes.
	resp, body = serve(h, http.MethodGet, "/dist/app.js", "Accept-Encoding", "br", "Range", "bytes=3-9")
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, br[3:10]) ||
		resp.Header.Get("Content-Range") != "bytes 3-9/"+strconv.Itoa(len(br)) || resp.Header.Get("Content-Encoding") != "br" {
		t.Errorf("Range of br: %d %q, Content-Range %q", resp.StatusCode, body, resp.Header.Get("Content-Range"))
	}
	resp, body = serve(h, http.MethodGet, "/dist/app.js", "Range", "bytes=-5")
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, js[len(js)-5:]) {
		t.Errorf("suffix Range of identity: %d %q", resp.StatusCode, body)
	}
	resp, _ = serve(h, http.MethodHead, "/dist/app.js", "Accept-Encoding", "gzip", "Range", "bytes=0-9")
	if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Length") != "10" {
		t.Errorf("HEAD with Range: %d, Content-Length %s", resp.StatusCode, resp.Header.Get("Content-Length"))
	}
	// If-Range with another encoding's tag: the whole body, not a range of it.
	resp, body = serve(h, http.MethodGet, "/dist/app.js", "Accept-Encoding", "br", "Range", "bytes=0-4", "If-Range", etags["gzip"])
	if resp.StatusCode != 200 || !bytes.Equal(body, br) {
		t.Errorf("If-Range with gzip's tag on br: %d, %d bytes", resp.StatusCode, len(body))
	}
	resp, body = serve(h, http.MethodGet, "/dist/app.js", "Accept-Encoding", "br", "Range", "bytes=0-4", "If-Range", etags["br"])
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, br[:5]) {
		t.Errorf("If-Range with br's tag: %d %q", resp.StatusCode, body)
	}
	resp, body = serve(h, http.MethodGet, "/dist/app.js", "Accept-Encoding", "br", "Range", "bytes=100000-")
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable || resp.Header.Get("Content-Encoding") != "" ||
		(resp.Header.Get("Content-Length") != "" && resp.Header.Get("Content-Length") != strconv.Itoa(len(body))) {
		t.Errorf("unsatisfiable Range: %d, Content-Encoding %q, Content-Length %q for %d bytes, want 416 and no encoding",
			resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Length"), len(body))
	}

	// A file with no precompressed encodings: no br; gzip only when it pays.
	resp, body = serve(h, http.MethodGet, "/dist/plain.txt", "Accept-Encoding", "br, gzip")
	if resp.Header.Get("Content-Encoding") != "" || string(body) != "no encodings" || resp.Header.Get("Vary") != "" {
		t.Errorf("plain.txt: Content-Encoding %q, Vary %q, %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"), body)
	}
	// A file with br only: identity for a gzip-only client.
	resp, body = serve(h, http.MethodGet, "/dist/resident-QRSTUVWX.js", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "" || string(body) != "export function resident() {}" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("br-only file for gzip: Content-Encoding %q, Vary %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}
	// The encodings are not files of their own.
	for _, p := range []string{"/dist/app.js.br", "/dist/app.js.gz", "/dist/resident-QRSTUVWX.js.br"} {
		if resp, _ := serve(h, http.MethodGet, p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
}

func TestCaching(t *testing.T) {
	h := web.NewFS(bundleFS(), http.NotFoundHandler(), web.Options{})
	for _, tc := range []struct{ path, want string }{
		{"/dist/chunk-ABCDEFGH.js", "public, max-age=31536000, immutable"},
		{"/dist/resident-QRSTUVWX.js", "public, max-age=31536000, immutable"},
		{"/dist/app.js", "no-cache"},
		{"/dist/assets.json", "no-cache"},
		{"/dist/plain.txt", "no-cache"},
		{"/", "no-cache"},
		{"/moderation", "no-cache"},
		{"/rapport/3ef7834d-5eb2-44bf-b569-67eeafb11bdf", "no-cache"},
	} {
		for _, accept := range []string{"", "br"} {
			resp, _ := serve(h, http.MethodGet, tc.path, "Accept-Encoding", accept)
			if got := resp.Header.Get("Cache-Control"); resp.StatusCode != 200 || got != tc.want {
				t.Errorf("GET %s (Accept-Encoding %q): %d, Cache-Control %q, want %q", tc.path, accept, resp.StatusCode, got, tc.want)
			}
			if resp.Header.Get("ETag") == "" {
				t.Errorf("GET %s: no ETag", tc.path)
			}
		}
	}
	// A 304 keeps the file's caching.
	resp, _ := serve(h, http.MethodGet, "/dist/chunk-ABCDEFGH.js", "Accept-Encoding", "br")
	resp, _ = serve(h, http.MethodGet, "/dist/chunk-ABCDEFGH.js", "Accept-Encoding", "br", "If-None-Match", resp.Header.Get("ETag"))
	if resp.StatusCode != 304 || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("304 of a hashed chunk: %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}

func TestPreloads(t *testing.T) {
	h := web.NewFS(bundleFS(), http.NotFoundHandler(), web.Options{BasemapStyle: "https://example.org/s.json"})
	link := func(c string) string { return `<link rel="modulepreload" href="/dist/` + c + `">` }
	for _, tc := range []struct {
		path          string
		want, notWant []string
	}{
		{"/", []string{"chunk-ABCDEFGH.js", "resident-QRSTUVWX.js"}, []string{"moderation-MNOPQRST.js"}},
		{"/moderation", []string{"chunk-ABCDEFGH.js", "moderation-MNOPQRST.js"}, []string{"resident-QRSTUVWX.js"}},
		{"/rapport/3ef7834d-5eb2-44bf-b569-67eeafb11bdf", []string{"chunk-ABCDEFGH.js"}, []string{"resident-QRSTUVWX.js", "moderation-MNOPQRST.js"}},
		// A page whose view assets.json does not list: the plain shell.
		{"/planner", nil, []string{"chunk-ABCDEFGH.js", "resident-QRSTUVWX.js", "moderation-MNOPQRST.js"}},
	} {
		resp, body := serve(h, http.MethodGet, tc.path, "Accept-Encoding", "identity")
		page := string(body)
		if resp.StatusCode != 200 || !strings.Contains(page, `<script type="module" src="/dist/app.js">`) ||
			!strings.Contains(page, "example.org/s.json") {
			t.Errorf("GET %s: %d, not the shell with its configuration:\n%s", tc.path, resp.StatusCode, page)
			continue
		}
		for _, c := range tc.want {
			if i := strings.Index(page, link(c)); i < 0 || i > strings.Index(page, "</head>") {
				t.Errorf("GET %s: no preload of %s in the head:\n%s", tc.path, c, page)
			}
		}
		for _, c := range tc.notWant {
			if strings.Contains(page, c) {
				t.Errorf("GET %s preloads %s:\n%s", tc.path, c, page)
			}
		}
	}
	// Pages with MapLibre prefetch its worker; the resident page, whose map starts
	// without a sign-in, preloads its style and TileJSON, and the Latin glyphs when the
	// style has the app's, the basemap's TileJSON (Options.Basemap).
	worker := `<link rel="prefetch" href="/dist/maplibre-gl-worker-BCDEFGHI.mjs">`
	fetch := func(p string) string { return `<link rel="preload" as="fetch" crossorigin href="` + p + `">` }
	glyphs := fetch("/fonts/Noto%20Sans%20Regular/0-255.pbf")
	withGlyphs := web.NewFS(bundleFS(), http.NotFoundHandler(), web.Options{Basemap: true})
	for _, tc := range []struct {
		h             http.Handler
		path          string
		want, notWant []string
	}{
		{h, "/", []string{worker, fetch("/styles/trygg.json"), fetch("/tiles/all.json")}, []string{glyphs, "/basemap.json"}},
		{withGlyphs, "/", []string{worker, fetch("/styles/trygg.json"), fetch("/tiles/all.json"), fetch("/basemap.json"), glyphs}, nil},
		{withGlyphs, "/moderation", []string{worker}, []string{"/styles/trygg.json", "/tiles/all.json", "/basemap.json", glyphs}},
		{withGlyphs, "/rapport/x", nil, []string{worker, "/styles/trygg.json", glyphs}},
	} {
		_, body := serve(tc.h, http.MethodGet, tc.path)
		head, _, _ := strings.Cut(string(body), "</head>")
		for _, w := range tc.want {
			if !strings.Contains(head, w) {
				t.Errorf("GET %s: no %s in the head:\n%s", tc.path, w, head)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(string(body), w) {
				t.Errorf("GET %s has %s:\n%s", tc.path, w, body)
			}
		}
	}

	// Each page's variant has an ETag of its own.
	a, _ := serve(h, http.MethodGet, "/")
	b, _ := serve(h, http.MethodGet, "/moderation")
	if a.Header.Get("ETag") == b.Header.Get("ETag") {
		t.Errorf("/ and /moderation share the ETag %s", a.Header.Get("ETag"))
	}
}

// TestBuiltBundle checks the embedded build (make web): every hashed file is served
// brotli-encoded and immutable, its gzip decodes to it, the resident page preloads its
// chunks and no staff view's, and the MapLibre chunk names the worker that is served.
func TestBuiltBundle(t *testing.T) {
	h := web.New(http.NotFoundHandler(), web.Options{})
	resp, body := serve(h, http.MethodGet, "/dist/assets.json")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /dist/assets.json: %d: the app is not built; run `make web` (npm run build in web/)", resp.StatusCode)
	}
	var a struct {
		Entry       string              `json:"entry"`
		Worker      string              `json:"worker"`
		MapLibre    string              `json:"maplibre"`
		EntryChunks []string            `json:"entryChunks"`
		Views       map[string][]string `json:"views"`
		Immutable   []string            `json:"immutable"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatal(err)
	}
	if a.Entry != "app.js" || a.Worker == "" || a.MapLibre == "" || len(a.Views) < 6 {
		t.Fatalf("assets.json: %s", body)
	}
	brBytes := map[string]int{}
	for _, f := range append(append([]string{a.Entry}, a.Immutable...), "app.css") {
		resp, enc := serve(h, http.MethodGet, "/dist/"+f, "Accept-Encoding", "gzip, deflate, br")
		_, plain := serve(h, http.MethodGet, "/dist/"+f)
		_, gzipped := serve(h, http.MethodGet, "/dist/"+f, "Accept-Encoding", "gzip")
		want := "public, max-age=31536000, immutable"
		if f == a.Entry || f == "app.css" {
			want = "no-cache"
		}
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "br" || resp.Header.Get("Cache-Control") != want {
			t.Errorf("GET /dist/%s: %d, Content-Encoding %q, Cache-Control %q (want br, %q)", f, resp.StatusCode,
				resp.Header.Get("Content-Encoding"), resp.Header.Get("Cache-Control"), want)
			continue
		}
		if len(enc) >= len(plain) {
			t.Errorf("/dist/%s: br %d bytes, identity %d", f, len(enc), len(plain))
		}
		zr, err := gzip.NewReader(bytes.NewReader(gzipped))
		if err != nil {
			t.Errorf("/dist/%s: gzip: %v", f, err)
			continue
		}
		if b, _ := io.ReadAll(zr); !bytes.Equal(b, plain) {
			t.Errorf("/dist/%s: the gzip encoding is not the file", f)
		}
		brBytes[f] = len(enc)
	}
	_, ml := serve(h, http.MethodGet, "/dist/"+a.MapLibre)
	if !bytes.Contains(ml, []byte(a.Worker)) {
		t.Errorf("%s does not name the worker %s", a.MapLibre, a.Worker)
	}
	resident := map[string]bool{a.Entry: true}
	for _, c := range append(slices.Clone(a.EntryChunks), a.Views["resident"]...) {
		resident[c] = true
	}
	_, page := serve(h, http.MethodGet, "/")
	appBytes := brBytes[a.Entry]
	for c := range resident {
		if c != a.Entry && !bytes.Contains(page, []byte(`<link rel="modulepreload" href="/dist/`+c+`">`)) {
			t.Errorf("the resident page does not preload %s", c)
		}
		if c != a.MapLibre {
			appBytes += brBytes[c]
		}
	}
	for view, chunks := range a.Views {
		for _, c := range chunks {
			if !resident[c] && bytes.Contains(page, []byte(c)) {
				t.Errorf("the resident page names %s of the %s view", c, view)
			}
		}
	}
	if !resident[a.MapLibre] {
		t.Errorf("the resident view does not load MapLibre (%s): %v", a.MapLibre, a.Views["resident"])
	}
	t.Logf("resident page: %d B of app chunks br, MapLibre %d B br, worker %d B br", appBytes, brBytes[a.MapLibre], brBytes[a.Worker])
	if appBytes > 60*1024 {
		t.Errorf("the resident page's app chunks are %d B br, more than 60 KiB", appBytes)
	}
}
