package postgis

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// DeleteByActor deletes, in one transaction, what an operator tool wrote as actor (the
// demo's living data): the entities its audit entries name (patrol plans, activities,
// actions, hotspot runs, cameras, walks and dialogues, with what hangs off them) and
// every report whose status history it began; and the promises of promiseIDs with
// their commitments and the activities linked to them (promises are loaded without
// audit entries). The audit entries stay: the log is append-only. It returns the
// number of reports deleted. Run as the database's owner: row-level security would
// hide other municipalities' rows from a scoped caller.
func (db *DB) DeleteByActor(ctx context.Context, actor string, promiseIDs []string) (int64, error) {
	var reports int64
	err := db.inTx(ctx, "delete demo data", func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		// The ids of one kind of entity the actor's audit entries name ($1 actor, $2 entity).
		const in = `(SELECT DISTINCT entity_id FROM audit_log WHERE actor = $1 AND entity = $2)`
		b.Queue(`DELETE FROM patrol_plan WHERE id::text IN `+in, actor, "patrol_plan")
		b.Queue(`DELETE FROM action WHERE id::text IN `+in, actor, "action")
		b.Queue(`DELETE FROM activity WHERE id::text IN `+in, actor, "activity")
		b.Queue(`DELETE FROM activity WHERE id IN (SELECT ac.activity_id FROM activity_commitment ac
			JOIN commitment c ON c.id = ac.commitment_id WHERE c.promise_id::text = ANY($1))`, promiseIDs)
		b.Queue(`DELETE FROM promise WHERE id::text = ANY($1)`, promiseIDs)
		b.Queue(`DELETE FROM hotspot_run WHERE id::text IN `+in, actor, "hotspot_run")
		b.Queue(`DELETE FROM camera_site WHERE id::text IN `+in, actor, "camera")
		b.Queue(`DELETE FROM walk WHERE id::text IN `+in, actor, "walk")
		b.Queue(`DELETE FROM dialogue WHERE id::text IN `+in, actor, "dialogue")
		b.Queue(`DELETE FROM report WHERE id IN (SELECT report_id FROM report_status WHERE actor = $1)`, actor)
		res := tx.SendBatch(ctx, b)
		for i := 0; i < b.Len(); i++ {
			tag, err := res.Exec()
			if err != nil {
				res.Close()
				return wrap(err, "delete demo data")
			}
			reports = tag.RowsAffected() // the last statement's
		}
		return wrap(res.Close(), "delete demo data")
	})
	return reports, err
}
