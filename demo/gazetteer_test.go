package demo_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// TestLoadGazetteer: the stops inside the demo municipalities, merged by name, and the
// curated places; loading again changes nothing.
func TestLoadGazetteer(t *testing.T) {
	t.Parallel()
	db, url := pgtest.Open(t)
	ctx := context.Background()
	load(t, db)
	var out bytes.Buffer
	if err := demo.LoadGazetteer(ctx, db, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "demo: gazetteer:") {
		t.Errorf("output %q", out.String())
	}
	got := pgtest.Strings(t, url, `SELECT municipality_code || ' ' || kind || ' ' || count(*) FROM gazetteer
		WHERE kind IN ('stop', 'place') GROUP BY municipality_code, kind ORDER BY 1`)
	t.Logf("%v", got)
	counts := map[string]bool{}
	for _, g := range got {
		counts[g[:9]] = true
	}
	for _, want := range []string{"1470 stop", "1494 stop", "1493 stop", "1383 stop", "1470 plac", "1383 plac", "0685 plac"} {
		if !counts[want] {
			t.Errorf("no %s entries: %v", want, got)
		}
	}
	// One entry for Vara resecentrum's area and points; nothing from Göteborg.
	if n := pgtest.Strings(t, url, `SELECT count(*)::text FROM gazetteer WHERE name = 'Vara resecentrum'`)[0]; n != "1" {
		t.Errorf("%s entries named Vara resecentrum, want 1", n)
	}
	if n := pgtest.Strings(t, url, `SELECT count(*)::text FROM gazetteer WHERE locality = 'Göteborg'`)[0]; n != "0" {
		t.Errorf("%s entries in Göteborg, want 0", n)
	}
	// Torget in Varberg is outside SCB's boundary but within the tolerance.
	if m := pgtest.Strings(t, url, `SELECT municipality_code FROM gazetteer WHERE name = 'Torget' AND locality = 'Varberg'`); len(m) != 1 || m[0] != "1383" {
		t.Errorf("Varberg's Torget: %v", m)
	}
	before := pgtest.Strings(t, url, `SELECT count(*)::text || ' ' || max(updated_at)::text FROM gazetteer`)[0]
	out.Reset()
	if err := demo.LoadGazetteer(ctx, db, &out); err != nil {
		t.Fatal(err)
	}
	if after := pgtest.Strings(t, url, `SELECT count(*)::text || ' ' || max(updated_at)::text FROM gazetteer`)[0]; after != before {
		t.Errorf("loading again changed the gazetteer: %s, was %s", after, before)
	}
	if !strings.Contains(out.String(), "(0 new or changed)") {
		t.Errorf("second load said %q", out.String())
	}
}
