package ogc_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// featureCounter counts features in a streamed FeatureCollection without keeping it,
// and keeps the tail, where the links are.
type featureCounter struct {
	n    int
	tail []byte
}

var featureMark = []byte(`{"type":"Feature",`)

func (c *featureCounter) Write(p []byte) (int, error) {
	buf := append(c.tail, p...)
	c.n += bytes.Count(buf, featureMark) - bytes.Count(c.tail, featureMark)
	if len(buf) > 4096 {
		buf = buf[len(buf)-4096:]
	}
	c.tail = append(c.tail[:0], buf...)
	return len(p), nil
}

var nextLink = regexp.MustCompile(`"href":"([^"]+)","rel":"next"`)

// rssKB reads a field of /proc/self/status in kB.
func rssKB(tb testing.TB, field string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	tb.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// BenchmarkItems fetches 100,000 public reports through /ogc/collections/reports/items
// in pages of 10,000 (following next links, streamed to a counter) and, as the
// baseline in the same run, produces the same FeatureCollection with one direct SQL
// query (ST_AsGeoJSON and json_agg over the public view). ratio = http/sql (target at
// most 1.5). rss-growth-MB is the process's peak resident set during the HTTP fetch
// above its resident set before it (target under 64 MB); the server runs in this
// process, so its memory is counted.
func BenchmarkItems(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	owner, url := pgtest.Open(b)
	if err := demo.Load(ctx, owner, nil); err != nil {
		b.Fatal(err)
	}
	pgtest.Exec(b, url, `
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
		                    public_description, source, precision, status, created_at)
		SELECT gen_random_uuid(), '1470', p, report_public_geom(p, 50), (ARRAY['belysning','vegetation','klotter','vald'])[1 + i % 4],
		       1 + i % 4, '{evening,night}', 'Mörkt och öde', 'Mörkt och öde', 'resident', 'exact', 'published',
		       timestamptz '2025-01-01' + i * interval '5 minutes'
		FROM generate_series(1, `+strconv.Itoa(n)+`) i,
		     LATERAL (SELECT ST_SetSRID(ST_MakePoint(12.90 + (i % 400) * 0.0003, 58.22 + (i / 400) * 0.0002), 4326) AS p) g;
		ANALYZE report;`)
	app := pgtest.App(b, url)
	srv := httptest.NewServer(api.New(app, slog.New(slog.NewJSONHandler(io.Discard, nil)), api.DefaultOptions()))
	defer srv.Close()
	conn := pgtest.Conn(b, url)
	// Plain JSON both ways: the baseline does not compress either.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}

	var httpTime, sqlTime time.Duration
	var growthKB int
	var bytesHTTP int64
	b.ResetTimer()
	for range b.N {
		runtime.GC()
		before := rssKB(b, "VmRSS")
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil { // reset VmHWM
			b.Fatal(err)
		}
		t0 := time.Now()
		next := srv.URL + "/ogc/collections/reports/items?limit=10000"
		total := 0
		for next != "" {
			resp, err := client.Get(next)
			if err != nil {
				b.Fatal(err)
			}
			c := &featureCounter{}
			m, err := io.Copy(c, resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatalf("GET %s: %d %v", next, resp.StatusCode, err)
			}
			bytesHTTP += m
			total += c.n
			next = ""
			if l := nextLink.FindSubmatch(c.tail); l != nil {
				next = string(bytes.ReplaceAll(l[1], []byte(`\u0026`), []byte("&")))
			}
		}
		httpTime += time.Since(t0)
		growthKB = max(growthKB, rssKB(b, "VmHWM")-before)
		if total != n {
			b.Fatalf("fetched %d features, want %d", total, n)
		}

		t1 := time.Now()
		var doc []byte
		if err := conn.QueryRow(ctx, `
			SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(json_build_object(
				'type', 'Feature', 'id', r.id, 'geometry', ST_AsGeoJSON(r.geom, 7)::json,
				'properties', json_build_object('municipality', r.municipality_code, 'category', r.category,
					'feeling', r.feeling, 'when', r.times, 'description', r.description, 'source', r.source,
					'precision', r.precision, 'status', r.status, 'observed_at', r.observed_at,
					'created_at', r.created_at, 'confirmations', r.confirmations)) ORDER BY r.created_at, r.id))::text
			FROM public_report r`).Scan(&doc); err != nil {
			b.Fatal(err)
		}
		sqlTime += time.Since(t1)
		if c := bytes.Count(doc, []byte(`"type" : "Feature"`)) + bytes.Count(doc, []byte(`"type":"Feature"`)); c != n {
			b.Fatalf("the SQL baseline has %d features, want %d", c, n)
		}
	}
	b.StopTimer()
	per := func(d time.Duration) float64 { return d.Seconds() * 1000 / float64(b.N) }
	b.ReportMetric(per(httpTime), "http-ms")
	b.ReportMetric(per(sqlTime), "sql-ms")
	b.ReportMetric(float64(httpTime)/float64(sqlTime), "ratio")
	b.ReportMetric(float64(growthKB)/1024, "rss-growth-MB")
	fmt.Fprintf(os.Stderr, "OGC items, %d features in pages of 10000: HTTP %.0f ms (%d MB sent), one SQL query %.0f ms, ratio %.2f; peak RSS growth %.1f MB\n",
		n, per(httpTime), bytesHTTP/int64(b.N)>>20, per(sqlTime), float64(httpTime)/float64(sqlTime), float64(growthKB)/1024)
}
