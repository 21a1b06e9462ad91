package e2e_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
)

// TestLangsBrowser: the resident page, a report's status page (the reporter's own and a
// published one) and the sign-in page in each of the five languages, picked by the
// browser's language and by the menu; no raw key is shown and no text is missing; Arabic
// is right to left and mirrored; a planner's views too (langs.mjs).
func TestLangsBrowser(t *testing.T) {
	b := needBrowser(t)
	base := startServer(t)

	// The reporter's own report (received, with its erasure token) and a published one.
	body := `{"location":{"type":"Point","coordinates":[12.9512,58.2631]},"category":"belysning","feeling":2,"when":["evening"],"description":"Mörk gångväg vid skolan"}`
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/reports", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var own struct {
		ID    string `json:"id"`
		Token string `json:"erasure_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&own)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated || own.ID == "" || own.Token == "" {
		t.Fatalf("POST /api/v1/reports: %d %+v %v", resp.StatusCode, own, err)
	}
	resp, err = http.Get(base + "/api/v1/reports/nearby?lon=12.95&lat=58.262&radius=500")
	if err != nil {
		t.Fatal(err)
	}
	var near struct {
		Features []struct {
			Properties struct {
				ID string `json:"id"`
			} `json:"properties"`
		} `json:"features"`
	}
	err = json.NewDecoder(resp.Body).Decode(&near)
	resp.Body.Close()
	if err != nil || len(near.Features) == 0 || near.Features[0].Properties.ID == "" {
		t.Fatalf("no published report near Vara's centre: %d %v", resp.StatusCode, err)
	}

	b.run(t, 10*time.Minute, "langs.mjs", []string{base, b.out},
		"E2E_PLANNER_EMAIL="+demo.DemoEmail(trygg.RolePlanner, "kommun-1470"), "E2E_PLANNER_PASSWORD="+plannerPassword,
		"E2E_MODERATOR_EMAIL="+demo.DemoEmail(trygg.RoleModerator, "kommun-1470"), "E2E_MODERATOR_PASSWORD="+moderatorPassword,
		"E2E_OWN_REPORT="+own.ID, "E2E_OWN_TOKEN="+own.Token, "E2E_PUBLISHED_REPORT="+near.Features[0].Properties.ID)
}
