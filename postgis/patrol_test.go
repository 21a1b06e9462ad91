package postgis_test

import (
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// TestPatrolPlanStore: a plan saved by Vara's police is read back with its stops, is
// invisible to Varberg's staff, shows in the staff patrol-targets tile (bumping its
// version) and not in the public's, and its visit is recorded once and counted in the
// dose.
func TestPatrolPlanStore(t *testing.T) {
	t.Parallel()
	f := newStaffFixture(t, false)
	police := f.as(t, trygg.RolePolice, "lpo-vastra-skaraborg")
	berg := f.as(t, trygg.RoleAdmin, "kommun-1383")
	now := time.Now().Truncate(time.Second)
	square := orb.Polygon{{{13.10, 58.26}, {13.102, 58.26}, {13.102, 58.261}, {13.10, 58.261}, {13.10, 58.26}}}
	plan := &postgis.PatrolPlan{Municipality: "1470", ShiftStart: now.Add(-3 * time.Hour), ShiftEnd: now.Add(time.Hour),
		Start: orb.Point{13.09, 58.255}, Params: []byte(`{"stops":1}`), Seed: 99, Notes: []string{"en anteckning"}, RouteM: 812.5,
		Stops: []postgis.PatrolStop{{Seq: 1, TargetKey: "cell:hex:200:5:7", Name: "Torget", Polygon: square,
			Point: orb.Point{13.101, 58.2605}, Hotspot: []byte(`{"rank":1}`),
			PlannedArrival: now.Add(-2 * time.Hour), PlannedDeparture: now.Add(-2*time.Hour + 15*time.Minute)}}}
	if err := f.app.SavePatrolPlan(police, plan); err != nil {
		t.Fatal(err)
	}
	got, err := f.app.PatrolPlan(police, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Stops) != 1 || got.Stops[0].Name != "Torget" || !got.Stops[0].PlannedArrival.Equal(plan.Stops[0].PlannedArrival) ||
		got.Seed != 99 || got.RouteM != 812.5 || got.Start != plan.Start || len(got.Stops[0].Polygon) != 1 {
		t.Fatalf("read back: %+v", got)
	}
	if _, err := f.app.PatrolPlan(berg, plan.ID); trygg.ErrorCode(err) != trygg.ENOTFOUND {
		t.Errorf("Varberg's admin reads Vara's plan: %v", err)
	}
	if err := f.app.SavePatrolPlan(berg, &postgis.PatrolPlan{Municipality: "1470", ShiftStart: now, ShiftEnd: now.Add(time.Hour),
		Start: plan.Start, Params: []byte(`{}`), Seed: 1}); trygg.ErrorCode(err) != trygg.EFORBIDDEN {
		t.Errorf("Varberg's admin plans in Vara: %v", err)
	}
	refs, err := f.app.PatrolStopsBetween(police, "1470", now.Add(-4*time.Hour), now)
	if err != nil || len(refs) != 1 || refs[0].TargetKey != "cell:hex:200:5:7" || refs[0].X < 300000 || refs[0].Y < 6400000 {
		t.Errorf("stops between: %+v %v", refs, err)
	}

	// Tiles: staff see the stop, the public does not.
	const z = 14
	n := math.Exp2(z)
	lat := 58.2605 * math.Pi / 180
	q := postgis.TileQuery{Layer: postgis.TilePatrolTargets, Z: z, X: int((13.101 + 180) / 360 * n),
		Y: int((1 - math.Log(math.Tan(lat)+1/math.Cos(lat))/math.Pi) / 2 * n), Staff: true}
	mvt, err := f.app.Tile(police, q)
	if err != nil || len(mvt) == 0 {
		t.Errorf("staff patrol-targets tile: %d bytes, %v", len(mvt), err)
	}
	q.Staff = false
	if mvt, err := f.app.Tile(police, q); err != nil || len(mvt) != 0 {
		t.Errorf("public patrol-targets tile: %d bytes, %v", len(mvt), err)
	}
	if n := f.count(t, `SELECT count(*) FROM tile_version WHERE layer = 'patrol-targets' AND municipality_code = '1470'`); n != 1 {
		t.Errorf("tile versions of patrol-targets: %d", n)
	}

	// The visit, once; the dose.
	arrived, departed := now.Add(-2*time.Hour+3*time.Minute), now.Add(-2*time.Hour+21*time.Minute)
	st, err := f.app.RecordPatrolVisit(police, plan.ID, 1, arrived, departed, "")
	if err != nil || st.ArrivedAt == nil || !st.ArrivedAt.Equal(arrived) {
		t.Fatalf("visit: %+v %v", st, err)
	}
	if _, err := f.app.RecordPatrolVisit(police, plan.ID, 1, arrived, departed, ""); trygg.ErrorCode(err) != trygg.ECONFLICT {
		t.Errorf("second visit: %v", err)
	}
	if _, err := f.app.RecordPatrolVisit(police, plan.ID, 2, arrived, departed, ""); trygg.ErrorCode(err) != trygg.ENOTFOUND {
		t.Errorf("visit of stop 2: %v", err)
	}
	if _, err := f.app.RecordPatrolVisit(berg, plan.ID, 1, arrived, departed, ""); trygg.ErrorCode(err) != trygg.ENOTFOUND {
		t.Errorf("Varberg records a visit: %v", err)
	}
	doses, err := f.app.PatrolDoses(police, "1470", 4, now)
	if err != nil || len(doses) != 1 || doses[0].Minutes != 18 || doses[0].MinutesPerWeek != 4.5 || doses[0].Visits != 1 ||
		doses[0].Name != "Torget" || len(doses[0].Weeks) != 4 || doses[0].Weeks[3].Minutes+doses[0].Weeks[2].Minutes != 18 {
		t.Errorf("doses: %+v %v", doses, err)
	}
	if doses, err := f.app.PatrolDoses(berg, "1470", 4, now); err != nil || len(doses) != 0 {
		t.Errorf("Varberg's doses of Vara: %+v %v", doses, err)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE entity = 'patrol_plan' AND entity_id = '`+plan.ID+`'`); n != 2 {
		t.Errorf("audit entries: %d, want create and visit", n)
	}
}
