package postgis

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/trygg-gis/trygg"
)

// Importing reports: the records go into a temporary table with COPY; one statement
// then gives every place its municipality and judges it, and, if none is refused, one
// INSERT … SELECT writes the reports and their first status. Nothing is done row by row.

// placeRejected is the reason a place is refused, or NULL: PostGIS finds it invalid, its
// area on the spheroid is over 1 km² (the report table's own check), or no stored
// municipality covers it.
const placeRejected = `CASE
	WHEN NOT p.valid THEN 'invalid geometry: ' || ST_IsValidReason(p.geom)
	WHEN GeometryType(p.geom) = 'POLYGON' AND ST_Area(p.geom::geography) > 1000000 THEN
		format('the area is %s km², at most 1 km² is allowed: mark a point instead', round((ST_Area(p.geom::geography) / 1e6)::numeric, 2))
	WHEN p.municipality_code IS NULL THEN 'the place is outside every municipality that uses Trygg'
END`

// CheckReportPlaces judges places as ImportReports would, in one query, and writes
// nothing: each refused place is a Rejection with its index in places. The importer
// uses it to list these refusals too when other fields of a file are already wrong.
func (db *DB) CheckReportPlaces(ctx context.Context, places []orb.Geometry) ([]trygg.Rejection, error) {
	rs := make([]trygg.Report, len(places))
	for i, g := range places {
		rs[i].Location = g
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return nil, wrap(err, "begin place check")
	}
	defer tx.Rollback(ctx) //nolint:errcheck // nothing is kept
	if err := stageReports(ctx, tx, rs, nil); err != nil {
		return nil, err
	}
	return placeRejections(ctx, tx)
}

// ImportReports writes checked reports all or nothing, in one transaction. The
// municipality of each is the one covering its position (a polygon's point on
// surface) and its public position is snapped to the centre of a gridM-metre cell in
// SWEREF 99 TM, as submit_report does. Each report gets a first status row with actor
// (such as "import:walk-2024.csv") and the import one audit-log entry. A place that is
// invalid, too large or outside every municipality is a Rejection (by index in rs) and
// then nothing is written. ObservedAt doubles as created_at (historical reports were
// made then); a CreatedAt without ObservedAt is a day without a time of day (a date
// column: the report's date, no slot of a week); ID and Municipality of rs are ignored. progress, if not nil, is called as
// rows are sent.
func (db *DB) ImportReports(ctx context.Context, rs []trygg.Report, gridM float64, actor string,
	progress func(done, total int)) (trygg.ImportSummary, error) {
	var sum trygg.ImportSummary
	if len(rs) == 0 {
		return sum, nil
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return sum, wrap(err, "begin report import")
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if err := stageReports(ctx, tx, rs, progress); err != nil {
		return sum, err
	}
	if sum.Rejected, err = placeRejections(ctx, tx); err != nil || len(sum.Rejected) > 0 {
		return sum, err
	}

	// Municipality and public position as submit_report makes them (report_municipality,
	// report_public_geom in migrations/00003_reports.sql); the grid, for the public
	// precision (report_public_grid, migrations/00018_staff_sources.sql).
	if _, err := tx.Exec(ctx, `SELECT set_config('trygg.public_grid_m', $1, true)`,
		strconv.FormatFloat(gridM, 'f', -1, 64)); err != nil {
		return sum, wrap(err, "import reports")
	}
	rows, err := tx.Query(ctx, `
		WITH ins AS (
			INSERT INTO report (id, municipality_code, geom, public_geom, category, categories, feeling, times, description,
				public_description, source, precision, status, observed_at, created_at)
			SELECT gen_random_uuid(), p.municipality_code, p.geom,
				report_public_geom(p.geom, $1::float8),
				i.category, i.categories, i.feeling, i.times, i.description, i.public_description, i.source, i.precision,
				i.status, i.observed_at, coalesce(i.observed_at, i.created_at, now())
			FROM import_report i JOIN import_place p USING (idx)
			ORDER BY i.idx
			RETURNING id, status, municipality_code, report_outside_boundary(geom, municipality_code) AS near_boundary
		), history AS (
			INSERT INTO report_status (report_id, status, actor) SELECT id, status, $2 FROM ins
		)
		SELECT municipality_code, count(*)::int, count(*) FILTER (WHERE near_boundary)::int FROM ins GROUP BY municipality_code`, gridM, actor)
	if err != nil {
		return sum, wrap(err, "import reports")
	}
	sum.ByMunicipality = map[string]int{}
	var code string
	var n, near int
	if _, err := pgx.ForEachRow(rows, []any{&code, &n, &near}, func() error {
		sum.ByMunicipality[code] = n
		sum.Inserted += n
		sum.NearBoundary += near
		return nil
	}); err != nil {
		return trygg.ImportSummary{}, wrap(err, "import reports")
	}
	munis := slices.Sorted(maps.Keys(sum.ByMunicipality))
	if err := audit(ctx, tx, "report.import", "report", actor, munis, nil, map[string]any{
		"reports": sum.Inserted, "by_municipality": sum.ByMunicipality, "status": rs[0].Status, "grid_m": gridM,
	}); err != nil {
		return trygg.ImportSummary{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return trygg.ImportSummary{}, wrap(err, "commit report import")
	}
	return sum, nil
}

// stageReports copies rs into the temporary table import_report and derives
// import_place: each geometry, whether PostGIS finds it valid, and the municipality
// covering it, the way submit_report finds it.
func stageReports(ctx context.Context, tx pgx.Tx, rs []trygg.Report, progress func(done, total int)) error {
	// Temporary tables have no statistics, so the planner misjudges the cost and would
	// spend a quarter of a second compiling each statement (JIT) to save nothing.
	if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
		return wrap(err, "set up report import")
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_report (
		idx int PRIMARY KEY, wkb bytea NOT NULL, category text, categories text[], feeling smallint, times text[],
		description text, public_description text, source text, precision text, status text,
		observed_at timestamptz, created_at timestamptz
	) ON COMMIT DROP`); err != nil {
		return wrap(err, "create report import table")
	}
	i := 0
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"import_report"},
		[]string{"idx", "wkb", "category", "categories", "feeling", "times", "description", "public_description", "source",
			"precision", "status", "observed_at", "created_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i >= len(rs) {
				return nil, nil
			}
			r := rs[i]
			g, err := wkb.Marshal(r.Location)
			if err != nil {
				return nil, fmt.Errorf("encode location of record %d: %w", i, err)
			}
			when := r.When
			if when == nil {
				when = []string{}
			}
			var created *time.Time // a date without a time of day (the importer's CreatedAt)
			if !r.CreatedAt.IsZero() {
				created = &r.CreatedAt
			}
			i++
			if progress != nil {
				progress(i, len(rs))
			}
			return []any{i - 1, g, r.Category, nilIfNone(r.Categories), int16(r.Feeling), when, r.Description, r.PublicDescription,
				r.Source, r.Precision, r.Status, r.ObservedAt, created}, nil
		}))
	if err != nil {
		return wrap(err, "copy reports")
	}
	// The municipality as submit_report finds it, asked only of valid geometries: GEOS
	// may throw on others.
	if _, err := tx.Exec(ctx, `
		CREATE TEMP TABLE import_place ON COMMIT DROP AS
		SELECT s.idx, s.geom, s.valid,
			CASE WHEN s.valid THEN report_municipality(s.geom) END AS municipality_code
		FROM (SELECT i.idx, g.geom, ST_IsValid(g.geom) AS valid
		      FROM import_report i, ST_SetSRID(ST_GeomFromWKB(i.wkb), 4326) AS g(geom)) s`); err != nil {
		return wrap(err, "find municipalities")
	}
	return nil
}

// placeRejections lists the refused places of import_place by index.
func placeRejections(ctx context.Context, tx pgx.Tx) ([]trygg.Rejection, error) {
	rows, err := tx.Query(ctx, `SELECT idx, '', reason FROM (SELECT p.idx, `+placeRejected+` AS reason FROM import_place p) r
		WHERE reason IS NOT NULL ORDER BY idx`)
	if err != nil {
		return nil, wrap(err, "check places")
	}
	rej, err := pgx.CollectRows(rows, pgx.RowToStructByPos[trygg.Rejection])
	return rej, wrap(err, "check places")
}
