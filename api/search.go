package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// handleSearch answers GET /api/v1/search?q=&near=lon,lat&municipality=&limit=: places,
// streets, addresses and stops of the gazetteer matching q (prefix or fuzzy, any word
// order), best first, as a GeoJSON FeatureCollection of points. Public, rate-limited
// per client address.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	query, err := trygg.NormalizeSearch(v.Get("q"))
	if err != nil {
		return err
	}
	sq := postgis.SearchQuery{Q: query, Limit: trygg.DefaultSearchLimit}
	if near := v.Get("near"); near != "" {
		p, err := parseLonLat(near, "near")
		if err != nil {
			return err
		}
		sq.Near = &p
	}
	if m := v.Get("municipality"); m != "" {
		if !trygg.ValidMunicipalityCode(m) {
			return trygg.Errorf(trygg.EINVALID, "municipality", "municipality %q is not an SCB code of four digits (e.g. 1470)", m)
		}
		sq.Municipality = m
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > trygg.MaxSearchLimit {
			return trygg.Errorf(trygg.EINVALID, "limit", "limit=%q must be a whole number from 1 to %d", l, trygg.MaxSearchLimit)
		}
		sq.Limit = n
	}
	if err := s.db.Take(r.Context(), limit(bucketSearch, s.clientIP(r), s.opts.SearchRate)); err != nil {
		return limited(err)
	}
	es, err := s.db.Search(r.Context(), sq)
	if err != nil {
		return err
	}
	b, err := featureCollection(len(es), func(b []byte, i int) ([]byte, error) {
		e := es[i]
		return appendFeature(b, e.Source+":"+e.SourceID, e.Location, searchHit{Name: e.Name, Kind: e.Kind, Label: e.Label,
			Municipality: e.Municipality, Street: e.Street, Housenumber: e.Housenumber, Postcode: e.Postcode, Locality: e.Locality})
	})
	if err != nil {
		return err
	}
	return writeBytes(w, http.StatusOK, contentTypeGeoJSON, b)
}

// searchHit is the properties of a search hit.
type searchHit struct {
	Name         string `json:"name"`
	Kind         string `json:"kind"`
	Label        string `json:"label"`
	Municipality string `json:"municipality"`
	Street       string `json:"street,omitempty"`
	Housenumber  string `json:"housenumber,omitempty"`
	Postcode     string `json:"postcode,omitempty"`
	Locality     string `json:"locality,omitempty"`
}

// handleReverse answers GET /api/v1/search/reverse?lon=&lat=: the place label a report
// at that point gets and the municipality it belongs to ({label, municipality,
// municipality_name}; empty strings when there is none). Public, rate-limited like search.
func (s *Server) handleReverse(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	lon, err := floatParam(v.Get("lon"), "lon", -180, 180)
	if err != nil {
		return err
	}
	lat, err := floatParam(v.Get("lat"), "lat", -90, 90)
	if err != nil {
		return err
	}
	if err := s.db.Take(r.Context(), limit(bucketSearch, s.clientIP(r), s.opts.SearchRate)); err != nil {
		return limited(err)
	}
	rev, err := s.db.ReverseGeocode(r.Context(), orb.Point{lon, lat})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "application/json", rev)
}

// parseLonLat reads "lon,lat" in decimal degrees, or an EINVALID error naming field.
func parseLonLat(v, field string) (orb.Point, error) {
	lonS, latS, ok := strings.Cut(v, ",")
	lon, okLon := trygg.ParseDecimal(strings.TrimSpace(lonS))
	lat, okLat := trygg.ParseDecimal(strings.TrimSpace(latS))
	if !ok || !okLon || !okLat || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return orb.Point{}, trygg.Errorf(trygg.EINVALID, field, "%s=%q must be lon,lat in decimal degrees (e.g. 12.95,58.26)", field, v)
	}
	return orb.Point{lon, lat}, nil
}
