package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/postgis"
)

// TestReportShortCode: the receipt carries an 8-character code beside the link; the code,
// typed in any case, with or without the dash, finds the report before and after
// publication; /r/{code} leads to the status page; a malformed code is a 400 naming
// `code`, an unknown one a 404.
func TestReportShortCode(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{} })
	public := e.client()
	resp, b := public.post(t, "/api/v1/reports", "application/json", report(""))
	wantStatus(t, resp, b, http.StatusCreated)
	var s struct {
		ID        string `json:"id"`
		ShortCode string `json:"short_code"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.ShortCode != trygg.ShortCode(s.ID) || len(s.ShortCode) != 9 {
		t.Fatalf("receipt short_code %q for id %s, want %q", s.ShortCode, s.ID, trygg.ShortCode(s.ID))
	}
	for _, typed := range []string{s.ShortCode, strings.ToLower(s.ShortCode), strings.ReplaceAll(s.ShortCode, "-", "")} {
		resp, b := public.do(t, http.MethodGet, "/api/v1/reports/by-code/"+typed, nil)
		wantStatus(t, resp, b, http.StatusOK)
		var got struct {
			ID         string `json:"id"`
			StatusPage string `json:"status_page"`
		}
		if err := json.Unmarshal(b, &got); err != nil || got.ID != s.ID || got.StatusPage != "/rapport/"+s.ID {
			t.Errorf("by-code %q: %s, want id %s", typed, b, s.ID)
		}
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := noFollow.Get(e.srv.URL + "/r/" + strings.ToLower(s.ShortCode))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/rapport/"+s.ID {
		t.Errorf("/r/{code}: %d to %q, want 302 to /rapport/%s", r.StatusCode, r.Header.Get("Location"), s.ID)
	}
	// The code of another report (the same id but its first character changed) is not found.
	other := s.ShortCode[:1]
	if other == "Z" {
		other = "Y"
	} else {
		other = "Z"
	}
	resp, b = public.do(t, http.MethodGet, "/api/v1/reports/by-code/"+other+s.ShortCode[1:], nil)
	wantStatus(t, resp, b, http.StatusNotFound)
	resp, b = public.do(t, http.MethodGet, "/api/v1/reports/by-code/ABC", nil)
	wantStatus(t, resp, b, http.StatusBadRequest)
	if !strings.Contains(string(b), `"code"`) || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("a short code of 3 characters: %s %s, want problem+json naming code", resp.Header.Get("Content-Type"), b)
	}
}

// TestReportStepsOnStatusPage: the status page's read carries the day of each step; the
// moderator's reason for a rejection reaches the reporter, who holds the erasure token,
// and nobody else.
func TestReportStepsOnStatusPage(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{} })
	e.addUser(t, trygg.RoleModerator, "kommun-1470")
	public := e.client()
	pub := submit(t, public, report(""))
	rej := submit(t, public, report(""))
	mod := e.signIn(t, "moderator@kommun-1470.demo.trygg.se")
	resp, b := mod.do(t, "POST", "/api/v1/reports/"+pub.ID+"/moderation", map[string]string{"action": "publish"})
	wantStatus(t, resp, b, http.StatusOK)
	resp, b = mod.do(t, "POST", "/api/v1/reports/"+rej.ID+"/moderation", map[string]string{"action": "reject", "reason": "Platsen ligger utanför kommunen"})
	wantStatus(t, resp, b, http.StatusOK)
	stockholm, _ := time.LoadLocation("Europe/Stockholm")
	today := time.Now().In(stockholm).Format(time.DateOnly)

	get := func(id, token string) (int, string) {
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/reports/"+id, nil)
		if token != "" {
			req.Header.Set("Erasure-Token", token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf strings.Builder
		io.Copy(&buf, resp.Body) //nolint:errcheck
		return resp.StatusCode, buf.String()
	}
	code, body := get(pub.ID, "")
	if code != http.StatusOK || !strings.Contains(body, `"steps":[{"step":"received","date":"`+today+`"},{"step":"published","date":"`+today+`"}]`) {
		t.Errorf("public read of a published report: %d %s, want the steps received and published on %s", code, body, today)
	}
	code, body = get(rej.ID, rej.Erasure)
	if code != http.StatusOK || !strings.Contains(body, `{"step":"rejected","date":"`+today+`","reason":"Platsen ligger utanför kommunen"}`) {
		t.Errorf("the reporter's read of a rejected report: %d %s, want the step rejected with its reason", code, body)
	}
	if code, body = get(rej.ID, pub.Erasure); code != http.StatusNotFound || strings.Contains(body, "utanför") {
		t.Errorf("a rejected report with another report's token: %d %s, want 404 without the reason", code, body)
	}
	if code, body = get(rej.ID, ""); code != http.StatusNotFound || strings.Contains(body, "utanför") {
		t.Errorf("a rejected report without token: %d %s", code, body)
	}
}
