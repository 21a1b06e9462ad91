package postgis

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
)

// Corrections of activities: PATCH and DELETE, audited, under row-level security.

func activityAudit(a trygg.Activity) map[string]any {
	return map[string]any{"kind": a.Kind, "party": a.Party, "starts_at": a.StartsAt, "duration_minutes": a.DurationMinutes,
		"count": a.Count, "commitment_ids": a.CommitmentIDs, "geometry": a.Geometry != nil, "place_id": a.PlaceID,
		"notes": a.Notes}
}

// ActivityUpdate changes some of an activity's fields; nil leaves a field as it is.
// SetGeometry sets the place to Geometry (nil: none); CommitmentIDs replaces the links.
type ActivityUpdate struct {
	Kind            *string
	Party           *string
	StartsAt        *time.Time
	DurationMinutes *int
	Count           *int
	Notes           *string
	SetGeometry     bool
	Geometry        orb.Geometry
	PlaceID         *string // "" clears it
	CommitmentIDs   *[]string
}

func readActivityTx(ctx context.Context, tx pgx.Tx, id string, forUpdate bool) (trygg.Activity, error) {
	q := `SELECT ` + activityColumns + ` FROM activity a WHERE a.id = $1`
	if forUpdate {
		q += ` FOR UPDATE`
	}
	a, err := scanActivity(tx.QueryRow(ctx, q, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return a, trygg.Errorf(trygg.ENOTFOUND, "id", "no activity has id %q", id)
	}
	return a, wrap(err, "read activity")
}

// UpdateActivity changes an activity the caller sees (ENOTFOUND otherwise) in a
// municipality the caller may write, and audits the change. Its commitments must be
// of the activity's municipality (EINVALID naming commitment_ids).
func (db *DB) UpdateActivity(ctx context.Context, id string, u ActivityUpdate) (trygg.Activity, error) {
	if !isUUID(id) {
		return trygg.Activity{}, trygg.Errorf(trygg.ENOTFOUND, "id", "no activity has id %q", id)
	}
	var out trygg.Activity
	err := db.inTx(ctx, "update activity", func(tx pgx.Tx) error {
		before, err := readActivityTx(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := mayWrite(ctx, before.Municipality); err != nil {
			return err
		}
		a := before
		a.CommitmentIDs = append([]string{}, before.CommitmentIDs...)
		if u.Kind != nil {
			a.Kind = *u.Kind
		}
		if u.Party != nil {
			a.Party = *u.Party
		}
		if u.StartsAt != nil {
			a.StartsAt = *u.StartsAt
		}
		if u.DurationMinutes != nil {
			a.DurationMinutes = *u.DurationMinutes
		}
		if u.Count != nil {
			a.Count = *u.Count
			if a.Count < 1 {
				return trygg.Errorf(trygg.EINVALID, "count", "count is from 1 to %d", trygg.MaxActivityCount)
			}
		}
		if u.Notes != nil {
			a.Notes = *u.Notes
		}
		if u.SetGeometry {
			a.Geometry = u.Geometry
		}
		if u.PlaceID != nil {
			a.PlaceID = *u.PlaceID
			if a.PlaceID != "" && !isUUID(a.PlaceID) {
				return trygg.Errorf(trygg.EINVALID, "place_id", "no place has id %q", a.PlaceID)
			}
		}
		if u.CommitmentIDs != nil {
			ids, err := cleanCommitmentIDs(*u.CommitmentIDs)
			if err != nil {
				return err
			}
			if err := checkCommitmentsOf(ctx, tx, a.Municipality, ids); err != nil {
				return err
			}
			a.CommitmentIDs = ids
		}
		if err := a.Validate(); err != nil {
			return err
		}
		g, err := geometryWKB(a.Geometry)
		if err != nil {
			return trygg.Errorf(trygg.EINVALID, "geometry", "cannot encode the place: %v", err)
		}
		var placeID *string
		if a.PlaceID != "" {
			placeID = &a.PlaceID
		}
		_, err = tx.Exec(ctx, `UPDATE activity SET kind = $2, party = $3, starts_at = $4, duration_minutes = $5, count = $6,
			notes = $7, geom = ST_SetSRID(ST_GeomFromWKB($8), 4326), place_id = $9, updated_at = now() WHERE id = $1`,
			id, a.Kind, a.Party, a.StartsAt, a.DurationMinutes, a.Count, a.Notes, g, placeID)
		if err := refused(err, "activity", "update activity"); err != nil {
			return err
		}
		if u.CommitmentIDs != nil {
			if _, err := tx.Exec(ctx, `DELETE FROM activity_commitment WHERE activity_id = $1 AND NOT (commitment_id = ANY($2::uuid[]))`,
				id, a.CommitmentIDs); err != nil {
				return wrap(err, "unlink activity")
			}
			if _, err := tx.Exec(ctx, `INSERT INTO activity_commitment (activity_id, commitment_id, municipality_code)
				SELECT $1, unnest($2::uuid[]), $3 ON CONFLICT DO NOTHING`, id, a.CommitmentIDs, a.Municipality); err != nil {
				return refused(err, "activity", "link activity")
			}
		}
		if out, err = readActivityTx(ctx, tx, id, false); err != nil {
			return err
		}
		return audit(ctx, tx, "activity.update", "activity", id, []string{out.Municipality}, activityAudit(before), activityAudit(out))
	})
	return out, err
}

// DeleteActivity deletes an activity the caller sees (ENOTFOUND otherwise) in a
// municipality the caller may write, with its links to commitments, and audits it.
// A patrol stop that became the activity keeps its visit without it.
func (db *DB) DeleteActivity(ctx context.Context, id string) error {
	if !isUUID(id) {
		return trygg.Errorf(trygg.ENOTFOUND, "id", "no activity has id %q", id)
	}
	return db.inTx(ctx, "delete activity", func(tx pgx.Tx) error {
		before, err := readActivityTx(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := mayWrite(ctx, before.Municipality); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM activity WHERE id = $1`, id); err != nil {
			return wrap(err, "delete activity")
		}
		return audit(ctx, tx, "activity.delete", "activity", id, []string{before.Municipality}, activityAudit(before), nil)
	})
}
