package hotspot_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/geo"
	"github.com/trygg-gis/trygg/hotspot"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// BenchmarkHotspots: 1,000,000 published reports in one municipality (Vara, about
// 700 km²: 60 % spread uniformly, 40 % in five dense places), 200 m hexagons.
//
//   - Gi*: geo.GiStar (neighbours within 1.5 cells, self included, and the statistic) on
//     the grid PostGIS built, against R spdep (dnearneigh + include.self + nb2listw +
//     localG, timed inside R by geo/testdata/localg.R) on the same cells and values in
//     the same run; the z-scores must agree to 1e-6; target at least 10 times faster;
//   - the band search (incremental spatial autocorrelation: Global Moran's I at 19
//     distances, 1–10 cells) on the same grid, next to one Gi*;
//   - the API call GET /api/v1/hotspots?municipality=1470 with the defaults (study area
//     near the reports, band searched, FDR, hot areas; grid and weights in SQL, Gi* per
//     month for the trends and emerging patterns, profiles), as the public, next to the
//     bare SQL count of the same reports; and the same with the former defaults
//     (study_area=all&band=1.5&fdr=false) for comparison.
//
// TRYGG_BENCH_HOTSPOT_REPORTS sets another number of reports (e.g. 100000 on a loaded
// machine), in the same proportions.
func BenchmarkHotspots(b *testing.B) {
	ctx := context.Background()
	total := 1_000_000
	if s := os.Getenv("TRYGG_BENCH_HOTSPOT_REPORTS"); s != "" {
		var err error
		if total, err = strconv.Atoi(s); err != nil || total < 1000 {
			b.Fatalf("TRYGG_BENCH_HOTSPOT_REPORTS=%q: want a number of at least 1000", s)
		}
	}
	owner, url := pgtest.Open(b)
	if err := demo.Load(ctx, owner, nil); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	pgtest.Exec(b, url, fmt.Sprintf(`
		WITH m AS (SELECT boundary, ST_PointOnSurface(boundary) AS c FROM municipality WHERE code = '1470'),
		pts AS (
		  SELECT (ST_Dump(ST_GeneratePoints(m.boundary, %[1]d, 7))).geom AS g FROM m
		  UNION ALL
		  SELECT ST_Project(ST_Translate(m.c, k * 0.05 - 0.1, (k %% 2) * 0.03)::geography,
		                    abs(random() * random()) * 600, random() * 2 * pi())::geometry
		  FROM m, generate_series(0, 4) k, generate_series(1, %[2]d) n)
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
		                    public_description, source, precision, status, created_at)
		SELECT gen_random_uuid(), '1470', g, report_public_geom(g, 50),
		       (ARRAY['belysning','vegetation','klotter','vald'])[1 + n %% 4], 1 + n %% 4, '{evening,night}',
		       'x', 'x', 'resident', 'exact', 'published', timestamptz '2024-01-01' + n * interval '1 minute'
		FROM (SELECT g, row_number() OVER () AS n FROM pts) p
		WHERE ST_Covers((SELECT boundary FROM municipality WHERE code = '1470'), g);
		ANALYZE report;`, total*6/10, total*8/100))
	var n int
	if err := owner.Pool().QueryRow(ctx, `SELECT count(*) FROM report`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "hotspots: %d reports in Vara generated in %v\n", n, time.Since(t0).Round(time.Second))

	app, err := postgis.Open(ctx, url, postgis.Options{Role: postgis.AppRole})
	if err != nil {
		b.Fatal(err)
	}
	defer app.Close()
	q := trygg.HotspotQuery{Municipality: "1470", Public: true, HalfLifeDays: trygg.DefaultHalfLifeDays}
	q.Normalize(time.Now())
	grid, err := app.HotspotGrid(ctx, q, nil)
	if err != nil {
		b.Fatal(err)
	}
	x, y, v := make([]float64, len(grid)), make([]float64, len(grid)), make([]float64, len(grid))
	for i, c := range grid {
		x[i], y[i], v[i] = c.X, c.Y, c.Value
	}
	band := q.CellM * trygg.DefaultBandCells
	zR, rSeconds := spdep(b, x, y, v, band)

	var rows [][4]string
	b.Run("gi", func(b *testing.B) {
		var g []geo.Gi
		for b.Loop() {
			if g, err = geo.GiStar(x, y, v, band); err != nil {
				b.Fatal(err)
			}
		}
		var diff float64
		for i := range g {
			diff = max(diff, math.Abs(g[i].Z-zR[i]))
		}
		if !(diff <= 1e-6) {
			b.Fatalf("max |z trygg − z R| = %g, want ≤ 1e-6", diff)
		}
		goSec := b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(goSec*1e3, "trygg-ms")
		b.ReportMetric(rSeconds*1e3, "R-ms")
		b.ReportMetric(rSeconds/goSec, "times-faster")
		rows = append(rows, [4]string{fmt.Sprintf("Gi* on %d cells of 200 m, max |Δz| %.1e", len(grid), diff),
			ms(goSec), ms(rSeconds) + " (R spdep)", fmt.Sprintf("%.0f× faster (target ≥ 10×)", rSeconds/goSec)})
	})
	b.Run("band", func(b *testing.B) {
		var bands []float64
		for c := 1.0; c <= trygg.MaxBandCells; c += hotspot.BandStep {
			bands = append(bands, c*q.CellM*(1+1e-9))
		}
		var curve []geo.Moran
		t0 := time.Now()
		if _, err := geo.GiStar(x, y, v, band); err != nil {
			b.Fatal(err)
		}
		giSec := time.Since(t0).Seconds()
		for b.Loop() {
			if curve, err = geo.IncrementalMoran(x, y, v, bands); err != nil {
				b.Fatal(err)
			}
		}
		sec := b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(sec*1e3, "search-ms")
		peak := geo.FirstPeak(curve, hotspot.PeakZ)
		found := "no peak"
		if peak >= 0 {
			found = fmt.Sprintf("peak at %.1f cells", bands[peak]/q.CellM)
		}
		rows = append(rows, [4]string{fmt.Sprintf("band search: Moran's I at %d distances on %d cells (%s)", len(bands), len(grid), found),
			ms(sec), ms(giSec) + " (one Gi*)", fmt.Sprintf("%.1f× one Gi*", sec/giSec)})
	})
	for _, c := range []struct{ name, query string }{
		{"api", "municipality=1470"},
		{"api-former-defaults", "municipality=1470&study_area=all&band=1.5&fdr=false"},
		{"api-dark", "municipality=1470&dark=true"},
	} {
		b.Run(c.name, func(b *testing.B) { rows = append(rows, benchAPI(b, app, c.query)) })
	}
	w := tabwriter.NewWriter(os.Stderr, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(os.Stderr, "\nhotspots over %d reports in one municipality:\n", n)
	fmt.Fprintln(w, "measure\ttrygg\tbaseline\tratio\t")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t\n", r[0], r[1], r[2], r[3])
	}
	w.Flush()
}

// benchAPI times GET /api/v1/hotspots?query as the public, next to the bare SQL count
// of the municipality's public reports.
func benchAPI(b *testing.B, app *postgis.DB, query string) [4]string {
	ctx := context.Background()
	srv := httptest.NewServer(api.New(app, slog.New(slog.NewJSONHandler(io.Discard, nil)), api.DefaultOptions()))
	defer srv.Close()
	var apiSec, sqlSec float64
	var last []byte
	for b.Loop() {
		t1 := time.Now()
		resp, err := http.Get(srv.URL + "/api/v1/hotspots?" + query)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d: %.300s", resp.StatusCode, body)
		}
		apiSec += time.Since(t1).Seconds()
		last = body
		t2 := time.Now()
		var c int
		if err := app.Pool().QueryRow(ctx, `SELECT count(*) FROM public_report WHERE municipality_code = '1470'`).Scan(&c); err != nil {
			b.Fatal(err)
		}
		sqlSec += time.Since(t2).Seconds()
	}
	apiSec, sqlSec = apiSec/float64(b.N), sqlSec/float64(b.N)
	var out struct {
		Summary struct {
			Hotspots int              `json:"hotspots"`
			HotCells int              `json:"hot_cells"`
			Cells    int              `json:"cells"`
			Steps    map[string]int64 `json:"steps_ms"`
			Band     struct {
				Cells  float64 `json:"cells"`
				Method string  `json:"method"`
			} `json:"band"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(last, &out); err == nil {
		sm := out.Summary
		fmt.Fprintf(os.Stderr, "%s: %d hot areas, %d hot cells of %d, band %.1f cells (%s), steps (ms) %v\n",
			query, sm.Hotspots, sm.HotCells, sm.Cells, sm.Band.Cells, sm.Band.Method, sm.Steps)
	}
	b.ReportMetric(apiSec*1e3, "api-ms")
	b.ReportMetric(sqlSec*1e3, "count-ms")
	return [4]string{"GET /api/v1/hotspots?" + query + " (public, Gi*, monthly trends)",
		ms(apiSec), ms(sqlSec) + " (SELECT count(*))", fmt.Sprintf("%.1f× the count", apiSec/sqlSec)}
}

func ms(s float64) string { return fmt.Sprintf("%.1f ms", s*1e3) }

// spdep runs geo/testdata/localg.R on the cells and returns R's z-scores and the
// seconds R took for the neighbours, weights and localG.
func spdep(b *testing.B, x, y, v []float64, band float64) ([]float64, float64) {
	dir := b.TempDir()
	in, out := filepath.Join(dir, "in.csv"), filepath.Join(dir, "out.csv")
	f, err := os.Create(in)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "x,y,v")
	for i := range x {
		fmt.Fprintf(w, "%s,%s,%s\n", strconv.FormatFloat(x[i], 'g', -1, 64), strconv.FormatFloat(y[i], 'g', -1, 64),
			strconv.FormatFloat(v[i], 'g', -1, 64))
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	cmd := exec.Command("Rscript", "../geo/testdata/localg.R", in, out, strconv.FormatFloat(band, 'g', -1, 64))
	outb, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("Rscript (make bench installs r-cran-spdep): %v\n%s", err, outb)
	}
	var secs, nbSecs float64
	for _, line := range strings.Split(string(outb), "\n") {
		if _, err := fmt.Sscanf(line, "seconds %f %f", &secs, &nbSecs); err == nil {
			break
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")[1:]
	z := make([]float64, len(lines))
	for i, l := range lines {
		zs, _, _ := strings.Cut(l, ",")
		if z[i], err = strconv.ParseFloat(zs, 64); err != nil {
			b.Fatalf("R output line %d: %q", i+2, l)
		}
	}
	if len(z) != len(x) || secs == 0 {
		b.Fatalf("R gave %d z-scores for %d cells, %v s", len(z), len(x), secs)
	}
	return z, secs
}

// BenchmarkCSR: the false-positive rate of the default analysis on complete spatial
// randomness, 2,000 reports uniform over Mariestad (ST_GeneratePoints, seeded), for 5
// seeds: hot areas and the share of hot cells per seed (a sound analysis finds almost
// nothing: at most 2 hot areas and 1 % hot cells), beside the former defaults (every
// cell of the municipality, band 1.5 cells, no FDR, every hot cell a hotspot).
func BenchmarkCSR(b *testing.B) {
	db, url := knownDB(b)
	w := tabwriter.NewWriter(os.Stderr, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(os.Stderr, "\ncomplete spatial randomness: 2000 reports uniform over Mariestad (1493):\n")
	fmt.Fprintln(w, "seed\tcells\tband\thot areas\thot cells\tformer defaults: hot areas (top 30)\thot cells\t")
	var took time.Duration
	for seed := 1; seed <= 5; seed++ {
		pgtest.Exec(b, url, deleteReports+uniformReports("1493", 2000, seed))
		t0 := time.Now()
		res := runKnown(b, db, "1493")
		took += time.Since(t0)
		hot, share := hotShare(res)
		former := runKnown(b, db, "1493", func(q *trygg.HotspotQuery) {
			q.StudyArea, q.BandCells, q.NoFDR = trygg.StudyAll, trygg.DefaultBandCells, true
		})
		fHot, fShare := hotShare(former)
		fmt.Fprintf(w, "%d\t%d\t%.1f cells (%s)\t%d\t%d (%.2f %%)\t%d\t%d (%.2f %%)\t\n", seed, len(res.Cells), res.Band.Cells,
			res.Band.Method, len(res.Hotspots), hot, 100*share, len(former.Hotspots), fHot, 100*fShare)
	}
	w.Flush()
	for b.Loop() {
		runKnown(b, db, "1493")
	}
	b.ReportMetric(took.Seconds()*1e3/5, "first-run-ms")
}
