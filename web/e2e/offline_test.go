package e2e_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/auth"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// TestOfflineBrowser is the app on a bad connection (offline.mjs): the resident page
// reloads offline from the service worker; reports made offline wait and are sent
// when the network returns, also from a new tab after the first was closed, and a
// report whose first answer was lost is resent with its Idempotency-Key; a walk
// observation made offline syncs. Each of those is then exactly one row here.
func TestOfflineBrowser(t *testing.T) {
	b := needBrowser(t)
	ctx := context.Background()
	owner, url := pgtest.Open(t)
	if err := demo.Load(ctx, owner, nil); err != nil {
		t.Fatal(err)
	}
	for _, o := range demo.Organisations() {
		if err := owner.UpsertOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	hash, err := auth.HashPassword(plannerPassword)
	if err != nil {
		t.Fatal(err)
	}
	plannerEmail := demo.DemoEmail(trygg.RolePlanner, "kommun-1470")
	if _, err := owner.CreateUser(ctx, plannerEmail, trygg.RolePlanner, "kommun-1470", hash, false); err != nil {
		t.Fatal(err)
	}
	db := appDB(t, url, postgis.Options{})
	srv := httptest.NewServer(api.New(db, testLog(t), api.DefaultOptions()))
	t.Cleanup(srv.Close)

	stamp := time.Now().Format("150405.000")
	desc := map[string]string{
		"E2E_DESC_B":  "Offline, skickad när nätet kom tillbaka " + stamp,
		"E2E_DESC_B2": "Svaret försvann, skickad igen " + stamp,
		"E2E_DESC_C":  "Offline, fliken stängd " + stamp,
		"E2E_DESC_D":  "Observation utan täckning " + stamp,
		"E2E_DESC_D2": "Observation där jag stod " + stamp,
		"E2E_DESC_E":  "Skickad av service workern " + stamp,
	}
	env := []string{"E2E_PLANNER_EMAIL=" + plannerEmail, "E2E_PLANNER_PASSWORD=" + plannerPassword}
	for k, v := range desc {
		env = append(env, k+"="+v)
	}
	b.run(t, 4*time.Minute, "offline.mjs", []string{srv.URL, b.out}, env...)
	for k, d := range desc {
		source := "resident"
		if strings.HasPrefix(k, "E2E_DESC_D") {
			source = "walk"
		}
		n := pgtest.Strings(t, url, `SELECT count(*)::text FROM report WHERE description = $1 AND source = $2`, d, source)
		if n[0] != "1" {
			t.Errorf("%s: %s reports %q of source %s, want exactly 1", k, n[0], d, source)
		}
	}
	if n := pgtest.Strings(t, url, `SELECT count(*)::text FROM report WHERE walk_id IS NOT NULL AND observed_at IS NULL`); n[0] != "0" {
		t.Errorf("%s walk observations without the time they were recorded", n[0])
	}
	// The observation made where the leader stood is at the phone's position.
	if p := pgtest.Strings(t, url, `SELECT ST_X(geom)::numeric(9,4) || ' ' || ST_Y(geom)::numeric(9,4) FROM report WHERE description = $1`,
		desc["E2E_DESC_D2"]); len(p) != 1 || p[0] != "12.9510 58.2605" {
		t.Errorf("the observation at the phone's position is at %v, want 12.9510 58.2605", p)
	}
}
