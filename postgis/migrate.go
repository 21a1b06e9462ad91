package postgis

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/trygg-gis/trygg/migrations"
)

// Migrate applies every pending migration in migrations/, in order, each in its own
// transaction. A PostgreSQL advisory lock held for the whole run makes a second server
// starting at the same time wait and then find nothing to do. It returns the versions
// applied.
//
// goose needs database/sql, so Migrate opens its own short-lived connection through
// pgx's stdlib adapter; the store itself uses only pgxpool.
func Migrate(ctx context.Context, url string, log *slog.Logger) ([]int64, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgis: parse database url: %w", err)
	}
	sqlDB := stdlib.OpenDB(*cfg)
	defer sqlDB.Close()

	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("postgis: migration lock: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS(),
		goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("postgis: migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgis: migrate: %w", err)
	}
	applied := make([]int64, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Version)
		if log != nil {
			log.Info("migration applied", "version", r.Source.Version,
				"file", r.Source.Path, "duration_ms", r.Duration.Milliseconds())
		}
	}
	return applied, nil
}

// SetRolePassword sets the password the server's role (AppRole) signs in with, for
// clusters that do not trust local connections. It runs as the URL's user.
func SetRolePassword(ctx context.Context, url, password string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("postgis: connect: %w", err)
	}
	defer conn.Close(ctx)
	var stmt string
	if err := conn.QueryRow(ctx, `SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text)`, AppRole, password).Scan(&stmt); err != nil {
		return fmt.Errorf("postgis: set role password: %w", err)
	}
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("postgis: set role password: %w", err)
	}
	return nil
}
