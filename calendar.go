package trygg

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kinds of a calendar date.
const (
	CalendarHoliday = "holiday" // a Swedish public holiday (or a de facto one: the eves)
	CalendarRisk    = "risk"    // a risk date (risktillfälle) of prevention work
)

// Keys of the risk dates a municipality may set itself (LocalDate); the others follow
// from the year.
const (
	RiskSchoolEnd  = "skolavslutning"
	RiskStudent    = "student"
	RiskEasterTerm = "pasklov"
)

// LocalRiskKeys are the risk dates a municipality may set per year.
var LocalRiskKeys = []string{RiskSchoolEnd, RiskStudent, RiskEasterTerm}

// CalendarDate is a day (or, with End, a window of days) of the Swedish calendar.
type CalendarDate struct {
	Key    string `json:"key"`
	Name   string `json:"name"` // Swedish
	Kind   string `json:"kind"` // holiday or risk
	Date   Date   `json:"date"` // the (first) day
	End    *Date  `json:"end,omitempty"`
	Source string `json:"source,omitempty"` // for skolavslutning, student, påsklov: default or municipality
}

// Last is the last day of the date's window (Date itself for one day).
func (c CalendarDate) Last() Date {
	if c.End != nil {
		return *c.End
	}
	return c.Date
}

// LocalDate is a municipality's own window of a local risk date (LocalRiskKeys) in a year.
type LocalDate struct {
	Key  string `json:"key"`
	From Date   `json:"from"`
	To   Date   `json:"to"`
}

// Validate checks a local date for the year.
func (l LocalDate) Validate(year int) error {
	switch {
	case !slices.Contains(LocalRiskKeys, l.Key):
		return Errorf(EINVALID, "key", "key %q is not one of %s", l.Key, strings.Join(LocalRiskKeys, ", "))
	case l.From.IsZero() || l.From.Year() != year:
		return Errorf(EINVALID, "from", "from is a day in %d", year)
	case l.To.IsZero() || l.To.Year() != year:
		return Errorf(EINVALID, "to", "to is a day in %d", year)
	case l.To.Before(l.From.Time):
		return Errorf(EINVALID, "to", "to (%s) is before from (%s)", l.To.Format(time.DateOnly), l.From.Format(time.DateOnly))
	case dayNumber(l.To)-dayNumber(l.From) > 31:
		return Errorf(EINVALID, "to", "a window is at most a month")
	}
	return nil
}

// CheckCalendarYear refuses a year outside 2000–2100.
func CheckCalendarYear(field string, year int) error {
	if year < 2000 || year > 2100 {
		return Errorf(EINVALID, field, "year %d is not from 2000 to 2100", year)
	}
	return nil
}

// EasterSunday is påskdagen of a Gregorian year: the anonymous Gregorian computus
// (Meeus/Jones/Butcher), exact for every year of the Gregorian calendar.
func EasterSunday(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return ymd(year, time.Month(month), day)
}

func ymd(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

func (d Date) addDays(n int) Date { return Date{d.AddDate(0, 0, n)} }

// weekdayBetween is the day of weekday wd in m from day `from` (a seven-day range).
func weekdayBetween(y int, m time.Month, from int, wd time.Weekday) Date {
	d := ymd(y, m, from)
	return d.addDays((int(wd) - int(d.Weekday()) + 7) % 7)
}

// isoWeekday is the weekday wd (Monday 1 … Sunday 7) of ISO week w of year y.
func isoWeekday(y, w, wd int) Date {
	jan4 := ymd(y, time.January, 4) // always in week 1
	monday1 := jan4.addDays(-((int(jan4.Weekday()) + 6) % 7))
	return monday1.addDays(7*(w-1) + wd - 1)
}

// Midsummer eve (midsommarafton) is the Friday from 19 to 25 June.
func midsummerEve(y int) Date { return weekdayBetween(y, time.June, 19, time.Friday) }

// allSaints is alla helgons dag, the Saturday from 31 October to 6 November.
func allSaints(y int) Date {
	return weekdayBetween(y, time.October, 31, time.Saturday)
}

// DefaultLocalDates are the local risk dates of a municipality that set none:
// skolavslutning on the Friday of ISO week 24; studentdagar from the Monday of ISO week
// 23 to that Friday (gymnasiums' student days fall in these two weeks); påsklov the week
// after Easter, annandag påsk to that Friday.
func DefaultLocalDates(year int) []LocalDate {
	school := isoWeekday(year, 24, 5)
	easterMonday := EasterSunday(year).addDays(1)
	return []LocalDate{
		{Key: RiskSchoolEnd, From: school, To: school},
		{Key: RiskStudent, From: isoWeekday(year, 23, 1), To: school},
		{Key: RiskEasterTerm, From: easterMonday, To: easterMonday.addDays(4)},
	}
}

var localNames = map[string]string{RiskSchoolEnd: "Skolavslutning", RiskStudent: "Studentdagar", RiskEasterTerm: "Påsklov"}

// Calendar is the year's Swedish public holidays and risk dates, in date order (a
// holiday before a risk date on the same day). local sets the municipality's own
// windows of skolavslutning, student and påsklov for the year (LocalRiskKeys); the
// others take DefaultLocalDates.
//
// Holidays: nyårsdagen, trettondedag jul, långfredagen, påskdagen, annandag påsk,
// första maj, Kristi himmelsfärds dag, nationaldagen, pingstdagen, midsommarafton,
// midsommardagen, alla helgons dag, julafton, juldagen, annandag jul, nyårsafton (the
// eves are de facto holidays). Risk dates: påsklov, valborg (30 April), studentdagar,
// skolavslutning, midsommarafton, halloween and alla helgons helg (from 31 October or
// the Friday before alla helgons dag, whichever is first, to the later of 31 October and
// alla helgons dag), lucia, jul (julafton to annandag jul) and nyår (nyårsafton to
// nyårsdagen of the next year).
func Calendar(year int, local []LocalDate) []CalendarDate {
	easter := EasterSunday(year)
	midsummer := midsummerEve(year)
	saints := allSaints(year)
	one := func(key, name, kind string, d Date) CalendarDate {
		return CalendarDate{Key: key, Name: name, Kind: kind, Date: d}
	}
	span := func(key, name string, from, to Date) CalendarDate {
		c := CalendarDate{Key: key, Name: name, Kind: CalendarRisk, Date: from}
		if dayNumber(to) != dayNumber(from) {
			c.End = &to
		}
		return c
	}
	out := []CalendarDate{
		one("nyarsdagen", "Nyårsdagen", CalendarHoliday, ymd(year, time.January, 1)),
		one("trettondedag-jul", "Trettondedag jul", CalendarHoliday, ymd(year, time.January, 6)),
		one("langfredagen", "Långfredagen", CalendarHoliday, easter.addDays(-2)),
		one("paskdagen", "Påskdagen", CalendarHoliday, easter),
		one("annandag-pask", "Annandag påsk", CalendarHoliday, easter.addDays(1)),
		one("forsta-maj", "Första maj", CalendarHoliday, ymd(year, time.May, 1)),
		one("kristi-himmelsfards-dag", "Kristi himmelsfärds dag", CalendarHoliday, easter.addDays(39)),
		one("nationaldagen", "Sveriges nationaldag", CalendarHoliday, ymd(year, time.June, 6)),
		one("pingstdagen", "Pingstdagen", CalendarHoliday, easter.addDays(49)),
		one("midsommarafton", "Midsommarafton", CalendarHoliday, midsummer),
		one("midsommardagen", "Midsommardagen", CalendarHoliday, midsummer.addDays(1)),
		one("alla-helgons-dag", "Alla helgons dag", CalendarHoliday, saints),
		one("julafton", "Julafton", CalendarHoliday, ymd(year, time.December, 24)),
		one("juldagen", "Juldagen", CalendarHoliday, ymd(year, time.December, 25)),
		one("annandag-jul", "Annandag jul", CalendarHoliday, ymd(year, time.December, 26)),
		one("nyarsafton", "Nyårsafton", CalendarHoliday, ymd(year, time.December, 31)),

		one("valborg", "Valborg", CalendarRisk, ymd(year, time.April, 30)),
		one("midsommar", "Midsommar", CalendarRisk, midsummer),
		span("halloween", "Halloween och alla helgons helg",
			minDate(ymd(year, time.October, 31), saints.addDays(-1)), maxDate(ymd(year, time.October, 31), saints)),
		one("lucia", "Lucia", CalendarRisk, ymd(year, time.December, 13)),
		span("jul", "Jul", ymd(year, time.December, 24), ymd(year, time.December, 26)),
		span("nyar", "Nyår", ymd(year, time.December, 31), ymd(year+1, time.January, 1)),
	}
	for _, d := range DefaultLocalDates(year) {
		src := "default"
		for _, l := range local {
			if l.Key == d.Key {
				d, src = l, "municipality"
			}
		}
		c := span(d.Key, localNames[d.Key], d.From, d.To)
		c.Source = src
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b CalendarDate) int {
		if c := a.Date.Compare(b.Date.Time); c != 0 {
			return c
		}
		return strings.Compare(a.Kind, b.Kind) // holiday < risk
	})
	return out
}

func minDate(a, b Date) Date {
	if b.Before(a.Time) {
		return b
	}
	return a
}

func maxDate(a, b Date) Date {
	if b.After(a.Time) {
		return b
	}
	return a
}

// RiskDatesOn are the risk dates among dates whose window holds a day of Swedish time
// from start to end (a shift ending at midnight does not reach the next day).
func RiskDatesOn(dates []CalendarDate, start, end time.Time) []CalendarDate {
	if end.After(start) {
		end = end.Add(-time.Nanosecond)
	}
	first, last := Today(start), Today(end)
	var out []CalendarDate
	for _, c := range dates {
		if c.Kind == CalendarRisk && dayNumber(c.Date) <= dayNumber(last) && dayNumber(c.Last()) >= dayNumber(first) {
			out = append(out, c)
		}
	}
	return out
}

// RiskLeadDays is how many days before a risk date a campaign activity counts for it:
// information to parents and young people is spread in the two weeks before.
const RiskLeadDays = 14

// RiskDateCommitment reports whether a commitment is a campaign against risk dates:
// an information campaign whose text names risk dates (risktillfällen, valborg,
// midsommar, skolavslutning, student, nyår).
func RiskDateCommitment(c Commitment) bool {
	if c.ActivityKind != KindInformation {
		return false
	}
	t := strings.ToLower(c.Text)
	for _, w := range []string{"risktillf", "riskdag", "valborg", "midsommar", "skolavslutning", "student", "nyår"} {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}

// RiskDateCoverage is one risk date of a campaign commitment's period and the
// activities that fell on it or in the RiskLeadDays days before it.
type RiskDateCoverage struct {
	CalendarDate
	Covered    bool     `json:"covered"`
	Status     string   `json:"status"` // covered, missed, upcoming
	Activities []string `json:"activity_ids"`
}

// RiskCoverage is, for each risk date whose (first) day lies in the period from
// periodStart to periodEnd, whether an activity that has started by now began in the window from
// RiskLeadDays days before the date to its last day (Swedish days): covered; else
// missed once the window is over, upcoming while it is not.
func RiskCoverage(dates []CalendarDate, acts []Activity, periodStart, periodEnd Date, now time.Time) []RiskDateCoverage {
	out := []RiskDateCoverage{}
	ps, pe, today := dayNumber(periodStart), dayNumber(periodEnd), dayNumber(Today(now))
	for _, c := range dates {
		if c.Kind != CalendarRisk || dayNumber(c.Date) < ps || dayNumber(c.Date) > pe {
			continue
		}
		rc := RiskDateCoverage{CalendarDate: c, Activities: []string{}}
		from, to := dayNumber(c.Date)-RiskLeadDays, dayNumber(c.Last())
		for _, a := range acts {
			if a.StartsAt.After(now) {
				continue
			}
			if n := dayNumber(Today(a.StartsAt)); n >= from && n <= to {
				rc.Activities = append(rc.Activities, a.ID)
			}
		}
		rc.Covered = len(rc.Activities) > 0
		switch {
		case rc.Covered:
			rc.Status = "covered"
		case to < today:
			rc.Status = "missed"
		default:
			rc.Status = "upcoming"
		}
		out = append(out, rc)
	}
	return out
}

// String is the date's key and day(s), for messages.
func (c CalendarDate) String() string {
	if c.End != nil {
		return fmt.Sprintf("%s %s–%s", c.Key, c.Date.Format(time.DateOnly), c.End.Format(time.DateOnly))
	}
	return fmt.Sprintf("%s %s", c.Key, c.Date.Format(time.DateOnly))
}
