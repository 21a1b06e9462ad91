package patrol

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/geo"
	"github.com/trygg-gis/trygg/hotspot"
)

// sweden is Swedish time.
var sweden = trygg.SwedishTime

// at is a time on Tuesday 2026-11-17 in Swedish time.
func at(hour, minute int) time.Time { return time.Date(2026, 11, 17, hour, minute, 0, 0, sweden) }

// profile puts n reports at each of the hours on every weekday.
func profile(n int, hours ...int) [7][24]int {
	var p [7][24]int
	for d := range 7 {
		for _, h := range hours {
			p[d][h] = n
		}
	}
	return p
}

func cand(key string, score float64, xy geo.Point2, prof [7][24]int) Candidate {
	h := hotspot.Hotspot{Score: score, Value: score, Count: 10}
	for d := range prof {
		for hr, n := range prof[d] {
			h.Profile.HourWeekday[d][hr] = float64(n)
		}
	}
	return Candidate{Key: key, Kind: KindArea, Tier: 1, Name: key, Hotspot: h, XY: xy}
}

func params(start, end time.Time) Params {
	p := Params{Municipality: "1470", ShiftStart: start, ShiftEnd: end, Start: orb.Point{13.1, 58.26}, Seed: 7}
	p.Normalize()
	return p
}

func keys(cs []Candidate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Key
	}
	return out
}

func TestActivity(t *testing.T) {
	night := profile(1, 22, 23, 0, 1, 2, 3)
	if a := Activity(night, at(8, 0), at(16, 0)); a != 0 {
		t.Errorf("night hotspot in a day shift: activity %v", a)
	}
	if a := Activity(night, at(20, 0), at(23, 59)); a <= 0 {
		t.Errorf("night hotspot in an evening shift reaching 23: activity %v", a)
	}
	// Every day's mornings: a Tuesday shift has a seventh of them in its weekday-hours
	// and all of them in its hours of day.
	day := profile(1, 9, 10, 11)
	if a, want := Activity(day, at(8, 0), at(16, 0)), (1-HourShareWeight)/7+HourShareWeight; a < want-1e-9 || a > want+1e-9 {
		t.Errorf("day hotspot in a day shift: activity %v, want %v", a, want)
	}
	// Tuesday's reports only: a Tuesday shift has all of them in its weekday-hours, a
	// Wednesday shift only the hour-of-day share.
	var tue [7][24]int
	tue[1][10] = 4
	if a := Activity(tue, at(8, 0), at(12, 0)); a < 0.999 {
		t.Errorf("Tuesday shift: %v", a)
	}
	wed := Activity(tue, at(8, 0).AddDate(0, 0, 1), at(12, 0).AddDate(0, 0, 1))
	if wed < HourShareWeight-1e-9 || wed > HourShareWeight+1e-9 {
		t.Errorf("Wednesday shift: %v, want %v", wed, HourShareWeight)
	}
	// A shift across midnight touches both days' hours.
	var mon [7][24]int
	mon[2][1] = 1 // Wednesday 01:00
	if a := Activity(mon, at(22, 0), at(22, 0).Add(5*time.Hour)); a < 0.999 {
		t.Errorf("overnight shift: %v", a)
	}
	if Activity([7][24]int{}, at(8, 0), at(9, 0)) != 0 {
		t.Error("empty profile")
	}
}

// TestChooseActiveHours: a hotspot whose reports are all at night is not chosen for a
// day shift, however strong, and is chosen for a night shift.
func TestChooseActiveHours(t *testing.T) {
	cands := []Candidate{
		cand("night", 9, geo.Point2{X: 0, Y: 0}, profile(3, 22, 23, 0, 1)),
		cand("day", 2, geo.Point2{X: 500, Y: 0}, profile(1, 10, 14)),
		cand("evening", 3, geo.Point2{X: 900, Y: 0}, profile(1, 18, 19)),
	}
	p := params(at(8, 0), at(16, 0))
	got, notes, _ := Choose(cands, nil, p)
	if !slices.Equal(keys(got), []string{"day"}) {
		t.Fatalf("day shift chose %v", keys(got))
	}
	if !strings.Contains(strings.Join(notes, ";"), "2 platser utan rapporter under passets timmar") {
		t.Errorf("notes: %v", notes)
	}
	p = params(at(21, 0), at(21, 0).Add(8*time.Hour))
	got, _, _ = Choose(cands, nil, p)
	if len(got) == 0 || got[0].Key != "night" {
		t.Fatalf("night shift chose %v", keys(got))
	}
}

// TestChooseSpread: a place with a stop of an earlier plan within the gap is skipped;
// one further back than the gap, or elsewhere, is not.
func TestChooseSpread(t *testing.T) {
	cands := []Candidate{
		cand("a", 5, geo.Point2{X: 0, Y: 0}, profile(1, 10)),
		cand("b", 4, geo.Point2{X: 1000, Y: 0}, profile(1, 10)),
		cand("c", 3, geo.Point2{X: 2000, Y: 0}, profile(1, 10)),
		cand("d", 2, geo.Point2{X: 3000, Y: 0}, profile(1, 10)),
	}
	p := params(at(8, 0), at(16, 0))
	p.Stops = 2
	visits := []Visit{
		{Key: "a", XY: geo.Point2{X: 0, Y: 0}, From: at(7, 0), To: at(7, 15)},            // 45 minutes before: skipped
		{Key: "other", XY: geo.Point2{X: 1000, Y: 100}, From: at(17, 0), To: at(17, 15)}, // the same spot as b, after: skipped
		{Key: "c", XY: geo.Point2{X: 2000, Y: 0}, From: at(5, 0), To: at(5, 15)},         // 2 h 45 before: kept
		{Key: "far", XY: geo.Point2{X: 9000, Y: 9000}, From: at(9, 0), To: at(9, 15)},    // elsewhere: irrelevant
	}
	got, notes, _ := Choose(cands, visits, p)
	if !slices.Equal(keys(got), []string{"c", "d"}) {
		t.Fatalf("chose %v, want c and d", keys(got))
	}
	if !strings.Contains(strings.Join(notes, ";"), "2 platser hade ett patrullstopp inom 120 minuter") {
		t.Errorf("notes: %v", notes)
	}
	// Without a gap only overlapping visits count.
	p.GapMinutes = 0
	got, _, _ = Choose(cands, visits, p)
	if !slices.Equal(keys(got), []string{"a", "b"}) {
		t.Fatalf("no gap: chose %v", keys(got))
	}
}

// TestRankUnpredictableAmongEquals: equal priorities are shuffled by the seed (the
// same seed, the same order); a clearly higher priority stays first.
func TestRankUnpredictableAmongEquals(t *testing.T) {
	var cands []Candidate
	for i := range 6 {
		c := cand(fmt.Sprintf("eq%d", i), 2+0.01*float64(i%2), geo.Point2{}, profile(1, 10))
		c.Priority = c.Hotspot.Score
		cands = append(cands, c)
	}
	top := cand("top", 10, geo.Point2{}, profile(1, 10))
	top.Priority = 10
	cands = append(cands, top)
	orders := map[string]bool{}
	for seed := int64(1); seed <= 20; seed++ {
		r := Rank(cands, seed)
		if r[0].Key != "top" {
			t.Fatalf("seed %d: %v", seed, keys(r))
		}
		if again := Rank(cands, seed); !slices.Equal(keys(again), keys(r)) {
			t.Fatalf("seed %d is not reproducible: %v vs %v", seed, keys(r), keys(again))
		}
		orders[strings.Join(keys(r), ",")] = true
	}
	if len(orders) < 5 {
		t.Errorf("20 seeds gave %d orders of six equals", len(orders))
	}
}

// TestScheduleArithmetic: arrival = previous departure + walk (metres × detour at the
// speed), departure = arrival + dwell.
func TestScheduleArithmetic(t *testing.T) {
	p := params(at(8, 0), at(16, 0))
	p.Detour, p.SpeedKmh, p.DwellMinutes, p.Packed = 1.2, 5, 12, true
	cands := []Candidate{
		cand("far", 1, geo.Point2{X: 2000, Y: 0}, profile(1, 10)),
		cand("near", 1, geo.Point2{X: 1000, Y: 0}, profile(1, 10)),
	}
	stops, metres, notes := Schedule(geo.Point2{}, cands, p)
	if len(stops) != 2 || stops[0].Key != "near" || stops[1].Key != "far" || len(notes) != 0 {
		t.Fatalf("%+v %v", stops, notes)
	}
	if metres != 2400 {
		t.Errorf("route %v m, want 2400", metres)
	}
	// 1000 m × 1.2 at 5 km/h is 14.4 minutes.
	if want := at(8, 14).Add(24 * time.Second); !stops[0].Arrival.Equal(want) {
		t.Errorf("first arrival %v, want %v", stops[0].Arrival, want)
	}
	if d := stops[0].Departure.Sub(stops[0].Arrival); d != 12*time.Minute {
		t.Errorf("dwell %v", d)
	}
	if want := stops[0].Departure.Add(14*time.Minute + 24*time.Second); !stops[1].Arrival.Equal(want) {
		t.Errorf("second arrival %v, want %v", stops[1].Arrival, want)
	}
	if stops[0].Seq != 1 || stops[1].Seq != 2 || stops[1].WalkM != 1200 {
		t.Errorf("%+v", stops)
	}
}

// TestScheduleFitsShift: stops that would end after the shift are dropped, lowest
// priority first, and the notes say so.
func TestScheduleFitsShift(t *testing.T) {
	p := params(at(8, 0), at(9, 0))
	p.Detour, p.DwellMinutes = 1, 15
	cands := []Candidate{
		cand("a", 1, geo.Point2{X: 500, Y: 0}, profile(1, 8)),
		cand("b", 1, geo.Point2{X: 1000, Y: 0}, profile(1, 8)),
		cand("c", 1, geo.Point2{X: 1500, Y: 0}, profile(1, 8)),
		cand("d", 1, geo.Point2{X: 2000, Y: 0}, profile(1, 8)),
	}
	for i := range cands {
		cands[i].Priority = float64(4 - i) // a highest … d lowest
	}
	// Each stop: 6 minutes' walk and 15 minutes' stay: three fit in an hour (63 min do not).
	stops, _, notes := Schedule(geo.Point2{}, cands, p)
	if len(stops) != 2 || stops[0].Key != "a" || stops[1].Key != "b" {
		t.Fatalf("%v", stops)
	}
	if stops[1].Departure.After(p.ShiftEnd) {
		t.Errorf("last departure %v after the shift", stops[1].Departure)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "2 av 4 stopp ryms i passet") {
		t.Errorf("notes %v", notes)
	}
}

func TestParamsCheck(t *testing.T) {
	for _, tc := range []struct {
		field string
		edit  func(p *Params)
	}{
		{"stops", func(p *Params) { p.Stops = 9 }},
		{"stops", func(p *Params) { p.Stops = -1 }},
		{"dwell_minutes", func(p *Params) { p.DwellMinutes = 4 }},
		{"dwell_minutes", func(p *Params) { p.DwellMinutes = 61 }},
		{"shift_end", func(p *Params) { p.ShiftEnd = p.ShiftStart.Add(-time.Hour) }},
		{"shift_end", func(p *Params) { p.ShiftEnd = p.ShiftStart.Add(12*time.Hour + time.Minute) }},
		{"start", func(p *Params) { p.Start = orb.Point{} }},
		{"start", func(p *Params) { p.Start = orb.Point{58.26, 13.1} }},
		{"municipality", func(p *Params) { p.Municipality = "" }},
		{"detour", func(p *Params) { p.Detour = 0.5 }},
	} {
		p := params(at(8, 0), at(16, 0))
		tc.edit(&p)
		if err := p.Check(); trygg.ErrorField(err) != tc.field {
			t.Errorf("want a problem with %s, got %v", tc.field, err)
		}
	}
	p := params(at(8, 0), at(20, 0))
	if err := p.Check(); err != nil {
		t.Errorf("a 12-hour shift: %v", err)
	}
	if p.Stops != DefaultStops || p.DwellMinutes != DefaultDwell || p.GapMinutes != DefaultGapMinutes {
		t.Errorf("defaults: %+v", p)
	}
}

// TestScheduleSpreadsOverShift: without packing, the spare time is spread evenly
// before each stop and after the last, in whole minutes.
func TestScheduleSpreadsOverShift(t *testing.T) {
	p := params(at(8, 0), at(16, 0))
	p.Detour, p.SpeedKmh, p.DwellMinutes = 1, 6, 15 // 100 m a minute
	cands := []Candidate{
		cand("a", 1, geo.Point2{X: 600, Y: 0}, profile(1, 10)),
		cand("b", 1, geo.Point2{X: 1200, Y: 0}, profile(1, 10)),
		cand("c", 1, geo.Point2{X: 1800, Y: 0}, profile(1, 10)),
	}
	// Back to back: 6 + 15 minutes each, the last leaves at 09:03; 6 h 57 min spare in
	// four waits of 104 minutes (whole minutes).
	stops, _, _ := Schedule(geo.Point2{}, cands, p)
	want := []time.Time{at(9, 50), at(11, 55), at(14, 0)}
	for k, s := range stops {
		if !s.Arrival.Equal(want[k]) || s.Departure.Sub(s.Arrival) != 15*time.Minute {
			t.Errorf("stop %d: %v–%v, want arrival %v", k+1, s.Arrival, s.Departure, want[k])
		}
	}
	if stops[2].Departure.After(p.ShiftEnd) {
		t.Error("after the shift")
	}
	p.Packed = true
	stops, _, _ = Schedule(geo.Point2{}, cands, p)
	if !stops[0].Arrival.Equal(at(8, 6)) || !stops[2].Departure.Equal(at(9, 3)) {
		t.Errorf("packed: %v … %v", stops[0].Arrival, stops[2].Departure)
	}
}

// TestChooseOnePerPlace: two candidates closer than MinApartM, or one in the other's
// area, are one place: the weaker is dropped (stops 91 m and 115 m from one square
// were issue 16's example).
func TestChooseOnePerPlace(t *testing.T) {
	square := cand("square", 10, geo.Point2{X: 0, Y: 0}, profile(1, 10))
	square.Point = orb.Point{13.0, 58.0}
	square.Polygon = orb.Polygon{{{12.99, 57.99}, {13.01, 57.99}, {13.01, 58.01}, {12.99, 58.01}, {12.99, 57.99}}}
	inside := cand("inside", 8, geo.Point2{X: 400, Y: 0}, profile(1, 10)) // 400 m off, but in the square's area
	inside.Point = orb.Point{13.005, 58.0}
	far := cand("far", 7, geo.Point2{X: 3000, Y: 0}, profile(1, 10))
	far.Point = orb.Point{13.05, 58.0}
	cands := []Candidate{square, cand("at91", 9, geo.Point2{X: 91, Y: 0}, profile(1, 10)),
		cand("at115", 9, geo.Point2{X: 0, Y: 115}, profile(1, 10)), inside, far}
	p := params(at(8, 0), at(16, 0))
	p.Stops = 3
	got, notes, why := Choose(cands, nil, p)
	if !slices.Equal(keys(got), []string{"square", "far"}) || why != "" {
		t.Fatalf("chose %v (%q), want square and far", keys(got), why)
	}
	for i := range got {
		for j := range i {
			if d := math.Hypot(got[i].XY.X-got[j].XY.X, got[i].XY.Y-got[j].XY.Y); d < MinApartM {
				t.Errorf("%s and %s are %.0f m apart", got[j].Key, got[i].Key, d)
			}
		}
	}
	if !strings.Contains(strings.Join(notes, ";"), "3 kandidater låg inom 150 m") {
		t.Errorf("notes: %v", notes)
	}
	// The same key twice is one place too.
	twice := cand("far", 1, geo.Point2{X: 9000, Y: 0}, profile(1, 10))
	got, _, _ = Choose([]Candidate{far, twice}, nil, p)
	if len(got) != 1 {
		t.Errorf("one key twice: %v", keys(got))
	}
}

// TestChooseCommitmentPlacesFirst: a commitment's place active in the shift is chosen
// before stronger hot areas; one without reports in the shift is not, and the notes
// name it.
func TestChooseCommitmentPlacesFirst(t *testing.T) {
	rese := cand("commitment-place:rese", 2, geo.Point2{X: 0, Y: 2000}, profile(1, 9))
	rese.Kind, rese.Tier, rese.Name = KindCommitment, 0, "Resecentrum"
	park := cand("commitment-place:park", 50, geo.Point2{X: 0, Y: 4000}, profile(5, 23))
	park.Kind, park.Tier, park.Name = KindCommitment, 0, "Parken"
	cands := []Candidate{
		cand("area1", 40, geo.Point2{X: 0, Y: 0}, profile(3, 10)),
		cand("area2", 30, geo.Point2{X: 1000, Y: 0}, profile(3, 10)),
		rese, park,
	}
	p := params(at(8, 0), at(16, 0))
	p.Stops = 2
	got, notes, _ := Choose(cands, nil, p)
	if !slices.Equal(keys(got), []string{"commitment-place:rese", "area1"}) {
		t.Fatalf("chose %v, want Resecentrum, then the strongest area", keys(got))
	}
	if !strings.Contains(strings.Join(notes, ";"), "Åtagandets plats Parken har inga rapporter under passets timmar") {
		t.Errorf("notes: %v", notes)
	}
	// Schedule drops the rest before the commitment's place when the shift is short.
	p.ShiftEnd, p.Detour, p.DwellMinutes = at(8, 45), 1, 15
	stops, _, _ := Schedule(geo.Point2{X: 0, Y: 1000}, got, p)
	if len(stops) != 1 || stops[0].Key != "commitment-place:rese" {
		t.Errorf("short shift kept %v", stops)
	}
}

// TestChooseWhy: a choice without stops says why.
func TestChooseWhy(t *testing.T) {
	p := params(at(8, 0), at(16, 0))
	if _, _, why := Choose(nil, nil, p); why != NoStopNoCandidates {
		t.Errorf("no candidates: %q", why)
	}
	night := []Candidate{cand("night", 5, geo.Point2{}, profile(2, 23, 0))}
	if _, _, why := Choose(night, nil, p); why != NoStopNoneActive {
		t.Errorf("a night place by day: %q", why)
	}
	day := []Candidate{cand("day", 5, geo.Point2{}, profile(2, 10))}
	visits := []Visit{{Key: "day", From: at(9, 0), To: at(9, 15)}}
	if _, _, why := Choose(day, visits, p); why != NoStopAllVisited {
		t.Errorf("visited: %q", why)
	}
	if got, _, why := Choose(day, nil, p); len(got) != 1 || why != "" {
		t.Errorf("a day place by day: %v %q", keys(got), why)
	}
}

// TestShiftPeaks: the shift's hours with most reports, most first; hours outside the
// shift do not count.
func TestShiftPeaks(t *testing.T) {
	var prof [7][24]int
	prof[0][23], prof[1][23], prof[2][1], prof[3][12], prof[4][22] = 5, 1, 3, 50, 2
	got := ShiftPeaks(prof, at(21, 0), at(21, 0).Add(8*time.Hour), 3)
	if !slices.Equal(got, []int{23, 1, 22}) {
		t.Errorf("night shift peaks %v, want [23 1 22]", got)
	}
	if got := ShiftPeaks(prof, at(8, 0), at(11, 0), 3); len(got) != 0 {
		t.Errorf("a shift without reports: %v", got)
	}
	hours, days := Peaks(prof, 2, 1)
	if !slices.Equal(hours, []int{12, 23}) || !slices.Equal(days, []int{4}) {
		t.Errorf("peaks %v %v", hours, days)
	}
}

// TestChooseOneStopPerNamedPlace: two hot areas 300 m apart, both named after one
// square, are that square: one stop.
func TestChooseOneStopPerNamedPlace(t *testing.T) {
	a := cand("cell:a", 10, geo.Point2{X: 0, Y: 0}, profile(1, 10))
	b := cand("cell:b", 9, geo.Point2{X: 300, Y: 0}, profile(1, 10))
	c := cand("cell:c", 8, geo.Point2{X: 600, Y: 0}, profile(1, 10))
	a.Place, b.Place, a.Name, b.Name = "place:torget", "place:torget", "Stora torget", "Stora torget"
	p := params(at(8, 0), at(16, 0))
	got, _, _ := Choose([]Candidate{a, b, c}, nil, p)
	if !slices.Equal(keys(got), []string{"cell:a", "cell:c"}) {
		t.Errorf("chose %v, want one stop at the square and cell:c", keys(got))
	}
}
