package postgis

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/trygg-gis/trygg"
)

// MaxBulkModeration is the most reports one bulk decision touches.
const MaxBulkModeration = 5000

// BulkFilter selects pending (received) reports for a bulk decision. There is no import
// batch id in the schema: an import is its source and its time window (created_at).
type BulkFilter struct {
	Municipality string
	Source       string
	Category     string
	BBox         []float64 // lon/lat: west, south, east, north; empty for none
	From, To     time.Time // created_at window (an import's time)
}

// BulkResult counts what a bulk decision did.
type BulkResult struct {
	Changed int // published or rejected
	Skipped int // not pending (or not this caller's to moderate)
}

// BulkModerate applies one publish or reject decision to many reports in one
// transaction, each through the single-report path (checks, status history, one audit
// entry per report). With ids, reports the caller cannot see (row-level security) are
// ENOTFOUND when none is found; with a filter, only received reports in the caller's
// scope are chosen.
func (db *DB) BulkModerate(ctx context.Context, ids []string, f *BulkFilter, m Moderation) (BulkResult, error) {
	var res BulkResult
	if len(ids) > MaxBulkModeration {
		return res, trygg.Errorf(trygg.EINVALID, "ids", "at most %d reports at a time", MaxBulkModeration)
	}
	seen := make(map[string]bool, len(ids))
	uniq := ids[:0:0]
	for _, id := range ids {
		if !isUUID(id) {
			return res, trygg.Errorf(trygg.EINVALID, "ids", "%q is not a report id", id)
		}
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	ids = uniq
	err := db.inTx(ctx, "bulk moderate", func(tx pgx.Tx) error {
		var q string
		var args []any
		if f == nil {
			q = `SELECT r.id::text, r.status = 'received' FROM report r WHERE r.id = ANY($1::uuid[]) ORDER BY r.id FOR UPDATE`
			args = []any{ids}
		} else {
			where := []string{"r.status = 'received'"}
			arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
			if f.Municipality != "" {
				where = append(where, "r.municipality_code = "+arg(f.Municipality))
			}
			if f.Source != "" {
				where = append(where, "r.source = "+arg(f.Source))
			}
			if f.Category != "" {
				where = append(where, "r.categories @> ARRAY["+arg(f.Category)+"::text]") // any of its reasons
			}
			if len(f.BBox) == 4 {
				where = append(where, fmt.Sprintf("r.geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)",
					arg(f.BBox[0]), arg(f.BBox[1]), arg(f.BBox[2]), arg(f.BBox[3])))
			}
			if !f.From.IsZero() {
				where = append(where, "r.created_at >= "+arg(f.From))
			}
			if !f.To.IsZero() {
				where = append(where, "r.created_at <= "+arg(f.To))
			}
			// The reports are found through scoped_report, whose bbox test the GiST index
			// answers (under row-level security it could not: migration 34), then locked
			// in the table; the conditions again on the locked rows, so a report decided by
			// someone else meanwhile is left out.
			w := strings.Join(where, " AND ")
			q = `SELECT r.id::text, true FROM report r WHERE r.id IN (SELECT r.id FROM scoped_report r WHERE ` + w +
				fmt.Sprintf(` ORDER BY r.created_at, r.id LIMIT %d) AND `, MaxBulkModeration) + w + ` ORDER BY r.created_at, r.id FOR UPDATE`
		}
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return wrap(err, "select reports")
		}
		type pick struct {
			id      string
			pending bool
		}
		picks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pick, error) {
			var p pick
			return p, r.Scan(&p.id, &p.pending)
		})
		if err != nil {
			return wrap(err, "select reports")
		}
		if f == nil && len(picks) == 0 && len(ids) > 0 {
			return trygg.Errorf(trygg.ENOTFOUND, "ids", "no report of these ids is yours to moderate")
		}
		if f == nil {
			res.Skipped = len(ids) - len(picks) // ids the caller does not see
		}
		for _, p := range picks {
			if !p.pending {
				res.Skipped++
				continue
			}
			err := moderateTx(ctx, tx, p.id, m)
			if trygg.ErrorCode(err) == trygg.EFORBIDDEN && f != nil {
				res.Skipped++ // e.g. a planner's filter matched residents' reports
				continue
			}
			if err != nil {
				return err
			}
			res.Changed++
		}
		return nil
	})
	if err != nil {
		return BulkResult{}, err
	}
	return res, nil
}
