package postgis_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// TestPublicPrecision: the public view says what the public geometry is: a point at
// the centre of its cell of the grid it was snapped to (snapped, precision_m), an area
// as it is, or the point itself. The grid is the store's own (postgis.Options, the
// session's trygg.public_grid_m) even where the public point is also the centre of a
// larger cell, and an import's own grid for its transaction.
func TestPublicPrecision(t *testing.T) {
	ctx := context.Background()
	f := newStaffFixture(t, false)
	// 400 points over Vara: about one in 25 of them lies in the central 50 m cell of its
	// 250 m cell, where the 50 m and the 250 m snaps agree.
	insert := func(db *postgis.DB, grid float64, source string) {
		t.Helper()
		tx, err := db.Pool().Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx) //nolint:errcheck // committed below
		if grid != 50 {
			if _, err := tx.Exec(ctx, `SELECT set_config('trygg.public_grid_m', $1, true)`, fmt.Sprint(grid)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status)
			SELECT gen_random_uuid(), '1470', p, report_public_geom(p, $1), 'belysning', 2, $2, 'exact', 'published'
			FROM generate_series(0, 399) i,
			     LATERAL (SELECT ST_SetSRID(ST_MakePoint(12.90 + (i % 20) * 0.00371, 58.24 + (i / 20) * 0.00173), 4326) AS p) g`,
			grid, source); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	insert(f.owner, 50, "resident") // the store's grid, postgis.DefaultPublicGridM
	insert(f.owner, 200, "walk")    // an import's grid, set for its transaction
	f.exec(t, `INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status)
		VALUES (gen_random_uuid(), '1470', ST_GeomFromText('POLYGON((12.95 58.26, 12.951 58.26, 12.951 58.261, 12.95 58.26))', 4326),
		        ST_GeomFromText('POLYGON((12.95 58.26, 12.951 58.26, 12.951 58.261, 12.95 58.26))', 4326),
		        'belysning', 2, 'survey', 'area', 'published'),
		       (gen_random_uuid(), '1470', ST_SetSRID(ST_MakePoint(12.96, 58.27), 4326), ST_SetSRID(ST_MakePoint(12.96, 58.27), 4326),
		        'belysning', 2, 'survey', 'approximate', 'published')`)

	got := pgtest.Strings(t, f.url, `SELECT source || ' ' || precision || ' ' || coalesce(precision_m::text, '-') || ' ' || count(*)
		FROM public_report GROUP BY source, precision, precision_m ORDER BY 1`)
	want := []string{"resident snapped 50 400", "survey approximate - 1", "survey area - 1", "walk snapped 200 400"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("public precision:\n got %v\nwant %v", got, want)
	}
	// Without the session's grid (a bare connection) the largest grid that explains the
	// public point is said: never more precise than it is.
	pgtest.Exec(t, f.url, `TRUNCATE report CASCADE;
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status)
		SELECT gen_random_uuid(), '1470', p, report_public_geom(p, 50), 'belysning', 2, 'resident', 'exact', 'published'
		FROM generate_series(0, 399) i,
		     LATERAL (SELECT ST_SetSRID(ST_MakePoint(12.90 + (i % 20) * 0.00371, 58.24 + (i / 20) * 0.00173), 4326) AS p) g`)
	got = pgtest.Strings(t, f.url, `SELECT precision_m || ' ' || count(*) FROM public_report GROUP BY precision_m ORDER BY 1`)
	if len(got) != 2 || got[0][:3] != "250" || got[1][:3] != "50 " {
		t.Errorf("bare connection: grids %v, want mostly 50 and some 250", got)
	}
}
