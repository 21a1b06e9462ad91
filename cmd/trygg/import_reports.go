package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/trygg-gis/trygg"

	"github.com/trygg-gis/trygg/importer"
)

const importReportsUsage = `Usage: trygg import reports [flags] FILE

Loads historical reports, all or nothing, from CSV (a header row; comma, semicolon or tab
separated; UTF-8) or a GeoJSON FeatureCollection of Points and Polygons in WGS 84.
Columns or properties (Swedish names too):
  lon, lat (longitud, latitud) or wkt  the place: WGS 84, POINT or POLYGON (up to 1 km²)
  category (kategori)                   the category code, such as belysning
  feeling (känsla)                      1 very unsafe, 2 unsafe, 3 acceptable, 4 safe
  when (när)                            day evening night weekday weekend (dag kväll natt
                                        vardag helg), separated by ; | or spaces
  time (tid, observed_at)               RFC 3339, or 2024-11-20 21:30 (Swedish time), or 2024-11-20
  source (källa)                        overrides -source for the record
  description (beskrivning), precision  optional
Each record is checked as the HTTP API checks a report and must lie in a stored
municipality. If any is refused, nothing is written and every refusal is listed with its
line (CSV, the header being line 1) or feature index (GeoJSON). A record's time also
dates the report; each report's first status is by "import:" and the file's name. The statement timeout is 10 minutes unless
TRYGG_STATEMENT_TIMEOUT or -statement-timeout says otherwise.`

// importStatementTimeout is the statement_timeout of trygg import reports unless
// TRYGG_STATEMENT_TIMEOUT or -statement-timeout says otherwise.
const importStatementTimeout = 10 * time.Minute

// maxListed is how many refusals are printed; the rest are counted.
const maxListed = 100

// listRefusals prints up to maxListed refusals and counts the rest.
func listRefusals[E any](stdout io.Writer, errs []E) {
	for i, e := range errs {
		if i == maxListed {
			fmt.Fprintf(stdout, "and %d more\n", len(errs)-maxListed)
			return
		}
		fmt.Fprintf(stdout, "rejected: %v\n", e)
	}
}

// batchTimeout gives an import, whose one statement writes the whole file, the time a
// batch job needs rather than what a request may take, unless the statement timeout
// was set explicitly.
func batchTimeout(f *envFlags, db *dbConfig, getenv func(string) string) {
	explicit := getenv("TRYGG_STATEMENT_TIMEOUT") != ""
	f.fs.Visit(func(fl *flag.Flag) { explicit = explicit || fl.Name == "statement-timeout" })
	if !explicit {
		db.statementTimeout = importStatementTimeout
	}
}

func runImportReports(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		db     dbConfig
		source string
		status string
		grid   float64
	)
	f := newEnvFlags("import reports", getenv, stderr, importReportsUsage)
	db.register(f)
	f.fs.StringVar(&source, "source", "resident", "source of records without a source column: resident, walk, dialogue, police, survey")
	f.fs.StringVar(&status, "status", "", "published (historical data from the municipality) or received (to go through moderation); "+
		"by default published, but EST and police records received until a planner publishes them")
	f.fs.Float64Var(&grid, "grid", importer.DefaultGridM, "public positions of points snap to the centre of cells this many metres wide (SWEREF 99 TM)")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.fs.NArg() != 1 {
		return errors.New("usage: trygg import reports [flags] FILE")
	}
	batchTimeout(f, &db, getenv)
	if grid == 0 { // ReportOptions would take 0 for the default
		return errors.New("-grid 0: public positions snap to cells of 1 to 5000 metres")
	}
	if err := db.validate(); err != nil {
		return err
	}
	path := f.fs.Arg(0)
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	store, err := openDB(ctx, db)
	if err != nil {
		return err
	}
	defer store.Close()

	fmt.Fprintf(stdout, "importing reports from %s\n", path)
	sum, err := importer.Reports(cliContext(ctx, getenv), store, file, importer.ReportOptions{
		Name: filepath.Base(path), Source: source, Status: status, GridM: grid, Progress: stdout,
	})
	if trygg.ErrorCode(err) == trygg.EUNAVAILABLE {
		return fmt.Errorf("%s: %w (a large file may need a longer -statement-timeout)", path, err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	listRefusals(stdout, sum.Errors)
	fmt.Fprintf(stdout, "read %d, imported %d\n", sum.Read, sum.Imported)
	for _, code := range slices.Sorted(maps.Keys(sum.ByMunicipality)) {
		fmt.Fprintf(stdout, "  municipality %s: %d\n", code, sum.ByMunicipality[code])
	}
	if sum.NearBoundary > 0 {
		fmt.Fprintf(stdout, "  outside every boundary, placed in the nearest municipality within the boundary tolerance: %d\n", sum.NearBoundary)
	}
	if len(sum.Errors) > 0 {
		return fmt.Errorf("%s: %d errors; nothing was written", path, len(sum.Errors))
	}
	return nil
}
