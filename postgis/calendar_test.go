package postgis_test

import (
	"context"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
)

func TestFollowupRiskDates(t *testing.T) {
	f := newStaffFixture(t, false)
	ctx := f.as(t, trygg.RolePlanner, "kommun-1470")
	p := newPromise(t, ctx, f.app, trygg.Promise{PeriodStart: pdate(t, "2025-01-01"), PeriodEnd: pdate(t, "2025-12-31"),
		Status: trygg.PromiseEnded, Published: true, Commitments: []trygg.Commitment{
			{Party: trygg.PartyMunicipality, ActivityKind: trygg.KindInformation,
				Text: "Informationsinsatser mot langning kring risktillfällen: skolavslutning, valborg och midsommar."},
			{Party: trygg.PartyPolice, ActivityKind: trygg.KindTrafficControl, Text: "Sex trafikkontroller.", Target: n(6)},
		}})
	campaign, traffic := p.Commitments[0].ID, p.Commitments[1].ID
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, trygg.SwedishTime)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	inf := func(s string, cids ...string) trygg.Activity {
		return addActivity(t, ctx, f.app, trygg.Activity{Kind: trygg.KindInformation, Party: trygg.PartyMunicipality,
			StartsAt: at(s), CommitmentIDs: cids})
	}
	valborg := inf("2025-04-27 09:00", campaign) // after påsklov (21–25 April)
	school := inf("2025-05-30 09:00", campaign)  // 3 days before studentdagar, 14 before skolavslutning
	midsummer := inf("2025-06-20 23:30", campaign, traffic)
	inf("2025-10-31 00:30", traffic) // halloween, but not the campaign's

	status := func(t *testing.T, public bool) map[string]trygg.RiskDateCoverage {
		t.Helper()
		c := ctx
		if public {
			c = context.Background()
		}
		fu, err := f.app.Followup(c, p.ID, public)
		if err != nil {
			t.Fatal(err)
		}
		if fu.Commitments[1].RiskDates != nil {
			t.Errorf("the traffic commitment has risk dates: %v", fu.Commitments[1].RiskDates)
		}
		out := map[string]trygg.RiskDateCoverage{}
		for _, r := range fu.Commitments[0].RiskDates {
			if r.Date.Year() != 2025 {
				t.Errorf("%s is outside the period", r.CalendarDate)
			}
			out[r.Key] = r
		}
		return out
	}
	for _, public := range []bool{false, true} {
		got := status(t, public)
		want := map[string]string{"pasklov": "missed", "valborg": "covered", "student": "covered", "skolavslutning": "covered",
			"midsommar": "covered", "halloween": "missed", "lucia": "missed", "jul": "missed", "nyar": "missed"}
		if len(got) != len(want) {
			t.Errorf("public %v: %d risk dates, want %d: %v", public, len(got), len(want), got)
		}
		for k, v := range want {
			if got[k].Status != v {
				t.Errorf("public %v: %s is %q, want %q", public, k, got[k].Status, v)
			}
		}
		if ids := got["valborg"].Activities; len(ids) != 1 || ids[0] != valborg.ID {
			t.Errorf("valborg activities %v, want %s", ids, valborg.ID)
		}
		if ids := got["midsommar"].Activities; len(ids) != 1 || ids[0] != midsummer.ID {
			t.Errorf("midsommar activities %v, want %s", ids, midsummer.ID)
		}
		if ids := got["skolavslutning"].Activities; len(ids) != 1 || ids[0] != school.ID {
			t.Errorf("skolavslutning activities %v, want %s", ids, school.ID)
		}
	}

	// Vara's own skolavslutning in 2025 is later: the campaign of 30 May is too early for it.
	if _, err := f.app.SetLocalRiskDates(ctx, "1470", 2025, []trygg.LocalDate{
		{Key: trygg.RiskSchoolEnd, From: pdate(t, "2025-06-17"), To: pdate(t, "2025-06-17")}}); err != nil {
		t.Fatal(err)
	}
	got := status(t, true)
	if s := got["skolavslutning"]; s.Status != "missed" || s.Source != "municipality" || s.Date.Format(time.DateOnly) != "2025-06-17" {
		t.Errorf("skolavslutning after Vara's own date: %+v", s)
	}
	if got["student"].Status != "covered" {
		t.Errorf("student: %+v", got["student"])
	}

	// Another municipality's planner may not set Vara's dates, and row-level security agrees.
	berg := f.as(t, trygg.RolePlanner, "kommun-0685")
	if _, err := f.app.SetLocalRiskDates(berg, "1470", 2025, nil); trygg.ErrorCode(err) != trygg.EFORBIDDEN {
		t.Errorf("Vetlanda's planner on Vara: %v, want forbidden", err)
	}
	if n := f.count(t, `SELECT count(*) FROM risk_date_local WHERE municipality_code = '1470'`); n != 1 {
		t.Errorf("%d local dates, want 1", n)
	}
	conn := f.appConn(t, "0685", "")
	tag, err := conn.Exec(context.Background(), `DELETE FROM risk_date_local`)
	if err != nil || tag.RowsAffected() != 0 {
		t.Errorf("Vetlanda's scope deleted %d of Vara's rows (%v)", tag.RowsAffected(), err)
	}
	if _, err := conn.Exec(context.Background(), `INSERT INTO risk_date_local (municipality_code, year, key, starts_on, ends_on)
		VALUES ('1470', 2024, 'student', '2024-06-03', '2024-06-05')`); err == nil {
		t.Error("Vetlanda's scope inserted a date for Vara")
	}
	// The public calendar reads them without a scope.
	cal, err := f.app.Calendar(context.Background(), "1470", 2025)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cal {
		if c.Key == trygg.RiskSchoolEnd && c.Date.Format(time.DateOnly) != "2025-06-17" {
			t.Errorf("public calendar: %s", c)
		}
	}
	if _, err := f.app.Calendar(context.Background(), "9999", 2025); trygg.ErrorCode(err) != trygg.ENOTFOUND {
		t.Errorf("unknown municipality: %v", err)
	}
}
