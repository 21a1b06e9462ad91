package trygg_test

import (
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
)

func d(s string) trygg.Date {
	v, err := trygg.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func target(n int) *int { return &n }

func TestProgressOf(t *testing.T) {
	year := [2]string{"2026-01-01", "2026-12-31"} // 365 days
	leap := [2]string{"2028-01-01", "2028-12-31"} // 366 days
	tests := []struct {
		name          string
		target        *int
		achieved      int
		done          bool
		period        [2]string
		today         string
		status        string
		elapsed       int
		days          int
		expectedByNow int
		expected      float64
	}{
		// Period edges: the first day counts as elapsed, the last day completes it.
		{"day before the period", target(15), 0, false, year, "2025-12-31", trygg.ProgressNotStarted, 0, 365, 0, 0},
		{"first day", target(365), 0, false, year, "2026-01-01", trygg.ProgressBehind, 1, 365, 1, 1},
		{"first day, one done", target(365), 1, false, year, "2026-01-01", trygg.ProgressOnTrack, 1, 365, 1, 1},
		{"first day, small target", target(15), 0, false, year, "2026-01-01", trygg.ProgressNotStarted, 1, 365, 0, 15.0 / 365},
		{"last day, short", target(15), 14, false, year, "2026-12-31", trygg.ProgressBehind, 365, 365, 15, 15},
		{"last day, reached", target(15), 15, false, year, "2026-12-31", trygg.ProgressMet, 365, 365, 15, 15},
		{"after the period, short", target(15), 8, false, year, "2027-03-01", trygg.ProgressNotMet, 365, 365, 15, 15},
		{"after the period, over", target(15), 17, false, year, "2027-03-01", trygg.ProgressMet, 365, 365, 15, 15},
		{"one-day period", target(1), 0, false, [2]string{"2026-05-05", "2026-05-05"}, "2026-05-05", trygg.ProgressBehind, 1, 1, 1, 1},
		// The pace: floor(target × elapsed / days).
		{"half way, on pace", target(10), 5, false, [2]string{"2026-01-01", "2026-01-10"}, "2026-01-05", trygg.ProgressOnTrack, 5, 10, 5, 5},
		{"half way, behind", target(10), 4, false, [2]string{"2026-01-01", "2026-01-10"}, "2026-01-05", trygg.ProgressBehind, 5, 10, 5, 5},
		{"ahead", target(10), 9, false, [2]string{"2026-01-01", "2026-01-10"}, "2026-01-02", trygg.ProgressOnTrack, 2, 10, 2, 2},
		{"mid-year", target(15), 7, false, year, "2026-07-02", trygg.ProgressOnTrack, 183, 365, 7, 15 * 183.0 / 365},
		{"mid-year, short", target(15), 6, false, year, "2026-07-02", trygg.ProgressBehind, 183, 365, 7, 15 * 183.0 / 365},
		// Leap years: 2028 has 366 days, and 29 February counts.
		{"leap year, 28 Feb", target(366), 59, false, leap, "2028-02-28", trygg.ProgressOnTrack, 59, 366, 59, 59},
		{"leap year, 29 Feb", target(366), 59, false, leap, "2028-02-29", trygg.ProgressBehind, 60, 366, 60, 60},
		{"leap year, 1 Mar", target(366), 61, false, leap, "2028-03-01", trygg.ProgressOnTrack, 61, 366, 61, 61},
		{"leap year, last day", target(366), 366, false, leap, "2028-12-31", trygg.ProgressMet, 366, 366, 366, 366},
		{"period over a leap day", target(2), 1, false, [2]string{"2027-03-01", "2029-02-28"}, "2028-02-29", trygg.ProgressOnTrack, 366, 731, 1, 2 * 366.0 / 731},
		{"period ending on the leap day", target(60), 59, false, [2]string{"2028-01-01", "2028-02-29"}, "2028-02-29", trygg.ProgressBehind, 60, 60, 60, 60},
		{"two years from a leap day", target(4), 2, false, [2]string{"2024-02-29", "2026-02-28"}, "2025-02-28", trygg.ProgressOnTrack, 366, 731, 2, 4 * 366.0 / 731},
		// Without a count: done or not done.
		{"no count, before", nil, 0, false, year, "2025-06-01", trygg.ProgressNotStarted, 0, 365, 0, 0},
		{"no count, nothing yet", nil, 0, false, year, "2026-06-01", trygg.ProgressNotStarted, 152, 365, 0, 0},
		{"no count, under way", nil, 3, false, year, "2026-06-01", trygg.ProgressOnTrack, 152, 365, 0, 0},
		{"no count, done", nil, 0, true, year, "2026-06-01", trygg.ProgressDone, 152, 365, 0, 0},
		{"no count, done before the period", nil, 0, true, year, "2025-06-01", trygg.ProgressDone, 0, 365, 0, 0},
		{"no count, over, not done", nil, 5, false, year, "2027-01-01", trygg.ProgressNotMet, 365, 365, 0, 0},
		{"no count, over, done", nil, 5, true, year, "2027-01-01", trygg.ProgressDone, 365, 365, 0, 0},
		// A count ignores the done mark: the activities decide.
		{"count, marked done but short", target(3), 1, true, year, "2026-12-31", trygg.ProgressBehind, 365, 365, 3, 3},
		{"count, marked done, over and short", target(3), 1, true, year, "2027-01-02", trygg.ProgressNotMet, 365, 365, 3, 3},
		{"Vetlanda 2020–21 traffic controls", target(15), 8, false, [2]string{"2020-01-01", "2021-12-31"}, "2026-12-03", trygg.ProgressNotMet, 731, 731, 15, 15},
		{"reached early", target(4), 4, false, year, "2026-02-01", trygg.ProgressMet, 32, 365, 0, 4 * 32.0 / 365},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := trygg.Commitment{Target: tc.target}
			p := trygg.ProgressOf(c, tc.achieved, tc.done, d(tc.period[0]), d(tc.period[1]), d(tc.today))
			if p.Status != tc.status {
				t.Errorf("status %s, want %s (%+v)", p.Status, tc.status, p)
			}
			if p.ElapsedDays != tc.elapsed || p.PeriodDays != tc.days {
				t.Errorf("elapsed %d of %d days, want %d of %d", p.ElapsedDays, p.PeriodDays, tc.elapsed, tc.days)
			}
			if p.ExpectedByNow != tc.expectedByNow {
				t.Errorf("expected by now %d, want %d", p.ExpectedByNow, tc.expectedByNow)
			}
			if math.Abs(p.Expected-tc.expected) > 1e-9 {
				t.Errorf("expected %v, want %v", p.Expected, tc.expected)
			}
			if p.Achieved != tc.achieved || p.Done != tc.done || p.Target != tc.target {
				t.Errorf("progress does not carry its inputs: %+v", p)
			}
			if share := float64(tc.elapsed) / float64(tc.days); math.Abs(p.ElapsedShare-share) > 1e-12 {
				t.Errorf("elapsed share %v, want %v", p.ElapsedShare, share)
			}
		})
	}
}

// ProgressOf counts calendar days, whatever the clock of the dates says.
func TestProgressOfIgnoresClock(t *testing.T) {
	c := trygg.Commitment{Target: target(366)}
	late := trygg.Date{Time: time.Date(2028, 3, 1, 23, 59, 0, 0, trygg.SwedishTime)}
	p := trygg.ProgressOf(c, 0, false, d("2028-01-01"), d("2028-12-31"), late)
	if p.ElapsedDays != 61 {
		t.Errorf("elapsed %d days on 1 March of a leap year, want 61", p.ElapsedDays)
	}
}

func TestToday(t *testing.T) {
	// 23:30 UTC on 31 December is already 1 January in Sweden.
	got := trygg.Today(time.Date(2027, 12, 31, 23, 30, 0, 0, time.UTC))
	if got.Format(time.DateOnly) != "2028-01-01" {
		t.Errorf("Today = %s, want 2028-01-01", got.Format(time.DateOnly))
	}
}

func TestPromiseValidate(t *testing.T) {
	valid := func() trygg.Promise {
		return trygg.Promise{Municipality: "1470", Title: "Medborgarlöfte 2026", PeriodStart: d("2026-01-01"),
			PeriodEnd: d("2026-12-31"), Status: trygg.PromiseActive, FocusAreas: []string{"traffic"},
			Signatories: []trygg.Signatory{{Name: "Anna Andersson", Title: "Kommunalråd"}}}
	}
	tests := []struct {
		name  string
		edit  func(p *trygg.Promise)
		field string
	}{
		{"valid", func(p *trygg.Promise) {}, ""},
		{"municipality", func(p *trygg.Promise) { p.Municipality = "Vara" }, "municipality"},
		{"title", func(p *trygg.Promise) { p.Title = "  " }, "title"},
		{"no start", func(p *trygg.Promise) { p.PeriodStart = trygg.Date{} }, "period_start"},
		{"no end", func(p *trygg.Promise) { p.PeriodEnd = trygg.Date{} }, "period_end"},
		{"end before start", func(p *trygg.Promise) { p.PeriodEnd = d("2025-12-31") }, "period_end"},
		{"one day", func(p *trygg.Promise) { p.PeriodEnd = p.PeriodStart }, ""},
		{"too long", func(p *trygg.Promise) { p.PeriodEnd = d("2033-01-01") }, "period_end"},
		{"signed after the end", func(p *trygg.Promise) { s := d("2027-01-01"); p.SignedOn = &s }, "signed_on"},
		{"status", func(p *trygg.Promise) { p.Status = "signed" }, "status"},
		{"published draft", func(p *trygg.Promise) { p.Status, p.Published = trygg.PromiseDraft, true }, "published"},
		{"focus area", func(p *trygg.Promise) { p.FocusAreas = []string{"traffic", "fishing"} }, "focus_areas[1]"},
		{"signatory", func(p *trygg.Promise) { p.Signatories = append(p.Signatories, trygg.Signatory{Title: "x"}) }, "signatories[1].name"},
		{"other party", func(p *trygg.Promise) { p.OtherParties = []string{""} }, "other_parties[0]"},
		{"police area", func(p *trygg.Promise) { p.PoliceAreas = []string{" "} }, "police_areas[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := valid()
			tc.edit(&p)
			err := p.Validate()
			if tc.field == "" {
				if err != nil {
					t.Errorf("Validate: %v", err)
				}
				return
			}
			if trygg.ErrorCode(err) != trygg.EINVALID || trygg.ErrorField(err) != tc.field {
				t.Errorf("Validate = %v, want invalid %s", err, tc.field)
			}
		})
	}
}

func TestCommitmentValidate(t *testing.T) {
	valid := func() trygg.Commitment {
		return trygg.Commitment{Party: trygg.PartyPolice, FocusArea: trygg.FocusTraffic, ActivityKind: trygg.KindTrafficControl,
			Text: "Polisen ska genomföra minst femton trafikkontroller.", Target: target(15)}
	}
	tests := []struct {
		name  string
		edit  func(c *trygg.Commitment)
		field string
	}{
		{"valid", func(c *trygg.Commitment) {}, ""},
		{"without a count", func(c *trygg.Commitment) { c.Target = nil }, ""},
		{"without a focus area", func(c *trygg.Commitment) { c.FocusArea = "" }, ""},
		{"party", func(c *trygg.Commitment) { c.Party = "county" }, "party"},
		{"other without a name", func(c *trygg.Commitment) { c.Party = trygg.PartyOther }, "party_name"},
		{"other with a name", func(c *trygg.Commitment) { c.Party, c.PartyName = trygg.PartyOther, "Region Halland" }, ""},
		{"focus area", func(c *trygg.Commitment) { c.FocusArea = "fishing" }, "focus_area"},
		{"kind", func(c *trygg.Commitment) { c.ActivityKind = "patrol" }, "activity_kind"},
		{"text", func(c *trygg.Commitment) { c.Text = " " }, "text"},
		{"zero target", func(c *trygg.Commitment) { c.Target = target(0) }, "target"},
		{"place without anything", func(c *trygg.Commitment) { c.Places = []trygg.CommitmentPlace{{Name: "x"}} }, "places[0]"},
		{"place as a multipoint", func(c *trygg.Commitment) {
			c.Places = []trygg.CommitmentPlace{{Geometry: orb.MultiPoint{{13, 58}}}}
		}, "places[0].geometry.type"},
		{"place as a line", func(c *trygg.Commitment) {
			c.Places = []trygg.CommitmentPlace{{Geometry: orb.LineString{{13, 58}, {13.1, 58}}}}
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.edit(&c)
			err := c.Validate()
			if tc.field == "" {
				if err != nil {
					t.Errorf("Validate: %v", err)
				}
				return
			}
			if trygg.ErrorCode(err) != trygg.EINVALID || trygg.ErrorField(err) != tc.field {
				t.Errorf("Validate = %v, want invalid %s", err, tc.field)
			}
		})
	}
}

func TestActivityValidate(t *testing.T) {
	valid := func() trygg.Activity {
		return trygg.Activity{Kind: trygg.KindFootPatrol, Party: trygg.PartyPolice,
			StartsAt: time.Date(2026, 11, 20, 21, 0, 0, 0, time.UTC), DurationMinutes: 15, Geometry: orb.Point{12.95, 58.26}}
	}
	tests := []struct {
		name  string
		edit  func(a *trygg.Activity)
		field string
	}{
		{"valid", func(a *trygg.Activity) {}, ""},
		{"no place", func(a *trygg.Activity) { a.Geometry = nil }, ""},
		{"polygon", func(a *trygg.Activity) { a.Geometry = orb.Polygon{{{13, 58}, {13.1, 58}, {13.1, 58.1}, {13, 58}}} }, ""},
		{"kind", func(a *trygg.Activity) { a.Kind = "patrol" }, "kind"},
		{"party", func(a *trygg.Activity) { a.Party = "" }, "party"},
		{"no time", func(a *trygg.Activity) { a.StartsAt = time.Time{} }, "starts_at"},
		{"negative duration", func(a *trygg.Activity) { a.DurationMinutes = -1 }, "duration_minutes"},
		{"long duration", func(a *trygg.Activity) { a.DurationMinutes = trygg.MaxActivityMinutes + 1 }, "duration_minutes"},
		{"municipality", func(a *trygg.Activity) { a.Municipality = "x" }, "municipality"},
		{"empty commitment id", func(a *trygg.Activity) { a.CommitmentIDs = []string{"a", ""} }, "commitment_ids[1]"},
		{"multipolygon", func(a *trygg.Activity) { a.Geometry = orb.MultiPolygon{} }, "geometry.type"},
		{"notes", func(a *trygg.Activity) { a.Notes = "a\x00b" }, "notes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := valid()
			tc.edit(&a)
			err := a.Validate()
			if tc.field == "" {
				if err != nil {
					t.Errorf("Validate: %v", err)
				}
				return
			}
			if trygg.ErrorCode(err) != trygg.EINVALID || trygg.ErrorField(err) != tc.field {
				t.Errorf("Validate = %v, want invalid %s", err, tc.field)
			}
		})
	}
}
