package postgis_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// TestReportCategoriesInStep: every path that writes only category gets categories =
// {category}; categories alone gives category its first; a new main category moves to
// the front with the other reasons kept; unknown codes, duplicates, more than five and
// a category that is not the first are refused by the database itself.
func TestReportCategoriesInStep(t *testing.T) {
	f := newHSFixture(t)
	ctx := context.Background()
	pool := f.owner.Pool()
	id := f.add(t, hsRep{category: "klotter"})
	read := func() (cat string, cats []string) {
		t.Helper()
		if err := pool.QueryRow(ctx, `SELECT category, categories FROM report WHERE id = $1`, id).Scan(&cat, &cats); err != nil {
			t.Fatal(err)
		}
		return
	}
	if c, cs := read(); c != "klotter" || len(cs) != 1 || cs[0] != "klotter" {
		t.Errorf("inserted with category only: %s %v", c, cs)
	}
	exec := func(sql string) error {
		_, err := pool.Exec(ctx, sql, id)
		return err
	}
	if err := exec(`UPDATE report SET categories = ARRAY['vald', 'klotter', 'alkohol'] WHERE id = $1`); err != nil {
		t.Fatal(err)
	}
	if c, cs := read(); c != "vald" || len(cs) != 3 {
		t.Errorf("categories set: %s %v, want vald first", c, cs)
	}
	if err := exec(`UPDATE report SET category = 'alkohol' WHERE id = $1`); err != nil {
		t.Fatal(err)
	}
	if c, cs := read(); c != "alkohol" || len(cs) != 2 || cs[0] != "alkohol" || cs[1] != "klotter" {
		t.Errorf("a new main category: %s %v, want alkohol, klotter", c, cs)
	}
	for _, tc := range []struct{ sql, code string }{
		{`UPDATE report SET categories = ARRAY['alkohol', 'ingen-sadan'] WHERE id = $1`, "23503"},
		{`UPDATE report SET categories = ARRAY['alkohol', 'alkohol'] WHERE id = $1`, "23514"},
		{`UPDATE report SET categories = ARRAY['alkohol', 'vald', 'klotter', 'belysning', 'vegetation', 'narkotika'] WHERE id = $1`, "23514"},
		{`UPDATE report SET category = 'vald', categories = ARRAY['alkohol', 'vald'] WHERE id = $1`, "23514"},
		{`UPDATE report SET categories = '{}' WHERE id = $1`, "23514"},
	} {
		var pgErr *pgconn.PgError
		if err := exec(tc.sql); !errors.As(err, &pgErr) || pgErr.Code != tc.code {
			t.Errorf("%s: %v, want SQLSTATE %s", tc.sql, err, tc.code)
		}
	}
	if c, cs := read(); c != "alkohol" || len(cs) != 2 {
		t.Errorf("after refusals: %s %v, want unchanged", c, cs)
	}
}

// TestLagesbildCountsEachReason: the lägesbild counts a report in each of its
// categories, and once in the total and by source.
func TestLagesbildCountsEachReason(t *testing.T) {
	f := newHSFixture(t)
	ctx := context.Background()
	now := time.Now()
	a := f.add(t, hsRep{category: "belysning", created: now})
	f.add(t, hsRep{category: "belysning", created: now})
	if _, err := f.owner.Pool().Exec(ctx, `UPDATE report SET categories = ARRAY['belysning', 'vegetation'] WHERE id = $1`, a); err != nil {
		t.Fatal(err)
	}
	today := trygg.Today(now)
	l, err := f.owner.LagesbildCounts(ctx, "1470", postgis.Period{From: trygg.Date{Time: today.AddDate(0, 0, -7)}, To: today})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, c := range l.Reports.ByCategory {
		got[c.Key] = c.Count
	}
	if got["belysning"] != 2 || got["vegetation"] != 1 || l.Reports.Total.Count != 2 || len(l.Reports.BySource) != 1 || l.Reports.BySource[0].Count != 2 {
		t.Errorf("by category %v, total %+v, by source %+v; want belysning 2, vegetation 1, total 2, resident 2", got, l.Reports.Total, l.Reports.BySource)
	}
}
