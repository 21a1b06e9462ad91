package main

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// TestDemoReset runs trygg demo, then trygg demo --reset: the living data is loaded
// once, a second plain run leaves it, a reset deletes and loads it again to the same
// counts and leaves what others wrote, and production refuses it.
func TestDemoReset(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	ctx := context.Background()
	demoRun := func(env map[string]string, args ...string) (string, error) {
		t.Helper()
		env["DATABASE_URL"] = url
		var out bytes.Buffer
		err := run(ctx, append([]string{"trygg", "demo"}, args...), envOf(env), &out, io.Discard)
		return out.String(), err
	}
	counts := func() []string {
		return pgtest.Strings(t, url, `
			SELECT source || ' ' || status || ' ' || count(*) FROM report GROUP BY source, status
			UNION ALL SELECT 'walks ' || count(*) FROM walk
			UNION ALL SELECT 'runs ' || count(*) FROM hotspot_run WHERE public
			UNION ALL SELECT 'plans ' || count(*) FROM patrol_plan
			UNION ALL SELECT 'cameras ' || count(*) FROM camera_site
			UNION ALL SELECT 'promises ' || count(*) FROM promise
			ORDER BY 1`)
	}

	out, err := demoRun(map[string]string{})
	if err != nil {
		t.Fatalf("trygg demo: %v\n%s", err, out)
	}
	if !strings.Contains(out, "demo: living data in") || !strings.Contains(out, "reports") {
		t.Errorf("trygg demo printed no living-data progress:\n%s", out)
	}
	first := counts()
	if len(first) < 8 {
		t.Fatalf("after trygg demo: %v", first)
	}

	// Someone's own report in a demo municipality survives a reset.
	pgtest.Exec(t, url, `INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status)
		SELECT '00000000-0000-4000-8000-000000000017', '1470', g, report_public_geom(g, 50), 'klotter', 2, 'resident', 'exact', 'published'
		FROM ST_SetSRID(ST_MakePoint(12.955, 58.262), 4326) g`)
	mine := counts()

	if out, err := demoRun(map[string]string{}); err != nil || !strings.Contains(out, "loaded already") {
		t.Errorf("second trygg demo: %v\n%s", err, out)
	}
	if got := counts(); !reflect.DeepEqual(got, mine) {
		t.Errorf("a second trygg demo changed the data:\ngot  %v\nwant %v", got, mine)
	}

	if out, err := demoRun(map[string]string{"TRYGG_ENV": "production"}, "--reset"); err == nil || !strings.Contains(err.Error(), "production") {
		t.Errorf("trygg demo --reset in production: %v, want a refusal\n%s", err, out)
	}

	out, err = demoRun(map[string]string{}, "--reset")
	if err != nil {
		t.Fatalf("trygg demo --reset: %v\n%s", err, out)
	}
	if !strings.Contains(out, "deleted the living data") || !strings.Contains(out, "demo: living data in") {
		t.Errorf("trygg demo --reset printed:\n%s", out)
	}
	if got := counts(); !reflect.DeepEqual(got, mine) {
		t.Errorf("after the reset:\ngot  %v\nwant %v", got, mine)
	}
	if n := pgtest.Strings(t, url, `SELECT count(*)::text FROM report WHERE id = '00000000-0000-4000-8000-000000000017'`); n[0] != "1" {
		t.Error("the reset deleted a report the demo did not write")
	}
}
