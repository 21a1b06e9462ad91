package postgis

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/trygg-gis/trygg"
)

// begin starts a transaction that carries the caller's scope (trygg.CallerFrom(ctx)):
// the municipalities it serves, its user id and its organisation, read by the row-level
// security policies. The public has neither, and sees only what is public.
func (db *DB) begin(ctx context.Context) (pgx.Tx, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return nil, wrap(err, "begin")
	}
	var munis, userID, orgID string
	if c := trygg.CallerFrom(ctx); c != nil {
		munis = strings.Join(c.User.Municipalities, ",")
		userID = c.User.ID
		orgID = c.User.Organisation.ID
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('trygg.municipalities', $1, true), set_config('trygg.user_id', $2, true),
		set_config('trygg.organisation_id', $3, true)`, munis, userID, orgID); err != nil {
		tx.Rollback(ctx) //nolint:errcheck // the error that matters is err
		return nil, wrap(err, "set scope")
	}
	return tx, nil
}

// inTx runs fn in a scoped transaction and commits if it returns nil.
func (db *DB) inTx(ctx context.Context, doing string, fn func(tx pgx.Tx) error) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	return wrap(tx.Commit(ctx), "commit "+doing)
}

// byID reads one row of a kind ("walk", "action", …) by id in a scoped transaction with
// read; an id that is not a UUID is ENOTFOUND without asking the database.
func byID[T any](ctx context.Context, db *DB, kind, id string, read func(context.Context, pgx.Tx, string) (T, error)) (T, error) {
	var v T
	if !isUUID(id) {
		return v, trygg.Errorf(trygg.ENOTFOUND, "id", "no %s has id %q", kind, id)
	}
	err := db.inTx(ctx, "read "+kind, func(tx pgx.Tx) error {
		var err error
		v, err = read(ctx, tx, id)
		return err
	})
	return v, err
}

// audit appends an entry for a staff write to the audit log, in the write's own
// transaction: the change and its record commit together or not at all.
func audit(ctx context.Context, tx pgx.Tx, action, entity, entityID string, munis []string, before, after any) error {
	var actorID *string
	actor := "system"
	if c := trygg.CallerFrom(ctx); c != nil {
		switch {
		case c.User.ID != "":
			actorID, actor = &c.User.ID, c.User.Email
		case c.Actor != "":
			actor = c.Actor
		}
	}
	if munis == nil {
		munis = []string{}
	}
	b, err := jsonOrNil(before)
	if err != nil {
		return err
	}
	a, err := jsonOrNil(after)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO audit_log (actor_id, actor, action, entity, entity_id, municipalities, before, after)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, actorID, actor, action, entity, entityID, munis, b, a)
	return wrap(err, "write audit log")
}

func jsonOrNil(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}
