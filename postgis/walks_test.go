package postgis_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// Places in Vara (1470) and Varberg (1383).
var (
	varaRoute = orb.LineString{{13.100, 58.260}, {13.102, 58.261}, {13.105, 58.2615}, {13.107, 58.262}}
	varaArea  = orb.Polygon{{{13.09, 58.25}, {13.12, 58.25}, {13.12, 58.27}, {13.09, 58.27}, {13.09, 58.25}}}
	varaPlace = orb.Point{13.1, 58.26}
	bergPlace = orb.Point{12.42, 57.17}
)

func newWalk(t *testing.T, ctx context.Context, db *postgis.DB, w trygg.Walk) trygg.Walk {
	t.Helper()
	if w.Title == "" {
		w.Title = "Trygghetsvandring i centrum"
	}
	if w.Municipality == "" {
		w.Municipality = "1470"
	}
	out, err := db.CreateWalk(ctx, w)
	if err != nil {
		t.Fatalf("CreateWalk: %v", err)
	}
	return out
}

func observation(place orb.Geometry, category string) trygg.Report {
	precision := trygg.PrecisionExact
	if _, ok := place.(orb.Polygon); ok {
		precision = trygg.PrecisionArea
	}
	return trygg.Report{Location: place, Category: category, Feeling: 2, When: []string{"evening"},
		Description: "Mörk passage", Precision: precision}
}

func TestWalkRouteRoundTrip(t *testing.T) {
	f := newStaffFixture(t, false)
	ctx := f.as(t, trygg.RolePlanner, "kommun-1470")
	start := time.Date(2026, 10, 1, 17, 30, 0, 0, time.UTC)
	times := []time.Time{start, start.Add(90*time.Second + 123*time.Millisecond), start.Add(4 * time.Minute),
		start.Add(7*time.Minute + 999*time.Millisecond)}

	geometryType := func(id string) string {
		var typ *string
		if err := f.sql.QueryRow(context.Background(), `SELECT GeometryType(route) FROM walk WHERE id = $1`, id).Scan(&typ); err != nil {
			t.Fatal(err)
		}
		if typ == nil {
			return "NULL"
		}
		return *typ
	}

	t.Run("without times", func(t *testing.T) {
		w := newWalk(t, ctx, f.app, trygg.Walk{Route: varaRoute, Area: varaArea})
		if got := geometryType(w.ID); got != "LINESTRING" {
			t.Errorf("stored route is %s, want LINESTRING", got)
		}
		got, err := f.app.Walk(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !orb.Equal(got.Route, varaRoute) || got.RouteTimes != nil {
			t.Errorf("route %v times %v, want %v and no times", got.Route, got.RouteTimes, varaRoute)
		}
		if !orb.Equal(got.Area, varaArea) {
			t.Errorf("area %v, want %v", got.Area, varaArea)
		}
	})

	t.Run("with times", func(t *testing.T) {
		w := newWalk(t, ctx, f.app, trygg.Walk{Route: varaRoute, RouteTimes: times, Dark: new(true), Status: trygg.WalkDone})
		if got := geometryType(w.ID); got != "LINESTRINGM" {
			t.Errorf("stored route is %s, want LINESTRINGM", got)
		}
		rows, err := f.sql.Query(context.Background(),
			`SELECT ST_X(dp.geom), ST_M(dp.geom) FROM walk, ST_DumpPoints(route) dp WHERE id = $1 ORDER BY dp.path`, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		var xs, ms []float64
		for rows.Next() {
			var x, m float64
			if err := rows.Scan(&x, &m); err != nil {
				t.Fatal(err)
			}
			xs, ms = append(xs, x), append(ms, m)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(ms) != len(times) {
			t.Fatalf("%d points in the database, want %d", len(ms), len(times))
		}
		for i, m := range ms {
			if want := float64(times[i].UnixMilli()) / 1000; m != want || xs[i] != varaRoute[i][0] {
				t.Errorf("point %d: x %v M %v, want x %v M %v (Unix seconds)", i, xs[i], m, varaRoute[i][0], want)
			}
		}
		got, err := f.app.Walk(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !orb.Equal(got.Route, varaRoute) {
			t.Errorf("route %v, want %v", got.Route, varaRoute)
		}
		if !slices.EqualFunc(got.RouteTimes, times, time.Time.Equal) {
			t.Errorf("times %v, want %v", got.RouteTimes, times)
		}

		// Updating without times stores a plain LINESTRING; without a route, none.
		got.RouteTimes = nil
		if _, err := f.app.UpdateWalk(ctx, got); err != nil {
			t.Fatal(err)
		}
		if typ := geometryType(w.ID); typ != "LINESTRING" {
			t.Errorf("after dropping the times the route is %s, want LINESTRING", typ)
		}
		got.Route = nil
		if _, err := f.app.UpdateWalk(ctx, got); err != nil {
			t.Fatal(err)
		}
		if typ := geometryType(w.ID); typ != "NULL" {
			t.Errorf("after dropping the route it is %s, want NULL", typ)
		}
	})

	t.Run("other municipality", func(t *testing.T) {
		w := newWalk(t, ctx, f.app, trygg.Walk{Route: varaRoute})
		berg := f.as(t, trygg.RolePlanner, "kommun-1383")
		_, err := f.app.Walk(berg, w.ID)
		staffWantCode(t, "Walk by Varberg", err, trygg.ENOTFOUND, "")
		w.Title = "kapad"
		_, err = f.app.UpdateWalk(berg, w)
		staffWantCode(t, "UpdateWalk by Varberg", err, trygg.ENOTFOUND, "")
		ws, err := f.app.Walks(berg, "")
		if err != nil || len(ws) != 0 {
			t.Errorf("Varberg lists %d walks (%v), want none", len(ws), err)
		}
		_, err = f.app.CreateWalk(berg, trygg.Walk{Municipality: "1470", Title: "x"})
		staffWantCode(t, "CreateWalk in Vara by Varberg", err, trygg.EFORBIDDEN, "municipality")
	})
}

func TestObservationsAllOrNothing(t *testing.T) {
	f := newStaffFixture(t, false)
	ctx := f.as(t, trygg.RolePlanner, "kommun-1470")
	w := newWalk(t, ctx, f.app, trygg.Walk{Route: varaRoute})
	safe := orb.Polygon{{{13.1, 58.26}, {13.101, 58.26}, {13.101, 58.2605}, {13.1, 58.2605}, {13.1, 58.26}}}

	ids, rejected, err := f.app.AddObservations(ctx, w.ID, []trygg.Report{
		observation(varaPlace, "belysning"), observation(bergPlace, "klotter"), observation(safe, "trygg-plats")})
	if err != nil {
		t.Fatal(err)
	}
	if ids != nil || len(rejected) != 1 || rejected[0].Index != 1 {
		t.Fatalf("ids %v rejected %+v, want none stored and index 1 refused", ids, rejected)
	}
	if n := f.count(t, `SELECT count(*) FROM report WHERE walk_id = $1`, w.ID); n != 0 {
		t.Errorf("%d observations stored after a refusal, want 0", n)
	}

	ids, rejected, err = f.app.AddObservations(ctx, w.ID, []trygg.Report{
		observation(varaPlace, "belysning"), observation(safe, "trygg-plats")})
	if err != nil || len(rejected) > 0 || len(ids) != 2 {
		t.Fatalf("ids %v rejected %+v err %v, want two stored", ids, rejected, err)
	}
	if n := f.count(t, `SELECT count(*) FROM report WHERE walk_id = $1 AND source = 'walk' AND status = 'published'
		AND municipality_code = '1470'`, w.ID); n != 2 {
		t.Errorf("%d published walk observations, want 2", n)
	}
	rs, err := f.app.Observations(ctx, w.ID)
	if err != nil || len(rs) != 2 {
		t.Fatalf("Observations: %d, %v; want 2", len(rs), err)
	}
	if !slices.ContainsFunc(rs, func(r trygg.Report) bool { return r.Category == "trygg-plats" && r.Precision == "area" }) {
		t.Errorf("the safe place is missing: %+v", rs)
	}
	if _, err := f.app.PublicReport(context.Background(), ids[1]); err != nil {
		t.Errorf("an observation is not public: %v", err)
	}
	es, err := f.app.AuditLog(ctx, trygg.AuditFilter{Entity: "walk", EntityID: w.ID})
	if err != nil || len(es) != 2 || es[0].Action != "walk.add_observations" || es[1].Action != "walk.create" {
		t.Errorf("audit of the walk: %+v, %v; want walk.add_observations after walk.create", es, err)
	}

	berg := f.as(t, trygg.RolePlanner, "kommun-1383")
	_, _, err = f.app.AddObservations(berg, w.ID, []trygg.Report{observation(varaPlace, "klotter")})
	staffWantCode(t, "AddObservations by Varberg", err, trygg.ENOTFOUND, "")
	if rs, err := f.app.Observations(berg, w.ID); err != nil || len(rs) != 0 {
		t.Errorf("Varberg sees %d observations (%v), want none", len(rs), err)
	}
	if rs, err := f.app.Observations(ctx, "not-a-uuid"); err != nil || len(rs) != 0 {
		t.Errorf("Observations(not-a-uuid): %v, %v; want nothing", rs, err)
	}
}

func date(days int) *trygg.Date {
	d := time.Now().AddDate(0, 0, days)
	return &trygg.Date{Time: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)}
}

func actionIDs(as []trygg.Action) []string {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.Description
	}
	slices.Sort(ids)
	return ids
}

func TestActions(t *testing.T) {
	f := newStaffFixture(t, false)
	ctx := f.as(t, trygg.RolePlanner, "kommun-1470")
	berg := f.as(t, trygg.RolePlanner, "kommun-1383")
	w := newWalk(t, ctx, f.app, trygg.Walk{Route: varaRoute})
	obs, _, err := f.app.AddObservations(ctx, w.ID, []trygg.Report{observation(varaPlace, "belysning")})
	if err != nil {
		t.Fatal(err)
	}
	bergWalk := newWalk(t, berg, f.app, trygg.Walk{Municipality: "1383"})

	create := func(a trygg.Action) trygg.Action {
		t.Helper()
		out, err := f.app.CreateAction(ctx, a)
		if err != nil {
			t.Fatalf("CreateAction %q: %v", a.Description, err)
		}
		return out
	}

	// An action on an observation belongs to its walk and municipality.
	lamp := create(trygg.Action{ReportID: obs[0], Description: "lamp", OwnerOrg: "kommun-1470", DueOn: date(-3)})
	if lamp.Municipality != "1470" || lamp.WalkID != w.ID || lamp.Status != trygg.ActionOpen || lamp.DoneAt != nil {
		t.Errorf("created %+v, want municipality 1470, walk %s, open", lamp, w.ID)
	}
	if got, err := f.app.Action(ctx, lamp.ID); err != nil || got.DueOn == nil || !got.DueOn.Equal(date(-3).Time) {
		t.Errorf("Action: %+v, %v; want due %v", got, err, date(-3))
	}
	create(trygg.Action{WalkID: w.ID, Description: "bushes", OwnerText: "Fastighetsägaren", DueOn: date(-3), Status: trygg.ActionInProgress})
	create(trygg.Action{WalkID: w.ID, Description: "done", OwnerText: "Trafikverket", DueOn: date(-3), Status: trygg.ActionDone})
	create(trygg.Action{WalkID: w.ID, Description: "rejected", OwnerText: "Trafikverket", DueOn: date(-3), Status: trygg.ActionRejected})
	create(trygg.Action{WalkID: w.ID, Description: "later", OwnerOrg: "lpo-vastra-skaraborg", DueOn: date(3)})
	create(trygg.Action{WalkID: w.ID, Description: "undated", OwnerOrg: "kommun-1470"})

	list := func(ctx context.Context, f2 postgis.ActionFilter) []string {
		t.Helper()
		as, err := f.app.Actions(ctx, f2)
		if err != nil {
			t.Fatalf("Actions(%+v): %v", f2, err)
		}
		return actionIDs(as)
	}
	for _, tc := range []struct {
		name   string
		filter postgis.ActionFilter
		want   []string
	}{
		{"all", postgis.ActionFilter{}, []string{"bushes", "done", "lamp", "later", "rejected", "undated"}},
		{"overdue", postgis.ActionFilter{Overdue: true}, []string{"bushes", "lamp"}},
		{"done", postgis.ActionFilter{Statuses: []string{"done"}}, []string{"done"}},
		{"open or rejected", postgis.ActionFilter{Statuses: []string{"open", "rejected"}}, []string{"lamp", "later", "rejected", "undated"}},
		{"of the observation", postgis.ActionFilter{ReportID: obs[0]}, []string{"lamp"}},
		{"of the walk", postgis.ActionFilter{WalkID: w.ID, Overdue: true}, []string{"bushes", "lamp"}},
		{"of Vara", postgis.ActionFilter{Municipality: "1470", Limit: 2}, []string{"bushes", "lamp"}},
		{"of Varberg", postgis.ActionFilter{Municipality: "1383"}, []string{}},
		{"malformed walk", postgis.ActionFilter{WalkID: "x"}, []string{}},
	} {
		if got := list(ctx, tc.filter); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := list(berg, postgis.ActionFilter{}); len(got) != 0 {
		t.Errorf("Varberg sees Vara's actions %v", got)
	}

	// Refusals: what the caller cannot see is not found, a bad owner is invalid.
	for _, tc := range []struct {
		name        string
		ctx         context.Context
		a           trygg.Action
		code, field string
	}{
		{"unknown organisation", ctx, trygg.Action{WalkID: w.ID, Description: "x", OwnerOrg: "kommun-9999"}, trygg.EINVALID, "owner_org"},
		{"no owner", ctx, trygg.Action{WalkID: w.ID, Description: "x"}, trygg.EINVALID, "owner"},
		{"no origin", ctx, trygg.Action{Description: "x", OwnerText: "x"}, trygg.EINVALID, "report_id"},
		{"bad status", ctx, trygg.Action{WalkID: w.ID, Description: "x", OwnerText: "x", Status: "klar"}, trygg.EINVALID, "status"},
		{"Vara's observation by Varberg", berg, trygg.Action{ReportID: obs[0], Description: "x", OwnerText: "x"}, trygg.ENOTFOUND, "report_id"},
		{"Vara's walk by Varberg", berg, trygg.Action{WalkID: w.ID, Description: "x", OwnerText: "x"}, trygg.ENOTFOUND, "walk_id"},
		{"Varberg's walk by Vara", ctx, trygg.Action{WalkID: bergWalk.ID, Description: "x", OwnerText: "x"}, trygg.ENOTFOUND, "walk_id"},
		{"malformed report", ctx, trygg.Action{ReportID: "x", Description: "x", OwnerText: "x"}, trygg.ENOTFOUND, "report_id"},
		{"observation of another walk", ctx, trygg.Action{ReportID: obs[0], WalkID: newWalk(t, ctx, f.app, trygg.Walk{}).ID,
			Description: "x", OwnerText: "x"}, trygg.EINVALID, "walk_id"},
	} {
		_, err := f.app.CreateAction(tc.ctx, tc.a)
		staffWantCode(t, tc.name, err, tc.code, tc.field)
	}
	_, err = f.app.Action(berg, lamp.ID)
	staffWantCode(t, "Action by Varberg", err, trygg.ENOTFOUND, "")
	_, err = f.app.UpdateAction(berg, lamp.ID, postgis.ActionUpdate{Feedback: new("kapad")})
	staffWantCode(t, "UpdateAction by Varberg", err, trygg.ENOTFOUND, "")

	// Updates: done sets done_at, leaving done clears it; a zero date clears the due date.
	lamp2, err := f.app.UpdateAction(ctx, lamp.ID, postgis.ActionUpdate{Status: new(trygg.ActionInProgress),
		Feedback: new("Ny armatur är beställd."), DueOn: date(10)})
	if err != nil || lamp2.Status != trygg.ActionInProgress || lamp2.DoneAt != nil || !lamp2.DueOn.Equal(date(10).Time) {
		t.Fatalf("in progress: %+v, %v", lamp2, err)
	}
	if got := list(ctx, postgis.ActionFilter{Overdue: true}); !slices.Equal(got, []string{"bushes"}) {
		t.Errorf("overdue after a new due date: %v, want [bushes]", got)
	}
	lamp3, err := f.app.UpdateAction(ctx, lamp.ID, postgis.ActionUpdate{Status: new(trygg.ActionDone),
		Feedback: new("Lampan är lagad."), DueOn: &trygg.Date{}})
	if err != nil || lamp3.DoneAt == nil || lamp3.DueOn != nil || lamp3.Feedback != "Lampan är lagad." {
		t.Fatalf("done: %+v, %v; want done_at set and no due date", lamp3, err)
	}
	lamp4, err := f.app.UpdateAction(ctx, lamp.ID, postgis.ActionUpdate{Description: new("lamp")})
	if err != nil || lamp4.DoneAt == nil || !lamp4.DoneAt.Equal(*lamp3.DoneAt) {
		t.Errorf("done_at moved on an edit: %v then %v (%v)", lamp3.DoneAt, lamp4.DoneAt, err)
	}
	_, err = f.app.UpdateAction(ctx, lamp.ID, postgis.ActionUpdate{OwnerOrg: new("polisen")})
	staffWantCode(t, "UpdateAction to an unknown organisation", err, trygg.EINVALID, "owner_org")
	_, err = f.app.UpdateAction(ctx, lamp.ID, postgis.ActionUpdate{OwnerOrg: new("")})
	staffWantCode(t, "UpdateAction without an owner", err, trygg.EINVALID, "owner")
	_, err = f.app.UpdateAction(ctx, lamp.ID, postgis.ActionUpdate{Status: new("klar")})
	staffWantCode(t, "UpdateAction to an unknown status", err, trygg.EINVALID, "status")
	lamp5, err := f.app.UpdateAction(ctx, lamp.ID, postgis.ActionUpdate{Status: new(trygg.ActionOpen)})
	if err != nil || lamp5.DoneAt != nil {
		t.Errorf("reopened: done_at %v (%v), want none", lamp5.DoneAt, err)
	}

	// The public report shows the latest action's status and feedback.
	pub, err := f.app.PublicReport(context.Background(), obs[0])
	if err != nil || pub.Action == nil || pub.Action.Status != trygg.ActionOpen || pub.Action.Feedback != "Lampan är lagad." {
		t.Errorf("public report's action: %+v, %v", pub.Action, err)
	}

	// The audit log has the creation and each update with the action before and after.
	es, err := f.app.AuditLog(ctx, trygg.AuditFilter{Entity: "action", EntityID: lamp.ID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range es {
		actions = append(actions, e.Action)
		if !slices.Equal(e.Municipalities, []string{"1470"}) || e.ActorID != f.user(t, trygg.RolePlanner, "kommun-1470").ID {
			t.Errorf("audit entry %+v: want municipality 1470 and the planner", e)
		}
	}
	if want := []string{"action.update", "action.update", "action.update", "action.update", "action.create"}; !slices.Equal(actions, want) {
		t.Fatalf("audit actions %v, want %v", actions, want)
	}
	var before, after struct {
		Status   string  `json:"status"`
		Feedback string  `json:"feedback"`
		DueOn    *string `json:"due_on"`
	}
	if err := json.Unmarshal(es[2].Before.(json.RawMessage), &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(es[2].After.(json.RawMessage), &after); err != nil {
		t.Fatal(err)
	}
	if before.Status != "in_progress" || after.Status != "done" || after.Feedback != "Lampan är lagad." || after.DueOn != nil {
		t.Errorf("audit of done: before %+v after %+v", before, after)
	}
	if es[4].Before != nil || es[4].After == nil {
		t.Errorf("audit of create: before %v after %v, want only after", es[4].Before, es[4].After)
	}
}
