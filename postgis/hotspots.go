package postgis

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	orbwkb "github.com/paulmach/orb/encoding/wkb"
	"github.com/trygg-gis/trygg"
)

// The SQL of the hotspot analysis (package hotspot runs it; the statistics are geo's).
//
// The report set of a query is one subquery (hsReportSet) over the public view (public
// positions) or, for staff, the report table in the caller's scoped transaction (row-level
// security keeps it to the caller's municipalities). Every statement's text is fixed
// whatever the filter: filters are parameters $1…$20 (hsArgs), `$n IS NULL OR …`, so pgx
// prepares each statement once per connection. Statements differ only by audience
// (public or staff) and grid (hexagons or squares).
//
// Reports go to grid cells by arithmetic on their stored EPSG:3006 point (report.xy,
// public_xy; migration 7), then GROUP BY: no geometry is built per report. Hexagons are
// PostGIS' flat-topped ones of size s (circumradius; s = cell/√3, cell being the distance
// between neighbouring centres) with origin 0 0: the centre of (i, j) is (1.5·s·i,
// √3·s·(j + ½·(i mod 2))). Even columns form the lattice (3s·a, √3s·b), odd ones the same
// lattice moved by (1.5s, √3s/2); a point's hexagon is that of the nearer of its nearest
// node in each lattice (hexagons are the Voronoi cells of their centres). Squares: i =
// ⌊x/side⌋, j = ⌊y/side⌋. TestHotspotCellAssignment checks both against ST_Contains
// of ST_Hexagon and ST_Square.

// MaxHotspotPeriods is the most periods HotspotPeriods returns (ten years of weeks).
const MaxHotspotPeriods = 520

// hsTimeZone is where the analysis reads hours, weekdays, months and periods.
const hsTimeZone = "Europe/Stockholm"

// hsSource is how one audience reads the reports of the analysis.
type hsSource struct {
	from  string // FROM … AS r
	where string // always applied
	conf  string // the report's confirmations
}

var (
	hsPublic = hsSource{from: "public_report r", where: "r.precision <> 'area'", conf: "r.confirmations"}
	// Staff: confirmations by a grouped join (one pass over report_confirmation), not a
	// subquery per report; the join is removed by the planner when the weight is not read.
	hsStaff = hsSource{
		from: "scoped_report r LEFT JOIN (SELECT report_id, count(*) AS n FROM report_confirmation GROUP BY report_id) c " +
			"ON c.report_id = r.id",
		where: "r.status <> 'rejected' AND r.source <> 'police-event' AND r.precision <> 'area'",
		conf:  "coalesce(c.n, 0)",
	}
)

func hsSourceOf(q trygg.HotspotQuery) hsSource {
	if q.Public {
		return hsPublic
	}
	return hsStaff
}

// hsBBox is the query's bbox ($2…$5, longitude/latitude) in EPSG:3006: its edges
// segmentized first, so it follows the parallels and meridians it spans.
const hsBBox = `ST_Transform(ST_Segmentize(ST_MakeEnvelope($2::float8, $3::float8, $4::float8, $5::float8, 4326), 0.01), 3006)`

// hsArea is the analysed area in EPSG:3006: the municipality's boundary ($1) or the bbox.
const hsArea = `CASE WHEN $1::text IS NOT NULL THEN (SELECT ST_Transform(m.boundary, 3006) FROM municipality m WHERE m.code = $1)
	ELSE ` + hsBBox + ` END`

// hsNumParams is how many parameters hsReportSet uses ($1…$20); statements number
// their own from hsNumParams+1.
const hsNumParams = 20

// hsReportSet is the report set of a query as a subquery: id, geom (4326), xy (3006), t
// (the report's date: observed, else made), lt (t in Swedish time), categories (the
// report's reasons: a category filter keeps a report giving any of its), source,
// w (the weight), th and td (the hour and day masks of the report's slots inside the
// hour, day and darkness filters; migration 20), tn (how many slots the report has: 1
// observed, 0 without a time), observed, unknown (no time). Its parameters are hsArgs'. This is the one
// WHERE of every hotspot statement.
//
// The time of day and weekday of a report are its slots, never t: the filters Hours
// ($11, an hour mask), Days ($13, a day mask) and the darkness filter's hours ($12, an
// hour mask per kept id) keep the reports with a slot inside them, each weighted by the
// share of its slots inside; without them every report counts whole, those without a
// time too. When ($10) keeps the reports that named one of its times or were observed
// in one. t is the report's date, for From, To, Months, the periods and the decay.
//
// keep ($15) is joined as a hashed unnest, not tested with = ANY(…): once PostgreSQL
// switches a prepared statement to its generic plan, = ANY of a parameter scans the
// whole array for every report (half a million ids for a darkness filter).
//
// The weight of a report is FeelingWeights[feeling] × source weight × (1 + ln(1 +
// confirmations)) × 0.5^(max(0, age in days)/half-life) × its share of slots in the
// time filters, without the decay for a half-life of 0; the age is from t to q.At.
func hsReportSet(src hsSource) string {
	const t = "coalesce(r.observed_at, r.created_at)"
	const lt = "(" + t + " AT TIME ZONE '" + hsTimeZone + "')"
	const rh, rd = "report_hours(r.observed_at, r.times)", "report_days(r.observed_at, r.times)"
	const ah = "(coalesce($11::int, 16777215) & coalesce(k.hours, 16777215))" // the hours a slot must have
	const ad = "coalesce($13::int, 127)"
	const untimed = "($11::int IS NULL AND $13::int IS NULL AND k.hours IS NULL)" // no time filter
	return `SELECT r.id, r.geom, r.xy, ` + t + ` AS t, ` + lt + ` AS lt, r.categories, r.source,
    ($16::float8[])[r.feeling] * coalesce(($18::float8[])[array_position($17::text[], r.source)], 0)
      * (1 + ln(1 + ` + src.conf + `::float8))
      * CASE WHEN $19::float8 > 0 THEN power(0.5, greatest(0, date_part('epoch', $20::timestamptz - ` + t + `) / 86400) / $19::float8)
             ELSE 1 END
      * CASE WHEN ` + untimed + ` OR r.observed_at IS NOT NULL THEN 1 ELSE ` + hsNamedShare(ah, ad) + ` END AS w,
    ` + rh + ` & ` + ah + ` AS th, ` + rd + ` & ` + ad + ` AS td,
    CASE WHEN r.observed_at IS NOT NULL THEN 1 WHEN cardinality(r.times) = 0 THEN 0
         ELSE bit_count(` + rh + `::bit(24))::int * bit_count(` + rd + `::bit(7))::int END AS tn,
    r.observed_at IS NOT NULL AS observed, r.observed_at IS NULL AND r.times = '{}'::text[] AS unknown
  FROM ` + src.from + `
    LEFT JOIN unnest($15::uuid[], $12::int[]) k(id, hours) ON k.id = r.id
  WHERE ` + src.where + `
    AND ($1::text IS NULL OR r.municipality_code = $1)
    AND ($2::float8 IS NULL OR ST_Intersects(r.xy, (SELECT ` + hsBBox + `)))
    AND ($6::text[] IS NULL OR r.categories && $6::text[])
    AND ($7::text[] IS NULL OR r.source = ANY($7))
    AND ($8::timestamptz IS NULL OR ` + t + ` >= $8)
    AND ($9::timestamptz IS NULL OR ` + t + ` <= $9)
    AND ($10::text[] IS NULL OR time_matches(r.observed_at, r.times, $10))
    AND (` + untimed + ` OR (` + rh + ` & ` + ah + ` <> 0 AND ` + rd + ` & ` + ad + ` <> 0))
    AND ($14::int[] IS NULL OR date_part('month', ` + lt + `)::int = ANY($14))
    AND ($15::uuid[] IS NULL OR k.id IS NOT NULL)`
}

// hsNamedShare is time_share (migration 20) of a report with named times (r.times, not
// empty) inside the hours ah and days ad, written out: the function would not be inlined
// (its masks are read twice) and a call per report costs more than the analysis. An
// observed report that passes the filters lies inside them whole.
func hsNamedShare(ah, ad string) string {
	const nh = "(CASE WHEN 'day' = ANY(r.times) THEN 262080 ELSE 0 END | CASE WHEN 'evening' = ANY(r.times) THEN 3932160 ELSE 0 END" +
		" | CASE WHEN 'night' = ANY(r.times) THEN 12582975 ELSE 0 END)"
	const nd = "(CASE WHEN 'weekday' = ANY(r.times) THEN 31 ELSE 0 END | CASE WHEN 'weekend' = ANY(r.times) THEN 96 ELSE 0 END)"
	const hours = "(CASE WHEN " + nh + " = 0 THEN 16777215 ELSE " + nh + " END)"
	const days = "(CASE WHEN " + nd + " = 0 THEN 127 ELSE " + nd + " END)"
	return "(bit_count((" + hours + " & " + ah + ")::bit(24))::float8 / bit_count(" + hours + "::bit(24))" +
		" * bit_count((" + days + " & " + ad + ")::bit(7))::float8 / bit_count(" + days + "::bit(7)))"
}

// hsArgs are the parameters of hsReportSet for q and keep (nil: no such filter).
func hsArgs(q trygg.HotspotQuery, keep *Keep) []any {
	list := func(v []string) any {
		if len(v) == 0 {
			return nil
		}
		return v
	}
	args := make([]any, hsNumParams)
	if q.Municipality != "" {
		args[0] = q.Municipality
	}
	if b := q.BBox; b != nil {
		args[1], args[2], args[3], args[4] = b.Min[0], b.Min[1], b.Max[0], b.Max[1]
	}
	args[5], args[6] = list(q.Categories), list(q.Sources)
	args[7], args[8] = q.From, q.To
	args[9] = list(q.When)
	if h := q.Hours; h != nil {
		args[10] = int32(h.Mask())
	}
	if q.Days != "" {
		args[12] = int32(trygg.DaysMask(q.Days))
	}
	if len(q.Months) > 0 {
		args[13] = q.Months
	}
	if keep != nil {
		ids := keep.IDs
		if ids == nil {
			ids = []string{} // no report
		}
		args[14] = ids
		if keep.Hours != nil {
			args[11] = keep.Hours
		}
	}
	feelings := []float64{trygg.FeelingWeights[1], trygg.FeelingWeights[2], trygg.FeelingWeights[3], trygg.FeelingWeights[4]}
	// A source the query's weights do not name keeps its default weight.
	weights := map[string]float64{}
	for s, w := range trygg.DefaultSourceWeights {
		weights[s] = w
	}
	for s, w := range q.SourceWeights {
		weights[s] = w
	}
	keys := make([]string, 0, len(weights))
	for s := range weights {
		keys = append(keys, s)
	}
	slices.Sort(keys)
	values := make([]float64, len(keys))
	for i, s := range keys {
		values[i] = weights[s]
	}
	args[15], args[16], args[17] = feelings, keys, values
	args[18], args[19] = q.HalfLifeDays, q.At
	return args
}

// hsSize is the grid's size parameter: the hexagons' size (circumradius) or the
// squares' side.
func hsSize(q trygg.HotspotQuery) float64 {
	if q.Grid == trygg.GridSquare {
		return q.CellM
	}
	return q.CellM / math.Sqrt(3)
}

// CellCentre is the centre of cell c of q's grid in EPSG:3006.
func CellCentre(q trygg.HotspotQuery, c Cell) (x, y float64) { return hsCentre(q, c) }

// hsCentre is the centre of cell c of q's grid in EPSG:3006.
func hsCentre(q trygg.HotspotQuery, c Cell) (x, y float64) {
	s := hsSize(q)
	if q.Grid == trygg.GridSquare {
		return (float64(c.I) + 0.5) * s, (float64(c.J) + 0.5) * s
	}
	return 1.5 * s * float64(c.I), math.Sqrt(3) * s * (float64(c.J) + 0.5*float64(c.I&1))
}

// hsCellOf is the cell (i, j) of the points (x, y) of rows p, in units of the grid's
// size: the nearest hexagon centre (even columns' centres at (3a, √3·b), odd ones' at
// (3a + 1.5, √3·(b + ½))), or the square below and left. It refers to p.x and p.y many
// times: they must be plain values (columns of a subquery), not function calls.
func hsCellOf(grid, p string) (i, j string) {
	if grid == trygg.GridSquare {
		return "floor(" + p + ".x)::bigint", "floor(" + p + ".y)::bigint"
	}
	x, y := p+".x", p+".y"
	ax, ay := "round("+x+" / 3)", "round("+y+" / sqrt(3))"
	bx, by := "round(("+x+" - 1.5) / 3)", "round("+y+" / sqrt(3) - 0.5)"
	sq := func(v string) string { return "(" + v + ") * (" + v + ")" }
	da := sq(x+" - 3 * "+ax) + " + " + sq(y+" - sqrt(3) * "+ay)
	db := sq(x+" - 3 * "+bx+" - 1.5") + " + " + sq(y+" - sqrt(3) * ("+by+" + 0.5)")
	cond := "(" + da + ") <= (" + db + ")"
	return "(CASE WHEN " + cond + " THEN 2 * " + ax + " ELSE 2 * " + bx + " + 1 END)::bigint",
		"(CASE WHEN " + cond + " THEN " + ay + " ELSE " + by + " END)::bigint"
}

// hsGroups is the report set of src grouped by cell and keys (select-list items
// "expr AS name" over the report set s): columns i, j, the keys' names, value (the sum
// of the weights) and n (the count). size is the parameter holding hsSize.
//
// Squares group each report by ⌊x/side⌋, ⌊y/side⌋. Hexagons group twice: first by
// the triangle of the report in the lattice of equilateral triangles of side s whose
// lines (horizontal and at ±60°, through the origin) hold every hexagon edge, so each
// triangle lies in one hexagon: three floors, each reading the report's coordinates
// once, so the scan and the first, large aggregation run in parallel. Then each
// triangle's centroid goes to its hexagon (hsCellOf) and the triangles sum by cell.
// OFFSET 0 keeps the planner from inlining the subqueries' columns into hsCellOf, which
// names each many times: it would compute the centroid again for every mention.
func hsGroups(src hsSource, grid, size string, keys ...string) string {
	var items, names, pos, pos1 string // pos: the keys' positions after i, j; pos1: after the triangle
	for n, k := range keys {
		_, name, _ := strings.Cut(k, " AS ")
		items += ", " + k
		names += ", " + name
		pos += fmt.Sprintf(", %d", 3+n)
		pos1 += fmt.Sprintf(", %d", 4+n)
	}
	set := `(` + hsReportSet(src) + `) s`
	if grid == trygg.GridSquare {
		return `SELECT floor(ST_X(s.xy) / ` + size + `::float8)::bigint AS i, floor(ST_Y(s.xy) / ` + size + `::float8)::bigint AS j` + items + `,
       sum(s.w) AS value, count(*) AS n
  FROM ` + set + `
  GROUP BY 1, 2` + pos
	}
	// Triangle coordinates in units of s: a = 2y/√3, b = y/√3 − x, c = y/√3 + x (a = b + c);
	// the triangle is the lower half of its unit square in (b, c) when ⌊a⌋ = ⌊b⌋ + ⌊c⌋,
	// else the upper; its centroid is at a third or two thirds of the square's diagonal.
	i, j := hsCellOf(grid, "p")
	return `SELECT ` + i + ` AS i, ` + j + ` AS j` + names + `, sum(p.value) AS value, sum(p.n)::bigint AS n
  FROM (SELECT (c - b) / 2 AS x, (b + c) * sqrt(3) / 2 AS y` + names + `, value, n
        FROM (SELECT t.fb + CASE WHEN t.fa > t.fb + t.fc THEN 2.0::float8 / 3 ELSE 1.0::float8 / 3 END AS b,
                     t.fc + CASE WHEN t.fa > t.fb + t.fc THEN 2.0::float8 / 3 ELSE 1.0::float8 / 3 END AS c` + strings.ReplaceAll(names, ", ", ", t.") + `, t.value, t.n
              FROM (SELECT floor(ST_Y(s.xy) * (2 / sqrt(3)) / ` + size + `::float8) AS fa,
                           floor((ST_Y(s.xy) / sqrt(3) - ST_X(s.xy)) / ` + size + `::float8) AS fb,
                           floor((ST_Y(s.xy) / sqrt(3) + ST_X(s.xy)) / ` + size + `::float8) AS fc` + items + `,
                           sum(s.w) AS value, count(*) AS n
                    FROM ` + set + `
                    GROUP BY 1, 2, 3` + pos1 + `) t OFFSET 0) tc OFFSET 0) p
  GROUP BY 1, 2` + pos
}

// hsCellFunc is the PostGIS function that makes one cell of q's grid.
func hsCellFunc(grid string) string {
	if grid == trygg.GridSquare {
		return "ST_Square"
	}
	return "ST_Hexagon"
}

// hsGridFunc is the PostGIS function that makes q's grid.
func hsGridFunc(grid string) string {
	if grid == trygg.GridSquare {
		return "ST_SquareGrid"
	}
	return "ST_HexagonGrid"
}

// hsRead runs read with the public's pool or the caller's scoped transaction.
//
// Each runs in a transaction with more work_mem than the server's default: the
// statements group up to a row per report (a million in a large municipality), and
// PostgreSQL, which cannot estimate how many groups a grid makes, would otherwise sort
// them on disk instead of hashing them in memory.
func (db *DB) hsRead(ctx context.Context, q trygg.HotspotQuery, doing string, read func(queryer) error) error {
	run := func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '`+hsWorkMem+`'`); err != nil {
			return wrap(err, doing)
		}
		return read(tx)
	}
	if q.Public {
		// The public view needs no scope.
		return wrap(pgx.BeginFunc(ctx, db.pool, run), doing)
	}
	return db.inTx(ctx, doing, run)
}

// hsWorkMem is the work_mem of the hotspot statements.
const hsWorkMem = "256MB"

type queryer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// HotspotReportTimes returns every report of q's set: its id, point (longitude,
// latitude; the public position for the public), date and slots, for the darkness
// filter.
func (db *DB) HotspotReportTimes(ctx context.Context, q trygg.HotspotQuery) ([]ReportTime, error) {
	query := `SELECT s.id::text, ST_X(p), ST_Y(p), s.t, s.observed, s.th
FROM (` + hsReportSet(hsSourceOf(q)) + `) s, ST_PointOnSurface(s.geom) p`
	var out []ReportTime
	err := db.hsRead(ctx, q, "read hotspot report times", func(qr queryer) error {
		rows, err := qr.Query(ctx, query, hsArgs(q, nil)...)
		if err != nil {
			return wrap(err, "read hotspot report times")
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (ReportTime, error) {
			var r ReportTime
			err := row.Scan(&r.ID, &r.Lon, &r.Lat, &r.At, &r.Observed, &r.Hours)
			return r, err
		})
		return wrap(err, "read hotspot report times")
	})
	return out, err
}

// HotspotUnknownTime counts the reports of q's set without its time filters (hours,
// days, when; darkness is applied by the caller) that have no time: neither observed
// nor named. The time filters leave them out; without them they count in the totals
// but in no profile's hours.
func (db *DB) HotspotUnknownTime(ctx context.Context, q trygg.HotspotQuery) (int, error) {
	q.Hours, q.Days, q.When = nil, "", nil
	// s.unknown is report_unknown_time_idx's predicate: the count reads only those reports.
	query := `SELECT count(*) FROM (` + hsReportSet(hsSourceOf(q)) + `) s WHERE s.unknown`
	var n int
	err := db.hsRead(ctx, q, "count hotspot reports without a time", func(qr queryer) error {
		rows, err := qr.Query(ctx, query, hsArgs(q, nil)...)
		if err != nil {
			return wrap(err, "count hotspot reports without a time")
		}
		n, err = pgx.CollectExactlyOneRow(rows, pgx.RowTo[int])
		return wrap(err, "count hotspot reports without a time")
	})
	return n, err
}

// hsStudyCells is a SELECT of the cells (i, j) of q's grid in the study area, given
// the CTE area (column g: hsArea) and a relation occ (columns i, j: the cells holding
// reports). With StudyAll the study area is the area; otherwise it is where reports can
// occur: the concave hull of the occupied cells' centres (ST_ConcaveHull, 0.5 of the
// way from the tightest hull to the convex one) buffered by bufParam metres, within the
// area. No report, no study area. size is the parameter holding hsSize. OFFSET 0 keeps
// the planner from inlining the study area into the test of every cell.
func hsStudyCells(q trygg.HotspotQuery, occ, size, bufParam string) string {
	grid := hsGridFunc(q.Grid) + `(` + size + `::float8, s.g)`
	if q.StudyArea == trygg.StudyAll {
		// The buffer is not needed, but named: a statement's parameters are the same either way.
		return `SELECT c.i::bigint AS i, c.j::bigint AS j FROM area s, ` + grid + ` c
  WHERE ST_Intersects(c.geom, s.g) AND ` + bufParam + `::float8 IS NOT NULL`
	}
	x, y := "1.5 * "+size+"::float8 * o.i", "sqrt(3) * "+size+"::float8 * (o.j + 0.5 * (o.i & 1))"
	if q.Grid == trygg.GridSquare {
		x, y = "(o.i + 0.5) * "+size+"::float8", "(o.j + 0.5) * "+size+"::float8"
	}
	return `SELECT c.i::bigint AS i, c.j::bigint AS j
  FROM (SELECT ST_Intersection(a.g, ST_Buffer(h.hull, ` + bufParam + `::float8)) AS g
        FROM area a, (SELECT ST_ConcaveHull(ST_Collect(ST_SetSRID(ST_MakePoint(` + x + `, ` + y + `), 3006)), 0.5) AS hull
                      FROM ` + occ + ` o) h
        WHERE h.hull IS NOT NULL OFFSET 0) s,
       ` + grid + ` c
  WHERE ST_Intersects(c.geom, s.g)`
}

// hsStudyBuffer is the buffer of the study area around the reports' hull in metres:
// one distance band (the query's, or DefaultBandCells when the band is searched).
func hsStudyBuffer(q trygg.HotspotQuery) float64 {
	if q.BandCells > 0 {
		return q.BandCells * q.CellM
	}
	return trygg.DefaultBandCells * q.CellM
}

// HotspotGrid returns every cell of q's grid in the study area (hsStudyCells: by
// default the cells near the reports, with StudyAll every cell that intersects the
// municipality's boundary or the bbox), empty ones with value and count 0, and any
// other cell that holds a report of the set (a public position snapped just outside
// the boundary), ordered by i, j. keep, when not nil, limits the report set to these
// ids.
func (db *DB) HotspotGrid(ctx context.Context, q trygg.HotspotQuery, keep *Keep) ([]HotspotCell, error) {
	query := `WITH area AS MATERIALIZED (SELECT ` + hsArea + ` AS g),
pts AS MATERIALIZED (` + hsGroups(hsSourceOf(q), q.Grid, "$21") + `),
cells AS (` + hsStudyCells(q, "pts", "$21", "$22") + `)
SELECT coalesce(c.i, p.i), coalesce(c.j, p.j), coalesce(p.value, 0), coalesce(p.n, 0)
FROM cells c FULL JOIN pts p ON p.i = c.i AND p.j = c.j
ORDER BY 1, 2`
	args := append(hsArgs(q, keep), hsSize(q), hsStudyBuffer(q))
	var out []HotspotCell
	err := db.hsRead(ctx, q, "read hotspot grid", func(qr queryer) error {
		rows, err := qr.Query(ctx, query, args...)
		if err != nil {
			return wrap(err, "read hotspot grid")
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (HotspotCell, error) {
			var c HotspotCell
			var i, j, n int64
			if err := row.Scan(&i, &j, &c.Value, &n); err != nil {
				return c, err
			}
			c.Cell, c.Count = Cell{I: int(i), J: int(j)}, int(n)
			c.X, c.Y = hsCentre(q, c.Cell)
			return c, nil
		})
		return wrap(err, "read hotspot grid")
	})
	return out, err
}

// HotspotGridCells returns every cell of q's grid in the study area around the cells
// occupied (those holding reports), with value and count 0: the grid without its
// reports, for an analysis that sums the values of HotspotPeriods instead of reading
// the reports twice.
func (db *DB) HotspotGridCells(ctx context.Context, q trygg.HotspotQuery, occupied []Cell) ([]HotspotCell, error) {
	is, js := make([]int64, len(occupied)), make([]int64, len(occupied))
	for n, c := range occupied {
		is[n], js[n] = int64(c.I), int64(c.J)
	}
	query := `WITH area AS MATERIALIZED (SELECT ` + hsArea + ` AS g),
occ AS (SELECT * FROM unnest($8::bigint[], $9::bigint[]) u(i, j))
` + hsStudyCells(q, "occ", "$6", "$7") + `
ORDER BY 1, 2`
	args := append(hsArgs(q, nil)[:5], hsSize(q), hsStudyBuffer(q), is, js)
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, wrap(err, "read hotspot grid cells")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (HotspotCell, error) {
		var c HotspotCell
		var i, j int64
		if err := row.Scan(&i, &j); err != nil {
			return c, err
		}
		c.Cell = Cell{I: int(i), J: int(j)}
		c.X, c.Y = hsCentre(q, c.Cell)
		return c, nil
	})
	return out, wrap(err, "read hotspot grid cells")
}

// HotspotAreaPolygons returns the polygon of each area (a set of edge-adjacent cells of
// q's grid): the ST_Union of its cells in EPSG:3006 (on a millimetre grid, so that
// neighbours' shared edges meet exactly), in longitude and latitude.
func (db *DB) HotspotAreaPolygons(ctx context.Context, q trygg.HotspotQuery, areas [][]Cell) ([]orb.Polygon, error) {
	out := make([]orb.Polygon, len(areas))
	var ks, is, js []int32
	for k, a := range areas {
		for _, c := range a {
			ks, is, js = append(ks, int32(k)), append(is, int32(c.I)), append(js, int32(c.J))
		}
	}
	if len(ks) == 0 {
		return out, nil
	}
	fn := hsCellFunc(q.Grid)
	// Cell geometry is plain arithmetic: no report is read, so no scope is needed. An
	// area whose union is not one polygon (cells meeting at a corner only) keeps its
	// largest part.
	rows, err := db.pool.Query(ctx, `SELECT k, ST_AsBinary(ST_Transform(
		  (SELECT d.geom FROM ST_Dump(u.g) d ORDER BY ST_Area(d.geom) DESC LIMIT 1), 4326))
		FROM (SELECT u.k, ST_Union(ST_SetSRID(`+fn+`($1::float8, u.i, u.j), 3006), 0.001) AS g
		      FROM unnest($2::int[], $3::int[], $4::int[]) u(k, i, j) GROUP BY u.k) u`, hsSize(q), ks, is, js)
	if err != nil {
		return nil, wrap(err, "read hotspot area polygons")
	}
	defer rows.Close()
	for rows.Next() {
		var k int32
		var b []byte
		if err := rows.Scan(&k, &b); err != nil {
			return nil, wrap(err, "read hotspot area polygons")
		}
		p, err := hsPolygon(b)
		if err != nil {
			return nil, err
		}
		out[k] = p
	}
	return out, wrap(rows.Err(), "read hotspot area polygons")
}

// hsPeriodStep is the interval between the starts of q's periods.
func hsPeriodStep(period string) (string, error) {
	switch period {
	case trygg.PeriodWeek:
		return "1 week", nil
	case trygg.PeriodMonth:
		return "1 month", nil
	case trygg.PeriodQuarter:
		return "3 months", nil
	}
	return "", trygg.Errorf(trygg.EINVALID, "period", "period %q is not week, month or quarter", period)
}

// HotspotPeriods returns the starts of q's periods (q.Period: weeks, months or quarters
// in Swedish time) from the first to the last (of From and To when given, else of the
// reports), ascending, and the value and count of every non-empty cell in every period.
// More than MaxHotspotPeriods periods is EINVALID.
func (db *DB) HotspotPeriods(ctx context.Context, q trygg.HotspotQuery, keep *Keep) (starts []time.Time, cells []HotspotPeriodCell, err error) {
	step, err := hsPeriodStep(q.Period)
	if err != nil {
		return nil, nil, err
	}
	// $22 is the period, $23 its step; starts are rows with a NULL cell.
	query := `WITH pts AS (
  ` + hsGroups(hsSourceOf(q), q.Grid, "$21", "date_trunc($22::text, s.lt) AS p") + `),
rng AS (
  SELECT coalesce(date_trunc($22::text, $8::timestamptz AT TIME ZONE '` + hsTimeZone + `'), min(p)) AS lo,
         coalesce(date_trunc($22::text, $9::timestamptz AT TIME ZONE '` + hsTimeZone + `'), max(p)) AS hi
  FROM pts),
s AS (
  SELECT p, (row_number() OVER (ORDER BY p) - 1)::int AS k
  FROM (SELECT p FROM rng, generate_series(rng.lo, rng.hi, $23::interval) p LIMIT ` + fmt.Sprint(MaxHotspotPeriods+1) + `) g)
SELECT s.k, s.p AT TIME ZONE '` + hsTimeZone + `', NULL::bigint, NULL::bigint, NULL::float8, NULL::bigint FROM s
UNION ALL
SELECT s.k, NULL, pts.i, pts.j, pts.value, pts.n FROM pts JOIN s ON s.p = pts.p
ORDER BY 1, 3 NULLS FIRST, 4`
	args := append(hsArgs(q, keep), hsSize(q), q.Period, step)
	err = db.hsRead(ctx, q, "read hotspot periods", func(qr queryer) error {
		rows, err := qr.Query(ctx, query, args...)
		if err != nil {
			return wrap(err, "read hotspot periods")
		}
		defer rows.Close()
		for rows.Next() {
			var k int
			var start *time.Time
			var i, j, n *int64
			var value *float64
			if err := rows.Scan(&k, &start, &i, &j, &value, &n); err != nil {
				return wrap(err, "read hotspot periods")
			}
			if i == nil {
				starts = append(starts, *start)
				continue
			}
			cells = append(cells, HotspotPeriodCell{Cell: Cell{I: int(*i), J: int(*j)}, Period: k, Value: *value, Count: int(*n)})
		}
		return wrap(rows.Err(), "read hotspot periods")
	})
	if err != nil {
		return nil, nil, err
	}
	if len(starts) > MaxHotspotPeriods {
		return nil, nil, trygg.Errorf(trygg.EINVALID, "period",
			"more than %d periods of a %s: choose a longer period or a shorter time", MaxHotspotPeriods, q.Period)
	}
	return starts, cells, nil
}

// hsProfileSQL is the profile rows of the groups of rows in from (columns k1, k2: the
// group; th, td, tn, categories, source as hsReportSet's): kind 'h' with slot (ISO
// weekday − 1)·24 + hour and each report's share of it (1/tn in each slot of th × td),
// kind 'u' with the count of reports without a time, kind 'c' and 's' with the category
// or source as name and its count. A report counts once for each of its categories (so
// the categories' counts can add up to more than the reports), once for its source.
func hsProfileSQL(from string) string {
	return `SELECT x.k1, x.k2, 'h' AS kind, g.s AS slot, '' AS name, sum(x.n / x.tn) AS n
  FROM (SELECT k1, k2, th, td, tn, count(*)::float8 AS n FROM ` + from + ` WHERE tn > 0 GROUP BY 1, 2, 3, 4, 5) x
  JOIN generate_series(0, 167) g(s) ON (x.th >> (g.s % 24)) & 1 = 1 AND (x.td >> (g.s / 24)) & 1 = 1
  GROUP BY 1, 2, 3, 4
UNION ALL
SELECT k1, k2, 'u', 0, '', count(*)::float8 FROM ` + from + ` WHERE tn = 0 GROUP BY 1, 2
UNION ALL
SELECT x.k1, x.k2, 'c', 0, c.name, count(*)::float8 FROM ` + from + ` x CROSS JOIN unnest(x.categories) c(name) GROUP BY 1, 2, 3, 5
UNION ALL
SELECT k1, k2, 's', 0, source, count(*)::float8 FROM ` + from + ` GROUP BY 1, 2, 3, 5`
}

// hsAddProfile adds one profile row to p.
func hsAddProfile(p *Profile, kind string, slot int, name string, n float64) {
	switch kind {
	case "h":
		p.HourWeekday[slot/24][slot%24] += n
	case "u":
		p.UnknownTime += int(math.Round(n))
	case "c":
		p.Categories = append(p.Categories, NamedCount{Name: name, Count: int(math.Round(n))})
	case "s":
		p.Sources = append(p.Sources, NamedCount{Name: name, Count: int(math.Round(n))})
	}
}

// hsMaxCategories is how many categories a profile names.
const hsMaxCategories = 5

// hsFinishProfile rounds the profile's shares to 6 decimals, orders its categories and
// sources, most first, ties by name, and keeps the top categories.
func hsFinishProfile(p *Profile) {
	for d := range p.HourWeekday {
		for h, v := range p.HourWeekday[d] {
			p.HourWeekday[d][h] = math.Round(v*1e6) / 1e6
		}
	}
	order := func(a, b NamedCount) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name)) }
	slices.SortFunc(p.Categories, order)
	slices.SortFunc(p.Sources, order)
	if len(p.Categories) > hsMaxCategories {
		p.Categories = p.Categories[:hsMaxCategories]
	}
	if p.Categories == nil {
		p.Categories = []NamedCount{}
	}
	if p.Sources == nil {
		p.Sources = []NamedCount{}
	}
}

// HotspotProfiles returns the profile of each of cells over q's report set (limited to
// keep when not nil): reports by weekday and hour in Swedish time (each spread over its
// slots), the count of those without a time, the top categories and every source. A
// cell without reports has an empty profile.
func (db *DB) HotspotProfiles(ctx context.Context, q trygg.HotspotQuery, keep *Keep, cells []Cell) (map[Cell]*Profile, error) {
	out := make(map[Cell]*Profile, len(cells))
	if len(cells) == 0 {
		return out, nil
	}
	is, js := make([]int64, len(cells)), make([]int64, len(cells))
	for n, c := range cells {
		is[n], js[n] = int64(c.I), int64(c.J)
		out[c] = &Profile{Categories: []NamedCount{}, Sources: []NamedCount{}}
	}
	// The reports near each cell (its bounding box, through the GiST index on the points),
	// then those in it by the grid's arithmetic, as HotspotGrid assigns them.
	ci, cj := hsCellOf(q.Grid, "p")
	query := `WITH g AS (SELECT DISTINCT i, j FROM unnest($22::bigint[], $23::bigint[]) u(i, j)),
r AS MATERIALIZED (
  SELECT a.i AS k1, a.j AS k2, a.th, a.td, a.tn, a.categories, a.source
  FROM (SELECT ` + ci + ` AS i, ` + cj + ` AS j, p.*
        FROM (SELECT ST_X(s.xy) / $21::float8 AS x, ST_Y(s.xy) / $21::float8 AS y, g.i AS gi, g.j AS gj, s.th, s.td, s.tn,
                     s.categories, s.source
              FROM g JOIN (` + hsReportSet(hsSourceOf(q)) + `) s
                ON s.xy && ST_SetSRID(` + hsCellFunc(q.Grid) + `($21::float8, g.i::int, g.j::int), 3006)
              OFFSET 0) p) a
  WHERE a.i = a.gi AND a.j = a.gj)
` + hsProfileSQL("r")
	args := append(hsArgs(q, keep), hsSize(q), is, js)
	err := db.hsRead(ctx, q, "read hotspot profiles", func(qr queryer) error {
		rows, err := qr.Query(ctx, query, args...)
		if err != nil {
			return wrap(err, "read hotspot profiles")
		}
		defer rows.Close()
		for rows.Next() {
			var i, j int64
			var kind, name string
			var slot int
			var n float64
			if err := rows.Scan(&i, &j, &kind, &slot, &name, &n); err != nil {
				return wrap(err, "read hotspot profiles")
			}
			if p := out[Cell{I: int(i), J: int(j)}]; p != nil {
				hsAddProfile(p, kind, slot, name, n)
			}
		}
		return wrap(rows.Err(), "read hotspot profiles")
	})
	if err != nil {
		return nil, err
	}
	for _, p := range out {
		hsFinishProfile(p)
	}
	return out, nil
}

// HotspotCellPolygons returns each of cells' polygon (ST_Hexagon or ST_Square of q's
// grid, origin 0 0 in EPSG:3006) in longitude and latitude.
func (db *DB) HotspotCellPolygons(ctx context.Context, q trygg.HotspotQuery, cells []Cell) (map[Cell]orb.Polygon, error) {
	out := make(map[Cell]orb.Polygon, len(cells))
	if len(cells) == 0 {
		return out, nil
	}
	fn := hsCellFunc(q.Grid)
	is, js := make([]int32, len(cells)), make([]int32, len(cells))
	for n, c := range cells {
		is[n], js[n] = int32(c.I), int32(c.J)
	}
	// Cell geometry is plain arithmetic: no report is read, so no scope is needed.
	rows, err := db.pool.Query(ctx, `SELECT u.i, u.j, ST_AsBinary(ST_Transform(ST_SetSRID(`+fn+`($1::float8, u.i, u.j), 3006), 4326))
		FROM unnest($2::int[], $3::int[]) u(i, j)`, hsSize(q), is, js)
	if err != nil {
		return nil, wrap(err, "read hotspot cell polygons")
	}
	defer rows.Close()
	for rows.Next() {
		var i, j int32
		var b []byte
		if err := rows.Scan(&i, &j, &b); err != nil {
			return nil, wrap(err, "read hotspot cell polygons")
		}
		p, err := hsPolygon(b)
		if err != nil {
			return nil, err
		}
		out[Cell{I: int(i), J: int(j)}] = p
	}
	return out, wrap(rows.Err(), "read hotspot cell polygons")
}

// hsPolygon decodes a polygon's WKB.
func hsPolygon(b []byte) (orb.Polygon, error) {
	g, err := orbwkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("postgis: decode hotspot polygon: %w", err)
	}
	p, ok := g.(orb.Polygon)
	if !ok {
		return nil, fmt.Errorf("postgis: hotspot polygon is a %s", g.GeoJSONType())
	}
	return p, nil
}

// HotspotClusters returns the DBSCAN clusters of q's report set (limited to keep when
// not nil): ST_ClusterDBSCAN on the reports' EPSG:3006 points with eps q.EpsM and
// minpoints q.MinPoints, noise left out; each cluster's polygon is its reports' convex
// hull buffered by eps/2, in longitude and latitude. Ordered by value, highest first.
func (db *DB) HotspotClusters(ctx context.Context, q trygg.HotspotQuery, keep *Keep) ([]HotspotCluster, error) {
	// Profile rows have k1 = cluster; cluster rows have kind 'g'.
	query := `WITH r AS MATERIALIZED (
  SELECT ST_ClusterDBSCAN(s.xy, eps => $21::float8, minpoints => $22::int) OVER () AS k1, 0 AS k2,
         s.xy, s.w, s.th, s.td, s.tn, s.categories, s.source
  FROM (` + hsReportSet(hsSourceOf(q)) + `) s),
c AS (SELECT * FROM r WHERE k1 IS NOT NULL)
SELECT k1, 'g' AS kind, count(*)::int AS slot, sum(w) AS value,
       ST_AsBinary(ST_Transform(ST_Buffer(ST_ConvexHull(ST_Collect(xy)), $21::float8 / 2), 4326)) AS g, '' AS name
FROM c GROUP BY k1
UNION ALL
SELECT k1, kind, slot, n, NULL, name FROM (` + hsProfileSQL("c") + `) p`
	args := append(hsArgs(q, keep), q.EpsM, q.MinPoints)
	byID := map[int]*HotspotCluster{}
	err := db.hsRead(ctx, q, "read hotspot clusters", func(qr queryer) error {
		rows, err := qr.Query(ctx, query, args...)
		if err != nil {
			return wrap(err, "read hotspot clusters")
		}
		defer rows.Close()
		for rows.Next() {
			var id, slot int
			var kind, name string
			var value float64
			var g []byte
			if err := rows.Scan(&id, &kind, &slot, &value, &g, &name); err != nil {
				return wrap(err, "read hotspot clusters")
			}
			c := byID[id]
			if c == nil {
				c = &HotspotCluster{}
				byID[id] = c
			}
			if kind != "g" {
				hsAddProfile(&c.Profile, kind, slot, name, value)
				continue
			}
			if c.Polygon, err = hsPolygon(g); err != nil {
				return err
			}
			c.Count, c.Value = slot, value
		}
		return wrap(rows.Err(), "read hotspot clusters")
	})
	if err != nil {
		return nil, err
	}
	out := make([]HotspotCluster, 0, len(byID))
	for _, c := range byID {
		hsFinishProfile(&c.Profile)
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b HotspotCluster) int {
		return cmp.Or(cmp.Compare(b.Value, a.Value), cmp.Compare(b.Count, a.Count))
	})
	return out, nil
}
