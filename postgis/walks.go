package postgis

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"
	orbwkb "github.com/paulmach/orb/encoding/wkb"
	"github.com/trygg-gis/trygg"
	"github.com/twpayne/go-geom"
	geomwkb "github.com/twpayne/go-geom/encoding/wkb"
)

// routeWKB encodes a walk's route: a LINESTRINGM with Unix seconds as M when the route
// has times (orb has no M; go-geom does), a plain LINESTRING otherwise; nil for none.
func routeWKB(w trygg.Walk) ([]byte, error) {
	if len(w.Route) == 0 {
		return nil, nil
	}
	if len(w.RouteTimes) == 0 {
		return orbwkb.Marshal(w.Route)
	}
	flat := make([]float64, 0, 3*len(w.Route))
	for i, p := range w.Route {
		flat = append(flat, p[0], p[1], float64(w.RouteTimes[i].UnixMilli())/1000)
	}
	return geomwkb.Marshal(geom.NewLineStringFlat(geom.XYM, flat), binary.LittleEndian)
}

// decodeRoute reads ST_AsBinary of a route into points and, for a LINESTRINGM, times.
func decodeRoute(b []byte) (orb.LineString, []time.Time, error) {
	if b == nil {
		return nil, nil, nil
	}
	g, err := geomwkb.Unmarshal(b)
	if err != nil {
		return nil, nil, err
	}
	ls, ok := g.(*geom.LineString)
	if !ok {
		return nil, nil, fmt.Errorf("route is a %T", g)
	}
	line := make(orb.LineString, ls.NumCoords())
	var times []time.Time
	for i := range line {
		c := ls.Coord(i)
		line[i] = orb.Point{c.X(), c.Y()}
		if ls.Layout() == geom.XYM {
			times = append(times, time.UnixMilli(int64(c[geom.XYM.MIndex()]*1000)).UTC())
		}
	}
	return line, times, nil
}

const walkColumns = `w.id, w.municipality_code, w.title, ST_AsBinary(w.area), ST_AsBinary(w.route), w.starts_at, w.ends_at,
	w.dark, w.organisers, w.participants, w.status, w.notes, w.created_at, w.updated_at,
	ARRAY(SELECT lc.commitment_id::text FROM walk_commitment lc WHERE lc.walk_id = w.id ORDER BY 1)`

func scanWalk(row pgx.Row) (trygg.Walk, error) {
	var w trygg.Walk
	var area, route []byte
	if err := row.Scan(&w.ID, &w.Municipality, &w.Title, &area, &route, &w.StartsAt, &w.EndsAt, &w.Dark,
		&w.Organisers, &w.Participants, &w.Status, &w.Notes, &w.CreatedAt, &w.UpdatedAt, &w.CommitmentIDs); err != nil {
		return w, err
	}
	if area != nil {
		g, err := orbwkb.Unmarshal(area)
		if err != nil {
			return w, err
		}
		w.Area, _ = g.(orb.Polygon)
	}
	var err error
	w.Route, w.RouteTimes, err = decodeRoute(route)
	return w, err
}

// CreateWalk stores a new walk in a municipality the caller serves, and audits it.
func (db *DB) CreateWalk(ctx context.Context, w trygg.Walk) (trygg.Walk, error) {
	if w.ID == "" {
		w.ID = uuid.NewString()
	}
	if w.Status == "" {
		w.Status = trygg.WalkPlanned
	}
	if err := w.Validate(); err != nil {
		return w, err
	}
	if err := mayWrite(ctx, w.Municipality); err != nil {
		return w, err
	}
	var out trygg.Walk
	err := db.inTx(ctx, "create walk", func(tx pgx.Tx) error {
		if err := writeWalk(ctx, tx, w, true); err != nil {
			return err
		}
		if err := setWorkLinks(ctx, tx, walkLinks, w.ID, w.Municipality, w.CommitmentIDs); err != nil {
			return err
		}
		var err error
		if out, err = readWalk(ctx, tx, w.ID); err != nil {
			return err
		}
		return audit(ctx, tx, "walk.create", "walk", w.ID, []string{w.Municipality}, nil, walkAudit(out))
	})
	return out, err
}

// UpdateWalk replaces a walk's fields (not its municipality), and audits it.
func (db *DB) UpdateWalk(ctx context.Context, w trygg.Walk) (trygg.Walk, error) {
	if !isUUID(w.ID) {
		return w, trygg.Errorf(trygg.ENOTFOUND, "id", "no walk has id %q", w.ID)
	}
	var out trygg.Walk
	err := db.inTx(ctx, "update walk", func(tx pgx.Tx) error {
		before, err := readWalk(ctx, tx, w.ID)
		if err != nil {
			return err
		}
		w.Municipality = before.Municipality
		if err := w.Validate(); err != nil {
			return err
		}
		if err := writeWalk(ctx, tx, w, false); err != nil {
			return err
		}
		if err := setWorkLinks(ctx, tx, walkLinks, w.ID, w.Municipality, w.CommitmentIDs); err != nil {
			return err
		}
		if out, err = readWalk(ctx, tx, w.ID); err != nil {
			return err
		}
		return audit(ctx, tx, "walk.update", "walk", w.ID, []string{w.Municipality}, walkAudit(before), walkAudit(out))
	})
	return out, err
}

func walkAudit(w trygg.Walk) map[string]any {
	return map[string]any{"title": w.Title, "status": w.Status, "starts_at": w.StartsAt, "ends_at": w.EndsAt,
		"dark": w.Dark, "organisers": w.Organisers, "participants": w.Participants, "notes": w.Notes,
		"route_points": len(w.Route), "route_timed": len(w.RouteTimes) > 0, "area": len(w.Area) > 0,
		"commitment_ids": w.CommitmentIDs}
}

func writeWalk(ctx context.Context, tx pgx.Tx, w trygg.Walk, insert bool) error {
	route, err := routeWKB(w)
	if err != nil {
		return trygg.Errorf(trygg.EINVALID, "route", "cannot encode the route: %v", err)
	}
	var area []byte
	if len(w.Area) > 0 {
		if area, err = orbwkb.Marshal(w.Area); err != nil {
			return trygg.Errorf(trygg.EINVALID, "area", "cannot encode the area: %v", err)
		}
	}
	if w.Organisers == nil {
		w.Organisers = []string{}
	}
	if w.Participants == nil {
		w.Participants = map[string]int{}
	}
	q := `UPDATE walk SET title = $3, area = ST_SetSRID(ST_GeomFromWKB($4), 4326), route = ST_SetSRID(ST_GeomFromWKB($5), 4326),
		starts_at = $6, ends_at = $7, dark = $8, organisers = $9, participants = $10, status = $11, notes = $12,
		updated_at = now() WHERE id = $1 AND municipality_code = $2`
	if insert {
		q = `INSERT INTO walk (id, municipality_code, title, area, route, starts_at, ends_at, dark, organisers,
			participants, status, notes, created_by)
			VALUES ($1, $2, $3, ST_SetSRID(ST_GeomFromWKB($4), 4326), ST_SetSRID(ST_GeomFromWKB($5), 4326),
			$6, $7, $8, $9, $10, $11, $12, $13)`
	}
	args := []any{w.ID, w.Municipality, w.Title, area, route, w.StartsAt, w.EndsAt, w.Dark, w.Organisers,
		w.Participants, w.Status, w.Notes}
	if insert {
		args = append(args, callerID(ctx))
	}
	_, err = tx.Exec(ctx, q, args...)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "23514" || pgErr.Code == "XX000" || pgErr.Code == "22023") {
		return refusal(pgErr, "walk", walkField(pgErr.ConstraintName))
	}
	return wrap(err, "write walk")
}

func walkField(constraint string) string {
	for _, f := range []string{"area", "route", "ends_at", "title", "notes", "participants", "status"} {
		if strings.Contains(constraint, f) {
			return f
		}
	}
	return "body"
}

func readWalk(ctx context.Context, tx pgx.Tx, id string) (trygg.Walk, error) {
	w, err := scanWalk(tx.QueryRow(ctx, `SELECT `+walkColumns+` FROM walk w WHERE w.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return w, trygg.Errorf(trygg.ENOTFOUND, "id", "no walk has id %q", id)
	}
	return w, wrap(err, "read walk")
}

// Walk returns a walk the caller sees, or ENOTFOUND.
func (db *DB) Walk(ctx context.Context, id string) (trygg.Walk, error) {
	return byID(ctx, db, "walk", id, readWalk)
}

// Walks lists the walks the caller sees, optionally of one municipality, newest first.
func (db *DB) Walks(ctx context.Context, municipality string) ([]trygg.Walk, error) {
	var ws []trygg.Walk
	err := db.inTx(ctx, "list walks", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+walkColumns+` FROM walk w
			WHERE $1 = '' OR w.municipality_code = $1 ORDER BY w.starts_at DESC NULLS LAST, w.created_at DESC`, municipality)
		if err != nil {
			return wrap(err, "list walks")
		}
		ws, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.Walk, error) { return scanWalk(r) })
		return wrap(err, "list walks")
	})
	return ws, err
}

// AddObservations stores reports of a walk (source walk, published, linked to it),
// all or nothing: each must lie in the walk's municipality. Rejections name the index.
func (db *DB) AddObservations(ctx context.Context, walkID string, obs []trygg.Report) ([]string, []trygg.Rejection, error) {
	added, rejected, err := db.AddObservationsOnce(ctx, walkID, ObservationKey{}, obs)
	return added.IDs, rejected, err
}

// ObservationKey is the Idempotency-Key of an observations request and the hash of
// what it was first used for; a zero Key is none.
type ObservationKey struct {
	Key         string
	RequestHash []byte
}

// AddedObservations are the ids of stored observations, in the order given; Replayed
// when they were stored by an earlier request with the same key.
type AddedObservations struct {
	IDs      []string
	Replayed bool
}

// AddObservationsOnce is AddObservations with an Idempotency-Key (migration 30): the
// key is claimed, with the new observations' ids, in their transaction before they are
// written, so a request repeating a key the walk has stored answers the first
// request's ids and stores nothing, and one running at the same time waits for the
// first to commit and does the same. A key used for another request is EUNPROCESSABLE
// on Idempotency-Key. Keys belong to a walk and last as long as it.
func (db *DB) AddObservationsOnce(ctx context.Context, walkID string, key ObservationKey, obs []trygg.Report) (AddedObservations, []trygg.Rejection, error) {
	var out AddedObservations
	if !isUUID(walkID) {
		return out, nil, trygg.Errorf(trygg.ENOTFOUND, "id", "no walk has id %q", walkID)
	}
	if len(obs) == 0 {
		return out, nil, trygg.Errorf(trygg.EINVALID, "observations", "no observations given")
	}
	ids := make([]string, len(obs))
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	var rejected []trygg.Rejection
	err := db.inTx(ctx, "add observations", func(tx pgx.Tx) error {
		w, err := readWalk(ctx, tx, walkID)
		if err != nil {
			return err
		}
		if err := mayWrite(ctx, w.Municipality); err != nil {
			return err
		}
		if key.Key != "" {
			// Claim the key; a request holding it uncommitted makes this wait.
			tag, err := tx.Exec(ctx, `INSERT INTO observation_idempotency_key (walk_id, key, municipality_code, request_hash, report_ids)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (walk_id, key) DO NOTHING`, walkID, key.Key, w.Municipality, key.RequestHash, ids)
			if err != nil {
				return wrap(err, "claim observation key")
			}
			if tag.RowsAffected() == 0 {
				var hash []byte
				var stored []string
				if err := tx.QueryRow(ctx, `SELECT request_hash, report_ids::text[] FROM observation_idempotency_key
					WHERE walk_id = $1 AND key = $2`, walkID, key.Key).Scan(&hash, &stored); err != nil {
					return wrap(err, "read observation key")
				}
				if !bytes.Equal(hash, key.RequestHash) {
					return trygg.Errorf(trygg.EUNPROCESSABLE, "Idempotency-Key", "this Idempotency-Key was used for a different request")
				}
				out = AddedObservations{IDs: stored, Replayed: true}
				return nil
			}
		}
		for i, r := range obs {
			g, err := orbwkb.Marshal(r.Location)
			if err != nil {
				return trygg.Errorf(trygg.EINVALID, "location", "observation %d: %v", i, err)
			}
			id := ids[i]
			var muni *string
			if err := tx.QueryRow(ctx, `SELECT report_municipality(ST_SetSRID(ST_GeomFromWKB($1), 4326))`, g).Scan(&muni); err != nil {
				return wrap(err, "place observation")
			}
			if muni == nil || *muni != w.Municipality {
				rejected = append(rejected, trygg.Rejection{Index: i, Reason: "the place is outside the walk's municipality"})
				continue
			}
			if _, err := tx.Exec(ctx, `
				INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
					public_description, source, precision, status, observed_at, created_by, walk_id, categories)
				SELECT $1, $2, g, report_public_geom(g, $13), $4, $5, $6, $7, $8, 'walk', $9, 'published', $10, $11, $12, $14
				FROM ST_SetSRID(ST_GeomFromWKB($3), 4326) g`,
				id, w.Municipality, g, r.Category, r.Feeling, nonNilStrings(r.When), r.Description,
				trygg.MaskContacts(r.Description), r.Precision, r.ObservedAt, callerID(ctx), walkID, db.gridM, nilIfNone(r.Categories)); err != nil {
				return wrap(err, "insert observation")
			}
			if _, err := tx.Exec(ctx, `INSERT INTO report_status (report_id, status, actor_id, actor) VALUES ($1, 'published', $2, $3)`,
				id, callerID(ctx), callerName(ctx)); err != nil {
				return wrap(err, "observation status")
			}
		}
		if len(rejected) > 0 {
			return errRollback
		}
		out.IDs = ids
		return audit(ctx, tx, "walk.add_observations", "walk", walkID, []string{w.Municipality}, nil,
			map[string]any{"observations": ids})
	})
	if errors.Is(err, errRollback) {
		return AddedObservations{}, rejected, nil
	}
	if err != nil {
		return AddedObservations{}, nil, err
	}
	return out, nil, nil
}

// errRollback ends a transaction without an error for the caller.
var errRollback = errors.New("rollback")

// Observations returns the reports of a walk, oldest first.
func (db *DB) Observations(ctx context.Context, walkID string) ([]trygg.Report, error) {
	if !isUUID(walkID) {
		return nil, nil // a malformed id names no walk
	}
	var rs []trygg.Report
	err := db.inTx(ctx, "list observations", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+reportColumns+` FROM report r WHERE r.walk_id = $1
			ORDER BY coalesce(r.observed_at, r.created_at), r.id`, walkID)
		if err != nil {
			return wrap(err, "list observations")
		}
		rs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.Report, error) { return scanReport(r) })
		return wrap(err, "list observations")
	})
	return rs, err
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// callerID is the signed-in user's id, or nil.
func callerID(ctx context.Context) *string {
	if c := trygg.CallerFrom(ctx); c != nil && c.User.ID != "" {
		return &c.User.ID
	}
	return nil
}

// callerName names the caller for status histories.
func callerName(ctx context.Context) string {
	c := trygg.CallerFrom(ctx)
	switch {
	case c == nil:
		return "public"
	case c.User.ID != "":
		return c.User.Email
	case c.Actor != "":
		return c.Actor
	}
	return "system"
}

// mayWrite refuses a signed-in caller who does not serve the municipality (row-level
// security refuses it too; this gives the clearer error).
func mayWrite(ctx context.Context, municipality string) error {
	c := trygg.CallerFrom(ctx)
	if c == nil || c.User.ID == "" {
		if c != nil && c.Actor != "" {
			return nil // operator tooling
		}
		return trygg.Errorf(trygg.EUNAUTHORIZED, "", "sign in first")
	}
	if !c.Serves(municipality) {
		return trygg.Errorf(trygg.EFORBIDDEN, "municipality", "you do not serve municipality %s", municipality)
	}
	return nil
}
