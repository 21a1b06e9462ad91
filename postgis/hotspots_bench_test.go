package postgis_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// BenchmarkHotspotGrid measures HotspotGrid over 1,000,000 published reports in one
// municipality (Vara) with 200 m cells, staff and public, hexagons and squares, as the
// server's role, each beside the bare count of the same report set as a baseline.
func BenchmarkHotspotGrid(b *testing.B) {
	ctx := context.Background()
	owner, url := pgtest.Open(b)
	if err := demo.Load(ctx, owner, nil); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	pgtest.Exec(b, url, `
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, source, precision, status, created_at)
		SELECT gen_random_uuid(), m.code, d.geom, report_public_geom(d.geom, 50),
		       (ARRAY['belysning','vegetation','klotter','vald'])[1 + d.path[1] % 4], 1 + d.path[1] % 4,
		       '{evening,night}', (ARRAY['resident','walk','dialogue'])[1 + d.path[1] % 3], 'exact', 'published',
		       timestamptz '2024-01-01' + d.path[1] * interval '1 minute'
		FROM municipality m, LATERAL ST_Dump(ST_GeneratePoints(m.boundary, 1000000, 4711)) d WHERE m.code = '1470';
		INSERT INTO report_confirmation (report_id) SELECT id FROM report TABLESAMPLE SYSTEM (1);
		ANALYZE report; ANALYZE report_confirmation;`)
	fmt.Fprintf(os.Stderr, "hotspots: generated 1,000,000 reports in Vara in %v\n", time.Since(t0).Round(time.Second))
	app := pgtest.App(b, url)
	staff := trygg.NewContext(ctx, &trygg.Caller{User: trygg.User{Role: trygg.RolePlanner, Municipalities: []string{"1470"}}})
	baseline := map[bool]string{
		true: `SELECT count(*) FROM public_report r WHERE r.municipality_code = '1470' AND r.precision <> 'area'`,
		false: `SELECT count(*) FROM report r WHERE r.municipality_code = '1470' AND r.status <> 'rejected'
			AND r.source <> 'police-event' AND r.precision <> 'area'`,
	}
	for _, public := range []bool{false, true} {
		for _, grid := range []string{trygg.GridHex, trygg.GridSquare} {
			name := fmt.Sprintf("public=%v/%s", public, grid)
			b.Run(name, func(b *testing.B) {
				q := trygg.HotspotQuery{Municipality: "1470", Grid: grid, CellM: 200, HalfLifeDays: 365, Public: public}
				q.Normalize(time.Now())
				c := ctx
				if !public {
					c = staff
				}
				var grid, count time.Duration
				for range b.N {
					t0 := time.Now()
					cells, err := app.HotspotGrid(c, q, nil)
					if err != nil {
						b.Fatal(err)
					}
					grid += time.Since(t0)
					if n, _ := hsTotal(cells); n != 1_000_000 {
						b.Fatalf("%d reports in the grid, want 1000000", n)
					}
					t0 = time.Now()
					var n int
					if err := app.Pool().QueryRow(c, baseline[public]).Scan(&n); err != nil {
						b.Fatal(err)
					}
					count += time.Since(t0)
				}
				fmt.Fprintf(os.Stderr, "hotspots %s: grid %v, bare count %v (mean of %d)\n", name,
					(grid / time.Duration(b.N)).Round(time.Millisecond), (count / time.Duration(b.N)).Round(time.Millisecond), b.N)
			})
		}
	}
}
