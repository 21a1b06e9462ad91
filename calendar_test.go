package trygg

import (
	"testing"
	"time"
)

func TestEasterSunday(t *testing.T) {
	for _, tc := range []struct {
		year int
		want string
	}{
		{2024, "2024-03-31"}, {2025, "2025-04-20"}, {2026, "2026-04-05"}, {2027, "2027-03-28"},
		{2000, "2000-04-23"}, {2008, "2008-03-23"}, {2011, "2011-04-24"}, {2019, "2019-04-21"},
		{2038, "2038-04-25"}, {2285, "2285-03-22"}, {1954, "1954-04-18"},
	} {
		if got := EasterSunday(tc.year).Format(time.DateOnly); got != tc.want {
			t.Errorf("EasterSunday(%d) = %s, want %s", tc.year, got, tc.want)
		}
	}
}

func TestCalendarKnownDates(t *testing.T) {
	want := map[int]map[string]string{
		2024: {"langfredagen": "2024-03-29", "paskdagen": "2024-03-31", "annandag-pask": "2024-04-01",
			"kristi-himmelsfards-dag": "2024-05-09", "pingstdagen": "2024-05-19", "midsommarafton": "2024-06-21",
			"midsommardagen": "2024-06-22", "alla-helgons-dag": "2024-11-02", "skolavslutning": "2024-06-14",
			"student": "2024-06-03..2024-06-14", "pasklov": "2024-04-01..2024-04-05", "halloween": "2024-10-31..2024-11-02"},
		2025: {"langfredagen": "2025-04-18", "paskdagen": "2025-04-20", "annandag-pask": "2025-04-21",
			"kristi-himmelsfards-dag": "2025-05-29", "pingstdagen": "2025-06-08", "midsommarafton": "2025-06-20",
			"midsommardagen": "2025-06-21", "alla-helgons-dag": "2025-11-01", "skolavslutning": "2025-06-13",
			"student": "2025-06-02..2025-06-13", "halloween": "2025-10-31..2025-11-01"},
		2026: {"langfredagen": "2026-04-03", "paskdagen": "2026-04-05", "annandag-pask": "2026-04-06",
			"kristi-himmelsfards-dag": "2026-05-14", "pingstdagen": "2026-05-24", "midsommarafton": "2026-06-19",
			"midsommar": "2026-06-19", "midsommardagen": "2026-06-20", "alla-helgons-dag": "2026-10-31",
			"skolavslutning": "2026-06-12", "student": "2026-06-01..2026-06-12", "halloween": "2026-10-30..2026-10-31"},
		2027: {"langfredagen": "2027-03-26", "paskdagen": "2027-03-28", "annandag-pask": "2027-03-29",
			"kristi-himmelsfards-dag": "2027-05-06", "pingstdagen": "2027-05-16", "midsommarafton": "2027-06-25",
			"midsommardagen": "2027-06-26", "alla-helgons-dag": "2027-11-06", "skolavslutning": "2027-06-18",
			"student": "2027-06-07..2027-06-18", "halloween": "2027-10-31..2027-11-06",
			"valborg": "2027-04-30", "lucia": "2027-12-13", "jul": "2027-12-24..2027-12-26", "nyar": "2027-12-31..2028-01-01",
			"nyarsdagen": "2027-01-01", "trettondedag-jul": "2027-01-06", "forsta-maj": "2027-05-01", "nationaldagen": "2027-06-06",
			"julafton": "2027-12-24", "juldagen": "2027-12-25", "annandag-jul": "2027-12-26", "nyarsafton": "2027-12-31"},
	}
	for year, keys := range want {
		cal := Calendar(year, nil)
		got := map[string]string{}
		holidays := 0
		for i, c := range cal {
			if _, dup := got[c.Key]; dup {
				t.Errorf("%d: key %s twice", year, c.Key)
			}
			s := c.Date.Format(time.DateOnly)
			if c.End != nil {
				s += ".." + c.End.Format(time.DateOnly)
			}
			got[c.Key] = s
			if c.Name == "" || (c.Kind != CalendarHoliday && c.Kind != CalendarRisk) {
				t.Errorf("%d: %s has name %q kind %q", year, c.Key, c.Name, c.Kind)
			}
			if c.Kind == CalendarHoliday {
				holidays++
			}
			if i > 0 && c.Date.Before(cal[i-1].Date.Time) {
				t.Errorf("%d: %s before %s: not in date order", year, c, cal[i-1])
			}
		}
		if holidays != 16 {
			t.Errorf("%d: %d holidays, want 16", year, holidays)
		}
		for k, v := range keys {
			if got[k] != v {
				t.Errorf("%d %s = %q, want %q", year, k, got[k], v)
			}
		}
	}
}

func TestCalendarWeekdays(t *testing.T) {
	for year := 2000; year <= 2100; year++ {
		for _, c := range Calendar(year, nil) {
			var wd time.Weekday = -1
			switch c.Key {
			case "midsommarafton", "langfredagen", "skolavslutning":
				wd = time.Friday
			case "midsommardagen", "alla-helgons-dag":
				wd = time.Saturday
			case "paskdagen", "pingstdagen":
				wd = time.Sunday
			case "kristi-himmelsfards-dag":
				wd = time.Thursday
			}
			if wd >= 0 && c.Date.Weekday() != wd {
				t.Fatalf("%d: %s is a %s", year, c, c.Date.Weekday())
			}
			switch c.Key {
			case "midsommarafton":
				if m, d := c.Date.Month(), c.Date.Day(); m != time.June || d < 19 || d > 25 {
					t.Fatalf("%d: %s is not 19–25 June", year, c)
				}
			case "alla-helgons-dag":
				if n := dayNumber(c.Date) - dayNumber(ymd(year, time.October, 31)); n < 0 || n > 6 {
					t.Fatalf("%d: %s is not 31 October–6 November", year, c)
				}
			case "paskdagen":
				if c.Date.Before(ymd(year, time.March, 22).Time) || c.Date.After(ymd(year, time.April, 25).Time) {
					t.Fatalf("%d: %s is not 22 March–25 April", year, c)
				}
			}
		}
	}
}

func TestCalendarLocalDates(t *testing.T) {
	local := []LocalDate{{Key: RiskSchoolEnd, From: ymd(2026, time.June, 10), To: ymd(2026, time.June, 10)}}
	for _, c := range Calendar(2026, local) {
		switch c.Key {
		case RiskSchoolEnd:
			if c.Date.Format(time.DateOnly) != "2026-06-10" || c.End != nil || c.Source != "municipality" {
				t.Errorf("skolavslutning = %+v, want the municipality's 2026-06-10", c)
			}
		case RiskStudent:
			if c.Source != "default" {
				t.Errorf("student source %q, want default", c.Source)
			}
		}
	}
	for _, tc := range []struct {
		l     LocalDate
		field string
	}{
		{LocalDate{Key: "valborg", From: ymd(2026, 4, 30), To: ymd(2026, 4, 30)}, "key"},
		{LocalDate{Key: RiskStudent, From: ymd(2025, 6, 1), To: ymd(2026, 6, 3)}, "from"},
		{LocalDate{Key: RiskStudent, From: ymd(2026, 6, 5), To: ymd(2026, 6, 3)}, "to"},
		{LocalDate{Key: RiskStudent, From: ymd(2026, 5, 1), To: ymd(2026, 6, 30)}, "to"},
	} {
		if err := tc.l.Validate(2026); ErrorField(err) != tc.field {
			t.Errorf("%+v: error %v, want one on %s", tc.l, err, tc.field)
		}
	}
	if err := (LocalDate{Key: RiskStudent, From: ymd(2026, 6, 1), To: ymd(2026, 6, 5)}).Validate(2026); err != nil {
		t.Errorf("a good window: %v", err)
	}
}

func TestRiskCoverage(t *testing.T) {
	cal := Calendar(2026, nil)
	at := func(s string) Activity {
		tm, _ := time.ParseInLocation("2006-01-02 15:04", s, SwedishTime)
		return Activity{ID: s, StartsAt: tm}
	}
	acts := []Activity{
		at("2026-04-16 08:00"), // 14 days before valborg
		at("2026-06-05 08:00"), // in the student window, before skolavslutning and midsommar
		at("2026-12-31 23:30"), // nyår, Swedish time (22:30 UTC)
		at("2026-12-30 08:00"), // after the period's end? no: the period is the year
		at("2027-01-02 08:00"), // outside
	}
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	cov := RiskCoverage(cal, acts, ymd(2026, 1, 1), ymd(2026, 12, 31), now)
	got := map[string]string{}
	for _, c := range cov {
		got[c.Key] = c.Status
	}
	want := map[string]string{"pasklov": "missed", "valborg": "covered", "student": "covered", "skolavslutning": "covered",
		"midsommar": "covered", "halloween": "missed", "lucia": "upcoming", "jul": "upcoming", "nyar": "upcoming"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if len(cov) != len(want) {
		t.Errorf("%d risk dates, want %d: %v", len(cov), len(want), got)
	}
	// The same activities a month later: the ones by then count.
	later := RiskCoverage(cal, acts, ymd(2026, 1, 1), ymd(2026, 12, 31), time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC))
	for _, c := range later {
		if c.Key == "nyar" && (!c.Covered || len(c.Activities) != 2) {
			t.Errorf("nyår later: %+v, want covered by the 30th and the 31st", c)
		}
		if c.Key == "lucia" && c.Status != "missed" {
			t.Errorf("lucia later: %s, want missed", c.Status)
		}
	}
	if !RiskDateCommitment(Commitment{ActivityKind: KindInformation, Text: "Kampanjer kring årliga risktillfällen såsom valborg"}) ||
		RiskDateCommitment(Commitment{ActivityKind: KindFootPatrol, Text: "Patrullera vid valborg"}) ||
		RiskDateCommitment(Commitment{ActivityKind: KindInformation, Text: "Information om grannsamverkan"}) {
		t.Error("RiskDateCommitment: wrong")
	}
}

func TestRiskDatesOn(t *testing.T) {
	cal := Calendar(2026, nil)
	start := time.Date(2026, 4, 30, 20, 0, 0, 0, SwedishTime)
	got := RiskDatesOn(cal, start, start.Add(6*time.Hour))
	if len(got) != 1 || got[0].Key != "valborg" {
		t.Errorf("a valborg night shift: %v, want valborg", got)
	}
	if got := RiskDatesOn(cal, time.Date(2026, 5, 5, 8, 0, 0, 0, SwedishTime), time.Date(2026, 5, 5, 16, 0, 0, 0, SwedishTime)); len(got) != 0 {
		t.Errorf("5 May: %v, want none", got)
	}
	// An evening shift ending at midnight on 12 December is not on lucia.
	if got := RiskDatesOn(cal, time.Date(2026, 12, 12, 18, 0, 0, 0, SwedishTime), time.Date(2026, 12, 13, 0, 0, 0, 0, SwedishTime)); len(got) != 0 {
		t.Errorf("12 December to midnight: %v, want none", got)
	}
	if got := RiskDatesOn(cal, time.Date(2026, 12, 12, 18, 0, 0, 0, SwedishTime), time.Date(2026, 12, 13, 0, 1, 0, 0, SwedishTime)); len(got) != 1 || got[0].Key != "lucia" {
		t.Errorf("12 December past midnight: %v, want lucia", got)
	}
}
