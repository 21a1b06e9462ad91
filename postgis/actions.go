package postgis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/trygg-gis/trygg"
)

// today is the calendar day in Sweden, which due dates are: an action due today is not
// overdue until Swedish midnight, whatever the server's time zone.
const today = `(now() AT TIME ZONE 'Europe/Stockholm')::date`

const actionColumns = `a.id, a.municipality_code, coalesce(a.report_id::text, ''), coalesce(a.walk_id::text, ''),
	coalesce(a.hotspot_id::text, ''), coalesce(a.place_id::text, ''),
	ARRAY(SELECT ac.commitment_id::text FROM action_commitment ac WHERE ac.action_id = a.id ORDER BY 1),
	a.description, coalesce(a.owner_org, ''), coalesce(a.owner_text, ''), a.due_on, a.expected_effect, a.follow_up_on,
	a.status, a.feedback, a.done_at, a.created_at, a.updated_at`

func scanAction(row pgx.Row) (trygg.Action, error) {
	var a trygg.Action
	var due, followUp *time.Time
	err := row.Scan(&a.ID, &a.Municipality, &a.ReportID, &a.WalkID, &a.HotspotID, &a.PlaceID, &a.CommitmentIDs,
		&a.Description, &a.OwnerOrg, &a.OwnerText, &due, &a.ExpectedEffect, &followUp, &a.Status, &a.Feedback,
		&a.DoneAt, &a.CreatedAt, &a.UpdatedAt)
	a.DueOn, a.FollowUpOn = dateOf(due), dateOf(followUp)
	return a, err
}

func readAction(ctx context.Context, tx pgx.Tx, id string, forUpdate bool) (trygg.Action, error) {
	q := `SELECT ` + actionColumns + ` FROM action a WHERE a.id = $1`
	if forUpdate {
		q += ` FOR UPDATE`
	}
	a, err := scanAction(tx.QueryRow(ctx, q, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return a, trygg.Errorf(trygg.ENOTFOUND, "id", "no action has id %q", id)
	}
	return a, wrap(err, "read action")
}

// actionAudit is what the audit log keeps of an action.
func actionAudit(a trygg.Action) map[string]any {
	return map[string]any{"report_id": a.ReportID, "walk_id": a.WalkID, "hotspot_id": a.HotspotID,
		"place_id": a.PlaceID, "commitment_ids": a.CommitmentIDs, "description": a.Description,
		"owner_org": a.OwnerOrg, "owner_text": a.OwnerText, "due_on": a.DueOn, "expected_effect": a.ExpectedEffect,
		"follow_up_on": a.FollowUpOn, "status": a.Status, "feedback": a.Feedback, "done_at": a.DoneAt}
}

// CreateAction stores a new action (åtgärd) from an observation (ReportID) or a walk
// (WalkID), and audits it. Its municipality is the report's or the walk's, which the
// caller must see (ENOTFOUND otherwise; both given must be in one municipality). An
// action on an observation of a walk belongs to that walk too. OwnerOrg, if set, must
// be an organisation's id (EINVALID). Status defaults to open; done sets DoneAt.
func (db *DB) CreateAction(ctx context.Context, a trygg.Action) (trygg.Action, error) {
	a.ID = uuid.NewString()
	if a.Status == "" {
		a.Status = trygg.ActionOpen
	}
	if err := a.Validate(); err != nil {
		return a, err
	}
	var out trygg.Action
	err := db.inTx(ctx, "create action", func(tx pgx.Tx) error {
		if a.ReportID != "" {
			var muni string
			var walk *string
			err := tx.QueryRow(ctx, `SELECT municipality_code, walk_id::text FROM report WHERE id = $1`,
				validUUID(a.ReportID)).Scan(&muni, &walk)
			if errors.Is(err, pgx.ErrNoRows) {
				return trygg.Errorf(trygg.ENOTFOUND, "report_id", "no report has id %q", a.ReportID)
			}
			if err != nil {
				return wrap(err, "read the action's report")
			}
			a.Municipality = muni
			switch {
			case a.WalkID == "" && walk != nil:
				a.WalkID = *walk
			case a.WalkID != "" && walk != nil && !strings.EqualFold(*walk, a.WalkID):
				return trygg.Errorf(trygg.EINVALID, "walk_id", "report %s is an observation of another walk", a.ReportID)
			}
		}
		if a.WalkID != "" {
			var muni string
			err := tx.QueryRow(ctx, `SELECT municipality_code FROM walk WHERE id = $1`, validUUID(a.WalkID)).Scan(&muni)
			if errors.Is(err, pgx.ErrNoRows) {
				return trygg.Errorf(trygg.ENOTFOUND, "walk_id", "no walk has id %q", a.WalkID)
			}
			if err != nil {
				return wrap(err, "read the action's walk")
			}
			if a.Municipality != "" && a.Municipality != muni {
				return trygg.Errorf(trygg.EINVALID, "walk_id", "the report and the walk are in different municipalities")
			}
			a.Municipality = muni
		}
		for _, t := range []struct{ field, table, id string }{{"hotspot_id", "hotspot", a.HotspotID}, {"place_id", "place", a.PlaceID}} {
			if t.id == "" {
				continue
			}
			var muni string
			err := tx.QueryRow(ctx, `SELECT municipality_code FROM `+t.table+` WHERE id = $1`, validUUID(t.id)).Scan(&muni)
			if errors.Is(err, pgx.ErrNoRows) {
				return trygg.Errorf(trygg.ENOTFOUND, t.field, "no %s has id %q", t.table, t.id)
			}
			if err != nil {
				return wrap(err, "read the action's "+t.table)
			}
			if a.Municipality != "" && a.Municipality != muni {
				return trygg.Errorf(trygg.EINVALID, t.field, "the %s is in another municipality than the action's other targets", t.table)
			}
			a.Municipality = muni
		}
		if a.Municipality == "" && len(a.CommitmentIDs) > 0 {
			err := tx.QueryRow(ctx, `SELECT municipality_code FROM commitment WHERE id = $1`, validUUID(a.CommitmentIDs[0])).Scan(&a.Municipality)
			if errors.Is(err, pgx.ErrNoRows) {
				return trygg.Errorf(trygg.ENOTFOUND, "commitment_ids", "no commitment has id %q", a.CommitmentIDs[0])
			}
			if err != nil {
				return wrap(err, "read the action's commitment")
			}
		}
		if err := mayWrite(ctx, a.Municipality); err != nil {
			return err
		}
		if err := checkOwnerOrg(ctx, tx, a.OwnerOrg); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO action (id, municipality_code, report_id, walk_id, hotspot_id, place_id,
				description, owner_org, owner_text, due_on, status, feedback, done_at, created_by, expected_effect, follow_up_on)
			VALUES ($1, $2, $3, $4, $12, $13, $5, $6, $7, $8, $9, $10, CASE WHEN $9 = 'done' THEN now() END, $11, $14, $15)`,
			a.ID, a.Municipality, nonEmpty(a.ReportID), nonEmpty(a.WalkID), a.Description, nonEmpty(a.OwnerOrg),
			nonEmpty(a.OwnerText), timeOf(a.DueOn), a.Status, a.Feedback, callerID(ctx), nonEmpty(a.HotspotID),
			nonEmpty(a.PlaceID), a.ExpectedEffect, timeOf(a.FollowUpOn))
		if err := actionWriteError(err); err != nil {
			return err
		}
		if err := setWorkLinks(ctx, tx, actionLinks, a.ID, a.Municipality, a.CommitmentIDs); err != nil {
			return err
		}
		if out, err = readAction(ctx, tx, a.ID, false); err != nil {
			return err
		}
		if kind := actionMailKind("", out.Status); kind != "" && out.ReportID != "" {
			if err := queueMail(ctx, tx, `SELECT mail_action_changed($1, $2)`, a.ID, kind); err != nil {
				return err
			}
		}
		return audit(ctx, tx, "action.create", "action", a.ID, []string{a.Municipality}, nil, actionAudit(out))
	})
	return out, err
}

// ActionUpdate changes some of an action's fields; nil leaves a field as it is.
type ActionUpdate struct {
	Description *string
	OwnerOrg    *string     // "" clears it (OwnerText must then name the owner)
	OwnerText   *string     // "" clears it
	DueOn       *trygg.Date // a zero Date clears it
	Status      *string
	Feedback    *string
	// ExpectedEffect, FollowUpOn (a zero Date clears it) and CommitmentIDs (replaces
	// the links; empty removes them) as the åtgärdsplan reads them.
	ExpectedEffect *string
	FollowUpOn     *trygg.Date
	CommitmentIDs  *[]string
}

// UpdateAction changes an action the caller sees (ENOTFOUND otherwise) and audits the
// change with the action before and after. DoneAt is set when the status becomes done
// and cleared when it leaves done.
func (db *DB) UpdateAction(ctx context.Context, id string, u ActionUpdate) (trygg.Action, error) {
	if !isUUID(id) {
		return trygg.Action{}, trygg.Errorf(trygg.ENOTFOUND, "id", "no action has id %q", id)
	}
	var out trygg.Action
	err := db.inTx(ctx, "update action", func(tx pgx.Tx) error {
		before, err := readAction(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := mayWrite(ctx, before.Municipality); err != nil {
			return err
		}
		a := before
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		set(&a.Description, u.Description)
		set(&a.OwnerOrg, u.OwnerOrg)
		set(&a.OwnerText, u.OwnerText)
		set(&a.Status, u.Status)
		set(&a.Feedback, u.Feedback)
		set(&a.ExpectedEffect, u.ExpectedEffect)
		if u.DueOn != nil {
			a.DueOn = u.DueOn
			if u.DueOn.IsZero() {
				a.DueOn = nil
			}
		}
		if u.FollowUpOn != nil {
			a.FollowUpOn = u.FollowUpOn
			if u.FollowUpOn.IsZero() {
				a.FollowUpOn = nil
			}
		}
		if u.CommitmentIDs != nil {
			a.CommitmentIDs = *u.CommitmentIDs
		}
		if err := a.Validate(); err != nil {
			return err
		}
		if u.OwnerOrg != nil && a.OwnerOrg != before.OwnerOrg {
			if err := checkOwnerOrg(ctx, tx, a.OwnerOrg); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE action SET description = $2, owner_org = $3, owner_text = $4, due_on = $5,
				status = $6, feedback = $7, expected_effect = $8, follow_up_on = $9, updated_at = now(),
				done_at = CASE WHEN $6 <> 'done' THEN NULL WHEN status = 'done' THEN done_at ELSE now() END
			WHERE id = $1`,
			id, a.Description, nonEmpty(a.OwnerOrg), nonEmpty(a.OwnerText), timeOf(a.DueOn), a.Status, a.Feedback,
			a.ExpectedEffect, timeOf(a.FollowUpOn))
		if err := actionWriteError(err); err != nil {
			return err
		}
		if u.CommitmentIDs != nil {
			ids := *u.CommitmentIDs
			if ids == nil {
				ids = []string{}
			}
			if err := setWorkLinks(ctx, tx, actionLinks, id, before.Municipality, ids); err != nil {
				return err
			}
		}
		if out, err = readAction(ctx, tx, id, false); err != nil {
			return err
		}
		if kind := actionMailKind(before.Status, out.Status); kind != "" && out.ReportID != "" {
			if err := queueMail(ctx, tx, `SELECT mail_action_changed($1, $2)`, id, kind); err != nil {
				return err
			}
		}
		return audit(ctx, tx, "action.update", "action", id, []string{before.Municipality},
			actionAudit(before), actionAudit(out))
	})
	return out, err
}

// actionMailKind is the mail to the reporter an action's status change from before ("" for
// a new action) to after causes: "planned" for a new action that is open or in progress
// (or one taken up again after it was rejected), "done" when it becomes done, else "".
func actionMailKind(before, after string) string {
	switch {
	case before == after:
		return ""
	case after == trygg.ActionDone:
		return "done"
	case (before == "" || before == trygg.ActionRejected) && (after == trygg.ActionOpen || after == trygg.ActionInProgress):
		return "planned"
	}
	return ""
}

// checkOwnerOrg refuses an owner_org that names no organisation.
func checkOwnerOrg(ctx context.Context, tx pgx.Tx, org string) error {
	if org == "" {
		return nil
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM organisation WHERE id = $1)`, org).Scan(&ok); err != nil {
		return wrap(err, "check owner_org")
	}
	if !ok {
		return trygg.Errorf(trygg.EINVALID, "owner_org", "no organisation has id %q", org)
	}
	return nil
}

// actionWriteError turns a refusal by the action table's constraints into EINVALID on
// the field at fault.
func actionWriteError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23503":
			if strings.Contains(pgErr.ConstraintName, "owner_org") {
				return trygg.Errorf(trygg.EINVALID, "owner_org", "no such organisation")
			}
		case "23514":
			field := "body"
			for _, f := range []string{"description", "owner_text", "feedback", "status", "expected_effect", "owner"} {
				if strings.Contains(pgErr.ConstraintName, f) {
					field = f
					break
				}
			}
			return refusal(pgErr, "action", field)
		}
	}
	return wrap(err, "write action")
}

// Action returns an action the caller sees, or ENOTFOUND.
func (db *DB) Action(ctx context.Context, id string) (trygg.Action, error) {
	return byID(ctx, db, "action", id, func(ctx context.Context, tx pgx.Tx, id string) (trygg.Action, error) {
		return readAction(ctx, tx, id, false)
	})
}

// ActionFilter selects actions. Zero fields select everything the caller sees.
type ActionFilter struct {
	Municipality string
	WalkID       string
	ReportID     string
	Statuses     []string
	Overdue      bool // due before today (in Sweden) and still open or in progress
	Limit        int  // at most this many (default and cap 1000)
}

// Actions lists the actions the caller sees, soonest due first (those without a due
// date last).
func (db *DB) Actions(ctx context.Context, f ActionFilter) ([]trygg.Action, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Municipality != "" {
		add("a.municipality_code = $%d", f.Municipality)
	}
	if f.WalkID != "" {
		add("a.walk_id = $%d", validUUID(f.WalkID))
	}
	if f.ReportID != "" {
		add("a.report_id = $%d", validUUID(f.ReportID))
	}
	if len(f.Statuses) > 0 {
		add("a.status = ANY($%d)", f.Statuses)
	}
	if f.Overdue {
		where = append(where, "a.due_on < "+today+" AND a.status IN ('open', 'in_progress')")
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	q := `SELECT ` + actionColumns + ` FROM action a`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY a.due_on NULLS LAST, a.created_at, a.id LIMIT %d", limit)
	var as []trygg.Action
	err := db.inTx(ctx, "list actions", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return wrap(err, "list actions")
		}
		as, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.Action, error) { return scanAction(r) })
		return wrap(err, "list actions")
	})
	return as, err
}

// validUUID returns id if it is a UUID and the nil UUID otherwise, which names no row:
// a malformed id finds nothing instead of failing the query.
func validUUID(id string) string {
	if isUUID(id) {
		return id
	}
	return uuid.Nil.String()
}
