package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/tiles"
)

const tilesSeedUsage = `Usage: trygg tiles seed --municipality CODE [--zoom 10-16] [--layer reports|all|…] [flags]

Warms the tile cache of a running server (the cache lives in the server's process) by
requesting, as the public, every tile of the zoom range that covers the municipality's
bounding box from the server at --url, --concurrency at a time. The bounding box comes
from the database when DATABASE_URL (or --database-url) is set, else from the server's
/api/v1/municipalities/CODE. Progress goes to stderr; a summary of the tiles requested,
empty (204), bytes (gzipped, as cached), time and errors to stdout. Any error makes the
command fail after the run.`

func runTiles(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "seed" {
		return runTilesSeed(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(stdout, tilesSeedUsage)
		return nil
	}
	return errors.New("usage: trygg tiles seed --municipality CODE [--zoom 10-16]")
}

// seedConfig is trygg tiles seed's flags.
type seedConfig struct {
	municipality string
	zmin, zmax   int
	layer        string
	concurrency  int
	url          string
}

// serverURL is the URL of a server listening on addr (TRYGG_ADDR): an address with no
// host or an unspecified one is this machine's.
func serverURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// parseZooms reads "10-16" or "12".
func parseZooms(s string) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = strconv.Atoi(strings.TrimSpace(a)); err == nil {
		hi = lo
		if isRange {
			hi, err = strconv.Atoi(strings.TrimSpace(b))
		}
	}
	if err != nil || lo < 0 || hi > tiles.MaxZoom || lo > hi {
		return 0, 0, fmt.Errorf("--zoom %q: want a zoom or a range such as 10-16, within 0-%d", s, tiles.MaxZoom)
	}
	return lo, hi, nil
}

// tileRange returns the tiles of zoom z that cover bound (longitude, latitude): the
// corners' tiles, x from west to east and y from north to south.
func tileRange(bound orb.Bound, z maptile.Zoom) (minT, maxT maptile.Tile) {
	clamp := func(p orb.Point) orb.Point {
		const maxLat = 85.0511287798066
		return orb.Point{min(max(p[0], -180), 180-1e-9), min(max(p[1], -maxLat), maxLat)}
	}
	nw := maptile.At(clamp(orb.Point{bound.Min[0], bound.Max[1]}), z)
	se := maptile.At(clamp(orb.Point{bound.Max[0], bound.Min[1]}), z)
	return nw, se
}

// seedTiles lists the tiles of zooms lo to hi that cover bound, zoom by zoom.
func seedTiles(bound orb.Bound, lo, hi int) []maptile.Tile {
	var out []maptile.Tile
	for z := lo; z <= hi; z++ {
		nw, se := tileRange(bound, maptile.Zoom(z))
		for y := nw.Y; y <= se.Y; y++ {
			for x := nw.X; x <= se.X; x++ {
				out = append(out, maptile.New(x, y, maptile.Zoom(z)))
			}
		}
	}
	return out
}

// seedCount is the number of tiles seedTiles lists, without listing them.
func seedCount(bound orb.Bound, lo, hi int) int {
	n := 0
	for z := lo; z <= hi; z++ {
		nw, se := tileRange(bound, maptile.Zoom(z))
		n += int(se.X-nw.X+1) * int(se.Y-nw.Y+1)
	}
	return n
}

func runTilesSeed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		db    dbConfig
		c     seedConfig
		zooms string
	)
	f := newEnvFlags("tiles seed", getenv, stderr, tilesSeedUsage)
	db.register(f)
	f.fs.StringVar(&c.municipality, "municipality", "", "the municipality's code (SCB, e.g. 1470)")
	f.fs.StringVar(&zooms, "zoom", "10-16", "zoom levels: a range such as 10-16, or one zoom")
	f.fs.StringVar(&c.layer, "layer", "reports", "layer: "+strings.Join(postgis.TileLayers, ", ")+" or all")
	f.fs.IntVar(&c.concurrency, "concurrency", 4, "requests at a time")
	f.fs.StringVar(&c.url, "url", serverURL(cmp(getenv("TRYGG_ADDR"), ":8080")), "the running server's URL (default from TRYGG_ADDR)")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.fs.NArg() != 0 {
		return errors.New("usage: trygg tiles seed --municipality CODE [--zoom 10-16] (no arguments)")
	}
	if !trygg.ValidMunicipalityCode(c.municipality) {
		return fmt.Errorf("--municipality %q: want a municipality code of four digits, such as 1470", c.municipality)
	}
	var err error
	if c.zmin, c.zmax, err = parseZooms(zooms); err != nil {
		return err
	}
	if c.layer != tiles.All && !slices.Contains(postgis.TileLayers, c.layer) {
		return fmt.Errorf("--layer %q: want one of %s or all", c.layer, strings.Join(postgis.TileLayers, ", "))
	}
	if c.concurrency < 1 || c.concurrency > 256 {
		return fmt.Errorf("--concurrency %d: want 1 to 256", c.concurrency)
	}
	c.url = strings.TrimRight(c.url, "/")
	if !strings.HasPrefix(c.url, "http://") && !strings.HasPrefix(c.url, "https://") {
		return fmt.Errorf("--url %q: want an http or https URL", c.url)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c.concurrency, DisableCompression: true},
		Timeout: time.Minute}
	defer client.CloseIdleConnections()

	var bound orb.Bound
	if db.url != "" {
		if err := db.validate(); err != nil {
			return err
		}
		store, err := openDB(ctx, db)
		if err != nil {
			return err
		}
		bounds, err := store.MunicipalityBounds(ctx)
		store.Close()
		if err != nil {
			return err
		}
		bb, ok := bounds[c.municipality]
		if !ok {
			return fmt.Errorf("no municipality %s in the database", c.municipality)
		}
		bound = orb.Bound{Min: orb.Point{bb[0], bb[1]}, Max: orb.Point{bb[2], bb[3]}}
	} else if bound, err = serverBounds(ctx, client, c.url, c.municipality); err != nil {
		return err
	}
	sum, err := seed(ctx, client, c, bound, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %s layer %s, zoom %d-%d from %s: %d tiles requested, %d with features, %d empty (204), %s, %v, %d errors\n",
		c.municipality, c.layer, c.zmin, c.zmax, c.url, sum.requested, sum.requested-sum.empty-sum.errors, sum.empty,
		formatBytes(sum.bytes), sum.elapsed.Round(time.Millisecond), sum.errors)
	for _, e := range sum.firstErrors {
		fmt.Fprintf(stdout, "error: %s\n", e)
	}
	if sum.errors > 0 {
		return fmt.Errorf("%d of %d tiles failed", sum.errors, sum.requested)
	}
	return nil
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// serverBounds reads the municipality's bounding box from the server's API.
func serverBounds(ctx context.Context, client *http.Client, base, code string) (orb.Bound, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/municipalities/"+code, nil)
	if err != nil {
		return orb.Bound{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return orb.Bound{}, fmt.Errorf("read the municipality from the server (is it running? --url): %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return orb.Bound{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return orb.Bound{}, fmt.Errorf("GET %s: %s: %.200s", req.URL, resp.Status, body)
	}
	var f geojson.Feature
	if err := json.Unmarshal(body, &f); err != nil || f.Geometry == nil {
		return orb.Bound{}, fmt.Errorf("GET %s: not a GeoJSON Feature with a geometry: %v", req.URL, err)
	}
	return f.Geometry.Bound(), nil
}

// seedSummary is what a seed run did.
type seedSummary struct {
	requested, empty, errors int
	bytes                    int64
	elapsed                  time.Duration
	firstErrors              []string // up to 10
}

// seed requests every tile, c.concurrency at a time, drawing progress on stderr.
func seed(ctx context.Context, client *http.Client, c seedConfig, bound orb.Bound, stderr io.Writer) (seedSummary, error) {
	total := seedCount(bound, c.zmin, c.zmax)
	if total > 10_000_000 {
		return seedSummary{}, fmt.Errorf("%d tiles is too many: narrow --zoom", total)
	}
	list := seedTiles(bound, c.zmin, c.zmax)
	start := time.Now()
	bar := newProgress(stderr, total)
	var (
		next, done, empty, failed atomic.Int64
		size                      atomic.Int64
		mu                        sync.Mutex
		firstErrors               []string
		wg                        sync.WaitGroup
	)
	fail := func(msg string) {
		failed.Add(1)
		mu.Lock()
		if len(firstErrors) < 10 {
			firstErrors = append(firstErrors, msg)
		}
		mu.Unlock()
	}
	for range c.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(list) {
					return
				}
				t := list[i]
				path := fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", c.layer, t.Z, t.X, t.Y)
				n, status, err := fetchTile(ctx, client, c.url+path)
				switch {
				case err != nil:
					if ctx.Err() == nil {
						fail(path + ": " + err.Error())
					}
				case status == http.StatusNoContent:
					empty.Add(1)
				case status != http.StatusOK:
					fail(fmt.Sprintf("%s: status %d", path, status))
				default:
					size.Add(n)
				}
				bar.set(int(done.Add(1)))
			}
		}()
	}
	wg.Wait()
	bar.finish(int(done.Load()))
	sum := seedSummary{requested: int(done.Load()), empty: int(empty.Load()), errors: int(failed.Load()),
		bytes: size.Load(), elapsed: time.Since(start), firstErrors: firstErrors}
	if err := ctx.Err(); err != nil {
		return sum, fmt.Errorf("stopped after %d of %d tiles: %w", sum.requested, total, err)
	}
	return sum, nil
}

// fetchTile requests a tile as a client accepting gzip (the cached bytes are sent as
// they are) and returns the bytes read and the status.
func fetchTile(ctx context.Context, client *http.Client, url string) (int64, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	return n, resp.StatusCode, err
}

// progress draws a progress bar: on a terminal one line redrawn with \r (at most 10
// times a second), otherwise a line at every 10 %.
type progress struct {
	w        io.Writer
	total    int
	terminal bool
	start    time.Time

	mu     sync.Mutex
	last   time.Time
	decile int
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	return p
}

func (p *progress) set(done int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal {
		if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
			p.last = now
			p.draw(done)
		}
		return
	}
	if p.total == 0 {
		return
	}
	for d := done * 10 / p.total; p.decile < d; {
		p.decile++
		fmt.Fprintf(p.w, "%d%% (%d/%d tiles, %v)\n", p.decile*10, p.decile*p.total/10, p.total,
			time.Since(p.start).Round(time.Second))
	}
}

func (p *progress) draw(done int) {
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = float64(done) / float64(p.total)
	}
	fill := int(frac * width)
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%% %d/%d tiles %v ", strings.Repeat("=", fill), strings.Repeat(" ", width-fill),
		frac*100, done, p.total, time.Since(p.start).Round(time.Second))
}

func (p *progress) finish(done int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal {
		p.draw(done)
		fmt.Fprintln(p.w)
	}
}
