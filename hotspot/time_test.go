package hotspot_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/hotspot"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// namedPlaces is Vara with four places 2 km apart, 30 reports each, all imported at
// 07:00 on Wednesday 3 December 2025 without an observed time: one named for nights
// (category belysning), one for weekends (vald), one for days (klotter), one with no
// time at all (alkohol). What was learnt of a place's time is only what people named.
func namedPlaces(t *testing.T) *postgis.DB {
	t.Helper()
	ctx := context.Background()
	owner, url := pgtest.Open(t)
	if err := demo.Load(ctx, owner, nil); err != nil {
		t.Fatal(err)
	}
	for k, p := range []struct{ category, times string }{
		{"belysning", "{night}"}, {"vald", "{weekend}"}, {"klotter", "{day}"}, {"alkohol", "{}"},
	} {
		pgtest.Exec(t, url, fmt.Sprintf(`
			WITH c AS (SELECT ST_Transform(ST_PointOnSurface(boundary), 3006) AS c FROM municipality WHERE code = '1470')
			INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
			                    public_description, source, precision, status, created_at)
			SELECT gen_random_uuid(), '1470', g, report_public_geom(g, 50), '%s', 1, '%s', 'x', 'x', 'dialogue', 'exact',
			       'published', timestamptz '2025-12-03 07:00 Europe/Stockholm'
			FROM c, generate_series(0, 29) n,
			     LATERAL (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(ST_X(c.c) + %d + (n %% 6) * 5, ST_Y(c.c) + (n / 6) * 5), 3006), 4326) AS g) p`,
			p.category, p.times, (k-1)*2000))
	}
	db, err := postgis.Open(ctx, url, postgis.Options{Role: postgis.AppRole})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// places runs a DBSCAN analysis of the public view (no decay) with mod and returns its
// hotspots by their place's category.
func places(t *testing.T, db *postgis.DB, mod func(q *trygg.HotspotQuery)) (*hotspot.Result, map[string]hotspot.Hotspot) {
	t.Helper()
	q := trygg.HotspotQuery{Municipality: "1470", Public: true, Method: trygg.MethodDBSCAN, EpsM: 30, MinPoints: 5}
	if mod != nil {
		mod(&q)
	}
	q.Normalize(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err := q.Check(nil); err != nil {
		t.Fatal(err)
	}
	res, err := hotspot.Run(context.Background(), db, q)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]hotspot.Hotspot{}
	for _, h := range res.Hotspots {
		if len(h.Profile.Categories) != 1 {
			t.Fatalf("a hotspot of %v: the places are apart", h.Profile.Categories)
		}
		out[h.Profile.Categories[0].Name] = h
	}
	return res, out
}

var nightHours = []int{22, 23, 0, 1, 2, 3, 4, 5}

// TestNamedTimesPeak is issue 16's bug: places people named for nights and weekends
// peaked at the hour they were imported (peak_hours [7]). Their peaks are the times
// named; a place without a time has no peak.
func TestNamedTimesPeak(t *testing.T) {
	db := namedPlaces(t)
	_, hs := places(t, db, nil)
	night, weekend, day, none := hs["belysning"], hs["vald"], hs["klotter"], hs["alkohol"]
	if night.Count != 30 || weekend.Count != 30 || day.Count != 30 || none.Count != 30 {
		t.Fatalf("hotspots %v: want the four places of 30 reports", hs)
	}
	for _, h := range night.PeakHours {
		if !slices.Contains(nightHours, h) {
			t.Errorf("a place named for nights peaks at %v, want night hours (22–06)", night.PeakHours)
			break
		}
	}
	if len(night.PeakHours) == 0 {
		t.Error("a place named for nights has no peak hours")
	}
	if !slices.Equal(weekend.PeakDays, []int{6, 7}) {
		t.Errorf("a weekend place peaks on weekdays %v, want 6 and 7 (Saturday, Sunday)", weekend.PeakDays)
	}
	for _, h := range day.PeakHours {
		if h < 6 || h >= 18 {
			t.Errorf("a place named for days peaks at %v, want 06–18", day.PeakHours)
			break
		}
	}
	if len(none.PeakHours) != 0 || len(none.PeakDays) != 0 {
		t.Errorf("a place without a time peaks at hours %v, days %v; want none", none.PeakHours, none.PeakDays)
	}
}

// TestNamedTimesProfile: a report named for nights is spread over the 56 night slots
// of the week, one named for weekends over the 48 of Saturday and Sunday; reports
// without a time are counted in the profile and the summary, not in its hours.
func TestNamedTimesProfile(t *testing.T) {
	db := namedPlaces(t)
	res, hs := places(t, db, nil)
	if res.UnknownTime != 30 || res.Reports != 120 {
		t.Errorf("%d reports, %d without a time; want 120 and 30", res.Reports, res.UnknownTime)
	}
	sum := func(p postgis.Profile) (total float64, slots int) {
		for d := range 7 {
			for h := range 24 {
				if v := p.HourWeekday[d][h]; v > 0 {
					total += v
					slots++
				}
			}
		}
		return total, slots
	}
	night := hs["belysning"].Profile
	if total, slots := sum(night); math.Abs(total-30) > 1e-3 || slots != 56 || math.Abs(night.HourWeekday[2][23]-30.0/56) > 1e-5 ||
		night.HourWeekday[2][7] != 0 || night.UnknownTime != 0 {
		t.Errorf("night place: %v over %d slots, Wednesday 23:00 %v, 07:00 %v; want 30 over 56 slots, 30/56 at 23:00, 0 at 07:00",
			total, slots, night.HourWeekday[2][23], night.HourWeekday[2][7])
	}
	weekend := hs["vald"].Profile
	if total, slots := sum(weekend); math.Abs(total-30) > 1e-3 || slots != 48 || weekend.HourWeekday[5][12] <= 0 || weekend.HourWeekday[4][12] != 0 {
		t.Errorf("weekend place: %v over %d slots; want 30 over the 48 of Saturday and Sunday", total, slots)
	}
	none := hs["alkohol"].Profile
	if total, _ := sum(none); total != 0 || none.UnknownTime != 30 {
		t.Errorf("place without a time: %v in the profile's hours, %d without a time; want 0 and 30", total, none.UnknownTime)
	}
}

// TestNamedTimesFilters: hours, days, when and dark count each report with the share
// of its slots inside them; reports without a time are left out.
func TestNamedTimesFilters(t *testing.T) {
	db := namedPlaces(t)
	tp := func(b bool) *bool { return &b }
	for _, tc := range []struct {
		name string
		mod  func(q *trygg.HotspotQuery)
		want map[string]float64 // place → its value (30 whole)
	}{
		{"none", nil, map[string]float64{"belysning": 30, "vald": 30, "klotter": 30, "alkohol": 30}},
		// 22–06 keeps the night whole, a third of the weekends' hours, nothing of days.
		{"hours=22-06", func(q *trygg.HotspotQuery) { q.Hours = &trygg.HourRange{From: 22, To: 6} },
			map[string]float64{"belysning": 30, "vald": 10}},
		{"days=weekend", func(q *trygg.HotspotQuery) { q.Days = "weekend" },
			map[string]float64{"belysning": 30 * 2.0 / 7, "vald": 30, "klotter": 30 * 2.0 / 7}},
		{"days=weekday", func(q *trygg.HotspotQuery) { q.Days = "weekday" },
			map[string]float64{"belysning": 30 * 5.0 / 7, "klotter": 30 * 5.0 / 7}},
		{"when=weekend", func(q *trygg.HotspotQuery) { q.When = []string{"weekend"} }, map[string]float64{"vald": 30}},
		{"when=night", func(q *trygg.HotspotQuery) { q.When = []string{"night"} }, map[string]float64{"belysning": 30}},
		// December in Vara: every night hour is dark; of days, 06–09 and 15–18 are.
		{"dark=true", func(q *trygg.HotspotQuery) { q.Dark = tp(true) },
			map[string]float64{"belysning": 30, "vald": -1, "klotter": -1}},
		{"dark=false", func(q *trygg.HotspotQuery) { q.Dark = tp(false) }, map[string]float64{"vald": -1, "klotter": -1}},
		{"hours=22-06 and weekend", func(q *trygg.HotspotQuery) { q.Hours = &trygg.HourRange{From: 22, To: 6}; q.Days = "weekend" },
			map[string]float64{"belysning": 30 * 2.0 / 7, "vald": 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, hs := places(t, db, tc.mod)
			for cat, want := range tc.want {
				h, ok := hs[cat]
				switch {
				case !ok:
					t.Errorf("no hotspot at %s, want value %v", cat, want)
				case h.Count != 30:
					t.Errorf("%s: %d reports, want 30", cat, h.Count)
				case want >= 0 && math.Abs(h.Value-want) > 1e-3:
					t.Errorf("%s: value %v, want %v", cat, h.Value, want)
				case want < 0 && !(h.Value > 0 && h.Value < 30):
					t.Errorf("%s: value %v, want part of 30", cat, h.Value)
				}
			}
			for cat, h := range hs {
				if _, ok := tc.want[cat]; !ok {
					t.Errorf("a hotspot at %s (value %v), want none", cat, h.Value)
				}
			}
			if res.UnknownTime != 30 {
				t.Errorf("%d reports without a time, want 30 (left out by the time filters)", res.UnknownTime)
			}
		})
	}
}
