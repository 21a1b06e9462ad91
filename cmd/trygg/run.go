package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/importer"
	"github.com/trygg-gis/trygg/postgis"
)

const usage = `trygg: places where people feel unsafe, for municipalities and the Police.

Usage: trygg COMMAND [flags]

Commands:
  serve                          run the HTTP server (migrates first)
  migrate                        apply pending database migrations
  import municipalities FILE     load municipality boundaries from GeoJSON (EPSG:4326 or 3006)
  import reports FILE            load historical reports from CSV or GeoJSON, all or nothing
  import walk --walk ID|--municipality CODE --title T [--route FILE] [--observations FILE]
                                 a safety walk's route (GPX, GeoJSON) and observations (CSV, GeoJSON)
  import police-events FILE      load the Police's public events (JSON) as area-level reports
  import gazetteer FILE.osm.pbf  load place names (addresses, streets, stops, places) from OpenStreetMap
  demo [-reset] [-living=false]  load the demo data (five municipalities, police areas, demo accounts, living data)
  user add|passwd                add a staff user, set a password
  token create|revoke            create or revoke an API token for machine clients
  tiles seed --municipality CODE [--zoom 10-16] [--layer reports|all] [--url URL]
                                 warm a running server's tile cache, with a progress bar
  basemap fetch --municipality CODES --out FILE [--url BUILD_URL] [--maxzoom 15]
                                 extract a vector basemap (PMTiles) for TRYGG_BASEMAP
  maintenance retention          delete expired contact data (serve also runs it daily)
  version                        print the version
  help                           print this help

Run 'trygg COMMAND -h' for a command's flags. Configuration comes from environment
variables (DATABASE_URL, TRYGG_ADDR, TRYGG_LOG_LEVEL, …); flags override them.
`

// run is the whole program: main only adds the process's signals, arguments,
// environment and output streams. Tests call it the same way.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[1], args[2:]
	var err error
	switch cmd {
	case "serve":
		err = runServe(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		err = runMigrate(ctx, rest, getenv, stdout, stderr)
	case "import":
		err = runImport(ctx, rest, getenv, stdout, stderr)
	case "demo":
		err = runDemo(ctx, rest, getenv, stdout, stderr)
	case "user":
		err = runUser(ctx, rest, getenv, stdout, stderr)
	case "maintenance":
		err = runMaintenance(ctx, rest, getenv, stdout, stderr)
	case "tiles":
		err = runTiles(ctx, rest, getenv, stdout, stderr)
	case "token":
		err = runToken(ctx, rest, getenv, stdout, stderr)
	case "basemap":
		err = runBasemap(ctx, rest, getenv, stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintf(stdout, "trygg %s (%s)\n", trygg.Version, runtime.Version())
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// openDB connects and checks the schema is current, for commands that do not migrate.
func openDB(ctx context.Context, c dbConfig) (*postgis.DB, error) {
	db, err := postgis.Open(ctx, c.url, postgis.Options{StatementTimeout: c.statementTimeout, ApplicationName: "trygg",
		MaxConns: int32(c.maxConns), BoundaryToleranceM: c.boundaryToleranceM()})
	if err != nil {
		return nil, err
	}
	if err := db.Ready(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: run 'trygg migrate' first", trygg.ErrorMessage(err))
	}
	return db, nil
}

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var db dbConfig
	f := newEnvFlags("migrate", getenv, stderr, "Usage: trygg migrate [flags]\n\nApplies pending migrations, each in a transaction, under an advisory lock.")
	db.register(f)
	if err := f.Parse(args); err != nil {
		return err
	}
	if err := db.validate(); err != nil {
		return err
	}
	applied, err := postgis.Migrate(ctx, db.url, nil)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "migrate: the database is up to date")
		return nil
	}
	fmt.Fprintf(stdout, "migrate: applied %d migrations, now at version %d\n", len(applied), applied[len(applied)-1])
	return nil
}

func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	switch {
	case len(args) > 0 && isHelp(args[0]):
		fmt.Fprintln(stdout, "Usage: trygg import municipalities|reports|walk|police-events|gazetteer [flags] FILE\n\n"+
			"'trygg import municipalities -h', 'trygg import reports -h' and so on explain each.")
		return nil
	case len(args) > 0 && args[0] == "reports":
		return runImportReports(ctx, args[1:], getenv, stdout, stderr)
	case len(args) > 0 && args[0] == "walk":
		return runImportWalk(ctx, args[1:], getenv, stdout, stderr)
	case len(args) > 0 && args[0] == "police-events":
		return runImportPoliceEvents(ctx, args[1:], getenv, stdout, stderr)
	case len(args) > 0 && args[0] == "gazetteer":
		return runImportGazetteer(ctx, args[1:], getenv, stdout, stderr)
	case len(args) == 0 || args[0] != "municipalities":
		return errors.New("usage: trygg import municipalities|reports [flags] FILE")
	}
	const importUsage = "Usage: trygg import municipalities [flags] FILE\n\n" +
		"Loads municipality boundaries from a GeoJSON FeatureCollection in EPSG:4326 or EPSG:3006\n" +
		"(from its crs member, or -srid). Code and name come from KnKod/KnNamn (SCB) or id/kom_namn.\n" +
		"Existing municipalities are updated by code. If any feature is rejected nothing is written."
	var (
		db   dbConfig
		srid int
		only string
	)
	f := newEnvFlags("import municipalities", getenv, stderr, importUsage)
	db.register(f)
	f.fs.IntVar(&srid, "srid", 0, "EPSG code of the coordinates if the file has no crs member (4326 or 3006)")
	f.fs.StringVar(&only, "only", "", "import only these municipality codes, comma-separated")
	if err := f.Parse(args[1:]); err != nil {
		return err
	}
	if f.fs.NArg() != 1 {
		return errors.New("usage: trygg import municipalities [flags] FILE")
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

	opts := importer.MunicipalityOptions{SRID: srid, Progress: stdout}
	if only != "" {
		opts.Only = strings.Split(only, ",")
	}
	fmt.Fprintf(stdout, "importing municipalities from %s\n", path)
	sum, err := importer.Municipalities(ctx, store, file, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for _, r := range sum.Rejected {
		fmt.Fprintf(stdout, "rejected: feature %d", r.Index)
		if r.Code != "" {
			fmt.Fprintf(stdout, " (code %s)", r.Code)
		}
		fmt.Fprintf(stdout, ": %s\n", r.Reason)
	}
	fmt.Fprintf(stdout, "inserted %d, updated %d, unchanged %d, rejected %d\n",
		sum.Inserted, sum.Updated, sum.Unchanged, len(sum.Rejected))
	if len(sum.Rejected) > 0 {
		return fmt.Errorf("%s: %d features rejected; nothing was written", path, len(sum.Rejected))
	}
	return nil
}

func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		db          dbConfig
		environment string
		reset       bool
		living      bool
	)
	f := newEnvFlags("demo", getenv, stderr, "Usage: trygg demo [flags]\n\nLoads (or refreshes) the demo data: Vara, Vetlanda, Varberg, Lidköping and Mariestad\nwith their SCB boundaries and police areas, their organisations and one demo account per\nrole and organisation (new accounts' passwords are printed once), and their living data\n(reports, walks, dialogue, EST, cameras, current promises, patrol plans, public hotspot runs,\ndated from now) unless it is there already.")
	db.register(f)
	f.String(&environment, "env", "TRYGG_ENV", "development", "development or production (production refuses demo data)")
	f.fs.BoolVar(&reset, "reset", false, "delete the demo's living data and load it again, dated from now")
	f.fs.BoolVar(&living, "living", true, "load the living data (false: municipalities, police areas, promises and accounts only)")
	if err := f.Parse(args); err != nil {
		return err
	}
	if err := db.validate(); err != nil {
		return err
	}
	if environment != "development" && environment != "production" {
		return fmt.Errorf("invalid TRYGG_ENV %q: want development or production", environment)
	}
	if environment == "production" {
		return fmt.Errorf("trygg demo is not allowed with TRYGG_ENV=production")
	}
	if reset && !living {
		return fmt.Errorf("-reset loads the living data again: it cannot go with -living=false")
	}
	store, err := openDB(ctx, db)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := demo.Load(ctx, store, stdout); err != nil {
		return err
	}
	if err := demo.LoadUsers(cliContext(ctx, getenv), store, stdout); err != nil {
		return err
	}
	if !living {
		return nil
	}
	// The gazetteer first: the living data's reports take their place labels from it.
	if err := demo.LoadGazetteer(ctx, store, stdout); err != nil {
		return err
	}
	return demo.LoadLiving(ctx, demo.WithAnalyses(store), time.Now(), demo.LivingOptions{Reset: reset}, stdout)
}
