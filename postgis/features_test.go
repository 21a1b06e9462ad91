package postgis_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// TestFeaturesBBoxUsesIndex: the bbox filter of walks (and of actions, through their
// walks) is on the route column itself, so walk_route_gix serves it (a filter on
// ST_Force2D(route) could not use it).
func TestFeaturesBBoxUsesIndex(t *testing.T) {
	owner, url := pgtest.Open(t)
	if err := demo.Load(context.Background(), owner, nil); err != nil {
		t.Fatal(err)
	}
	pgtest.Exec(t, url, `
		INSERT INTO walk (id, municipality_code, title, route, starts_at)
		SELECT gen_random_uuid(), '1470', 'Vandring ' || i,
		       ST_SetSRID(ST_MakeLine(ST_MakePointM(11 + (i % 100) * 0.1, 56 + (i / 100) * 0.1, 0),
		                              ST_MakePointM(11.01 + (i % 100) * 0.1, 56.01 + (i / 100) * 0.1, 60)), 4326),
		       '2026-11-01'::timestamptz + i * interval '1 hour'
		FROM generate_series(0, 4999) i;
		INSERT INTO action (id, municipality_code, walk_id, description, owner_text)
		SELECT gen_random_uuid(), '1470', id, 'Åtgärd', 'Gatukontoret' FROM walk;
		ANALYZE walk; ANALYZE action; ANALYZE report;`)
	bbox := [4]float64{12.0, 57.0, 12.3, 57.3}
	for _, c := range []struct{ id, index string }{{"walks", "walk_route_gix"}, {"actions", "walk_route_gix"}} {
		src := postgis.FeatureCollection(c.id).Staff
		for _, srid := range []int{4326, 3006} {
			b := bbox
			if srid == 3006 {
				b = [4]float64{350000, 6320000, 370000, 6340000}
			}
			from, args := postgis.FeatureFilterSQL(src, postgis.FeatureQuery{BBox: &b, BBoxSRID: srid})
			plan := strings.Join(pgtest.Strings(t, url, "EXPLAIN SELECT 1 FROM "+from, args...), "\n")
			if !strings.Contains(plan, c.index) {
				t.Errorf("%s, bbox in EPSG:%d: the plan does not use %s:\n%s", c.id, srid, c.index, plan)
			}
		}
	}
}

// TestFeatureNumericProperties holds FeatureSource.Numeric to the SQL types: a property
// is numeric exactly when its column is an integer, float or numeric, in every source
// of every collection, so CSV (package csvout) neutralises every text cell and keeps
// every number (-3.5 stays -3.5).
func TestFeatureNumericProperties(t *testing.T) {
	t.Parallel()
	conn := pgtest.Conn(t, pgtest.URL(t))
	numeric := map[uint32]bool{20: true, 21: true, 23: true, 700: true, 701: true, 1700: true} // int8, int2, int4, float4, float8, numeric
	for _, c := range postgis.FeatureCollections {
		for _, src := range []*postgis.FeatureSource{c.Public, c.Staff} {
			if src == nil {
				continue
			}
			sql, names := postgis.FeaturePropsSQL(src)
			rows, err := conn.Query(context.Background(), sql)
			if err != nil {
				t.Fatalf("%s: %s: %v", c.ID, sql, err)
			}
			fields := rows.FieldDescriptions()
			rows.Close()
			if len(fields) != len(names) {
				t.Fatalf("%s: %d columns, want %d", c.ID, len(fields), len(names))
			}
			for i, f := range fields {
				if got, want := src.Numeric(names[i]), numeric[f.DataTypeOID]; got != want {
					t.Errorf("collection %s, property %s (type oid %d): Numeric = %v, want %v", c.ID, names[i], f.DataTypeOID, got, want)
				}
			}
		}
	}
}
