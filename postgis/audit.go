package postgis

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/trygg-gis/trygg"
)

// AuditLog returns audit entries the caller sees (row-level security: entries touching
// its municipalities, and its own entries that touch none), newest first.
func (db *DB) AuditLog(ctx context.Context, f trygg.AuditFilter) ([]trygg.AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Entity != "" {
		add("entity = $%d", f.Entity)
	}
	if f.EntityID != "" {
		add("entity_id = $%d", f.EntityID)
	}
	if f.Municipality != "" {
		add("municipalities @> ARRAY[$%d]::text[]", f.Municipality) // uses the GIN index
	}
	if !f.From.IsZero() {
		add("at >= $%d", f.From)
	}
	if !f.To.IsZero() {
		add("at < $%d", f.To)
	}
	if f.BeforeID > 0 {
		add("id < $%d", f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q := `SELECT id, at, coalesce(actor_id::text, ''), actor, action, entity, entity_id, municipalities, before, after
		FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit)

	var entries []trygg.AuditEntry
	err := db.inTx(ctx, "read audit log", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return wrap(err, "read audit log")
		}
		entries, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.AuditEntry, error) {
			var e trygg.AuditEntry
			var before, after []byte
			err := r.Scan(&e.ID, &e.At, &e.ActorID, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Municipalities, &before, &after)
			if before != nil {
				e.Before = json.RawMessage(before)
			}
			if after != nil {
				e.After = json.RawMessage(after)
			}
			return e, err
		})
		return wrap(err, "read audit log")
	})
	return entries, err
}
