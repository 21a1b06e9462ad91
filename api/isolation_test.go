package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// objects are municipality B's things that A's staff must not reach.
type objects struct {
	municipality string
	userID       string
	tokenID      string
	reportID     string // received, not yet public
	dialogueID   string // with a place (placeID)
	placeID      string // named in the dialogue: received, in B's moderation queue
	incidentID   string // an EST incident of this week
	walkID       string // with an observation
	actionID     string // on reportID
	promiseID    string // active, not published, with commitmentID
	commitmentID string
	activityID   string // toward commitmentID, logged by B's planner (userID)
	patrolPlanID string // with one stop
	cameraID     string // a proposed camera site
}

// isolationMatrix lists every staff endpoint that reads or changes municipality-scoped
// data. For each: what a user of municipality A gets asking for B's object (404 or 403,
// or for a list 200 without B's objects), and the same question put to the store with
// A's scope and no handler in between. Later issues add their endpoints here.
var isolationMatrix = []struct {
	name   string
	method string
	path   func(b objects) string
	body   func(b objects) any
	want   int
	store  func(ctx context.Context, db *postgis.DB, b objects) (leaked bool, err error)
}{
	{"user by id", "GET", func(b objects) string { return "/api/v1/users/" + b.userID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.User(ctx, b.userID)
			return err == nil, ignoreNotFound(err)
		}},
	{"user list", "GET", func(b objects) string { return "/api/v1/users" }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			us, err := db.Users(ctx)
			return slices.ContainsFunc(us, func(u trygg.User) bool { return u.ID == b.userID }), err
		}},
	{"token list", "GET", func(b objects) string { return "/api/v1/tokens" }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			ts, err := db.APITokens(ctx)
			return slices.ContainsFunc(ts, func(t trygg.APIToken) bool { return t.ID == b.tokenID }), err
		}},
	{"token for B's user", "POST", func(b objects) string { return "/api/v1/tokens" },
		func(b objects) any { return map[string]string{"user_id": b.userID, "name": "stolen"} }, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.CreateAPIToken(ctx, b.userID, "stolen", []byte("0123456789abcdef0123456789abcdef"))
			return err == nil, ignoreNotFound(err)
		}},
	{"revoke B's token", "DELETE", func(b objects) string { return "/api/v1/tokens/" + b.tokenID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.RevokeAPIToken(ctx, b.tokenID)
			return err == nil, ignoreNotFound(err)
		}},
	{"audit of B", "GET", func(b objects) string { return "/api/v1/audit?municipality=" + b.municipality }, nil, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			es, err := db.AuditLog(ctx, trygg.AuditFilter{Municipality: b.municipality})
			return len(es) > 0, err
		}},
	{"B's report, staff view", "GET", func(b objects) string { return "/api/v1/reports/" + b.reportID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Report(ctx, b.reportID)
			return err == nil, ignoreNotFound(err)
		}},
	{"moderation queue", "GET", func(b objects) string { return "/api/v1/moderation/queue" }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			rs, err := db.ModerationQueue(ctx, 1000)
			return slices.ContainsFunc(rs, func(r trygg.Report) bool { return r.ID == b.reportID }), err
		}},
	{"moderate B's report", "POST", func(b objects) string { return "/api/v1/reports/" + b.reportID + "/moderation" },
		func(b objects) any { return map[string]string{"action": "edit", "description": "ändrad"} }, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Moderate(ctx, b.reportID, postgis.Moderation{Action: "reject", Reason: "x"})
			return err == nil, ignoreNotFound(err)
		}},
	{"audit of B's user", "GET", func(b objects) string { return "/api/v1/audit?entity=user&entity_id=" + b.userID }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			es, err := db.AuditLog(ctx, trygg.AuditFilter{EntityID: b.userID})
			return len(es) > 0, err
		}},
	{"B's walk", "GET", func(b objects) string { return "/api/v1/walks/" + b.walkID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Walk(ctx, b.walkID)
			return err == nil, ignoreNotFound(err)
		}},
	{"walk list", "GET", func(b objects) string { return "/api/v1/walks" }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			ws, err := db.Walks(ctx, "")
			return slices.ContainsFunc(ws, func(w trygg.Walk) bool { return w.ID == b.walkID }), err
		}},
	{"update B's walk", "PUT", func(b objects) string { return "/api/v1/walks/" + b.walkID },
		func(b objects) any { return map[string]string{"title": "Vandring i Varberg"} }, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.UpdateWalk(ctx, trygg.Walk{ID: b.walkID, Title: "kapad", Status: trygg.WalkPlanned})
			return err == nil, ignoreNotFound(err)
		}},
	{"observations of B's walk", "GET", func(b objects) string { return "/api/v1/walks/" + b.walkID + "/observations" }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			rs, err := db.Observations(ctx, b.walkID)
			return len(rs) > 0, err
		}},
	{"protocol of B's walk", "GET", func(b objects) string { return "/api/v1/walks/" + b.walkID + "/protocol" }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Walk(ctx, b.walkID)
			return err == nil, ignoreNotFound(err)
		}},
	{"route of B's walk", "PUT", func(b objects) string { return "/api/v1/walks/" + b.walkID + "/route" },
		func(b objects) any {
			return map[string]any{"type": "LineString", "coordinates": [][]float64{{12.42, 57.17}, {12.43, 57.175}}}
		}, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.UpdateWalk(ctx, trygg.Walk{ID: b.walkID, Title: "kapad", Status: trygg.WalkDone,
				Route: orb.LineString{{12.42, 57.17}, {12.43, 57.175}}})
			return err == nil, ignoreNotFound(err)
		}},
	{"observation on B's walk", "POST", func(b objects) string { return "/api/v1/walks/" + b.walkID + "/observations" },
		func(b objects) any {
			return map[string]any{"location": map[string]any{"type": "Point", "coordinates": []float64{12.421, 57.171}},
				"category": "klotter", "feeling": 2}
		}, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			ids, _, err := db.AddObservations(ctx, b.walkID, []trygg.Report{{Location: orb.Point{12.421, 57.171},
				Category: "klotter", Feeling: 2, Precision: trygg.PrecisionExact}})
			return err == nil && len(ids) > 0, ignoreNotFound(err)
		}},
	{"B's action", "GET", func(b objects) string { return "/api/v1/actions/" + b.actionID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Action(ctx, b.actionID)
			return err == nil, ignoreNotFound(err)
		}},
	{"action list", "GET", func(b objects) string { return "/api/v1/actions" }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			as, err := db.Actions(ctx, postgis.ActionFilter{})
			return slices.ContainsFunc(as, func(a trygg.Action) bool { return a.ID == b.actionID }), err
		}},
	{"action on B's report", "POST", func(b objects) string { return "/api/v1/actions" },
		func(b objects) any {
			return map[string]string{"report_id": b.reportID, "description": "Sanera klottret", "owner_text": "Fastighetsägaren"}
		}, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.CreateAction(ctx, trygg.Action{ReportID: b.reportID, Description: "x", OwnerText: "x"})
			return err == nil, ignoreNotFound(err)
		}},
	{"action on B's walk", "POST", func(b objects) string { return "/api/v1/actions" },
		func(b objects) any {
			return map[string]string{"walk_id": b.walkID, "description": "Fler patruller", "owner_org": "lpo-varberg"}
		}, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.CreateAction(ctx, trygg.Action{WalkID: b.walkID, Description: "x", OwnerText: "x"})
			return err == nil, ignoreNotFound(err)
		}},
	{"update B's action", "PATCH", func(b objects) string { return "/api/v1/actions/" + b.actionID },
		func(b objects) any {
			return map[string]string{"status": "in_progress", "feedback": "Klottret är borta."}
		}, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			feedback := "kapad"
			_, err := db.UpdateAction(ctx, b.actionID, postgis.ActionUpdate{Feedback: &feedback})
			return err == nil, ignoreNotFound(err)
		}},
	{"B's dialogue", "GET", func(b objects) string { return "/api/v1/dialogues/" + b.dialogueID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Dialogue(ctx, b.dialogueID)
			return err == nil, ignoreNotFound(err)
		}},
	{"dialogue list", "GET", func(b objects) string { return "/api/v1/dialogues" }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			ds, err := db.Dialogues(ctx, "")
			return slices.ContainsFunc(ds, func(d trygg.Dialogue) bool { return d.ID == b.dialogueID }), err
		}},
	{"dialogue list of B", "GET", func(b objects) string { return "/api/v1/dialogues?municipality=" + b.municipality }, nil, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			ds, err := db.Dialogues(ctx, b.municipality)
			return len(ds) > 0, err
		}},
	{"places of B's dialogue", "GET", func(b objects) string { return "/api/v1/dialogues/" + b.dialogueID + "/places" }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			rs, err := db.DialoguePlaces(ctx, b.dialogueID)
			return len(rs) > 0, ignoreNotFound(err)
		}},
	{"place in B's dialogue", "POST", func(b objects) string { return "/api/v1/dialogues/" + b.dialogueID + "/places" },
		func(b objects) any {
			return map[string]any{"location": map[string]any{"type": "Point", "coordinates": []float64{12.422, 57.172}},
				"category": "belysning", "feeling": 1}
		}, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			out, rej, err := db.AddDialoguePlaces(ctx, b.dialogueID, []trygg.Report{{Location: orb.Point{12.422, 57.172},
				Category: "belysning", Feeling: 1, Precision: trygg.PrecisionExact}}, 50)
			return err == nil && len(rej) == 0 && len(out) > 0, ignoreNotFound(err)
		}},
	{"EST incident list", "GET", func(b objects) string { return "/api/v1/est/incidents" }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			incs, err := db.ESTIncidents(ctx, postgis.ESTFilter{})
			return slices.ContainsFunc(incs, func(i trygg.ESTIncident) bool { return i.ID == b.incidentID }), err
		}},
	{"EST incident list of B", "GET", func(b objects) string { return "/api/v1/est/incidents?municipality=" + b.municipality }, nil, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			incs, err := db.ESTIncidents(ctx, postgis.ESTFilter{Municipality: b.municipality})
			return len(incs) > 0, err
		}},
	{"EST weekly of B", "GET", func(b objects) string { return "/api/v1/est/weekly?municipality=" + b.municipality }, nil, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			s, err := db.ESTWeekly(ctx, b.municipality, trygg.WeekOf(time.Now()))
			return s.Total.Count+s.Total.Previous > 0 || len(s.ByType) > 0, err
		}},
	{"EST incident in B", "POST", func(b objects) string { return "/api/v1/est/incidents" },
		func(b objects) any {
			return map[string]any{"type": "klotter", "occurred_at": time.Now().Add(-time.Minute).Format(time.RFC3339),
				"location": map[string]any{"type": "Point", "coordinates": []float64{12.422, 57.172}}}
		}, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			at := time.Now().Add(-time.Minute)
			out, rej, err := db.AddESTIncidents(ctx, []trygg.ESTIncident{{Report: trygg.Report{Location: orb.Point{12.422, 57.172},
				ObservedAt: &at}, Type: "klotter", ReportedByOrg: "kommun-1383"}}, 50)
			return err == nil && len(rej) == 0 && len(out) > 0, err
		}},
	{"B's patrol plan", "GET", func(b objects) string { return "/api/v1/patrol-plans/" + b.patrolPlanID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.PatrolPlan(ctx, b.patrolPlanID)
			return err == nil, ignoreNotFound(err)
		}},
	{"print of B's patrol plan", "GET", func(b objects) string { return "/api/v1/patrol-plans/" + b.patrolPlanID + "/print" }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.PatrolPlan(ctx, b.patrolPlanID)
			return err == nil, ignoreNotFound(err)
		}},
	{"visit on B's patrol plan", "POST", func(b objects) string { return "/api/v1/patrol-plans/" + b.patrolPlanID + "/stops/1/visit" },
		func(b objects) any {
			return map[string]string{"arrived_at": time.Now().Add(-time.Hour).Format(time.RFC3339),
				"departed_at": time.Now().Add(-45 * time.Minute).Format(time.RFC3339)}
		}, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.RecordPatrolVisit(ctx, b.patrolPlanID, 1, time.Now().Add(-time.Hour), time.Now().Add(-50*time.Minute), "")
			return err == nil, ignoreNotFound(err)
		}},
	{"patrol dose of B", "GET", func(b objects) string { return "/api/v1/patrol-dose?municipality=" + b.municipality }, nil, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			ds, err := db.PatrolDoses(ctx, b.municipality, 8, time.Now())
			return len(ds) > 0, err
		}},
	{"patrol plan in B", "POST", func(b objects) string { return "/api/v1/patrol-plans" },
		func(b objects) any {
			return map[string]any{"municipality": b.municipality, "shift_start": time.Now().Format(time.RFC3339),
				"shift_end": time.Now().Add(8 * time.Hour).Format(time.RFC3339), "start": []float64{12.42, 57.17}}
		}, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			err := db.SavePatrolPlan(ctx, &postgis.PatrolPlan{Municipality: b.municipality, ShiftStart: time.Now(),
				ShiftEnd: time.Now().Add(time.Hour), Start: orb.Point{12.42, 57.17}, Params: []byte(`{}`), Seed: 1})
			if trygg.ErrorCode(err) == trygg.EFORBIDDEN {
				return false, nil
			}
			return err == nil, err
		}},
	{"B's camera", "GET", func(b objects) string { return "/api/v1/cameras/" + b.cameraID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Camera(ctx, b.cameraID)
			return err == nil, ignoreNotFound(err)
		}},
	{"camera list", "GET", func(b objects) string { return "/api/v1/cameras" }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			cs, err := db.Cameras(ctx, "")
			return slices.ContainsFunc(cs, func(c trygg.Camera) bool { return c.ID == b.cameraID }), err
		}},
	{"camera list of B", "GET", func(b objects) string { return "/api/v1/cameras?municipality=" + b.municipality }, nil, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			cs, err := db.Cameras(ctx, b.municipality)
			return len(cs) > 0, err
		}},
	{"update B's camera", "PATCH", func(b objects) string { return "/api/v1/cameras/" + b.cameraID },
		func(b objects) any { return map[string]any{"purpose": "Förebygga skadegörelse vid stationen"} }, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.UpdateCamera(ctx, trygg.Camera{ID: b.cameraID, Name: "kapad", Position: orb.Point{12.42, 57.17},
				OperatorKind: "other", OperatorName: "x", Purpose: "x", PlaceType: "other"}, trygg.Today(time.Now()))
			return err == nil, ignoreNotFound(err)
		}},
	{"transition B's camera", "POST", func(b objects) string { return "/api/v1/cameras/" + b.cameraID + "/transition" },
		func(b objects) any { return map[string]string{"to": "assessed"} }, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.TransitionCamera(ctx, b.cameraID, trygg.CameraDecommissioned, trygg.SwedishDay(time.Now()))
			return err == nil, ignoreNotFound(err)
		}},
	{"coverage of B's camera", "GET", func(b objects) string { return "/api/v1/cameras/" + b.cameraID + "/coverage" }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			cov, err := db.CameraCoverage(ctx, b.cameraID)
			return len(cov) > 0, ignoreNotFound(err)
		}},
	{"camera attention of B", "GET", func(b objects) string { return "/api/v1/cameras/attention?municipality=" + b.municipality }, nil, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			as, err := db.CamerasNeedingAttention(ctx, b.municipality, trygg.SwedishDay(time.Now()))
			return len(as) > 0, err
		}},
	{"camera coverage of B", "GET", func(b objects) string { return "/api/v1/camera-coverage?municipality=" + b.municipality }, nil, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			cov, err := db.CamerasCoverage(ctx, b.municipality)
			return len(cov) > 0, err
		}},
	{"camera in B", "POST", func(b objects) string { return "/api/v1/cameras" },
		func(b objects) any {
			return map[string]any{"name": "Intrång", "position": map[string]any{"type": "Point", "coordinates": []float64{12.421, 57.171}},
				"operator_kind": "municipality", "operator_name": "x", "purpose": "x", "place_type": "square"}
		}, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.CreateCamera(ctx, trygg.Camera{Name: "Intrång", Position: orb.Point{12.421, 57.171},
				OperatorKind: "municipality", OperatorName: "x", Purpose: "x", PlaceType: "square"})
			if trygg.ErrorCode(err) == trygg.EFORBIDDEN {
				return false, nil
			}
			return err == nil, err
		}},
	{"B's promise", "GET", func(b objects) string { return "/api/v1/promises/" + b.promiseID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Promise(ctx, b.promiseID)
			return err == nil, ignoreNotFound(err)
		}},
	{"promise list of B", "GET", func(b objects) string { return "/api/v1/promises?municipality=" + b.municipality }, nil, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			ps, err := db.Promises(ctx, "")
			return slices.ContainsFunc(ps, func(p trygg.Promise) bool { return p.ID == b.promiseID }), err
		}},
	{"publish B's promise", "PATCH", func(b objects) string { return "/api/v1/promises/" + b.promiseID },
		func(b objects) any { return map[string]any{"published": false} }, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			published := true
			_, err := db.UpdatePromise(ctx, b.promiseID, postgis.PromiseUpdate{Published: &published})
			return err == nil, ignoreNotFound(err)
		}},
	{"commitment on B's promise", "POST", func(b objects) string { return "/api/v1/promises/" + b.promiseID + "/commitments" },
		func(b objects) any {
			return map[string]any{"party": "police", "activity_kind": "foot-patrol", "text": "Fotpatruller vid stationen"}
		}, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.AddCommitment(ctx, b.promiseID, trygg.Commitment{Party: trygg.PartyPolice,
				ActivityKind: trygg.KindFootPatrol, Text: "kapad"})
			return err == nil, ignoreNotFound(err)
		}},
	{"followup of B's promise", "GET", func(b objects) string { return "/api/v1/promises/" + b.promiseID + "/followup" }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Followup(ctx, b.promiseID, false)
			return err == nil, ignoreNotFound(err)
		}},
	{"B's commitment", "GET", func(b objects) string { return "/api/v1/commitments/" + b.commitmentID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Commitment(ctx, b.commitmentID)
			return err == nil, ignoreNotFound(err)
		}},
	{"mark B's commitment", "PATCH", func(b objects) string { return "/api/v1/commitments/" + b.commitmentID },
		func(b objects) any { return map[string]any{"done": false} }, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.SetCommitmentDone(ctx, b.commitmentID, true)
			return err == nil, ignoreNotFound(err)
		}},
	{"activity list", "GET", func(b objects) string { return "/api/v1/activities" }, nil, 200,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			as, err := db.Activities(ctx, postgis.ActivityFilter{})
			return slices.ContainsFunc(as, func(a trygg.Activity) bool { return a.ID == b.activityID }), err
		}},
	{"activity list of B", "GET", func(b objects) string { return "/api/v1/activities?municipality=" + b.municipality }, nil, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			as, err := db.Activities(ctx, postgis.ActivityFilter{Municipality: b.municipality})
			return len(as) > 0, err
		}},
	{"B's activity", "GET", func(b objects) string { return "/api/v1/activities/" + b.activityID }, nil, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			_, err := db.Activity(ctx, b.activityID)
			return err == nil, ignoreNotFound(err)
		}},
	{"activity toward B's commitment", "POST", func(b objects) string { return "/api/v1/activities" },
		func(b objects) any {
			return map[string]any{"kind": "foot-patrol", "party": "police", "starts_at": time.Now().Add(-time.Hour).Format(time.RFC3339),
				"commitment_ids": []string{b.commitmentID}}
		}, 404,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			err := db.AddActivity(ctx, &trygg.Activity{Kind: trygg.KindFootPatrol, Party: trygg.PartyPolice,
				StartsAt: time.Now(), CommitmentIDs: []string{b.commitmentID}})
			return err == nil, ignoreNotFound(err)
		}},
	{"activity in B", "POST", func(b objects) string { return "/api/v1/activities" },
		func(b objects) any {
			return map[string]any{"kind": "foot-patrol", "party": "police", "municipality": b.municipality,
				"starts_at": time.Now().Add(-time.Hour).Format(time.RFC3339)}
		}, 403,
		func(ctx context.Context, db *postgis.DB, b objects) (bool, error) {
			err := db.AddActivity(ctx, &trygg.Activity{Kind: trygg.KindFootPatrol, Party: trygg.PartyPolice,
				StartsAt: time.Now(), Municipality: b.municipality})
			if trygg.ErrorCode(err) == trygg.EFORBIDDEN {
				return false, nil
			}
			return err == nil, err
		}},
}

func ignoreNotFound(err error) error {
	if trygg.ErrorCode(err) == trygg.ENOTFOUND {
		return nil
	}
	return err
}

func TestIsolationMatrix(t *testing.T) {
	e := newEnv(t, nil)
	varaAdmin := e.addUser(t, trygg.RoleAdmin, "kommun-1470")
	e.addUser(t, trygg.RolePlanner, "kommun-1470")
	bergAdmin := e.addUser(t, trygg.RoleAdmin, "kommun-1383")
	bergPlanner := e.addUser(t, trygg.RolePlanner, "kommun-1383")

	// B's objects, made by B's admin through the API (which also audits them).
	b := objects{municipality: "1383", userID: bergPlanner.ID}
	bc := e.signIn(t, bergAdmin.Email)
	resp, body := bc.do(t, http.MethodPost, "/api/v1/tokens", map[string]string{"user_id": b.userID, "name": "Varbergs QGIS"})
	wantStatus(t, resp, body, http.StatusCreated)
	b.tokenID = jsonField(t, body, "api_token", "id")
	resp, body = e.client().post(t, "/api/v1/reports", "application/json",
		`{"location":{"type":"Point","coordinates":[12.42,57.17]},"category":"klotter","feeling":2}`)
	wantStatus(t, resp, body, http.StatusCreated)
	b.reportID = jsonField(t, body, "id")
	if m := jsonField(t, body, "municipality"); m != b.municipality {
		t.Fatalf("the Varberg report landed in %s", m)
	}
	resp, body = bc.do(t, http.MethodPost, "/api/v1/walks", `{"title":"Trygghetsvandring Varberg",`+
		`"route":{"type":"LineString","coordinates":[[12.42,57.17],[12.425,57.172]]}}`)
	wantStatus(t, resp, body, http.StatusCreated)
	b.walkID = jsonField(t, body, "id")
	resp, body = bc.do(t, http.MethodPost, "/api/v1/walks/"+b.walkID+"/observations",
		`{"location":{"type":"Point","coordinates":[12.421,57.171]},"category":"belysning","feeling":1}`)
	wantStatus(t, resp, body, http.StatusCreated)
	resp, body = bc.do(t, http.MethodPost, "/api/v1/actions", map[string]string{"report_id": b.reportID,
		"description": "Sanera klottret", "owner_org": "kommun-1383"})
	wantStatus(t, resp, body, http.StatusCreated)
	b.actionID = jsonField(t, body, "id")

	// B's dialogue with a place and an EST incident of this week, entered by B's planner.
	bp := e.signIn(t, bergPlanner.Email)
	resp, body = bp.do(t, http.MethodPost, "/api/v1/dialogues", map[string]any{"title": "Trygghetsdialog Varberg", "held_on": "2026-10-01"})
	wantStatus(t, resp, body, http.StatusCreated)
	b.dialogueID = jsonField(t, body, "id")
	resp, body = bp.do(t, http.MethodPost, "/api/v1/dialogues/"+b.dialogueID+"/places",
		`{"location":{"type":"Point","coordinates":[12.422,57.172]},"category":"belysning","feeling":1}`)
	wantStatus(t, resp, body, http.StatusCreated)
	b.placeID = featureList(t, body)[0]["id"].(string)
	resp, body = bp.do(t, http.MethodPost, "/api/v1/est/incidents", map[string]any{"type": "klotter", "area": "Stationen",
		"occurred_at": time.Now().Add(-time.Minute).Format(time.RFC3339),
		"location":    map[string]any{"type": "Point", "coordinates": []float64{12.422, 57.172}}})
	wantStatus(t, resp, body, http.StatusCreated)
	b.incidentID = jsonField(t, body, "id")
	resp, body = bp.do(t, http.MethodPost, "/api/v1/cameras", map[string]any{"name": "Stationen",
		"position": map[string]any{"type": "Point", "coordinates": []float64{12.42, 57.17}}, "bearing": 90, "fov": 60, "range_m": 40,
		"operator_kind": "municipality", "operator_name": "Varbergs kommun", "purpose": "Trygghet", "place_type": "travel-centre"})
	wantStatus(t, resp, body, http.StatusCreated)
	b.cameraID = jsonField(t, body, "id")

	// B's patrol plan with one stop at the Varberg place, saved by B's admin.
	bPlan := &postgis.PatrolPlan{Municipality: b.municipality, ShiftStart: time.Now().Add(-2 * time.Hour),
		ShiftEnd: time.Now().Add(6 * time.Hour), Start: orb.Point{12.42, 57.17}, Params: []byte(`{}`), Seed: 1,
		Stops: []postgis.PatrolStop{{Seq: 1, TargetKey: "cell:hex:200:1:1", Name: "Hotspot 1", Point: orb.Point{12.421, 57.171},
			PlannedArrival: time.Now().Add(-time.Hour), PlannedDeparture: time.Now().Add(-45 * time.Minute)}}}
	if err := pgtest.App(t, e.url).SavePatrolPlan(trygg.NewContext(context.Background(), &trygg.Caller{User: bergAdmin}), bPlan); err != nil {
		t.Fatal(err)
	}
	b.patrolPlanID = bPlan.ID

	// B's promise with a commitment and an activity toward it, by B's planner.
	resp, body = bp.do(t, http.MethodPost, "/api/v1/promises", map[string]any{"title": "Medborgarlöfte Varberg",
		"period_start": "2026-01-01", "period_end": "2027-12-31", "status": "active",
		"commitments": []map[string]any{{"party": "joint", "activity_kind": "safety-walk", "text": "En trygghetsvandring"}}})
	wantStatus(t, resp, body, http.StatusCreated)
	b.promiseID = jsonField(t, body, "id")
	var bPromise struct {
		Commitments []struct {
			ID string `json:"id"`
		} `json:"commitments"`
	}
	if err := json.Unmarshal(body, &bPromise); err != nil || len(bPromise.Commitments) != 1 {
		t.Fatalf("B's promise: %v %s", err, body)
	}
	b.commitmentID = bPromise.Commitments[0].ID
	resp, body = bp.do(t, http.MethodPost, "/api/v1/activities", map[string]any{"kind": "safety-walk", "party": "joint",
		"starts_at": time.Now().Add(-time.Hour).Format(time.RFC3339), "commitment_ids": []string{b.commitmentID},
		"geometry": map[string]any{"type": "Point", "coordinates": []float64{12.422, 57.172}}})
	wantStatus(t, resp, body, http.StatusCreated)
	b.activityID = jsonField(t, body, "id")

	a := e.signIn(t, varaAdmin.Email)
	app := pgtest.App(t, e.url)
	ctxA := trygg.NewContext(context.Background(), &trygg.Caller{User: varaAdmin})
	for _, tc := range isolationMatrix {
		t.Run(tc.name, func(t *testing.T) {
			var in any
			if tc.body != nil {
				in = tc.body(b)
			}
			resp, body := a.do(t, tc.method, tc.path(b), in)
			if resp.StatusCode != tc.want {
				t.Errorf("A's admin: status %d, want %d: %s", resp.StatusCode, tc.want, body)
			}
			for _, id := range []string{b.userID, b.tokenID, b.reportID} {
				if tc.want == 200 && strings.Contains(string(body), id) {
					t.Errorf("A's admin sees B's object %s: %s", id, body)
				}
			}
			for _, id := range []string{b.walkID, b.actionID} {
				if tc.want == 200 && strings.Contains(string(body), id) {
					t.Errorf("A's admin sees B's object %s: %s", id, body)
				}
			}
			if tc.want == 200 && strings.Contains(string(body), b.cameraID) {
				t.Errorf("A's admin sees B's camera %s: %s", b.cameraID, body)
			}
			for _, id := range []string{b.dialogueID, b.placeID, b.incidentID, b.patrolPlanID} {
				if tc.want == 200 && strings.Contains(string(body), id) {
					t.Errorf("A's admin sees B's object %s: %s", id, body)
				}
			}
			for _, id := range []string{b.promiseID, b.commitmentID, b.activityID} {
				if tc.want == 200 && strings.Contains(string(body), id) {
					t.Errorf("A's admin sees B's object %s: %s", id, body)
				}
			}
			leaked, err := tc.store(ctxA, app, b)
			if err != nil {
				t.Errorf("store with A's scope: %v", err)
			}
			if leaked {
				t.Error("the store, with A's scope and no handler check, reached B's object")
			}

			// Control: B's own admin reaches the same object, so the test can fail.
			resp, body = bc.do(t, tc.method, tc.path(b), in)
			if resp.StatusCode >= 300 {
				t.Errorf("control, B's admin: status %d: %s", resp.StatusCode, body)
			}
			if tc.want == 200 && tc.name != "audit of B's user" && !strings.Contains(string(body), b.userID) &&
				!strings.Contains(string(body), b.cameraID) &&
				!strings.Contains(string(body), b.reportID) && !strings.Contains(string(body), b.walkID) {
				t.Errorf("control, B's admin does not see B's object: %s", body)
			}
		})
	}
}
