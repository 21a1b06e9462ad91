package importer_test

import (
	"strings"
	"testing"

	"github.com/trygg-gis/trygg/importer"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// TestReportsSeveralCategories: a category cell with reasons separated by semicolons
// stores them all, the first as category; a bad list is refused naming the column, and
// then nothing is stored.
func TestReportsSeveralCategories(t *testing.T) {
	t.Parallel()
	db, url := demoStore(t)
	sum, err := importReports(t, db, "lon,lat,category,feeling\n13.10,58.24,belysning; vegetation,2\n13.10,58.24,klotter,3\n", importer.ReportOptions{})
	if err != nil || len(sum.Errors) > 0 || sum.Imported != 2 {
		t.Fatalf("import: %v %+v", err, sum)
	}
	got := pgtest.Strings(t, url, `SELECT category || ' ' || array_to_string(categories, ',') FROM report ORDER BY category`)
	if strings.Join(got, "|") != "belysning belysning,vegetation|klotter klotter" {
		t.Errorf("stored %q", got)
	}
	for _, cell := range []string{"belysning;belysning", "belysning;okand", "belysning;", "a;b;c;d;e;f"} {
		sum, err := importReports(t, db, "lon,lat,category,feeling\n13.10,58.24,"+cell+",2\n", importer.ReportOptions{})
		if err != nil || len(sum.Errors) != 1 || sum.Imported != 0 {
			t.Errorf("%q: %v %+v, want one refusal", cell, err, sum)
			continue
		}
		if e := sum.Errors[0]; e.Field != "category" {
			t.Errorf("%q: refusal %+v, want on column category", cell, e)
		}
	}
	if n := reportCount(t, url); n != "2 reports, 2 statuses" {
		t.Errorf("after refusals: %s", n)
	}
}
