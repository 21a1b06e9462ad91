package trygg

import (
	"math/bits"
	"slices"
	"time"
)

// The time of a report: the hour × weekday slots of a week (Swedish time) when its
// place is unsafe, as migrations/00020_report_time.sql computes them in SQL. A report
// with ObservedAt occupies its one slot; a report with only When spreads evenly over
// the product of the hours of its times of day (day 06–18, evening 18–22, night 22–06;
// all 24 when it named only kinds of day) and the weekdays of its kinds of day (weekday
// Monday–Friday, weekend Saturday–Sunday; all 7 when it named only times of day); a
// report with neither has no time. CreatedAt is never a time of day.
//
// Slots are a product, so a report's time is two masks: hours (bit h for hour h) and
// days (bit d−1 for ISO weekday d, Monday 1).

// Masks of every hour and every weekday.
const (
	AllHours = 1<<24 - 1
	AllDays  = 1<<7 - 1
)

var (
	timeHours = map[string]int{"day": 0x03FFC0, "evening": 0x3C0000, "night": 0xC0003F} // 06–18, 18–22, 22–06
	timeDays  = map[string]int{"weekday": 0x1F, "weekend": 0x60}
)

// TimeHours is the hours of the times of day named in when; 0 when none is named.
func TimeHours(when []string) int {
	m := 0
	for _, w := range when {
		m |= timeHours[w]
	}
	return m
}

// TimeDays is the weekdays of the kinds of day named in when; 0 when none is named.
func TimeDays(when []string) int {
	m := 0
	for _, w := range when {
		m |= timeDays[w]
	}
	return m
}

// IsTimeOfDay reports whether w is a time of day (day, evening, night), not a kind of
// day.
func IsTimeOfDay(w string) bool { _, ok := timeHours[w]; return ok }

// ReportTime is a report's slots as masks: its observed hour and weekday, else the
// product its named times give; 0, 0 when it has no time.
func ReportTime(observed *time.Time, when []string) (hours, days int) {
	if observed != nil {
		l := observed.In(SwedishTime)
		return 1 << l.Hour(), 1 << ((int(l.Weekday()) + 6) % 7)
	}
	if len(when) == 0 {
		return 0, 0
	}
	hours, days = TimeHours(when), TimeDays(when)
	if hours == 0 {
		hours = AllHours
	}
	if days == 0 {
		days = AllDays
	}
	return hours, days
}

// Slots lists the slots ((ISO weekday − 1)·24 + hour, ascending) of hour and day masks.
func Slots(hours, days int) []int {
	var out []int
	for s := range 168 {
		if hours>>(s%24)&1 == 1 && days>>(s/24)&1 == 1 {
			out = append(out, s)
		}
	}
	return out
}

// TimeShare is the share of the slots of hours × days inside allowedHours ×
// allowedDays: what a report counts for under an hour or day filter; 0 without a time.
func TimeShare(hours, days, allowedHours, allowedDays int) float64 {
	if hours == 0 || days == 0 {
		return 0
	}
	return float64(bits.OnesCount(uint(hours&allowedHours))) / float64(bits.OnesCount(uint(hours))) *
		float64(bits.OnesCount(uint(days&allowedDays))) / float64(bits.OnesCount(uint(days)))
}

// Mask is the range's hours as an hour mask.
func (r HourRange) Mask() int {
	m := 0
	for h := range 24 {
		if r.Contains(h) {
			m |= 1 << h
		}
	}
	return m
}

// DaysMask is the weekdays of a Days filter ("weekday" or "weekend"); AllDays for "".
func DaysMask(days string) int {
	if days == "" {
		return AllDays
	}
	return timeDays[days]
}

// ValidWhen reports whether w is one of Times.
func ValidWhen(w string) bool { return slices.Contains(Times, w) }
