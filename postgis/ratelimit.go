package postgis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Limit is a rate limit on one kind of request (Bucket) from one client (Key, an
// address): N requests at once, refilled evenly over Window. It lives in the UNLOGGED
// table rate_limit (migration 00016), so every server shares it and a restart keeps
// it. A zero N or Window is no limit.
type Limit struct {
	Bucket string
	Key    string
	N      int
	Window time.Duration
}

func (l Limit) on() bool { return l.N > 0 && l.Window > 0 }

// LimitError is a request a Limit refused: the client may try again after RetryAfter.
type LimitError struct {
	Bucket     string
	RetryAfter time.Duration
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("postgis: rate limit %s: retry after %v", e.Bucket, e.RetryAfter)
}

// Take takes one request from each limit in one round trip, all or none: the first
// that refuses is a *LimitError and nothing is taken.
func (db *DB) Take(ctx context.Context, limits ...Limit) error {
	checks := rateChecks(limits)
	if len(checks) == 1 {
		_, err := db.pool.Exec(ctx, checks[0].sql, checks[0].args...)
		return limitErr(checks[0].limit, err)
	}
	return db.limited(ctx, checks, "", nil, nil)
}

// rateCheck is a statement that raises TR429 when limit refuses.
type rateCheck struct {
	limit Limit
	sql   string
	args  []any
}

func rateChecks(limits []Limit) []rateCheck {
	var out []rateCheck
	for _, l := range limits {
		if l.on() {
			out = append(out, rateCheck{l, `SELECT rate_check($1, $2, $3, $4)`, []any{l.Bucket, l.Key, l.N, l.Window}})
		}
	}
	return out
}

// limited runs the checks and then sql in one pipeline: one round trip and one
// implicit transaction, so a refusal skips sql and an error in sql gives the requests
// back. scan reads sql's row; sql "" is none.
func (db *DB) limited(ctx context.Context, checks []rateCheck, sql string, args []any, scan func(pgx.Row) error) (err error) {
	if len(checks) == 0 {
		if sql == "" {
			return nil
		}
		return scan(db.pool.QueryRow(ctx, sql, args...))
	}
	b := &pgx.Batch{}
	for _, c := range checks {
		b.Queue(c.sql, c.args...)
	}
	if sql != "" {
		b.Queue(sql, args...)
	}
	br := db.pool.SendBatch(ctx, b)
	defer func() {
		if cerr := br.Close(); err == nil && cerr != nil {
			err = wrap(cerr, "rate limit")
		}
	}()
	for _, c := range checks {
		if _, err := br.Exec(); err != nil {
			return limitErr(c.limit, err)
		}
	}
	if sql == "" {
		return nil
	}
	return scan(br.QueryRow())
}

// limitErr turns rate_check's TR429 into a *LimitError.
func limitErr(l Limit, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "TR429" {
		secs, perr := strconv.ParseFloat(pgErr.Detail, 64)
		if perr != nil || secs <= 0 {
			secs = l.Window.Seconds() / float64(l.N)
		}
		return &LimitError{Bucket: l.Bucket, RetryAfter: time.Duration(secs * float64(time.Second))}
	}
	return wrap(err, "rate limit "+l.Bucket)
}

func isLimit(err error) bool {
	var le *LimitError
	return errors.As(err, &le)
}
