package postgis_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
)

func pdate(t *testing.T, s string) trygg.Date {
	t.Helper()
	d, err := trygg.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func newPromise(t *testing.T, ctx context.Context, db *postgis.DB, p trygg.Promise) trygg.Promise {
	t.Helper()
	if p.Municipality == "" {
		p.Municipality = "1470"
	}
	if p.Title == "" {
		p.Title = "Medborgarlöfte"
	}
	if p.Status == "" {
		p.Status = trygg.PromiseActive
	}
	out, err := db.CreatePromise(ctx, p)
	if err != nil {
		t.Fatalf("CreatePromise: %v", err)
	}
	return out
}

func addActivity(t *testing.T, ctx context.Context, db *postgis.DB, a trygg.Activity) trygg.Activity {
	t.Helper()
	if a.Kind == "" {
		a.Kind = trygg.KindTrafficControl
	}
	if a.Party == "" {
		a.Party = trygg.PartyPolice
	}
	if err := db.AddActivity(ctx, &a); err != nil {
		t.Fatalf("AddActivity: %v", err)
	}
	return a
}

func n(v int) *int { return &v }

func TestPromiseCreateAndRead(t *testing.T) {
	f := newStaffFixture(t, false)
	ctx := f.as(t, trygg.RolePlanner, "kommun-1470")
	place := postgis.Place{Municipality: "1470", Name: "Resecentrum öst",
		Polygon: orb.Polygon{{{12.948, 58.262}, {12.951, 58.262}, {12.951, 58.263}, {12.948, 58.263}, {12.948, 58.262}}}}
	if err := f.app.CreatePlace(ctx, &place); err != nil {
		t.Fatal(err)
	}
	signed := pdate(t, "2026-02-01")
	p := newPromise(t, ctx, f.app, trygg.Promise{Title: "Medborgarlöfte Vara 2026", PoliceAreas: []string{"lpo-vastra-skaraborg"},
		OtherParties: []string{"Räddningstjänsten"}, PeriodStart: pdate(t, "2026-01-01"), PeriodEnd: pdate(t, "2026-12-31"),
		SignedOn: &signed, Signatories: []trygg.Signatory{{Name: "Anna Andersson", Title: "Kommunalråd", Organisation: "Vara kommun"}},
		FocusAreas: []string{trygg.FocusTraffic, trygg.FocusUnsafePlaces}, Summary: "Vi lovar", Situation: "Lägesbild",
		Commitments: []trygg.Commitment{
			{Party: trygg.PartyPolice, FocusArea: trygg.FocusTraffic, ActivityKind: trygg.KindTrafficControl,
				Text: "Minst femton trafikkontroller.", Target: n(15)},
			{Party: trygg.PartyMunicipality, FocusArea: trygg.FocusUnsafePlaces, ActivityKind: trygg.KindCameraSurveillance,
				Text: "Kameror vid Resecentrum, endast utomhus.", OutdoorsOnly: true,
				Places: []trygg.CommitmentPlace{{Name: "Resecentrum", PlaceID: place.ID},
					{Name: "Skolan", Geometry: orb.Point{12.9635, 58.2585}}}},
		}})
	if len(p.Commitments) != 2 || p.Commitments[0].Position != 1 || p.Commitments[1].Position != 2 {
		t.Fatalf("commitments %+v", p.Commitments)
	}
	cam := p.Commitments[1]
	if !cam.OutdoorsOnly || len(cam.Places) != 2 || cam.Places[0].PlaceID != place.ID || cam.Places[1].Geometry == nil ||
		cam.Municipality != "1470" || cam.PromiseID != p.ID {
		t.Errorf("camera commitment %+v", cam)
	}
	got, err := f.app.Promise(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.SignedOn == nil || got.SignedOn.Format(time.DateOnly) != "2026-02-01" || got.PeriodEnd.Format(time.DateOnly) != "2026-12-31" ||
		len(got.Signatories) != 1 || got.Signatories[0].Name != "Anna Andersson" || !slices.Equal(got.OtherParties, []string{"Räddningstjänsten"}) {
		t.Errorf("promise read back %+v", got)
	}
	c, err := f.app.Commitment(ctx, cam.ID)
	if err != nil || !c.OutdoorsOnly || len(c.Places) != 2 {
		t.Errorf("Commitment = %+v, %v", c, err)
	}

	// A commitment added later goes last.
	c3, err := f.app.AddCommitment(ctx, p.ID, trygg.Commitment{Party: trygg.PartyJoint, ActivityKind: trygg.KindSafetyWalk,
		Text: "Tätortsvandringar med uppföljning."})
	if err != nil || c3.Position != 3 {
		t.Errorf("AddCommitment = %+v, %v", c3, err)
	}

	// Refusals name their field.
	_, err = f.app.CreatePromise(ctx, trygg.Promise{Municipality: "1470", Title: "x", PoliceAreas: []string{"lpo-varberg"},
		PeriodStart: pdate(t, "2026-01-01"), PeriodEnd: pdate(t, "2026-12-31"), Status: trygg.PromiseDraft})
	staffWantCode(t, "a police area of another municipality", err, trygg.EINVALID, "police_areas[0]")
	_, err = f.app.CreatePromise(ctx, trygg.Promise{Municipality: "1470", Title: "x",
		PeriodStart: pdate(t, "2026-01-01"), PeriodEnd: pdate(t, "2026-12-31"), Status: trygg.PromiseDraft,
		Commitments: []trygg.Commitment{{Party: trygg.PartyPolice, ActivityKind: "walk", Text: "x"}}})
	staffWantCode(t, "a bad commitment", err, trygg.EINVALID, "commitments[0].activity_kind")
	_, err = f.app.AddCommitment(ctx, p.ID, trygg.Commitment{Party: trygg.PartyPolice, ActivityKind: trygg.KindFootPatrol,
		Text: "x", Places: []trygg.CommitmentPlace{{PlaceID: "9a0e0d5c-7c1e-4d5b-9a52-6d2f1c0e7a10"}}})
	staffWantCode(t, "a place that does not exist", err, trygg.EINVALID, "places[0].place_id")
	_, err = f.app.AddCommitment(ctx, p.ID, trygg.Commitment{Party: trygg.PartyPolice, ActivityKind: trygg.KindFootPatrol,
		Text: "x", Places: []trygg.CommitmentPlace{{Geometry: orb.Polygon{{{13, 58}, {13.1, 58.1}, {13.1, 58}, {13, 58.1}, {13, 58}}}}}})
	staffWantCode(t, "a self-intersecting place", err, trygg.EINVALID, "places[0].geometry")
	err = f.app.AddActivity(ctx, &trygg.Activity{Kind: trygg.KindFootPatrol, Party: trygg.PartyPolice, StartsAt: time.Now(),
		Municipality: "1494", CommitmentIDs: []string{cam.ID}})
	staffWantCode(t, "an activity of another municipality than its commitment", err, trygg.EINVALID, "commitment_ids")

	// Every write is audited, in the promise's municipality.
	for _, action := range []string{"promise.create", "commitment.create"} {
		if got := f.count(t, `SELECT count(*) FROM audit_log WHERE action = $1 AND municipalities = '{1470}'`, action); got < 1 {
			t.Errorf("no audit entry %s", action)
		}
	}
	a := addActivity(t, ctx, f.app, trygg.Activity{StartsAt: time.Now().Add(-time.Hour), CommitmentIDs: []string{p.Commitments[0].ID},
		Geometry: orb.Point{12.95, 58.26}})
	if a.Municipality != "1470" || a.CreatedBy == "" || !slices.Equal(a.CommitmentIDs, []string{p.Commitments[0].ID}) {
		t.Errorf("activity %+v", a)
	}
	if got := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'activity.create' AND entity_id = $1`, a.ID); got != 1 {
		t.Errorf("%d audit entries for the activity, want 1", got)
	}
	if got := f.count(t, `SELECT count(*) FROM tile_version WHERE layer = 'activities' AND municipality_code = '1470'`); got != 1 {
		t.Error("the activity did not bump the activities tiles")
	}
	if got := f.count(t, `SELECT count(*) FROM tile_version WHERE layer = 'promise-places' AND municipality_code = '1470'`); got != 1 {
		t.Error("the commitment places did not bump the promise-places tiles")
	}
}

func TestPromiseIsolation(t *testing.T) {
	f := newStaffFixture(t, false)
	vara := f.as(t, trygg.RolePlanner, "kommun-1470")
	berg := f.as(t, trygg.RoleAdmin, "kommun-1383")
	police := f.as(t, trygg.RolePolice, "lpo-vastra-skaraborg") // Vara and Lidköping
	p := newPromise(t, vara, f.app, trygg.Promise{PeriodStart: pdate(t, "2026-01-01"), PeriodEnd: pdate(t, "2026-12-31"),
		Commitments: []trygg.Commitment{{Party: trygg.PartyPolice, ActivityKind: trygg.KindFootPatrol, Text: "Fotpatruller.",
			Places: []trygg.CommitmentPlace{{Name: "Torget", Geometry: orb.Point{12.956, 58.2617}}}}}})
	cid := p.Commitments[0].ID
	act := addActivity(t, police, f.app, trygg.Activity{Kind: trygg.KindFootPatrol, StartsAt: time.Now().Add(-time.Hour),
		CommitmentIDs: []string{cid}, Notes: "Lugnt."})

	_, err := f.app.Promise(berg, p.ID)
	staffWantCode(t, "Varberg reads Vara's promise", err, trygg.ENOTFOUND, "")
	ps, err := f.app.Promises(berg, "")
	if err != nil || slices.ContainsFunc(ps, func(q trygg.Promise) bool { return q.ID == p.ID }) {
		t.Errorf("Varberg lists Vara's promise: %v", err)
	}
	_, err = f.app.Commitment(berg, cid)
	staffWantCode(t, "Varberg reads Vara's commitment", err, trygg.ENOTFOUND, "")
	_, err = f.app.AddCommitment(berg, p.ID, trygg.Commitment{Party: trygg.PartyPolice, ActivityKind: trygg.KindFootPatrol, Text: "x"})
	staffWantCode(t, "Varberg adds to Vara's promise", err, trygg.ENOTFOUND, "")
	_, err = f.app.SetCommitmentDone(berg, cid, true)
	staffWantCode(t, "Varberg marks Vara's commitment", err, trygg.ENOTFOUND, "")
	_, err = f.app.UpdatePromise(berg, p.ID, postgis.PromiseUpdate{Published: promisePtr(true)})
	staffWantCode(t, "Varberg publishes Vara's promise", err, trygg.ENOTFOUND, "")
	err = f.app.AddActivity(berg, &trygg.Activity{Kind: trygg.KindFootPatrol, Party: trygg.PartyPolice, StartsAt: time.Now(),
		CommitmentIDs: []string{cid}})
	staffWantCode(t, "Varberg counts toward Vara's commitment", err, trygg.ENOTFOUND, "commitment_ids")
	err = f.app.AddActivity(berg, &trygg.Activity{Kind: trygg.KindFootPatrol, Party: trygg.PartyPolice, StartsAt: time.Now(),
		Municipality: "1470"})
	staffWantCode(t, "Varberg logs an activity in Vara", err, trygg.EFORBIDDEN, "municipality")
	as, err := f.app.Activities(berg, postgis.ActivityFilter{})
	if err != nil || slices.ContainsFunc(as, func(a trygg.Activity) bool { return a.ID == act.ID }) {
		t.Errorf("Varberg lists Vara's activity: %v", err)
	}
	_, err = f.app.Activity(berg, act.ID)
	staffWantCode(t, "Varberg reads Vara's activity", err, trygg.ENOTFOUND, "")
	_, err = f.app.Followup(berg, p.ID, false)
	staffWantCode(t, "Varberg follows up Vara's promise", err, trygg.ENOTFOUND, "")
	_, err = f.app.Followup(context.Background(), p.ID, true)
	staffWantCode(t, "the public follows up an unpublished promise", err, trygg.ENOTFOUND, "")
	if pp, err := f.app.PublicPromises(context.Background(), ""); err != nil || slices.ContainsFunc(pp, func(q trygg.Promise) bool { return q.ID == p.ID }) {
		t.Errorf("the public lists an unpublished promise: %v", err)
	}

	// Row-level security alone: trygg_app with Varberg's scope sees none of the rows.
	conn := f.appConn(t, "1383", "")
	for _, table := range []string{"promise", "commitment", "commitment_place", "activity", "activity_commitment"} {
		var n int
		if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM `+table+` WHERE municipality_code = '1470'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("Varberg's scope sees %d of Vara's rows in %s", n, table)
		}
	}
	// Control: Vara's police sees the activity, and the promise's own staff the follow-up.
	if _, err := f.app.Activity(police, act.ID); err != nil {
		t.Errorf("control: %v", err)
	}
	if fu, err := f.app.Followup(vara, p.ID, false); err != nil || fu.Commitments[0].Progress.Achieved != 1 {
		t.Errorf("control: followup %+v, %v", fu, err)
	}
}

func promisePtr[T any](v T) *T { return &v }

func TestFollowup(t *testing.T) {
	f := newStaffFixture(t, false)
	ctx := f.as(t, trygg.RolePlanner, "kommun-1470")
	now := time.Now()
	today := trygg.Today(now)
	start, end := trygg.Date{Time: today.AddDate(0, 0, -29)}, trygg.Date{Time: today.AddDate(0, 0, 30)} // 60 days
	p := newPromise(t, ctx, f.app, trygg.Promise{PeriodStart: start, PeriodEnd: end, Commitments: []trygg.Commitment{
		{Party: trygg.PartyPolice, ActivityKind: trygg.KindTrafficControl, Text: "Sex trafikkontroller.", Target: n(6)},
		{Party: trygg.PartyPolice, ActivityKind: trygg.KindFootPatrol, Text: "Fotpatruller.", Target: n(2)},
		{Party: trygg.PartyJoint, ActivityKind: trygg.KindSafetyWalk, Text: "En vandring med uppföljning."},
	}})
	traffic, patrol, walk := p.Commitments[0].ID, p.Commitments[1].ID, p.Commitments[2].ID
	at := func(days int, hour int) time.Time {
		y, m, d := today.AddDate(0, 0, days).Date()
		return time.Date(y, m, d, hour, 0, 0, 0, trygg.SwedishTime)
	}
	addActivity(t, ctx, f.app, trygg.Activity{StartsAt: at(-10, 12), CommitmentIDs: []string{traffic}, Notes: "Hemlig anteckning"})
	addActivity(t, ctx, f.app, trygg.Activity{StartsAt: at(-29, 0).Add(5 * time.Minute), CommitmentIDs: []string{traffic}, // first minutes of the period
		Geometry: orb.Point{12.95, 58.26}})
	addActivity(t, ctx, f.app, trygg.Activity{StartsAt: at(-30, 23), CommitmentIDs: []string{traffic}})             // the day before
	addActivity(t, ctx, f.app, trygg.Activity{StartsAt: now.Add(48 * time.Hour), CommitmentIDs: []string{traffic}}) // planned
	// One activity counts toward two commitments.
	addActivity(t, ctx, f.app, trygg.Activity{Kind: trygg.KindFootPatrol, StartsAt: at(-1, 22), CommitmentIDs: []string{traffic, patrol},
		Notes: "Kontroll under patrullen"})
	addActivity(t, ctx, f.app, trygg.Activity{Kind: trygg.KindFootPatrol, StartsAt: at(31, 22), CommitmentIDs: []string{patrol}}) // after the period

	fu, err := f.app.Followup(ctx, p.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if fu.Today != today || len(fu.Commitments) != 3 {
		t.Fatalf("followup today %v, %d commitments", fu.Today, len(fu.Commitments))
	}
	// Traffic: 3 of 6 within the period by now; 30 of 60 days elapsed: 3 expected.
	tr := fu.Commitments[0].Progress
	if tr.Achieved != 3 || tr.ElapsedDays != 30 || tr.PeriodDays != 60 || tr.ExpectedByNow != 3 || tr.Status != trygg.ProgressOnTrack {
		t.Errorf("traffic progress %+v", tr)
	}
	if got := len(fu.Commitments[0].Activities); got != 4 { // three done and one planned
		t.Errorf("traffic lists %d activities, want 4", got)
	}
	if pa := fu.Commitments[1].Progress; pa.Achieved != 1 || pa.Status != trygg.ProgressOnTrack {
		t.Errorf("patrol progress %+v", pa)
	}
	if wk := fu.Commitments[2].Progress; wk.Achieved != 0 || wk.Status != trygg.ProgressNotStarted {
		t.Errorf("walk progress %+v", wk)
	}
	notes := false
	for _, a := range fu.Commitments[0].Activities {
		notes = notes || a.Notes == "Hemlig anteckning"
	}
	if !notes {
		t.Error("staff do not see the notes")
	}

	// Without work or a reason, the walk cannot be marked done; with a reason it is.
	if _, err := f.app.SetCommitmentDone(ctx, walk, true); trygg.ErrorCode(err) != trygg.ECONFLICT || trygg.ErrorField(err) != "done_reason" {
		t.Fatalf("done without work or reason: %v, want conflict on done_reason", err)
	}
	done, reason := true, "Vandringen hölls av föreningen."
	if _, err := f.app.UpdateCommitment(ctx, walk, postgis.CommitmentUpdate{Done: &done, DoneReason: &reason}); err != nil {
		t.Fatal(err)
	}
	// Published, the public sees the same counts, without notes, authors or the planned.
	if _, err := f.app.UpdatePromise(ctx, p.ID, postgis.PromiseUpdate{Published: promisePtr(true)}); err != nil {
		t.Fatal(err)
	}
	for _, who := range []context.Context{context.Background(), ctx} {
		pub, err := f.app.Followup(who, p.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if !pub.Public || pub.Commitments[0].Progress.Achieved != 3 || pub.Commitments[1].Progress.Achieved != 1 ||
			pub.Commitments[2].Progress.Status != trygg.ProgressDone {
			t.Errorf("public progress %+v", pub.Commitments)
		}
		for _, c := range pub.Commitments {
			for _, a := range c.Activities {
				if a.Notes != "" || a.CreatedBy != "" || a.StartsAt.After(now) || a.PlaceID != "" {
					t.Errorf("the public sees %+v", a)
				}
			}
		}
		if got := len(pub.Commitments[0].Activities); got != 3 {
			t.Errorf("the public sees %d traffic activities, want 3", got)
		}
	}
}

// The period is of days in Swedish time: an activity at 00:30 on the first day (23:30
// UTC the day before) counts, one at 00:10 after the last day (still the last day in
// UTC) does not.
func TestFollowupPeriodEdges(t *testing.T) {
	f := newStaffFixture(t, false)
	ctx := f.as(t, trygg.RolePolice, "lpo-hoglandet")
	p := newPromise(t, ctx, f.app, trygg.Promise{Municipality: "0685", PeriodStart: pdate(t, "2024-01-01"), PeriodEnd: pdate(t, "2024-12-31"),
		Commitments: []trygg.Commitment{{Party: trygg.PartyPolice, ActivityKind: trygg.KindVehicleInspection, Text: "Inspektioner.", Target: n(4)}}})
	cid := p.Commitments[0].ID
	for _, s := range []string{"2024-01-01T00:30:00+01:00", "2024-02-29T12:00:00+01:00", "2024-12-31T23:59:00+01:00", // count
		"2023-12-31T23:59:00+01:00", "2025-01-01T00:10:00+01:00"} { // do not
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		addActivity(t, ctx, f.app, trygg.Activity{Kind: trygg.KindVehicleInspection, StartsAt: at, CommitmentIDs: []string{cid}})
	}
	fu, err := f.app.Followup(ctx, p.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	pr := fu.Commitments[0].Progress
	if pr.Achieved != 3 || pr.PeriodDays != 366 || pr.ElapsedDays != 366 || pr.Status != trygg.ProgressNotMet {
		t.Errorf("progress %+v, want 3 of 4 in a leap year that is over (not met)", pr)
	}
}

func TestDemoPromises(t *testing.T) {
	f := newStaffFixture(t, false)
	if got := f.count(t, `SELECT count(*) FROM promise WHERE published`); got != 5 {
		t.Fatalf("%d demo promises, want 5", got)
	}
	if got := f.count(t, `SELECT count(*) FROM commitment`); got != 32 {
		t.Errorf("%d demo commitments, want 32", got)
	}
	if got := f.count(t, `SELECT count(*) FROM commitment WHERE outdoors_only`); got != 1 {
		t.Errorf("%d outdoors-only commitments, want 1 (Vara's cameras)", got)
	}
	if got := f.count(t, `SELECT count(*) FROM place`); got != 0 {
		t.Errorf("the demo named %d places, want none", got)
	}
	// Loading again changes nothing.
	before := f.count(t, `SELECT count(*) FROM activity`)
	if err := demo.Load(context.Background(), f.owner, nil); err != nil {
		t.Fatal(err)
	}
	if after := f.count(t, `SELECT count(*) FROM activity`); after != before {
		t.Errorf("a second load made %d activities, had %d", after, before)
	}

	ctx := f.as(t, trygg.RolePolice, "lpo-hoglandet")
	fu, err := f.app.Followup(ctx, demo.DemoID("vetlanda"), false)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		achieved int
		status   string
	}{
		"Polisen ska genomföra minst femton trafikkontroller med inriktning på trafikbeteenden.":               {8, trygg.ProgressNotMet},
		"Polisen ska vid minst femton tillfällen genomföra flygande inspektioner av fordon.":                   {11, trygg.ProgressNotMet},
		"Polisen ska genomföra minst femton riktade insatser för att upptäcka fler narkotikabrott bland unga.": {15, trygg.ProgressMet},
		"Under åren genomföra minst två samverkansmöten om de pågående aktiviteterna.":                         {2, trygg.ProgressMet},
	}
	seen := 0
	for _, c := range fu.Commitments {
		if w, ok := want[c.Text]; ok {
			seen++
			if c.Progress.Achieved != w.achieved || c.Progress.Status != w.status {
				t.Errorf("%q: %d, %s; want %d, %s", c.Text, c.Progress.Achieved, c.Progress.Status, w.achieved, w.status)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of Vetlanda's counted commitments, want %d", seen, len(want))
	}

	// Vara's "support out of addiction" is done with a reason and linked work, not with none.
	vara, err := f.app.Followup(context.Background(), demo.DemoID("vara"), true)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range vara.Commitments {
		if !strings.Contains(c.Text, "komma ur ett missbruk") {
			continue
		}
		found = true
		if c.Progress.Status != trygg.ProgressDone || len(c.Work) == 0 || c.DoneReason == "" {
			t.Errorf("%q is %s with %d pieces of work and reason %q", c.Text, c.Progress.Status, len(c.Work), c.DoneReason)
		}
	}
	if !found {
		t.Error("Vara's commitment on support out of addiction is missing")
	}
}

// The promises' feature collections and tile layers: places of published promises for
// the public, every place and activity for staff (of their municipalities).
func TestPromiseFeaturesAndTiles(t *testing.T) {
	f := newStaffFixture(t, false)
	staff := f.as(t, trygg.RolePlanner, "kommun-1470")
	berg := f.as(t, trygg.RolePlanner, "kommun-1383")
	p := newPromise(t, staff, f.app, trygg.Promise{PeriodStart: pdate(t, "2026-01-01"), PeriodEnd: pdate(t, "2026-12-31"),
		Commitments: []trygg.Commitment{{Party: trygg.PartyPolice, ActivityKind: trygg.KindFootPatrol, Text: "Fotpatruller.",
			Places: []trygg.CommitmentPlace{{Name: "Hemligt torg", Geometry: orb.Point{12.9561, 58.2618}}}}}})
	addActivity(t, staff, f.app, trygg.Activity{Kind: trygg.KindFootPatrol, StartsAt: time.Now().Add(-time.Hour),
		CommitmentIDs: []string{p.Commitments[0].ID}, Geometry: orb.Point{12.9562, 58.2619}})

	ids := func(ctx context.Context, collection string, public bool) []string {
		t.Helper()
		c := postgis.FeatureCollection(collection)
		if c == nil {
			t.Fatalf("no collection %s", collection)
		}
		src := c.Staff
		if public {
			src = c.Public
		}
		var out []string
		if _, err := f.app.Features(ctx, src, postgis.FeatureQuery{Limit: 1000}, func(r postgis.FeatureRow) error {
			out = append(out, r.ID)
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", collection, err)
		}
		return out
	}
	placeID := p.Commitments[0].Places[0].ID
	if got := ids(staff, "promise-places", false); !slices.Contains(got, placeID) {
		t.Errorf("staff do not see the place of their draft promise")
	}
	if got := ids(berg, "promise-places", false); slices.Contains(got, placeID) {
		t.Errorf("Varberg sees Vara's promise place")
	}
	if got := ids(context.Background(), "promise-places", true); slices.Contains(got, placeID) || len(got) == 0 {
		t.Errorf("the public sees the place of an unpublished promise, or no demo places (%d)", len(got))
	}
	if got := ids(berg, "activities", false); len(got) == 0 || slices.ContainsFunc(got, func(id string) bool {
		a, err := f.owner.Activity(staffCLI("check"), id)
		return err != nil || a.Municipality != "1383"
	}) {
		t.Errorf("Varberg's activities: %d, or some of another municipality", len(got))
	}
	if c := postgis.FeatureCollection("activities"); c.Public != nil {
		t.Error("activities have a public source")
	}

	// The tile over Vara's centre at z14.
	z := 14
	lon, lat := 12.9561, 58.2618
	x := int((lon + 180) / 360 * float64(int(1)<<z))
	r := lat * math.Pi / 180
	y := int((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * float64(int(1)<<z))
	for _, tc := range []struct {
		layer string
		staff bool
		ctx   context.Context
		empty bool
	}{
		{postgis.TileActivities, true, staff, false},
		{postgis.TileActivities, true, berg, true},
		{postgis.TilePromisePlaces, true, staff, false},
		{postgis.TilePromisePlaces, false, context.Background(), false}, // the demo's Vara promise is published
	} {
		mvt, err := f.app.Tile(tc.ctx, postgis.TileQuery{Layer: tc.layer, Z: z, X: x, Y: y, Staff: tc.staff})
		if err != nil {
			t.Fatalf("%s tile: %v", tc.layer, err)
		}
		if (len(mvt) == 0) != tc.empty {
			t.Errorf("%s tile (staff %v): %d bytes", tc.layer, tc.staff, len(mvt))
		}
	}
}
