package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/trygg-gis/trygg/postgis"
)

// envFlags defines flags whose defaults come from environment variables: a flag given
// on the command line overrides its variable. A variable that does not parse is an
// error unless its flag overrides it.
type envFlags struct {
	fs      *flag.FlagSet
	getenv  func(string) string
	envErrs map[string]error // by flag name
}

func newEnvFlags(name string, getenv func(string) string, out io.Writer, usage string) *envFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "%s\n\nFlags (each overrides the environment variable in brackets):\n", usage)
		fs.PrintDefaults()
	}
	return &envFlags{fs: fs, getenv: getenv, envErrs: map[string]error{}}
}

func (e *envFlags) env(name, env string, parse func(string) error) {
	if s := e.getenv(env); s != "" {
		if err := parse(s); err != nil {
			e.envErrs[name] = fmt.Errorf("invalid %s %q: %v", env, s, err)
		}
	}
}

func (e *envFlags) String(p *string, name, env, def, usage string) {
	*p = def
	e.env(name, env, func(s string) error { *p = s; return nil })
	e.fs.StringVar(p, name, *p, usage+" ["+env+"]")
}

func (e *envFlags) Duration(p *time.Duration, name, env string, def time.Duration, usage string) {
	*p = def
	e.env(name, env, func(s string) error {
		d, err := time.ParseDuration(s)
		if err == nil && d <= 0 {
			err = errors.New("must be positive")
		}
		*p = d
		return err
	})
	e.fs.DurationVar(p, name, *p, usage+" ["+env+"]")
}

// Int is a non-negative integer.
func (e *envFlags) Int(p *int, name, env string, def int, usage string) {
	*p = def
	e.env(name, env, func(s string) (err error) {
		if *p, err = strconv.Atoi(s); err == nil && *p < 0 {
			err = errors.New("must not be negative")
		}
		return err
	})
	e.fs.IntVar(p, name, *p, usage+" ["+env+"]")
}

func (e *envFlags) Bool(p *bool, name, env string, def bool, usage string) {
	*p = def
	e.env(name, env, func(s string) (err error) { *p, err = strconv.ParseBool(s); return err })
	e.fs.BoolVar(p, name, *p, usage+" ["+env+"]")
}

func (e *envFlags) Level(p *slog.Level, name, env string, usage string) {
	*p = slog.LevelInfo
	e.env(name, env, func(s string) error { return p.UnmarshalText([]byte(s)) })
	e.fs.TextVar(p, name, *p, usage+" ["+env+"] (debug, info, warn, error)")
}

// Parse parses args and returns the first error: a bad flag, or a bad variable that
// no flag overrode.
func (e *envFlags) Parse(args []string) error {
	if err := e.fs.Parse(args); err != nil {
		return err
	}
	e.fs.Visit(func(f *flag.Flag) { delete(e.envErrs, f.Name) })
	for _, f := range slices.Sorted(maps.Keys(e.envErrs)) {
		return e.envErrs[f]
	}
	return nil
}

// dbConfig is the configuration every command that uses the database shares.
type dbConfig struct {
	url              string
	statementTimeout time.Duration
	maxConns         int
	logLevel         slog.Level
	// boundaryTolerance: metres outside every boundary a report may lie and still belong
	// to the nearest municipality (postgis.Options.BoundaryToleranceM).
	boundaryTolerance int
}

// boundaryToleranceM is the tolerance as postgis.Options wants it (0 is none there).
func (c *dbConfig) boundaryToleranceM() float64 {
	if c.boundaryTolerance == 0 {
		return postgis.NoBoundaryTolerance
	}
	return float64(c.boundaryTolerance)
}

func (c *dbConfig) register(e *envFlags) {
	e.String(&c.url, "database-url", "DATABASE_URL", "", "PostgreSQL URL of the Trygg database (PostGIS 3)")
	e.Duration(&c.statementTimeout, "statement-timeout", "TRYGG_STATEMENT_TIMEOUT", 10*time.Second,
		"PostgreSQL statement_timeout: the database stops any statement that runs longer")
	e.Int(&c.maxConns, "db-max-conns", "TRYGG_DB_MAX_CONNS", int(postgis.DefaultMaxConns()),
		"largest number of database connections the pool opens (default: 4 per core, at least 8)")
	e.Level(&c.logLevel, "log-level", "TRYGG_LOG_LEVEL", "log level")
	e.Int(&c.boundaryTolerance, "boundary-tolerance", "TRYGG_BOUNDARY_TOLERANCE_M", postgis.DefaultBoundaryToleranceM,
		"metres outside every stored boundary a report may lie and still belong to the nearest municipality (0 for none)")
}

func (c *dbConfig) validate() error {
	if c.url == "" {
		return errors.New("DATABASE_URL is not set (make run sets it for the project-local database)")
	}
	if _, err := pgxpool.ParseConfig(c.url); err != nil {
		return fmt.Errorf("invalid DATABASE_URL: %v", err)
	}
	if c.boundaryTolerance < 0 || c.boundaryTolerance > 10000 {
		return fmt.Errorf("invalid TRYGG_BOUNDARY_TOLERANCE_M %d: want 0 to 10000 metres", c.boundaryTolerance)
	}
	if c.maxConns < 1 {
		return fmt.Errorf("invalid TRYGG_DB_MAX_CONNS %d: want at least 1", c.maxConns)
	}
	return nil
}

func validateAddr(addr string) error {
	if _, port, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("invalid TRYGG_ADDR %q: %v", addr, err)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("invalid TRYGG_ADDR %q: bad port", addr)
	}
	return nil
}
