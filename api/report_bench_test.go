package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/auth"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// load runs n calls of do on workers goroutines and returns the rate and the p99
// latency.
func load(n, workers int, do func(i int) error) (perSec float64, p99 time.Duration, err error) {
	var next atomic.Int64
	lat := make([][]time.Duration, workers)
	errs := make(chan error, workers)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t0 := time.Now()
				if err := do(i); err != nil {
					errs <- err
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return 0, 0, err
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	return float64(n) / elapsed.Seconds(), all[len(all)*99/100], nil
}

// BenchmarkSubmitReport compares POST /api/v1/reports (decode, validate, store, 201
// after commit) at 32 concurrent clients with its baseline: the same stored-function
// INSERT issued directly with pgx at the same concurrency, in the same run. ratio =
// http/direct rate; the target is at least 0.5. synchronous_commit must be on (make
// bench's cluster has it on; make test's has it off).
func BenchmarkSubmitReport(b *testing.B) {
	const workers = 32
	ctx := context.Background()
	owner, url := pgtest.Open(b)
	if err := demo.Load(ctx, owner, nil); err != nil {
		b.Fatal(err)
	}
	var syncCommit string
	if err := pgtest.Conn(b, url).QueryRow(ctx, `SHOW synchronous_commit`).Scan(&syncCommit); err != nil {
		b.Fatal(err)
	}
	opts := api.DefaultOptions()
	opts.ReportRate = api.Rate{} // one client address sends everything here
	app, err := postgis.Open(ctx, url+" pool_max_conns=32", postgis.Options{Role: postgis.AppRole})
	if err != nil {
		b.Fatal(err)
	}
	defer app.Close()
	srv := httptest.NewServer(api.New(app, slog.New(slog.NewJSONHandler(io.Discard, nil)), opts))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	direct, err := pgxpool.New(ctx, url+" pool_max_conns=32 user="+postgis.AppRole)
	if err != nil {
		b.Fatal(err)
	}
	defer direct.Close()

	body := `{"location":{"type":"Point","coordinates":[13.1,58.26]},"category":"belysning","feeling":2,"when":["night"],"description":"Mörkt vid gångtunneln"}`
	pt, _ := wkb.Marshal(orb.Point{13.1, 58.26})
	n := max(b.N, 2000)
	b.ResetTimer()
	directRate, directP99, err := load(n, workers, func(i int) error {
		token := auth.NewToken(auth.ErasurePrefix)
		_, err := direct.Exec(ctx, `SELECT * FROM submit_report($1, $2, 'belysning', 2, '{night}', 'Mörkt vid gångtunneln',
			'Mörkt vid gångtunneln', 'resident', 'exact', 'received', NULL, $3, NULL, NULL, 50, NULL, NULL, $4, NULL, 'public')`,
			uuid.NewString(), pt, auth.HashToken(token), token)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	httpRate, httpP99, err := load(n, workers, func(i int) error {
		resp, err := client.Post(srv.URL+"/api/v1/reports", "application/json", strings.NewReader(body))
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(directRate, "direct-req/s")
	b.ReportMetric(httpRate, "http-req/s")
	b.ReportMetric(httpRate/directRate, "ratio")
	b.ReportMetric(float64(directP99.Microseconds())/1000, "direct-p99-ms")
	b.ReportMetric(float64(httpP99.Microseconds())/1000, "http-p99-ms")
	fmt.Fprintf(os.Stderr, "submit report, %d requests each, %d clients, synchronous_commit=%s: direct %.0f/s (p99 %v), HTTP %.0f/s (p99 %v), ratio %.2f\n",
		n, workers, syncCommit, directRate, directP99.Round(time.Microsecond), httpRate, httpP99.Round(time.Microsecond), httpRate/directRate)
}
