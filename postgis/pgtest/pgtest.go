// Package pgtest gives each test a fresh, migrated PostGIS database of its own.
//
// TRYGG_TEST_DATABASE_URL names a database on the test cluster (make test sets it). The
// first test to ask builds a template database with every migration applied, named after
// a hash of the migrations so a schema change makes a new one; each test then gets a
// copy (CREATE DATABASE … TEMPLATE, a file copy that takes milliseconds) that is dropped
// when the test ends. Without TRYGG_TEST_DATABASE_URL the test fails: database tests are
// never skipped.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/trygg-gis/trygg/migrations"
	"github.com/trygg-gis/trygg/postgis"
)

// EnvURL is the variable that names the test cluster.
const EnvURL = "TRYGG_TEST_DATABASE_URL"

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// URL creates a fresh migrated database for t and returns its URL. The database is
// dropped when t ends.
func URL(t testing.TB) string {
	t.Helper()
	return newDatabase(t, true)
}

// EmptyURL creates a fresh database with nothing in it (not even PostGIS), for tests
// of migration itself, and returns its URL. It is dropped when t ends.
func EmptyURL(t testing.TB) string {
	t.Helper()
	return newDatabase(t, false)
}

func newDatabase(t testing.TB, migrated bool) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Fatalf("%s is not set: run the tests with `make test`, which starts a throwaway PostGIS cluster, "+
			"or point it at a PostgreSQL 15 + PostGIS 3 database you may create databases on", EnvURL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	template := "template0"
	if migrated {
		templateOnce.Do(func() { templateName, templateErr = ensureTemplate(ctx, base) })
		if templateErr != nil {
			t.Fatalf("pgtest: template database: %v", templateErr)
		}
		template = templateName
	}

	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v", EnvURL, err)
	}
	defer admin.Close(ctx)
	name := "test_" + randomHex(8)
	if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, template)); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("pgtest: connect to drop %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	return withDatabaseURL(base, name)
}

// Open returns a store on a fresh database for t, closed when t ends.
func Open(t testing.TB) (*postgis.DB, string) {
	t.Helper()
	url := URL(t)
	db, err := postgis.Open(context.Background(), url, postgis.Options{})
	if err != nil {
		t.Fatalf("pgtest: open: %v", err)
	}
	t.Cleanup(db.Close)
	return db, url
}

// ensureTemplate creates the migrated template database once per schema, under an
// advisory lock because test binaries of several packages run at once.
func ensureTemplate(ctx context.Context, base string) (string, error) {
	name := "trygg_template_" + schemaHash()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(7465727)`); err != nil {
		return "", err
	}
	defer admin.Exec(ctx, `SELECT pg_advisory_unlock(7465727)`) //nolint:errcheck // closing ends the lock too

	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := admin.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, building)); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s`, building)); err != nil {
		return "", err
	}
	if _, err := postgis.Migrate(ctx, withDatabaseURL(base, building), nil); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, name)); err != nil {
		return "", err
	}
	return name, nil
}

func schemaHash() string {
	h := sha256.New()
	fs.WalkDir(migrations.FS(), ".", func(path string, d fs.DirEntry, err error) error { //nolint:errcheck // embedded
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(migrations.FS(), path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// withDatabaseURL returns base with its database replaced by name.
func withDatabaseURL(base, name string) string {
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		return base
	}
	// Rebuild as a key=value string: it carries host (socket directory or name), port,
	// user and password without URL escaping concerns.
	parts := []string{
		"host=" + quote(cfg.Host),
		fmt.Sprintf("port=%d", cfg.Port),
		"user=" + quote(cfg.User),
		"dbname=" + quote(name),
		"sslmode=disable",
	}
	if cfg.Password != "" {
		parts = append(parts, "password="+quote(cfg.Password))
	}
	return strings.Join(parts, " ")
}

func quote(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `'`, `\'`) + "'"
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) //nolint:errcheck // never fails
	return hex.EncodeToString(b)
}

// Conn opens a plain connection to url for checks in SQL, closed when t ends.
func Conn(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Strings runs a query of one text column on the database at url and returns its rows.
func Strings(t testing.TB, url, sql string, args ...any) []string {
	t.Helper()
	conn := Conn(t, url)
	rows, err := conn.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("pgtest: %s: %v", sql, err)
	}
	s, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("pgtest: %s: %v", sql, err)
	}
	return s
}

// Exec runs SQL statements on the database at url.
func Exec(t testing.TB, url, sql string) {
	t.Helper()
	if _, err := Conn(t, url).Exec(context.Background(), sql); err != nil {
		t.Fatalf("pgtest: %s: %v", sql, err)
	}
}

// App opens a store on the database at url as the server's role (postgis.AppRole), to
// which row-level security applies; it is closed when t ends.
func App(t testing.TB, url string) *postgis.DB {
	t.Helper()
	db, err := postgis.Open(context.Background(), url, postgis.Options{Role: postgis.AppRole})
	if err != nil {
		t.Fatalf("pgtest: open as %s: %v", postgis.AppRole, err)
	}
	t.Cleanup(db.Close)
	return db
}
