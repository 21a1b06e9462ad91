package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"
	orbwkb "github.com/paulmach/orb/encoding/wkb"
	"github.com/trygg-gis/trygg"
)

// Saved hotspot runs and named places (migration 00008). A run is written in one
// transaction: the run, its cells and its hotspots (each one INSERT … SELECT FROM
// unnest of arrays: 35 000 cells are one round trip) and the audit entry. Row-level security
// keeps every read and write to the caller's municipalities.

// MaxRunNameLength is the longest name of a run or a place.
const MaxRunNameLength = 200

// checkName trims a run's or a place's name and checks it.
func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return name, trygg.Errorf(trygg.EINVALID, "name", "give a name")
	}
	if utf8.RuneCountInString(name) > MaxRunNameLength {
		return name, trygg.Errorf(trygg.EINVALID, "name", "the name is longer than %d characters", MaxRunNameLength)
	}
	return name, nil
}

// nullable is nil for NaN (no value: a DBSCAN run has no z or p), else &f.
func nullable(f float64) *float64 {
	if math.IsNaN(f) {
		return nil
	}
	return &f
}

// SaveHotspotRun stores a run with its cells and hotspots in a municipality the caller
// serves, and audits it. It sets run.ID (when empty), CreatedAt, CreatedBy (the
// caller) and each hotspot's ID (when empty) and Rank (its place in the list when 0).
// A z or p that is NaN is stored as NULL (a hotspot's reads back as 0: JSON has no NaN).
func (db *DB) SaveHotspotRun(ctx context.Context, run *HotspotRun) error {
	var err error
	if run.ID == "" {
		run.ID = uuid.NewString()
	} else if !isUUID(run.ID) {
		return trygg.Errorf(trygg.EINVALID, "id", "id %q is not a UUID", run.ID)
	}
	if run.Name, err = checkName(run.Name); err != nil {
		return err
	}
	if run.Method != trygg.MethodGi && run.Method != trygg.MethodDBSCAN {
		return trygg.Errorf(trygg.EINVALID, "method", "method %q is not gi or dbscan", run.Method)
	}
	if run.Municipality == "" {
		return trygg.Errorf(trygg.EINVALID, "municipality", "give the run's municipality")
	}
	if len(run.Query) == 0 {
		run.Query = json.RawMessage(`{}`)
	}
	var q map[string]any
	if err := json.Unmarshal(run.Query, &q); err != nil || q == nil {
		return trygg.Errorf(trygg.EINVALID, "query", "the query is not a JSON object")
	}
	if err := mayWrite(ctx, run.Municipality); err != nil {
		return err
	}
	for i := range run.Hotspots {
		h := &run.Hotspots[i]
		if h.ID == "" {
			h.ID = uuid.NewString()
		} else if !isUUID(h.ID) {
			return trygg.Errorf(trygg.EINVALID, "hotspots", "hotspot %d: id %q is not a UUID", i, h.ID)
		}
		if h.Rank == 0 {
			h.Rank = i + 1
		}
	}

	// The cells as arrays, one element per cell: one INSERT … SELECT FROM unnest (COPY
	// is refused on a table with row-level security).
	n := len(run.Cells)
	is, js := make([]int32, n), make([]int32, n)
	geoms := make([][]byte, n)
	values, zs, ps := make([]float64, n), make([]*float64, n), make([]*float64, n)
	counts, classes := make([]int32, n), make([]int16, n)
	for k, c := range run.Cells {
		if geoms[k], err = orbwkb.Marshal(c.Polygon); err != nil {
			return trygg.Errorf(trygg.EINVALID, "cells", "cell %d %d: %v", c.I, c.J, err)
		}
		if c.Class < -3 || c.Class > 3 {
			return trygg.Errorf(trygg.EINVALID, "cells", "cell %d %d: class %d is outside -3…3", c.I, c.J, c.Class)
		}
		is[k], js[k] = int32(c.I), int32(c.J)
		values[k], zs[k], ps[k] = c.Value, nullable(c.Z), nullable(c.P)
		counts[k], classes[k] = int32(c.Count), int16(c.Class)
	}

	createdBy := callerID(ctx)
	return db.inTx(ctx, "save hotspot run", func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO hotspot_run (id, municipality_code, name, method, public, query, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING created_at`,
			run.ID, run.Municipality, run.Name, run.Method, run.Public, string(run.Query), createdBy).Scan(&run.CreatedAt)
		if err != nil {
			return runError(err, "save hotspot run", "query")
		}
		if n > 0 {
			_, err = tx.Exec(ctx, `
				INSERT INTO hotspot_cell (run_id, municipality_code, i, j, geom, value, count, z, p, class)
				SELECT $1, $2, c.i, c.j, ST_GeomFromWKB(c.g, 4326), c.value, c.count, c.z, c.p, c.class
				FROM unnest($3::int4[], $4::int4[], $5::bytea[], $6::float8[], $7::int4[], $8::float8[], $9::float8[], $10::int2[])
				     AS c(i, j, g, value, count, z, p, class)`,
				run.ID, run.Municipality, is, js, geoms, values, counts, zs, ps, classes)
			if err != nil {
				return runError(err, "save hotspot cells", "cells")
			}
		}
		if len(run.Hotspots) > 0 {
			m := len(run.Hotspots)
			ids, ranks, hgeoms := make([]string, m), make([]int32, m), make([][]byte, m)
			scores, hzs, hvalues := make([]float64, m), make([]*float64, m), make([]float64, m)
			hcounts, patterns, stats := make([]int32, m), make([]string, m), make([]*string, m)
			for k, h := range run.Hotspots {
				if hgeoms[k], err = orbwkb.Marshal(h.Polygon); err != nil {
					return trygg.Errorf(trygg.EINVALID, "hotspots", "hotspot %d: %v", h.Rank, err)
				}
				ids[k], ranks[k], scores[k], hzs[k], hvalues[k] = h.ID, int32(h.Rank), h.Score, nullable(h.Z), h.Value
				hcounts[k], patterns[k] = int32(h.Count), h.Pattern
				if len(h.Stats) > 0 && string(h.Stats) != "null" {
					s := string(h.Stats)
					stats[k] = &s
				}
			}
			_, err = tx.Exec(ctx, `
				INSERT INTO hotspot (id, run_id, municipality_code, rank, geom, score, z, value, count, pattern, stats)
				SELECT h.id::uuid, $1, $2, h.rank, ST_GeomFromWKB(h.g, 4326), h.score, h.z, h.value, h.count, h.pattern, h.stats::jsonb
				FROM unnest($3::text[], $4::int4[], $5::bytea[], $6::float8[], $7::float8[], $8::float8[], $9::int4[], $10::text[], $11::text[])
				     AS h(id, rank, g, score, z, value, count, pattern, stats)`,
				run.ID, run.Municipality, ids, ranks, hgeoms, scores, hzs, hvalues, hcounts, patterns, stats)
			if err != nil {
				return runError(err, "save hotspots", "hotspots")
			}
		}
		run.CreatedBy = ""
		if createdBy != nil {
			run.CreatedBy = *createdBy
		}
		return audit(ctx, tx, "hotspot_run.create", "hotspot_run", run.ID, []string{run.Municipality}, nil,
			map[string]any{"name": run.Name, "method": run.Method, "public": run.Public, "query": run.Query,
				"cells": len(run.Cells), "hotspots": len(run.Hotspots)})
	})
}

// runError turns the database's refusals of a run into errors naming the field: field
// when the statement's table or constraint does not say.
func runError(err error, doing, field string) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "42501": // row-level security's WITH CHECK
			return trygg.Errorf(trygg.EFORBIDDEN, "municipality", "you do not serve this municipality")
		case "23503":
			if strings.Contains(pgErr.ConstraintName, "municipality") {
				return trygg.Errorf(trygg.EINVALID, "municipality", "no municipality has this code")
			}
		case "23505":
			switch {
			case strings.Contains(pgErr.ConstraintName, "pkey") && strings.HasPrefix(pgErr.TableName, "hotspot_cell"):
				return trygg.Errorf(trygg.EINVALID, "cells", "a cell is given twice")
			case strings.HasPrefix(pgErr.TableName, "hotspot_run"):
				return trygg.Errorf(trygg.ECONFLICT, "id", "a run with this id exists")
			default:
				return trygg.Errorf(trygg.EINVALID, "hotspots", "a hotspot's id or rank is given twice")
			}
		case "23514", "22023", "XX000", "22P02":
			if strings.Contains(pgErr.ConstraintName, "hotspot_run_name") {
				field = "name"
			}
			return refusal(pgErr, "run", field)
		}
	}
	return wrap(err, doing)
}

const runColumns = `r.id, r.municipality_code, r.name, r.method, r.public, r.query, coalesce(r.created_by::text, ''), r.created_at`

func scanRun(row pgx.Row) (HotspotRun, error) {
	var r HotspotRun
	var query []byte
	err := row.Scan(&r.ID, &r.Municipality, &r.Name, &r.Method, &r.Public, &query, &r.CreatedBy, &r.CreatedAt)
	r.Query = json.RawMessage(query)
	return r, err
}

// readHotspots fills in the hotspots of runs, in rank order.
func readHotspots(ctx context.Context, tx pgx.Tx, runs []HotspotRun) error {
	if len(runs) == 0 {
		return nil
	}
	ids := make([]string, len(runs))
	at := make(map[string]int, len(runs))
	for k, r := range runs {
		ids[k], at[r.ID] = r.ID, k
	}
	rows, err := tx.Query(ctx, `SELECT h.run_id::text, h.id::text, h.rank, ST_AsBinary(h.geom), h.score, h.z, h.value, h.count,
		h.pattern, h.stats FROM hotspot h WHERE h.run_id = ANY($1::uuid[]) ORDER BY h.run_id, h.rank`, ids)
	if err != nil {
		return wrap(err, "read hotspots")
	}
	defer rows.Close()
	for rows.Next() {
		var runID string
		var h RunHotspot
		var g, stats []byte
		var z *float64
		if err := rows.Scan(&runID, &h.ID, &h.Rank, &g, &h.Score, &z, &h.Value, &h.Count, &h.Pattern, &stats); err != nil {
			return wrap(err, "read hotspots")
		}
		if h.Polygon, err = decodePolygon(g); err != nil {
			return wrap(err, "read hotspots")
		}
		if z != nil {
			h.Z = *z
		}
		if stats != nil {
			h.Stats = json.RawMessage(stats)
		}
		k := at[runID]
		runs[k].Hotspots = append(runs[k].Hotspots, h)
	}
	return wrap(rows.Err(), "read hotspots")
}

func decodePolygon(b []byte) (orb.Polygon, error) {
	if b == nil {
		return nil, nil
	}
	g, err := orbwkb.Unmarshal(b)
	if err != nil {
		return nil, err
	}
	p, _ := g.(orb.Polygon)
	return p, nil
}

// HotspotRuns lists the runs the caller sees, optionally of one municipality, newest
// first, with their hotspots but not their cells.
func (db *DB) HotspotRuns(ctx context.Context, municipality string) ([]HotspotRun, error) {
	var runs []HotspotRun
	err := db.inTx(ctx, "list hotspot runs", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+runColumns+` FROM hotspot_run r
			WHERE $1 = '' OR r.municipality_code = $1 ORDER BY r.created_at DESC, r.id DESC`, municipality)
		if err != nil {
			return wrap(err, "list hotspot runs")
		}
		runs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (HotspotRun, error) { return scanRun(r) })
		if err != nil {
			return wrap(err, "list hotspot runs")
		}
		return readHotspots(ctx, tx, runs)
	})
	return runs, err
}

// HotspotRun returns a run the caller sees, with its hotspots but not its cells, or
// ENOTFOUND.
func (db *DB) HotspotRun(ctx context.Context, id string) (HotspotRun, error) {
	return byID(ctx, db, "hotspot run", id, func(ctx context.Context, tx pgx.Tx, id string) (HotspotRun, error) {
		r, err := scanRun(tx.QueryRow(ctx, `SELECT `+runColumns+` FROM hotspot_run r WHERE r.id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return r, trygg.Errorf(trygg.ENOTFOUND, "id", "no hotspot run has id %q", id)
		}
		if err != nil {
			return r, wrap(err, "read hotspot run")
		}
		runs := []HotspotRun{r}
		err = readHotspots(ctx, tx, runs)
		return runs[0], err
	})
}

// CreatePlace stores a named place and audits it. With p.HotspotID, the place is that
// hotspot (of a run the caller sees): its geometry and municipality are copied from
// it, whatever p.Polygon and p.Municipality say. Otherwise p.Polygon and
// p.Municipality are required, and the polygon must be valid and meet the
// municipality. A name already used in the municipality (in any case) is ECONFLICT.
// It sets p.ID, p.Name (trimmed), p.CreatedAt and, from a hotspot, p.Polygon and
// p.Municipality.
func (db *DB) CreatePlace(ctx context.Context, p *Place) error {
	var err error
	if p.Name, err = checkName(p.Name); err != nil {
		return err
	}
	if p.HotspotID == "" {
		if p.Municipality == "" {
			return trygg.Errorf(trygg.EINVALID, "municipality", "give the place's municipality, or a hotspot")
		}
		if len(p.Polygon) == 0 {
			return trygg.Errorf(trygg.EINVALID, "geometry", "give the place's polygon, or a hotspot")
		}
		if err := mayWrite(ctx, p.Municipality); err != nil {
			return err
		}
	} else if !isUUID(p.HotspotID) {
		return trygg.Errorf(trygg.ENOTFOUND, "hotspot_id", "no hotspot has id %q", p.HotspotID)
	}
	if p.ID == "" {
		p.ID = uuid.NewString()
	} else if !isUUID(p.ID) {
		return trygg.Errorf(trygg.EINVALID, "id", "id %q is not a UUID", p.ID)
	}
	return db.inTx(ctx, "create place", func(tx pgx.Tx) error {
		if p.HotspotID != "" {
			var g []byte
			err := tx.QueryRow(ctx, `SELECT h.municipality_code, ST_AsBinary(h.geom) FROM hotspot h WHERE h.id = $1`,
				p.HotspotID).Scan(&p.Municipality, &g)
			if errors.Is(err, pgx.ErrNoRows) {
				return trygg.Errorf(trygg.ENOTFOUND, "hotspot_id", "no hotspot has id %q", p.HotspotID)
			}
			if err != nil {
				return wrap(err, "read hotspot")
			}
			if p.Polygon, err = decodePolygon(g); err != nil {
				return wrap(err, "read hotspot")
			}
			if err := mayWrite(ctx, p.Municipality); err != nil {
				return err
			}
			err = tx.QueryRow(ctx, `
				INSERT INTO place (id, municipality_code, name, geom, hotspot_id, created_by)
				SELECT $1, h.municipality_code, $2, h.geom, h.id, $4 FROM hotspot h WHERE h.id = $3
				RETURNING created_at`, p.ID, p.Name, p.HotspotID, callerID(ctx)).Scan(&p.CreatedAt)
			if err != nil {
				return placeError(err, p)
			}
		} else {
			g, err := orbwkb.Marshal(p.Polygon)
			if err != nil {
				return trygg.Errorf(trygg.EINVALID, "geometry", "cannot encode the polygon: %v", err)
			}
			// The polygon must meet the municipality (PostGIS judges its validity: the
			// column's CHECK).
			var meets *bool
			err = tx.QueryRow(ctx, `SELECT ST_Intersects(m.boundary, ST_SetSRID(ST_GeomFromWKB($2), 4326))
				FROM municipality m WHERE m.code = $1`, p.Municipality, g).Scan(&meets)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				return trygg.Errorf(trygg.EINVALID, "municipality", "no municipality has code %q", p.Municipality)
			case err != nil:
				return placeError(err, p)
			case meets == nil || !*meets:
				return trygg.Errorf(trygg.EINVALID, "geometry", "the polygon lies outside municipality %s", p.Municipality)
			}
			err = tx.QueryRow(ctx, `
				INSERT INTO place (id, municipality_code, name, geom, created_by)
				VALUES ($1, $2, $3, ST_SetSRID(ST_GeomFromWKB($4), 4326), $5)
				RETURNING created_at`, p.ID, p.Municipality, p.Name, g, callerID(ctx)).Scan(&p.CreatedAt)
			if err != nil {
				return placeError(err, p)
			}
		}
		after := map[string]any{"name": p.Name, "municipality": p.Municipality}
		if p.HotspotID != "" {
			after["hotspot_id"] = p.HotspotID
		}
		return audit(ctx, tx, "place.create", "place", p.ID, []string{p.Municipality}, nil, after)
	})
}

func placeError(err error, p *Place) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			if pgErr.ConstraintName == "place_name_key" {
				return trygg.Errorf(trygg.ECONFLICT, "name", "municipality %s already has a place named %q", p.Municipality, p.Name)
			}
			return trygg.Errorf(trygg.ECONFLICT, "id", "a place with this id exists")
		case "42501":
			return trygg.Errorf(trygg.EFORBIDDEN, "municipality", "you do not serve municipality %s", p.Municipality)
		case "23503":
			return trygg.Errorf(trygg.EINVALID, "municipality", "no municipality has code %q", p.Municipality)
		case "23514", "22023", "XX000":
			field := "geometry"
			if strings.Contains(pgErr.ConstraintName, "name") {
				field = "name"
			}
			return refusal(pgErr, "place", field)
		}
	}
	return wrap(err, "create place")
}

const placeColumns = `p.id, p.municipality_code, p.name, ST_AsBinary(p.geom), coalesce(p.hotspot_id::text, ''), p.created_at`

func scanPlace(row pgx.Row) (Place, error) {
	var p Place
	var g []byte
	if err := row.Scan(&p.ID, &p.Municipality, &p.Name, &g, &p.HotspotID, &p.CreatedAt); err != nil {
		return p, err
	}
	var err error
	p.Polygon, err = decodePolygon(g)
	return p, err
}

// Places lists the places the caller sees, optionally of one municipality, by name.
func (db *DB) Places(ctx context.Context, municipality string) ([]Place, error) {
	var ps []Place
	err := db.inTx(ctx, "list places", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+placeColumns+` FROM place p
			WHERE $1 = '' OR p.municipality_code = $1 ORDER BY p.municipality_code, lower(p.name), p.id`, municipality)
		if err != nil {
			return wrap(err, "list places")
		}
		ps, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Place, error) { return scanPlace(r) })
		return wrap(err, "list places")
	})
	return ps, err
}

// Place returns a place the caller sees, or ENOTFOUND.
func (db *DB) Place(ctx context.Context, id string) (Place, error) {
	return byID(ctx, db, "place", id, func(ctx context.Context, tx pgx.Tx, id string) (Place, error) {
		p, err := scanPlace(tx.QueryRow(ctx, `SELECT `+placeColumns+` FROM place p WHERE p.id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return p, trygg.Errorf(trygg.ENOTFOUND, "id", "no place has id %q", id)
		}
		return p, wrap(err, "read place")
	})
}
