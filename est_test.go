package trygg_test

import (
	"slices"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
)

func TestISOWeeks(t *testing.T) {
	cases := []struct {
		in, start, end, prev, next string
	}{
		{"2026-W47", "2026-11-16T00:00:00+01:00", "2026-11-23T00:00:00+01:00", "2026-W46", "2026-W48"},
		{"2026-W01", "2025-12-29T00:00:00+01:00", "2026-01-05T00:00:00+01:00", "2025-W52", "2026-W02"},
		{"2025-W52", "2025-12-22T00:00:00+01:00", "2025-12-29T00:00:00+01:00", "2025-W51", "2026-W01"},
		{"2020-W53", "2020-12-28T00:00:00+01:00", "2021-01-04T00:00:00+01:00", "2020-W52", "2021-W01"},
		{"2021-W01", "2021-01-04T00:00:00+01:00", "2021-01-11T00:00:00+01:00", "2020-W53", "2021-W02"},
		{"2026-W53", "2026-12-28T00:00:00+01:00", "2027-01-04T00:00:00+01:00", "2026-W52", "2027-W01"},
		{"2015W01", "2014-12-29T00:00:00+01:00", "2015-01-05T00:00:00+01:00", "2014-W52", "2015-W02"},
		// Summer time starts on Sunday 29 March 2026: the week has 167 hours.
		{"2026-W13", "2026-03-23T00:00:00+01:00", "2026-03-30T00:00:00+02:00", "2026-W12", "2026-W14"},
		// and ends on Sunday 25 October 2026: 169 hours.
		{"2026-W43", "2026-10-19T00:00:00+02:00", "2026-10-26T00:00:00+01:00", "2026-W42", "2026-W44"},
	}
	for _, c := range cases {
		w, err := trygg.ParseISOWeek("week", c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got := w.Start().Format(time.RFC3339); got != c.start {
			t.Errorf("%s starts %s, want %s", c.in, got, c.start)
		}
		if got := w.End().Format(time.RFC3339); got != c.end {
			t.Errorf("%s ends %s, want %s", c.in, got, c.end)
		}
		if got := w.Prev().String(); got != c.prev {
			t.Errorf("%s: previous week %s, want %s", c.in, got, c.prev)
		}
		if got := w.Next().String(); got != c.next {
			t.Errorf("%s: next week %s, want %s", c.in, got, c.next)
		}
		if got := trygg.WeekOf(w.Start()); got != w {
			t.Errorf("%s: the week of its start is %s", c.in, got)
		}
		if got := trygg.WeekOf(w.End().Add(-time.Nanosecond)); got != w {
			t.Errorf("%s: the week of its last instant is %s", c.in, got)
		}
	}
	for _, bad := range []string{"", "2026", "2026-47", "2026-W00", "2025-W53", "2021-W53", "2026-W54", "26-W01", "2026-W1", "1999-W10", "2026-W47x"} {
		_, err := trygg.ParseISOWeek("week", bad)
		if trygg.ErrorCode(err) != trygg.EINVALID || trygg.ErrorField(err) != "week" {
			t.Errorf("ParseISOWeek(%q) = %v, want invalid week", bad, err)
		}
	}
	// Sunday 23:30 UTC is Monday in Stockholm.
	if got := trygg.WeekOf(time.Date(2026, 11, 15, 23, 30, 0, 0, time.UTC)); got.String() != "2026-W47" {
		t.Errorf("WeekOf Sunday 23:30 UTC = %s, want 2026-W47", got)
	}
}

func TestESTTypes(t *testing.T) {
	for in, want := range map[string]string{
		"vandalism": "skadegorelse", "Graffiti": "klotter", "litter": "nedskrapning", "disruptive-groups": "stokiga-grupper",
		"drug-dealing": "narkotika", "reckless-driving": "farlig-korning", "violence": "vald", "burglary": "inbrott-stold",
		"against-staff": "mot-personal", "other": "annat", " klotter ": "klotter", "MOT-PERSONAL": "mot-personal",
	} {
		if got, err := trygg.ParseESTType("type", in); err != nil || got != want {
			t.Errorf("ParseESTType(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "belysning", "hot-trakasserier", "fire"} {
		if _, err := trygg.ParseESTType("typ", bad); trygg.ErrorField(err) != "typ" {
			t.Errorf("ParseESTType(%q) = %v, want an error on typ", bad, err)
		}
	}
	for _, code := range trygg.ESTTypes {
		want := code
		if code == "mot-personal" {
			want = "hot-trakasserier"
		}
		if got := trygg.ESTCategory(code); got != want {
			t.Errorf("ESTCategory(%s) = %s, want %s", code, got, want)
		}
	}
	for at, want := range map[string][]string{
		"2026-11-20T21:30:00+01:00": {"evening", "weekday"}, // Friday
		"2026-11-20T23:30:00Z":      {"night", "weekend"},   // Saturday 00:30 in Sweden
		"2026-11-21T12:00:00+01:00": {"day", "weekend"},
		"2026-11-23T05:59:00+01:00": {"night", "weekday"},
	} {
		tm, _ := time.Parse(time.RFC3339, at)
		got := trygg.ESTTimes(tm)
		if !slices.Equal(got, want) {
			t.Errorf("ESTTimes(%s) = %v, want %v", at, got, want)
		}
	}
}
