package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"
	orbwkb "github.com/paulmach/orb/encoding/wkb"
	"github.com/trygg-gis/trygg"
)

// Medborgarlöften (promises), their commitments and the activities that count toward
// them (migration 10).

const promiseColumns = `p.id, p.municipality_code, p.title, p.police_areas, p.other_parties, p.period_start,
	p.period_end, p.signed_on, p.signatories, p.focus_areas, p.summary, p.situation, p.status, %s, p.created_at, p.updated_at`

func promiseCols(public bool) string {
	if public {
		return fmt.Sprintf(promiseColumns, "true")
	}
	return fmt.Sprintf(promiseColumns, "p.published")
}

func scanPromise(row pgx.Row) (trygg.Promise, error) {
	var p trygg.Promise
	var start, end time.Time
	var signed *time.Time
	var signatories []byte
	if err := row.Scan(&p.ID, &p.Municipality, &p.Title, &p.PoliceAreas, &p.OtherParties, &start, &end, &signed,
		&signatories, &p.FocusAreas, &p.Summary, &p.Situation, &p.Status, &p.Published, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return p, err
	}
	p.PeriodStart, p.PeriodEnd = trygg.Date{Time: start}, trygg.Date{Time: end}
	if signed != nil {
		p.SignedOn = &trygg.Date{Time: *signed}
	}
	return p, json.Unmarshal(signatories, &p.Signatories)
}

const commitmentColumns = `c.id, c.promise_id, c.municipality_code, c.position, c.party, c.party_name,
	coalesce(c.focus_area, ''), c.activity_kind, c.text, c.target_count, c.done, c.outdoors_only, c.done_reason`

func scanCommitment(row pgx.Row, extra ...any) (trygg.Commitment, error) {
	var c trygg.Commitment
	dest := append([]any{&c.ID, &c.PromiseID, &c.Municipality, &c.Position, &c.Party, &c.PartyName, &c.FocusArea,
		&c.ActivityKind, &c.Text, &c.Target, &c.Done, &c.OutdoorsOnly, &c.DoneReason}, extra...)
	return c, row.Scan(dest...)
}

// CreatePromise stores a new promise, with its commitments if it has any, in a
// municipality the caller serves, and audits it.
func (db *DB) CreatePromise(ctx context.Context, p trygg.Promise) (trygg.Promise, error) {
	var out trygg.Promise
	p, err := checkPromise(ctx, p)
	if err != nil {
		return p, err
	}
	err = db.inTx(ctx, "create promise", func(tx pgx.Tx) error {
		var err error
		if out, err = createPromise(ctx, tx, p); err != nil {
			return err
		}
		for i, c := range out.Commitments {
			if err := checkDone(ctx, tx, c); err != nil {
				return prefixError(err, fmt.Sprintf("commitments[%d].", i))
			}
		}
		return audit(ctx, tx, "promise.create", "promise", p.ID, []string{p.Municipality}, nil, promiseAudit(out))
	})
	return out, err
}

// LoadPromise stores a promise with its commitments and activities toward them in one
// transaction, without audit entries: for data the operator loads (the demo), as the
// municipalities and police areas are loaded. The activities name their commitments.
func (db *DB) LoadPromise(ctx context.Context, p trygg.Promise, activities []trygg.Activity) error {
	p, err := checkPromise(ctx, p)
	if err != nil {
		return err
	}
	return db.inTx(ctx, "load promise", func(tx pgx.Tx) error {
		if _, err := createPromise(ctx, tx, p); err != nil {
			return err
		}
		for i := range activities {
			if err := checkActivity(&activities[i]); err != nil {
				return prefixError(err, fmt.Sprintf("activities[%d].", i))
			}
			if err := addActivity(ctx, tx, &activities[i]); err != nil {
				return prefixError(err, fmt.Sprintf("activities[%d].", i))
			}
		}
		for i, c := range p.Commitments {
			if err := checkDone(ctx, tx, c); err != nil {
				return prefixError(err, fmt.Sprintf("commitments[%d].", i))
			}
		}
		return nil
	})
}

func checkPromise(ctx context.Context, p trygg.Promise) (trygg.Promise, error) {
	if p.ID == "" {
		p.ID = uuid.NewString()
	}
	if p.Status == "" {
		p.Status = trygg.PromiseDraft
	}
	nonNil(&p)
	if err := p.Validate(); err != nil {
		return p, err
	}
	for i := range p.Commitments {
		if err := p.Commitments[i].Validate(); err != nil {
			return p, prefixError(err, fmt.Sprintf("commitments[%d].", i))
		}
	}
	return p, mayWrite(ctx, p.Municipality)
}

func createPromise(ctx context.Context, tx pgx.Tx, p trygg.Promise) (trygg.Promise, error) {
	if err := checkPoliceAreas(ctx, tx, p); err != nil {
		return p, err
	}
	signatories, err := json.Marshal(p.Signatories)
	if err != nil {
		return p, err
	}
	var signed *time.Time
	if p.SignedOn != nil {
		signed = &p.SignedOn.Time
	}
	_, err = tx.Exec(ctx, `INSERT INTO promise (id, municipality_code, title, police_areas, other_parties, period_start,
		period_end, signed_on, signatories, focus_areas, summary, situation, status, published, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		p.ID, p.Municipality, p.Title, p.PoliceAreas, p.OtherParties, p.PeriodStart.Time, p.PeriodEnd.Time, signed,
		signatories, p.FocusAreas, p.Summary, p.Situation, p.Status, p.Published, callerID(ctx))
	if err := refused(err, "promise", "write promise"); err != nil {
		return p, err
	}
	for i, c := range p.Commitments {
		c.PromiseID, c.Municipality = p.ID, p.Municipality
		if c.Position == 0 {
			c.Position = i + 1
		}
		if _, err := insertCommitment(ctx, tx, c); err != nil {
			return p, prefixError(err, fmt.Sprintf("commitments[%d].", i))
		}
	}
	return readPromise(ctx, tx, p.ID)
}

func nonNil(p *trygg.Promise) {
	if p.PoliceAreas == nil {
		p.PoliceAreas = []string{}
	}
	if p.OtherParties == nil {
		p.OtherParties = []string{}
	}
	if p.Signatories == nil {
		p.Signatories = []trygg.Signatory{}
	}
	if p.FocusAreas == nil {
		p.FocusAreas = []string{}
	}
}

// checkPoliceAreas refuses a police area that does not serve the promise's municipality.
func checkPoliceAreas(ctx context.Context, tx pgx.Tx, p trygg.Promise) error {
	if len(p.PoliceAreas) == 0 {
		return nil
	}
	var serving []string
	err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(police_area_id), '{}') FROM police_area_municipality
		WHERE municipality_code = $1 AND police_area_id = ANY($2)`, p.Municipality, p.PoliceAreas).Scan(&serving)
	if err != nil {
		return wrap(err, "check police areas")
	}
	for i, a := range p.PoliceAreas {
		if !slices.Contains(serving, a) {
			return trygg.Errorf(trygg.EINVALID, fmt.Sprintf("police_areas[%d]", i),
				"police area %q does not serve municipality %s", a, p.Municipality)
		}
	}
	return nil
}

func promiseAudit(p trygg.Promise) map[string]any {
	return map[string]any{"title": p.Title, "status": p.Status, "published": p.Published,
		"period_start": p.PeriodStart, "period_end": p.PeriodEnd, "police_areas": p.PoliceAreas,
		"other_parties": p.OtherParties, "focus_areas": p.FocusAreas, "commitments": len(p.Commitments)}
}

func commitmentAudit(c trygg.Commitment) map[string]any {
	return map[string]any{"promise_id": c.PromiseID, "party": c.Party, "focus_area": c.FocusArea,
		"activity_kind": c.ActivityKind, "text": c.Text, "target": c.Target, "done": c.Done,
		"outdoors_only": c.OutdoorsOnly, "places": len(c.Places), "done_reason": c.DoneReason}
}

// prefixError puts prefix in front of the field a *trygg.Error names.
func prefixError(err error, prefix string) error {
	var te *trygg.Error
	if errors.As(err, &te) && te.Field != "" {
		return &trygg.Error{Code: te.Code, Field: prefix + te.Field, Message: te.Message}
	}
	return err
}

// refused turns the database's refusals (a check, an invalid geometry, a missing
// reference) into EINVALID naming the column of the constraint; other errors are wrapped.
func refused(err error, kind, doing string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23514", "XX000", "22023":
			return refusal(pgErr, kind, promiseConstraintField(pgErr.ConstraintName))
		case "23503":
			return trygg.Errorf(trygg.EINVALID, promiseConstraintField(pgErr.ConstraintName), "the %s refers to something that does not exist in its municipality", kind)
		case "23505":
			return trygg.Errorf(trygg.ECONFLICT, "id", "the %s exists already", kind)
		}
	}
	return wrap(err, doing)
}

func promiseConstraintField(constraint string) string {
	for _, f := range []string{"period_end", "place_id", "geom", "title", "text", "target_count", "duration_minutes",
		"notes", "summary", "situation", "signatories", "focus_area", "party_name", "status", "published", "name"} {
		if strings.Contains(constraint, f) {
			switch f {
			case "geom":
				return "geometry"
			case "target_count":
				return "target"
			}
			return f
		}
	}
	return "body"
}

func insertCommitment(ctx context.Context, tx pgx.Tx, c trygg.Commitment) (trygg.Commitment, error) {
	if c.ID == "" {
		c.ID = uuid.NewString()
	}
	var focus *string
	if c.FocusArea != "" {
		focus = &c.FocusArea
	}
	_, err := tx.Exec(ctx, `INSERT INTO commitment (id, promise_id, municipality_code, position, party, party_name,
		focus_area, activity_kind, text, target_count, done, outdoors_only, done_reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		c.ID, c.PromiseID, c.Municipality, c.Position, c.Party, c.PartyName, focus, c.ActivityKind, c.Text,
		c.Target, c.Done, c.OutdoorsOnly, c.DoneReason)
	if err := refused(err, "commitment", "write commitment"); err != nil {
		return c, err
	}
	return c, insertCommitmentPlaces(ctx, tx, c)
}

// insertCommitmentPlaces stores the commitment's places (c.Places), filling in their ids.
func insertCommitmentPlaces(ctx context.Context, tx pgx.Tx, c trygg.Commitment) error {
	for i := range c.Places {
		pl := &c.Places[i]
		if pl.ID == "" {
			pl.ID = uuid.NewString()
		}
		g, err := geometryWKB(pl.Geometry)
		if err != nil {
			return trygg.Errorf(trygg.EINVALID, fmt.Sprintf("places[%d].geometry", i), "cannot encode the place: %v", err)
		}
		if pl.GazetteerID != 0 {
			var name string
			var pt []byte
			err := tx.QueryRow(ctx, `SELECT name, ST_AsBinary(geom) FROM gazetteer WHERE id = $1 AND municipality_code = $2`,
				pl.GazetteerID, c.Municipality).Scan(&name, &pt)
			if errors.Is(err, pgx.ErrNoRows) {
				return trygg.Errorf(trygg.EINVALID, fmt.Sprintf("places[%d].gazetteer_id", i),
					"no entry of the gazetteer has id %d in municipality %s", pl.GazetteerID, c.Municipality)
			}
			if err != nil {
				return wrap(err, "read gazetteer entry")
			}
			if pl.Name == "" {
				pl.Name = name
			}
			if g == nil {
				g = pt
			}
		}
		var gazetteerID *int64
		if pl.GazetteerID != 0 {
			gazetteerID = &pl.GazetteerID
		}
		var placeID *string
		if pl.PlaceID != "" {
			if !isUUID(pl.PlaceID) {
				return trygg.Errorf(trygg.EINVALID, fmt.Sprintf("places[%d].place_id", i), "no place has id %q", pl.PlaceID)
			}
			placeID = &pl.PlaceID
		}
		_, err = tx.Exec(ctx, `INSERT INTO commitment_place (id, commitment_id, municipality_code, position, name, geom,
			place_id, gazetteer_id) VALUES ($1, $2, $3, $4, $5, ST_SetSRID(ST_GeomFromWKB($6), 4326), $7, $8)`,
			pl.ID, c.ID, c.Municipality, i, pl.Name, g, placeID, gazetteerID)
		if err := refused(err, "place", "write commitment place"); err != nil {
			return prefixError(err, fmt.Sprintf("places[%d].", i))
		}
	}
	return nil
}

func geometryWKB(g orb.Geometry) ([]byte, error) {
	if g == nil {
		return nil, nil
	}
	return orbwkb.Marshal(g)
}

func decodeGeometry(b []byte) (orb.Geometry, error) {
	if b == nil {
		return nil, nil
	}
	return orbwkb.Unmarshal(b)
}

func readPromise(ctx context.Context, tx pgx.Tx, id string) (trygg.Promise, error) {
	p, err := scanPromise(tx.QueryRow(ctx, `SELECT `+promiseCols(false)+` FROM promise p WHERE p.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, trygg.Errorf(trygg.ENOTFOUND, "id", "no promise has id %q", id)
	}
	if err != nil {
		return p, wrap(err, "read promise")
	}
	p.Commitments, err = readCommitments(ctx, tx, "c.promise_id = $1", id)
	return p, err
}

// readCommitments reads the commitments (with their places) that where selects.
func readCommitments(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]trygg.Commitment, error) {
	rows, err := tx.Query(ctx, `SELECT `+commitmentColumns+`, c.created_at, c.updated_at FROM commitment c
		WHERE `+where+` ORDER BY c.position, c.created_at, c.id`, args...)
	if err != nil {
		return nil, wrap(err, "read commitments")
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.Commitment, error) {
		var created, updated time.Time
		c, err := scanCommitment(r, &created, &updated)
		c.CreatedAt, c.UpdatedAt = created, updated
		return c, err
	})
	if err != nil {
		return nil, wrap(err, "read commitments")
	}
	if len(cs) == 0 {
		return []trygg.Commitment{}, nil
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
		cs[i].Places = []trygg.CommitmentPlace{}
	}
	places, err := readCommitmentPlaces(ctx, tx, staffFollowup.place, ids)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		cs[i].Places = append(cs[i].Places, places[cs[i].ID]...)
	}
	return cs, nil
}

// readCommitmentPlaces reads the places of the commitments from the source
// (staffFollowup.place or publicFollowup.place).
func readCommitmentPlaces(ctx context.Context, tx pgx.Tx, from string, ids []string) (map[string][]trygg.CommitmentPlace, error) {
	rows, err := tx.Query(ctx, `SELECT cp.id, cp.commitment_id, cp.name, cp.place_ref, cp.gazetteer_ref, ST_AsBinary(cp.geom)
		FROM `+from+` WHERE cp.commitment_id = ANY($1) ORDER BY cp.position, cp.id`, ids)
	if err != nil {
		return nil, wrap(err, "read commitment places")
	}
	defer rows.Close()
	out := map[string][]trygg.CommitmentPlace{}
	for rows.Next() {
		var pl trygg.CommitmentPlace
		var cid string
		var g []byte
		if err := rows.Scan(&pl.ID, &cid, &pl.Name, &pl.PlaceID, &pl.GazetteerID, &g); err != nil {
			return nil, wrap(err, "read commitment place")
		}
		if pl.Geometry, err = decodeGeometry(g); err != nil {
			return nil, err
		}
		out[cid] = append(out[cid], pl)
	}
	return out, wrap(rows.Err(), "read commitment places")
}

// Promise returns a promise the caller sees, with its commitments, or ENOTFOUND.
func (db *DB) Promise(ctx context.Context, id string) (trygg.Promise, error) {
	return byID(ctx, db, "promise", id, readPromise)
}

// Promises lists the promises the caller sees (without commitments), optionally of one
// municipality, latest period first.
func (db *DB) Promises(ctx context.Context, municipality string) ([]trygg.Promise, error) {
	var ps []trygg.Promise
	err := db.inTx(ctx, "list promises", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+promiseCols(false)+` FROM promise p
			WHERE $1 = '' OR p.municipality_code = $1 ORDER BY p.period_start DESC, p.municipality_code, p.id`, municipality)
		if err != nil {
			return wrap(err, "list promises")
		}
		ps, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.Promise, error) { return scanPromise(r) })
		return wrap(err, "list promises")
	})
	return ps, err
}

// PublicPromises lists the published promises, optionally of one municipality.
func (db *DB) PublicPromises(ctx context.Context, municipality string) ([]trygg.Promise, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+promiseCols(true)+` FROM public_promise p
		WHERE $1 = '' OR p.municipality_code = $1 ORDER BY p.period_start DESC, p.municipality_code, p.id`, municipality)
	if err != nil {
		return nil, wrap(err, "list public promises")
	}
	ps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.Promise, error) { return scanPromise(r) })
	return ps, wrap(err, "list public promises")
}

// PromiseUpdate changes a promise's status and whether it is published; nil fields stay.
type PromiseUpdate struct {
	Status    *string
	Published *bool
}

// UpdatePromise changes a promise's status or publication, and audits it.
func (db *DB) UpdatePromise(ctx context.Context, id string, u PromiseUpdate) (trygg.Promise, error) {
	if !isUUID(id) {
		return trygg.Promise{}, trygg.Errorf(trygg.ENOTFOUND, "id", "no promise has id %q", id)
	}
	var out trygg.Promise
	err := db.inTx(ctx, "update promise", func(tx pgx.Tx) error {
		before, err := readPromise(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := mayWrite(ctx, before.Municipality); err != nil {
			return err
		}
		p := before
		if u.Status != nil {
			p.Status = *u.Status
		}
		if u.Published != nil {
			p.Published = *u.Published
		}
		if err := p.Validate(); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE promise SET status = $2, published = $3, updated_at = now() WHERE id = $1`,
			id, p.Status, p.Published)
		if err := refused(err, "promise", "update promise"); err != nil {
			return err
		}
		if out, err = readPromise(ctx, tx, id); err != nil {
			return err
		}
		return audit(ctx, tx, "promise.update", "promise", id, []string{p.Municipality}, promiseAudit(before), promiseAudit(out))
	})
	return out, err
}

// AddCommitment adds a commitment (with its places) to a promise the caller may write,
// at the end unless it has a position, and audits it.
func (db *DB) AddCommitment(ctx context.Context, promiseID string, c trygg.Commitment) (trygg.Commitment, error) {
	if !isUUID(promiseID) {
		return c, trygg.Errorf(trygg.ENOTFOUND, "id", "no promise has id %q", promiseID)
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	var out trygg.Commitment
	err := db.inTx(ctx, "add commitment", func(tx pgx.Tx) error {
		var muni string
		var last int
		err := tx.QueryRow(ctx, `SELECT p.municipality_code, coalesce((SELECT max(c.position) FROM commitment c
			WHERE c.promise_id = p.id), 0) FROM promise p WHERE p.id = $1`, promiseID).Scan(&muni, &last)
		if errors.Is(err, pgx.ErrNoRows) {
			return trygg.Errorf(trygg.ENOTFOUND, "id", "no promise has id %q", promiseID)
		}
		if err != nil {
			return wrap(err, "read promise")
		}
		if err := mayWrite(ctx, muni); err != nil {
			return err
		}
		c.PromiseID, c.Municipality = promiseID, muni
		if c.Position == 0 {
			c.Position = last + 1
		}
		if c, err = insertCommitment(ctx, tx, c); err != nil {
			return err
		}
		if err := checkDone(ctx, tx, c); err != nil {
			return err
		}
		if out, err = readCommitment(ctx, tx, c.ID); err != nil {
			return err
		}
		return audit(ctx, tx, "commitment.create", "commitment", c.ID, []string{muni}, nil, commitmentAudit(out))
	})
	return out, err
}

func readCommitment(ctx context.Context, tx pgx.Tx, id string) (trygg.Commitment, error) {
	cs, err := readCommitments(ctx, tx, "c.id = $1", id)
	if err != nil {
		return trygg.Commitment{}, err
	}
	if len(cs) == 0 {
		return trygg.Commitment{}, trygg.Errorf(trygg.ENOTFOUND, "id", "no commitment has id %q", id)
	}
	return cs[0], nil
}

// Commitment returns a commitment the caller sees, with its places, or ENOTFOUND.
func (db *DB) Commitment(ctx context.Context, id string) (trygg.Commitment, error) {
	return byID(ctx, db, "commitment", id, readCommitment)
}

// SetCommitmentDone marks a commitment done or not done, and audits it.
func (db *DB) SetCommitmentDone(ctx context.Context, id string, done bool) (trygg.Commitment, error) {
	return db.UpdateCommitment(ctx, id, CommitmentUpdate{Done: &done})
}

// CommitmentUpdate changes some of a commitment's fields; nil leaves a field as it is.
// SetTarget sets the target to Target (nil: done / not done); Places replaces them all.
type CommitmentUpdate struct {
	Text         *string
	ActivityKind *string
	SetTarget    bool
	Target       *int
	Places       *[]trygg.CommitmentPlace
	Done         *bool
	DoneReason   *string
}

// UpdateCommitment changes a commitment the caller may write (ENOTFOUND for one it
// does not see) and audits it. A commitment without a target cannot be done without
// work that counts toward it (commitment_work) or a done_reason (ECONFLICT naming
// done_reason).
func (db *DB) UpdateCommitment(ctx context.Context, id string, u CommitmentUpdate) (trygg.Commitment, error) {
	if !isUUID(id) {
		return trygg.Commitment{}, trygg.Errorf(trygg.ENOTFOUND, "id", "no commitment has id %q", id)
	}
	var out trygg.Commitment
	err := db.inTx(ctx, "update commitment", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM commitment WHERE id = $1 FOR UPDATE`, id); err != nil {
			return wrap(err, "lock commitment")
		}
		before, err := readCommitment(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := mayWrite(ctx, before.Municipality); err != nil {
			return err
		}
		c := before
		if u.Text != nil {
			c.Text = *u.Text
		}
		if u.ActivityKind != nil {
			c.ActivityKind = *u.ActivityKind
		}
		if u.SetTarget {
			c.Target = u.Target
		}
		if u.Places != nil {
			c.Places = *u.Places
		}
		if u.Done != nil {
			c.Done = *u.Done
		}
		if u.DoneReason != nil {
			c.DoneReason = *u.DoneReason
		}
		if err := c.Validate(); err != nil {
			return err
		}
		if u.Done != nil || u.DoneReason != nil || u.SetTarget {
			if err := checkDone(ctx, tx, c); err != nil {
				return err
			}
		}
		var focus *string
		if c.FocusArea != "" {
			focus = &c.FocusArea
		}
		_, err = tx.Exec(ctx, `UPDATE commitment SET text = $2, activity_kind = $3, target_count = $4, done = $5,
			done_reason = $6, focus_area = $7, updated_at = now() WHERE id = $1`,
			id, c.Text, c.ActivityKind, c.Target, c.Done, c.DoneReason, focus)
		if err := refused(err, "commitment", "update commitment"); err != nil {
			return err
		}
		if u.Places != nil {
			if _, err := tx.Exec(ctx, `DELETE FROM commitment_place WHERE commitment_id = $1`, id); err != nil {
				return wrap(err, "replace commitment places")
			}
			for i := range c.Places {
				c.Places[i].ID = ""
			}
			if err := insertCommitmentPlaces(ctx, tx, c); err != nil {
				return err
			}
		}
		if out, err = readCommitment(ctx, tx, id); err != nil {
			return err
		}
		a, b := commitmentAudit(before), commitmentAudit(out)
		if u.Places != nil {
			a["place_names"], b["place_names"] = placeNames(before.Places), placeNames(out.Places)
		}
		return audit(ctx, tx, "commitment.update", "commitment", id, []string{out.Municipality}, a, b)
	})
	return out, err
}

func placeNames(ps []trygg.CommitmentPlace) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

// checkDone refuses (ECONFLICT, done_reason) a commitment without a target marked
// done with neither work that counts toward it nor a reason.
func checkDone(ctx context.Context, tx pgx.Tx, c trygg.Commitment) error {
	if !c.Done || c.Target != nil || c.DoneReason != "" {
		return nil
	}
	ok, err := hasWork(ctx, tx, c.ID)
	if err != nil || ok {
		return err
	}
	return trygg.Errorf(trygg.ECONFLICT, "done_reason",
		"a commitment without a target is done by linked work within the period, or with a done_reason saying why")
}

const activityColumns = `a.id, a.municipality_code, a.kind, a.party, a.starts_at, a.duration_minutes, a.count, ST_AsBinary(a.geom),
	coalesce(a.place_id::text, ''), a.notes, coalesce(a.created_by::text, ''), a.created_at, a.updated_at,
	ARRAY(SELECT ac.commitment_id::text FROM activity_commitment ac WHERE ac.activity_id = a.id ORDER BY 1)`

func scanActivity(row pgx.Row, extra ...any) (trygg.Activity, error) {
	var a trygg.Activity
	var g []byte
	dest := append([]any{&a.ID, &a.Municipality, &a.Kind, &a.Party, &a.StartsAt, &a.DurationMinutes, &a.Count, &g, &a.PlaceID,
		&a.Notes, &a.CreatedBy, &a.CreatedAt, &a.UpdatedAt, &a.CommitmentIDs}, extra...)
	if err := row.Scan(dest...); err != nil {
		return a, err
	}
	var err error
	a.Geometry, err = decodeGeometry(g)
	return a, err
}

// AddActivity stores an activity and links it to its commitments (a.CommitmentIDs), all
// of one municipality the caller may write, and audits it. Without a municipality the
// activity takes its commitments', or the caller's only one. It fills in a's id, author
// and times.
func (db *DB) AddActivity(ctx context.Context, a *trygg.Activity) error {
	if err := checkActivity(a); err != nil {
		return err
	}
	return db.inTx(ctx, "add activity", func(tx pgx.Tx) error {
		if err := addActivity(ctx, tx, a); err != nil {
			return err
		}
		return audit(ctx, tx, "activity.create", "activity", a.ID, []string{a.Municipality}, nil, activityAudit(*a))
	})
}

func checkActivity(a *trygg.Activity) error {
	if a.ID == "" {
		a.ID = uuid.NewString()
	}
	if err := a.Validate(); err != nil {
		return err
	}
	for _, id := range a.CommitmentIDs {
		if !isUUID(id) {
			return trygg.Errorf(trygg.ENOTFOUND, "commitment_ids", "no commitment has id %q", id)
		}
	}
	if a.PlaceID != "" && !isUUID(a.PlaceID) {
		return trygg.Errorf(trygg.EINVALID, "place_id", "no place has id %q", a.PlaceID)
	}
	return nil
}

func addActivity(ctx context.Context, tx pgx.Tx, a *trygg.Activity) error {
	ids := slices.Clone(a.CommitmentIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if ids == nil {
		ids = []string{}
	}
	g, err := geometryWKB(a.Geometry)
	if err != nil {
		return trygg.Errorf(trygg.EINVALID, "geometry", "cannot encode the place: %v", err)
	}
	var munis []string
	var found int
	if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(DISTINCT municipality_code), '{}'), count(*) FROM commitment
		WHERE id = ANY($1)`, ids).Scan(&munis, &found); err != nil {
		return wrap(err, "read commitments")
	}
	if found < len(ids) {
		return trygg.Errorf(trygg.ENOTFOUND, "commitment_ids", "some of the commitments do not exist")
	}
	switch {
	case len(munis) > 1:
		return trygg.Errorf(trygg.EINVALID, "commitment_ids", "the commitments are of several municipalities (%s)", strings.Join(munis, ", "))
	case a.Municipality == "" && len(munis) == 1:
		a.Municipality = munis[0]
	case a.Municipality == "":
		if c := trygg.CallerFrom(ctx); c != nil && len(c.User.Municipalities) == 1 {
			a.Municipality = c.User.Municipalities[0]
		} else {
			return trygg.Errorf(trygg.EINVALID, "municipality", "municipality is missing: name it or link a commitment")
		}
	case len(munis) == 1 && munis[0] != a.Municipality:
		return trygg.Errorf(trygg.EINVALID, "commitment_ids", "the commitments are of municipality %s, the activity of %s", munis[0], a.Municipality)
	}
	if err := mayWrite(ctx, a.Municipality); err != nil {
		return err
	}
	var placeID *string
	if a.PlaceID != "" {
		placeID = &a.PlaceID
	}
	if a.Count == 0 {
		a.Count = 1
	}
	_, err = tx.Exec(ctx, `INSERT INTO activity (id, municipality_code, kind, party, starts_at, duration_minutes, geom,
		place_id, notes, created_by, count) VALUES ($1, $2, $3, $4, $5, $6, ST_SetSRID(ST_GeomFromWKB($7), 4326), $8, $9, $10, $11)`,
		a.ID, a.Municipality, a.Kind, a.Party, a.StartsAt, a.DurationMinutes, g, placeID, a.Notes, callerID(ctx), a.Count)
	if err := refused(err, "activity", "write activity"); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO activity_commitment (activity_id, commitment_id, municipality_code)
		SELECT $1, c, $2 FROM unnest($3::uuid[]) c`, a.ID, a.Municipality, ids); err != nil {
		return refused(err, "activity", "link activity")
	}
	out, err := scanActivity(tx.QueryRow(ctx, `SELECT `+activityColumns+` FROM activity a WHERE a.id = $1`, a.ID))
	if err != nil {
		return wrap(err, "read activity")
	}
	*a = out
	return nil
}

// Activity returns an activity the caller sees, or ENOTFOUND.
func (db *DB) Activity(ctx context.Context, id string) (trygg.Activity, error) {
	return byID(ctx, db, "activity", id, func(ctx context.Context, tx pgx.Tx, id string) (trygg.Activity, error) {
		a, err := scanActivity(tx.QueryRow(ctx, `SELECT `+activityColumns+` FROM activity a WHERE a.id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return a, trygg.Errorf(trygg.ENOTFOUND, "id", "no activity has id %q", id)
		}
		return a, wrap(err, "read activity")
	})
}

// ActivityFilter selects activities; zero fields do not filter.
type ActivityFilter struct {
	Municipality string
	CommitmentID string
	PromiseID    string
	Kind         string
	From, To     *time.Time // starts_at within [From, To]
	Limit        int        // 1000 when 0
}

// Activities lists the activities the caller sees, latest first.
func (db *DB) Activities(ctx context.Context, f ActivityFilter) ([]trygg.Activity, error) {
	if (f.CommitmentID != "" && !isUUID(f.CommitmentID)) || (f.PromiseID != "" && !isUUID(f.PromiseID)) {
		return []trygg.Activity{}, nil // a malformed id names nothing
	}
	if f.Limit <= 0 {
		f.Limit = 1000
	}
	var out []trygg.Activity
	err := db.inTx(ctx, "list activities", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+activityColumns+` FROM activity a
			WHERE ($1 = '' OR a.municipality_code = $1)
			  AND ($2 = '' OR a.id IN (SELECT ac.activity_id FROM activity_commitment ac WHERE ac.commitment_id = $2::uuid))
			  AND ($3 = '' OR a.id IN (SELECT ac.activity_id FROM activity_commitment ac JOIN commitment c ON c.id = ac.commitment_id
			                           WHERE c.promise_id = $3::uuid))
			  AND ($4 = '' OR a.kind = $4)
			  AND ($5::timestamptz IS NULL OR a.starts_at >= $5) AND ($6::timestamptz IS NULL OR a.starts_at <= $6)
			ORDER BY a.starts_at DESC, a.id LIMIT $7`,
			f.Municipality, f.CommitmentID, f.PromiseID, f.Kind, f.From, f.To, f.Limit)
		if err != nil {
			return wrap(err, "list activities")
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.Activity, error) { return scanActivity(r) })
		return wrap(err, "list activities")
	})
	if out == nil {
		out = []trygg.Activity{}
	}
	return out, err
}

// Followup is a promise's follow-up (uppföljning): each commitment with its progress
// and the activities within the period. The public follow-up holds only published
// promises, no notes or authors, and no activities that have not started.
type Followup struct {
	Promise     trygg.Promise        `json:"promise"`
	Today       trygg.Date           `json:"today"`
	Public      bool                 `json:"public"`
	Commitments []CommitmentFollowup `json:"commitments"`
}

// CommitmentFollowup is one commitment in a follow-up: its progress counts Work (the
// view commitment_work); Activities are its activities within the period (the staff
// also see those planned).
type CommitmentFollowup struct {
	trygg.Commitment
	Progress   trygg.Progress           `json:"progress"`
	Activities []trygg.Activity         `json:"activities"`
	Work       []trygg.WorkItem         `json:"work"`
	RiskDates  []trygg.RiskDateCoverage `json:"risk_dates,omitempty"` // campaigns against risk dates (postgis/calendar.go)
}

// followup's sources: the tables (staff, under row-level security) or the public views.
type followupSource struct {
	promise, commitment, place, activity string
	commitmentIDs                        string // an activity's commitments
	work                                 string // the work that counts, alias cw
}

var (
	staffFollowup = followupSource{
		promise:    "promise p",
		commitment: "commitment c",
		place: `(SELECT cp.id, cp.commitment_id, cp.name, coalesce(cp.place_id::text, '') AS place_ref,
			coalesce(cp.gazetteer_id, 0) AS gazetteer_ref, cp.geom, cp.position FROM commitment_place cp) cp`,
		commitmentIDs: "ARRAY(SELECT ac2.commitment_id::text FROM activity_commitment ac2 WHERE ac2.activity_id = a.id ORDER BY 1)",
		work:          "commitment_work cw",
		// Every activity linked to the promise's commitments, with its link.
		activity: `(SELECT a.id, a.municipality_code, a.kind, a.party, a.starts_at, a.duration_minutes, a.count, a.geom, a.place_id,
			a.notes, a.created_by, a.created_at, a.updated_at, ac.commitment_id
			FROM activity a JOIN activity_commitment ac ON ac.activity_id = a.id) a`,
	}
	publicFollowup = followupSource{
		promise:    "public_promise p",
		commitment: "public_commitment c",
		// A named place shows its own geometry and name; the public sees no place ids.
		place: `(SELECT pp.id, pp.commitment_id, pp.name, '' AS place_ref, 0::bigint AS gazetteer_ref, pp.geom, pp.position
			FROM public_promise_place pp) cp`,
		commitmentIDs: "ARRAY[a.commitment_id::text]",
		work:          "public_commitment_work cw",
		activity: `(SELECT pa.id, pa.municipality_code, pa.kind, pa.party, pa.starts_at, pa.duration_minutes, pa.count, pa.geom,
			NULL::uuid AS place_id, '' AS notes, NULL::uuid AS created_by, NULL::timestamptz AS created_at,
			NULL::timestamptz AS updated_at, pa.commitment_id FROM public_activity pa) a`,
	}
)

// Followup computes the follow-up of a promise: for each commitment the activities
// linked to it that started within the promise's period (days in Swedish time) and by
// now, counted in one statement, and its progress against the target and the pace.
// public reads the public views (published promises only, whoever asks); otherwise
// the caller's scope applies.
func (db *DB) Followup(ctx context.Context, promiseID string, public bool) (Followup, error) {
	f := Followup{Public: public}
	if !isUUID(promiseID) {
		return f, trygg.Errorf(trygg.ENOTFOUND, "id", "no promise has id %q", promiseID)
	}
	src := staffFollowup
	if public {
		src = publicFollowup
	}
	err := db.inTx(ctx, "follow up promise", func(tx pgx.Tx) error {
		var now time.Time
		p, err := scanPromise(tx.QueryRow(ctx, `SELECT `+promiseCols(public)+` FROM `+src.promise+` WHERE p.id = $1`, promiseID))
		if errors.Is(err, pgx.ErrNoRows) {
			return trygg.Errorf(trygg.ENOTFOUND, "id", "no promise has id %q", promiseID)
		}
		if err != nil {
			return wrap(err, "read promise")
		}
		if err := tx.QueryRow(ctx, `SELECT now()`).Scan(&now); err != nil {
			return wrap(err, "read clock")
		}
		f.Promise, f.Today = p, trygg.Today(now)

		// The commitments with the count of the work within the period, by now: one
		// view (commitment_work) says what counts, summed in SQL.
		inPeriod := `(a.starts_at AT TIME ZONE 'Europe/Stockholm')::date BETWEEN p.period_start AND p.period_end`
		rows, err := tx.Query(ctx, `SELECT `+commitmentColumns+`, c.created_at, c.updated_at,
			coalesce((SELECT sum(cw.count) FROM `+src.work+` WHERE cw.commitment_id = c.id), 0)::int
			FROM `+src.commitment+`
			WHERE c.promise_id = $1
			ORDER BY c.position, c.created_at, c.id`, promiseID)
		if err != nil {
			return wrap(err, "count work")
		}
		cfs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CommitmentFollowup, error) {
			var created, updated time.Time
			var achieved int
			c, err := scanCommitment(r, &created, &updated, &achieved)
			c.CreatedAt, c.UpdatedAt = created, updated
			cf := CommitmentFollowup{Commitment: c}
			cf.Places = []trygg.CommitmentPlace{}
			cf.Activities = []trygg.Activity{}
			cf.Work = []trygg.WorkItem{}
			cf.Progress = trygg.ProgressOf(c, achieved, c.Done, p.PeriodStart, p.PeriodEnd, f.Today)
			return cf, err
		})
		if err != nil {
			return wrap(err, "count work")
		}
		byID := map[string]*CommitmentFollowup{}
		ids := make([]string, len(cfs))
		for i := range cfs {
			byID[cfs[i].ID] = &cfs[i]
			ids[i] = cfs[i].ID
		}
		places, err := readCommitmentPlaces(ctx, tx, src.place, ids)
		if err != nil {
			return err
		}
		for id, ps := range places {
			byID[id].Places = ps
		}

		// The activities within the period (the staff also see those planned).
		rows, err = tx.Query(ctx, `SELECT a.id, a.municipality_code, a.kind, a.party, a.starts_at, a.duration_minutes, a.count,
			ST_AsBinary(a.geom), coalesce(a.place_id::text, ''), a.notes, coalesce(a.created_by::text, ''),
			coalesce(a.created_at, a.starts_at), coalesce(a.updated_at, a.starts_at), `+src.commitmentIDs+`, a.commitment_id::text
			FROM `+src.activity+` JOIN `+src.promise+` ON p.id = $1
			WHERE a.commitment_id = ANY($2) AND `+inPeriod+`
			ORDER BY a.starts_at, a.id`, promiseID, ids)
		if err != nil {
			return wrap(err, "read activities")
		}
		defer rows.Close()
		for rows.Next() {
			var cid string
			a, err := scanActivity(rows, &cid)
			if err != nil {
				return wrap(err, "read activity")
			}
			if public {
				a.CommitmentIDs = nil
			}
			byID[cid].Activities = append(byID[cid].Activities, a)
		}
		if err := rows.Err(); err != nil {
			return wrap(err, "read activities")
		}
		rows.Close()

		// The work that counts, each piece under its commitment.
		rows, err = tx.Query(ctx, `SELECT cw.commitment_id::text, cw.kind, cw.id::text, cw.on_date, cw.until_date, cw.count,
			coalesce(cw.title, '') FROM `+src.work+` WHERE cw.promise_id = $1 ORDER BY cw.at, cw.kind, cw.id`, promiseID)
		if err != nil {
			return wrap(err, "read work")
		}
		defer rows.Close()
		for rows.Next() {
			var cid string
			var w trygg.WorkItem
			var on time.Time
			var until *time.Time
			if err := rows.Scan(&cid, &w.Kind, &w.ID, &on, &until, &w.Count, &w.Title); err != nil {
				return wrap(err, "read work")
			}
			w.Date, w.Until = trygg.Date{Time: on}, dateOf(until)
			if !public {
				w.Link = workPage(w.Kind, w.ID)
			}
			if cf := byID[cid]; cf != nil {
				cf.Work = append(cf.Work, w)
			}
		}
		if err := rows.Err(); err != nil {
			return wrap(err, "read work")
		}
		f.Commitments = cfs
		return followupRiskDates(ctx, tx, &f, now)
	})
	return f, err
}
