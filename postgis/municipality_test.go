package postgis_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/importer"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

func TestScratch(t *testing.T) {
	db, url := pgtest.Open(t)
	ctx := context.Background()
	sum, err := importer.Municipalities(ctx, db, bytes.NewReader(demo.Boundaries), importer.MunicipalityOptions{})
	t.Logf("%+v %v", sum, err)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var area float64
	var pos, box string
	var contains, contains2 bool
	err = conn.QueryRow(ctx, `SELECT ST_Area(boundary::geography)/1e6, ST_AsText(ST_PointOnSurface(boundary)), ST_Extent(boundary)::text,
		ST_Contains(boundary, ST_SetSRID(ST_MakePoint(13.0, 58.26),4326)), ST_Contains(boundary, ST_SetSRID(ST_MakePoint(12.95, 58.26),4326))
		FROM municipality WHERE code='1470' GROUP BY boundary`).Scan(&area, &pos, &box, &contains, &contains2)
	t.Log(area, pos, box, contains, contains2, err)
	rows, _ := conn.Query(ctx, `SELECT code, name, round((ST_Area(boundary::geography)/1e6)::numeric,1), ST_Extent(boundary)::text FROM municipality WHERE code IN ('1470','0685','1383','1494','1493','0114','2584') GROUP BY code, name, boundary ORDER BY code`)
	for rows.Next() {
		v, _ := rows.Values()
		t.Log(v...)
	}
	var xmin, xmax, ymin, ymax float64
	conn.QueryRow(ctx, `SELECT ST_XMin(e), ST_XMax(e), ST_YMin(e), ST_YMax(e) FROM (SELECT ST_Extent(boundary) e FROM municipality) s`).Scan(&xmin, &xmax, &ymin, &ymax)
	t.Log(xmin, xmax, ymin, ymax)
}
