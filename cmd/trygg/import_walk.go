package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/importer"
	"github.com/trygg-gis/trygg/postgis"
)

const importWalkUsage = `Usage:
  trygg import walk --walk ID [--route FILE] [--observations FILE]
  trygg import walk --municipality CODE --title TITLE [--starts-at TIME] [--ends-at TIME]
                    [--status STATUS] [--route FILE] [--observations FILE]

Adds a safety walk's route and observations to a stored walk (--walk), or creates the
walk from the files (--municipality and --title).

--route is GPX 1.1 (.gpx: the track points of every track segment joined in order, or
the route points of a file without tracks; <time> kept when every point has one) or
GeoJSON in WGS 84 (.geojson, .json: a LineString, a Feature with one, or a
FeatureCollection with exactly one; optional properties.times, one RFC 3339 time per
point). It replaces the walk's route. A new walk starts and ends at the route's first
and last times unless --starts-at and --ends-at say otherwise.

--observations is CSV (a header row; comma, semicolon or tab separated; UTF-8) with the
columns lat, lon, category, feeling and optionally note, when, time, precision (Swedish:
lat, lon, kategori, känsla, anteckning, när, tid), or a GeoJSON FeatureCollection of
Points and Polygons with those properties. Each observation is checked as the HTTP API
checks a report, is stored as a published report of source walk, and must lie in the
walk's municipality.

Both files are read and checked before anything is written; a refused record is named
by its line (the CSV header and the first line of a GPX file are line 1), feature or
point. Observations are stored all or nothing, and then the route.`

func runImportWalk(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		db                          dbConfig
		walkID, routePath, obsPath  string
		municipality, title, status string
		startsAt, endsAt            string
	)
	f := newEnvFlags("import walk", getenv, stderr, importWalkUsage)
	db.register(f)
	f.fs.StringVar(&walkID, "walk", "", "id of the stored walk to add to")
	f.fs.StringVar(&routePath, "route", "", "the route: GPX (.gpx) or GeoJSON (.geojson, .json)")
	f.fs.StringVar(&obsPath, "observations", "", "the observations: CSV (.csv) or GeoJSON (.geojson, .json)")
	f.fs.StringVar(&municipality, "municipality", "", "new walk: the SCB code of its municipality, e.g. 1470")
	f.fs.StringVar(&title, "title", "", "new walk: its title")
	f.fs.StringVar(&startsAt, "starts-at", "", "new walk: when it started (RFC 3339, or 2024-10-15 19:30 in Swedish time); default the route's first time")
	f.fs.StringVar(&endsAt, "ends-at", "", "new walk: when it ended; default the route's last time")
	f.fs.StringVar(&status, "status", trygg.WalkDone, "new walk: planned, done or followed-up")
	if err := f.Parse(args); err != nil {
		return err
	}
	creating := municipality != "" || title != ""
	switch {
	case f.fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q: give the files with --route and --observations", f.fs.Arg(0))
	case walkID != "" && creating:
		return errors.New("give --walk to add to a stored walk, or --municipality and --title to create one, not both")
	case walkID == "" && !creating:
		return errors.New("usage: trygg import walk --walk ID [--route FILE] [--observations FILE] (trygg import walk -h)")
	case creating && (municipality == "" || title == ""):
		return errors.New("a new walk needs both --municipality and --title")
	case walkID != "" && (startsAt != "" || endsAt != ""):
		return errors.New("--starts-at and --ends-at are for a new walk; a stored walk's times are changed in the app or the API")
	case routePath == "" && obsPath == "":
		return errors.New("give --route FILE, --observations FILE or both")
	}
	if err := db.validate(); err != nil {
		return err
	}
	var start, end *time.Time
	for _, v := range []struct {
		flag, value string
		to          **time.Time
	}{{"--starts-at", startsAt, &start}, {"--ends-at", endsAt, &end}} {
		if v.value == "" {
			continue
		}
		t, ok := importer.ParseTime(v.value)
		if !ok {
			return fmt.Errorf("%s %q is not a time: write 2024-10-15T19:30:00+02:00 (RFC 3339) or 2024-10-15 19:30 (Swedish time)", v.flag, v.value)
		}
		*v.to = &t
	}

	// Both files are read and checked before anything is written, and every refusal of
	// both is listed.
	refusals, listed := 0, 0
	refuse := func(path string, e error) {
		refusals++
		if listed < maxListed {
			fmt.Fprintf(stdout, "rejected: %s: %v\n", filepath.Base(path), e)
			listed++
		}
	}
	var route *importer.Route
	if routePath != "" {
		rt, errs, err := readRouteFile(routePath, stdout)
		if err != nil {
			return fmt.Errorf("%s: %s", routePath, plainMessage(err))
		}
		for _, e := range errs {
			refuse(routePath, e)
		}
		route = &rt
	}
	store, err := openDB(ctx, db)
	if err != nil {
		return err
	}
	defer store.Close()
	ctx = cliContext(ctx, getenv)
	if creating {
		if _, err := store.Municipality(ctx, municipality); err != nil {
			return cliError(err)
		}
	}
	var obs *importer.Observations
	if obsPath != "" {
		cats, err := store.Categories(ctx)
		if err != nil {
			return err
		}
		o, err := readObservationFile(obsPath, cats, stdout)
		if err != nil {
			return fmt.Errorf("%s: %s", obsPath, plainMessage(err))
		}
		for _, e := range o.Errors {
			refuse(obsPath, e)
		}
		obs = &o
	}
	if refusals > 0 {
		if refusals > listed {
			fmt.Fprintf(stdout, "and %d more\n", refusals-listed)
		}
		return fmt.Errorf("%s; nothing was written", walkErrorCount(refusals))
	}

	if creating {
		w := trygg.Walk{Municipality: municipality, Title: title, Status: status, StartsAt: start, EndsAt: end}
		return createWalkFromFiles(ctx, store, w, route, obs, obsPath, stdout)
	}
	return addToWalk(ctx, store, walkID, route, obs, obsPath, stdout)
}

// createWalkFromFiles creates a walk with the route, then stores the observations.
func createWalkFromFiles(ctx context.Context, store *postgis.DB, w trygg.Walk, route *importer.Route,
	obs *importer.Observations, obsPath string, stdout io.Writer) error {
	if route != nil {
		w.Route, w.RouteTimes = route.Line, route.Times
		if w.StartsAt == nil {
			w.StartsAt = route.Start()
		}
		if w.EndsAt == nil {
			w.EndsAt = route.End()
		}
	}
	created, err := store.CreateWalk(ctx, w)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "created walk %s (%s, municipality %s%s)\n", created.ID, created.Title, created.Municipality, walkSpan(created))
	n := 0
	if obs != nil {
		ids, err := importer.AddObservations(ctx, store, created.ID, obs)
		if err == nil && len(obs.Errors) > 0 {
			for _, e := range obs.Errors {
				fmt.Fprintf(stdout, "rejected: %s: %v\n", filepath.Base(obsPath), e)
			}
			err = errors.New(walkErrorCount(len(obs.Errors)))
		}
		if err != nil {
			return fmt.Errorf("%s: %s; walk %s was created, but no observation was stored: "+
				"fix the file and run trygg import walk --walk %s --observations FILE", obsPath, plainMessage(err), created.ID, created.ID)
		}
		n = len(ids)
		fmt.Fprintf(stdout, "stored %d observations\n", n)
		printNearBoundary(ctx, store, ids, stdout)
	}
	printWalkSummary(stdout, created, n)
	return nil
}

// addToWalk stores the observations with a stored walk, then replaces its route.
func addToWalk(ctx context.Context, store *postgis.DB, walkID string, route *importer.Route,
	obs *importer.Observations, obsPath string, stdout io.Writer) error {
	w, err := store.Walk(ctx, walkID)
	if err != nil {
		return cliError(err)
	}
	if route != nil { // the walk's own checks, before anything is written
		check := w
		check.Route, check.RouteTimes = route.Line, route.Times
		if err := check.Validate(); err != nil {
			return cliError(err)
		}
	}
	n := 0
	if obs != nil {
		ids, err := importer.AddObservations(ctx, store, w.ID, obs)
		if err != nil {
			return fmt.Errorf("%s: %s", obsPath, plainMessage(err))
		}
		if len(obs.Errors) > 0 {
			for _, e := range obs.Errors {
				fmt.Fprintf(stdout, "rejected: %s: %v\n", filepath.Base(obsPath), e)
			}
			return fmt.Errorf("%s: %s; nothing was written", obsPath, walkErrorCount(len(obs.Errors)))
		}
		n = len(ids)
		fmt.Fprintf(stdout, "stored %d observations\n", n)
		printNearBoundary(ctx, store, ids, stdout)
	}
	if route != nil {
		if w, err = importer.SetRoute(ctx, store, w.ID, *route); err != nil {
			if n > 0 {
				return fmt.Errorf("the %d observations were stored, but the route was not: %s", n, plainMessage(err))
			}
			return cliError(err)
		}
		fmt.Fprintln(stdout, "stored the route")
	}
	printWalkSummary(stdout, w, n)
	return nil
}

// readRouteFile reads a route, GPX or GeoJSON by the file's extension (or its first
// character).
func readRouteFile(path string, stdout io.Writer) (importer.Route, []importer.RouteError, error) {
	file, err := os.Open(path)
	if err != nil {
		return importer.Route{}, nil, err
	}
	defer file.Close()
	format := ""
	switch strings.ToLower(filepath.Ext(path)) {
	case ".gpx":
		format = importer.FormatGPX
	case ".geojson", ".json":
		format = importer.FormatGeoJSON
	}
	fmt.Fprintf(stdout, "reading the route from %s\n", path)
	rt, errs, err := importer.ReadRoute(file, format)
	if err != nil || len(errs) > 0 {
		return rt, errs, err
	}
	timed := "without times"
	if len(rt.Times) > 0 {
		timed = "from " + swedishTime(*rt.Start()) + " to " + swedishTime(*rt.End())
	}
	segments := ""
	if rt.Segments > 1 {
		segments = fmt.Sprintf(" in %d segments", rt.Segments)
	}
	fmt.Fprintf(stdout, "route: %d points%s (%s %s), %s\n", len(rt.Line), segments, rt.Format, rt.Kind, timed)
	return rt, nil, nil
}

// readObservationFile reads observations, CSV or GeoJSON by the file's extension (or
// its first character).
func readObservationFile(path string, cats []trygg.Category, stdout io.Writer) (importer.Observations, error) {
	file, err := os.Open(path)
	if err != nil {
		return importer.Observations{}, err
	}
	defer file.Close()
	format := ""
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".tsv", ".txt":
		format = importer.FormatCSV
	case ".geojson", ".json":
		format = importer.FormatGeoJSON
	}
	fmt.Fprintf(stdout, "reading observations from %s\n", path)
	obs, err := importer.ReadObservations(file, format, cats)
	if err != nil {
		return obs, err
	}
	fmt.Fprintf(stdout, "read %d observations (%s)\n", obs.Read, obs.Format)
	return obs, nil
}

// printWalkSummary prints the last line of a walk import.
// printNearBoundary says how many of the stored reports ids lie outside every boundary,
// placed by the boundary tolerance (TRYGG_BOUNDARY_TOLERANCE_M).
func printNearBoundary(ctx context.Context, store *postgis.DB, ids []string, stdout io.Writer) {
	if n, err := store.NearBoundary(ctx, ids); err == nil && n > 0 {
		fmt.Fprintf(stdout, "  outside every boundary, placed in the walk's municipality within the boundary tolerance: %d\n", n)
	}
}

func printWalkSummary(stdout io.Writer, w trygg.Walk, observations int) {
	route := "no route"
	switch {
	case len(w.RouteTimes) > 0:
		route = fmt.Sprintf("a route of %d points with times", len(w.Route))
	case len(w.Route) > 0:
		route = fmt.Sprintf("a route of %d points without times", len(w.Route))
	}
	fmt.Fprintf(stdout, "walk %s: %s, %d observations added\n", w.ID, route, observations)
}

// walkSpan says when a walk took place, in Swedish time.
func walkSpan(w trygg.Walk) string {
	switch {
	case w.StartsAt != nil && w.EndsAt != nil:
		return ", " + swedishTime(*w.StartsAt) + " to " + swedishTime(*w.EndsAt)
	case w.StartsAt != nil:
		return ", from " + swedishTime(*w.StartsAt)
	}
	return ""
}

var stockholmZone, _ = time.LoadLocation("Europe/Stockholm")

// swedishTime writes a time as Swedes read it.
func swedishTime(t time.Time) string {
	if stockholmZone == nil {
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}
	return t.In(stockholmZone).Format("2006-01-02 15:04")
}

// walkErrorCount says "1 error" or "3 errors".
func walkErrorCount(n int) string {
	if n == 1 {
		return "1 error"
	}
	return fmt.Sprintf("%d errors", n)
}

// plainMessage is the plain message of an error: a domain error's own words.
func plainMessage(err error) string {
	if trygg.ErrorCode(err) != trygg.EINTERNAL {
		return trygg.ErrorMessage(err)
	}
	return err.Error()
}
