package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
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
// http/direct rate; the target is at least 0.5. It also measures the cost of the
// shared rate limit (rate_limit in PostgreSQL, checked in the same round trip as the
// INSERT): the same POSTs from 1024 client addresses, with the limit on (high enough
// never to refuse) and off, alternating in two rounds; limit-ratio = on/off rate.
// synchronous_commit must be on (make bench's cluster has it on; make test's has it
// off).
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
	opts.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	app, err := postgis.Open(ctx, url+" pool_max_conns=32", postgis.Options{Role: postgis.AppRole})
	if err != nil {
		b.Fatal(err)
	}
	defer app.Close()
	quiet := slog.New(slog.NewJSONHandler(io.Discard, nil))
	srv := httptest.NewServer(api.New(app, quiet, opts))
	defer srv.Close()
	limitedOpts := opts
	limitedOpts.ReportRate = api.Rate{N: 1 << 30, Window: time.Hour} // on, but never refusing
	limitedSrv := httptest.NewServer(api.New(app, quiet, limitedOpts))
	defer limitedSrv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	direct, err := pgxpool.New(ctx, url+" pool_max_conns=32 user="+postgis.AppRole)
	if err != nil {
		b.Fatal(err)
	}
	defer direct.Close()

	body := `{"location":{"type":"Point","coordinates":[13.1,58.26]},"category":"belysning","feeling":2,"when":["night"],"description":"Mörkt vid gångtunneln"}`
	pt, _ := wkb.Marshal(orb.Point{13.1, 58.26})
	n := max(b.N, 2000)
	insert := func(i int) error {
		token := auth.NewToken(auth.ErasurePrefix)
		_, err := direct.Exec(ctx, `SELECT * FROM submit_report($1, $2, 'belysning', 2, '{night}', 'Mörkt vid gångtunneln',
			'Mörkt vid gångtunneln', 'resident', 'exact', 'received', NULL, $3, NULL, NULL, 50, NULL, NULL, $4, NULL, 'public')`,
			uuid.NewString(), pt, auth.HashToken(token), token)
		return err
	}
	b.ResetTimer()
	if _, _, err := load(4*workers, workers, insert); err != nil { // open the connections
		b.Fatal(err)
	}
	directRate, directP99, err := load(n, workers, insert)
	if err != nil {
		b.Fatal(err)
	}
	post := func(base string) func(i int) error {
		return func(i int) error {
			req, err := http.NewRequest(http.MethodPost, base+"/api/v1/reports", strings.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.1.%d.%d", i/256%4, i%256)) // 1024 addresses
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			io.Copy(io.Discard, resp.Body) //nolint:errcheck
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			return nil
		}
	}
	// Off and on alternate, half the requests each round, so that neither gains from
	// going first (a warm cache) or last (a bigger table), after a warm-up of each that
	// opens the pool's connections and prepares the statements.
	for _, base := range []string{srv.URL, limitedSrv.URL} {
		if _, _, err := load(4*workers, workers, post(base)); err != nil {
			b.Fatal(err)
		}
	}
	var offTime, onTime time.Duration
	var httpP99, limitedP99 time.Duration
	for range 2 {
		for _, run := range []struct {
			base string
			took *time.Duration
			p99  *time.Duration
		}{{srv.URL, &offTime, &httpP99}, {limitedSrv.URL, &onTime, &limitedP99}} {
			t0 := time.Now()
			_, p99, err := load(n/2, workers, post(run.base))
			if err != nil {
				b.Fatal(err)
			}
			*run.took += time.Since(t0)
			*run.p99 = max(*run.p99, p99)
		}
	}
	httpRate, limitedRate := float64(n/2*2)/offTime.Seconds(), float64(n/2*2)/onTime.Seconds()
	b.StopTimer()
	b.ReportMetric(directRate, "direct-req/s")
	b.ReportMetric(httpRate, "http-req/s")
	b.ReportMetric(httpRate/directRate, "ratio")
	b.ReportMetric(float64(directP99.Microseconds())/1000, "direct-p99-ms")
	b.ReportMetric(float64(httpP99.Microseconds())/1000, "http-p99-ms")
	b.ReportMetric(limitedRate, "limited-req/s")
	b.ReportMetric(limitedRate/httpRate, "limit-ratio")
	fmt.Fprintf(os.Stderr, "submit report, %d requests each, %d clients, synchronous_commit=%s: direct %.0f/s (p99 %v), HTTP %.0f/s (p99 %v), ratio %.2f\n",
		n, workers, syncCommit, directRate, directP99.Round(time.Microsecond), httpRate, httpP99.Round(time.Microsecond), httpRate/directRate)
	fmt.Fprintf(os.Stderr, "submit report with the shared rate limit (PostgreSQL, same round trip), 1024 addresses: limit off %.0f/s (p99 %v), on %.0f/s (p99 %v), limit-ratio %.2f\n",
		httpRate, httpP99.Round(time.Microsecond), limitedRate, limitedP99.Round(time.Microsecond), limitedRate/httpRate)
}
