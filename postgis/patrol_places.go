package postgis

import (
	"context"
	"errors"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	orbwkb "github.com/paulmach/orb/encoding/wkb"
	"github.com/trygg-gis/trygg"
)

// The places of a patrol plan (package patrol): named places (saved places and the
// places commitments name) as stops beside the hot areas, their reports and when they
// occur, and the names of hot areas from the places near them.

// PlaceActivity is what the reports at one place say: how many (Count), their weighted
// sum (Value, the hotspot analysis' weights) and when and what (Profile).
type PlaceActivity struct {
	Count   int
	Value   float64
	Profile Profile
}

// PlaceActivities returns the reports of q's report set (the hotspot analysis', with
// its weights and its time of a report) at each geometry (longitude/latitude): within
// a polygon, or within bufferM metres of a point or a line. One statement builds the
// profiles the way HotspotProfiles does (hsProfileSQL over the report set), a second
// sums the counts and weights; both see what the caller sees.
func (db *DB) PlaceActivities(ctx context.Context, q trygg.HotspotQuery, geoms []orb.Geometry, bufferM float64) ([]PlaceActivity, error) {
	out := make([]PlaceActivity, len(geoms))
	for i := range out {
		out[i].Profile = Profile{Categories: []NamedCount{}, Sources: []NamedCount{}}
	}
	if len(geoms) == 0 {
		return out, nil
	}
	wkbs, err := wkbsOf(geoms)
	if err != nil {
		return nil, err
	}
	// k1 is the place's position (1 …), k2 unused: the shape hsProfileSQL groups by.
	places := `WITH g AS (SELECT n, ST_Transform(ST_SetSRID(ST_GeomFromWKB(b), 4326), 3006) AS xy
  FROM unnest($21::bytea[]) WITH ORDINALITY u(b, n) WHERE b IS NOT NULL),
r AS MATERIALIZED (
  SELECT g.n AS k1, 0::bigint AS k2, s.*
  FROM g JOIN (` + hsReportSet(hsSourceOf(q)) + `) s
    ON ST_DWithin(s.xy, g.xy, CASE WHEN ST_Dimension(g.xy) = 2 THEN 0 ELSE $22::float8 END))
`
	args := append(hsArgs(q, nil), wkbs, bufferM)
	err = db.hsRead(ctx, q, "read place activity", func(qr queryer) error {
		rows, err := qr.Query(ctx, places+hsProfileSQL("r"), args...)
		if err != nil {
			return wrap(err, "read place profiles")
		}
		defer rows.Close()
		for rows.Next() {
			var k1, k2 int64
			var kind, name string
			var slot int
			var n float64
			if err := rows.Scan(&k1, &k2, &kind, &slot, &name, &n); err != nil {
				return wrap(err, "read place profiles")
			}
			if k1 >= 1 && int(k1) <= len(out) {
				hsAddProfile(&out[k1-1].Profile, kind, slot, name, n)
			}
		}
		if err := rows.Err(); err != nil {
			return wrap(err, "read place profiles")
		}
		rows, err = qr.Query(ctx, places+`SELECT k1, count(*), coalesce(sum(w), 0)::float8 FROM r GROUP BY 1`, args...)
		if err != nil {
			return wrap(err, "read place reports")
		}
		defer rows.Close()
		for rows.Next() {
			var k1, n int64
			var v float64
			if err := rows.Scan(&k1, &n, &v); err != nil {
				return wrap(err, "read place reports")
			}
			if k1 >= 1 && int(k1) <= len(out) {
				out[k1-1].Count, out[k1-1].Value = int(n), v
			}
		}
		return wrap(rows.Err(), "read place reports")
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		hsFinishProfile(&out[i].Profile)
	}
	return out, nil
}

// NearPlace is the named place nearest a point: a saved place (PlaceID) or a place a
// commitment names, and its distance in metres (0 inside it). Name is "" when the
// municipality has no named place.
type NearPlace struct {
	Ref     string // "place:<id>" or "commitment-place:<id>": which place, as patrol target keys say it
	PlaceID string
	Name    string
	M       float64
}

// NearestNamedPlaces returns, for each point (longitude/latitude), the nearest named
// place of the municipality the caller sees: its saved places and the places of its
// commitments (a commitment place without a name of its own takes its saved place's).
// Ties go to saved places, then by name.
func (db *DB) NearestNamedPlaces(ctx context.Context, municipality string, pts []orb.Point) ([]NearPlace, error) {
	out := make([]NearPlace, len(pts))
	if len(pts) == 0 {
		return out, nil
	}
	xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p[0], p[1]
	}
	err := db.inTx(ctx, "read nearest named places", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			WITH n AS MATERIALIZED (
				SELECT 'place:' || p.id AS ref, p.id::text AS place_id, p.name, ST_Transform(p.geom, 3006) AS xy
				FROM place p WHERE p.municipality_code = $1
				UNION ALL
				SELECT coalesce('place:' || cp.place_id, 'commitment-place:' || cp.id), coalesce(cp.place_id::text, ''),
				       coalesce(nullif(cp.name, ''), pl.name), ST_Transform(coalesce(cp.geom, pl.geom), 3006)
				FROM commitment_place cp LEFT JOIN place pl ON pl.id = cp.place_id
				WHERE cp.municipality_code = $1 AND coalesce(cp.geom, pl.geom) IS NOT NULL
				  AND coalesce(nullif(cp.name, ''), pl.name, '') <> '')
			SELECT u.k, coalesce(x.ref, ''), coalesce(x.place_id, ''), coalesce(x.name, ''), coalesce(x.d, 0)
			FROM unnest($2::float8[], $3::float8[]) WITH ORDINALITY u(x, y, k)
			LEFT JOIN LATERAL (
				SELECT n.ref, n.place_id, n.name, ST_Distance(n.xy, ST_Transform(ST_SetSRID(ST_MakePoint(u.x, u.y), 4326), 3006)) AS d
				FROM n ORDER BY d, n.place_id = '', n.name LIMIT 1) x ON true
			ORDER BY u.k`, municipality, xs, ys)
		if err != nil {
			return wrap(err, "read nearest named places")
		}
		defer rows.Close()
		for rows.Next() {
			var k int64
			var np NearPlace
			if err := rows.Scan(&k, &np.Ref, &np.PlaceID, &np.Name, &np.M); err != nil {
				return wrap(err, "read nearest named places")
			}
			if k >= 1 && int(k) <= len(out) {
				out[k-1] = np
			}
		}
		return wrap(rows.Err(), "read nearest named places")
	})
	return out, err
}

// WalkPoints returns where a patrol walks to at each geometry (longitude/latitude): a
// point itself, the middle of a line, a point on a polygon's surface. A nil geometry
// gives a zero point.
func (db *DB) WalkPoints(ctx context.Context, geoms []orb.Geometry) ([]orb.Point, error) {
	if len(geoms) == 0 {
		return nil, nil
	}
	wkbs, err := wkbsOf(geoms)
	if err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, `SELECT coalesce(ST_X(p), 0), coalesce(ST_Y(p), 0)
		FROM unnest($1::bytea[]) WITH ORDINALITY u(b, n),
		     LATERAL (SELECT ST_SetSRID(ST_GeomFromWKB(b), 4326) AS g) x,
		     LATERAL (SELECT CASE WHEN ST_Dimension(x.g) = 1 THEN ST_LineInterpolatePoint(ST_LineMerge(x.g), 0.5)
		                          ELSE ST_PointOnSurface(x.g) END AS p) y
		ORDER BY n`, wkbs)
	if err != nil {
		return nil, wrap(err, "walk points")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (orb.Point, error) {
		var p orb.Point
		err := r.Scan(&p[0], &p[1])
		return p, err
	})
	return out, wrap(err, "walk points")
}

// MetresOutside is how far pt (longitude/latitude) lies outside the municipality's
// boundary, in metres (SWEREF 99 TM); 0 inside it.
func (db *DB) MetresOutside(ctx context.Context, municipality string, pt orb.Point) (float64, error) {
	var d float64
	err := db.pool.QueryRow(ctx, `SELECT ST_Distance(ST_Transform(m.boundary, 3006),
			ST_Transform(ST_SetSRID(ST_MakePoint($2::float8, $3::float8), 4326), 3006))
		FROM municipality m WHERE m.code = $1`, municipality, pt[0], pt[1]).Scan(&d)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, trygg.Errorf(trygg.EINVALID, "municipality", "no municipality %q", municipality)
	}
	return d, wrap(err, "distance from the municipality "+strconv.Quote(municipality))
}

// wkbsOf encodes each geometry as WKB for an unnest($n::bytea[]) parameter; a nil
// geometry is a NULL element.
func wkbsOf(geoms []orb.Geometry) ([][]byte, error) {
	wkbs := make([][]byte, len(geoms))
	for i, g := range geoms {
		if g == nil {
			continue
		}
		b, err := orbwkb.Marshal(g)
		if err != nil {
			return nil, trygg.Errorf(trygg.EINTERNAL, "", "encode geometry: %v", err)
		}
		wkbs[i] = b
	}
	return wkbs, nil
}
