package postgis

import (
	"context"
	"maps"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/trygg-gis/trygg"
)

// Importing the Police's public events (trygg import police-events): the events go into
// a temporary table with COPY and one INSERT … SELECT … ON CONFLICT (police_event_id)
// writes them as reports, so that importing the same feed again updates what changed
// and never duplicates.

// MunicipalityNames returns the name of every stored municipality by its code.
func (db *DB) MunicipalityNames(ctx context.Context) (map[string]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT code, name FROM municipality`)
	if err != nil {
		return nil, wrap(err, "read municipality names")
	}
	names := map[string]string{}
	var code, name string
	_, err = pgx.ForEachRow(rows, []any{&code, &name}, func() error {
		names[code] = name
		return nil
	})
	return names, wrap(err, "read municipality names")
}

// policeEventFeeling is the feeling of a police event's report: 2, unsafe. The feed
// says what happened, not how a place feels; the report table needs one.
const policeEventFeeling = 2

// ImportPoliceEvents writes police events as reports, all or nothing, in one
// transaction: source police-event, precision area, published (the public never sees
// them: public_report leaves police events out), observed and created at the event's
// time, public position equal to the position. The position is the feed's point, but
// for a county-level event (since 2026 the feed gives the county's centroid, which may
// lie in another municipality) whose point is not in its municipality: that one gets a
// point on the municipality's surface. (A municipality's own point is kept even where
// a coarse boundary misses it: the Police put Varberg's on the coast.) A stored
// event (by police_event_id) is updated if anything the feed gives changed; its status
// and id stay. Inserted reports get a first status by actor ("import:events.json");
// the import, if it changed anything, one audit-log entry. Every event's Municipality
// must be stored. progress, if not nil, is called as rows are sent. The summary counts
// inserted, updated and unchanged events, and inserted ones per municipality.
func (db *DB) ImportPoliceEvents(ctx context.Context, es []trygg.PoliceEvent, actor string,
	progress func(done, total int)) (trygg.ImportSummary, error) {
	var sum trygg.ImportSummary
	if len(es) == 0 {
		return sum, nil
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return sum, wrap(err, "begin police event import")
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	// Temporary tables have no statistics: without this the planner would spend a
	// quarter of a second compiling the statement (JIT) to save nothing.
	if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
		return sum, wrap(err, "set up police event import")
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_police_event (
		police_event_id bigint PRIMARY KEY, municipality_code text NOT NULL, lon float8 NOT NULL, lat float8 NOT NULL,
		county_level boolean NOT NULL, category text NOT NULL, police_event_type text NOT NULL, description text NOT NULL, at timestamptz NOT NULL
	) ON COMMIT DROP`); err != nil {
		return sum, wrap(err, "create police event import table")
	}
	i := 0
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_police_event"},
		[]string{"police_event_id", "municipality_code", "lon", "lat", "county_level", "category", "police_event_type", "description", "at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i >= len(es) {
				return nil, nil
			}
			e := es[i]
			i++
			if progress != nil {
				progress(i, len(es))
			}
			return []any{e.ID, e.Municipality, e.Position[0], e.Position[1], e.CountyLevel, e.Category, e.Type, e.Description, e.At}, nil
		})); err != nil {
		return sum, wrap(err, "copy police events")
	}

	rows, err := tx.Query(ctx, `
		WITH place AS MATERIALIZED ( -- the feed has a few hundred points: place each once per municipality
			SELECT p.municipality_code, p.lon, p.lat, p.county_level,
				CASE WHEN NOT p.county_level OR ST_Covers(m.boundary, g.p) THEN g.p ELSE ST_PointOnSurface(m.boundary) END AS geom
			FROM (SELECT DISTINCT municipality_code, lon, lat, county_level FROM import_police_event) p
			JOIN municipality m ON m.code = p.municipality_code,
			LATERAL ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326) AS g(p)
		), src AS (
			SELECT i.*, p.geom FROM import_police_event i JOIN place p USING (municipality_code, lon, lat, county_level)
		), up AS (
			INSERT INTO report AS r (id, municipality_code, geom, public_geom, category, feeling, description,
				public_description, source, precision, status, observed_at, created_at, police_event_id, police_event_type)
			SELECT gen_random_uuid(), s.municipality_code, s.geom, s.geom, s.category, $2::smallint, s.description,
				s.description, 'police-event', 'area', 'published', s.at, s.at, s.police_event_id, s.police_event_type
			FROM src s
			ON CONFLICT (police_event_id) DO UPDATE SET
				municipality_code = EXCLUDED.municipality_code, geom = EXCLUDED.geom, public_geom = EXCLUDED.public_geom,
				category = EXCLUDED.category, description = EXCLUDED.description,
				public_description = EXCLUDED.public_description, observed_at = EXCLUDED.observed_at,
				created_at = EXCLUDED.created_at, police_event_type = EXCLUDED.police_event_type, updated_at = now()
			WHERE (r.municipality_code, r.category, r.description, r.public_description, r.observed_at, r.created_at,
					r.police_event_type)
				IS DISTINCT FROM (EXCLUDED.municipality_code, EXCLUDED.category, EXCLUDED.description,
					EXCLUDED.public_description, EXCLUDED.observed_at, EXCLUDED.created_at, EXCLUDED.police_event_type)
				OR NOT ST_OrderingEquals(r.geom, EXCLUDED.geom) OR NOT ST_OrderingEquals(r.public_geom, EXCLUDED.public_geom)
			RETURNING r.id, r.municipality_code, (r.xmax = 0) AS inserted
		), history AS (
			INSERT INTO report_status (report_id, status, actor) SELECT id, 'published', $1 FROM up WHERE inserted
		)
		SELECT municipality_code, inserted, count(*)::int FROM up GROUP BY municipality_code, inserted`,
		actor, policeEventFeeling)
	if err != nil {
		return sum, wrap(err, "import police events")
	}
	sum.ByMunicipality = map[string]int{}
	touched := map[string]bool{}
	var (
		code     string
		inserted bool
		n        int
	)
	if _, err := pgx.ForEachRow(rows, []any{&code, &inserted, &n}, func() error {
		touched[code] = true
		if inserted {
			sum.Inserted += n
			sum.ByMunicipality[code] += n
		} else {
			sum.Updated += n
		}
		return nil
	}); err != nil {
		return trygg.ImportSummary{}, wrap(err, "import police events")
	}
	sum.Unchanged = len(es) - sum.Inserted - sum.Updated
	if sum.Inserted+sum.Updated > 0 {
		if err := audit(ctx, tx, "police_event.import", "report", actor, slices.Sorted(maps.Keys(touched)), nil,
			map[string]any{"events": len(es), "inserted": sum.Inserted, "updated": sum.Updated,
				"unchanged": sum.Unchanged, "inserted_by_municipality": sum.ByMunicipality}); err != nil {
			return trygg.ImportSummary{}, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return trygg.ImportSummary{}, wrap(err, "commit police event import")
	}
	return sum, nil
}
