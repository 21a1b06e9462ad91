package open311_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// Places in the demo municipalities (lat, long).
const (
	varaLat, varaLong           = "58.26", "13.1"
	lidkopingLat, lidkopingLong = "58.5035", "13.1577"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type env struct {
	srv *httptest.Server
	url string // the database, for setting up and checking in SQL
}

// newEnv starts the whole API server, connected as the server's role, on a fresh
// database with the demo municipalities; reports are not rate-limited unless tune says
// so. The test fails if the server logged an internal error.
func newEnv(t *testing.T, tune func(*api.Options)) *env {
	t.Helper()
	owner, url := pgtest.Open(t)
	if err := demo.Load(context.Background(), owner, nil); err != nil {
		t.Fatal(err)
	}
	opts := api.DefaultOptions()
	opts.ReportRate = api.Rate{}
	if tune != nil {
		tune(&opts)
	}
	logs := &syncBuffer{}
	srv := httptest.NewServer(api.New(pgtest.App(t, url), slog.New(slog.NewJSONHandler(logs, nil)), opts))
	t.Cleanup(func() {
		srv.Close()
		if strings.Contains(logs.String(), `"internal error"`) {
			t.Errorf("the server logged an internal error:\n%s", logs.String())
		}
	})
	return &env{srv: srv, url: url}
}

func (e *env) do(t *testing.T, method, path, contentType, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func (e *env) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	return e.do(t, http.MethodGet, path, "", "")
}

func (e *env) post(t *testing.T, path string, form url.Values, header ...string) (*http.Response, []byte) {
	t.Helper()
	return e.do(t, http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode(), header...)
}

// form is a valid service request in Vara, changed by pairs of name and value ("" as
// value deletes the field).
func form(changes ...string) url.Values {
	f := url.Values{"service_code": {"belysning"}, "lat": {varaLat}, "long": {varaLong},
		"attribute[feeling]": {"2"}, "description": {"Mörk gångtunnel vid stationen"}}
	for i := 0; i+1 < len(changes); i += 2 {
		if changes[i+1] == "" {
			f.Del(changes[i])
		} else {
			f.Set(changes[i], changes[i+1])
		}
	}
	return f
}

type created struct {
	ServiceRequestID string  `json:"service_request_id"`
	ServiceNotice    *string `json:"service_notice"`
	AccountID        *string `json:"account_id"`
}

// submit posts a service request and returns its id.
func (e *env) submit(t *testing.T, f url.Values, header ...string) string {
	t.Helper()
	resp, body := e.post(t, "/open311/v2/requests.json", f, header...)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST requests.json: status %d, want 201: %s", resp.StatusCode, body)
	}
	var c []created
	if err := json.Unmarshal(body, &c); err != nil || len(c) != 1 || c[0].ServiceRequestID == "" {
		t.Fatalf("POST requests.json: %v: %s", err, body)
	}
	return c[0].ServiceRequestID
}

// setStatus moderates a report in SQL, as the database owner.
func (e *env) setStatus(t *testing.T, id, status string) {
	t.Helper()
	pgtest.Exec(t, e.url, fmt.Sprintf(`UPDATE report SET status = '%s', updated_at = now() WHERE id = '%s'`, status, id))
}

func (e *env) countReports(t *testing.T) string {
	t.Helper()
	return pgtest.Strings(t, e.url, `SELECT count(*)::text FROM report`)[0]
}

type apiError struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

// wantError checks an Open311 error in the format of the path and returns its
// description.
func wantError(t *testing.T, resp *http.Response, body []byte, status int) string {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	var errs []apiError
	ct := resp.Header.Get("Content-Type")
	switch ct {
	case "application/json; charset=utf-8":
		if err := json.Unmarshal(body, &errs); err != nil {
			t.Fatalf("not a JSON error list: %v: %s", err, body)
		}
	case "text/xml; charset=utf-8":
		var x struct {
			XMLName xml.Name   `xml:"errors"`
			Errors  []apiError `xml:"error"`
		}
		wellFormed(t, body)
		if err := xml.Unmarshal(body, &x); err != nil {
			t.Fatalf("not an XML error list: %v: %s", err, body)
		}
		errs = x.Errors
	default:
		t.Fatalf("Content-Type %q: %s", ct, body)
	}
	if len(errs) != 1 || errs[0].Code != status || errs[0].Description == "" {
		t.Fatalf("errors %+v, want one with code %d and a description", errs, status)
	}
	return errs[0].Description
}

// wellFormed checks that b is one well-formed XML document with a declaration.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("no XML declaration: %.60s", b)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	roots := 0
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v: %s", err, b)
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if roots != 1 || depth != 0 {
		t.Fatalf("%d root elements, depth %d at the end: %s", roots, depth, b)
	}
}

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// seed stores reports through Open311 and moderates them in SQL: two published in
// Vara (belysning, klotter), one resolved in Lidköping (belysning), one received and
// one rejected in Vara. It returns their ids by name.
func (e *env) seed(t *testing.T) map[string]string {
	t.Helper()
	ids := map[string]string{
		"vara-belysning": e.submit(t, form("email", "anna@example.se", "phone", "070-123 45 67", "attribute[when][]", "night")),
		"vara-klotter":   e.submit(t, form("service_code", "klotter", "description", "", "lat", "58.262", "long", "13.105")),
		"lidkoping":      e.submit(t, form("lat", lidkopingLat, "long", lidkopingLong, "jurisdiction_id", "1494")),
		"received":       e.submit(t, form("attribute[feeling]", "1")),
		"rejected":       e.submit(t, form("attribute[feeling]", "1")),
	}
	e.setStatus(t, ids["vara-belysning"], "published")
	e.setStatus(t, ids["vara-klotter"], "published")
	e.setStatus(t, ids["lidkoping"], "resolved")
	e.setStatus(t, ids["rejected"], "rejected")
	return ids
}
