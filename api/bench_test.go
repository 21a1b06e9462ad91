package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// BenchmarkMunicipalities compares GET /api/v1/municipalities (290 SCB boundaries) with
// two baselines over a plain pool, interleaved in one loop so machine noise hits all
// alike: the bare SQL query of the same rows (sql-wkb), and the same FeatureCollection
// built entirely by PostGIS with ST_AsGeoJSON (sql-geojson), the way a generic feature
// server would. ratio = http / sql-geojson.
func BenchmarkMunicipalities(b *testing.B) {
	ctx := context.Background()
	url := pgtest.URL(b)
	db, err := postgis.Open(ctx, url, postgis.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := demo.Load(ctx, db, nil); err != nil {
		b.Fatal(err)
	}
	if _, err := db.UpsertMunicipalities(ctx, allBoundaries(b), 3006, nil); err != nil {
		b.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	srv := httptest.NewServer(api.New(db, slog.New(slog.NewJSONHandler(io.Discard, nil)), api.DefaultOptions()))
	defer srv.Close()

	var sqlTime, geojsonTime, httpTime time.Duration
	var bytes int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		rows, err := pool.Query(ctx, `SELECT code, name, ST_AsBinary(boundary) FROM municipality ORDER BY code`)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var code, name string
			var wkb []byte
			if err := rows.Scan(&code, &name, &wkb); err != nil {
				b.Fatal(err)
			}
		}
		rows.Close()
		tg := time.Now()
		var doc []byte
		if err := pool.QueryRow(ctx, `
			SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(
				json_build_object('type', 'Feature', 'id', code, 'geometry', ST_AsGeoJSON(boundary, 7)::json,
					'properties', json_build_object('code', code, 'name', name)) ORDER BY code))::text
			FROM municipality`).Scan(&doc); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		resp, err := http.Get(srv.URL + "/api/v1/municipalities")
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		t2 := time.Now()
		sqlTime += tg.Sub(t0)
		geojsonTime += t1.Sub(tg)
		httpTime += t2.Sub(t1)
		bytes += n
	}
	b.ReportMetric(float64(sqlTime.Nanoseconds())/float64(b.N), "sql-wkb-ns/op")
	b.ReportMetric(float64(geojsonTime.Nanoseconds())/float64(b.N), "sql-geojson-ns/op")
	b.ReportMetric(float64(httpTime.Nanoseconds())/float64(b.N), "http-ns/op")
	b.ReportMetric(float64(httpTime)/float64(geojsonTime), "ratio")
	b.ReportMetric(float64(bytes)/float64(b.N), "resp-bytes")
}
