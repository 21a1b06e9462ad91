package postgis

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	orbwkb "github.com/paulmach/orb/encoding/wkb"
	"github.com/trygg-gis/trygg"
)

// Patrol plans (package patrol): a shift's foot-patrol stops at hotspots with planned
// and recorded arrivals and departures, and the patrol dose (minutes present per week)
// from the recorded visits.

// PatrolPlan is a saved plan with its stops in walking order.
type PatrolPlan struct {
	ID           string          `json:"id"`
	Municipality string          `json:"municipality"`
	ShiftStart   time.Time       `json:"shift_start"`
	ShiftEnd     time.Time       `json:"shift_end"`
	Start        orb.Point       `json:"-"` // longitude/latitude
	Params       json.RawMessage `json:"parameters"`
	Seed         int64           `json:"seed"`
	Notes        []string        `json:"notes"`
	RouteM       float64         `json:"route_m"` // walking metres, start to last stop
	CommitmentID string          `json:"commitment_id,omitempty"`
	NoStops      *NoStops        `json:"no_stops,omitempty"` // why a plan has no stops; nil when it has some
	CreatedBy    string          `json:"created_by,omitempty"`
	CreatedAt    time.Time       `json:"created_at"`
	Stops        []PatrolStop    `json:"-"`
}

// NoStops is why a plan has no stops: a reason code (package patrol's NoStop…
// constants) and a Swedish message for the officer.
type NoStops struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// PatrolStop is one stop of a plan.
type PatrolStop struct {
	Seq              int             `json:"seq"` // 1 … in walking order
	TargetKey        string          `json:"target"`
	Name             string          `json:"name,omitempty"`
	PlaceID          string          `json:"place_id,omitempty"`
	Polygon          orb.Polygon     `json:"-"` // the hotspot's area, longitude/latitude; nil for none
	Point            orb.Point       `json:"-"` // where to walk to, longitude/latitude
	Hotspot          json.RawMessage `json:"hotspot"`
	PlannedArrival   time.Time       `json:"planned_arrival"`
	PlannedDeparture time.Time       `json:"planned_departure"`
	ArrivedAt        *time.Time      `json:"arrived_at"`
	DepartedAt       *time.Time      `json:"departed_at"`
	ActivityID       string          `json:"activity_id,omitempty"`
}

// PatrolStopRef is a stop of an earlier plan, for spreading visits.
type PatrolStopRef struct {
	PlanID           string
	TargetKey        string
	X, Y             float64 // EPSG:3006
	PlannedArrival   time.Time
	PlannedDeparture time.Time
	ArrivedAt        *time.Time
	DepartedAt       *time.Time
}

// PatrolDose is the presence of patrols at one target over the last weeks.
type PatrolDose struct {
	TargetKey      string       `json:"target"`
	Name           string       `json:"name,omitempty"`
	PlaceID        string       `json:"place_id,omitempty"`
	Polygon        orb.Polygon  `json:"-"`
	Point          orb.Point    `json:"-"`
	Visits         int          `json:"visits"`
	Minutes        float64      `json:"minutes"`
	MinutesPerWeek float64      `json:"minutes_per_week"`
	LastVisit      *time.Time   `json:"last_visit"`
	Weeks          []PatrolWeek `json:"weeks"` // oldest first
}

// PatrolWeek is one ISO week (Swedish time) of a target: minutes present, and reports
// made at the target (within its area, or 100 m of its point) that week: the report
// trend beside the dose.
type PatrolWeek struct {
	Week    string  `json:"week"` // 2026-W47
	Start   string  `json:"start"`
	Minutes float64 `json:"minutes"`
	Reports int     `json:"reports"`
}

// SavePatrolPlan stores a new plan and its stops in a municipality the caller serves,
// and audits it. It sets the plan's id and created_at.
func (db *DB) SavePatrolPlan(ctx context.Context, p *PatrolPlan) error {
	if err := mayWrite(ctx, p.Municipality); err != nil {
		return err
	}
	if p.ID == "" {
		p.ID = uuid.NewString()
	}
	start, err := orbwkb.Marshal(p.Start)
	if err != nil {
		return trygg.Errorf(trygg.EINVALID, "start", "cannot encode the start: %v", err)
	}
	if p.Notes == nil {
		p.Notes = []string{}
	}
	var commitment, noCode, noMessage *string
	if p.CommitmentID != "" {
		commitment = &p.CommitmentID
	}
	if p.NoStops != nil {
		noCode, noMessage = &p.NoStops.Code, &p.NoStops.Message
	}
	return db.inTx(ctx, "save patrol plan", func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO patrol_plan (id, municipality_code, shift_start, shift_end, start_geom, params, seed, notes,
				route_m, commitment_id, created_by, no_stops_code, no_stops_message)
			VALUES ($1, $2, $3, $4, ST_SetSRID(ST_GeomFromWKB($5), 4326), $6, $7, $8, $9, $10, $11, $12, $13)
			RETURNING created_at`,
			p.ID, p.Municipality, p.ShiftStart, p.ShiftEnd, start, p.Params, p.Seed, p.Notes, p.RouteM,
			commitment, callerID(ctx), noCode, noMessage).Scan(&p.CreatedAt)
		if isForeignKey(err) {
			return trygg.Errorf(trygg.EINVALID, "commitment_id", "no commitment %q in municipality %s", p.CommitmentID, p.Municipality)
		}
		if err != nil {
			return wrap(err, "insert patrol plan")
		}
		for _, s := range p.Stops {
			var poly []byte
			if len(s.Polygon) > 0 {
				if poly, err = orbwkb.Marshal(s.Polygon); err != nil {
					return trygg.Errorf(trygg.EINVALID, "stops", "cannot encode stop %d: %v", s.Seq, err)
				}
			}
			pt, err := orbwkb.Marshal(s.Point)
			if err != nil {
				return trygg.Errorf(trygg.EINVALID, "stops", "cannot encode stop %d: %v", s.Seq, err)
			}
			hs := s.Hotspot
			if len(hs) == 0 {
				hs = json.RawMessage(`{}`)
			}
			if _, err := tx.Exec(ctx, `
				INSERT INTO patrol_stop (plan_id, municipality_code, seq, target_key, name, place_id, geom, pt, hotspot,
					planned_arrival, planned_departure)
				VALUES ($1, $2, $3, $4, $5, $6, ST_SetSRID(ST_GeomFromWKB($7), 4326), ST_SetSRID(ST_GeomFromWKB($8), 4326),
					$9, $10, $11)`,
				p.ID, p.Municipality, s.Seq, s.TargetKey, s.Name, nilIfEmpty(s.PlaceID), poly, pt, hs,
				s.PlannedArrival, s.PlannedDeparture); err != nil {
				return wrap(err, "insert patrol stop")
			}
		}
		return audit(ctx, tx, "patrol_plan.create", "patrol_plan", p.ID, []string{p.Municipality}, nil,
			map[string]any{"shift_start": p.ShiftStart, "shift_end": p.ShiftEnd, "stops": len(p.Stops),
				"commitment_id": p.CommitmentID, "seed": p.Seed})
	})
}

func isForeignKey(err error) bool {
	var pgErr interface{ SQLState() string }
	return errors.As(err, &pgErr) && pgErr.SQLState() == "23503"
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

const patrolStopColumns = `s.seq, s.target_key, s.name, coalesce(s.place_id::text, ''), ST_AsBinary(s.geom), ST_AsBinary(s.pt),
	s.hotspot, s.planned_arrival, s.planned_departure, s.arrived_at, s.departed_at, coalesce(s.activity_id::text, '')`

func scanPatrolStop(row pgx.Row) (PatrolStop, error) {
	var s PatrolStop
	var poly, pt []byte
	if err := row.Scan(&s.Seq, &s.TargetKey, &s.Name, &s.PlaceID, &poly, &pt, &s.Hotspot, &s.PlannedArrival,
		&s.PlannedDeparture, &s.ArrivedAt, &s.DepartedAt, &s.ActivityID); err != nil {
		return s, err
	}
	var err error
	if s.Polygon, err = decodePolygon(poly); err != nil {
		return s, err
	}
	if g, err := orbwkb.Unmarshal(pt); err == nil {
		s.Point, _ = g.(orb.Point)
	} else {
		return s, err
	}
	return s, nil
}

func readPatrolPlan(ctx context.Context, tx pgx.Tx, id string) (PatrolPlan, error) {
	var p PatrolPlan
	var start []byte
	var commitment, createdBy, noCode, noMessage *string
	err := tx.QueryRow(ctx, `SELECT id, municipality_code, shift_start, shift_end, ST_AsBinary(start_geom), params, seed,
			notes, route_m, commitment_id::text, created_by::text, created_at, no_stops_code, no_stops_message
		FROM patrol_plan WHERE id = $1`, id).Scan(&p.ID, &p.Municipality, &p.ShiftStart, &p.ShiftEnd, &start, &p.Params,
		&p.Seed, &p.Notes, &p.RouteM, &commitment, &createdBy, &p.CreatedAt, &noCode, &noMessage)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, trygg.Errorf(trygg.ENOTFOUND, "id", "no patrol plan has id %q", id)
	}
	if err != nil {
		return p, wrap(err, "read patrol plan")
	}
	if commitment != nil {
		p.CommitmentID = *commitment
	}
	if createdBy != nil {
		p.CreatedBy = *createdBy
	}
	if noCode != nil {
		p.NoStops = &NoStops{Code: *noCode}
		if noMessage != nil {
			p.NoStops.Message = *noMessage
		}
	}
	if g, err := orbwkb.Unmarshal(start); err == nil {
		p.Start, _ = g.(orb.Point)
	}
	rows, err := tx.Query(ctx, `SELECT `+patrolStopColumns+` FROM patrol_stop s WHERE s.plan_id = $1 ORDER BY s.seq`, id)
	if err != nil {
		return p, wrap(err, "read patrol stops")
	}
	p.Stops, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (PatrolStop, error) { return scanPatrolStop(r) })
	return p, wrap(err, "read patrol stops")
}

// PatrolPlan returns a plan the caller sees, with its stops, or ENOTFOUND.
func (db *DB) PatrolPlan(ctx context.Context, id string) (PatrolPlan, error) {
	return byID(ctx, db, "patrol plan", id, readPatrolPlan)
}

// PatrolStopsBetween returns the stops of the municipality's saved plans planned (or
// done) within [from, to], for spreading visits over plans.
func (db *DB) PatrolStopsBetween(ctx context.Context, municipality string, from, to time.Time) ([]PatrolStopRef, error) {
	var out []PatrolStopRef
	err := db.inTx(ctx, "read recent patrol stops", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT s.plan_id::text, s.target_key, ST_X(p), ST_Y(p), s.planned_arrival, s.planned_departure,
			       s.arrived_at, s.departed_at
			FROM patrol_stop s, ST_Transform(s.pt, 3006) p
			WHERE s.municipality_code = $1
			  AND ((s.planned_arrival <= $3 AND s.planned_departure >= $2)
			       OR (s.arrived_at <= $3 AND coalesce(s.departed_at, s.arrived_at) >= $2))`, municipality, from, to)
		if err != nil {
			return wrap(err, "read recent patrol stops")
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (PatrolStopRef, error) {
			var s PatrolStopRef
			err := r.Scan(&s.PlanID, &s.TargetKey, &s.X, &s.Y, &s.PlannedArrival, &s.PlannedDeparture, &s.ArrivedAt, &s.DepartedAt)
			return s, err
		})
		return wrap(err, "read recent patrol stops")
	})
	return out, err
}

// ToSWEREF transforms points in longitude/latitude to SWEREF 99 TM (EPSG:3006): one
// statement, the transformation is PostGIS's.
func (db *DB) ToSWEREF(ctx context.Context, pts []orb.Point) ([]orb.Point, error) {
	if len(pts) == 0 {
		return nil, nil
	}
	xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p[0], p[1]
	}
	rows, err := db.pool.Query(ctx, `SELECT ST_X(p), ST_Y(p) FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY u(x, y, n),
		ST_Transform(ST_SetSRID(ST_MakePoint(x, y), 4326), 3006) p ORDER BY n`, xs, ys)
	if err != nil {
		return nil, wrap(err, "transform to SWEREF 99 TM")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (orb.Point, error) {
		var p orb.Point
		err := r.Scan(&p[0], &p[1])
		return p, err
	})
	return out, wrap(err, "transform to SWEREF 99 TM")
}

// PointsOnSurface returns a point on the surface of each polygon (longitude/latitude):
// where a patrol walks to. A nil polygon gives a zero point.
func (db *DB) PointsOnSurface(ctx context.Context, polys []orb.Polygon) ([]orb.Point, error) {
	if len(polys) == 0 {
		return nil, nil
	}
	wkbs := make([][]byte, len(polys))
	for i, p := range polys {
		if len(p) == 0 {
			continue
		}
		b, err := orbwkb.Marshal(p)
		if err != nil {
			return nil, trygg.Errorf(trygg.EINTERNAL, "", "encode polygon: %v", err)
		}
		wkbs[i] = b
	}
	rows, err := db.pool.Query(ctx, `SELECT coalesce(ST_X(p), 0), coalesce(ST_Y(p), 0)
		FROM unnest($1::bytea[]) WITH ORDINALITY u(g, n), ST_PointOnSurface(ST_GeomFromWKB(g)) p ORDER BY n`, wkbs)
	if err != nil {
		return nil, wrap(err, "points on surface")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (orb.Point, error) {
		var p orb.Point
		err := r.Scan(&p[0], &p[1])
		return p, err
	})
	return out, wrap(err, "points on surface")
}

// ErrVisitRecorded is the conflict of recording a stop's visit twice.
func errVisitRecorded(seq int) error {
	return trygg.Errorf(trygg.ECONFLICT, "seq", "the visit of stop %d is already recorded", seq)
}

// RecordPatrolVisit records when the patrol arrived at and left a stop (and the
// activity it became), once, and audits it.
func (db *DB) RecordPatrolVisit(ctx context.Context, planID string, seq int, arrived, departed time.Time, activityID string) (PatrolStop, error) {
	var out PatrolStop
	if !isUUID(planID) {
		return out, trygg.Errorf(trygg.ENOTFOUND, "id", "no patrol plan has id %q", planID)
	}
	err := db.inTx(ctx, "record patrol visit", func(tx pgx.Tx) error {
		var muni string
		err := tx.QueryRow(ctx, `SELECT municipality_code FROM patrol_plan WHERE id = $1`, planID).Scan(&muni)
		if errors.Is(err, pgx.ErrNoRows) {
			return trygg.Errorf(trygg.ENOTFOUND, "id", "no patrol plan has id %q", planID)
		}
		if err != nil {
			return wrap(err, "read patrol plan")
		}
		if err := mayWrite(ctx, muni); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE patrol_stop SET arrived_at = $3, departed_at = $4, activity_id = $5, visit_recorded_by = $6
			WHERE plan_id = $1 AND seq = $2 AND arrived_at IS NULL`, planID, seq, arrived, departed, nilIfEmpty(activityID), callerID(ctx))
		if err != nil {
			return wrap(err, "record patrol visit")
		}
		if tag.RowsAffected() == 0 {
			var recorded bool
			err := tx.QueryRow(ctx, `SELECT arrived_at IS NOT NULL FROM patrol_stop WHERE plan_id = $1 AND seq = $2`, planID, seq).Scan(&recorded)
			if errors.Is(err, pgx.ErrNoRows) {
				return trygg.Errorf(trygg.ENOTFOUND, "seq", "the plan has no stop %d", seq)
			}
			if err != nil {
				return wrap(err, "read patrol stop")
			}
			return errVisitRecorded(seq)
		}
		if out, err = scanPatrolStop(tx.QueryRow(ctx, `SELECT `+patrolStopColumns+` FROM patrol_stop s
			WHERE s.plan_id = $1 AND s.seq = $2`, planID, seq)); err != nil {
			return wrap(err, "read patrol stop")
		}
		return audit(ctx, tx, "patrol_plan.visit", "patrol_plan", planID, []string{muni}, nil,
			map[string]any{"seq": seq, "arrived_at": arrived, "departed_at": departed, "activity_id": activityID})
	})
	return out, err
}

// PatrolDoses returns the patrol dose of each target of the municipality's plans with a
// recorded visit in the weeks (ISO weeks, Swedish time) ending with the week of now:
// minutes present (departure minus arrival) in all and per week, with the reports made
// at the target each week beside them. Most minutes per week first.
func (db *DB) PatrolDoses(ctx context.Context, municipality string, weeks int, now time.Time) ([]PatrolDose, error) {
	y, m, d := now.In(trygg.SwedishTime).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, trygg.SwedishTime)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	first := monday.AddDate(0, 0, -7*(weeks-1))
	end := monday.AddDate(0, 0, 7)
	starts := make([]time.Time, weeks)
	for i := range starts {
		starts[i] = first.AddDate(0, 0, 7*i)
	}
	var out []PatrolDose
	err := db.inTx(ctx, "read patrol doses", func(tx pgx.Tx) error {
		// Each target's latest stop gives its name, area and point; minutes per week
		// come from the visits, reports per week from the reports in the area.
		rows, err := tx.Query(ctx, `
			WITH v AS (
				SELECT s.target_key, s.arrived_at, extract(epoch FROM s.departed_at - s.arrived_at) / 60 AS minutes,
				       width_bucket(extract(epoch FROM s.arrived_at), (SELECT array_agg(extract(epoch FROM w) ORDER BY w) FROM unnest($2::timestamptz[]) w)) AS wk
				FROM patrol_stop s
				WHERE s.municipality_code = $1 AND s.departed_at IS NOT NULL AND s.arrived_at >= $3 AND s.arrived_at < $4),
			t AS (
				SELECT DISTINCT ON (s.target_key) s.target_key, s.name, s.place_id, s.geom, s.pt
				FROM patrol_stop s WHERE s.municipality_code = $1 AND s.target_key IN (SELECT target_key FROM v)
				ORDER BY s.target_key, s.planned_arrival DESC)
			SELECT t.target_key, t.name, coalesce(t.place_id::text, ''), ST_AsBinary(t.geom), ST_AsBinary(t.pt),
			       (SELECT count(*) FROM v WHERE v.target_key = t.target_key),
			       (SELECT max(arrived_at) FROM v WHERE v.target_key = t.target_key),
			       (SELECT array_agg(coalesce((SELECT sum(minutes) FROM v WHERE v.target_key = t.target_key AND v.wk = k), 0)::float8 ORDER BY k)
			        FROM generate_series(1, $5::int) k),
			       (SELECT array_agg(coalesce(rc.n, 0)::int ORDER BY k) FROM generate_series(1, $5::int) k
			        LEFT JOIN (SELECT width_bucket(extract(epoch FROM coalesce(r.observed_at, r.created_at)),
			                          (SELECT array_agg(extract(epoch FROM w) ORDER BY w) FROM unnest($2::timestamptz[]) w)) AS k, count(*) AS n
			                   FROM scoped_report r
			                   WHERE r.municipality_code = $1 AND r.source <> 'police-event'
			                     AND coalesce(r.observed_at, r.created_at) >= $3 AND coalesce(r.observed_at, r.created_at) < $4
			                     AND (CASE WHEN t.geom IS NOT NULL THEN ST_Intersects(r.geom, t.geom)
			                               ELSE `+withinMetres("r.geom", "t.pt", "ST_Y(t.pt)", "100")+` END)
			                   GROUP BY 1) rc USING (k))
			FROM t`, municipality, starts, first, end, weeks)
		if err != nil {
			return wrap(err, "read patrol doses")
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (PatrolDose, error) {
			var d PatrolDose
			var poly, pt []byte
			var minutes []float64
			var reports []int32
			if err := r.Scan(&d.TargetKey, &d.Name, &d.PlaceID, &poly, &pt, &d.Visits, &d.LastVisit, &minutes, &reports); err != nil {
				return d, err
			}
			var err error
			if d.Polygon, err = decodePolygon(poly); err != nil {
				return d, err
			}
			if g, err := orbwkb.Unmarshal(pt); err == nil {
				d.Point, _ = g.(orb.Point)
			}
			for i, s := range starts {
				yr, w := s.ISOWeek()
				wk := PatrolWeek{Week: fmt.Sprintf("%d-W%02d", yr, w), Start: s.Format(time.DateOnly)}
				if i < len(minutes) {
					wk.Minutes = minutes[i]
				}
				if i < len(reports) {
					wk.Reports = int(reports[i])
				}
				d.Minutes += wk.Minutes
				d.Weeks = append(d.Weeks, wk)
			}
			d.MinutesPerWeek = d.Minutes / float64(weeks)
			return d, nil
		})
		return wrap(err, "read patrol doses")
	})
	sortDoses(out)
	return out, err
}

func sortDoses(ds []PatrolDose) {
	slices.SortFunc(ds, func(a, b PatrolDose) int {
		return cmp.Or(cmp.Compare(b.MinutesPerWeek, a.MinutesPerWeek), cmp.Compare(a.TargetKey, b.TargetKey))
	})
}
