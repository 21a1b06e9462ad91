package postgis

import (
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
)

func TestPeriodPrevious(t *testing.T) {
	d := func(s string) trygg.Date { v, _ := trygg.ParseDate(s); return v }
	for _, c := range []struct{ from, to, pfrom, pto string }{
		{"2026-01-01", "2026-06-30", "2025-07-04", "2025-12-31"}, // 181 days
		{"2025-12-04", "2026-12-03", "2024-12-04", "2025-12-03"}, // a year
		{"2024-03-01", "2024-03-01", "2024-02-29", "2024-02-29"}, // one day, a leap day before
	} {
		p := Period{From: d(c.from), To: d(c.to)}
		prev := p.Previous()
		if got := prev.From.Format(time.DateOnly) + " " + prev.To.Format(time.DateOnly); got != c.pfrom+" "+c.pto {
			t.Errorf("%s–%s: previous %s, want %s %s", c.from, c.to, got, c.pfrom, c.pto)
		}
		if prev.Days() != p.Days() {
			t.Errorf("%s–%s: %d days, previous %d", c.from, c.to, p.Days(), prev.Days())
		}
	}
}

func TestNewTrend(t *testing.T) {
	for _, c := range []struct {
		count, prev int
		pct         *float64
		dir         string
	}{
		{39, 11, ptr(254.5), "up"}, {5, 10, ptr(-50), "down"}, {3, 0, nil, "up"}, {0, 0, nil, "same"}, {2, 3, ptr(-33.3), "down"},
	} {
		tr := NewTrend(c.count, c.prev)
		if tr.Direction != c.dir || (c.pct == nil) != (tr.ChangePct == nil) || (c.pct != nil && *c.pct != *tr.ChangePct) {
			t.Errorf("NewTrend(%d, %d) = %+v (pct %v), want %s %v", c.count, c.prev, tr, tr.ChangePct, c.dir, c.pct)
		}
	}
}

func ptr(f float64) *float64 { return &f }
