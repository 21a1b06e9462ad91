package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// Issue 15, point 8: the smaller defects found by trying Trygg as an attacker would.

// problemIn decodes a problem+json body and checks its status.
func problemIn(t *testing.T, resp *http.Response, body []byte, status int) api.Problem {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json: %s", ct, body)
	}
	var p api.Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("not a problem: %v: %s", err, body)
	}
	return p
}

// A request body that stops coming (the client stalls until the server's ReadTimeout,
// or hangs up half-way) is answered 408, not 500 or a JSON syntax error.
func TestSlowBodyIs408(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{} })
	srv := httptest.NewUnstartedServer(e.srv.Config.Handler)
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()
	for _, path := range []string{"/api/v1/reports", "/api/v1/session", "/open311/v2/requests.json"} {
		contentType := "application/json"
		if strings.HasPrefix(path, "/open311/") {
			contentType = "application/x-www-form-urlencoded"
		}
		for _, stop := range []string{"stalls", "hangs up"} {
			t.Run(path+" "+stop, func(t *testing.T) {
				conn, err := net.Dial("tcp", srv.Listener.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: trygg.test\r\nContent-Type: %s\r\n"+
					"Content-Length: 500\r\n\r\n{\"location\":", path, contentType)
				if stop == "hangs up" {
					if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
						t.Fatal(err)
					}
				}
				conn.SetReadDeadline(time.Now().Add(20 * time.Second)) //nolint:errcheck
				resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				if contentType != "application/json" { // Open311 answers errors in its own format
					if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), "not received in time") {
						t.Errorf("status %d, want 408 saying the body was not received in time: %s", resp.StatusCode, body)
					}
					return
				}
				p := problemIn(t, resp, body, http.StatusRequestTimeout)
				if !strings.Contains(p.Detail, "not received in time") || p.Field != "body" {
					t.Errorf("problem %+v, want field body and detail \"request body not received in time\"", p)
				}
			})
		}
	}
	if strings.Contains(e.log.String(), `"internal error"`) {
		t.Errorf("a slow body was logged as an internal error:\n%s", e.log.String())
	}
}

// A GPX file declaring an encoding other than UTF-8, US-ASCII or ISO-8859-1 is
// refused with 400 naming the encoding.
func TestRouteUnsupportedCharset(t *testing.T) {
	e := newEnv(t, nil)
	planner := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	c := e.signIn(t, planner.Email)
	wk := newImportWalk(t, e)
	const gpx = `<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>` +
		`<trkpt lat="58.26" lon="13.10"/><trkpt lat="58.261" lon="13.101"/></trkseg></trk></gpx>`
	for _, charset := range []string{"UTF-16", "x-klingon"} {
		t.Run(charset, func(t *testing.T) {
			resp, body := sendImport(t, c, http.MethodPut, "/api/v1/walks/"+wk.ID+"/route", "application/gpx+xml",
				`<?xml version="1.0" encoding="`+charset+`"?>`+"\n"+gpx)
			p := problemIn(t, resp, body, http.StatusBadRequest)
			if !strings.Contains(p.Detail, charset) || !strings.Contains(p.Field, "encoding") {
				t.Errorf("problem %+v, want the field encoding and a detail naming %s", p, charset)
			}
		})
	}
	// UTF-8 and Latin-1 still work.
	for _, charset := range []string{"utf-8", "UTF8", "ISO-8859-1", "US-ASCII"} {
		resp, body := sendImport(t, c, http.MethodPut, "/api/v1/walks/"+wk.ID+"/route", "application/gpx+xml",
			`<?xml version="1.0" encoding="`+charset+`"?>`+"\n"+gpx)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("encoding %s: status %d, want 200: %s", charset, resp.StatusCode, body)
		}
	}
}

// Twenty submissions with one Idempotency-Key at once store one report, and every
// answer is that report's 201 (or a 409 with Retry-After).
func TestIdempotencyKeyConcurrent(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{} })
	const n = 20
	type answer struct {
		status int
		id     string
		retry  string
		body   string
	}
	answers := make([]answer, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/reports", strings.NewReader(report(`"description":"samtidigt"`)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "same-key")
			start.Wait()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				answers[i].body = err.Error()
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var s submitted
			_ = json.Unmarshal(b, &s)
			answers[i] = answer{status: resp.StatusCode, id: s.ID, retry: resp.Header.Get("Retry-After"), body: string(b)}
		}()
	}
	start.Done()
	done.Wait()
	ids := map[string]bool{}
	for i, a := range answers {
		switch {
		case a.status == http.StatusCreated && a.id != "":
			ids[a.id] = true
		case a.status == http.StatusConflict && a.retry != "":
		default:
			t.Errorf("request %d: status %d (Retry-After %q): %s", i, a.status, a.retry, a.body)
		}
	}
	if len(ids) != 1 {
		t.Errorf("answers name %d reports, want one: %v", len(ids), ids)
	}
	if got := countReports(t, e.url); got != 1 {
		t.Errorf("%d reports stored, want 1", got)
	}
}

// Invalid UTF-8 in a JSON body is refused with 400 naming the field that holds it,
// not silently replaced with U+FFFD.
func TestInvalidUTF8InJSON(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{} })
	c := e.client()
	for _, tc := range []struct {
		name, path, body, field string
	}{
		{"report description", "/api/v1/reports", report("\"description\":\"m\xf6rk gata\""), "description"},
		{"report contact", "/api/v1/reports", report("\"contact\":{\"email\":\"a@b.se\",\"phone\":\"07\xff\"}"), "contact.phone"},
		{"report when", "/api/v1/reports", report("\"when\":[\"day\",\"n\xc3ght\"]"), "when[1]"},
		{"feature properties", "/api/v1/reports",
			`{"type":"Feature","geometry":` + varaPoint + `,"properties":{"category":"belysning","feeling":2,"description":"` + "\xe5" + `"}}`,
			"properties.description"},
		{"a key", "/api/v1/reports", report("\"k\xe4nsla\":1"), "body"},
		{"sign-in", "/api/v1/session", "{\"email\":\"x\xc0@example.se\",\"password\":\"secret\"}", "email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := c.post(t, tc.path, "application/json", tc.body)
			p := problemIn(t, resp, body, http.StatusBadRequest)
			if p.Field != tc.field || !strings.Contains(p.Detail, "UTF-8") {
				t.Errorf("problem %+v, want field %q and a detail about UTF-8", p, tc.field)
			}
		})
	}
	if n := countReports(t, e.url); n != 0 {
		t.Errorf("%d reports stored, want none", n)
	}
}

// Bidi overrides and zero-width characters are taken out of a report's text before it
// is stored, public or not.
func TestInvisibleCharactersStripped(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{} })
	c := e.client()
	s := submit(t, c, report(`"description":"M\u00f6rk \u202egata\u202c vid 070\u200b1234567\ufeff och \u2066skolan\u2069\u200d\u2060"`))
	got := pgtest.Strings(t, e.url, `SELECT description || ' | ' || public_description FROM report WHERE id = $1`, s.ID)[0]
	want := "Mörk gata vid 0701234567 och skolan | Mörk gata vid [telefonnummer dolt] och skolan"
	if got != want {
		t.Errorf("stored %q, want %q", got, want)
	}
}

// constraintWords are what PostgreSQL's messages about constraints contain.
var constraintWords = regexp.MustCompile(`_check|_key|_fkey|_pkey|violates|constraint|relation "`)

// A value the database refuses (a check, a unique index) is answered naming the field
// in plain words; no constraint name or PostgreSQL message reaches the user.
func TestNoConstraintNamesInMessages(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{} })
	c := e.client()
	// Check: 2000 characters of phone numbers are longer than 2000 once masked for the
	// public, which report.public_description's check refuses.
	long := strings.Repeat("0701234 ", 250)[:2000]
	resp, body := c.post(t, "/api/v1/reports", "application/json", report(`"description":"`+long+`"`))
	p := problemIn(t, resp, body, http.StatusBadRequest)
	if p.Field != "description" || constraintWords.MatchString(p.Detail) {
		t.Errorf("check violation: problem %+v, want field description and no constraint name", p)
	}

	// Unique: a second place with the same name in the municipality.
	planner := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	pc := e.signIn(t, planner.Email)
	place := map[string]any{"name": "Torget", "municipality": "1470", "geometry": map[string]any{"type": "Polygon",
		"coordinates": [][][2]float64{{{13.1, 58.26}, {13.101, 58.26}, {13.101, 58.261}, {13.1, 58.261}, {13.1, 58.26}}}}}
	resp, body = pc.do(t, http.MethodPost, "/api/v1/places", place)
	wantStatus(t, resp, body, http.StatusCreated)
	place["name"] = "torget"
	resp, body = pc.do(t, http.MethodPost, "/api/v1/places", place)
	p = problemIn(t, resp, body, http.StatusConflict)
	if p.Field != "name" || constraintWords.MatchString(p.Detail) {
		t.Errorf("unique violation: problem %+v, want field name and no constraint name", p)
	}
}

// With PublicURL set, absolute URLs in answers use it, whatever Host the request names.
func TestPublicURL(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.PublicURL = "https://trygg.example.se/gis" })
	urls := regexp.MustCompile(`https?://[^"'<>\s]+`)
	for _, path := range []string{"/tiles/all.json", "/tiles/reports.json", "/styles/trygg.json", "/ogc", "/ogc/collections",
		"/ogc/collections/reports", "/ogc/collections/reports/items?limit=1", "/ogc?f=html", "/ogc/api", "/open311/v2/discovery.json"} {
		t.Run(path, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, e.srv.URL+path, nil)
			req.Host = "evil.example"
			req.Header.Set("X-Forwarded-Host", "evil.example")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, b)
			}
			if strings.Contains(string(b), "evil.example") {
				t.Errorf("the answer names the request's Host: %s", b)
			}
			ours := 0
			for _, u := range urls.FindAllString(string(b), -1) {
				switch {
				case strings.HasPrefix(u, "https://trygg.example.se/gis/"):
					ours++
				case strings.HasPrefix(u, "http://www.opengis.net/"), strings.HasPrefix(u, "http://wiki.open311.org/"),
					strings.HasPrefix(u, "https://trygg.example.se/gis"+`"`):
				default:
					t.Errorf("URL %s is not under https://trygg.example.se/gis/", u)
				}
			}
			if ours == 0 && path != "/open311/v2/discovery.json" {
				t.Errorf("no URL under https://trygg.example.se/gis/ in %s", b)
			}
			if path == "/open311/v2/discovery.json" && !strings.Contains(string(b), `"https://trygg.example.se/gis/open311/v2"`) {
				t.Errorf("discovery does not name https://trygg.example.se/gis/open311/v2: %s", b)
			}
		})
	}
	// Without it, the request's own host is used, as before.
	e2 := newEnv(t, nil)
	_, b := e2.get(t, "/tiles/all.json")
	if !strings.Contains(string(b), e2.srv.URL+"/tiles/all/") {
		t.Errorf("without PublicURL the TileJSON does not name %s: %s", e2.srv.URL, b)
	}
}
