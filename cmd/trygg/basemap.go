package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/trygg-gis/trygg/basemap"
	"github.com/trygg-gis/trygg/demo"
)

const basemapFetchUsage = `Usage: trygg basemap fetch --municipality CODES --out FILE [--url BUILD_URL] [--maxzoom 15]

Extracts the vector basemap over the bounding box of the municipalities (SCB codes,
comma-separated; their boundaries come from the embedded SCB file, so no database is
needed) from a PMTiles build (an http(s) URL read with range requests, or a local file)
into the PMTiles archive FILE, which 'trygg serve' serves with TRYGG_BASEMAP=FILE.
The default build is Protomaps' newest daily build of the planet (OpenStreetMap data,
the Protomaps schema the web map's layers are drawn for). Progress goes to stderr; a
failure leaves no file behind.`

func runBasemap(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "fetch" {
		return runBasemapFetch(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(stdout, basemapFetchUsage)
		return nil
	}
	return errors.New("usage: trygg basemap fetch --municipality CODES --out FILE")
}

func runBasemapFetch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		codes, out, src string
		maxzoom         int
		timeout         time.Duration
	)
	f := newEnvFlags("basemap fetch", getenv, stderr, basemapFetchUsage)
	f.fs.StringVar(&codes, "municipality", "", "municipality codes (SCB), comma-separated, e.g. 1470,1494")
	f.fs.StringVar(&out, "out", "", "the PMTiles file to write")
	f.String(&src, "url", "TRYGG_BASEMAP_URL", "", "PMTiles build to extract from (default: Protomaps' newest daily build)")
	f.fs.IntVar(&maxzoom, "maxzoom", 15, "deepest zoom to extract, 0 to 15")
	f.fs.DurationVar(&timeout, "timeout", 0, "give up after this long (0: no limit)")
	if err := f.Parse(args); err != nil {
		return err
	}
	if codes == "" || out == "" {
		return errors.New("basemap fetch: --municipality and --out are required")
	}
	if maxzoom < 0 || maxzoom > 15 {
		return fmt.Errorf("basemap fetch: --maxzoom %d: want 0 to 15", maxzoom)
	}
	if u, err := url.Parse(src); src != "" && strings.Contains(src, "://") && (err != nil || (u.Scheme != "http" && u.Scheme != "https")) {
		return fmt.Errorf("basemap fetch: --url %q: want an http(s) URL or a local file", src)
	}
	var list []string
	for _, c := range strings.Split(codes, ",") {
		if c = strings.TrimSpace(c); c != "" {
			list = append(list, c)
		}
	}
	bbox, err := basemap.MunicipalityBounds(demo.Boundaries, list)
	if err != nil {
		return fmt.Errorf("basemap fetch: %v", err)
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if src == "" {
		if src, err = basemap.LatestBuildURL(ctx, time.Now()); err != nil {
			return fmt.Errorf("basemap fetch: %v", oneLine(err))
		}
	}
	fmt.Fprintf(stderr, "basemap: extracting %.4f,%.4f,%.4f,%.4f to zoom %d from %s\n",
		bbox.Min[0], bbox.Min[1], bbox.Max[0], bbox.Max[1], maxzoom, src)
	if err := basemap.Fetch(ctx, src, bbox, maxzoom, out, stderr); err != nil {
		fmt.Fprintln(stderr) // end a progress line
		return fmt.Errorf("basemap fetch: %v", oneLine(err))
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "basemap: wrote %s (%.1f MB); serve it with TRYGG_BASEMAP=%s\n", out, float64(st.Size())/1e6, out)
	return nil
}

// oneLine joins an error's lines, so a failure is one line.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
