package e2e_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// TestCategoriesBrowser (categories.mjs): a resident chooses two reasons in the form
// (the first marked as the main one) and an age band in "Om dig (frivilligt)", submits,
// and sees both reasons on the receipt's status page; a published report with two
// reasons and a done action shows, on its status page, both reasons, the place label, a
// map and the action's status and feedback, and both reasons in its map popup. The
// stored report has the reasons in order and the age band, which no page showed.
func TestCategoriesBrowser(t *testing.T) {
	b := needBrowser(t)
	ctx := context.Background()
	owner, url := pgtest.Open(t)
	if err := demo.Load(ctx, owner, nil); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadGazetteer(ctx, owner, nil); err != nil {
		t.Fatal(err)
	}
	// A published report by Vara station with two reasons and a done action.
	const seeded = "6a1f0c2e-5b7d-4c1a-9e3f-2d8b7a6c5e41"
	const feedback = "Belysningen vid stationen är bytt och buskarna är klippta."
	pgtest.Exec(t, url, `
		INSERT INTO report (id, municipality_code, geom, public_geom, category, categories, feeling, times, source, precision, status)
		SELECT '`+seeded+`', '1470', g, report_public_geom(g, 50), 'belysning', ARRAY['belysning', 'vegetation'], 1, '{evening}',
		       'resident', 'exact', 'published'
		FROM (SELECT ST_SetSRID(ST_MakePoint(12.9519, 58.2609), 4326) AS g) p;
		INSERT INTO report_status (report_id, status, actor) VALUES ('`+seeded+`', 'received', 'test'), ('`+seeded+`', 'published', 'test');
		INSERT INTO action (id, municipality_code, report_id, description, owner_text, status, feedback, done_at)
		VALUES (gen_random_uuid(), '1470', '`+seeded+`', 'Byt armaturer, klipp buskar', 'Gatuenheten', 'done', '`+feedback+`', now());`)
	db := appDB(t, url, postgis.Options{})
	srv := httptest.NewServer(api.New(db, testLog(t), api.DefaultOptions()))
	t.Cleanup(srv.Close)

	b.run(t, 3*time.Minute, "categories.mjs", []string{srv.URL, b.out}, "E2E_REPORT="+seeded, "E2E_FEEDBACK="+feedback)

	// The resident's report: both reasons in the order chosen, and the age band.
	got := pgtest.Strings(t, url, `SELECT array_to_string(r.categories, ',') || ' ' || coalesce(d.age_band, '-') || ' ' || coalesce(d.gender, '-')
		FROM report r LEFT JOIN report_demographics d ON d.report_id = r.id WHERE r.id <> $1`, seeded)
	if !slices.Equal(got, []string{"belysning,vegetation 30-49 unstated"}) {
		t.Errorf("stored %q, want the two reasons and the age band", got)
	}
}
