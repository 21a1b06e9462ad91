package api

import (
	"net/http"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb/geojson"
	"github.com/trygg-gis/trygg"
)

// municipalityFeature is the GeoJSON form of a municipality.
func municipalityFeature(m trygg.Municipality) *geojson.Feature {
	f := geojson.NewFeature(m.Boundary)
	f.ID = m.Code
	areas := m.PoliceAreas
	if areas == nil {
		areas = []trygg.PoliceAreaRef{}
	}
	f.Properties = geojson.Properties{"code": m.Code, "name": m.Name, "police_areas": areas}
	return f
}

// handleMunicipalities answers GET /api/v1/municipalities with an RFC 7946
// FeatureCollection of every municipality.
func (s *Server) handleMunicipalities(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.db.Municipalities(r.Context())
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, m := range ms {
		fc.Append(municipalityFeature(m))
	}
	return writeJSON(w, http.StatusOK, contentTypeGeoJSON, fc)
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
	return writeJSON(w, http.StatusOK, contentTypeGeoJSON, municipalityFeature(*m))
}
