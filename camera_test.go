package trygg

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func day(s string) *Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &d
}

func TestCameraRegime(t *testing.T) {
	for _, tc := range []struct {
		day  *Date
		want string
	}{{nil, ""}, {day("2020-01-01"), RegimePermit}, {day("2025-03-31"), RegimePermit},
		{day("2025-04-01"), RegimeWeighing}, {day("2026-11-22"), RegimeWeighing}} {
		if got := Regime(tc.day); got != tc.want {
			t.Errorf("Regime(%v) = %q, want %q", tc.day, got, tc.want)
		}
	}
	// The day in Sweden: 2025-03-31T23:30Z is already 1 April in Stockholm.
	if d := SwedishDay(mustTime("2025-03-31T23:30:00Z")); Regime(&d) != RegimeWeighing {
		t.Errorf("%v: %s", d, Regime(&d))
	}
	if d := SwedishDay(mustTime("2025-03-31T21:30:00Z")); Regime(&d) != RegimePermit {
		t.Errorf("%v: %s", d, Regime(&d))
	}
}

func camera(state, decided string, mod func(*Camera)) Camera {
	c := Camera{Municipality: "1470", Name: "Resecentrum", OperatorKind: OperatorMunicipality, OperatorName: "Vara kommun",
		Purpose: "Förebygga skadegörelse", PlaceType: "travel-centre", PublicAccess: true, RetentionDays: 30, State: state}
	if decided != "" {
		c.DecisionOn = day(decided)
	}
	if mod != nil {
		mod(&c)
	}
	return c
}

// TestCameraLawByDayOfOperation: the rules are those of the day of operation, on both
// sides of 2025-04-01, whatever the day of the decision.
func TestCameraLawByDayOfOperation(t *testing.T) {
	permit := func(c *Camera) { c.PermitRef = "DI-2024-1234"; c.PermitExpires = day("2027-12-31") }
	weighing := func(c *Camera) { c.WeighingRef = "KS 2025/88 intresseavvägning"; c.DPIARef = "KS 2025/89" }
	kind := func(k string) func(*Camera) { return func(c *Camera) { c.OperatorKind = k } }
	all := func(fs ...func(*Camera)) func(*Camera) {
		return func(c *Camera) {
			for _, f := range fs {
				f(c)
			}
		}
	}
	for _, tc := range []struct {
		name         string
		mod          func(*Camera)
		before, from string // the reason's code on 2025-03-31 and on 2025-04-01
		mayB, mayF   bool
	}{
		{"municipality with permit", permit, OperatePermit, OperateNoWeighing, true, false},
		{"municipality with permit, weighing and DPIA", all(permit, weighing), OperatePermit, OperateWeighing, true, true},
		{"municipality without permit", nil, OperateNoPermit, OperateNoWeighing, false, false},
		{"municipality without permit, weighing and DPIA", weighing, OperateNoPermit, OperateWeighing, false, true},
		{"public authority without permit", kind(OperatorPublicAuthority), OperateNoPermit, OperateNoWeighing, false, false},
		{"public authority with permit", all(kind(OperatorPublicAuthority), permit), OperatePermit, OperateNoWeighing, true, false},
		{"private operator with a public task, no permit", all(kind(OperatorPrivatePublicTask), weighing), OperateNoPermit, OperateWeighing, false, true},
		{"shop without permit", kind(OperatorShop), OperatePrivate, OperateNoWeighing, true, false},
		{"shop without permit, weighing and DPIA", all(kind(OperatorShop), weighing), OperatePrivate, OperateWeighing, true, true},
		{"property owner without permit", kind(OperatorPropertyOwner), OperatePrivate, OperateNoWeighing, true, false},
		{"other private operator without permit", kind(OperatorOther), OperatePrivate, OperateNoWeighing, true, false},
		{"police without permit", kind(OperatorPolice), OperatePoliceExempt, OperateNoWeighing, true, false},
		{"no public access", func(c *Camera) { c.PublicAccess = false }, OperateNotPublic, OperateNoWeighing, true, false},
		{"permit expired 2025-03-30, weighing and DPIA", all(weighing, func(c *Camera) { permit(c); c.PermitExpires = day("2025-03-30") }),
			OperatePermitExpired, OperateWeighing, false, true},
		{"permit expiring 2025-03-31", func(c *Camera) { permit(c); c.PermitExpires = day("2025-03-31") }, OperatePermit, OperateNoWeighing, true, false},
		{"permit expired 2025-03-30, nothing else", func(c *Camera) { permit(c); c.PermitExpires = day("2025-03-30") },
			OperatePermitExpired, OperateNoWeighing, false, false},
		{"weighing without DPIA, with permit", all(permit, func(c *Camera) { c.WeighingRef = "avvägning" }), OperatePermit, OperateNoDPIA, true, false},
		{"DPIA without weighing", func(c *Camera) { c.DPIARef = "KS 2025/89" }, OperateNoPermit, OperateNoWeighing, false, false},
	} {
		// The decision's day changes nothing.
		for _, decided := range []string{"2024-05-01", "2025-01-15", "2025-03-31", "2025-04-01", "2025-06-01"} {
			c := camera(CameraActive, decided, tc.mod)
			if err := c.Validate(); err != nil {
				t.Fatalf("%s: invalid: %v", tc.name, err)
			}
			for _, side := range []struct {
				on   string
				code string
				may  bool
			}{{"2025-03-31", tc.before, tc.mayB}, {"2025-04-01", tc.from, tc.mayF}} {
				may, r := c.MayOperate(*day(side.on))
				if may != side.may || r.Code != side.code || r.Text == "" || r.Detail == "" {
					t.Errorf("%s, decided %s, on %s: %v %+v, want %v %s", tc.name, decided, side.on, may, r, side.may, side.code)
				}
				err := c.LawOn(*day(side.on))
				if (err == nil) != side.may || (err != nil && (ErrorCode(err) != ECONFLICT || ErrorField(err) != r.Field || r.Field == "")) {
					t.Errorf("%s, decided %s, on %s: LawOn = %v (reason %+v)", tc.name, decided, side.on, err, r)
				}
			}
		}
	}
	// The day in Sweden decides: 2025-03-31T22:30Z is already 1 April in Stockholm.
	shop := camera(CameraActive, "2024-05-01", kind(OperatorShop))
	if may, r := shop.MayOperate(SwedishDay(mustTime("2025-03-31T22:30:00Z"))); may || r.Code != OperateNoWeighing {
		t.Errorf("a shop on 1 April in Sweden: %v %+v", may, r)
	}
	if may, _ := shop.MayOperate(SwedishDay(mustTime("2025-03-31T21:30:00Z"))); !may {
		t.Error("a shop on 31 March in Sweden needs nothing")
	}
	// The register's own conditions come on top of the law.
	for _, tc := range []struct {
		cam  Camera
		code string
	}{
		{camera(CameraDecommissioned, "2025-06-01", weighing), OperateDecommissioned},
		{camera(CameraActive, "", weighing), OperateNoDecision},
		{camera(CameraAssessed, "2025-06-01", weighing), OperateNotApproved},
		{camera(CameraProposed, "2025-06-01", nil), OperateNoWeighing},
	} {
		if may, r := tc.cam.MayOperate(*day("2026-06-02")); may || r.Code != tc.code {
			t.Errorf("%s: %v %+v, want %s", tc.cam.State, may, r, tc.code)
		}
	}
	for _, s := range []string{CameraApproved, CameraInstalled, CameraActive} {
		c := camera(s, "2025-06-01", weighing)
		if may, r := c.MayOperate(*day("2026-06-02")); !may || r.Code != OperateWeighing {
			t.Errorf("%s: %v %+v", s, may, r)
		}
	}
}

func TestCameraLifecycle(t *testing.T) {
	today := *day("2026-06-02")
	before := *day("2025-03-31") // a clock set to the last day of the permit requirement
	permit := func(c *Camera) { c.PermitRef = "DI-2024-1234"; c.PermitExpires = day("2027-12-31") }
	weighing := func(c *Camera) { c.WeighingRef = "KS 2025/88 intresseavvägning"; c.DPIARef = "KS 2025/89" }
	expired := func(c *Camera) { c.PermitRef = "DI-2024-1234"; c.PermitExpires = day("2026-06-01") }
	for _, tc := range []struct {
		name  string
		cam   Camera
		to    string
		on    Date
		field string // "" allowed
	}{
		{"propose → assess", camera(CameraProposed, "", nil), CameraAssessed, today, ""},
		{"skip to approved", camera(CameraProposed, "", nil), CameraApproved, today, "to"},
		{"approve without decision", camera(CameraAssessed, "", weighing), CameraApproved, today, "decision_on"},
		// The 2024 camera whose permit expired 2026-06-01: today's rules decide.
		{"2024 expired permit, weighing and DPIA: approve today", camera(CameraAssessed, "2024-03-01", func(c *Camera) { expired(c); weighing(c) }),
			CameraApproved, today, ""},
		{"2024 expired permit, weighing and DPIA: install today", camera(CameraApproved, "2024-03-01", func(c *Camera) { expired(c); weighing(c) }),
			CameraInstalled, today, ""},
		{"2024 expired permit, weighing and DPIA: activate today", camera(CameraInstalled, "2024-03-01", func(c *Camera) { expired(c); weighing(c) }),
			CameraActive, today, ""},
		{"2024 expired permit only: approve today", camera(CameraAssessed, "2024-03-01", expired), CameraApproved, today, "weighing_ref"},
		{"2024 valid permit only: approve today", camera(CameraAssessed, "2024-03-01", permit), CameraApproved, today, "weighing_ref"},
		// The decision of 2025-01-15 without a permit: approved for operation from today.
		{"2025-01-15 no permit, weighing and DPIA: approve today", camera(CameraAssessed, "2025-01-15", weighing), CameraApproved, today, ""},
		{"2025-01-15 no permit, weighing and DPIA: activate today", camera(CameraInstalled, "2025-01-15", weighing), CameraActive, today, ""},
		{"2025-01-15 no permit, no DPIA", camera(CameraAssessed, "2025-01-15", func(c *Camera) { c.WeighingRef = "x" }), CameraApproved, today, "dpia_ref"},
		// With the clock on 2025-03-31, the permit rules of that day.
		{"on 03-31: no permit", camera(CameraAssessed, "2025-01-15", weighing), CameraApproved, before, "permit_ref"},
		{"on 03-31: permit", camera(CameraAssessed, "2025-01-15", permit), CameraApproved, before, ""},
		{"on 03-31: expired permit", camera(CameraInstalled, "2024-03-01", func(c *Camera) {
			permit(c)
			c.PermitExpires = day("2025-03-30")
		}), CameraActive, before, "permit_expires_on"},
		{"on 03-31: a shop needs no permit", camera(CameraAssessed, "2025-01-15", func(c *Camera) { c.OperatorKind = OperatorShop }),
			CameraApproved, before, ""},
		{"on 03-31: police exempt", camera(CameraInstalled, "2025-01-15", func(c *Camera) { c.OperatorKind = OperatorPolice }),
			CameraActive, before, ""},
		{"on 04-01: a shop needs weighing", camera(CameraAssessed, "2025-01-15", func(c *Camera) { c.OperatorKind = OperatorShop }),
			CameraApproved, *day("2025-04-01"), "weighing_ref"},
		{"on 04-01: a permit is no weighing", camera(CameraAssessed, "2025-01-15", permit), CameraApproved, *day("2025-04-01"), "weighing_ref"},
		{"pause", camera(CameraActive, "2025-04-01", weighing), CameraInstalled, today, ""},
		{"pause without approval", camera(CameraActive, "2024-01-01", nil), CameraInstalled, today, ""},
		{"active back to proposed", camera(CameraActive, "2025-04-01", weighing), CameraProposed, today, "to"},
		{"decommission", camera(CameraActive, "2025-04-01", weighing), CameraDecommissioned, today, ""},
		{"decommission a proposal", camera(CameraProposed, "", nil), CameraDecommissioned, today, ""},
		{"after decommissioned", camera(CameraDecommissioned, "2025-04-01", weighing), CameraActive, today, "to"},
		{"same state", camera(CameraAssessed, "", nil), CameraAssessed, today, "to"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cam.Validate(); err != nil {
				t.Fatalf("invalid camera: %v", err)
			}
			err := tc.cam.CanTransition(tc.to, nil, tc.on)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("allowed, want a refusal on %s", tc.field)
			}
			if ErrorCode(err) != ECONFLICT || ErrorField(err) != tc.field {
				t.Errorf("%v: want conflict on %s", err, tc.field)
			}
		})
	}
	c := camera(CameraProposed, "", nil)
	if err := c.CanTransition("paused", nil, today); ErrorCode(err) != EINVALID {
		t.Errorf("unknown state: %v", err)
	}
}

func TestCameraOutdoorsOnly(t *testing.T) {
	today := *day("2026-06-01")
	weighing := func(c *Camera) { c.WeighingRef = "avvägning"; c.DPIARef = "KS 2025/89" }
	outdoors := []Commitment{{ID: "c1", ActivityKind: KindCameraSurveillance, OutdoorsOnly: true,
		Text: "Utökad kamerabevakning vid resecentrum, endast utomhus"}}
	plain := []Commitment{{ID: "c2", ActivityKind: KindCameraSurveillance, Text: "Kamerabevakning vid skolan"}}
	// Refused at approval, at install and at activation; not when assessed or decommissioned.
	for _, step := range []struct{ from, to string }{{CameraAssessed, CameraApproved}, {CameraApproved, CameraInstalled},
		{CameraInstalled, CameraActive}} {
		indoor := camera(step.from, "2025-06-01", func(c *Camera) { weighing(c); c.Indoor = true })
		err := indoor.CanTransition(step.to, outdoors, today)
		if ErrorCode(err) != ECONFLICT || ErrorField(err) != "indoor" || !strings.Contains(err.Error(), "endast utomhus") {
			t.Errorf("indoor camera under an outdoors-only commitment to %s: %v", step.to, err)
		}
		if err := indoor.CanTransition(step.to, plain, today); err != nil {
			t.Errorf("indoor camera without the rule to %s: %v", step.to, err)
		}
		if err := indoor.CanTransition(step.to, append(plain, outdoors...), today); ErrorField(err) != "indoor" {
			t.Errorf("one outdoors-only commitment among several to %s: %v", step.to, err)
		}
		outdoor := camera(step.from, "2025-06-01", weighing)
		if err := outdoor.CanTransition(step.to, outdoors, today); err != nil {
			t.Errorf("outdoor camera to %s: %v", step.to, err)
		}
	}
	proposed := camera(CameraProposed, "", func(c *Camera) { c.Indoor = true })
	if err := proposed.CanTransition(CameraAssessed, outdoors, today); err != nil {
		t.Errorf("assess: %v", err)
	}
	if err := proposed.CanTransition(CameraDecommissioned, outdoors, today); err != nil {
		t.Errorf("decommission: %v", err)
	}
}

func TestCameraAttention(t *testing.T) {
	today := *day("2026-06-01")
	before := *day("2025-02-01")
	reasons := func(c Camera, on Date) []string {
		var out []string
		for _, a := range c.Attention(on) {
			out = append(out, a.Reason)
		}
		return out
	}
	signed := day("2026-01-10")
	weighing := func(c *Camera) { c.WeighingRef = "avvägning"; c.DPIARef = "KS 2025/89"; c.SignageChecked = signed }
	ran := func(from, until string) func(*Camera) {
		return func(c *Camera) {
			c.OperatedFrom = day(from)
			if until != "" {
				c.OperatedUntil = day(until)
			}
		}
	}
	all := func(fs ...func(*Camera)) func(*Camera) {
		return func(c *Camera) {
			for _, f := range fs {
				f(c)
			}
		}
	}
	for _, tc := range []struct {
		name string
		cam  Camera
		on   Date
		want []string
	}{
		{"nothing", camera(CameraActive, "2025-04-01", func(c *Camera) { weighing(c); c.ReviewOn = day("2026-09-01") }), today, nil},
		// The permit matters only while it was required.
		{"permit in 60 days, before 2025-04-01", camera(CameraActive, "2024-01-01", func(c *Camera) {
			c.SignageChecked = signed
			c.PermitRef, c.PermitExpires = "DI-1", day("2025-03-30")
		}), *day("2025-01-29"), []string{AttentionPermitExpiring}},
		{"permit in 61 days, before 2025-04-01", camera(CameraActive, "2024-01-01", func(c *Camera) {
			c.SignageChecked = signed
			c.PermitRef, c.PermitExpires = "DI-1", day("2025-03-30")
		}), *day("2025-01-28"), nil},
		{"permit expiring after the requirement ends", camera(CameraActive, "2024-01-01", func(c *Camera) {
			c.SignageChecked = signed
			c.PermitRef, c.PermitExpires = "DI-1", day("2025-03-31")
		}), before, nil},
		{"permit expired, weighing today", camera(CameraActive, "2024-01-01", func(c *Camera) { weighing(c); c.PermitExpires = day("2026-05-01") }), today, nil},
		{"a shop's permit date", camera(CameraActive, "2024-01-01", func(c *Camera) {
			c.SignageChecked = signed
			c.OperatorKind, c.PermitExpires = OperatorShop, day("2025-02-10")
		}), before, nil},
		// May not operate today.
		{"active with a permit only, today", camera(CameraActive, "2024-01-01", func(c *Camera) {
			c.SignageChecked = signed
			c.PermitRef, c.PermitExpires = "DI-1", day("2026-05-01")
		}), today, []string{AttentionMayNotOperate}},
		{"installed with a permit only, today", camera(CameraInstalled, "2024-01-01", func(c *Camera) {
			c.SignageChecked = signed
			c.PermitRef = "DI-1"
		}), today, nil},
		// Past violations: filmed before 2025-04-01 without the permit it needed.
		{"filmed without permit before", camera(CameraActive, "2024-01-01", all(weighing, ran("2024-06-01", ""))), today,
			[]string{AttentionPastViolation}},
		{"filmed from 2025-04-01", camera(CameraActive, "2024-01-01", all(weighing, ran("2025-04-01", ""))), today, nil},
		{"filmed 2025-03-31", camera(CameraActive, "2024-01-01", all(weighing, ran("2025-03-31", ""))), today, []string{AttentionPastViolation}},
		{"a shop filmed without permit", camera(CameraActive, "2024-01-01", all(weighing, ran("2024-06-01", ""),
			func(c *Camera) { c.OperatorKind = OperatorShop })), today, nil},
		{"the police filmed without permit", camera(CameraActive, "2024-01-01", all(weighing, ran("2024-06-01", ""),
			func(c *Camera) { c.OperatorKind = OperatorPolice })), today, nil},
		{"filmed with a valid permit", camera(CameraActive, "2024-01-01", all(weighing, ran("2024-06-01", ""),
			func(c *Camera) { c.PermitRef, c.PermitExpires = "DI-1", day("2025-03-31") })), today, nil},
		{"filmed after the permit expired", camera(CameraActive, "2024-01-01", all(weighing, ran("2024-06-01", ""),
			func(c *Camera) { c.PermitRef, c.PermitExpires = "DI-1", day("2025-03-30") })), today, []string{AttentionPastViolation}},
		{"stopped before the permit expired", camera(CameraDecommissioned, "2024-01-01", all(ran("2024-06-01", "2024-12-31"),
			func(c *Camera) { c.PermitRef, c.PermitExpires = "DI-1", day("2025-01-31") })), today, nil},
		{"decommissioned, filmed without permit", camera(CameraDecommissioned, "2024-01-01", ran("2024-06-01", "2024-12-31")), today,
			[]string{AttentionPastViolation}},
		{"review due today", camera(CameraActive, "2025-04-01", func(c *Camera) { weighing(c); c.ReviewOn = day("2026-06-01") }), today, nil},
		{"review overdue", camera(CameraActive, "2025-04-01", func(c *Camera) { weighing(c); c.ReviewOn = day("2026-05-31") }), today,
			[]string{AttentionReviewOverdue}},
		{"signs never checked", camera(CameraInstalled, "2025-04-01", nil), today, []string{AttentionSignageNever}},
		{"signs of a proposal", camera(CameraProposed, "", nil), today, nil},
		{"decommissioned", camera(CameraDecommissioned, "2024-01-01", func(c *Camera) { c.PermitExpires = day("2026-06-02") }), today, nil},
	} {
		if got := reasons(tc.cam, tc.on); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	// The past violation names its first day.
	c := camera(CameraActive, "2024-01-01", func(c *Camera) {
		weighing(c)
		c.OperatedFrom, c.PermitRef, c.PermitExpires = day("2024-06-01"), "DI-1", day("2025-01-31")
	})
	if v := c.PastViolation(); v == nil || v.Due.Format(time.DateOnly) != "2025-02-01" || !strings.Contains(v.Detail, "2025-03-31") {
		t.Errorf("past violation: %+v", v)
	}
	c.PermitRef, c.PermitExpires = "", nil
	if v := c.PastViolation(); v == nil || v.Due.Format(time.DateOnly) != "2024-06-01" {
		t.Errorf("past violation: %+v", v)
	}
	// May not operate: the code says why.
	active := camera(CameraActive, "2024-01-01", func(c *Camera) { c.SignageChecked = signed; c.WeighingRef = "x" })
	if a := active.Attention(today); len(a) != 1 || a[0].Code != OperateNoDPIA {
		t.Errorf("attention: %+v", a)
	}
}

func TestCameraValidate(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	ok := camera(CameraProposed, "", func(c *Camera) { c.Bearing, c.FOV, c.RangeM = f(350), f(40), f(60) })
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field string
		mod   func(*Camera)
	}{
		{"bearing", func(c *Camera) { c.Bearing, c.FOV, c.RangeM = f(361), f(40), f(60) }},
		{"bearing", func(c *Camera) { c.Bearing = f(10) }},
		{"fov", func(c *Camera) { c.Bearing, c.FOV, c.RangeM = f(10), f(0), f(60) }},
		{"range_m", func(c *Camera) { c.Bearing, c.FOV, c.RangeM = f(10), f(40), f(5000) }},
		{"operator_kind", func(c *Camera) { c.OperatorKind = "nsa" }},
		{"place_type", func(c *Camera) { c.PlaceType = "moon" }},
		{"retention_days", func(c *Camera) { c.RetentionDays = -1 }},
		{"state", func(c *Camera) { c.State = "on" }},
		{"operated_until", func(c *Camera) { c.OperatedUntil = day("2025-01-01") }},
		{"operated_until", func(c *Camera) { c.OperatedFrom, c.OperatedUntil = day("2025-01-02"), day("2025-01-01") }},
		{"operated_from", func(c *Camera) { c.OperatedFrom = day("1999-12-31") }},
		{"view", func(c *Camera) { c.ViewDrawn = true }},
	} {
		c := camera(CameraProposed, "", tc.mod)
		if err := c.Validate(); ErrorField(err) != tc.field {
			t.Errorf("want %s refused: %v", tc.field, err)
		}
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
