package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/importer"
)

const importGazetteerUsage = `Usage: trygg import gazetteer [flags] FILE.osm.pbf

Loads place names for search and report labels from an OpenStreetMap extract (PBF, e.g.
Geofabrik's sweden-latest.osm.pbf): addresses (addr:street + addr:housenumber on nodes
and buildings), named streets (highway ways, merged into one entry per name and
municipality), stops (stations, bus stops, platforms) and named places (amenity, shop,
leisure, tourism, place). Only entries inside the stored municipalities (or within the
boundary tolerance of one) are kept. Importing again updates changed entries by OSM id
and never duplicates. Reports without a place label get one afterwards. The statement
timeout is 10 minutes unless TRYGG_STATEMENT_TIMEOUT or -statement-timeout says otherwise.`

func runImportGazetteer(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var db dbConfig
	f := newEnvFlags("import gazetteer", getenv, stderr, importGazetteerUsage)
	db.register(f)
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.fs.NArg() != 1 {
		return errors.New("usage: trygg import gazetteer [flags] FILE.osm.pbf")
	}
	batchTimeout(f, &db, getenv)
	if err := db.validate(); err != nil {
		return err
	}
	path := f.fs.Arg(0)
	if _, err := os.Stat(path); err != nil {
		return err
	}
	store, err := openDB(ctx, db)
	if err != nil {
		return err
	}
	defer store.Close()

	fmt.Fprintf(stdout, "reading OpenStreetMap data from %s\n", path)
	es, read, err := importer.ReadOSM(ctx, func() (io.ReadCloser, error) { return os.Open(path) }, stdout)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(stdout, "read %d nodes and %d ways: %d addresses, %d street ways, %d stops, %d places\n",
		read.Nodes, read.Ways, read.Addresses, read.StreetWays, read.Stops, read.Places)
	sum, err := store.ImportGazetteer(cliContext(ctx, getenv), es, func(done, total int) {
		fmt.Fprintf(stdout, "gazetteer: %d of %d entries staged\n", done, total)
	})
	if trygg.ErrorCode(err) == trygg.EUNAVAILABLE {
		return fmt.Errorf("%s: %w (a large file may need a longer -statement-timeout)", path, err)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(stdout, "stored %d addresses, %d streets, %d stops, %d places (%d new or changed); %d outside every municipality skipped; %d reports labelled\n",
		sum.ByKind[trygg.PlaceAddress], sum.ByKind[trygg.PlaceStreet], sum.ByKind[trygg.PlaceStop], sum.ByKind[trygg.PlacePlace],
		sum.Written, sum.Outside, sum.Relabelled)
	return nil
}
