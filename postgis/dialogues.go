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
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/trygg-gis/trygg"
)

// Citizen dialogues (medborgardialoger) and the places residents named in them: reports
// with source dialogue, linked by dialogue_id, moderated like residents' own.

const dialogueColumns = `d.id, d.municipality_code, d.title, d.held_on, d.place, d.format, d.conversations, d.notes,
	coalesce(d.created_by::text, ''), d.created_at, d.updated_at,
	(SELECT count(*) FROM report r WHERE r.dialogue_id = d.id),
	ARRAY(SELECT lc.commitment_id::text FROM dialogue_commitment lc WHERE lc.dialogue_id = d.id ORDER BY 1)`

func scanDialogue(row pgx.Row) (trygg.Dialogue, error) {
	var d trygg.Dialogue
	var held time.Time
	err := row.Scan(&d.ID, &d.Municipality, &d.Title, &held, &d.Place, &d.Format, &d.Conversations, &d.Notes,
		&d.CreatedBy, &d.CreatedAt, &d.UpdatedAt, &d.Places, &d.CommitmentIDs)
	d.HeldOn = trygg.Date{Time: held}
	return d, err
}

func readDialogue(ctx context.Context, tx pgx.Tx, id string) (trygg.Dialogue, error) {
	d, err := scanDialogue(tx.QueryRow(ctx, `SELECT `+dialogueColumns+` FROM dialogue d WHERE d.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, trygg.Errorf(trygg.ENOTFOUND, "id", "no dialogue has id %q", id)
	}
	return d, wrap(err, "read dialogue")
}

// CreateDialogue stores a new dialogue in a municipality the caller serves, and audits it.
func (db *DB) CreateDialogue(ctx context.Context, d trygg.Dialogue) (trygg.Dialogue, error) {
	if d.ID == "" {
		d.ID = uuid.NewString()
	}
	if err := d.Validate(); err != nil {
		return d, err
	}
	if err := mayWrite(ctx, d.Municipality); err != nil {
		return d, err
	}
	var out trygg.Dialogue
	err := db.inTx(ctx, "create dialogue", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO dialogue (id, municipality_code, title, held_on, place, format, conversations,
			notes, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			d.ID, d.Municipality, d.Title, d.HeldOn.Time, d.Place, d.Format, d.Conversations, d.Notes, callerID(ctx))
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && (pgErr.Code == "23514" || pgErr.Code == "23503") {
			return refusal(pgErr, "dialogue", dialogueField(pgErr.ConstraintName))
		}
		if err != nil {
			return wrap(err, "create dialogue")
		}
		if err := setWorkLinks(ctx, tx, dialogueLinks, d.ID, d.Municipality, d.CommitmentIDs); err != nil {
			return err
		}
		if out, err = readDialogue(ctx, tx, d.ID); err != nil {
			return err
		}
		return audit(ctx, tx, "dialogue.create", "dialogue", d.ID, []string{d.Municipality}, nil, dialogueAudit(out))
	})
	return out, err
}

func dialogueAudit(d trygg.Dialogue) map[string]any {
	return map[string]any{"title": d.Title, "held_on": d.HeldOn, "place": d.Place, "format": d.Format,
		"conversations": d.Conversations, "notes": d.Notes, "commitment_ids": d.CommitmentIDs}
}

func dialogueField(constraint string) string {
	for _, f := range []string{"municipality", "title", "place", "format", "conversations", "notes"} {
		if strings.Contains(constraint, f) {
			return f
		}
	}
	return "body"
}

// Dialogue returns a dialogue the caller sees, or ENOTFOUND.
func (db *DB) Dialogue(ctx context.Context, id string) (trygg.Dialogue, error) {
	return byID(ctx, db, "dialogue", id, readDialogue)
}

// Dialogues lists the dialogues the caller sees, optionally of one municipality, the
// most recent first.
func (db *DB) Dialogues(ctx context.Context, municipality string) ([]trygg.Dialogue, error) {
	var ds []trygg.Dialogue
	err := db.inTx(ctx, "list dialogues", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+dialogueColumns+` FROM dialogue d
			WHERE $1 = '' OR d.municipality_code = $1 ORDER BY d.held_on DESC, d.created_at DESC, d.id`, municipality)
		if err != nil {
			return wrap(err, "list dialogues")
		}
		ds, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.Dialogue, error) { return scanDialogue(r) })
		return wrap(err, "list dialogues")
	})
	return ds, err
}

// AddDialoguePlaces stores the places named in a dialogue, all or nothing: reports with
// source dialogue, linked to it, received (they wait in the moderation queue, their
// public text masked of contact details), public positions of points snapped to snapM
// metres. Each must lie in the dialogue's municipality; if any does not, nothing is
// written and the rejections name each by its index. The stored places come back in
// the order given. A place's When and ObservedAt are stored as given; a CreatedAt (a
// date column without a time of day, from the importer) is its date.
func (db *DB) AddDialoguePlaces(ctx context.Context, dialogueID string, places []trygg.Report, snapM float64) ([]trygg.Report, []trygg.Rejection, error) {
	if !isUUID(dialogueID) {
		return nil, nil, trygg.Errorf(trygg.ENOTFOUND, "id", "no dialogue has id %q", dialogueID)
	}
	if len(places) == 0 {
		return nil, nil, trygg.Errorf(trygg.EINVALID, "body", "no places")
	}
	n := len(places)
	ids, geoms := make([]string, n), make([][]byte, n)
	cats, feelings, times := make([]string, n), make([]int32, n), make([]string, n)
	descs, pubs, precs := make([]string, n), make([]string, n), make([]string, n)
	observed, created := make([]*time.Time, n), make([]*time.Time, n)
	for i, p := range places {
		if p.Location == nil {
			return nil, nil, trygg.Errorf(trygg.EINVALID, "location", "place %d: location is missing", i)
		}
		g, err := wkb.Marshal(p.Location)
		if err != nil {
			return nil, nil, trygg.Errorf(trygg.EINVALID, "location", "place %d: cannot encode the location: %v", i, err)
		}
		if p.Precision == "" {
			if p.Precision, err = trygg.ReportPrecision(p.Location, ""); err != nil {
				return nil, nil, err
			}
		}
		d := strings.TrimSpace(p.Description)
		ids[i], geoms[i] = uuid.NewString(), g
		// The place's reasons, the main one first, comma-joined (codes have no commas).
		cats[i], feelings[i], times[i] = p.Category, int32(p.Feeling), strings.Join(p.When, ",")
		if len(p.Categories) > 0 {
			cats[i] = strings.Join(p.Categories, ",")
		}
		descs[i], pubs[i], precs[i], observed[i] = d, trygg.MaskContacts(d), p.Precision, p.ObservedAt
		if !p.CreatedAt.IsZero() { // a day without a time of day (a date column): the place's date
			created[i] = &p.CreatedAt
		}
	}

	var out []trygg.Report
	var rejected []trygg.Rejection
	err := db.inTx(ctx, "add dialogue places", func(tx pgx.Tx) error {
		d, err := readDialogue(ctx, tx, dialogueID)
		if err != nil {
			return err
		}
		if err := mayWrite(ctx, d.Municipality); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			SELECT u.i, report_municipality(ST_SetSRID(ST_GeomFromWKB(u.wkb), 4326))
			FROM unnest($1::bytea[]) WITH ORDINALITY AS u(wkb, i) ORDER BY u.i`, geoms)
		if err != nil {
			return wrap(err, "place dialogue places")
		}
		var i int
		var muni *string
		_, err = pgx.ForEachRow(rows, []any{&i, &muni}, func() error {
			if muni == nil || *muni != d.Municipality {
				rejected = append(rejected, trygg.Rejection{Index: i - 1, Code: RejectOutside,
					Reason: fmt.Sprintf("the place is outside the dialogue's municipality (%s)", d.Municipality)})
			}
			return nil
		})
		if err != nil {
			return wrap(err, "place dialogue places")
		}
		if len(rejected) > 0 {
			return errRollback
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO report (id, municipality_code, geom, public_geom, category, categories, feeling, times, description,
				public_description, source, precision, status, observed_at, created_at, created_by, dialogue_id)
			SELECT u.id, $2, g.geom, report_public_geom(g.geom, $11), split_part(u.category, ',', 1),
				string_to_array(u.category, ','), u.feeling,
				string_to_array(u.times, ','), u.description, u.pub, 'dialogue', u.prec, 'received', u.observed,
				coalesce(u.created, now()), $12, $13
			FROM unnest($1::uuid[], $3::bytea[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[],
				$10::timestamptz[], $14::timestamptz[]) AS u(id, wkb, category, feeling, times, description, pub, prec, observed, created)
			CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_GeomFromWKB(u.wkb), 4326) AS geom) g`,
			ids, d.Municipality, geoms, cats, feelings, times, descs, pubs, precs, observed, snapM, callerID(ctx), dialogueID, created)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23503" && strings.Contains(pgErr.ConstraintName, "category") {
			return trygg.Errorf(trygg.EINVALID, "category", "a place's category is not a known category (GET /api/v1/categories lists them)")
		}
		if errors.As(err, &pgErr) && (pgErr.Code == "23514" || pgErr.Code == "22023" || pgErr.Code == "XX000") {
			return refusal(pgErr, "place", constraintField(pgErr.ConstraintName))
		}
		if err != nil {
			return wrap(err, "insert dialogue places")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO report_status (report_id, status, actor_id, actor)
			SELECT unnest($1::uuid[]), 'received', $2, $3`, ids, callerID(ctx), callerName(ctx)); err != nil {
			return wrap(err, "dialogue place status")
		}
		if _, err := tx.Exec(ctx, `UPDATE dialogue SET updated_at = now() WHERE id = $1`, dialogueID); err != nil {
			return wrap(err, "touch dialogue")
		}
		if err := audit(ctx, tx, "dialogue.add_places", "dialogue", dialogueID, []string{d.Municipality}, nil,
			map[string]any{"places": ids}); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT `+reportColumns+` FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, i)
			JOIN report r ON r.id = u.id ORDER BY u.i`, ids)
		if err != nil {
			return wrap(err, "read dialogue places")
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.Report, error) { return scanReport(r) })
		return wrap(err, "read dialogue places")
	})
	if errors.Is(err, errRollback) {
		return nil, rejected, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return out, nil, nil
}

// DialoguePlaces returns the places of a dialogue the caller sees, in the order they
// were experienced (or added), or ENOTFOUND for the dialogue.
func (db *DB) DialoguePlaces(ctx context.Context, dialogueID string) ([]trygg.Report, error) {
	if !isUUID(dialogueID) {
		return nil, trygg.Errorf(trygg.ENOTFOUND, "id", "no dialogue has id %q", dialogueID)
	}
	var rs []trygg.Report
	err := db.inTx(ctx, "list dialogue places", func(tx pgx.Tx) error {
		if _, err := readDialogue(ctx, tx, dialogueID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+reportColumns+` FROM report r WHERE r.dialogue_id = $1
			ORDER BY coalesce(r.observed_at, r.created_at), r.created_at, r.id`, dialogueID)
		if err != nil {
			return wrap(err, "list dialogue places")
		}
		rs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.Report, error) { return scanReport(r) })
		return wrap(err, "list dialogue places")
	})
	return rs, err
}

// DialogueUpdate changes some of a dialogue's fields; nil leaves a field as it is.
// CommitmentIDs replaces the commitments the meeting counts toward.
type DialogueUpdate struct {
	Title         *string
	HeldOn        *trygg.Date
	Place         *string
	Format        *string
	Conversations *int
	Notes         *string
	CommitmentIDs *[]string
}

// UpdateDialogue changes a dialogue the caller sees (ENOTFOUND otherwise) in a
// municipality the caller may write, and audits it.
func (db *DB) UpdateDialogue(ctx context.Context, id string, u DialogueUpdate) (trygg.Dialogue, error) {
	if !isUUID(id) {
		return trygg.Dialogue{}, trygg.Errorf(trygg.ENOTFOUND, "id", "no dialogue has id %q", id)
	}
	var out trygg.Dialogue
	err := db.inTx(ctx, "update dialogue", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM dialogue WHERE id = $1 FOR UPDATE`, id); err != nil {
			return wrap(err, "lock dialogue")
		}
		before, err := readDialogue(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := mayWrite(ctx, before.Municipality); err != nil {
			return err
		}
		d := before
		for _, f := range []struct{ dst, src *string }{{&d.Title, u.Title}, {&d.Place, u.Place}, {&d.Format, u.Format}, {&d.Notes, u.Notes}} {
			if f.src != nil {
				*f.dst = *f.src
			}
		}
		if u.HeldOn != nil {
			d.HeldOn = *u.HeldOn
		}
		if u.Conversations != nil {
			d.Conversations = *u.Conversations
		}
		if err := d.Validate(); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE dialogue SET title = $2, held_on = $3, place = $4, format = $5, conversations = $6,
			notes = $7, updated_at = now() WHERE id = $1`, id, d.Title, d.HeldOn.Time, d.Place, d.Format, d.Conversations, d.Notes)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23514" {
			return refusal(pgErr, "dialogue", dialogueField(pgErr.ConstraintName))
		}
		if err != nil {
			return wrap(err, "update dialogue")
		}
		if u.CommitmentIDs != nil {
			ids := *u.CommitmentIDs
			if ids == nil {
				ids = []string{}
			}
			if err := setWorkLinks(ctx, tx, dialogueLinks, id, d.Municipality, ids); err != nil {
				return err
			}
		}
		if out, err = readDialogue(ctx, tx, id); err != nil {
			return err
		}
		return audit(ctx, tx, "dialogue.update", "dialogue", id, []string{d.Municipality}, dialogueAudit(before), dialogueAudit(out))
	})
	return out, err
}
