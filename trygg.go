// Package trygg holds Trygg's domain types and their validation. It imports neither the
// database nor HTTP: the PostGIS store lives in postgis/, the HTTP API in api/, file
// imports in importer/ and pure spatial computation in geo/.
package trygg

import (
	"regexp"
	"strings"

	"github.com/paulmach/orb"
)

// Version is the build's version, set with -ldflags "-X github.com/trygg-gis/trygg.Version=…".
var Version = "dev"

// Municipality is a Swedish kommun, the tenant unit of Trygg. Code is the SCB code
// ("1470" for Vara); Boundary is in WGS 84 (EPSG:4326).
type Municipality struct {
	Code        string
	Name        string
	Boundary    orb.MultiPolygon
	PoliceAreas []PoliceAreaRef
}

// PoliceAreaRef names the police area (lokalpolisområde) a municipality belongs to.
type PoliceAreaRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// PoliceArea is a lokalpolisområde (LPO) and the municipalities it serves.
type PoliceArea struct {
	ID                string
	Name              string
	Region            string
	MunicipalityCodes []string
}

var (
	municipalityCodeRE = regexp.MustCompile(`^[0-9]{4}$`)
	policeAreaIDRE     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// ValidMunicipalityCode reports whether code has the form of an SCB municipality code.
func ValidMunicipalityCode(code string) bool { return municipalityCodeRE.MatchString(code) }

// Validate checks the fields of m that need no spatial computation.
func (m *Municipality) Validate() error {
	switch {
	case m.Code == "":
		return Errorf(EINVALID, "code", "municipality code is missing")
	case !ValidMunicipalityCode(m.Code):
		return Errorf(EINVALID, "code", "municipality code %q is not four digits", m.Code)
	case strings.TrimSpace(m.Name) == "":
		return Errorf(EINVALID, "name", "municipality name is missing")
	case len(m.Boundary) == 0:
		return Errorf(EINVALID, "boundary", "municipality boundary is empty")
	}
	return nil
}

// Validate checks a police area.
func (p *PoliceArea) Validate() error {
	switch {
	case !policeAreaIDRE.MatchString(p.ID):
		return Errorf(EINVALID, "id", "police area id %q must be lowercase letters, digits and dashes", p.ID)
	case strings.TrimSpace(p.Name) == "":
		return Errorf(EINVALID, "name", "police area name is missing")
	case strings.TrimSpace(p.Region) == "":
		return Errorf(EINVALID, "region", "police area region is missing")
	case len(p.MunicipalityCodes) == 0:
		return Errorf(EINVALID, "municipalities", "police area %s serves no municipality", p.ID)
	}
	for _, c := range p.MunicipalityCodes {
		if !ValidMunicipalityCode(c) {
			return Errorf(EINVALID, "municipalities", "municipality code %q is not four digits", c)
		}
	}
	return nil
}

// Rejection is one input record refused by a validation, with its position in the
// input (0-based feature index or 1-based line, as the importer says) and why.
type Rejection struct {
	Index  int    `json:"index"`
	Code   string `json:"code,omitempty"`
	Reason string `json:"reason"`
}

// ImportSummary counts what an all-or-nothing import did. When Rejected is not empty
// nothing was written.
type ImportSummary struct {
	Inserted       int            `json:"inserted"`
	Updated        int            `json:"updated"`
	Unchanged      int            `json:"unchanged"`
	Rejected       []Rejection    `json:"rejected,omitempty"`
	ByMunicipality map[string]int `json:"by_municipality,omitempty"` // records inserted per municipality code
	// NearBoundary counts records outside every boundary that were placed in the nearest
	// municipality within the boundary tolerance (report_municipality, migration 22).
	NearBoundary int `json:"near_boundary,omitempty"`
}
