package postgis_test

import (
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// TestDocumentsRowLevelSecurity: the lägesbild's counts and the åtgärdsplan run under
// row-level security, so a caller who does not serve the municipality counts nothing of
// it even if a handler forgot its check.
func TestDocumentsRowLevelSecurity(t *testing.T) {
	f := newStaffFixture(t, false)
	vara := f.as(t, trygg.RolePlanner, "kommun-1470")
	lidkoping := f.as(t, trygg.RolePlanner, "kommun-1494")
	w := newWalk(t, vara, f.app, trygg.Walk{Route: varaRoute, Area: varaArea})
	if _, err := f.app.CreateAction(vara, trygg.Action{WalkID: w.ID, Description: "Klipp häcken", OwnerText: "Gatuavdelningen",
		Status: trygg.ActionOpen}); err != nil {
		t.Fatal(err)
	}
	today := trygg.Today(time.Now())
	p := postgis.Period{From: trygg.Date{Time: today.AddDate(-1, 0, 1)}, To: today}
	mine, err := f.app.LagesbildCounts(vara, "1470", p)
	if err != nil {
		t.Fatal(err)
	}
	if mine.Actions.Created != 1 || mine.Actions.Open != 1 || mine.Walks.Walks != 1 {
		t.Errorf("Vara's own counts: actions %+v, walks %+v; want 1 action, 1 walk", mine.Actions, mine.Walks)
	}
	theirs, err := f.app.LagesbildCounts(lidkoping, "1470", p)
	if err != nil {
		t.Fatal(err)
	}
	if theirs.Actions.Created != 0 || theirs.Actions.Open != 0 || theirs.Walks.Walks != 0 {
		t.Errorf("Lidköping's planner counts Vara's: actions %+v, walks %+v", theirs.Actions, theirs.Walks)
	}
	plan, err := f.app.Atgardsplan(lidkoping, "1470", today)
	if err != nil || len(plan) != 0 {
		t.Errorf("Lidköping's planner reads Vara's plan: %v %v", plan, err)
	}
	plan, err = f.app.Atgardsplan(vara, "1470", today)
	if err != nil || len(plan) != 1 || plan[0].Target != "Vandring: "+w.Title || plan[0].Owner != "Gatuavdelningen" {
		t.Errorf("Vara's plan %+v %v", plan, err)
	}
}
