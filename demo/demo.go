// Package demo loads Trygg's demo data: the five municipalities of the promise
// documents in ../shared/seeds (Vara, Vetlanda, Varberg, Lidköping, Mariestad) with
// their real SCB boundaries and their police areas. Load is idempotent.
//
// scb_kommuner_3006.geojson is SCB's "Digitala gränser" kommun boundaries (generalized,
// 2023, CC0), converted from the shapefile to GeoJSON in SWEREF 99 TM with ogr2ogr; see
// ATTRIBUTION.md.
package demo

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/importer"
)

// Boundaries is SCB's 290 municipality boundaries in EPSG:3006.
//
//go:embed scb_kommuner_3006.geojson
var Boundaries []byte

// Municipalities are the SCB codes of the demo municipalities.
var Municipalities = []string{"1470", "0685", "1383", "1494", "1493"}

// PoliceAreas are the local police areas (lokalpolisområden) that serve them.
var PoliceAreas = []trygg.PoliceArea{
	{ID: "lpo-vastra-skaraborg", Name: "LPO Västra Skaraborg", Region: "Polisregion Väst", MunicipalityCodes: []string{"1470", "1494"}},
	{ID: "lpo-ostra-skaraborg", Name: "LPO Östra Skaraborg", Region: "Polisregion Väst", MunicipalityCodes: []string{"1493"}},
	{ID: "lpo-hoglandet", Name: "LPO Höglandet", Region: "Polisregion Öst", MunicipalityCodes: []string{"0685"}},
	{ID: "lpo-varberg", Name: "LPO Varberg", Region: "Polisregion Väst", MunicipalityCodes: []string{"1383"}},
}

// Store is what loading the demo data needs of the store.
type Store interface {
	importer.MunicipalityStore
	UpsertPoliceArea(ctx context.Context, p trygg.PoliceArea) error
}

// Load writes the demo data, reporting progress to w (nil for none).
func Load(ctx context.Context, store Store, w io.Writer) error {
	if w == nil {
		w = io.Discard
	}
	sum, err := importer.Municipalities(ctx, store, bytes.NewReader(Boundaries),
		importer.MunicipalityOptions{Only: Municipalities})
	if err != nil {
		return fmt.Errorf("demo: municipalities: %w", err)
	}
	if len(sum.Rejected) > 0 {
		return fmt.Errorf("demo: municipalities rejected: %v", sum.Rejected)
	}
	fmt.Fprintf(w, "demo: %d municipalities (%d new, %d updated, %d unchanged)\n",
		len(Municipalities), sum.Inserted, sum.Updated, sum.Unchanged)
	for _, p := range PoliceAreas {
		if err := store.UpsertPoliceArea(ctx, p); err != nil {
			return fmt.Errorf("demo: police area %s: %w", p.ID, err)
		}
	}
	fmt.Fprintf(w, "demo: %d police areas\n", len(PoliceAreas))
	return nil
}
