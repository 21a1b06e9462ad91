package postgis_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// hsFixture is a database with the demo municipalities and a place in Vara.
type hsFixture struct {
	owner *postgis.DB
	url   string
	x, y  float64 // a point inside Vara (1470), EPSG:3006
}

func newHSFixture(t *testing.T) *hsFixture {
	t.Helper()
	ctx := context.Background()
	owner, url := pgtest.Open(t)
	if err := demo.Load(ctx, owner, nil); err != nil {
		t.Fatalf("demo.Load: %v", err)
	}
	f := &hsFixture{owner: owner, url: url}
	if err := owner.Pool().QueryRow(ctx, `SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_PointOnSurface(boundary), 3006) AS p
		FROM municipality WHERE code = '1470') m`).Scan(&f.x, &f.y); err != nil {
		t.Fatal(err)
	}
	return f
}

// hsRep is a report to insert; zero fields take defaults.
type hsRep struct {
	dx, dy        float64 // metres from the fixture's point
	municipality  string
	category      string
	feeling       int
	source        string
	status        string
	precision     string
	times         []string
	observed      *time.Time
	created       time.Time
	confirmations int
}

var hsCreated = time.Date(2025, 6, 10, 10, 0, 0, 0, time.UTC) // a Tuesday, 12:00 in Sweden

func (f *hsFixture) add(t *testing.T, r hsRep) string {
	t.Helper()
	if r.municipality == "" {
		r.municipality = "1470"
	}
	if r.category == "" {
		r.category = "belysning"
	}
	if r.feeling == 0 {
		r.feeling = 1
	}
	if r.source == "" {
		r.source = "resident"
	}
	if r.status == "" {
		r.status = "published"
	}
	if r.precision == "" {
		r.precision = "exact"
	}
	if r.times == nil {
		r.times = []string{}
	}
	if r.created.IsZero() {
		r.created = hsCreated
	}
	ctx := context.Background()
	var id string
	err := f.owner.Pool().QueryRow(ctx, `
		WITH g AS (SELECT ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 3006), 4326) AS g)
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, source, precision, status,
		                    observed_at, created_at)
		SELECT gen_random_uuid(), $3, g.g, report_public_geom(g.g, 50), $4, $5, $6, $7, $8, $9, $10, $11 FROM g
		RETURNING id::text`,
		f.x+r.dx, f.y+r.dy, r.municipality, r.category, r.feeling, r.times, r.source, r.precision, r.status,
		r.observed, r.created).Scan(&id)
	if err != nil {
		t.Fatalf("insert report: %v", err)
	}
	if r.confirmations > 0 {
		if _, err := f.owner.Pool().Exec(ctx, `INSERT INTO report_confirmation (report_id) SELECT $1 FROM generate_series(1, $2)`,
			id, r.confirmations); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// hsQuery is a normalized query over Vara.
func hsQuery(mod func(q *trygg.HotspotQuery)) trygg.HotspotQuery {
	q := trygg.HotspotQuery{Municipality: "1470"}
	if mod != nil {
		mod(&q)
	}
	q.Normalize(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	return q
}

func hsTotal(cells []postgis.HotspotCell) (n int, v float64) {
	for _, c := range cells {
		n += c.Count
		v += c.Value
	}
	return n, v
}

func hsGrid(t *testing.T, db *postgis.DB, ctx context.Context, q trygg.HotspotQuery, keep []string) []postgis.HotspotCell {
	t.Helper()
	var k *postgis.Keep
	if keep != nil {
		k = postgis.KeepIDs(keep...)
	}
	cells, err := db.HotspotGrid(ctx, q, k)
	if err != nil {
		t.Fatalf("HotspotGrid: %v", err)
	}
	return cells
}

// TestHotspotCellAssignment checks the grid's arithmetic against PostGIS: every report
// counts in the one cell whose ST_Hexagon or ST_Square contains it, for random points
// and points a millimetre either side of cell edges; cell centres are the polygons'
// centroids; the grid holds every cell that meets the boundary, empty ones included.
func TestHotspotCellAssignment(t *testing.T) {
	f := newHSFixture(t)
	ctx := context.Background()
	pool := f.owner.Pool()
	// 3000 random points in Vara.
	if _, err := pool.Exec(ctx, `
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status)
		SELECT gen_random_uuid(), '1470', d.geom, d.geom, 'belysning', 1, 'resident', 'exact', 'published'
		FROM municipality m, LATERAL ST_Dump(ST_GeneratePoints(m.boundary, 3000, 17)) d WHERE m.code = '1470'`); err != nil {
		t.Fatal(err)
	}
	for _, grid := range []string{trygg.GridHex, trygg.GridSquare} {
		t.Run(grid, func(t *testing.T) {
			q := hsQuery(func(q *trygg.HotspotQuery) { q.Grid = grid; q.CellM = 200; q.StudyArea = trygg.StudyAll })
			size := q.CellM
			fn := "ST_Square"
			if grid == trygg.GridHex {
				size = q.CellM / math.Sqrt(3)
				fn = "ST_Hexagon"
			}
			// Points just inside and just outside the edges of cells near the fixture's
			// point: from each edge's midpoint, a millimetre towards and away from the centre.
			rows, err := pool.Query(ctx, `
				SELECT ST_X(e), ST_Y(e), ST_X(ST_Centroid(h)), ST_Y(ST_Centroid(h))
				FROM (SELECT c.geom AS h FROM `+fn+`Grid($1, ST_Expand(ST_SetSRID(ST_MakePoint($2, $3), 3006), 600)) c) g,
				     LATERAL (SELECT ST_LineInterpolatePoint(ST_MakeLine(ST_PointN(ST_ExteriorRing(h), k), ST_PointN(ST_ExteriorRing(h), k + 1)), 0.5) AS e
				              FROM generate_series(1, ST_NPoints(ST_ExteriorRing(h)) - 1) k) m`, size, f.x, f.y)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			type pt struct{ ex, ey, cx, cy float64 }
			var pts []pt
			for rows.Next() {
				var p pt
				if err := rows.Scan(&p.ex, &p.ey, &p.cx, &p.cy); err != nil {
					t.Fatal(err)
				}
				pts = append(pts, p)
			}
			if rows.Err() != nil || len(pts) < 50 {
				t.Fatalf("%d edge points, %v", len(pts), rows.Err())
			}
			for _, p := range pts {
				d := math.Hypot(p.ex-p.cx, p.ey-p.cy)
				for _, off := range []float64{-0.001, 0.001} {
					k := 1 + off/d
					ids = append(ids, f.add(t, hsRep{dx: p.cx + (p.ex-p.cx)*k - f.x, dy: p.cy + (p.ey-p.cy)*k - f.y}))
				}
			}
			defer pool.Exec(ctx, `DELETE FROM report WHERE id = ANY($1::uuid[])`, ids) //nolint:errcheck // the next subtest checks

			cells := hsGrid(t, f.owner, ctx, q, nil)
			got := map[postgis.Cell]int{}
			empty := 0
			for _, c := range cells {
				got[c.Cell] = c.Count
				if c.Count == 0 {
					empty++
				}
			}
			if empty == 0 {
				t.Errorf("no empty cells among %d", len(cells))
			}
			want := map[postgis.Cell]int{}
			rows, err = pool.Query(ctx, `SELECT c.i, c.j, count(*) FROM report r, `+fn+`Grid($1, r.xy) c
				WHERE ST_Contains(c.geom, r.xy) GROUP BY 1, 2`, size)
			if err != nil {
				t.Fatal(err)
			}
			total := 0
			for rows.Next() {
				var i, j, n int
				if err := rows.Scan(&i, &j, &n); err != nil {
					t.Fatal(err)
				}
				want[postgis.Cell{I: i, J: j}] = n
				total += n
			}
			if n, _ := hsTotal(cells); n != total || total != 3000+len(pts)*2 {
				t.Errorf("grid counts %d reports, ST_Contains %d, want %d", n, total, 3000+len(pts)*2)
			}
			for c, n := range want {
				if got[c] != n {
					t.Errorf("cell %v: grid counts %d, ST_Contains %d", c, got[c], n)
				}
			}
			// Every cell meeting the boundary is there (and no other empty one).
			var nCells int
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM municipality m, `+fn+`Grid($1, ST_Transform(m.boundary, 3006)) c
				WHERE m.code = '1470' AND ST_Intersects(c.geom, ST_Transform(m.boundary, 3006))`, size).Scan(&nCells); err != nil {
				t.Fatal(err)
			}
			if len(cells) != nCells {
				t.Errorf("%d cells, want the %d that meet Vara's boundary", len(cells), nCells)
			}
			// Centres are the centroids; polygons contain them.
			some := []postgis.Cell{cells[0].Cell, cells[len(cells)/2].Cell, cells[len(cells)-1].Cell}
			polys, err := f.owner.HotspotCellPolygons(ctx, q, some)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cells {
				if !slices.Contains(some, c.Cell) {
					continue
				}
				var cx, cy, lon, lat float64
				if err := pool.QueryRow(ctx, `SELECT ST_X(c), ST_Y(c), ST_X(ST_Transform(c, 4326)), ST_Y(ST_Transform(c, 4326))
					FROM (SELECT ST_SetSRID(ST_Centroid(`+fn+`($1, $2, $3)), 3006) AS c) s`, size, c.I, c.J).Scan(&cx, &cy, &lon, &lat); err != nil {
					t.Fatal(err)
				}
				if math.Abs(cx-c.X) > 1e-6 || math.Abs(cy-c.Y) > 1e-6 {
					t.Errorf("cell %v: centre %v %v, want %v %v", c.Cell, c.X, c.Y, cx, cy)
				}
				p := polys[c.Cell]
				if want := map[string]int{trygg.GridHex: 7, trygg.GridSquare: 5}[grid]; len(p) != 1 || len(p[0]) != want {
					t.Errorf("cell %v: polygon %v, want one ring of %d points", c.Cell, p, want)
				} else if !planar.PolygonContains(p, orb.Point{lon, lat}) {
					t.Errorf("cell %v: polygon %v does not contain the centre %v %v", c.Cell, p, lon, lat)
				}
			}
		})
	}
}

// TestHotspotWeights checks a weight computed by hand: feeling, source weight,
// confirmations and decay, in the staff and the public view.
func TestHotspotWeights(t *testing.T) {
	f := newHSFixture(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	observed := at.AddDate(0, 0, -730) // two half-lives
	f.add(t, hsRep{feeling: 2, source: "walk", confirmations: 3, observed: &observed, created: at.AddDate(0, 0, -1)})
	f.add(t, hsRep{feeling: 4, dx: 5000}) // feels safe: weight 0
	future := at.AddDate(0, 0, 10)
	f.add(t, hsRep{feeling: 3, source: "dialogue", dy: 5000, created: future}) // after At: no growth
	for _, public := range []bool{false, true} {
		q := hsQuery(func(q *trygg.HotspotQuery) {
			q.SourceWeights = map[string]float64{"walk": 2}
			q.HalfLifeDays = 365
			q.At = at
			q.Public = public
		})
		cells := hsGrid(t, f.owner, ctx, q, nil)
		var vals []float64
		for _, c := range cells {
			if c.Count > 0 {
				vals = append(vals, c.Value)
			}
		}
		slices.Sort(vals)
		want := []float64{0, 0.3, 0.7 * 2 * (1 + math.Log(4)) * 0.25}
		if len(vals) != 3 || math.Abs(vals[0]-want[0]) > 1e-9 || math.Abs(vals[1]-want[1]) > 1e-9 || math.Abs(vals[2]-want[2]) > 1e-9 {
			t.Errorf("public %v: values %v, want %v", public, vals, want)
		}
		// No decay with a half-life of 0.
		q.HalfLifeDays = 0
		if _, v := hsTotal(hsGrid(t, f.owner, ctx, q, nil)); math.Abs(v-(0.3+0.7*2*(1+math.Log(4)))) > 1e-9 {
			t.Errorf("public %v, no decay: total %v, want %v", public, v, 0.3+0.7*2*(1+math.Log(4)))
		}
	}
}

// TestHotspotFilters checks that each filter keeps exactly its reports.
func TestHotspotFilters(t *testing.T) {
	f := newHSFixture(t)
	ctx := context.Background()
	stockholm, _ := time.LoadLocation("Europe/Stockholm")
	local := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 30, 0, 0, stockholm) }
	tp := func(t time.Time) *time.Time { return &t }
	ids := map[string]string{
		// 2025-01-07 is a Tuesday, 2025-01-11 a Saturday.
		"a": f.add(t, hsRep{category: "belysning", source: "resident", times: []string{"evening"}, created: local(2025, 1, 7, 23)}),
		"b": f.add(t, hsRep{category: "vald", source: "walk", times: []string{"day"}, created: local(2025, 1, 11, 10), dx: 300}),
		"c": f.add(t, hsRep{category: "klotter", source: "dialogue", times: []string{"night"}, created: local(2025, 7, 8, 3), dx: -300}),
		// observed before it was made: its time is the observed one (a Saturday night in March)
		"d": f.add(t, hsRep{category: "vald", source: "survey", observed: tp(local(2025, 3, 15, 22)), created: local(2025, 7, 9, 12), dy: 400}),
		// never counted: another municipality's report, area precision, rejected, police events
		"x1": f.add(t, hsRep{municipality: "1383", dx: 5000}),
		"x2": f.add(t, hsRep{status: "rejected"}),
		"x3": f.add(t, hsRep{}),
		"x4": f.add(t, hsRep{}),
	}
	if _, err := f.owner.Pool().Exec(ctx, `UPDATE report SET source = 'police-event', police_event_id = 1 WHERE id = $1`, ids["x3"]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.owner.Pool().Exec(ctx, `UPDATE report SET precision = 'area', geom = ST_Buffer(geom, 0.001), public_geom = ST_Buffer(geom, 0.001)
		WHERE id = $1`, ids["x4"]); err != nil {
		t.Fatal(err)
	}
	var bbox orb.Bound // around a and b, not c (300 m west) or d (400 m north)
	if err := f.owner.Pool().QueryRow(ctx, `SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM
		(SELECT ST_Transform(ST_MakeEnvelope($1 - 100, $2 - 100, $1 + 400, $2 + 100, 3006), 4326)::box2d AS b) s`, f.x, f.y).
		Scan(&bbox.Min[0], &bbox.Min[1], &bbox.Max[0], &bbox.Max[1]); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		mod  func(q *trygg.HotspotQuery)
		keep []string
		want []string
	}{
		{"none", nil, nil, []string{"a", "b", "c", "d"}},
		{"categories", func(q *trygg.HotspotQuery) { q.Categories = []string{"vald"} }, nil, []string{"b", "d"}},
		{"sources", func(q *trygg.HotspotQuery) { q.Sources = []string{"resident", "dialogue"} }, nil, []string{"a", "c"}},
		{"from", func(q *trygg.HotspotQuery) { q.From = tp(local(2025, 3, 1, 0)) }, nil, []string{"c", "d"}},
		{"to", func(q *trygg.HotspotQuery) { q.To = tp(local(2025, 3, 15, 0)) }, nil, []string{"a", "b"}},
		// Named times: a's evening, c's night, and d observed at 22:30.
		{"when", func(q *trygg.HotspotQuery) { q.When = []string{"evening", "night"} }, nil, []string{"a", "c", "d"}},
		{"when weekend", func(q *trygg.HotspotQuery) { q.When = []string{"weekend"} }, nil, []string{"d"}},
		// Hours and days read the slots, never created_at: a (evening) lies in 9–23,
		// b (day) partly, c (night) with 22–23, d at 22:30; 22–04 holds c's night and d.
		{"hours", func(q *trygg.HotspotQuery) { q.Hours = &trygg.HourRange{From: 9, To: 23} }, nil, []string{"a", "b", "c", "d"}},
		{"hours past midnight", func(q *trygg.HotspotQuery) { q.Hours = &trygg.HourRange{From: 22, To: 4} }, nil, []string{"c", "d"}},
		// Named only times of day: every weekday, weekends included; d on a Saturday.
		{"weekday", func(q *trygg.HotspotQuery) { q.Days = "weekday" }, nil, []string{"a", "b", "c"}},
		{"weekend", func(q *trygg.HotspotQuery) { q.Days = "weekend" }, nil, []string{"a", "b", "c", "d"}},
		{"months", func(q *trygg.HotspotQuery) { q.Months = []int{3, 7} }, nil, []string{"c", "d"}},
		{"bbox", func(q *trygg.HotspotQuery) { q.Municipality, q.BBox = "", &bbox }, nil, []string{"a", "b"}},
		{"keep", nil, []string{ids["b"], ids["c"], ids["x2"]}, []string{"b", "c"}},
		{"keep none", nil, []string{}, nil},
		{"together", func(q *trygg.HotspotQuery) { q.Categories = []string{"vald"}; q.Days = "weekend"; q.Months = []int{1} }, nil, []string{"b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := hsQuery(tc.mod)
			times, err := f.owner.HotspotReportTimes(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			if tc.keep == nil {
				for _, r := range times {
					got[r.ID] = true
				}
			}
			// The grid reads the same set.
			n, _ := hsTotal(hsGrid(t, f.owner, ctx, q, tc.keep))
			if n != len(tc.want) {
				t.Errorf("grid counts %d reports, want %d (%v)", n, len(tc.want), tc.want)
			}
			if tc.keep != nil {
				return
			}
			var gotNames []string
			for name, id := range ids {
				if got[id] {
					gotNames = append(gotNames, name)
				}
			}
			slices.Sort(gotNames)
			if !slices.Equal(gotNames, tc.want) {
				t.Errorf("reports %v, want %v", gotNames, tc.want)
			}
		})
	}
	// A report's time is its observed time, in the report times too.
	times, err := f.owner.HotspotReportTimes(ctx, hsQuery(func(q *trygg.HotspotQuery) { q.Categories = []string{"vald"}; q.Months = []int{3} }))
	if err != nil || len(times) != 1 || !times[0].At.Equal(local(2025, 3, 15, 22)) {
		t.Errorf("report times %v, %v; want d at %v", times, err, local(2025, 3, 15, 22))
	}
}

// TestHotspotPublicAndStaff checks what each audience reads: the public only published
// and resolved reports at their public positions; staff their municipalities only.
func TestHotspotPublicAndStaff(t *testing.T) {
	f := newHSFixture(t)
	ctx := context.Background()
	for _, s := range []string{"received", "published", "resolved", "rejected"} {
		f.add(t, hsRep{status: s, dx: 13, dy: 13}) // 13 m off: snapped elsewhere for the public
	}
	app := pgtest.App(t, f.url)
	scoped := func(codes ...string) context.Context {
		return trygg.NewContext(ctx, &trygg.Caller{User: trygg.User{Role: trygg.RolePlanner, Municipalities: codes}})
	}
	count := func(ctx context.Context, public bool) int {
		n, _ := hsTotal(hsGrid(t, app, ctx, hsQuery(func(q *trygg.HotspotQuery) { q.Public = public }), nil))
		return n
	}
	if n := count(ctx, true); n != 2 {
		t.Errorf("the public counts %d reports, want 2 (published, resolved)", n)
	}
	if n := count(scoped("1470"), false); n != 3 {
		t.Errorf("Vara's staff count %d reports, want 3 (all but the rejected)", n)
	}
	if n := count(scoped("1383"), false); n != 0 {
		t.Errorf("Varberg's staff count %d of Vara's reports, want 0", n)
	}
	if n := count(ctx, false); n != 0 {
		t.Errorf("staff without a scope count %d reports, want 0", n)
	}
	// Positions: the public's are the snapped ones.
	var exact, public orb.Point
	if err := f.owner.Pool().QueryRow(ctx, `SELECT ST_X(geom), ST_Y(geom), ST_X(public_geom), ST_Y(public_geom) FROM report
		WHERE status = 'published'`).Scan(&exact[0], &exact[1], &public[0], &public[1]); err != nil {
		t.Fatal(err)
	}
	if exact == public {
		t.Fatal("the public position is the exact one: the test needs them apart")
	}
	for _, tc := range []struct {
		ctx    context.Context
		public bool
		want   orb.Point
	}{{ctx, true, public}, {scoped("1470"), false, exact}} {
		times, err := app.HotspotReportTimes(tc.ctx, hsQuery(func(q *trygg.HotspotQuery) { q.Public = tc.public; q.Categories = []string{"belysning"} }))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range times {
			if math.Abs(r.Lon-tc.want[0]) < 1e-9 && math.Abs(r.Lat-tc.want[1]) < 1e-9 {
				found = true
			}
			if tc.public && math.Abs(r.Lon-exact[0]) < 1e-9 && math.Abs(r.Lat-exact[1]) < 1e-9 {
				t.Errorf("the public reads an exact position %v", r)
			}
		}
		if !found {
			t.Errorf("public %v: no report at %v in %v", tc.public, tc.want, times)
		}
	}
}

// TestHotspotPeriods checks the periods' starts (Swedish time) and the cells in each.
func TestHotspotPeriods(t *testing.T) {
	f := newHSFixture(t)
	ctx := context.Background()
	stockholm, _ := time.LoadLocation("Europe/Stockholm")
	f.add(t, hsRep{created: time.Date(2024, 12, 31, 23, 30, 0, 0, time.UTC)}) // 00:30 on 1 January in Sweden
	f.add(t, hsRep{created: time.Date(2025, 1, 20, 12, 0, 0, 0, time.UTC)})
	f.add(t, hsRep{created: time.Date(2025, 3, 31, 21, 0, 0, 0, time.UTC), dx: 1000}) // 23:00, still March
	q := hsQuery(func(q *trygg.HotspotQuery) { q.Period = trygg.PeriodMonth })
	starts, cells, err := f.owner.HotspotPeriods(ctx, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{time.Date(2025, 1, 1, 0, 0, 0, 0, stockholm), time.Date(2025, 2, 1, 0, 0, 0, 0, stockholm),
		time.Date(2025, 3, 1, 0, 0, 0, 0, stockholm)}
	if !slices.EqualFunc(starts, want, time.Time.Equal) {
		t.Errorf("starts %v, want %v", starts, want)
	}
	if len(cells) != 2 || cells[0].Period != 0 || cells[0].Count != 2 || cells[1].Period != 2 || cells[1].Count != 1 {
		t.Errorf("cells %+v, want 2 reports in January and 1 in March", cells)
	}
	// From and To set the range; quarters.
	from, to := time.Date(2024, 11, 1, 0, 0, 0, 0, stockholm), time.Date(2025, 12, 31, 0, 0, 0, 0, stockholm)
	q = hsQuery(func(q *trygg.HotspotQuery) { q.Period = trygg.PeriodQuarter; q.From, q.To = &from, &to })
	starts, cells, err = f.owner.HotspotPeriods(ctx, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(starts) != 5 || !starts[0].Equal(time.Date(2024, 10, 1, 0, 0, 0, 0, stockholm)) || !starts[4].Equal(time.Date(2025, 10, 1, 0, 0, 0, 0, stockholm)) ||
		len(cells) != 2 || cells[0].Period != 1 || cells[1].Period != 1 || cells[0].Count+cells[1].Count != 3 {
		t.Errorf("quarters: starts %v cells %+v, want 5 from 2024-10-01 and 3 reports in the second", starts, cells)
	}
	// Weeks over more than ten years are refused.
	from = time.Date(2010, 1, 1, 0, 0, 0, 0, stockholm)
	q = hsQuery(func(q *trygg.HotspotQuery) { q.Period = trygg.PeriodWeek; q.From, q.To = &from, &to })
	if _, _, err := f.owner.HotspotPeriods(ctx, q, nil); trygg.ErrorCode(err) != trygg.EINVALID {
		t.Errorf("16 years of weeks: %v, want %s", err, trygg.EINVALID)
	}
}

// TestHotspotProfiles checks hours and weekdays in Swedish time across the change to
// summer time, and the categories and sources, most first.
func TestHotspotProfiles(t *testing.T) {
	f := newHSFixture(t)
	ctx := context.Background()
	tp := func(t time.Time) *time.Time { return &t }
	// Sunday 30 March 2025: 00:30 UTC is 01:30 CET, 01:30 UTC is 03:30 CEST.
	f.add(t, hsRep{category: "vald", observed: tp(time.Date(2025, 3, 30, 0, 30, 0, 0, time.UTC))})
	f.add(t, hsRep{category: "vald", source: "walk", observed: tp(time.Date(2025, 3, 30, 1, 30, 0, 0, time.UTC))})
	f.add(t, hsRep{category: "klotter", source: "walk", observed: tp(time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC))}) // Tuesday 12:00
	f.add(t, hsRep{category: "alkohol", observed: tp(time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC))})
	f.add(t, hsRep{category: "vald", dx: 3000}) // another cell
	q := hsQuery(nil)
	var mine, other postgis.Cell
	for _, c := range hsGrid(t, f.owner, ctx, q, nil) {
		switch c.Count {
		case 4:
			mine = c.Cell
		case 1:
			other = c.Cell
		}
	}
	empty := postgis.Cell{I: mine.I + 5, J: mine.J}
	profiles, err := f.owner.HotspotProfiles(ctx, q, nil, []postgis.Cell{mine, other, empty})
	if err != nil {
		t.Fatal(err)
	}
	p := profiles[mine]
	if p == nil {
		t.Fatalf("no profile of %v in %v", mine, profiles)
	}
	var hw [7][24]float64
	hw[6][1], hw[6][3], hw[1][12] = 1, 1, 2
	if p.HourWeekday != hw {
		t.Errorf("hour by weekday %v, want %v", p.HourWeekday, hw)
	}
	wantCats := []postgis.NamedCount{{Name: "vald", Count: 2}, {Name: "alkohol", Count: 1}, {Name: "klotter", Count: 1}}
	wantSrcs := []postgis.NamedCount{{Name: "resident", Count: 2}, {Name: "walk", Count: 2}}
	if !slices.Equal(p.Categories, wantCats) || !slices.Equal(p.Sources, wantSrcs) {
		t.Errorf("categories %v sources %v, want %v and %v", p.Categories, p.Sources, wantCats, wantSrcs)
	}
	if o := profiles[other]; o == nil || !slices.Equal(o.Categories, []postgis.NamedCount{{Name: "vald", Count: 1}}) {
		t.Errorf("the other cell's profile %+v, want one vald", o)
	}
	if e := profiles[empty]; e == nil || len(e.Categories) != 0 || e.HourWeekday != [7][24]float64{} {
		t.Errorf("an empty cell's profile %+v, want empty", e)
	}
	// keep narrows the profile too.
	profiles, err = f.owner.HotspotProfiles(ctx, q, postgis.KeepIDs(), []postgis.Cell{mine})
	if err != nil || len(profiles[mine].Categories) != 0 {
		t.Errorf("profile with no report kept: %+v, %v", profiles[mine], err)
	}
}

// TestHotspotClusters checks DBSCAN: two dense blobs are two clusters with their
// counts, noise is left out, the larger value comes first.
func TestHotspotClusters(t *testing.T) {
	f := newHSFixture(t)
	ctx := context.Background()
	for k := range 20 {
		f.add(t, hsRep{dx: float64(k%5) * 4, dy: float64(k/5) * 4, category: "vald"})
	}
	for k := range 12 {
		f.add(t, hsRep{dx: 2000 + float64(k%4)*4, dy: float64(k/4) * 4, category: "klotter", source: "walk"})
	}
	f.add(t, hsRep{dx: 1000, dy: 1000}) // noise
	q := hsQuery(func(q *trygg.HotspotQuery) { q.Method = trygg.MethodDBSCAN; q.EpsM = 30; q.MinPoints = 5 })
	clusters, err := f.owner.HotspotClusters(ctx, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(clusters) != 2 || clusters[0].Count != 20 || clusters[1].Count != 12 {
		t.Fatalf("clusters %+v, want 20 and 12 reports", clusters)
	}
	if math.Abs(clusters[0].Value-20) > 1e-9 || clusters[0].Categories[0] != (postgis.NamedCount{Name: "vald", Count: 20}) ||
		clusters[1].Sources[0] != (postgis.NamedCount{Name: "walk", Count: 12}) {
		t.Errorf("clusters %+v: want value 20, vald ×20 first, then walk ×12", clusters)
	}
	var blob orb.Point
	if err := f.owner.Pool().QueryRow(ctx, `SELECT ST_X(p), ST_Y(p) FROM ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 3006), 4326) p`,
		f.x+8, f.y+6).Scan(&blob[0], &blob[1]); err != nil {
		t.Fatal(err)
	}
	if !planar.PolygonContains(clusters[0].Polygon, blob) || planar.PolygonContains(clusters[1].Polygon, blob) {
		t.Errorf("the first cluster's polygon does not hold its blob, or the second's does")
	}
	// With the larger blob not kept, only the smaller is a cluster.
	var keep []string
	for _, r := range mustTimes(t, f.owner, ctx, hsQuery(func(q *trygg.HotspotQuery) { q.Sources = []string{"walk"} })) {
		keep = append(keep, r.ID)
	}
	clusters, err = f.owner.HotspotClusters(ctx, q, postgis.KeepIDs(keep...))
	if err != nil || len(clusters) != 1 || clusters[0].Count != 12 {
		t.Errorf("clusters of the kept reports %+v, %v; want one of 12", clusters, err)
	}
}

func mustTimes(t *testing.T, db *postgis.DB, ctx context.Context, q trygg.HotspotQuery) []postgis.ReportTime {
	t.Helper()
	times, err := db.HotspotReportTimes(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	return times
}

// TestHotspotStudyArea: by default the grid is the cells near the reports (their
// concave hull buffered by one band, within the municipality), not every cell of it;
// HotspotGridCells gives the same cells from the occupied ones.
func TestHotspotStudyArea(t *testing.T) {
	f := newHSFixture(t)
	ctx := context.Background()
	for _, d := range [][2]float64{{0, 0}, {1000, 0}, {0, 1000}, {1000, 1000}, {1000, 1000}} {
		f.add(t, hsRep{dx: d[0], dy: d[1]})
	}
	for _, grid := range []string{trygg.GridHex, trygg.GridSquare} {
		t.Run(grid, func(t *testing.T) {
			q := hsQuery(func(q *trygg.HotspotQuery) { q.Grid = grid; q.BandCells = 1.5 })
			cells := hsGrid(t, f.owner, ctx, q, nil)
			q.StudyArea = trygg.StudyAll
			all := hsGrid(t, f.owner, ctx, q, nil)
			q.StudyArea = trygg.StudyReports
			if n, _ := hsTotal(cells); n != 5 || len(cells) == 0 || len(cells)*20 > len(all) {
				t.Fatalf("%d reports in %d cells of %d in Vara", n, len(cells), len(all))
			}
			var occupied []postgis.Cell
			for _, c := range cells {
				// Within the square of the reports buffered by the band (300 m) and a cell.
				dx, dy := c.X-f.x, c.Y-f.y
				if dx < -600 || dx > 1600 || dy < -600 || dy > 1600 {
					t.Errorf("cell %v at %.0f %.0f from the reports' corner, outside their hull and band", c.Cell, dx, dy)
				}
				if c.Count > 0 {
					occupied = append(occupied, c.Cell)
				}
			}
			// The middle of the square (no report) is in the study area, 2 km away is not.
			in := func(dx, dy float64) bool {
				for _, c := range cells {
					if math.Hypot(c.X-f.x-dx, c.Y-f.y-dy) < q.CellM*0.58 {
						return true
					}
				}
				return false
			}
			if !in(500, 500) || in(3000, 500) {
				t.Errorf("middle in the study area %v, 3 km east %v; want true, false", in(500, 500), in(3000, 500))
			}
			again, err := f.owner.HotspotGridCells(ctx, q, occupied)
			if err != nil {
				t.Fatal(err)
			}
			if len(again) != len(cells) {
				t.Fatalf("HotspotGridCells: %d cells, HotspotGrid %d", len(again), len(cells))
			}
			for k := range again {
				if again[k].Cell != cells[k].Cell {
					t.Fatalf("cell %d: HotspotGridCells %v, HotspotGrid %v", k, again[k].Cell, cells[k].Cell)
				}
			}
			if none, err := f.owner.HotspotGridCells(ctx, q, nil); err != nil || len(none) != 0 {
				t.Errorf("no occupied cell: %d cells (%v), want none", len(none), err)
			}
		})
	}
}
