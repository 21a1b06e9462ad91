package postgis_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/patrol"
	"github.com/trygg-gis/trygg/postgis"
)

// TestReportSlots checks migration 20's SQL against trygg.ReportTime: every set of
// named times, and observed moments in Swedish time either side of midnight and of the
// change to summer time, give the same slots and the same shares under filters.
func TestReportSlots(t *testing.T) {
	f := newHSFixture(t)
	ctx := context.Background()
	pool := f.owner.Pool()
	type tc struct {
		observed *time.Time
		when     []string
	}
	var cases []tc
	for m := range 1 << len(trygg.Times) {
		var when []string
		for i, w := range trygg.Times {
			if m>>i&1 == 1 {
				when = append(when, w)
			}
		}
		cases = append(cases, tc{when: when})
	}
	for _, o := range []time.Time{
		time.Date(2025, 3, 30, 0, 30, 0, 0, time.UTC),  // Sunday 01:30 CET
		time.Date(2025, 3, 30, 1, 30, 0, 0, time.UTC),  // Sunday 03:30 CEST
		time.Date(2025, 6, 8, 22, 15, 0, 0, time.UTC),  // Monday 00:15 CEST
		time.Date(2025, 12, 6, 22, 59, 0, 0, time.UTC), // Saturday 23:59 CET
	} {
		cases = append(cases, tc{observed: &o, when: []string{"day"}}) // observed wins over named
	}
	for _, c := range cases {
		when := c.when
		if when == nil {
			when = []string{}
		}
		hours, days := trygg.ReportTime(c.observed, c.when)
		var gotHours, gotDays int
		var slots []int16
		var share float64
		if err := pool.QueryRow(ctx, `SELECT report_hours($1, $2), report_days($1, $2), report_slots($1, $2),
				time_share(report_hours($1, $2), report_days($1, $2), 12582975, 96)`, c.observed, when).
			Scan(&gotHours, &gotDays, &slots, &share); err != nil {
			t.Fatal(err)
		}
		want := trygg.Slots(hours, days)
		got := make([]int, len(slots))
		for i, s := range slots {
			got[i] = int(s)
		}
		night := trygg.HourRange{From: 22, To: 6}.Mask()
		if gotHours != hours || gotDays != days || !slices.Equal(got, want) ||
			math.Abs(share-trygg.TimeShare(hours, days, night, trygg.DaysMask("weekend"))) > 1e-12 {
			t.Errorf("observed %v, when %v: SQL hours %x days %x slots %v share %v; Go %x %x %v %v", c.observed, c.when,
				gotHours, gotDays, got, share, hours, days, want, trygg.TimeShare(hours, days, night, trygg.DaysMask("weekend")))
		}
	}
	// The documented cases.
	for _, c := range []struct {
		when  []string
		slots int
	}{{[]string{"night"}, 56}, {[]string{"weekend"}, 48}, {[]string{"night", "weekend"}, 16}, {[]string{"evening", "weekday"}, 20},
		{[]string{"day"}, 84}, {[]string{}, 0}} {
		if n := len(trygg.Slots(trygg.ReportTime(nil, c.when))); n != c.slots {
			t.Errorf("%v: %d slots, want %d", c.when, n, c.slots)
		}
	}
}

// TestHotspotNamedTimes checks the store's side: a report named for nights spreads
// over the night slots of every weekday in the profile; hours=22-06 keeps it whole and
// a day report not at all; days=weekend keeps 2/7 of it and all of a weekend report;
// reports without a time are counted (unknown_time), in no hour, and left out by the
// time filters.
func TestHotspotNamedTimes(t *testing.T) {
	f := newHSFixture(t)
	ctx := context.Background()
	imported := time.Date(2025, 12, 3, 6, 0, 0, 0, time.UTC) // Wednesday 07:00 in Sweden
	night := []string{f.add(t, hsRep{times: []string{"night"}, created: imported}),
		f.add(t, hsRep{times: []string{"night"}, created: imported})}
	f.add(t, hsRep{created: imported}) // no time
	f.add(t, hsRep{times: []string{"day"}, created: imported, dx: 3000})
	f.add(t, hsRep{times: []string{"weekend"}, created: imported, dy: 3000})
	q := hsQuery(nil)
	cellOf := map[string]postgis.Cell{}
	for _, c := range hsGrid(t, f.owner, ctx, q, nil) {
		switch {
		case c.Count == 3:
			cellOf["night"] = c.Cell
		case c.Count == 1 && c.X > f.x+2000:
			cellOf["day"] = c.Cell
		case c.Count == 1:
			cellOf["weekend"] = c.Cell
		}
	}
	if len(cellOf) != 3 {
		t.Fatalf("cells %v: want the night, day and weekend places apart", cellOf)
	}
	cells := []postgis.Cell{cellOf["night"], cellOf["day"], cellOf["weekend"]}
	profiles, err := f.owner.HotspotProfiles(ctx, q, nil, cells)
	if err != nil {
		t.Fatal(err)
	}
	p := profiles[cellOf["night"]]
	var total float64
	for d := range 7 {
		for h := range 24 {
			v := p.HourWeekday[d][h]
			total += v
			isNight := h >= 22 || h < 6
			if isNight && math.Abs(v-2.0/56) > 1e-6 || !isNight && v != 0 {
				t.Errorf("night place, weekday %d %02d:00: %v, want %v", d+1, h, v, map[bool]float64{true: 2.0 / 56}[isNight])
			}
		}
	}
	if math.Abs(total-2) > 1e-4 || p.UnknownTime != 1 || len(p.Categories) != 1 || p.Categories[0].Count != 3 {
		t.Errorf("night place: profile total %v, %d without a time, categories %v; want 2, 1 and all 3 reports", total, p.UnknownTime, p.Categories)
	}
	if w := profiles[cellOf["weekend"]]; w.HourWeekday[5][3] == 0 || w.HourWeekday[6][20] == 0 || w.HourWeekday[4][20] != 0 {
		t.Errorf("weekend place: Saturday 03 %v, Sunday 20 %v, Friday 20 %v; want all of Saturday and Sunday only",
			w.HourWeekday[5][3], w.HourWeekday[6][20], w.HourWeekday[4][20])
	}
	if n, err := f.owner.HotspotUnknownTime(ctx, hsQuery(func(q *trygg.HotspotQuery) { q.Days = "weekend" })); err != nil || n != 1 {
		t.Errorf("HotspotUnknownTime %d, %v; want 1", n, err)
	}

	values := func(mod func(q *trygg.HotspotQuery), keep *postgis.Keep) map[string][2]float64 {
		cells, err := f.owner.HotspotGrid(ctx, hsQuery(mod), keep)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][2]float64{}
		for _, c := range cells {
			for name, cell := range cellOf {
				if c.Cell == cell && c.Count > 0 {
					out[name] = [2]float64{float64(c.Count), c.Value}
				}
			}
		}
		return out
	}
	near := func(a, b map[string][2]float64) bool {
		if len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if w, ok := b[k]; !ok || v[0] != w[0] || math.Abs(v[1]-w[1]) > 1e-9 {
				return false
			}
		}
		return true
	}
	for _, tc := range []struct {
		name string
		mod  func(q *trygg.HotspotQuery)
		keep *postgis.Keep
		want map[string][2]float64 // place → reports, value
	}{
		{"none", nil, nil, map[string][2]float64{"night": {3, 3}, "day": {1, 1}, "weekend": {1, 1}}},
		{"hours=22-06", func(q *trygg.HotspotQuery) { q.Hours = &trygg.HourRange{From: 22, To: 6} }, nil,
			map[string][2]float64{"night": {2, 2}, "weekend": {1, 1.0 / 3}}},
		{"hours=06-18", func(q *trygg.HotspotQuery) { q.Hours = &trygg.HourRange{From: 6, To: 18} }, nil,
			map[string][2]float64{"day": {1, 1}, "weekend": {1, 0.5}}},
		{"days=weekend", func(q *trygg.HotspotQuery) { q.Days = "weekend" }, nil,
			map[string][2]float64{"night": {2, 4.0 / 7}, "day": {1, 2.0 / 7}, "weekend": {1, 1}}},
		{"when=weekend", func(q *trygg.HotspotQuery) { q.When = []string{"weekend"} }, nil, map[string][2]float64{"weekend": {1, 1}}},
		// The darkness filter's keep: the first night report with its hours 22–24 only.
		{"keep with hours", nil, &postgis.Keep{IDs: night[:1], Hours: []int32{0xC00000}}, map[string][2]float64{"night": {1, 0.25}}},
		{"keep whole", nil, postgis.KeepIDs(night...), map[string][2]float64{"night": {2, 2}}},
	} {
		if got := values(tc.mod, tc.keep); !near(got, tc.want) {
			t.Errorf("%s: places %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestPatrolActivityNamedTimes: the patrol planner's activity of a place in a shift
// (patrol.Activity of its profile) counts night-named reports in a night shift and
// day-named ones in a day shift, whenever they were imported.
func TestPatrolActivityNamedTimes(t *testing.T) {
	f := newHSFixture(t)
	ctx := context.Background()
	imported := time.Date(2025, 12, 3, 6, 0, 0, 0, time.UTC) // Wednesday 07:00 in Sweden
	for range 5 {
		f.add(t, hsRep{times: []string{"night"}, created: imported})
		f.add(t, hsRep{times: []string{"day"}, created: imported, dx: 3000})
	}
	q := hsQuery(nil)
	var nightCell, dayCell postgis.Cell
	for _, c := range hsGrid(t, f.owner, ctx, q, nil) {
		if c.Count == 5 && c.X > f.x+2000 {
			dayCell = c.Cell
		} else if c.Count == 5 {
			nightCell = c.Cell
		}
	}
	profiles, err := f.owner.HotspotProfiles(ctx, q, nil, []postgis.Cell{nightCell, dayCell})
	if err != nil {
		t.Fatal(err)
	}
	friday := func(h int) time.Time { return time.Date(2026, 1, 9, h, 0, 0, 0, trygg.SwedishTime) }
	nightShift := [2]time.Time{friday(22), friday(22).Add(6 * time.Hour)}
	dayShift := [2]time.Time{friday(9), friday(15)}
	for _, tc := range []struct {
		name  string
		cell  postgis.Cell
		shift [2]time.Time
		want  bool
	}{
		{"night place, night shift", nightCell, nightShift, true},
		{"night place, day shift", nightCell, dayShift, false},
		{"day place, day shift", dayCell, dayShift, true},
		{"day place, night shift", dayCell, nightShift, false},
		{"night place, the import hour", nightCell, [2]time.Time{friday(7), friday(8)}, false},
	} {
		a := patrol.Activity(profiles[tc.cell].HourWeekday, tc.shift[0], tc.shift[1])
		if (a > 0) != tc.want {
			t.Errorf("%s: activity %v, want active %v", tc.name, a, tc.want)
		}
	}
}
