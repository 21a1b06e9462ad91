package postgis

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/trygg-gis/trygg"
)

// Vector tiles: the store side of package tiles. Each layer is one SQL statement per
// tile, run with z, x and y as parameters (pgx prepares and caches the statement by
// its text, which never contains a value): ST_AsMVT over ST_AsMVTGeom (extent 4096,
// buffer 64) on the geometry transformed to EPSG:3857, the tile envelope transformed
// to the column's SRID (4326) for the index, never the column. Like the feature
// collections (features.go), a layer has a public source and a staff source; staff
// tiles run in the caller's scoped transaction, so row-level security keeps them to
// the caller's municipalities.

// Tile layers.
const (
	TileMunicipalities = "municipalities"
	TileReports        = "reports"
	TileWalks          = "walks"
	TilePoliceEvents   = "police-events"
	TileHexcells       = "hexcells"
	TileHotspots       = "hotspots"
	TileActivities     = "activities"     // activities toward commitments (staff; migration 00010)
	TilePromisePlaces  = "promise-places" // the places commitments name (migration 00010)
	TilePatrolTargets  = "patrol-targets" // the stops of patrol plans (staff; migration 00011)
)

// TileLayers are the layers, in drawing order (bottom first).
var TileLayers = []string{TileMunicipalities, TileReports, TileHexcells, TileHotspots, TileWalks, TilePoliceEvents, TilePatrolTargets, TileCameras}

// The promises' layers (migration 00010): places under walks, activities over them.
func init() { TileLayers = append(TileLayers, TilePromisePlaces, TileActivities) }

// Tile constants.
const (
	TileExtent      = 4096
	TileBuffer      = 64
	MaxTileFeatures = 5000 // features in one layer of one tile
	// ClusterCellsPerTile is how many grid cells span a tile's width at a clustered
	// zoom: a cell is 1/16 of a tile (16 px of a 256 px tile).
	ClusterCellsPerTile = 16
)

// earthCircumference is the width of the EPSG:3857 world, in metres.
const earthCircumference = 2 * math.Pi * 6378137

// TileFilter narrows the report layers. Nil or empty fields do not filter.
type TileFilter struct {
	Categories []string
	Sources    []string
	When       []string   // report times: day, evening, night, weekday, weekend
	From, To   *time.Time // created_at within [From, To]
}

// TileQuery is one layer of one tile.
type TileQuery struct {
	Layer   string
	Z, X, Y int
	Staff   bool // the caller's staff view (scoped by row-level security); else public
	Cluster bool // reports: aggregate into clusters on the absolute 3857 grid
	Filter  TileFilter
}

// tileSource is how one audience reads a report-like layer.
type tileSource struct {
	from  string // FROM … AS r
	where string // always applied
	geom  string // geometry column, SRID 4326
	pt    string // the place's point on surface, SRID 3857 (stored: clusters group it)
	time  string // for From and To
	props string // select-list of properties (MVT has no arrays: they are joined)
}

var (
	publicReports = tileSource{from: "public_report r", where: "true", geom: "r.geom", pt: "r.pt", time: "r.created_at",
		props: "r.id::text AS id, r.municipality_code AS municipality, r.category, array_to_string(r.categories, ',') AS categories, r.feeling, " +
			"array_to_string(r.times, ',') AS \"when\", r.source, r.precision, r.precision_m, r.status, r.created_at::text AS created_at"}
	staffReports = tileSource{from: "scoped_report r", where: "r.source <> 'police-event'", geom: "r.geom", pt: "r.pt", time: "r.created_at",
		props: "r.id::text AS id, r.municipality_code AS municipality, r.category, array_to_string(r.categories, ',') AS categories, r.feeling, " +
			"array_to_string(r.times, ',') AS \"when\", r.source, r.precision, r.status, r.created_at::text AS created_at, " +
			"r.description, r.public_description, r.observed_at::text AS observed_at, r.walk_id::text AS walk_id"}
)

// filterSQL is the filter conditions on report rows, parameters $first…$first+4: the
// statement's text is the same whatever the filter. A category filter keeps the
// reports that give any of its categories among their reasons. when keeps the reports that named
// one of its times or were observed in one (time_matches, migration 20).
func filterSQL(src tileSource, first int) string {
	p := func(i int) string { return fmt.Sprintf("$%d", first+i) }
	return fmt.Sprintf("(%[1]s::text[] IS NULL OR r.categories && %[1]s::text[]) AND (%[2]s::text[] IS NULL OR r.source = ANY(%[2]s)) "+
		"AND (%[3]s::text[] IS NULL OR time_matches(r.observed_at, r.times, %[3]s)) AND (%[4]s::timestamptz IS NULL OR %[6]s >= %[4]s) "+
		"AND (%[5]s::timestamptz IS NULL OR %[6]s <= %[5]s)", p(0), p(1), p(2), p(3), p(4), src.time)
}

func filterArgs(f TileFilter) []any {
	list := func(v []string) any {
		if len(v) == 0 {
			return nil
		}
		return v
	}
	return []any{list(f.Categories), list(f.Sources), list(f.When), f.From, f.To}
}

// ClusterCell is the cluster grid's cell size at zoom z, in metres of EPSG:3857.
func ClusterCell(z int) float64 {
	return earthCircumference / math.Exp2(float64(z)) / ClusterCellsPerTile
}

// envelope is the tile's envelope with its buffer, in EPSG:3857; the statements
// transform it to the columns' SRID (4326) for the GiST index.
const envelope = `ST_TileEnvelope($1, $2, $3, margin => ` + "64.0 / 4096" + `)`

func reportTileSQL(src tileSource, cluster bool) string {
	if !cluster {
		return `WITH mvt AS (
  SELECT ST_AsMVTGeom(ST_Transform(` + src.geom + `, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom, ` + src.props + `
  FROM ` + src.from + `
  WHERE ` + src.where + ` AND ST_Intersects(` + src.geom + `, ST_Transform(` + envelope + `, 4326)) AND ` + filterSQL(src, 4) + `
  LIMIT 5000)
SELECT coalesce(ST_AsMVT(mvt.*, 'reports', 4096, 'geom'), '') FROM mvt WHERE geom IS NOT NULL`
	}
	// Clusters: each report's point (stored in EPSG:3857) goes to the nearest node of a
	// grid anchored to the EPSG:3857 origin ($4 is the cell), and each cluster is drawn
	// at the centroid of its reports (the average of their stored coordinates), so it
	// lies within its reports' extent. The reports read reach one cell beyond the tile
	// and its buffer, so every cluster whose centroid lies in the buffered tile is
	// counted and placed with all its reports, the same in every tile that shows it (a
	// group cut by that reach has all its read reports, and so its partial centroid,
	// beyond the buffered tile, where ST_AsMVTGeom drops it). Counting
	// and summing per node and category first, then per node, is plain grouping: no
	// geometry is built or transformed per report.
	return `WITH c AS (
  SELECT round(p.x / $4::float8)::bigint AS gx, round(p.y / $4::float8)::bigint AS gy,
         r.category, count(*) AS n, sum(p.x) AS sx, sum(p.y) AS sy
  FROM ` + src.from + `
  CROSS JOIN LATERAL (SELECT ST_X(` + src.pt + `) AS x, ST_Y(` + src.pt + `) AS y) p
  WHERE ` + src.where + ` AND ` + src.pt + ` && ST_Expand(` + envelope + `, $4::float8) AND ` + filterSQL(src, 5) + `
  GROUP BY 1, 2, 3),
cl AS (
  SELECT gx, gy, sum(n) AS count, sum(sx) / sum(n) AS x, sum(sy) / sum(n) AS y,
         (array_agg(category ORDER BY n DESC, category))[1] AS category
  FROM c GROUP BY 1, 2 ORDER BY count DESC, gx, gy LIMIT 5000),
mvt AS (
  SELECT ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(x, y), 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom,
         count::int AS count, category, true AS cluster
  FROM cl)
SELECT coalesce(ST_AsMVT(mvt.*, 'reports', 4096, 'geom'), '') FROM mvt WHERE geom IS NOT NULL`
}

// municipalitiesTileSQL simplifies boundaries by $4 metres (a tile unit at low zooms).
const municipalitiesTileSQL = `WITH mvt AS (
  SELECT ST_AsMVTGeom(CASE WHEN $4::float8 > 0 THEN ST_SimplifyPreserveTopology(ST_Transform(m.boundary, 3857), $4::float8)
                           ELSE ST_Transform(m.boundary, 3857) END,
                      ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom, m.code, m.name
  FROM municipality m
  WHERE ST_Intersects(m.boundary, ST_Transform(` + envelope + `, 4326))
  LIMIT 5000)
SELECT coalesce(ST_AsMVT(mvt.*, 'municipalities', 4096, 'geom'), '') FROM mvt WHERE geom IS NOT NULL`

const walksTileSQL = `WITH mvt AS (
  SELECT ST_AsMVTGeom(ST_Transform(ST_Force2D(w.route), 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom,
         w.id::text AS id, w.title, w.municipality_code AS municipality, w.status, w.starts_at::text AS starts_at
  FROM scoped_walk w
  WHERE ST_Intersects(w.route, ST_Transform(` + envelope + `, 4326))
  LIMIT 5000)
SELECT coalesce(ST_AsMVT(mvt.*, 'walks', 4096, 'geom'), '') FROM mvt WHERE geom IS NOT NULL`

// Police events have area precision: never points of their own, only a count per
// municipality at the municipality's point on surface.
var policeEventsTileSQL = `WITH munis AS (
  SELECT m.code, m.name, ST_PointOnSurface(m.boundary) AS pt
  FROM municipality m
  WHERE ST_Intersects(m.boundary, ST_Transform(` + envelope + `, 4326))),
mvt AS (
  SELECT ST_AsMVTGeom(ST_Transform(mu.pt, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom,
         mu.code AS municipality, mu.name, c.count::int AS count
  FROM munis mu
  JOIN LATERAL (SELECT count(*) AS count FROM report r
                WHERE r.municipality_code = mu.code AND r.source = 'police-event' AND ` +
	filterSQL(tileSource{time: "coalesce(r.observed_at, r.created_at)"}, 4) + `) c ON c.count > 0)
SELECT coalesce(ST_AsMVT(mvt.*, 'police-events', 4096, 'geom'), '') FROM mvt WHERE geom IS NOT NULL`

// latestRuns is the latest run of each municipality the caller sees (staff, under
// row-level security; the public reads views of the latest public run instead).
const latestRuns = `(SELECT DISTINCT ON (lr.municipality_code) lr.id FROM hotspot_run lr
    ORDER BY lr.municipality_code, lr.created_at DESC, lr.id DESC)`

// hexcellsTileSQL is the cells of the latest runs; beyond MaxTileFeatures, the
// significant and the fullest cells first (ordered before any geometry is built).
func hexcellsTileSQL(from, where string) string {
	return `WITH c AS (
  SELECT c.run_id, c.i, c.j, c.geom, c.value, c.count, c.z, c.p, c.class
  FROM ` + from + `
  WHERE ` + where + ` AND ST_Intersects(c.geom, ST_Transform(` + envelope + `, 4326))
  ORDER BY abs(c.class) DESC, c.count DESC, c.run_id, c.i, c.j
  LIMIT 5000),
mvt AS (
  SELECT ST_AsMVTGeom(ST_Transform(c.geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom,
         c.i, c.j, c.value, c.count, c.z, c.p, c.class::int AS class, c.run_id::text AS run
  FROM c)
SELECT coalesce(ST_AsMVT(mvt.*, 'hexcells', 4096, 'geom'), '') FROM mvt WHERE geom IS NOT NULL`
}

var (
	publicHexcellsTileSQL = hexcellsTileSQL("public_hotspot_cell c", "true")
	staffHexcellsTileSQL  = hexcellsTileSQL("hotspot_cell c", "c.run_id IN "+latestRuns)
)

// The hotspots of the latest runs (kind hotspot) and, for staff, the named places
// (kind place) with the properties of the hotspot they were kept from; a hotspot kept
// as a place carries the place's name.
const publicHotspotsTileSQL = `WITH mvt AS (
  SELECT ST_AsMVTGeom(ST_Transform(h.geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom,
         h.id::text AS id, 'hotspot' AS kind, h.rank, h.score, h.z, h.count, nullif(h.pattern, '') AS pattern
  FROM public_hotspot h
  WHERE ST_Intersects(h.geom, ST_Transform(` + envelope + `, 4326))
  LIMIT 5000)
SELECT coalesce(ST_AsMVT(mvt.*, 'hotspots', 4096, 'geom'), '') FROM mvt WHERE geom IS NOT NULL`

const staffHotspotsTileSQL = `WITH f AS (
  SELECT h.geom, h.id::text AS id, 'hotspot' AS kind, h.rank, h.score, h.z, h.count, nullif(h.pattern, '') AS pattern,
         (SELECT p.name FROM place p WHERE p.hotspot_id = h.id ORDER BY p.created_at, p.id LIMIT 1) AS name
  FROM hotspot h
  WHERE h.run_id IN ` + latestRuns + ` AND ST_Intersects(h.geom, ST_Transform(` + envelope + `, 4326))
  UNION ALL
  SELECT p.geom, p.id::text, 'place', h.rank, h.score, h.z, h.count, nullif(h.pattern, ''), p.name
  FROM place p LEFT JOIN hotspot h ON h.id = p.hotspot_id
  WHERE ST_Intersects(p.geom, ST_Transform(` + envelope + `, 4326))
  LIMIT 5000),
mvt AS (
  SELECT ST_AsMVTGeom(ST_Transform(f.geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom,
         f.id, f.kind, f.rank, f.score, f.z, f.count, f.pattern, f.name
  FROM f)
SELECT coalesce(ST_AsMVT(mvt.*, 'hotspots', 4096, 'geom'), '') FROM mvt WHERE geom IS NOT NULL`

// patrolTargetsTileSQL is the stops of the patrol plans (staff, under row-level
// security): the hotspot's area, or the point where it has none; the latest first.
const patrolTargetsTileSQL = `WITH mvt AS (
  SELECT ST_AsMVTGeom(ST_Transform(coalesce(s.geom, s.pt), 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom,
         s.plan_id::text AS plan, s.seq, s.target_key AS target, nullif(s.name, '') AS name, s.municipality_code AS municipality,
         s.planned_arrival::text AS planned_arrival, s.planned_departure::text AS planned_departure,
         s.arrived_at IS NOT NULL AS visited
  FROM patrol_stop s
  WHERE ST_Intersects(s.pt, ST_Transform(` + envelope + `, 4326)) OR ST_Intersects(s.geom, ST_Transform(` + envelope + `, 4326))
  ORDER BY s.planned_arrival DESC, s.plan_id, s.seq
  LIMIT 5000)
SELECT coalesce(ST_AsMVT(mvt.*, 'patrol-targets', 4096, 'geom'), '') FROM mvt WHERE geom IS NOT NULL`

// Activities (staff only): kind, party and time, never notes.
const activitiesTileSQL = `WITH mvt AS (
  SELECT ST_AsMVTGeom(ST_Transform(a.geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom,
         a.id::text AS id, a.municipality_code AS municipality, a.kind, a.party, a.starts_at::text AS starts_at,
         a.duration_minutes
  FROM activity a
  WHERE ST_Intersects(a.geom, ST_Transform(` + envelope + `, 4326))
  ORDER BY a.starts_at DESC
  LIMIT 5000)
SELECT coalesce(ST_AsMVT(mvt.*, 'activities', 4096, 'geom'), '') FROM mvt WHERE geom IS NOT NULL`

// The places commitments name: of published promises for the public, of every promise
// the caller sees for staff (a named place drawn with its own geometry).
func promisePlacesTileSQL(from, where string) string {
	return `WITH f AS (
  SELECT ` + from + `
  WHERE ` + where + `
  LIMIT 5000),
mvt AS (
  SELECT ST_AsMVTGeom(ST_Transform(f.geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom,
         f.id, f.name, f.municipality, f.promise_id, f.commitment_id, f.focus_area, f.activity_kind, f.promise_title
  FROM f)
SELECT coalesce(ST_AsMVT(mvt.*, 'promise-places', 4096, 'geom'), '') FROM mvt WHERE geom IS NOT NULL`
}

var (
	publicPromisePlacesTileSQL = promisePlacesTileSQL(`pp.geom, pp.id::text AS id, pp.name, pp.municipality_code AS municipality,
         pp.promise_id::text AS promise_id, pp.commitment_id::text AS commitment_id, pp.focus_area, pp.activity_kind,
         pp.promise_title
  FROM public_promise_place pp`, `ST_Intersects(pp.geom, ST_Transform(`+envelope+`, 4326))`)
	staffPromisePlacesTileSQL = promisePlacesTileSQL(`coalesce(cp.geom, pl.geom) AS geom, cp.id::text AS id,
         coalesce(nullif(cp.name, ''), pl.name, '') AS name, cp.municipality_code AS municipality,
         c.promise_id::text AS promise_id, cp.commitment_id::text AS commitment_id, c.focus_area, c.activity_kind,
         p.title AS promise_title
  FROM commitment_place cp JOIN commitment c ON c.id = cp.commitment_id JOIN promise p ON p.id = c.promise_id
  LEFT JOIN place pl ON pl.id = cp.place_id`,
		`(ST_Intersects(cp.geom, ST_Transform(`+envelope+`, 4326)) OR
         cp.place_id IN (SELECT bp.id FROM place bp WHERE ST_Intersects(bp.geom, ST_Transform(`+envelope+`, 4326))))`)
)

// TileStatement returns the SQL statement and arguments that build one layer of one
// tile, as Tile runs them (the benchmarks run them directly, as a baseline).
func TileStatement(q TileQuery) (string, []any, error) {
	if q.Z < 0 || q.Z > 30 || q.X < 0 || q.Y < 0 || q.X >= 1<<q.Z || q.Y >= 1<<q.Z {
		return "", nil, trygg.Errorf(trygg.EINVALID, "z", "no tile %d/%d/%d", q.Z, q.X, q.Y)
	}
	args := []any{q.Z, q.X, q.Y}
	var query string
	switch q.Layer {
	case TileMunicipalities:
		tol := 0.0
		if q.Z < 14 {
			tol = earthCircumference / math.Exp2(float64(q.Z)) / TileExtent // one tile unit
		}
		query, args = municipalitiesTileSQL, append(args, tol)
	case TileReports:
		src := publicReports
		if q.Staff {
			src = staffReports
		}
		query = reportTileSQL(src, q.Cluster)
		if q.Cluster {
			args = append(args, ClusterCell(q.Z))
		}
		args = append(args, filterArgs(q.Filter)...)
	case TileHexcells:
		query = publicHexcellsTileSQL
		if q.Staff {
			query = staffHexcellsTileSQL
		}
	case TileHotspots:
		query = publicHotspotsTileSQL
		if q.Staff {
			query = staffHotspotsTileSQL
		}
	case TileCameras:
		query = camerasTileSQL(q.Staff)
	case TileWalks:
		query = walksTileSQL
	case TileActivities:
		query = activitiesTileSQL
	case TilePromisePlaces:
		query = publicPromisePlacesTileSQL
		if q.Staff {
			query = staffPromisePlacesTileSQL
		}
	case TilePatrolTargets:
		query = patrolTargetsTileSQL
	case TilePoliceEvents:
		query, args = policeEventsTileSQL, append(args, filterArgs(q.Filter)...)
	default:
		return "", nil, trygg.Errorf(trygg.ENOTFOUND, "layer", "no tile layer %q", q.Layer)
	}
	return query, args, nil
}

// Tile returns one layer of one tile as MVT (not compressed); an empty tile is empty.
// Staff layers (walks, police events) read nothing for the public: row-level security
// shows them nothing without a scope.
func (db *DB) Tile(ctx context.Context, q TileQuery) ([]byte, error) {
	query, args, err := TileStatement(q)
	if err != nil {
		return nil, err
	}
	var mvt []byte
	read := func(ctx context.Context, qr interface {
		QueryRow(context.Context, string, ...any) pgx.Row
	}) error {
		return wrap(qr.QueryRow(ctx, query, args...).Scan(&mvt), "build "+q.Layer+" tile")
	}
	if !q.Staff {
		// Public tiles read public data only (the municipalities, the public_report
		// view): one statement, no transaction, no scope.
		return mvt, read(ctx, db.pool)
	}
	err = db.inTx(ctx, "read tile", func(tx pgx.Tx) error { return read(ctx, tx) })
	return mvt, err
}

// TileVersion is the version of one layer's data in one municipality.
type TileVersion struct {
	Layer, Municipality string
	Version             int64
}

// TileVersions reads every layer's versions (table tile_version, bumped by triggers).
func (db *DB) TileVersions(ctx context.Context) ([]TileVersion, error) {
	rows, err := db.pool.Query(ctx, `SELECT layer, municipality_code, version FROM tile_version`)
	if err != nil {
		return nil, wrap(err, "read tile versions")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (TileVersion, error) {
		var v TileVersion
		err := row.Scan(&v.Layer, &v.Municipality, &v.Version)
		return v, err
	})
	return out, wrap(err, "read tile versions")
}

// MunicipalityBounds returns each municipality's bounding box in longitude and
// latitude: minx, miny, maxx, maxy.
func (db *DB) MunicipalityBounds(ctx context.Context) (map[string][4]float64, error) {
	rows, err := db.pool.Query(ctx, `SELECT code, ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
		FROM (SELECT code, ST_Envelope(boundary)::box2d AS b FROM municipality) m`)
	if err != nil {
		return nil, wrap(err, "read municipality bounds")
	}
	defer rows.Close()
	out := map[string][4]float64{}
	for rows.Next() {
		var code string
		var b [4]float64
		if err := rows.Scan(&code, &b[0], &b[1], &b[2], &b[3]); err != nil {
			return nil, wrap(err, "read municipality bounds")
		}
		out[code] = b
	}
	return out, wrap(rows.Err(), "read municipality bounds")
}

// TileChannel is the channel the tile_version triggers notify, with "layer:code".
const TileChannel = "trygg_tiles"

// ListenTiles holds a connection of its own (not the pool's) listening on
// TileChannel: it calls connected once listening (anything written before may have
// been missed) and each with every notification's payload, until ctx is done or the
// connection fails; it returns why.
func (db *DB) ListenTiles(ctx context.Context, connected func(), each func(payload string)) error {
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return wrap(err, "connect to listen")
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `LISTEN `+TileChannel); err != nil {
		return wrap(err, "listen")
	}
	connected()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return wrap(err, "wait for notification")
		}
		each(strings.Clone(n.Payload))
	}
}
