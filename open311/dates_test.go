package open311

import (
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
)

func TestDateRange(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cases := []struct {
		name, start, end string
		from, to         time.Time
		err              string // field at fault
	}{
		{"default: the last 90 days", "", "", now.Add(-Window), now, ""},
		{"start alone opens 90 days", "2026-06-01T00:00:00Z", "", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).Add(90 * day), ""},
		{"end alone closes 90 days", "", "2026-06-01T00:00:00Z", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).Add(-90 * day),
			time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), ""},
		{"offset and fraction", "2026-06-01T10:00:00.5+02:00", "2026-06-02T10:00:00+02:00",
			time.Date(2026, 6, 1, 8, 0, 0, 5e8, time.UTC), time.Date(2026, 6, 2, 8, 0, 0, 0, time.UTC), ""},
		{"a + that arrived as a space", "2026-06-01T10:00:00 02:00", "2026-06-02T10:00:00 02:00",
			time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC), time.Date(2026, 6, 2, 8, 0, 0, 0, time.UTC), ""},
		{"no zone is Swedish time", "2026-01-10T08:00:00", "2026-01-10T09:00",
			time.Date(2026, 1, 10, 7, 0, 0, 0, time.UTC), time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC), ""},
		{"dates are whole Swedish days", "2026-07-01", "2026-07-01",
			time.Date(2026, 6, 30, 22, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 21, 59, 59, 999999000, time.UTC), ""},
		{"90 days exactly", "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z",
			time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), ""},
		{"more than 90 days", "2026-01-01T00:00:00Z", "2026-04-01T00:00:01Z", time.Time{}, time.Time{}, "end_date"},
		{"end before start", "2026-02-01", "2026-01-01", time.Time{}, time.Time{}, "end_date"},
		{"not a time", "last week", "", time.Time{}, time.Time{}, "start_date"},
		{"not a date", "", "2026-02-30", time.Time{}, time.Time{}, "end_date"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			from, to, err := dateRange(tc.start, tc.end, now)
			if tc.err != "" {
				if trygg.ErrorCode(err) != trygg.EINVALID || trygg.ErrorField(err) != tc.err {
					t.Fatalf("err %v, want invalid %s", err, tc.err)
				}
				return
			}
			if err != nil || !from.Equal(tc.from) || !to.Equal(tc.to) {
				t.Errorf("got %v to %v (%v), want %v to %v", from, to, err, tc.from, tc.to)
			}
		})
	}
}

func TestAttributesNameEveryTime(t *testing.T) {
	a := attributes()
	if len(a[1].Values) != len(trygg.Times) {
		t.Fatalf("when has %d values, trygg.Times %d", len(a[1].Values), len(trygg.Times))
	}
	for _, v := range a[1].Values {
		if v.Name == "" {
			t.Errorf("time %q has no Swedish name", v.Key)
		}
	}
	if len(a[0].Values) != 4 || a[0].Values[0].Key != "1" || a[0].Values[3].Key != "4" {
		t.Errorf("feeling values %+v", a[0].Values)
	}
}
