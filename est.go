package trygg

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Stockholm without the system's zone files
)

// EST (Effektiv Samordning för Trygghet): staff of the municipality, its companies and
// the Police report incidents every week; the incidents are mapped and discussed at a
// weekly meeting. An incident is a report with source est, its type (est_type), the
// place's everyday name (est_area, "Resecentrum") and the organisation that reported it.

// EST incident types, the codes of report.est_type.
const (
	ESTVandalism        = "skadegorelse"
	ESTGraffiti         = "klotter"
	ESTLitter           = "nedskrapning"
	ESTDisruptiveGroups = "stokiga-grupper"
	ESTDrugDealing      = "narkotika"
	ESTRecklessDriving  = "farlig-korning"
	ESTViolence         = "vald"
	ESTBurglary         = "inbrott-stold"
	ESTAgainstStaff     = "mot-personal"
	ESTOther            = "annat"
)

// ESTTypes lists the EST incident types in the order of the weekly meeting's sheet.
var ESTTypes = []string{ESTVandalism, ESTGraffiti, ESTLitter, ESTDisruptiveGroups, ESTDrugDealing,
	ESTRecklessDriving, ESTViolence, ESTBurglary, ESTAgainstStaff, ESTOther}

// estAliases are the English names accepted for the types.
var estAliases = map[string]string{
	"vandalism": ESTVandalism, "graffiti": ESTGraffiti, "litter": ESTLitter,
	"disruptive-groups": ESTDisruptiveGroups, "drug-dealing": ESTDrugDealing,
	"reckless-driving": ESTRecklessDriving, "violence": ESTViolence, "burglary": ESTBurglary,
	"against-staff": ESTAgainstStaff, "other": ESTOther,
}

// ParseESTType returns the code of an EST type given as its code or English alias
// (without regard to case), or EINVALID on field.
func ParseESTType(field, s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if slices.Contains(ESTTypes, v) {
		return v, nil
	}
	if code, ok := estAliases[v]; ok {
		return code, nil
	}
	if v == "" {
		return "", Errorf(EINVALID, field, "%s is missing: one of %s", field, strings.Join(ESTTypes, ", "))
	}
	return "", Errorf(EINVALID, field, "%q is not an EST type: one of %s (or vandalism, graffiti, litter, "+
		"disruptive-groups, drug-dealing, reckless-driving, violence, burglary, against-staff, other)",
		s, strings.Join(ESTTypes, ", "))
}

// ESTCategory is the report category of an EST type: the same code, but incidents
// against staff are threats and harassment.
func ESTCategory(estType string) string {
	if estType == ESTAgainstStaff {
		return "hot-trakasserier"
	}
	return estType
}

// ESTFeeling is the feeling an EST incident is stored with when none is given: the
// place is unsafe (2). Reports need a feeling; incidents are problems, not opinions.
const ESTFeeling = 2

// ESTNoArea is how the weekly summary names incidents without an area.
const ESTNoArea = "(ingen plats)"

// ESTIncident is an EST incident: a published report (source est) with its type, the
// place's name and the reporting organisation. ObservedAt is when it happened.
type ESTIncident struct {
	Report
	OccurredAt    *time.Time `json:"occurred_at"` // ObservedAt, in the words of the input
	Type          string     `json:"type"`
	Area          string     `json:"area"`
	ReportedByOrg string     `json:"reported_by_org"`
	CreatedBy     string     `json:"created_by,omitempty"` // the user who entered it
}

// ESTTimes says when an incident happened in the terms of Report.When: the time of day
// (day 06–18, evening 18–22, night 22–06) and weekday or weekend, in Swedish time.
func ESTTimes(t time.Time) []string {
	l := t.In(SwedishTime)
	var out []string
	switch h := l.Hour(); {
	case h >= 6 && h < 18:
		out = append(out, "day")
	case h >= 18 && h < 22:
		out = append(out, "evening")
	default:
		out = append(out, "night")
	}
	if wd := l.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return append(out, "weekend")
	}
	return append(out, "weekday")
}

// SwedishTime is Europe/Stockholm, the zone of EST weeks.
var SwedishTime = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		panic(err) // time/tzdata is embedded
	}
	return loc
}()

// ISOWeek is an ISO 8601 week: the week from Monday to Sunday, numbered so that week 1
// holds the year's first Thursday. A year has 52 or 53 weeks.
type ISOWeek struct {
	Year, Week int
}

var isoWeekRE = regexp.MustCompile(`^([0-9]{4})-?W([0-9]{2})$`)

// ParseISOWeek reads a week such as 2026-W47 (or 2026W47).
func ParseISOWeek(field, s string) (ISOWeek, error) {
	m := isoWeekRE.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil {
		return ISOWeek{}, Errorf(EINVALID, field, "%s=%q is not an ISO 8601 week such as 2026-W47", field, s)
	}
	y, _ := strconv.Atoi(m[1])
	w, _ := strconv.Atoi(m[2])
	if y < 2000 || y > 2200 {
		return ISOWeek{}, Errorf(EINVALID, field, "%s=%q: the year must be from 2000 to 2200", field, s)
	}
	if n := WeeksInYear(y); w < 1 || w > n {
		return ISOWeek{}, Errorf(EINVALID, field, "%s=%q: %d has weeks 1 to %d", field, s, y, n)
	}
	return ISOWeek{y, w}, nil
}

// WeeksInYear is the number of ISO weeks of a year: 53 when it has 53 Thursdays, else 52.
// 28 December always lies in the last week.
func WeeksInYear(year int) int {
	_, w := time.Date(year, time.December, 28, 12, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

// WeekOf is the ISO week of t in Swedish time.
func WeekOf(t time.Time) ISOWeek {
	y, w := t.In(SwedishTime).ISOWeek()
	return ISOWeek{y, w}
}

// Start is the week's Monday 00:00 in Swedish time.
func (w ISOWeek) Start() time.Time {
	// 4 January is always in week 1; its Monday starts the ISO year.
	jan4 := time.Date(w.Year, time.January, 4, 0, 0, 0, 0, SwedishTime)
	back := (int(jan4.Weekday()) + 6) % 7 // days since Monday
	return time.Date(w.Year, time.January, 4-back+7*(w.Week-1), 0, 0, 0, 0, SwedishTime)
}

// End is the next week's Monday 00:00 in Swedish time: the week is [Start, End).
func (w ISOWeek) End() time.Time { return w.Next().Start() }

// Prev is the week before.
func (w ISOWeek) Prev() ISOWeek {
	s := w.Start()
	return WeekOf(time.Date(s.Year(), s.Month(), s.Day()-7, 12, 0, 0, 0, SwedishTime))
}

// Next is the week after.
func (w ISOWeek) Next() ISOWeek {
	s := w.Start()
	return WeekOf(time.Date(s.Year(), s.Month(), s.Day()+7, 12, 0, 0, 0, SwedishTime))
}

// String writes the week as 2026-W47.
func (w ISOWeek) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Week) }

// ESTCount is one line of the weekly summary: incidents of a type or at an area (or in
// all) in the week and the week before, and the change.
type ESTCount struct {
	Type     string `json:"type,omitempty"`
	Area     string `json:"area,omitempty"`
	Count    int    `json:"count"`
	Previous int    `json:"previous"`
	Change   int    `json:"change"`
}

// ESTWeekly is the summary an EST meeting discusses: a municipality's incidents of an
// ISO week, counted by type and by area, beside the previous week's.
type ESTWeekly struct {
	Municipality string     `json:"municipality"`
	Week         string     `json:"week"`
	From         time.Time  `json:"from"`
	To           time.Time  `json:"to"`
	PreviousWeek string     `json:"previous_week"`
	PreviousFrom time.Time  `json:"previous_from"`
	Total        ESTCount   `json:"total"`
	ByType       []ESTCount `json:"by_type"`
	ByArea       []ESTCount `json:"by_area"`
}

// ParseInstant reads a time (start = end) in RFC 3339 or a date (YYYY-MM-DD): its whole
// day in Swedish time, which is what Swedish planners mean by a date.
func ParseInstant(s string) (start, end time.Time, ok bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, t, true
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, SwedishTime); err == nil {
		return d, d.AddDate(0, 0, 1).Add(-time.Microsecond), true
	}
	return time.Time{}, time.Time{}, false
}
