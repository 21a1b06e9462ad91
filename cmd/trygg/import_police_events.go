package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/importer"
)

const importPoliceEventsUsage = `Usage: trygg import police-events [flags] FILE

Loads the Police's public events (polisen.se/api/events, or a merged history of it): a
JSON array of {id, datetime, name, summary, url, type, location{name, gps}}. Each event
becomes a report of source police-event: area precision at the feed's point (the
centroid of a municipality or county; when that lies outside the event's municipality,
a point inside it), published for staff and never shown to the public, observed and
created at the event's datetime, its name and summary as description, its type mapped
to a category (the type is kept).

The municipality comes from the event's place names matched with the stored names
(without case; "Vara kommun" is Vara): location.name, or, since 2026, when that is the
county ("Västra Götalands län"), the last part of name ("30 juni 10.36, Trafikolycka,
Mariestad"). Events in no stored municipality and summaries ("Sammanfattning natt") are
skipped and counted. Importing again updates changed events by id and never duplicates.
If any element is refused (no id, datetime, type or location.gps, an unreadable time or
position, a repeated id, a file cut short), nothing is written and every refusal is
listed with the element's index (from 0). The statement timeout is 10 minutes unless
TRYGG_STATEMENT_TIMEOUT or -statement-timeout says otherwise.`

func runImportPoliceEvents(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var db dbConfig
	f := newEnvFlags("import police-events", getenv, stderr, importPoliceEventsUsage)
	db.register(f)
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.fs.NArg() != 1 {
		return errors.New("usage: trygg import police-events [flags] FILE")
	}
	batchTimeout(f, &db, getenv)
	if err := db.validate(); err != nil {
		return err
	}
	path := f.fs.Arg(0)
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return err
	}
	store, err := openDB(ctx, db)
	if err != nil {
		return err
	}
	defer store.Close()
	names, err := store.MunicipalityNames(ctx)
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "importing police events from %s\n", path)
	sum, err := importer.PoliceEvents(cliContext(ctx, getenv), store, file, importer.PoliceEventOptions{
		Name: filepath.Base(path), Size: info.Size(), Progress: stdout,
	})
	if trygg.ErrorCode(err) == trygg.EUNAVAILABLE {
		return fmt.Errorf("%s: %w (a large file may need a longer -statement-timeout)", path, err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	listRefusals(stdout, sum.Errors)
	if len(sum.Errors) > 0 {
		return fmt.Errorf("%s: %d errors; nothing was written", path, len(sum.Errors))
	}
	fmt.Fprintf(stdout, "read %d, inserted %d, updated %d, unchanged %d, skipped %d (%d summaries, %d in no stored municipality)\n",
		sum.Read, sum.Inserted, sum.Updated, sum.Unchanged, sum.Skipped(), sum.Summaries, sum.NotServed)
	for _, code := range slices.Sorted(maps.Keys(sum.ByMunicipality)) {
		fmt.Fprintf(stdout, "  municipality %s %s: %d\n", code, names[code], sum.ByMunicipality[code])
	}
	return nil
}
