package hotspot_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	orbwkb "github.com/paulmach/orb/encoding/wkb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/hotspot"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// Whole analyses on synthetic data whose answer is known: complete spatial randomness
// (no place is special) and clusters planted on a sparse uniform background.

// knownDB is a migrated database with the demo municipalities and no reports, and the
// application's pool on it.
func knownDB(tb testing.TB) (*postgis.DB, string) {
	tb.Helper()
	ctx := context.Background()
	owner, url := pgtest.Open(tb)
	if err := demo.Load(ctx, owner, nil); err != nil {
		tb.Fatal(err)
	}
	db, err := postgis.Open(ctx, url, postgis.Options{Role: postgis.AppRole})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(db.Close)
	return db, url
}

// uniformReports is the SQL that inserts n published reports (feeling 1, resident)
// spread uniformly over municipality code's boundary by ST_GeneratePoints with seed.
func uniformReports(code string, n, seed int) string {
	return fmt.Sprintf(`
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
		                    public_description, source, precision, status, created_at, observed_at)
		SELECT gen_random_uuid(), '%[1]s', g, report_public_geom(g, 50), 'belysning', 1, '{evening}'::text[], 'x', 'x',
		       'resident', 'exact', 'published', timestamptz '2025-01-01' + k * interval '97 minutes',
		       timestamptz '2025-01-01' + k * interval '97 minutes'
		FROM (SELECT (ST_Dump(ST_GeneratePoints(boundary, %[2]d, %[3]d))).geom AS g FROM municipality WHERE code = '%[1]s') p,
		     LATERAL (SELECT (random() * 5000)::int AS k) t;`, code, n, seed)
}

// deleteReports empties the report table (between seeds).
const deleteReports = `DELETE FROM report_confirmation; DELETE FROM report;`

// runKnown runs the default analysis of municipality code as a planner serving it
// (every report counts: the public's minimum count would hide most cells of sparse
// data), with the changes of q applied.
func runKnown(tb testing.TB, db *postgis.DB, code string, change ...func(*trygg.HotspotQuery)) *hotspot.Result {
	tb.Helper()
	q := trygg.HotspotQuery{Municipality: code, At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, c := range change {
		c(&q)
	}
	q.Normalize(time.Now())
	if err := q.Check(nil); err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	if !q.Public {
		ctx = trygg.NewContext(ctx, &trygg.Caller{User: trygg.User{ID: "00000000-0000-0000-0000-000000000001",
			Role: trygg.RolePlanner, Municipalities: []string{code}}})
	}
	res, err := hotspot.Run(ctx, db, q)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// hotShare is the number of hot cells and their share of the analysed cells.
func hotShare(res *hotspot.Result) (int, float64) {
	hot := 0
	for _, c := range res.Cells {
		if c.Class > 0 {
			hot++
		}
	}
	if len(res.Cells) == 0 {
		return 0, 0
	}
	return hot, float64(hot) / float64(len(res.Cells))
}

// TestCompleteSpatialRandomness: 2,000 reports uniform over Mariestad, for several
// seeds: a sound analysis finds almost nothing — at most 2 hot areas and at most 1 % hot
// cells.
func TestCompleteSpatialRandomness(t *testing.T) {
	db, url := knownDB(t)
	for _, seed := range []int{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			pgtest.Exec(t, url, deleteReports+uniformReports("1493", 2000, seed))
			res := runKnown(t, db, "1493")
			hot, share := hotShare(res)
			t.Logf("seed %d: %d reports, %d cells, band %v cells (%s), %d hot cells (%.2f %%), %d hot areas",
				seed, res.Reports, len(res.Cells), res.Band.Cells, res.Band.Method, hot, 100*share, len(res.Hotspots))
			if res.Reports != 2000 {
				t.Fatalf("%d reports in the analysis, want 2000", res.Reports)
			}
			if len(res.Hotspots) > 2 || share > 0.01 {
				t.Errorf("uniform reports give %d hot areas and %.2f %% hot cells, want at most 2 and 1 %%", len(res.Hotspots), 100*share)
			}
		})
	}
}

// plantedReports is the SQL that inserts a cluster of n published reports within 100 m
// of (lon, lat), described by name (seeded: setseed).
func plantedReports(name string, n int, lon, lat float64) string {
	return fmt.Sprintf(`
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
		                    public_description, source, precision, status, created_at, observed_at)
		SELECT gen_random_uuid(), '1493', g, report_public_geom(g, 50), 'belysning', 1, '{night}'::text[], '%[1]s', 'x',
		       'resident', 'exact', 'published', timestamptz '2025-03-01' + k * interval '1 day', timestamptz '2025-03-01' + k * interval '1 day'
		FROM generate_series(1, %[2]d) k,
		     LATERAL (SELECT ST_Project(ST_SetSRID(ST_MakePoint(%[3]g, %[4]g), 4326)::geography,
		                                100 * sqrt(random()), 2 * pi() * random())::geometry AS g) p;`, name, n, lon, lat)
}

// TestPlantedClusters: three clusters of 40, 25 and 15 reports, each within 100 m,
// kilometres apart in Mariestad, on 300 reports spread uniformly: exactly three hot
// areas, each holding its cluster's reports whole, ranked 40 > 25 > 15.
func TestPlantedClusters(t *testing.T) {
	db, url := knownDB(t)
	for _, seed := range []int{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			pgtest.Exec(t, url, deleteReports+fmt.Sprintf("SELECT setseed(0.%d);", seed)+uniformReports("1493", 300, seed)+
				plantedReports("c40", 40, 13.825, 58.708)+plantedReports("c25", 25, 14.05, 58.80)+plantedReports("c15", 15, 13.93, 58.65))
			res := runKnown(t, db, "1493")
			hot, share := hotShare(res)
			t.Logf("seed %d: %d reports, %d cells, band %v cells (%s), %d hot cells (%.2f %%), %d hot areas",
				seed, res.Reports, len(res.Cells), res.Band.Cells, res.Band.Method, hot, 100*share, len(res.Hotspots))
			for _, h := range res.Hotspots {
				t.Logf("  rank %d: %d reports, value %v, %d cells, class %d, z %.2f", h.Rank, h.Count, h.Value, len(h.Cells), h.Class, h.Z)
			}
			if len(res.Hotspots) != 3 {
				t.Fatalf("%d hot areas, want the 3 planted", len(res.Hotspots))
			}
			for k, name := range []string{"c40", "c25", "c15"} {
				h := res.Hotspots[k]
				wkb, err := orbwkb.Marshal(h.Polygon)
				if err != nil {
					t.Fatal(err)
				}
				// Each cluster's reports, and how many of them lie in the area ranked k+1.
				got := pgtest.Strings(t, url, fmt.Sprintf(`SELECT count(*) || '/' || count(*) FILTER (WHERE ST_Covers(ST_SetSRID(ST_GeomFromWKB('\x%x'::bytea), 4326), geom))
					FROM report WHERE description = '%s'`, wkb, name))
				want := fmt.Sprintf("%s/%s", name[1:], name[1:])
				if got[0] != want {
					t.Errorf("hot area ranked %d holds %s of cluster %s's reports (all/inside), want %s", h.Rank, got[0], name, want)
				}
			}
		})
	}
}
