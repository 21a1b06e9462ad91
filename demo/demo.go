// Package demo loads Trygg's demo data: the five municipalities of the promise
// documents in ../shared/seeds (Vara, Vetlanda, Varberg, Lidköping, Mariestad) with
// their real SCB boundaries and their police areas (Load), and their organisations with
// one staff account per role (LoadUsers). Both are idempotent.
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
	"github.com/trygg-gis/trygg/auth"
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
	// The five medborgarlöften with their commitments and demo activities
	// (demo/promises.go), when the store keeps promises; silently, so that Load's
	// report stays the same.
	if ps, ok := store.(PromiseStore); ok {
		if err := LoadPromises(ctx, ps, nil); err != nil {
			return err
		}
	}
	return nil
}

// Organisations are the demo municipalities' administrations and their police areas.
func Organisations() []trygg.Organisation {
	names := map[string]string{"1470": "Vara", "0685": "Vetlanda", "1383": "Varberg", "1494": "Lidköping", "1493": "Mariestad"}
	var orgs []trygg.Organisation
	for _, code := range Municipalities {
		orgs = append(orgs, trygg.Organisation{ID: "kommun-" + code, Kind: trygg.OrgMunicipality,
			Name: names[code] + " kommun", MunicipalityCode: code})
	}
	for _, p := range PoliceAreas {
		orgs = append(orgs, trygg.Organisation{ID: p.ID, Kind: trygg.OrgPoliceArea, Name: p.Name, PoliceAreaID: p.ID})
	}
	return orgs
}

// UserStore is what creating the demo users needs of the store.
type UserStore interface {
	UpsertOrganisation(ctx context.Context, o trygg.Organisation) error
	UserByEmail(ctx context.Context, email string) (trygg.User, error)
	CreateUser(ctx context.Context, email string, role trygg.Role, orgID, passwordHash string, demo bool) (trygg.User, error)
}

// DemoEmail is the e-mail address of the demo user with this role in this organisation.
func DemoEmail(role trygg.Role, orgID string) string {
	return fmt.Sprintf("%s@%s.demo.trygg.se", role, orgID)
}

// LoadUsers creates the demo organisations and one demo user per role and
// organisation (admin, planner and moderator in each municipality; admin and police in
// each police area). Each new user gets a random password, printed to w this once;
// users that exist are left alone. Demo users are marked so that a production server
// refuses to start while any is enabled.
func LoadUsers(ctx context.Context, store UserStore, w io.Writer) error {
	if w == nil {
		w = io.Discard
	}
	header := false
	for _, o := range Organisations() {
		if err := store.UpsertOrganisation(ctx, o); err != nil {
			return fmt.Errorf("demo: organisation %s: %w", o.ID, err)
		}
		for _, role := range trygg.Roles {
			if !trygg.RoleAllowed(o.Kind, role) {
				continue
			}
			email := DemoEmail(role, o.ID)
			if _, err := store.UserByEmail(ctx, email); err == nil {
				continue
			} else if trygg.ErrorCode(err) != trygg.ENOTFOUND {
				return fmt.Errorf("demo: user %s: %w", email, err)
			}
			password := auth.NewPassword()
			hash, err := auth.HashPassword(password)
			if err != nil {
				return err
			}
			if _, err := store.CreateUser(ctx, email, role, o.ID, hash, true); err != nil {
				return fmt.Errorf("demo: user %s: %w", email, err)
			}
			if !header {
				fmt.Fprintln(w, "demo: staff accounts, FOR DEMONSTRATION ONLY (passwords are shown this once):")
				header = true
			}
			fmt.Fprintf(w, "  %-52s %s\n", email, password)
		}
	}
	return nil
}
