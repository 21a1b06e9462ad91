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
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/trygg-gis/trygg"
)

// EST incidents are reports with source est (migrations/00004_walks.sql): est_type,
// est_area and reported_by_org say what, where by name, and who reported.

const estColumns = reportColumns + `, r.est_type, coalesce(r.est_area, ''), coalesce(r.reported_by_org, ''),
	coalesce(r.created_by::text, '')`

func scanESTIncident(row pgx.Row) (trygg.ESTIncident, error) {
	var inc trygg.ESTIncident
	var err error
	inc.Report, err = scanReport(row, &inc.Type, &inc.Area, &inc.ReportedByOrg, &inc.CreatedBy)
	inc.OccurredAt = inc.ObservedAt
	return inc, err
}

// Rejection codes of AddESTIncidents and AddDialoguePlaces: why a record was refused.
const (
	RejectOutside       = "outside"         // the place is outside every municipality, or the dialogue's
	RejectNotServed     = "forbidden"       // the place is in a municipality the caller does not serve
	RejectOrganisation  = "reported_by_org" // the reporting organisation is unknown or does not serve the place
	rejectOutsideReason = "the place is outside every municipality that uses Trygg"
)

// AddESTIncidents stores EST incidents, all or nothing: each is placed in the
// municipality covering its position, which the caller must serve and the reporting
// organisation (ReportedByOrg, by default the caller's) must serve too. Each is
// received, not public until a planner publishes it (trygg.StaffSourced), with its
// public position snapped to snapM metres,
// its status history and an audit entry. If any is refused nothing is written and the
// rejections name each refused incident by its index. The stored incidents come back in
// the order given.
func (db *DB) AddESTIncidents(ctx context.Context, incs []trygg.ESTIncident, snapM float64) ([]trygg.ESTIncident, []trygg.Rejection, error) {
	c := trygg.CallerFrom(ctx)
	if c == nil || (c.User.ID == "" && c.Actor == "") {
		return nil, nil, trygg.Errorf(trygg.EUNAUTHORIZED, "", "sign in first")
	}
	if len(incs) == 0 {
		return nil, nil, trygg.Errorf(trygg.EINVALID, "body", "no incidents")
	}
	incs = slices.Clone(incs) // defaults are filled in below
	n := len(incs)
	ids, geoms, orgs := make([]string, n), make([][]byte, n), make([]string, n)
	for i := range incs {
		inc := &incs[i]
		if !slices.Contains(trygg.ESTTypes, inc.Type) {
			return nil, nil, trygg.Errorf(trygg.EINVALID, "type", "incident %d: EST type %q is not a code", i, inc.Type)
		}
		if inc.ObservedAt == nil {
			return nil, nil, trygg.Errorf(trygg.EINVALID, "occurred_at", "incident %d: occurred_at is missing", i)
		}
		if inc.Location == nil {
			return nil, nil, trygg.Errorf(trygg.EINVALID, "location", "incident %d: location is missing", i)
		}
		g, err := wkb.Marshal(inc.Location)
		if err != nil {
			return nil, nil, trygg.Errorf(trygg.EINVALID, "location", "incident %d: cannot encode the location: %v", i, err)
		}
		if inc.ReportedByOrg == "" {
			inc.ReportedByOrg = c.User.Organisation.ID
		}
		if inc.ReportedByOrg == "" {
			return nil, nil, trygg.Errorf(trygg.EINVALID, "reported_by_org", "incident %d: say which organisation reported it", i)
		}
		if inc.Category == "" {
			inc.Category = trygg.ESTCategory(inc.Type)
		}
		if inc.Feeling == 0 {
			inc.Feeling = trygg.ESTFeeling
		}
		if inc.When == nil {
			inc.When = trygg.ESTTimes(*inc.ObservedAt)
		}
		if inc.Precision == "" {
			inc.Precision = trygg.PrecisionExact
		}
		inc.Area = strings.TrimSpace(inc.Area)
		inc.Description = strings.TrimSpace(inc.Description)
		inc.PublicDescription = trygg.MaskContacts(inc.Description)
		ids[i], geoms[i], orgs[i] = uuid.NewString(), g, inc.ReportedByOrg
	}

	var out []trygg.ESTIncident
	var rejected []trygg.Rejection
	err := db.inTx(ctx, "add EST incidents", func(tx pgx.Tx) error {
		// Where each incident lies, and whether its organisation exists and serves there.
		rows, err := tx.Query(ctx, `
			SELECT u.i, m.code, EXISTS (SELECT 1 FROM organisation o WHERE o.id = u.org),
				EXISTS (SELECT 1 FROM organisation_municipality om WHERE om.organisation_id = u.org AND om.municipality_code = m.code)
			FROM unnest($1::bytea[], $2::text[]) WITH ORDINALITY AS u(wkb, org, i)
			CROSS JOIN LATERAL (SELECT report_municipality(ST_SetSRID(ST_GeomFromWKB(u.wkb), 4326)) AS code) m
			ORDER BY u.i`, geoms, orgs)
		if err != nil {
			return wrap(err, "place EST incidents")
		}
		munis := make([]string, n)
		var orgExists, orgServes bool
		var muni *string
		var i int
		_, err = pgx.ForEachRow(rows, []any{&i, &muni, &orgExists, &orgServes}, func() error {
			k := i - 1
			switch {
			case muni == nil:
				rejected = append(rejected, trygg.Rejection{Index: k, Code: RejectOutside, Reason: rejectOutsideReason})
			case c.User.ID != "" && !c.Serves(*muni):
				rejected = append(rejected, trygg.Rejection{Index: k, Code: RejectNotServed,
					Reason: fmt.Sprintf("the place is in municipality %s, which you do not serve", *muni)})
			case !orgExists:
				rejected = append(rejected, trygg.Rejection{Index: k, Code: RejectOrganisation,
					Reason: fmt.Sprintf("no organisation has id %q", orgs[k])})
			case !orgServes:
				rejected = append(rejected, trygg.Rejection{Index: k, Code: RejectOrganisation,
					Reason: fmt.Sprintf("organisation %s does not serve municipality %s, where the place is", orgs[k], *muni)})
			default:
				munis[k] = *muni
			}
			return nil
		})
		if err != nil {
			return wrap(err, "place EST incidents")
		}
		if len(rejected) > 0 {
			return errRollback
		}

		cats, feelings, times := make([]string, n), make([]int32, n), make([]string, n)
		descs, pubs, precs, types, areas := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		observed := make([]time.Time, n)
		afters := make([][]byte, n)
		for k, inc := range incs {
			cats[k], feelings[k], times[k] = inc.Category, int32(inc.Feeling), strings.Join(inc.When, ",")
			descs[k], pubs[k], precs[k], types[k], areas[k] = inc.Description, inc.PublicDescription, inc.Precision, inc.Type, inc.Area
			observed[k] = *inc.ObservedAt
			if afters[k], err = json.Marshal(map[string]any{"type": inc.Type, "area": inc.Area, "category": inc.Category,
				"occurred_at": inc.ObservedAt, "reported_by_org": inc.ReportedByOrg, "status": trygg.StatusReceived,
				"public_description": inc.PublicDescription}); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
				public_description, source, precision, status, observed_at, created_by, est_type, est_area, reported_by_org)
			SELECT u.id, u.muni, g.geom, report_public_geom(g.geom, $13), u.category, u.feeling,
				string_to_array(u.times, ','), u.description, u.pub, 'est', u.prec, 'received', u.observed,
				$14, u.est_type, nullif(u.area, ''), u.org
			FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[],
				$9::text[], $10::timestamptz[], $11::text[], $12::text[], $15::text[])
				AS u(id, muni, wkb, category, feeling, times, description, pub, prec, observed, est_type, area, org)
			CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_GeomFromWKB(u.wkb), 4326) AS geom) g`,
			ids, munis, geoms, cats, feelings, times, descs, pubs, precs, observed, types, areas, snapM, callerID(ctx), orgs)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && (pgErr.Code == "23514" || pgErr.Code == "23503" || pgErr.Code == "22023" || pgErr.Code == "XX000") {
			return refusal(pgErr, "incident", estField(pgErr.ConstraintName))
		}
		if err != nil {
			return wrap(err, "insert EST incidents")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO report_status (report_id, status, actor_id, actor)
			SELECT unnest($1::uuid[]), 'received', $2, $3`, ids, callerID(ctx), callerName(ctx)); err != nil {
			return wrap(err, "EST incident status")
		}
		if err := auditPerRow(ctx, tx, "est.report", "report", ids, munis, afters); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT `+estColumns+` FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, i)
			JOIN report r ON r.id = u.id ORDER BY u.i`, ids)
		if err != nil {
			return wrap(err, "read EST incidents")
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.ESTIncident, error) { return scanESTIncident(r) })
		return wrap(err, "read EST incidents")
	})
	if errors.Is(err, errRollback) {
		return nil, rejected, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return out, nil, nil
}

func estField(constraint string) string {
	switch {
	case strings.Contains(constraint, "est_area"):
		return "area"
	case strings.Contains(constraint, "est_type"):
		return "type"
	case strings.Contains(constraint, "reported_by_org"):
		return "reported_by_org"
	case strings.Contains(constraint, "description"):
		return "description"
	case strings.Contains(constraint, "geom"):
		return "location"
	}
	return "body"
}

// auditPerRow appends one audit entry per entity, in one statement: ids[i] in
// municipality munis[i], after afters[i] (JSON).
func auditPerRow(ctx context.Context, tx pgx.Tx, action, entity string, ids, munis []string, afters [][]byte) error {
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
	afterText := make([]string, len(afters))
	for i, a := range afters {
		afterText[i] = string(a)
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO audit_log (actor_id, actor, action, entity, entity_id, municipalities, after)
		SELECT $1, $2, $3, $4, u.id, ARRAY[u.muni], u.after::jsonb
		FROM unnest($5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS u(id, muni, after, i) ORDER BY u.i`,
		actorID, actor, action, entity, ids, munis, afterText)
	return wrap(err, "write audit log")
}

// ESTFilter selects EST incidents. Zero fields select everything the caller sees.
type ESTFilter struct {
	Municipality string
	From, To     time.Time // when they happened: From ≤ occurred_at < To
	Types        []string  // EST type codes
	Limit        int       // 1000 when 0
}

// ESTIncidents lists the EST incidents the caller sees (row-level security), the most
// recent first.
func (db *DB) ESTIncidents(ctx context.Context, f ESTFilter) ([]trygg.ESTIncident, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where = append(where, "r.source = 'est'")
	if f.Municipality != "" {
		where = append(where, "r.municipality_code = "+arg(f.Municipality))
	}
	if !f.From.IsZero() {
		where = append(where, "r.observed_at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "r.observed_at < "+arg(f.To))
	}
	if len(f.Types) > 0 {
		where = append(where, "r.est_type = ANY("+arg(f.Types)+"::text[])")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	q := `SELECT ` + estColumns + ` FROM report r WHERE ` + strings.Join(where, " AND ") +
		fmt.Sprintf(` ORDER BY r.observed_at DESC, r.id LIMIT %d`, limit)
	var out []trygg.ESTIncident
	err := db.inTx(ctx, "list EST incidents", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return wrap(err, "list EST incidents")
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.ESTIncident, error) { return scanESTIncident(r) })
		return wrap(err, "list EST incidents")
	})
	return out, err
}

// ESTWeekly counts a municipality's EST incidents (not rejected ones) of an ISO week
// and of the week before, by type, by area (trygg.ESTNoArea for none) and in all, with
// the change. Weeks run from Monday 00:00 to Monday 00:00 Swedish time. One query
// counts both weeks; the caller's scope (row-level security) decides what is counted,
// so a municipality the caller does not serve counts nothing.
func (db *DB) ESTWeekly(ctx context.Context, municipality string, week trygg.ISOWeek) (trygg.ESTWeekly, error) {
	prev := week.Prev()
	s := trygg.ESTWeekly{Municipality: municipality, Week: week.String(), From: week.Start(), To: week.End(),
		PreviousWeek: prev.String(), PreviousFrom: prev.Start(), ByType: []trygg.ESTCount{}, ByArea: []trygg.ESTCount{}}
	err := db.inTx(ctx, "EST weekly", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			WITH i AS (
				SELECT r.observed_at >= $3 AS this_week, r.est_type,
					coalesce(nullif(btrim(r.est_area), ''), $5) AS area
				FROM report r
				WHERE r.source = 'est' AND r.municipality_code = $1 AND r.status <> 'rejected'
					AND r.observed_at >= $2 AND r.observed_at < $4)
			SELECT GROUPING(est_type, area), coalesce(est_type, ''), coalesce(area, ''),
				count(*) FILTER (WHERE this_week), count(*) FILTER (WHERE NOT this_week)
			FROM i
			GROUP BY GROUPING SETS ((est_type), (area), ())
			ORDER BY 1, 4 DESC, 5 DESC, 2, 3`,
			municipality, s.PreviousFrom, s.From, s.To, trygg.ESTNoArea)
		if err != nil {
			return wrap(err, "EST weekly")
		}
		var set int
		var c trygg.ESTCount
		_, err = pgx.ForEachRow(rows, []any{&set, &c.Type, &c.Area, &c.Count, &c.Previous}, func() error {
			c.Change = c.Count - c.Previous
			switch set {
			case 1: // by type (area rolled up)
				s.ByType = append(s.ByType, trygg.ESTCount{Type: c.Type, Count: c.Count, Previous: c.Previous, Change: c.Change})
			case 2: // by area
				s.ByArea = append(s.ByArea, trygg.ESTCount{Area: c.Area, Count: c.Count, Previous: c.Previous, Change: c.Change})
			case 3:
				s.Total = trygg.ESTCount{Count: c.Count, Previous: c.Previous, Change: c.Change}
			}
			return nil
		})
		return wrap(err, "EST weekly")
	})
	// Types keep the meeting sheet's order among equal counts.
	slices.SortStableFunc(s.ByType, func(a, b trygg.ESTCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if a.Previous != b.Previous {
			return b.Previous - a.Previous
		}
		return slices.Index(trygg.ESTTypes, a.Type) - slices.Index(trygg.ESTTypes, b.Type)
	})
	return s, err
}
