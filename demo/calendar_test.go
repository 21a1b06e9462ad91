package demo_test

import (
	"context"
	"testing"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// Vetlanda's eight campaigns against risk dates (2020–2021) fall in the days before the
// risk dates the calendar computes, and reach every risk date the promise names.
func TestDemoRiskCampaigns(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.Open(t)
	ctx := context.Background()
	if err := demo.Load(ctx, db, nil); err != nil {
		t.Fatal(err)
	}
	fu, err := db.Followup(ctx, demo.DemoID("vetlanda"), true)
	if err != nil {
		t.Fatal(err)
	}
	var campaigns []trygg.RiskDateCoverage
	var acts []trygg.Activity
	for _, c := range fu.Commitments {
		if c.RiskDates != nil {
			if campaigns != nil {
				t.Fatal("two risk-date commitments in Vetlanda")
			}
			campaigns, acts = c.RiskDates, c.Activities
		}
	}
	if len(acts) != 8 {
		t.Fatalf("%d campaign activities, want 8", len(acts))
	}
	cal := append(trygg.Calendar(2020, nil), trygg.Calendar(2021, nil)...)
	for _, a := range acts {
		day := trygg.Today(a.StartsAt)
		ok := false
		for _, c := range cal {
			lead := trygg.Date{Time: c.Date.AddDate(0, 0, -demo.RiskCampaignLead)}
			ok = ok || (c.Kind == trygg.CalendarRisk && day.Equal(lead.Time))
		}
		if !ok {
			t.Errorf("campaign on %s is not %d days before a risk date", day.Format("2006-01-02"), demo.RiskCampaignLead)
		}
	}
	covered := map[string]int{}
	counted := map[string]bool{}
	for _, r := range campaigns {
		if r.Covered {
			covered[r.Key]++
		}
		for _, id := range r.Activities {
			counted[id] = true
		}
	}
	for _, k := range []string{"valborg", trygg.RiskStudent, trygg.RiskSchoolEnd, "midsommar", "jul", "nyar"} {
		if covered[k] != 2 {
			t.Errorf("%s covered in %d of 2 years", k, covered[k])
		}
	}
	if covered["lucia"]+covered["halloween"] != 0 {
		t.Errorf("lucia or halloween covered: %v", covered)
	}
	if len(counted) != 8 {
		t.Errorf("%d of 8 campaigns count for a risk date", len(counted))
	}
}
