package basemap

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/project"
	"github.com/protomaps/go-pmtiles/pmtiles"
	"github.com/trygg-gis/trygg/geo"
)

// DailyBuildURL is the URL of Protomaps' daily planet build of day t (UTC).
func DailyBuildURL(t time.Time) string {
	return "https://build.protomaps.com/" + t.UTC().Format("20060102") + ".pmtiles"
}

// LatestBuildURL finds the newest of Protomaps' daily builds of the last week (today's
// may not be published yet), asking for the first bytes of each.
func LatestBuildURL(ctx context.Context, now time.Time) (string, error) {
	var last error
	for d := 0; d < 7; d++ {
		u := DailyBuildURL(now.AddDate(0, 0, -d))
		err := probe(ctx, u)
		if err == nil {
			return u, nil
		}
		if !errors.Is(err, errMissing) {
			return "", err
		}
		last = err
	}
	return "", fmt.Errorf("no daily build of the last 7 days: %w", last)
}

var errMissing = errors.New("not found")

const probeTimeout = 20 * time.Second

// probe checks that u answers a range request with a PMTiles v3 header, within
// probeTimeout (a network that drops packets fails fast).
func probe(ctx context.Context, u string) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=0-%d", pmtiles.HeaderV3LenBytes-1))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusPartialContent:
	case http.StatusNotFound:
		return fmt.Errorf("%s: %w", u, errMissing)
	case http.StatusOK:
		return fmt.Errorf("%s does not answer range requests", u)
	default:
		return fmt.Errorf("%s answered %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, pmtiles.HeaderV3LenBytes))
	if err != nil {
		return fmt.Errorf("%s: %w", u, err)
	}
	if len(b) < pmtiles.HeaderV3LenBytes || !bytes.HasPrefix(b, []byte("PMTiles")) || b[7] != 3 {
		return fmt.Errorf("%s is not a PMTiles v3 archive", u)
	}
	return nil
}

// Fetch extracts the tiles of the area bbox up to maxzoom from the PMTiles archive at
// src (an http(s) URL, fetched with range requests, or a local file) into out, with
// go-pmtiles' extract, writing progress to progress. It writes to a temporary file
// beside out and renames it when complete, so a failure leaves no partial archive.
func Fetch(ctx context.Context, src string, bbox orb.Bound, maxzoom int, out string, progress io.Writer) error {
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		if err := probe(ctx, src); err != nil {
			return err
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.part")
	if err != nil {
		return err
	}
	name := tmp.Name()
	tmp.Close()
	ok := false
	defer func() {
		if !ok {
			os.Remove(name)
		}
	}()
	box := fmt.Sprintf("%f,%f,%f,%f", bbox.Min[0], bbox.Min[1], bbox.Max[0], bbox.Max[1])
	logger := log.New(progress, "basemap: ", 0)
	if err := pmtiles.Extract(ctx, logger, "", src, -1, int8(maxzoom), "", box, name, 4, 0.05, false); err != nil {
		return fmt.Errorf("extract from %s: %w", src, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(name, out); err != nil {
		return err
	}
	ok = true
	return nil
}

// MunicipalityBounds returns the bounding box in longitude and latitude of the
// municipalities codes in a GeoJSON FeatureCollection in SWEREF 99 TM (EPSG:3006)
// whose features carry the code in property KnKod (SCB's file, demo.Boundaries).
func MunicipalityBounds(boundaries []byte, codes []string) (orb.Bound, error) {
	var fc geojson.FeatureCollection
	if err := json.Unmarshal(boundaries, &fc); err != nil {
		return orb.Bound{}, err
	}
	var b orb.Bound
	found := map[string]bool{}
	for _, f := range fc.Features {
		code, _ := f.Properties["KnKod"].(string)
		if !slices.Contains(codes, code) || f.Geometry == nil {
			continue
		}
		// Every vertex, not the box's corners: SWEREF 99 TM's grid lines are curves in
		// longitude and latitude.
		fb := project.Geometry(orb.Clone(f.Geometry), func(p orb.Point) orb.Point {
			lon, lat := geo.SwerefToWGS84(p[0], p[1])
			return orb.Point{lon, lat}
		}).Bound()
		if len(found) == 0 {
			b = fb
		}
		b = b.Union(fb)
		found[code] = true
	}
	for _, c := range codes {
		if !found[c] {
			return orb.Bound{}, fmt.Errorf("no municipality %q in the boundaries", c)
		}
	}
	return b, nil
}
