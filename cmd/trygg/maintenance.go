package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/trygg-gis/trygg/postgis"
)

// defaultContactRetention is how long reporters' contact data is kept.
const defaultContactRetention = 90 * 24 * time.Hour

const maintenanceUsage = `Usage: trygg maintenance retention [flags]

Deletes reporters' contact data older than TRYGG_CONTACT_RETENTION (default 90 days),
expired idempotency keys and old sign-in failures. trygg serve runs it daily.`

func runMaintenance(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "retention" {
		if len(args) > 0 && isHelp(args[0]) {
			fmt.Fprintln(stdout, maintenanceUsage)
			return nil
		}
		return errors.New("usage: trygg maintenance retention (trygg maintenance -h)")
	}
	var (
		db        dbConfig
		retention time.Duration
	)
	f := newEnvFlags("maintenance retention", getenv, stderr, maintenanceUsage)
	db.register(f)
	f.Duration(&retention, "contact-retention", "TRYGG_CONTACT_RETENTION", defaultContactRetention, "keep reporters' contact data this long")
	if err := f.Parse(args[1:]); err != nil {
		return err
	}
	if err := db.validate(); err != nil {
		return err
	}
	store, err := openDB(ctx, db)
	if err != nil {
		return err
	}
	defer store.Close()
	n, err := store.Retention(ctx, retention)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "retention: deleted the contact data of %d reports older than %v\n", n, retention)
	return nil
}

// retentionLoop runs the retention once at start and then every day until ctx ends.
func retentionLoop(ctx context.Context, store *postgis.DB, retention time.Duration, log *slog.Logger) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		n, err := store.Retention(ctx, retention)
		if err != nil && ctx.Err() == nil {
			log.Error("retention failed", "error", err.Error())
		} else if err == nil {
			log.Info("retention", "contact_records_deleted", n, "older_than", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
