package postgis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// cellSquare is the square of side d (degrees) with its south-west corner at p.
func cellSquare(p orb.Point, d float64) orb.Polygon {
	return orb.Polygon{{p, {p[0] + d, p[1]}, {p[0] + d, p[1] + d}, {p[0], p[1] + d}, p}}
}

// testRun is a Gi* run of cols × rows square cells of 0.0005° from origin, with a
// class from the cell's place (every class occurs) and hotspots over the first cells.
func testRun(municipality, name string, origin orb.Point, cols, rows, hotspots int, public bool) *postgis.HotspotRun {
	run := &postgis.HotspotRun{Municipality: municipality, Name: name, Method: trygg.MethodGi, Public: public,
		Query: json.RawMessage(`{"municipality":"` + municipality + `","cell":200}`)}
	const d = 0.0005
	for i := range cols {
		for j := range rows {
			k := i*rows + j
			c := postgis.RunCell{Cell: postgis.Cell{I: i, J: j},
				Polygon: cellSquare(orb.Point{origin[0] + float64(i)*d, origin[1] + float64(j)*d}, d),
				Value:   float64(k%7) * 0.5, Count: k % 7, Z: float64(k%7) - 3, P: 0.01 * float64(k%7+1), Class: k%7 - 3}
			if k == 1 {
				c.Z, c.P = math.NaN(), math.NaN()
			}
			run.Cells = append(run.Cells, c)
		}
	}
	for r := range hotspots {
		run.Hotspots = append(run.Hotspots, postgis.RunHotspot{
			Polygon: cellSquare(orb.Point{origin[0] + float64(r)*0.002, origin[1]}, 0.0015),
			Score:   10 - float64(r), Z: 4 - float64(r)/2, Value: 12.5, Count: 9 - r, Pattern: "new",
			Stats: json.RawMessage(`{"top_category":"belysning"}`)})
	}
	return run
}

var (
	varaOrigin = orb.Point{12.90, 58.20}
	bergOrigin = orb.Point{12.40, 57.15}
)

func TestHotspotRunSaveAndRead(t *testing.T) {
	f := newStaffFixture(t, false)
	ctx := f.as(t, trygg.RolePlanner, "kommun-1470")
	planner := f.user(t, trygg.RolePlanner, "kommun-1470")

	run := testRun("1470", "Centrum, kväll", varaOrigin, 175, 200, 3, false)
	if len(run.Cells) != 35_000 {
		t.Fatalf("%d cells", len(run.Cells))
	}
	start := time.Now()
	if err := f.app.SaveHotspotRun(ctx, run); err != nil {
		t.Fatalf("SaveHotspotRun: %v", err)
	}
	took := time.Since(start)
	t.Logf("SaveHotspotRun: %d cells and %d hotspots in %v", len(run.Cells), len(run.Hotspots), took)
	if took > 5*time.Second {
		t.Errorf("saving 35 000 cells took %v", took)
	}
	if !isUUIDString(run.ID) || run.CreatedAt.IsZero() || run.CreatedBy != planner.ID {
		t.Errorf("run id %q created %v by %q, want a UUID, a time and %s", run.ID, run.CreatedAt, run.CreatedBy, planner.ID)
	}
	for k, h := range run.Hotspots {
		if !isUUIDString(h.ID) || h.Rank != k+1 {
			t.Errorf("hotspot %d: id %q rank %d", k, h.ID, h.Rank)
		}
	}

	// The cells as stored: every one, its values, NaN as NULL.
	if n := f.count(t, `SELECT count(*) FROM hotspot_cell WHERE run_id = $1 AND municipality_code = '1470'`, run.ID); n != 35_000 {
		t.Errorf("%d cells stored", n)
	}
	for _, c := range []postgis.RunCell{run.Cells[0], run.Cells[1], run.Cells[34_999]} {
		var value float64
		var count, class int
		var z, p *float64
		var equal bool
		if err := f.sql.QueryRow(context.Background(), `SELECT value, count, z, p, class,
			ST_Equals(geom, ST_GeomFromText($4, 4326)) FROM hotspot_cell WHERE run_id = $1 AND i = $2 AND j = $3`,
			run.ID, c.I, c.J, wkt(c.Polygon)).Scan(&value, &count, &z, &p, &class, &equal); err != nil {
			t.Fatal(err)
		}
		if value != c.Value || count != c.Count || class != c.Class || !equal {
			t.Errorf("cell %d %d: value %v count %d class %d geometry equal %v, want %+v", c.I, c.J, value, count, class, equal, c)
		}
		if math.IsNaN(c.Z) != (z == nil) || (z != nil && *z != c.Z) || math.IsNaN(c.P) != (p == nil) || (p != nil && *p != c.P) {
			t.Errorf("cell %d %d: z %v p %v, want %v %v", c.I, c.J, z, p, c.Z, c.P)
		}
	}

	// Read back: with hotspots, without cells.
	got, err := f.app.HotspotRun(ctx, run.ID)
	if err != nil {
		t.Fatalf("HotspotRun: %v", err)
	}
	if got.Name != run.Name || got.Method != "gi" || got.Public || got.Municipality != "1470" || got.CreatedBy != planner.ID ||
		!got.CreatedAt.Equal(run.CreatedAt) || got.Cells != nil || len(got.Hotspots) != 3 {
		t.Errorf("HotspotRun = %+v", got)
	}
	var q map[string]any
	if err := json.Unmarshal(got.Query, &q); err != nil || q["cell"] != 200.0 {
		t.Errorf("query %s: %v", got.Query, err)
	}
	for k, h := range got.Hotspots {
		want := run.Hotspots[k]
		if h.ID != want.ID || h.Rank != want.Rank || h.Score != want.Score || h.Z != want.Z || h.Count != want.Count ||
			h.Pattern != "new" || !orb.Equal(h.Polygon, want.Polygon) || string(h.Stats) != `{"top_category": "belysning"}` {
			t.Errorf("hotspot %d = %+v, want %+v", k, h, want)
		}
	}

	// A second run is listed first.
	second := testRun("1470", "Centrum, natt", varaOrigin, 10, 10, 1, true)
	if err := f.app.SaveHotspotRun(ctx, second); err != nil {
		t.Fatalf("SaveHotspotRun: %v", err)
	}
	runs, err := f.app.HotspotRuns(ctx, "1470")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].ID != second.ID || runs[1].ID != run.ID || len(runs[0].Hotspots) != 1 ||
		len(runs[1].Hotspots) != 3 || runs[0].Cells != nil {
		t.Errorf("HotspotRuns: %+v", runs)
	}
	if runs, err := f.app.HotspotRuns(ctx, "1383"); err != nil || len(runs) != 0 {
		t.Errorf("HotspotRuns(1383) = %v, %v", runs, err)
	}

	// Audited, with the caller and the municipality.
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'hotspot_run.create' AND entity = 'hotspot_run'
		AND entity_id = $1 AND actor_id = $2 AND municipalities = '{1470}' AND (after->>'cells')::int = 35000`,
		run.ID, planner.ID); n != 1 {
		t.Errorf("%d audit entries for the run", n)
	}

	// Refusals.
	for _, tc := range []struct {
		name  string
		run   postgis.HotspotRun
		field string
	}{
		{"no name", postgis.HotspotRun{Municipality: "1470", Name: "  ", Method: "gi"}, "name"},
		{"method", postgis.HotspotRun{Municipality: "1470", Name: "x", Method: "kmeans"}, "method"},
		{"query", postgis.HotspotRun{Municipality: "1470", Name: "x", Method: "gi", Query: json.RawMessage(`[1]`)}, "query"},
		{"class", postgis.HotspotRun{Municipality: "1470", Name: "x", Method: "gi",
			Cells: []postgis.RunCell{{Polygon: cellSquare(varaOrigin, 0.001), Class: 4}}}, "cells"},
		{"twice", postgis.HotspotRun{Municipality: "1470", Name: "x", Method: "gi",
			Cells: []postgis.RunCell{{Polygon: cellSquare(varaOrigin, 0.001)}, {Polygon: cellSquare(varaOrigin, 0.001)}}}, "cells"},
		{"not a polygon", postgis.HotspotRun{Municipality: "1470", Name: "x", Method: "gi",
			Cells: []postgis.RunCell{{Polygon: orb.Polygon{{{12.9, 58.2}, {12.91, 58.2}}}}}}, "cells"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := f.app.SaveHotspotRun(ctx, &tc.run)
			staffWantCode(t, "SaveHotspotRun", err, trygg.EINVALID, tc.field)
		})
	}
	if n := f.count(t, `SELECT count(*) FROM hotspot_run`); n != 2 {
		t.Errorf("%d runs after the refusals, want 2", n)
	}
}

func isUUIDString(s string) bool {
	var u [36]byte
	return len(s) == len(u) && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-'
}

// wkt is a polygon's WKT.
func wkt(p orb.Polygon) string {
	s := "POLYGON("
	for i, r := range p {
		if i > 0 {
			s += ","
		}
		s += "("
		for k, pt := range r {
			if k > 0 {
				s += ","
			}
			s += fmt.Sprintf("%v %v", pt[0], pt[1])
		}
		s += ")"
	}
	return s + ")"
}

func TestHotspotRunIsolation(t *testing.T) {
	f := newStaffFixture(t, false)
	vara := f.as(t, trygg.RolePlanner, "kommun-1470")
	berg := f.as(t, trygg.RoleAdmin, "kommun-1383")

	run := testRun("1470", "Vara centrum", varaOrigin, 20, 20, 2, true)
	if err := f.app.SaveHotspotRun(vara, run); err != nil {
		t.Fatal(err)
	}
	place := postgis.Place{Name: "Resecentrum", HotspotID: run.Hotspots[0].ID}
	if err := f.app.CreatePlace(vara, &place); err != nil {
		t.Fatal(err)
	}

	// Varberg's admin sees none of it.
	_, err := f.app.HotspotRun(berg, run.ID)
	staffWantCode(t, "HotspotRun", err, trygg.ENOTFOUND, "id")
	_, err = f.app.Place(berg, place.ID)
	staffWantCode(t, "Place", err, trygg.ENOTFOUND, "id")
	if runs, err := f.app.HotspotRuns(berg, ""); err != nil || len(runs) != 0 {
		t.Errorf("HotspotRuns = %v, %v", runs, err)
	}
	if ps, err := f.app.Places(berg, "1470"); err != nil || len(ps) != 0 {
		t.Errorf("Places = %v, %v", ps, err)
	}
	// Nor keeps Vara's hotspot as a place, nor saves into Vara.
	err = f.app.CreatePlace(berg, &postgis.Place{Name: "Stulen", HotspotID: run.Hotspots[1].ID})
	staffWantCode(t, "CreatePlace", err, trygg.ENOTFOUND, "hotspot_id")
	err = f.app.CreatePlace(berg, &postgis.Place{Name: "Stulen", Municipality: "1470", Polygon: cellSquare(orb.Point{12.95, 58.26}, 0.001)})
	staffWantCode(t, "CreatePlace", err, trygg.EFORBIDDEN, "municipality")
	err = f.app.SaveHotspotRun(berg, testRun("1470", "Intrång", varaOrigin, 2, 2, 0, true))
	staffWantCode(t, "SaveHotspotRun", err, trygg.EFORBIDDEN, "municipality")

	// Row-level security holds past the store's own check: a Varberg scope cannot
	// insert a Vara run or cells of Vara's run.
	conn := f.appConn(t, "1383", "")
	if _, err := conn.Exec(context.Background(), `INSERT INTO hotspot_run (id, municipality_code, name, method, public, query)
		VALUES (gen_random_uuid(), '1470', 'x', 'gi', true, '{}')`); err == nil {
		t.Error("a Varberg scope inserted a Vara run")
	}
	if _, err := conn.Exec(context.Background(), `INSERT INTO hotspot_cell (run_id, municipality_code, i, j, geom)
		VALUES ($1, '1470', 100, 100, ST_MakeEnvelope(12.9, 58.2, 12.91, 58.21, 4326))`, run.ID); err == nil {
		t.Error("a Varberg scope inserted a cell into Vara's run")
	}
	if n, err := conn.Exec(context.Background(), `DELETE FROM hotspot_run`); err != nil || n.RowsAffected() != 0 {
		t.Errorf("a Varberg scope deleted %v runs: %v", n.RowsAffected(), err)
	}

	// The public: nothing through the tables, the latest public run through the views.
	pub := context.Background()
	if runs, err := f.app.HotspotRuns(pub, ""); err != nil || len(runs) != 0 {
		t.Errorf("public HotspotRuns = %v, %v", runs, err)
	}
	err = f.app.SaveHotspotRun(pub, testRun("1470", "Anonym", varaOrigin, 2, 2, 0, true))
	staffWantCode(t, "SaveHotspotRun", err, trygg.EUNAUTHORIZED, "")
	public := f.appConn(t, "", "")
	var cells, hotspots int
	if err := public.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM public_hotspot_cell),
		(SELECT count(*) FROM public_hotspot)`).Scan(&cells, &hotspots); err != nil || cells != 400 || hotspots != 2 {
		t.Errorf("public views: %d cells, %d hotspots, %v", cells, hotspots, err)
	}
	// A later private run does not change what the public sees; a later public run does.
	if err := f.app.SaveHotspotRun(vara, testRun("1470", "Privat", varaOrigin, 5, 5, 1, false)); err != nil {
		t.Fatal(err)
	}
	if err := f.app.SaveHotspotRun(berg, testRun("1383", "Varberg", bergOrigin, 3, 3, 1, true)); err != nil {
		t.Fatal(err)
	}
	rows, err := public.Query(context.Background(), `SELECT municipality_code, count(*) FROM public_hotspot_cell GROUP BY 1 ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for rows.Next() {
		var m string
		var n int
		if err := rows.Scan(&m, &n); err != nil {
			t.Fatal(err)
		}
		got[m] = n
	}
	if rows.Err() != nil || len(got) != 2 || got["1470"] != 400 || got["1383"] != 9 {
		t.Errorf("public cells per municipality %v (%v), want 1470: 400 and 1383: 9", got, rows.Err())
	}
	second := testRun("1470", "Vara igen", varaOrigin, 4, 4, 1, true)
	if err := f.app.SaveHotspotRun(vara, second); err != nil {
		t.Fatal(err)
	}
	var runID string
	if err := public.QueryRow(context.Background(), `SELECT DISTINCT run_id::text FROM public_hotspot_cell WHERE municipality_code = '1470'`).Scan(&runID); err != nil || runID != second.ID {
		t.Errorf("public cells of run %s (%v), want %s", runID, err, second.ID)
	}
}

func TestPlaces(t *testing.T) {
	f := newStaffFixture(t, false)
	ctx := f.as(t, trygg.RolePlanner, "kommun-1470")
	planner := f.user(t, trygg.RolePlanner, "kommun-1470")
	run := testRun("1470", "Vara", varaOrigin, 10, 10, 2, false)
	if err := f.app.SaveHotspotRun(ctx, run); err != nil {
		t.Fatal(err)
	}

	// From a hotspot: its geometry and municipality.
	p := postgis.Place{Name: "  Resecentrum ", HotspotID: run.Hotspots[1].ID}
	if err := f.app.CreatePlace(ctx, &p); err != nil {
		t.Fatalf("CreatePlace: %v", err)
	}
	if !isUUIDString(p.ID) || p.Name != "Resecentrum" || p.Municipality != "1470" || p.CreatedAt.IsZero() ||
		!orb.Equal(p.Polygon, run.Hotspots[1].Polygon) {
		t.Errorf("place %+v", p)
	}
	if n := f.count(t, `SELECT count(*) FROM place p JOIN hotspot h ON h.id = p.hotspot_id
		WHERE p.id = $1 AND ST_Equals(p.geom, h.geom) AND p.created_by = $2`, p.ID, planner.ID); n != 1 {
		t.Errorf("the stored place is not its hotspot's geometry")
	}
	got, err := f.app.Place(ctx, p.ID)
	if err != nil || got.Name != "Resecentrum" || got.HotspotID != run.Hotspots[1].ID || !orb.Equal(got.Polygon, p.Polygon) ||
		!got.CreatedAt.Equal(p.CreatedAt) {
		t.Errorf("Place = %+v, %v", got, err)
	}

	// The same name in any case: a conflict on name.
	err = f.app.CreatePlace(ctx, &postgis.Place{Name: "RESECENTRUM", Municipality: "1470", Polygon: cellSquare(orb.Point{12.95, 58.26}, 0.001)})
	staffWantCode(t, "CreatePlace", err, trygg.ECONFLICT, "name")
	err = f.app.CreatePlace(ctx, &postgis.Place{Name: "resecentrum", HotspotID: run.Hotspots[0].ID})
	staffWantCode(t, "CreatePlace", err, trygg.ECONFLICT, "name")
	// … but not in another municipality.
	berg := f.as(t, trygg.RolePlanner, "kommun-1383")
	if err := f.app.CreatePlace(berg, &postgis.Place{Name: "Resecentrum", Municipality: "1383",
		Polygon: cellSquare(bergPlace, 0.001)}); err != nil {
		t.Errorf("the same name in Varberg: %v", err)
	}

	// A polygon of its own.
	torg := postgis.Place{Name: "Torget", Municipality: "1470", Polygon: cellSquare(orb.Point{12.95, 58.26}, 0.001)}
	if err := f.app.CreatePlace(ctx, &torg); err != nil {
		t.Fatalf("CreatePlace: %v", err)
	}
	if torg.HotspotID != "" || !orb.Equal(torg.Polygon, cellSquare(orb.Point{12.95, 58.26}, 0.001)) {
		t.Errorf("place %+v", torg)
	}
	for _, tc := range []struct {
		name  string
		place postgis.Place
		code  string
		field string
	}{
		{"no name", postgis.Place{Name: " ", HotspotID: run.Hotspots[0].ID}, trygg.EINVALID, "name"},
		{"long name", postgis.Place{Name: strings.Repeat("a", 201), HotspotID: run.Hotspots[0].ID}, trygg.EINVALID, "name"},
		{"no geometry", postgis.Place{Name: "x", Municipality: "1470"}, trygg.EINVALID, "geometry"},
		{"no municipality", postgis.Place{Name: "x", Polygon: cellSquare(orb.Point{12.95, 58.26}, 0.001)}, trygg.EINVALID, "municipality"},
		{"bow tie", postgis.Place{Name: "x", Municipality: "1470",
			Polygon: orb.Polygon{{{12.95, 58.26}, {12.96, 58.27}, {12.96, 58.26}, {12.95, 58.27}, {12.95, 58.26}}}}, trygg.EINVALID, "geometry"},
		{"outside", postgis.Place{Name: "x", Municipality: "1470", Polygon: cellSquare(orb.Point{12.25, 57.11}, 0.001)}, trygg.EINVALID, "geometry"},
		{"no hotspot", postgis.Place{Name: "x", HotspotID: "8c6f0b0e-9d7e-4c34-9a37-2a1d4c1d2e3f"}, trygg.ENOTFOUND, "hotspot_id"},
		{"bad hotspot id", postgis.Place{Name: "x", HotspotID: "nope"}, trygg.ENOTFOUND, "hotspot_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := f.app.CreatePlace(ctx, &tc.place)
			staffWantCode(t, "CreatePlace", err, tc.code, tc.field)
		})
	}

	ps, err := f.app.Places(ctx, "")
	if err != nil || len(ps) != 2 || ps[0].Name != "Resecentrum" || ps[1].Name != "Torget" {
		t.Errorf("Places = %+v, %v", ps, err)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'place.create' AND entity = 'place'
		AND municipalities = '{1470}' AND actor_id = $1`, planner.ID); n != 2 {
		t.Errorf("%d place audit entries in Vara, want 2", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'place.create' AND entity_id = $1
		AND after->>'hotspot_id' = $2`, p.ID, run.Hotspots[1].ID); n != 1 {
		t.Errorf("the place from a hotspot is not audited with its hotspot")
	}

	// Deleting the run keeps the place, without its hotspot.
	f.exec(t, `DELETE FROM hotspot_run WHERE id = $1`, run.ID)
	if n := f.count(t, `SELECT count(*) FROM hotspot_cell WHERE run_id = $1`, run.ID); n != 0 {
		t.Errorf("%d cells left of the deleted run", n)
	}
	// Cells belong to a run of their municipality (the statement-level foreign key).
	if err := f.app.SaveHotspotRun(ctx, testRun("1470", "Kvar", varaOrigin, 2, 2, 0, false)); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO hotspot_cell (run_id, municipality_code, i, j, geom) VALUES ($1, '1470', 0, 0, ST_MakeEnvelope(12.9, 58.2, 12.91, 58.21, 4326))`,
		`UPDATE hotspot_cell SET municipality_code = '1383' WHERE run_id = (SELECT id FROM hotspot_run WHERE id <> $1 LIMIT 1)`,
		`UPDATE hotspot_run SET municipality_code = '1383' WHERE id <> $1`,
	} {
		if _, err := f.sql.Exec(context.Background(), q, run.ID); err == nil {
			t.Errorf("%s: no error", q)
		}
	}
	got, err = f.app.Place(ctx, p.ID)
	if err != nil || got.HotspotID != "" || !orb.Equal(got.Polygon, p.Polygon) {
		t.Errorf("place after its run was deleted: %+v, %v", got, err)
	}
}
