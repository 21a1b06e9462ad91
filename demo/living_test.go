package demo_test

import (
	"bytes"
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// livingNow is the fixed now of the living demo's tests.
var livingNow = time.Date(2026, 9, 15, 10, 0, 0, 0, time.UTC)

func loadLiving(t *testing.T, db *postgis.DB, now time.Time, reset bool) string {
	t.Helper()
	var out bytes.Buffer
	start := time.Now()
	if err := demo.LoadLiving(context.Background(), demo.WithAnalyses(db), now, demo.LivingOptions{Reset: reset}, &out); err != nil {
		t.Fatalf("LoadLiving: %v\n%s", err, out.String())
	}
	t.Logf("LoadLiving in %v:\n%s", time.Since(start).Round(time.Millisecond), out.String())
	return out.String()
}

func livingDB(t *testing.T) (*postgis.DB, string) {
	t.Helper()
	db, url := pgtest.Open(t)
	load(t, db)
	if err := demo.LoadUsers(context.Background(), db, nil); err != nil {
		t.Fatalf("LoadUsers: %v", err)
	}
	return db, url
}

// counts is a summary of the living data per municipality, to compare loads.
func livingCounts(t *testing.T, url string) []string {
	t.Helper()
	return pgtest.Strings(t, url, `
		SELECT 'public ' || municipality_code || ' ' || count(*) FROM public_report GROUP BY municipality_code
		UNION ALL SELECT 'report ' || municipality_code || ' ' || source || ' ' || status || ' ' || count(*) FROM report
			GROUP BY municipality_code, source, status
		UNION ALL SELECT 'walk ' || municipality_code || ' ' || count(*) FROM walk GROUP BY municipality_code
		UNION ALL SELECT 'action ' || municipality_code || ' ' || count(*) FROM action GROUP BY municipality_code
		UNION ALL SELECT 'dialogue ' || municipality_code || ' ' || count(*) FROM dialogue GROUP BY municipality_code
		UNION ALL SELECT 'camera ' || municipality_code || ' ' || state || ' ' || count(*) FROM camera_site GROUP BY municipality_code, state
		UNION ALL SELECT 'plan ' || municipality_code || ' ' || count(*) FROM patrol_plan GROUP BY municipality_code
		UNION ALL SELECT 'visits ' || municipality_code || ' ' || count(*) FILTER (WHERE arrived_at IS NOT NULL) FROM patrol_stop GROUP BY municipality_code
		UNION ALL SELECT 'run ' || municipality_code || ' ' || public || ' ' || count(*) FROM hotspot_run GROUP BY municipality_code, public
		UNION ALL SELECT 'promise ' || municipality_code || ' ' || count(*) FROM promise GROUP BY municipality_code
		UNION ALL SELECT 'activity ' || municipality_code || ' ' || count(*) FROM activity GROUP BY municipality_code
		ORDER BY 1`)
}

func TestLoadLiving(t *testing.T) {
	t.Parallel()
	db, url := livingDB(t)
	ctx := context.Background()
	out := loadLiving(t, db, livingNow, false)
	if !strings.Contains(out, "reports") || !strings.Contains(out, "walks") {
		t.Errorf("no progress line: %q", out)
	}

	t.Run("public reports", func(t *testing.T) {
		got := map[string]int{}
		for _, s := range pgtest.Strings(t, url, `SELECT municipality_code || ' ' || count(*) FROM public_report
			WHERE source = 'resident' GROUP BY municipality_code`) {
			f := strings.Fields(s)
			got[f[0]], _ = strconv.Atoi(f[1])
		}
		for _, code := range demo.Municipalities {
			if got[code] < 300 || got[code] > 650 {
				t.Errorf("municipality %s: %d public resident reports, want 300–650", code, got[code])
			}
		}
		// Dates over the last year, none in the future; named times as well as moments.
		row := pgtest.Strings(t, url, `SELECT min(coalesce(observed_at, created_at))::date || ' ' || max(coalesce(observed_at, created_at))::date
			|| ' ' || count(*) FILTER (WHERE observed_at IS NULL AND times <> '{}') || ' ' || count(*) FILTER (WHERE observed_at IS NOT NULL)
			FROM report WHERE source = 'resident'`)[0]
		f := strings.Fields(row)
		if f[0] < "2025-09-14" || f[1] > "2026-09-15" {
			t.Errorf("report dates %s to %s, want within the year before %s", f[0], f[1], livingNow.Format(time.DateOnly))
		}
		if f[2] == "0" || f[3] == "0" {
			t.Errorf("named-time reports %s, observed reports %s: want both", f[2], f[3])
		}
		// People name nights at the centre more often: the reports within 500 m of the
		// town centre name night more often than those farther out.
		share := pgtest.Strings(t, url, `
			WITH c(code, pt) AS (VALUES ('1470', ST_MakePoint(12.9555, 58.2615)), ('1494', ST_MakePoint(13.1580, 58.5040))),
			r AS (SELECT ST_DWithin(r.geom::geography, ST_SetSRID(c.pt, 4326)::geography, 500) AS central, 'night' = ANY(r.times) AS night
				FROM report r JOIN c ON c.code = r.municipality_code WHERE r.source = 'resident' AND r.observed_at IS NULL)
			SELECT (avg(night::int) FILTER (WHERE central) > avg(night::int) FILTER (WHERE NOT central))::text FROM r`)
		if share[0] != "true" {
			t.Errorf("central reports do not name nights more often than the rest")
		}
	})

	t.Run("police events", func(t *testing.T) {
		n := pgtest.Strings(t, url, `SELECT count(*)::text FROM report WHERE source = 'police-event'`)[0]
		if v, _ := strconv.Atoi(n); v < 300 {
			t.Errorf("%s police events, want the 400-odd of the five towns", n)
		}
	})

	t.Run("walks", func(t *testing.T) {
		for _, code := range demo.Municipalities {
			got := pgtest.Strings(t, url, `SELECT count(DISTINCT w.id) || ' ' || count(DISTINCT r.id) || ' ' || count(DISTINCT a.id)
				FROM walk w JOIN report r ON r.walk_id = w.id JOIN action a ON a.walk_id = w.id
				WHERE w.municipality_code = $1 AND w.route IS NOT NULL`, code)[0]
			f := strings.Fields(got)
			if f[0] == "0" || f[1] == "0" || f[2] == "0" {
				t.Errorf("municipality %s: walks, observations, actions = %s, want a walk with observations and actions", code, got)
			}
		}
	})

	t.Run("dialogue", func(t *testing.T) {
		got := pgtest.Strings(t, url, `SELECT d.municipality_code || ' ' || count(r.id) FROM dialogue d
			JOIN report r ON r.dialogue_id = d.id AND r.source = 'dialogue' GROUP BY d.municipality_code`)
		if len(got) != 1 || !strings.HasPrefix(got[0], "1494 ") {
			t.Fatalf("dialogue places = %v, want Lidköping's", got)
		}
		if n, _ := strconv.Atoi(strings.Fields(got[0])[1]); n < 200 {
			t.Errorf("Lidköping has %d dialogue places, want a few hundred", n)
		}
	})

	t.Run("EST", func(t *testing.T) {
		got := pgtest.Strings(t, url, `SELECT municipality_code FROM report WHERE source = 'est'
			GROUP BY 1 HAVING count(*) >= 20 ORDER BY 1`)
		if !reflect.DeepEqual(got, []string{"0685", "1493"}) {
			t.Errorf("EST incidents in %v, want Vetlanda and Mariestad", got)
		}
	})

	t.Run("camera", func(t *testing.T) {
		cams, err := db.Cameras(trygg.NewContext(ctx, &trygg.Caller{Actor: "test"}), "1470")
		if err != nil {
			t.Fatal(err)
		}
		if len(cams) != 1 {
			t.Fatalf("Vara has %d cameras, want 1", len(cams))
		}
		c := cams[0]
		if !strings.Contains(c.Name, "Resecentrum") || c.Indoor || c.State != trygg.CameraActive || c.Approved(trygg.Today(livingNow)) != nil {
			t.Errorf("camera %q indoor %v state %s approved %v: want Resecentrum, outdoors, active and approved",
				c.Name, c.Indoor, c.State, c.Approved(trygg.Today(livingNow)))
		}
		if len(c.CommitmentIDs) != 1 {
			t.Errorf("camera commitments = %v, want the current promise's camera commitment", c.CommitmentIDs)
		}
	})

	t.Run("patrol", func(t *testing.T) {
		got := pgtest.Strings(t, url, `SELECT p.municipality_code FROM patrol_plan p JOIN patrol_stop s ON s.plan_id = p.id
			WHERE s.arrived_at IS NOT NULL AND s.activity_id IS NOT NULL GROUP BY 1 ORDER BY 1`)
		if len(got) < 5 {
			t.Errorf("patrol plans with visits in %v, want every municipality", got)
		}
	})

	t.Run("current promises", func(t *testing.T) {
		for _, code := range demo.Municipalities {
			ps, err := db.PublicPromises(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range ps {
				if p.PeriodStart.After(livingNow) || p.PeriodEnd.Before(trygg.Today(livingNow).Time) {
					continue
				}
				found = true
				f, err := db.Followup(ctx, p.ID, true)
				if err != nil {
					t.Fatal(err)
				}
				if n := len(f.Commitments); n < 3 || n > 5 {
					t.Errorf("%s: %d commitments, want 3–5", code, n)
				}
				var achieved, target int
				for _, c := range f.Commitments {
					if c.Target == nil {
						t.Errorf("%s: commitment %q has no target", code, c.Text)
						continue
					}
					achieved += min(c.Progress.Achieved, *c.Target)
					target += *c.Target
					kinds := map[string]bool{}
					for _, w := range c.Work {
						kinds[w.Kind] = true
					}
					switch {
					case len(c.Work) == 0:
						t.Errorf("%s: commitment %q has no linked work", code, c.Text)
					case c.ActivityKind == trygg.KindSafetyWalk && !kinds[trygg.WorkWalk]:
						t.Errorf("%s: safety-walk commitment without a walk: %v", code, kinds)
					case c.ActivityKind == trygg.KindCameraSurveillance && !kinds[trygg.WorkCamera]:
						t.Errorf("%s: camera commitment without a camera: %v", code, kinds)
					case c.ActivityKind == trygg.KindDialogueMeeting && !kinds[trygg.WorkDialogue]:
						t.Errorf("%s: dialogue commitment without a dialogue: %v", code, kinds)
					}
				}
				if share := float64(achieved) / float64(target); share <= 0.2 || share >= 0.8 {
					t.Errorf("%s: progress %d of %d (%.0f %%), want 20–80 %%", code, achieved, target, 100*share)
				}
			}
			if !found {
				t.Errorf("%s: no published promise whose period holds %s", code, livingNow.Format(time.DateOnly))
			}
		}
	})

	t.Run("hotspot runs", func(t *testing.T) {
		got := pgtest.Strings(t, url, `SELECT r.municipality_code || ' ' || count(h.id) FROM hotspot_run r
			LEFT JOIN hotspot h ON h.run_id = r.id WHERE r.public GROUP BY r.municipality_code ORDER BY 1`)
		if len(got) != 5 {
			t.Fatalf("public runs %v, want one per municipality", got)
		}
		for _, s := range got {
			if strings.HasSuffix(s, " 0") {
				t.Errorf("run %s: no hot area", s)
			}
		}
		// The planted town-centre clusters come back: each run's strongest hot area lies
		// within 1.5 km of the town centre.
		far := pgtest.Strings(t, url, `
			WITH c(code, pt) AS (VALUES ('1470', ST_MakePoint(12.9555, 58.2615)), ('0685', ST_MakePoint(15.0790, 57.4280)),
				('1383', ST_MakePoint(12.2620, 57.1080)), ('1494', ST_MakePoint(13.1580, 58.5040)), ('1493', ST_MakePoint(13.8245, 58.7085)))
			SELECT r.municipality_code FROM hotspot_run r JOIN hotspot h ON h.run_id = r.id AND h.rank = 1
			JOIN c ON c.code = r.municipality_code
			WHERE NOT ST_DWithin(h.geom::geography, ST_SetSRID(c.pt, 4326)::geography, 1500)`)
		if len(far) > 0 {
			t.Errorf("the strongest hot area lies far from the town centre in %v", far)
		}
	})

	t.Run("again", func(t *testing.T) {
		before := livingCounts(t, url)
		if out := loadLiving(t, db, livingNow, false); !strings.Contains(out, "already") {
			t.Errorf("second load: %q, want it to say the data is there", out)
		}
		if got := livingCounts(t, url); !reflect.DeepEqual(got, before) {
			t.Errorf("a second load changed the counts:\ngot  %v\nwant %v", got, before)
		}
		positions := pgtest.Strings(t, url, `SELECT md5(string_agg(ST_AsText(geom) || category || feeling || times::text ||
			coalesce(observed_at::text, created_at::date::text), ',' ORDER BY ST_X(geom), ST_Y(geom), category, feeling, times::text,
			coalesce(observed_at::text, created_at::date::text))) FROM report WHERE source = 'resident'`)
		loadLiving(t, db, livingNow, true)
		if got := livingCounts(t, url); !reflect.DeepEqual(got, before) {
			t.Errorf("a reset changed the counts:\ngot  %v\nwant %v", got, before)
		}
		again := pgtest.Strings(t, url, `SELECT md5(string_agg(ST_AsText(geom) || category || feeling || times::text ||
			coalesce(observed_at::text, created_at::date::text), ',' ORDER BY ST_X(geom), ST_Y(geom), category, feeling, times::text,
			coalesce(observed_at::text, created_at::date::text))) FROM report WHERE source = 'resident'`)
		if !reflect.DeepEqual(again, positions) {
			t.Errorf("two loads with the same now made different reports")
		}

		// Another now moves the dates, not the places.
		places := `SELECT md5(string_agg(ST_AsText(geom) || category, ',' ORDER BY ST_X(geom), ST_Y(geom), category))
			FROM report WHERE source = 'resident'`
		same := pgtest.Strings(t, url, places)
		loadLiving(t, db, livingNow.AddDate(0, 1, 10), true)
		if got := pgtest.Strings(t, url, places); !reflect.DeepEqual(got, same) {
			t.Errorf("a load with another now placed the reports elsewhere")
		}
		if n := pgtest.Strings(t, url, `SELECT count(*)::text FROM report WHERE source = 'resident'
			AND coalesce(observed_at, created_at) > $1`, livingNow); n[0] == "0" {
			t.Errorf("a load with a later now dated no report after the first now")
		}
	})
}
