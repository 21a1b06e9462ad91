package api

import (
	"net/http"

	"github.com/gorilla/mux"
	"github.com/trygg-gis/trygg"
)

// municipalityProperties are the GeoJSON properties of a municipality.
type municipalityProperties struct {
	Code        string                `json:"code"`
	Name        string                `json:"name"`
	PoliceAreas []trygg.PoliceAreaRef `json:"police_areas"`
	// BBox is the boundary's extent [west, south, east, north], so a client can open
	// its map on the municipality without reading the geometry.
	BBox [4]float64 `json:"bbox"`
}

// appendMunicipality appends m as a GeoJSON Feature with its code as id.
func appendMunicipality(b []byte, m trygg.Municipality) ([]byte, error) {
	areas := m.PoliceAreas
	if areas == nil {
		areas = []trygg.PoliceAreaRef{}
	}
	bb := m.Boundary.Bound()
	return appendFeature(b, m.Code, m.Boundary, municipalityProperties{m.Code, m.Name, areas,
		[4]float64{bb.Min[0], bb.Min[1], bb.Max[0], bb.Max[1]}})
}

// handleMunicipalities answers GET /api/v1/municipalities with an RFC 7946
// FeatureCollection of every municipality.
func (s *Server) handleMunicipalities(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.db.Municipalities(r.Context())
	if err != nil {
		return err
	}
	b := append(make([]byte, 0, 64<<10), `{"type":"FeatureCollection","features":[`...)
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = appendMunicipality(b, m); err != nil {
			return err
		}
	}
	return writeBytes(w, http.StatusOK, contentTypeGeoJSON, append(b, "]}\n"...))
}

// handleMunicipality answers GET /api/v1/municipalities/{code} with one Feature.
func (s *Server) handleMunicipality(w http.ResponseWriter, r *http.Request) error {
	code := mux.Vars(r)["code"]
	if !trygg.ValidMunicipalityCode(code) {
		return trygg.Errorf(trygg.EINVALID, "code", "municipality code %q is not four digits (SCB code, e.g. 1470)", code)
	}
	m, err := s.db.Municipality(r.Context(), code)
	if err != nil {
		return err
	}
	b, err := appendMunicipality(nil, *m)
	if err != nil {
		return err
	}
	return writeBytes(w, http.StatusOK, contentTypeGeoJSON, append(b, '\n'))
}
