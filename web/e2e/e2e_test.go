// Package e2e_test is Trygg's browser test: the real server (api.New on a fresh
// migrated database with the demo data) and Debian's chromium, driven by run.mjs with
// playwright-core. It needs TRYGG_TEST_DATABASE_URL (make test sets it), node, the npm
// packages in web/node_modules and the built bundle (npm ci and npm run build in web/,
// which make test runs first), and /usr/bin/chromium. Anything missing fails the test
// with how to install it: it is never skipped.
package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/auth"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

const (
	moderatorPassword = "E2e-Moderator-Password-2026"
	plannerPassword   = "E2e-Planner-Password-2026"
	policePassword    = "E2e-Police-Password-2026"
	policeOrg         = "lpo-vastra-skaraborg" // the LPO serving Vara (1470) and Lidköping
)

func TestBrowser(t *testing.T) {
	b := needBrowser(t)
	base := startServer(t)
	// E2E_HOLD=10m keeps the seeded server up for a person to try (no browser run).
	if d, err := time.ParseDuration(os.Getenv("E2E_HOLD")); err == nil && d > 0 {
		t.Logf("serving %s for %s: %s / %s, %s / %s", base, d,
			demo.DemoEmail(trygg.RoleModerator, "kommun-1470"), moderatorPassword,
			demo.DemoEmail(trygg.RolePlanner, "kommun-1470"), plannerPassword)
		time.Sleep(d)
		return
	}
	b.run(t, 8*time.Minute, "run.mjs", []string{base, b.out},
		"E2E_MODERATOR_EMAIL="+demo.DemoEmail(trygg.RoleModerator, "kommun-1470"),
		"E2E_MODERATOR_PASSWORD="+moderatorPassword,
		"E2E_PLANNER_EMAIL="+demo.DemoEmail(trygg.RolePlanner, "kommun-1470"),
		"E2E_PLANNER_PASSWORD="+plannerPassword,
		"E2E_POLICE_EMAIL="+demo.DemoEmail(trygg.RolePolice, policeOrg),
		"E2E_POLICE_PASSWORD="+policePassword)
}

// startServer serves the API and the app on a fresh database with the demo data, a
// moderator and a planner of Vara with known passwords and published reports for the
// planner's hotspot map (seedReports), connected as production connects (the role
// row-level security applies to), and returns its URL.
func startServer(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	owner, url := pgtest.Open(t)
	if err := demo.Load(ctx, owner, nil); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadGazetteer(ctx, owner, nil); err != nil {
		t.Fatal(err)
	}
	for _, o := range demo.Organisations() {
		if err := owner.UpsertOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	for role, password := range map[trygg.Role]string{trygg.RoleModerator: moderatorPassword, trygg.RolePlanner: plannerPassword} {
		hash, err := auth.HashPassword(password)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := owner.CreateUser(ctx, demo.DemoEmail(role, "kommun-1470"), role, "kommun-1470", hash, false); err != nil {
			t.Fatal(err)
		}
	}
	hash, err := auth.HashPassword(policePassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.CreateUser(ctx, demo.DemoEmail(trygg.RolePolice, policeOrg), trygg.RolePolice, policeOrg, hash, false); err != nil {
		t.Fatal(err)
	}
	seedPromise(t, owner)
	seedReports(t, url)
	db := appDB(t, url, postgis.Options{})
	srv := httptest.NewServer(api.New(db, testLog(t), api.DefaultOptions()))
	t.Cleanup(srv.Close)
	return srv.URL
}

// seedReports adds published resident reports in Vara (1470) for the planner's hotspot
// map: 60 in a tight cluster in the town centre (poor lighting, very unsafe, observed
// every 47 hours back over four months, so that every hour of day and darkness occur
// and a patrol shift at any time of day finds the place active) and 200
// spread over the municipality (graffiti or littering, unsafe, every 17 hours).
func seedReports(t *testing.T, url string) {
	t.Helper()
	pgtest.Exec(t, url, `
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
		                    public_description, source, precision, status, created_at, observed_at)
		SELECT gen_random_uuid(), '1470', g, report_public_geom(g, 50), 'belysning', 1, '{evening}', 'Mörkt', 'Mörkt',
		       'resident', 'exact', 'published', now() - i * interval '47 hours', now() - i * interval '47 hours'
		FROM generate_series(1, 60) i,
		     LATERAL (SELECT ST_SetSRID(ST_MakePoint(12.9500 + (i % 8 - 4) * 0.0002, 58.2620 + (i / 8 - 4) * 0.0001), 4326) AS g) p;
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
		                    public_description, source, precision, status, created_at)
		SELECT gen_random_uuid(), '1470', d.geom, report_public_geom(d.geom, 50),
		       CASE WHEN d.path[1] % 2 = 0 THEN 'klotter' ELSE 'nedskrapning' END, 2, '{day}', 'Klotter', 'Klotter',
		       'resident', 'exact', 'published', now() - d.path[1] * interval '17 hours'
		FROM municipality m, LATERAL ST_Dump(ST_GeneratePoints(m.boundary, 200, 42)) d
		WHERE m.code = '1470';`)
}

// seedPromise adds a promise of Vara for this year, published, with a counted
// foot-patrol commitment of the police: the demo's promises are of past years, and a
// patrol visit recorded now counts only toward a promise whose period holds today.
func seedPromise(t *testing.T, owner *postgis.DB) {
	t.Helper()
	year := time.Now().Year()
	start, err := trygg.ParseDate(fmt.Sprintf("%d-01-01", year))
	if err != nil {
		t.Fatal(err)
	}
	end, err := trygg.ParseDate(fmt.Sprintf("%d-12-31", year))
	if err != nil {
		t.Fatal(err)
	}
	target := 40
	ctx := trygg.NewContext(context.Background(), &trygg.Caller{Actor: "e2e"})
	_, err = owner.CreatePromise(ctx, trygg.Promise{Municipality: "1470", Title: fmt.Sprintf("Medborgarlöfte Vara %d", year),
		PoliceAreas: []string{policeOrg}, PeriodStart: start, PeriodEnd: end, FocusAreas: []string{trygg.FocusUnsafePlaces},
		Summary: "Polis och kommun gör Vara centrum tryggare.", Status: trygg.PromiseActive, Published: true,
		Commitments: []trygg.Commitment{{Party: trygg.PartyPolice, FocusArea: trygg.FocusUnsafePlaces,
			ActivityKind: trygg.KindFootPatrol, Text: "Polisen fotpatrullerar i Vara centrum kvällstid.", Target: &target}}})
	if err != nil {
		t.Fatal(err)
	}
}

// testWriter logs the server's warnings and errors into the test's log.
type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}
