//go:build overload

// The overload script of make bench (scripts/bench.sh runs it with -tags overload):
// the real server, as a process of its own, on a test database with 20 000 reports in
// Vara, under 100 and then 200 concurrent hotspot analyses. It prints, for each, how
// many were served and shed, the latency of cheap requests meanwhile beside the same
// requests with no load (measured first, in the same run), and the server's peak RSS.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

func TestOverload(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "trygg")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	url := pgtest.URL(t)
	ctx := context.Background()
	if err := run(ctx, []string{"trygg", "demo"}, envOf(map[string]string{"DATABASE_URL": url}), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status, created_at)
		SELECT gen_random_uuid(), '1470', d.geom, report_public_geom(d.geom, 50),
		       (ARRAY['belysning', 'klotter', 'nedskrapning'])[1 + d.path[1] % 3], 2, 'resident', 'exact', 'published',
		       timestamptz '2025-01-01 12:00Z' + d.path[1] * interval '37 minutes'
		FROM municipality m, LATERAL ST_Dump(ST_GeneratePoints(m.boundary, 20000, 7)) d
		WHERE m.code = '1470';
		ANALYZE report;`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve", "-addr", addr)
	// One address sends every request: the per-address limits would answer 429 first.
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "TRYGG_HOTSPOT_RATE=0", "TRYGG_REPORT_RATE=0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() //nolint:errcheck
	logs := &syncBuffer{}
	go func() {
		s := bufio.NewScanner(stderr)
		s.Buffer(nil, 1<<20)
		for s.Scan() {
			if !strings.Contains(s.Text(), `"msg":"request"`) {
				logs.Write(append(s.Bytes(), '\n')) //nolint:errcheck
			}
		}
	}()
	base := "http://" + addr
	waitReady(t, base)

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 400}, Timeout: 2 * time.Minute}
	analysis := base + "/api/v1/hotspots?municipality=1470"
	if resp, err := client.Get(analysis); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("one analysis: %v %v", resp, err)
	} else {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	start := time.Now()
	resp, err := client.Get(analysis)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	one := time.Since(start)

	// cheap runs rounds of the cheap requests (health, a municipality, a report POST)
	// until stop is closed, and returns their latencies.
	cheap := func(stop <-chan struct{}) (lat []time.Duration, failed int) {
		report := `{"location":{"type":"Point","coordinates":[13.1,58.26]},"category":"belysning","feeling":2}`
		for {
			for _, rq := range []struct{ method, path, body string }{
				{http.MethodGet, "/healthz", ""},
				{http.MethodGet, "/api/v1/municipalities/1470", ""},
				{http.MethodPost, "/api/v1/reports", report},
			} {
				req, _ := http.NewRequest(rq.method, base+rq.path, strings.NewReader(rq.body))
				if rq.body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				lat = append(lat, time.Since(t0))
				if err != nil || resp.StatusCode >= 300 {
					failed++
				}
			}
			select {
			case <-stop:
				return lat, failed
			default:
			}
		}
	}

	// Baseline: the cheap requests for 3 s with nothing else running.
	stop := make(chan struct{})
	time.AfterFunc(3*time.Second, func() { close(stop) })
	baseline, _ := cheap(stop)
	resetPeak(cmd.Process.Pid)

	fmt.Printf("\noverload: 20000 reports in Vara; one analysis alone takes %v; %d analyses at once, pool of %d (the defaults for GOMAXPROCS %d)\n",
		one.Round(time.Millisecond), api.DefaultLimits().Analyses, postgis.DefaultMaxConns(), runtime.GOMAXPROCS(0))
	fmt.Printf("%-12s %7s %6s %12s %12s %18s %18s %10s\n", "concurrent", "served", "shed", "shed max", "served p50",
		"cheap p50/p99", "baseline p50/p99", "peak RSS")
	for _, n := range []int{100, 200} {
		stop := make(chan struct{})
		cheapDone := make(chan struct{})
		var during []time.Duration
		var cheapFailed int
		go func() { during, cheapFailed = cheap(stop); close(cheapDone) }()
		time.Sleep(200 * time.Millisecond) // the cheap loop runs before the load starts

		var served, shed, other atomic.Int64
		var mu sync.Mutex
		var servedLat []time.Duration
		var shedMax time.Duration
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				t0 := time.Now()
				resp, err := client.Get(analysis)
				if err != nil {
					other.Add(1)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				d := time.Since(t0)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case resp.StatusCode == http.StatusOK:
					served.Add(1)
					servedLat = append(servedLat, d)
				case resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "":
					shed.Add(1)
					shedMax = max(shedMax, d)
				default:
					other.Add(1)
				}
			}()
		}
		close(gate)
		wg.Wait()
		close(stop)
		<-cheapDone
		peak := peakRSS(cmd.Process.Pid)
		resetPeak(cmd.Process.Pid)

		fmt.Printf("%-12d %7d %6d %12v %12v %18s %18s %10s\n", n, served.Load(), shed.Load(), shedMax.Round(time.Millisecond),
			pct(servedLat, 50), pct(during, 50)+" / "+pct(during, 99), pct(baseline, 50)+" / "+pct(baseline, 99), peak)
		if other.Load() > 0 || cheapFailed > 0 {
			t.Errorf("%d concurrent: %d analyses neither 200 nor 503 with Retry-After; %d cheap requests failed", n, other.Load(), cheapFailed)
		}
		if served.Load() == 0 || shed.Load() == 0 {
			t.Errorf("%d concurrent: %d served, %d shed; want some of each", n, served.Load(), shed.Load())
		}
	}
	fmt.Println()
}

func pct(ds []time.Duration, p int) string {
	if len(ds) == 0 {
		return "-"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)].Round(100 * time.Microsecond).String()
}

// peakRSS is the process's peak resident set (VmHWM) since it started or since the
// last resetPeak.
func peakRSS(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return fmt.Sprintf("%.0f MB", float64(kb)/1024)
		}
	}
	return "?"
}

// resetPeak resets VmHWM to the current RSS (Linux: clear_refs 5), so each level's
// peak is its own; where that is refused, the peaks are since the start.
func resetPeak(pid int) {
	os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) //nolint:errcheck
}
