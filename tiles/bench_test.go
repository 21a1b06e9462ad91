package tiles_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// benchReports is how many synthetic published reports the tile benchmarks read,
// spread evenly over the five demo municipalities.
const benchReports = 1_000_000

// benchRow is one line of the table BenchmarkTiles prints.
type benchRow struct{ what, trygg, baseline, ratio, target string }

// BenchmarkTiles measures the public vector tiles over 1,000,000 synthetic published
// reports (200,000 uniformly random points inside each demo municipality's boundary,
// generated once per run in SQL, then ANALYZE), each figure beside a baseline from the
// same run:
//
//   - cold: the reports tiles at z10, z13 (clustered) and z16 over Vara's centre and
//     those of its eight neighbours that hold reports, each requested through the server's handler with the tile
//     cache emptied first, against the same SQL statement (postgis.TileStatement) run
//     directly with pgx as the same role; ratio = server/SQL time, target at most 1.1;
//   - warm: those tiles from the cache over HTTP at 64 concurrent connections, against
//     a minimal Go HTTP server returning the same gzipped bytes from memory, with the
//     same client; ratio = tiles/static throughput, target at least 0.8;
//   - largest: the two densest tiles of every zoom from 0 to 16 (counted from the
//     reports' public positions) through layer all; the largest, gzipped as served
//     and as raw MVT, target at most 500 KB.
//
// It prints a table of every figure to stderr.
func BenchmarkTiles(b *testing.B) {
	ctx := context.Background()
	owner, url := pgtest.Open(b)
	if err := demo.Load(ctx, owner, nil); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	pgtest.Exec(b, url, `
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
		                    public_description, source, precision, status, created_at)
		SELECT gen_random_uuid(), m.code, d.geom, report_public_geom(d.geom, 50),
		       (ARRAY['belysning','vegetation','klotter','vald'])[1 + d.path[1] % 4], 1 + d.path[1] % 4,
		       '{evening,night}', 'Mörkt och öde', 'Mörkt och öde', 'resident', 'exact', 'published',
		       timestamptz '2025-01-01' + d.path[1] * interval '1 minute'
		FROM municipality m,
		     LATERAL ST_Dump(ST_GeneratePoints(m.boundary, `+strconv.Itoa(benchReports)+` / (SELECT count(*) FROM municipality)::int, 4711)) d;
		ANALYZE report;`)
	generate := time.Since(t0)
	var n int
	if err := owner.Pool().QueryRow(ctx, `SELECT count(*) FROM public_report`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n != benchReports {
		b.Fatalf("%d public reports, want %d", n, benchReports)
	}
	fmt.Fprintf(os.Stderr, "tiles: generated %d published reports in 5 municipalities in %v\n", n, generate.Round(time.Second))

	app, err := postgis.Open(ctx, url+" pool_max_conns=8", postgis.Options{Role: postgis.AppRole})
	if err != nil {
		b.Fatal(err)
	}
	defer app.Close()
	srv := api.New(app, slog.New(slog.NewJSONHandler(io.Discard, nil)), api.DefaultOptions())
	direct, err := pgxpool.New(ctx, url+" pool_max_conns=8 options='-c jit=off' user="+postgis.AppRole) // as postgis.Open
	if err != nil {
		b.Fatal(err)
	}
	defer direct.Close()

	var centre orb.Point
	if err := owner.Pool().QueryRow(ctx, `SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(boundary) AS c
		FROM municipality WHERE code = '1470') m`).Scan(&centre[0], &centre[1]); err != nil {
		b.Fatal(err)
	}
	// Per zoom, the tile at Vara's centre and those of its eight neighbours that hold
	// reports (at z10 some reach beyond the five municipalities).
	var cold []maptile.Tile
	for _, z := range []maptile.Zoom{10, 13, 16} {
		c := maptile.At(centre, z)
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				t := maptile.New(uint32(int(c.X)+dx), uint32(int(c.Y)+dy), z)
				var reports bool
				if err := owner.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT FROM public_report
					WHERE ST_Intersects(geom, ST_Transform(ST_TileEnvelope($1, $2, $3), 4326)))`,
					int(t.Z), int(t.X), int(t.Y)).Scan(&reports); err != nil {
					b.Fatal(err)
				}
				if reports {
					cold = append(cold, t)
				}
			}
		}
	}

	var rows []benchRow
	b.Run("cold", func(b *testing.B) { rows = append(rows[:0:0], benchCold(b, srv, direct, cold)...) })
	var warmRows []benchRow
	b.Run("warm", func(b *testing.B) { warmRows = benchWarm(b, srv, cold) })
	var largestRows []benchRow
	b.Run("largest", func(b *testing.B) { largestRows = benchLargest(b, owner, srv) })

	w := tabwriter.NewWriter(os.Stderr, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(os.Stderr, "\nvector tiles over %d published reports (generated in %v):\n", n, generate.Round(time.Second))
	fmt.Fprintln(w, "measure\ttrygg\tbaseline\tratio\ttarget\t")
	for _, r := range slices.Concat(rows, warmRows, largestRows) {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t\n", r.what, r.trygg, r.baseline, r.ratio, r.target)
	}
	w.Flush()
}

// serve requests path through the server's handler, as a client asking for gzip.
func serve(b *testing.B, h http.Handler, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK && rec.Code != http.StatusNoContent {
		b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
	}
	return rec
}

func tileURL(layer string, t maptile.Tile) string {
	return fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layer, t.Z, t.X, t.Y)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func benchCold(b *testing.B, srv *api.Server, direct *pgxpool.Pool, tiles []maptile.Tile) []benchRow {
	ctx := context.Background()
	cache := srv.Tiles().Cache()
	type sum struct {
		server, sql time.Duration
		bytes       int
		n           int
	}
	byZoom := map[maptile.Zoom]*sum{}
	// One untimed pass prepares the statements on both sides and warms the buffers.
	passes := max(b.N, 10) // one pass is a few seconds: enough of them to average the noise
	for i := -1; i < passes; i++ {
		for j, t := range tiles {
			s := byZoom[t.Z]
			if s == nil {
				s = &sum{}
				byZoom[t.Z] = s
			}
			var rec *httptest.ResponseRecorder
			var dServer time.Duration
			viaServer := func() {
				cache.Purge()
				t0 := time.Now()
				rec = serve(b, srv, tileURL("reports", t))
				dServer = time.Since(t0)
				cache.Wait() // the compression after the response, outside both timings
			}
			query, args, err := postgis.TileStatement(postgis.TileQuery{Layer: postgis.TileReports,
				Z: int(t.Z), X: int(t.X), Y: int(t.Y), Cluster: t.Z < 14})
			if err != nil {
				b.Fatal(err)
			}
			var raw []byte
			var dSQL time.Duration
			viaSQL := func() {
				t1 := time.Now()
				if err := direct.QueryRow(ctx, query, args...).Scan(&raw); err != nil {
					b.Fatal(err)
				}
				dSQL = time.Since(t1)
			}
			if (i+j)%2 == 0 { // alternate which goes first, against order effects
				viaServer()
				viaSQL()
			} else {
				viaSQL()
				viaServer()
			}
			if len(raw) == 0 || rec.Code != http.StatusOK {
				b.Fatalf("tile %v: %d bytes from SQL, status %d from the server", t, len(raw), rec.Code)
			}
			if i >= 0 {
				s.server += dServer
				s.sql += dSQL
				s.bytes += len(raw)
				s.n++
			}
		}
	}
	var out []benchRow
	var allServer, allSQL time.Duration
	for _, z := range []maptile.Zoom{10, 13, 16} {
		s := byZoom[z]
		ratio := float64(s.server) / float64(s.sql)
		allServer += s.server
		allSQL += s.sql
		b.ReportMetric(float64(s.server.Microseconds())/1000/float64(s.n), fmt.Sprintf("z%d-server-ms", z))
		b.ReportMetric(float64(s.sql.Microseconds())/1000/float64(s.n), fmt.Sprintf("z%d-sql-ms", z))
		b.ReportMetric(ratio, fmt.Sprintf("z%d-ratio", z))
		out = append(out, benchRow{
			what:     fmt.Sprintf("cold z%d, %d tiles (mean %d B raw MVT)", z, s.n/passes, s.bytes/s.n),
			trygg:    ms(s.server / time.Duration(s.n)),
			baseline: ms(s.sql / time.Duration(s.n)),
			ratio:    fmt.Sprintf("%.2f", ratio),
			target:   "≤ 1.10",
		})
	}
	b.ReportMetric(float64(allServer)/float64(allSQL), "ratio")
	return out
}

// loadHTTP sends n GET requests for paths (in turn) from workers goroutines and
// returns the rate.
func loadHTTP(b *testing.B, client *http.Client, base string, paths []string, n, workers int) float64 {
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				req, _ := http.NewRequest(http.MethodGet, base+paths[i%len(paths)], nil)
				req.Header.Set("Accept-Encoding", "gzip")
				resp, err := client.Do(req)
				if err != nil {
					failed.Store(err)
					return
				}
				io.Copy(io.Discard, resp.Body) //nolint:errcheck
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failed.Store(fmt.Errorf("GET %s: status %d", paths[i%len(paths)], resp.StatusCode))
					return
				}
			}
		}()
	}
	wg.Wait()
	rate := float64(n) / time.Since(start).Seconds()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	return rate
}

func benchWarm(b *testing.B, srv *api.Server, tiles []maptile.Tile) []benchRow {
	const workers = 64
	// The baseline: the same response (status, headers but the date, body), from a map.
	type stored struct {
		body   []byte
		header http.Header
	}
	static := map[string]stored{}
	var paths []string
	var total int
	for _, t := range tiles {
		p := tileURL("reports", t)
		serve(b, srv, p) // builds the tile (and compresses it, after the response)
		srv.Tiles().Cache().Wait()
		rec := serve(b, srv, p)
		if rec.Header().Get("Content-Encoding") != "gzip" {
			b.Fatalf("%s: not gzipped from the cache", p)
		}
		static[p] = stored{body: rec.Body.Bytes(), header: rec.Header().Clone()}
		paths = append(paths, p)
		total += rec.Body.Len()
	}
	minimal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := static[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		for k, v := range s.header {
			h[k] = v
		}
		w.Write(s.body) //nolint:errcheck
	}))
	defer minimal.Close()
	tilesSrv := httptest.NewServer(srv)
	defer tilesSrv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, DisableCompression: true}}
	defer client.CloseIdleConnections()

	n := max(b.N, 20_000)
	loadHTTP(b, client, minimal.URL, paths, 2*workers, workers) // open the connections
	loadHTTP(b, client, tilesSrv.URL, paths, 2*workers, workers)
	b.ResetTimer()
	var rateTiles, rateStatic float64
	for range 2 { // alternate, against drift
		rateStatic += loadHTTP(b, client, minimal.URL, paths, n/2, workers) / 2
		rateTiles += loadHTTP(b, client, tilesSrv.URL, paths, n/2, workers) / 2
	}
	b.StopTimer()
	ratio := rateTiles / rateStatic
	b.ReportMetric(rateTiles, "tiles-req/s")
	b.ReportMetric(rateStatic, "static-req/s")
	b.ReportMetric(ratio, "ratio")
	return []benchRow{{
		what:     fmt.Sprintf("warm, %d connections, %d requests over %d tiles (mean %d B gzipped)", workers, n, len(tiles), total/len(tiles)),
		trygg:    fmt.Sprintf("%.0f req/s", rateTiles),
		baseline: fmt.Sprintf("%.0f req/s", rateStatic),
		ratio:    fmt.Sprintf("%.2f", ratio),
		target:   "≥ 0.80",
	}}
}

// densest returns the two tiles of each zoom from 0 to 16 holding the most public
// reports, counted at z16 in SQL and summed upwards.
func densest(b *testing.B, owner *postgis.DB) []maptile.Tile {
	rows, err := owner.Pool().Query(context.Background(), `
		SELECT floor((ST_X(p) + 20037508.342789244) / (40075016.68557849 / 65536))::int,
		       floor((20037508.342789244 - ST_Y(p)) / (40075016.68557849 / 65536))::int, count(*)
		FROM (SELECT ST_Transform(geom, 3857) AS p FROM public_report) r GROUP BY 1, 2`)
	if err != nil {
		b.Fatal(err)
	}
	counts := make([]map[maptile.Tile]int, 17)
	for z := range counts {
		counts[z] = map[maptile.Tile]int{}
	}
	for rows.Next() {
		var x, y uint32
		var c int
		if err := rows.Scan(&x, &y, &c); err != nil {
			b.Fatal(err)
		}
		for z := 0; z <= 16; z++ {
			counts[z][maptile.New(x>>(16-z), y>>(16-z), maptile.Zoom(z))] += c
		}
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	var out []maptile.Tile
	for z := range counts {
		ts := make([]maptile.Tile, 0, len(counts[z]))
		for t := range counts[z] {
			ts = append(ts, t)
		}
		slices.SortFunc(ts, func(a, c maptile.Tile) int { return counts[z][c] - counts[z][a] })
		out = append(out, ts[:min(2, len(ts))]...)
	}
	return out
}

func benchLargest(b *testing.B, owner *postgis.DB, srv *api.Server) []benchRow {
	cand := densest(b, owner)
	var gz, raw int
	var gzTile, rawTile maptile.Tile
	var features int
	var slowest time.Duration
	var slowTile maptile.Tile
	for range b.N {
		srv.Tiles().Cache().Purge()
		for _, t := range cand {
			t0 := time.Now()
			rec := serve(b, srv, tileURL("all", t))
			if d := time.Since(t0); d > slowest {
				slowest, slowTile = d, t
			}
			if rec.Code != http.StatusOK {
				continue
			}
			srv.Tiles().Cache().Wait()
			if rec = serve(b, srv, tileURL("all", t)); rec.Header().Get("Content-Encoding") != "gzip" {
				b.Fatalf("tile %v: not gzipped from the cache", t)
			}
			body := rec.Body.Bytes()
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			mvtBytes, err := io.ReadAll(zr)
			if err != nil {
				b.Fatal(err)
			}
			layers, err := mvt.Unmarshal(mvtBytes)
			if err != nil {
				b.Fatal(err)
			}
			for _, l := range layers {
				if len(l.Features) > postgis.MaxTileFeatures {
					b.Errorf("tile %v layer %s: %d features", t, l.Name, len(l.Features))
				}
				if l.Name == postgis.TileReports {
					features = max(features, len(l.Features))
				}
			}
			if len(body) > gz {
				gz, gzTile = len(body), t
			}
			if len(mvtBytes) > raw {
				raw, rawTile = len(mvtBytes), t
			}
		}
	}
	b.ReportMetric(float64(gz)/1024, "max-gzip-KB")
	b.ReportMetric(float64(raw)/1024, "max-raw-KB")
	b.ReportMetric(float64(slowest.Microseconds())/1000, "slowest-ms")
	kb := func(n int) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }
	return []benchRow{
		{what: fmt.Sprintf("largest tile z0–16, gzipped as served (%d/%d/%d, layer all)", gzTile.Z, gzTile.X, gzTile.Y),
			trygg: kb(gz), baseline: "-", ratio: "-", target: "≤ 500 KB"},
		{what: fmt.Sprintf("largest tile z0–16, raw MVT (%d/%d/%d, layer all; most report features %d)", rawTile.Z, rawTile.X, rawTile.Y, features),
			trygg: kb(raw), baseline: "-", ratio: "-", target: "≤ 500 KB"},
		{what: fmt.Sprintf("slowest cold tile of those %d (%d/%d/%d, layer all)", len(cand), slowTile.Z, slowTile.X, slowTile.Y),
			trygg: ms(slowest), baseline: "-", ratio: "-", target: "-"},
	}
}
