// Package postgis is Trygg's store: every query to PostgreSQL/PostGIS lives here. Each
// exported method takes the caller's context first, so a request's deadline and
// cancellation reach the database; set-based spatial work (joins, transforms, validity,
// later tiles and grids) is done in SQL here.
package postgis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/migrations"
)

// DB is the PostGIS store, a pool of connections.
type DB struct {
	pool   *pgxpool.Pool
	closed atomic.Bool

	gridM float64

	catOnce    sync.Once
	categories []trygg.Category
	catErr     error
}

// Options tune Open.
type Options struct {
	// StatementTimeout is set as PostgreSQL's statement_timeout on every connection,
	// so the server itself stops a statement that runs too long. Zero leaves the
	// server's setting.
	StatementTimeout time.Duration
	// ApplicationName shows in pg_stat_activity.
	ApplicationName string
	// Role, if set, is the database user the pool connects as instead of the URL's:
	// the server connects as AppRole, which row-level security applies to.
	Role         string
	RolePassword string
	// PublicGridM is the cell size public positions of staff-entered points (walk
	// observations) snap to; 0 means DefaultPublicGridM.
	PublicGridM float64
	// MaxConns is the largest size of the pool; 0 means DefaultMaxConns() (a
	// pool_max_conns in the URL overrides both).
	MaxConns int32
	// BoundaryToleranceM is how far, in metres, a report may lie outside every stored
	// boundary and still belong to the nearest municipality (report_municipality,
	// migrations/00022_gazetteer.sql); 0 means DefaultBoundaryToleranceM and a
	// negative value NoBoundaryTolerance.
	BoundaryToleranceM float64
	// Mail turns on the outbox of e-mails to reporters (migration 32): with it, the
	// pool's sessions set trygg.mail = on and changes queue their mails; without it
	// (no TRYGG_SMTP_URL) nothing is queued.
	Mail bool
}

// DefaultBoundaryToleranceM is the default boundary tolerance: SCB's generalised
// boundaries cut the coast by several hundred metres.
const DefaultBoundaryToleranceM = 1000

// NoBoundaryTolerance, as Options.BoundaryToleranceM, accepts no report outside the
// boundaries.
const NoBoundaryTolerance = -1

// DefaultMaxConns is the default pool size: 4 connections per core the Go runtime
// uses, at least 8. pgxpool's own default (the number of cores, at least 4) let four
// slow requests hold the whole pool of a 2-core server.
func DefaultMaxConns() int32 { return int32(max(8, 4*runtime.GOMAXPROCS(0))) }

// DefaultPublicGridM is the default public grid, in metres of SWEREF 99 TM.
const DefaultPublicGridM = 50

// AppRole is the database role the server connects as. It owns nothing and cannot
// bypass row-level security; migrations create it and grant it what it needs.
const AppRole = "trygg_app"

// Open connects to the database at url (a PostgreSQL URL or key=value string) and
// checks that it answers.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgis: parse database url: %w", err)
	}
	if opts.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(opts.StatementTimeout.Milliseconds())
	}
	// Trygg's statements are short and prepared once: JIT compiling one (hundreds of
	// milliseconds for a tile over many reports) costs more than it saves.
	cfg.ConnConfig.RuntimeParams["jit"] = "off"
	if cfg.ConnConfig.ConnectTimeout == 0 { // connect_timeout in the URL overrides
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	if opts.Role != "" {
		cfg.ConnConfig.User, cfg.ConnConfig.Password = opts.Role, opts.RolePassword
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = opts.MaxConns
		if cfg.MaxConns <= 0 {
			cfg.MaxConns = DefaultMaxConns()
		}
	}
	if opts.ApplicationName != "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = opts.ApplicationName
	}
	grid := opts.PublicGridM
	if grid <= 0 {
		grid = DefaultPublicGridM
	}
	// The grid the store's reports snap to, for the public precision (report_public_grid,
	// migrations/00018_staff_sources.sql).
	cfg.ConnConfig.RuntimeParams["trygg.public_grid_m"] = strconv.FormatFloat(grid, 'f', -1, 64)
	tol := opts.BoundaryToleranceM
	switch {
	case tol == 0:
		tol = DefaultBoundaryToleranceM
	case tol < 0:
		tol = 0
	}
	// The one place the tolerance reaches SQL (boundary_tolerance_m, migration 22).
	cfg.ConnConfig.RuntimeParams["trygg.boundary_tolerance_m"] = strconv.FormatFloat(tol, 'f', -1, 64)
	if opts.Mail {
		cfg.ConnConfig.RuntimeParams["trygg.mail"] = "on" // read by mail_enqueue (migration 32)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgis: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgis: connect: %w", err)
	}
	return &DB{pool: pool, gridM: grid}, nil
}

// Close closes all connections.
func (db *DB) Close() { db.closed.Store(true); db.pool.Close() }

// Closed reports whether Close was called.
func (db *DB) Closed() bool { return db.closed.Load() }

// Ping checks that the database answers: a connection from the pool (a new one if
// none is idle) and a round trip.
func (db *DB) Ping(ctx context.Context) error { return wrap(db.pool.Ping(ctx), "ping") }

// Pool returns the pool, for metrics.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Ready reports whether the database answers and has every migration applied.
func (db *DB) Ready(ctx context.Context) error {
	var version int64
	err := db.pool.QueryRow(ctx,
		`SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&version)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
			return trygg.Errorf(EUNAVAILABLE, "", "database is not migrated")
		}
		return wrap(err, "check schema version")
	}
	if want := migrations.Latest(); version < want {
		return trygg.Errorf(EUNAVAILABLE, "", "database is at schema version %d, want %d", version, want)
	}
	return nil
}

// EUNAVAILABLE is repeated here so the store's files read naturally.
const EUNAVAILABLE = trygg.EUNAVAILABLE

// wrap turns database errors into trygg errors: a cancelled or timed-out statement,
// and a database that cannot be reached (Unreachable), become EUNAVAILABLE; anything
// else stays internal (with what was being done).
func wrap(err error, doing string) error {
	if err == nil {
		return nil
	}
	if Unreachable(err) {
		return &unavailable{doing: doing, err: err, down: true}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57014": // query_canceled: statement_timeout or a cancel request
			return &unavailable{doing: doing, err: err}
		case "53300": // too many connections
			return &unavailable{doing: doing, err: err}
		}
	}
	// A deadline that passed, or a caller that went away (a client that hung up).
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || pgconn.Timeout(err) {
		return &unavailable{doing: doing, err: err}
	}
	return fmt.Errorf("postgis: %s: %w", doing, err)
}

// Unreachable reports whether err says the database cannot be reached or went away:
// a connection that could not be made (pgconn.ConnectError, unless the caller gave
// up), a connection that broke (EOF, reset, a closed conn, any network error other
// than a timeout), PostgreSQL's connection exceptions (class 08) and its shutdown
// codes (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now).
// A timeout or a cancelled context is not: the database may merely be slow.
func Unreachable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var u *unavailable
	if errors.As(err, &u) {
		return u.down
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return false
	}
	if errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && !ne.Timeout()
}

// unavailable is a database failure that is not the caller's fault and may pass:
// the database was too slow, or (down) could not be reached.
type unavailable struct {
	doing string
	err   error
	down  bool
}

func (u *unavailable) Error() string { return fmt.Sprintf("postgis: %s: %v", u.doing, u.err) }
func (u *unavailable) Unwrap() []error {
	if u.down {
		return []error{u.err, errDown}
	}
	return []error{u.err, errSlow}
}

var (
	errSlow = trygg.Errorf(EUNAVAILABLE, "", "the database did not answer in time; try again")
	errDown = trygg.Errorf(EUNAVAILABLE, "", "the database is unavailable; try again shortly")
)

// isUniqueViolation reports whether err is a unique_violation of the named constraint.
func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

// refusal is the error for a value the database refused in a write of a what ("report",
// "walk"): a check, a duplicate, a missing reference, an invalid geometry. It names the
// field at fault in plain words: PostgreSQL's messages and details name constraints,
// relations and columns, and never reach users.
func refusal(pgErr *pgconn.PgError, what, field string) error {
	subject := field
	if field == "" || field == "body" {
		field, subject = "body", "one of its values"
	}
	var msg string
	switch code := pgErr.Code; {
	case code == "23505": // unique_violation
		return trygg.Errorf(trygg.ECONFLICT, field, "the %s was refused: %s is already used", what, subject)
	case code == "23503": // foreign_key_violation
		msg = "%s refers to something that does not exist"
	case code == "23502": // not_null_violation
		msg = "%s is missing"
	case code == "22001": // string_data_right_truncation
		msg = "%s is too long"
	case code == "23514" || code == "23P01": // check_violation, exclusion_violation
		msg = "%s is not allowed: it is out of range, too long or not one of the values it may have"
	case code == "XX000" || strings.HasPrefix(code, "22"): // PostGIS' geometry errors, data exceptions
		msg = "%s is not a value the database can store (an invalid geometry or number)"
	default:
		msg = "%s is not allowed"
	}
	return trygg.Errorf(trygg.EINVALID, field, "the %s was refused: "+msg, what, subject)
}
