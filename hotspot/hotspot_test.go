package hotspot_test

import (
	"context"
	"math"
	"net/url"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/hotspot"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// TestPeriodsSumToGrid: an analysis by periods reads the grid's values as the sums of
// its periods' (one pass over the reports); they must equal the grid read directly,
// and so must every cell's Gi*.
func TestPeriodsSumToGrid(t *testing.T) {
	ctx := context.Background()
	owner, url := pgtest.Open(t)
	if err := demo.Load(ctx, owner, nil); err != nil {
		t.Fatal(err)
	}
	pgtest.Exec(t, url, `
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
		                    public_description, source, precision, status, created_at)
		SELECT gen_random_uuid(), '1470', g, report_public_geom(g, 50), 'belysning', 1 + n % 3, '{evening}'::text[], 'x', 'x',
		       'resident', 'exact', 'published', timestamptz '2025-01-01' + n * interval '7 hours'
		FROM (SELECT (ST_Dump(ST_GeneratePoints(boundary, 3000, 3))).geom AS g, generate_series(1, 3000) AS n
		      FROM municipality WHERE code = '1470') p
		UNION ALL
		SELECT gen_random_uuid(), '1470', g, report_public_geom(g, 50), 'vald', 1, '{night}'::text[], 'x', 'x',
		       'resident', 'exact', 'published', timestamptz '2025-06-01' + n * interval '3 hours'
		FROM (SELECT ST_SetSRID(ST_MakePoint(12.95 + (n % 10) * 0.0003, 58.262 + (n / 10) * 0.0003), 4326) AS g, n
		      FROM generate_series(1, 200) n) p;`)
	db, err := postgis.Open(ctx, url, postgis.Options{Role: postgis.AppRole})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	run := func(period string) *hotspot.Result {
		q := trygg.HotspotQuery{Municipality: "1470", Public: true, HalfLifeDays: 365, Period: period,
			At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		q.Normalize(time.Now())
		res, err := hotspot.Run(ctx, db, q)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	direct, byMonth := run(""), run(trygg.PeriodMonth)
	if len(direct.Cells) != len(byMonth.Cells) || direct.Reports != 3200 || byMonth.Reports != 3200 {
		t.Fatalf("cells %d and %d, reports %d and %d", len(direct.Cells), len(byMonth.Cells), direct.Reports, byMonth.Reports)
	}
	for i, c := range direct.Cells {
		m := byMonth.Cells[i]
		if c.Cell != m.Cell || c.Count != m.Count || math.Abs(c.Value-m.Value) > 1e-9 || math.Abs(c.Z-m.Z) > 1e-9 || c.Class != m.Class {
			t.Fatalf("cell %v: direct %+v, by month %+v", c.Cell, c, m)
		}
	}
	if len(byMonth.Periods) != 29 || len(direct.Hotspots) == 0 || byMonth.Hotspots[0].Trend == nil {
		t.Errorf("%d periods (want 29 months: 3000 reports 7 hours apart from January 2025), %d hotspots, trend %v", len(byMonth.Periods), len(direct.Hotspots), byMonth.Hotspots[0].Trend)
	}
}

func TestParseQuery(t *testing.T) {
	q, err := hotspot.ParseQuery(url.Values{"municipality": {"1470"}, "hours": {"22-06"}, "season": {"winter"},
		"source_weights": {"walk:2"}, "dark": {"true"}, "from": {"2025-01-01"}})
	if err != nil {
		t.Fatal(err)
	}
	if q.Hours == nil || *q.Hours != (trygg.HourRange{From: 22, To: 6}) || len(q.Months) != 3 || q.SourceWeights["walk"] != 2 ||
		q.SourceWeights["resident"] != 1 || q.Dark == nil || !*q.Dark || q.From == nil || q.HalfLifeDays != trygg.DefaultHalfLifeDays {
		t.Errorf("parsed %+v", q)
	}
	if q, _ := hotspot.ParseQuery(url.Values{"half_life": {"0"}}); q.HalfLifeDays != 0 {
		t.Errorf("half_life=0 gives %v, want no decay", q.HalfLifeDays)
	}
	if !(trygg.HourRange{From: 22, To: 6}).Contains(23) || (trygg.HourRange{From: 22, To: 6}).Contains(12) {
		t.Error("22-06 must hold 23 and not 12")
	}
}
