package postgis_test

import (
	"context"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// achieved is each commitment's achieved count and work in the follow-up, by id.
func achieved(t *testing.T, ctx context.Context, db *postgis.DB, promiseID string, public bool) map[string]postgis.CommitmentFollowup {
	t.Helper()
	fu, err := db.Followup(ctx, promiseID, public)
	if err != nil {
		t.Fatalf("Followup: %v", err)
	}
	out := map[string]postgis.CommitmentFollowup{}
	for _, c := range fu.Commitments {
		out[c.ID] = c
	}
	return out
}

// Walks marked done, dialogues held, cameras in service and actions done count toward
// the commitments they name, in the follow-up's one view; the public sees the same
// counts without links; ids of another municipality's commitments are refused.
func TestFollowupCountsWork(t *testing.T) {
	f := newStaffFixture(t, false)
	ctx := f.as(t, trygg.RolePlanner, "kommun-1470")
	now := time.Now()
	today := trygg.Today(now)
	p := newPromise(t, ctx, f.app, trygg.Promise{Municipality: "1470",
		PeriodStart: trygg.Date{Time: today.AddDate(0, -2, 0)}, PeriodEnd: trygg.Date{Time: today.AddDate(0, 10, 0)},
		Commitments: []trygg.Commitment{
			{Party: trygg.PartyJoint, ActivityKind: trygg.KindSafetyWalk, Text: "Trygghetsvandringar.", Target: n(3)},
			{Party: trygg.PartyMunicipality, ActivityKind: trygg.KindCameraSurveillance, Text: "Kameror vid resecentrum.", Target: n(2)},
			{Party: trygg.PartyMunicipality, ActivityKind: trygg.KindLighting, Text: "Åtgärda belysningen.", Target: n(2)},
			{Party: trygg.PartyJoint, ActivityKind: trygg.KindDialogueMeeting, Text: "Medborgardialoger.", Target: n(2)},
			{Party: trygg.PartyJoint, ActivityKind: trygg.KindNeighbourhoodWatch, Text: "Erbjuda grannsamverkan."},
		}})
	walkC, camC, actC, dlgC, yesNo := p.Commitments[0].ID, p.Commitments[1].ID, p.Commitments[2].ID, p.Commitments[3].ID, p.Commitments[4].ID
	other := newPromise(t, f.as(t, trygg.RolePlanner, "kommun-1383"), f.app, trygg.Promise{Municipality: "1383",
		PeriodStart: p.PeriodStart, PeriodEnd: p.PeriodEnd,
		Commitments: []trygg.Commitment{{Party: trygg.PartyJoint, ActivityKind: trygg.KindSafetyWalk, Text: "Varbergs vandringar.", Target: n(2)}}})
	otherC := other.Commitments[0].ID
	count := func(id string) int { return achieved(t, ctx, f.app, p.ID, false)[id].Progress.Achieved }

	// A walk counts once it is marked done, on its day.
	yesterday := now.Add(-24 * time.Hour)
	w, err := f.app.CreateWalk(ctx, trygg.Walk{Municipality: "1470", Title: "Vandring i centrum", StartsAt: &yesterday,
		Status: trygg.WalkPlanned, CommitmentIDs: []string{walkC}})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.CommitmentIDs) != 1 || w.CommitmentIDs[0] != walkC {
		t.Fatalf("walk links %v", w.CommitmentIDs)
	}
	if got := count(walkC); got != 0 {
		t.Errorf("a planned walk counts %d", got)
	}
	w.Status, w.CommitmentIDs = trygg.WalkDone, nil // nil keeps the links
	if w, err = f.app.UpdateWalk(ctx, w); err != nil {
		t.Fatal(err)
	}
	if got := count(walkC); got != 1 {
		t.Errorf("a done walk counts %d, want 1", got)
	}
	_, err = f.app.CreateWalk(ctx, trygg.Walk{Municipality: "1470", Title: "Fel", Status: trygg.WalkDone, CommitmentIDs: []string{otherC}})
	staffWantCode(t, "walk naming Varberg's commitment", err, trygg.EINVALID, "commitment_ids")
	w.CommitmentIDs = []string{"not-a-uuid"}
	_, err = f.app.UpdateWalk(ctx, w)
	staffWantCode(t, "walk naming no commitment", err, trygg.EINVALID, "commitment_ids[0]")

	// A camera counts while in service (installed or active) within the period.
	cam := testCamera("Resecentrum perrong")
	cam.DecisionOn = cameraDay("2025-06-01")
	cam.WeighingRef, cam.DPIARef = "KS 2025/88", "KS 2025/89"
	cam.CommitmentIDs = []string{camC}
	c, err := f.app.CreateCamera(ctx, cam)
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{trygg.CameraAssessed, trygg.CameraApproved} {
		if c, err = f.app.TransitionCamera(ctx, c.ID, to, today); err != nil {
			t.Fatalf("to %s: %v", to, err)
		}
	}
	if got := count(camC); got != 0 {
		t.Errorf("an approved camera counts %d", got)
	}
	if c, err = f.app.TransitionCamera(ctx, c.ID, trygg.CameraInstalled, today); err != nil {
		t.Fatal(err)
	}
	if got := count(camC); got != 1 {
		t.Errorf("an installed camera counts %d, want 1", got)
	}
	if c, err = f.app.TransitionCamera(ctx, c.ID, trygg.CameraActive, today); err != nil {
		t.Fatal(err)
	}
	if got := count(camC); got != 1 {
		t.Errorf("an active camera counts %d, want 1", got)
	}
	// A commitment whose period ended before the camera went into service does not
	// count it; decommissioned, it still counted within the current period.
	old := newPromise(t, ctx, f.app, trygg.Promise{Municipality: "1470",
		PeriodStart: trygg.Date{Time: today.AddDate(-2, 0, 0)}, PeriodEnd: trygg.Date{Time: today.AddDate(-1, 0, 0)},
		Commitments: []trygg.Commitment{{Party: trygg.PartyMunicipality, ActivityKind: trygg.KindCameraSurveillance,
			Text: "Kameror förr.", Target: n(1)}}})
	c.CommitmentIDs = []string{camC, old.Commitments[0].ID}
	if c, err = f.app.UpdateCamera(ctx, c, today); err != nil {
		t.Fatal(err)
	}
	if got := achieved(t, ctx, f.app, old.ID, false)[old.Commitments[0].ID].Progress; got.Achieved != 0 || got.Status != trygg.ProgressNotMet {
		t.Errorf("a camera in service after the period: %+v, want 0 and not-met", got)
	}
	if c, err = f.app.TransitionCamera(ctx, c.ID, trygg.CameraDecommissioned, today); err != nil {
		t.Fatal(err)
	}
	if got := count(camC); got != 1 {
		t.Errorf("a camera decommissioned today counts %d within the period, want 1", got)
	}
	bad := testCamera("Fel kommun")
	bad.CommitmentIDs = []string{otherC}
	_, err = f.app.CreateCamera(ctx, bad)
	staffWantCode(t, "camera naming Varberg's commitment", err, trygg.EINVALID, "commitment_ids")

	// An action counts when done.
	a, err := f.app.CreateAction(ctx, trygg.Action{WalkID: w.ID, Description: "Byt armaturer längs stråket.",
		OwnerText: "Gatuenheten", CommitmentIDs: []string{actC}})
	if err != nil {
		t.Fatal(err)
	}
	if got := count(actC); got != 0 {
		t.Errorf("an open action counts %d", got)
	}
	if a, err = f.app.UpdateAction(ctx, a.ID, postgis.ActionUpdate{Status: ptr(trygg.ActionDone), Feedback: ptr("Nya lampor uppsatta.")}); err != nil {
		t.Fatal(err)
	}
	if got := count(actC); got != 1 || len(a.CommitmentIDs) != 1 {
		t.Errorf("a done action counts %d (links %v), want 1", got, a.CommitmentIDs)
	}
	_, err = f.app.UpdateAction(ctx, a.ID, postgis.ActionUpdate{CommitmentIDs: &[]string{otherC}})
	staffWantCode(t, "action naming Varberg's commitment", err, trygg.EINVALID, "commitment_ids")

	// A dialogue counts once held.
	past, future := trygg.Date{Time: today.AddDate(0, 0, -3)}, trygg.Date{Time: today.AddDate(0, 0, 7)}
	if _, err := f.app.CreateDialogue(ctx, trygg.Dialogue{Municipality: "1470", Title: "Dialog på torget", HeldOn: past,
		CommitmentIDs: []string{dlgC}}); err != nil {
		t.Fatal(err)
	}
	d2, err := f.app.CreateDialogue(ctx, trygg.Dialogue{Municipality: "1470", Title: "Dialog i skolan", HeldOn: future,
		CommitmentIDs: []string{dlgC}})
	if err != nil {
		t.Fatal(err)
	}
	if got := count(dlgC); got != 1 {
		t.Errorf("dialogues count %d, want 1 (one held, one ahead)", got)
	}
	if _, err := f.app.UpdateDialogue(ctx, d2.ID, postgis.DialogueUpdate{HeldOn: &past}); err != nil {
		t.Fatal(err)
	}
	if got := count(dlgC); got != 2 {
		t.Errorf("dialogues count %d, want 2 once both are held", got)
	}
	_, err = f.app.UpdateDialogue(ctx, d2.ID, postgis.DialogueUpdate{CommitmentIDs: &[]string{otherC}})
	staffWantCode(t, "dialogue naming Varberg's commitment", err, trygg.EINVALID, "commitment_ids")

	// Staff see each piece of work with a link; met once the target is reached.
	staff := achieved(t, ctx, f.app, p.ID, false)
	if ws := staff[walkC].Work; len(ws) != 1 || ws[0].Kind != trygg.WorkWalk || ws[0].ID != w.ID || ws[0].Link != "/api/v1/walks/"+w.ID {
		t.Errorf("walk work %+v", ws)
	}
	if ws := staff[camC].Work; len(ws) != 1 || ws[0].Kind != trygg.WorkCamera || ws[0].Title != "Resecentrum perrong" ||
		ws[0].Date != today || ws[0].Until == nil || *ws[0].Until != today {
		t.Errorf("camera work %+v", ws)
	}
	if st := staff[dlgC].Progress.Status; st != trygg.ProgressMet {
		t.Errorf("dialogues 2 of 2: %s, want met", st)
	}

	// A yes/no commitment is not done without work or a reason; with linked work it is.
	_, err = f.app.SetCommitmentDone(ctx, yesNo, true)
	staffWantCode(t, "done without work", err, trygg.ECONFLICT, "done_reason")
	if _, err := f.app.CreateAction(ctx, trygg.Action{WalkID: w.ID, Description: "Bjud in till grannsamverkan.",
		OwnerText: "Polisen", Status: trygg.ActionDone, CommitmentIDs: []string{yesNo}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.SetCommitmentDone(ctx, yesNo, true); err != nil {
		t.Fatalf("done with a done action: %v", err)
	}

	// The public sees the same counts, titles without staff text, and no links.
	if _, err := f.app.UpdatePromise(ctx, p.ID, postgis.PromiseUpdate{Published: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	pub := achieved(t, context.Background(), f.app, p.ID, true)
	for id, want := range map[string]int{walkC: 1, camC: 1, actC: 1, dlgC: 2} {
		if got := pub[id].Progress.Achieved; got != want || len(pub[id].Work) != want {
			t.Errorf("public %s: %d (%d pieces), want %d", pub[id].Text, got, len(pub[id].Work), want)
		}
		for _, wk := range pub[id].Work {
			if wk.Link != "" {
				t.Errorf("the public sees link %q", wk.Link)
			}
		}
	}
	if wk := pub[actC].Work[0]; wk.Title != "Nya lampor uppsatta." {
		t.Errorf("the public sees action title %q, want its feedback", wk.Title)
	}
	if st := pub[yesNo].Progress.Status; st != trygg.ProgressDone {
		t.Errorf("public yes/no status %s", st)
	}
	// Varberg's planner sees none of it.
	if _, err := f.app.Followup(f.as(t, trygg.RolePlanner, "kommun-1383"), p.ID, false); trygg.ErrorCode(err) != trygg.ENOTFOUND {
		t.Errorf("Varberg reads Vara's follow-up: %v", err)
	}
}

// Activities are corrected and deleted, audited, only within the caller's municipality.
func TestActivityUpdateDelete(t *testing.T) {
	f := newStaffFixture(t, false)
	ctx := f.as(t, trygg.RolePlanner, "kommun-1470")
	varberg := f.as(t, trygg.RolePlanner, "kommun-1383")
	today := trygg.Today(time.Now())
	p := newPromise(t, ctx, f.app, trygg.Promise{Municipality: "1470",
		PeriodStart: trygg.Date{Time: today.AddDate(0, -1, 0)}, PeriodEnd: trygg.Date{Time: today.AddDate(0, 6, 0)},
		Commitments: []trygg.Commitment{
			{Party: trygg.PartyPolice, ActivityKind: trygg.KindTrafficControl, Text: "Trafikkontroller.", Target: n(40)},
			{Party: trygg.PartyPolice, ActivityKind: trygg.KindFootPatrol, Text: "Fotpatrull.", Target: n(10)}}})
	traffic, patrol := p.Commitments[0].ID, p.Commitments[1].ID
	a := addActivity(t, ctx, f.app, trygg.Activity{StartsAt: time.Now().Add(-48 * time.Hour), CommitmentIDs: []string{traffic}})
	if a.Count != 1 {
		t.Errorf("a new activity counts %d, want 1", a.Count)
	}

	out, err := f.app.UpdateActivity(ctx, a.ID, postgis.ActivityUpdate{Count: ptr(5), Notes: ptr("Veckans kontroller."),
		Kind: ptr(trygg.KindFootPatrol), CommitmentIDs: &[]string{patrol}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Count != 5 || out.Kind != trygg.KindFootPatrol || len(out.CommitmentIDs) != 1 || out.CommitmentIDs[0] != patrol {
		t.Errorf("updated %+v", out)
	}
	got := achieved(t, ctx, f.app, p.ID, false)
	if got[traffic].Progress.Achieved != 0 || got[patrol].Progress.Achieved != 5 {
		t.Errorf("achieved %d and %d, want 0 and 5", got[traffic].Progress.Achieved, got[patrol].Progress.Achieved)
	}
	_, err = f.app.UpdateActivity(ctx, a.ID, postgis.ActivityUpdate{Kind: ptr("grannsamverkan")})
	staffWantCode(t, "bad kind", err, trygg.EINVALID, "kind")
	_, err = f.app.UpdateActivity(ctx, a.ID, postgis.ActivityUpdate{Count: ptr(0)})
	staffWantCode(t, "count 0", err, trygg.EINVALID, "count")

	// Another municipality's planner neither changes nor deletes it, nor learns it exists.
	_, err = f.app.UpdateActivity(varberg, a.ID, postgis.ActivityUpdate{Notes: ptr("x")})
	staffWantCode(t, "Varberg updates", err, trygg.ENOTFOUND, "id")
	staffWantCode(t, "Varberg deletes", f.app.DeleteActivity(varberg, a.ID), trygg.ENOTFOUND, "id")
	staffWantCode(t, "no one deletes", f.app.DeleteActivity(context.Background(), a.ID), trygg.ENOTFOUND, "id")

	if err := f.app.DeleteActivity(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Activity(ctx, a.ID); trygg.ErrorCode(err) != trygg.ENOTFOUND {
		t.Errorf("deleted activity reads %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE entity = 'activity' AND entity_id = $1
		AND action IN ('activity.update', 'activity.delete') AND actor_id IS NOT NULL`, a.ID); n != 2 {
		t.Errorf("%d audit entries for the update and delete, want 2", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE entity_id = $1 AND action = 'activity.delete'
		AND before->>'notes' = 'Veckans kontroller.' AND after IS NULL`, a.ID); n != 1 {
		t.Errorf("the delete's audit entry does not keep the activity (%d)", n)
	}
}

// A commitment's text, kind, target, places and done (with a reason) change by one
// update, audited.
func TestUpdateCommitment(t *testing.T) {
	f := newStaffFixture(t, false)
	ctx := f.as(t, trygg.RolePlanner, "kommun-1470")
	today := trygg.Today(time.Now())
	p := newPromise(t, ctx, f.app, trygg.Promise{Municipality: "1470",
		PeriodStart: trygg.Date{Time: today.AddDate(0, -1, 0)}, PeriodEnd: trygg.Date{Time: today.AddDate(0, 6, 0)},
		Commitments: []trygg.Commitment{{Party: trygg.PartyPolice, ActivityKind: trygg.KindFootPatrol, Text: "Fotpatrull.", Target: n(10)}}})
	id := p.Commitments[0].ID
	places := []trygg.CommitmentPlace{{Name: "Stora torget", Geometry: varaOrigin}}
	c, err := f.app.UpdateCommitment(ctx, id, postgis.CommitmentUpdate{Text: ptr("Fotpatrull vid VEST-platserna."),
		ActivityKind: ptr(trygg.KindNeighbourhoodWatch), SetTarget: true, Target: n(12), Places: &places})
	if err != nil {
		t.Fatal(err)
	}
	if c.Text != "Fotpatrull vid VEST-platserna." || c.ActivityKind != trygg.KindNeighbourhoodWatch || c.Target == nil ||
		*c.Target != 12 || len(c.Places) != 1 || c.Places[0].Name != "Stora torget" {
		t.Errorf("updated %+v", c)
	}
	// A gazetteer entry of the municipality names a place: its name and point are copied.
	for i, m := range []string{"1470", "1383"} {
		f.exec(t, `INSERT INTO gazetteer (kind, name, municipality_code, geom, shape, source, source_id)
			SELECT 'stop', $1, $2, g, ST_Transform(g, 3006), 'test', $3 FROM ST_SetSRID(ST_MakePoint($4, $5), 4326) g`,
			[]string{"Vara resecentrum", "Varbergs station"}[i], m, m, []float64{12.9493, 12.2502}[i], []float64{58.2625, 57.1057}[i])
	}
	vara := int64(f.count(t, `SELECT id FROM gazetteer WHERE source = 'test' AND source_id = '1470'`))
	varberg := int64(f.count(t, `SELECT id FROM gazetteer WHERE source = 'test' AND source_id = '1383'`))
	gz := []trygg.CommitmentPlace{{GazetteerID: vara}}
	if c, err = f.app.UpdateCommitment(ctx, id, postgis.CommitmentUpdate{Places: &gz}); err != nil {
		t.Fatal(err)
	}
	if pl := c.Places; len(pl) != 1 || pl[0].Name != "Vara resecentrum" || pl[0].GazetteerID != vara || pl[0].Geometry == nil {
		t.Errorf("gazetteer place %+v", pl)
	}
	gz = []trygg.CommitmentPlace{{GazetteerID: varberg}}
	_, err = f.app.UpdateCommitment(ctx, id, postgis.CommitmentUpdate{Places: &gz})
	staffWantCode(t, "Varberg's gazetteer entry", err, trygg.EINVALID, "places[0].gazetteer_id")

	// Without a target it is yes/no: done needs work or a reason.
	_, err = f.app.UpdateCommitment(ctx, id, postgis.CommitmentUpdate{SetTarget: true, Done: ptr(true)})
	staffWantCode(t, "done without a reason", err, trygg.ECONFLICT, "done_reason")
	if c, err = f.app.UpdateCommitment(ctx, id, postgis.CommitmentUpdate{SetTarget: true, Done: ptr(true),
		DoneReason: ptr("Erbjudandet gick ut till alla hushåll.")}); err != nil {
		t.Fatal(err)
	}
	if !c.Done || c.Target != nil || c.DoneReason == "" {
		t.Errorf("done %+v", c)
	}
	_, err = f.app.UpdateCommitment(ctx, id, postgis.CommitmentUpdate{ActivityKind: ptr("grannsamverkan")})
	staffWantCode(t, "bad kind", err, trygg.EINVALID, "activity_kind")
	_, err = f.app.UpdateCommitment(f.as(t, trygg.RolePlanner, "kommun-1383"), id, postgis.CommitmentUpdate{Text: ptr("x")})
	staffWantCode(t, "Varberg updates", err, trygg.ENOTFOUND, "id")
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'commitment.update' AND entity_id = $1`, id); n != 3 {
		t.Errorf("%d audit entries, want 3", n)
	}
}

// The staff view of counted work keeps the caller's scope for every role but those that
// bypass row-level security anyway: a role that is a member of trygg_app under another
// name sees nothing without a scope, where the owner sees the demo's work.
func TestCommitmentWorkScopedForMemberRoles(t *testing.T) {
	f := newStaffFixture(t, false)
	ctx := context.Background()
	var all int
	if err := f.sql.QueryRow(ctx, `SELECT count(*) FROM commitment_work`).Scan(&all); err != nil {
		t.Fatal(err)
	}
	if all == 0 {
		t.Fatal("the owner sees no counted work in the demo")
	}
	tx, err := f.sql.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var seen int
	if _, err := tx.Exec(ctx, `CREATE ROLE trygg_member_check IN ROLE trygg_app; SET LOCAL ROLE trygg_member_check`); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM commitment_work`).Scan(&seen); err != nil {
		t.Fatal(err)
	}
	if seen != 0 {
		t.Errorf("a member role of trygg_app without a scope sees %d of %d rows of counted work, want 0", seen, all)
	}
}
