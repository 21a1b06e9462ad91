package trygg

import (
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func TestMaskContacts(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Ring mig på 070-123 45 67 om du vill", "Ring mig på [telefonnummer dolt] om du vill"},
		{"mejla anna.s@example.com tack", "mejla [e-post dold] tack"},
		{"+46 70 123 45 67", "[telefonnummer dolt]"},
		{"0512-123456", "[telefonnummer dolt]"},
		{"Busshållplatsen vid nr 12, 2021 var det värre", "Busshållplatsen vid nr 12, 2021 var det värre"},
		{"klockan 22.30 varje kväll", "klockan 22.30 varje kväll"},
	}
	for _, tc := range cases {
		if got := MaskContacts(tc.in); got != tc.want {
			t.Errorf("MaskContacts(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalizeWhen(t *testing.T) {
	got, err := NormalizeWhen([]string{"night", "Evening", "night", "weekend"})
	if err != nil || len(got) != 3 || got[0] != "evening" || got[1] != "night" || got[2] != "weekend" {
		t.Errorf("NormalizeWhen = %v, %v", got, err)
	}
	if _, err := NormalizeWhen([]string{"midnight"}); ErrorField(err) != "when" {
		t.Errorf("NormalizeWhen(midnight) = %v, want an error on when", err)
	}
}

func TestContactValidate(t *testing.T) {
	for _, c := range []Contact{{Email: "a@b"}, {Phone: "12"}, {Phone: "call me"}, {}} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	c := Contact{Email: " Anna@Vara.SE ", Phone: "070-123 45 67"}
	if err := c.Validate(); err != nil || c.Email != "anna@vara.se" {
		t.Errorf("got %+v, %v", c, err)
	}
}

// TestReportChecks covers the checks the HTTP API and trygg import reports share.
func TestReportChecks(t *testing.T) {
	square := func(x, y, s float64) orb.Polygon {
		return orb.Polygon{{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}}
	}
	one, zero := 1, 0
	cats := []Category{{Code: "belysning"}}
	cases := []struct {
		name      string
		err       error
		code, fld string // want; code "" for no error
	}{
		{"category", CheckCategory("belysning", cats), "", ""},
		{"no category", CheckCategory("", cats), EINVALID, "category"},
		{"unknown category", CheckCategory("ufo", cats), EINVALID, "category"},
		{"feeling", second(CheckFeeling(&one)), "", ""},
		{"no feeling", second(CheckFeeling(nil)), EINVALID, "feeling"},
		{"feeling 0", second(CheckFeeling(&zero)), EINVALID, "feeling"},
		{"source", CheckSource(SourceSurvey), "", ""},
		{"unknown source", CheckSource("blog"), EINVALID, "source"},
		{"police event", CheckSource(SourcePoliceEvent), EINVALID, "source"},
		{"point precision", second(ReportPrecision(orb.Point{13, 58}, "")), "", ""},
		{"point as area", second(ReportPrecision(orb.Point{13, 58}, PrecisionArea)), EINVALID, "precision"},
		{"polygon as exact", second(ReportPrecision(square(13, 58, 0.001), PrecisionExact)), EINVALID, "precision"},
		{"observed", CheckObservedAt("tid", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)), "", ""},
		{"observed in the future", CheckObservedAt("tid", time.Now().Add(time.Hour)), EINVALID, "tid"},
		{"observed before 2000", CheckObservedAt("tid", time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)), EINVALID, "tid"},
		{"position", second(CheckPosition("c", 13, 58)), "", ""},
		{"position NaN", second(CheckPosition("c", math.NaN(), 58)), EINVALID, "c"},
		{"position out of range", second(CheckPosition("c", 13, 91)), EINVALID, "c"},
		{"area", CheckArea("c", square(13, 58, 0.005)), "", ""},
		{"area too large", CheckArea("c", square(13, 58, 0.02)), EINVALID, "c"},
		{"area crossing itself", CheckArea("c", orb.Polygon{{{13, 58}, {13.01, 58.01}, {13.01, 58}, {13, 58.01}, {13, 58}}}), EINVALID, "c"},
		{"area open", CheckArea("c", orb.Polygon{{{13, 58}, {13.01, 58}, {13.01, 58.01}, {13, 58.01}}}), EINVALID, "c"},
		{"in Sweden", CheckInSweden(orb.Point{13, 58}, "loc", "loc.c", "lon, lat"), "", ""},
		{"swapped", CheckInSweden(orb.Point{58, 13}, "loc", "loc.c", "lon, lat"), EINVALID, "loc.c"},
		{"outside Sweden", CheckInSweden(orb.Point{-0.1, 51.5}, "loc", "loc.c", "lon, lat"), EUNPROCESSABLE, "loc"},
	}
	for _, tc := range cases {
		if ErrorCode(tc.err) != tc.code || ErrorField(tc.err) != tc.fld {
			t.Errorf("%s: got %v, want code %q on %q", tc.name, tc.err, tc.code, tc.fld)
		}
	}
}

func second[T any](_ T, err error) error { return err }
