package web_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
	if got := get("/", "If-None-Match", etag).StatusCode; got != http.StatusNotModified {
		t.Errorf("If-None-Match: got %d, want 304", got)
	}
	if got := get("/", "Accept-Encoding", "gzip;q=0").Header.Get("Content-Encoding"); got != "" {
		t.Errorf("gzip;q=0: Content-Encoding %q, want none", got)
	}
}
