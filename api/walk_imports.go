package api

import (
	"mime"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/trygg-gis/trygg/importer"
)

// Walk imports: the files a safety walk brings, read and checked by importer as
// trygg import walk reads them. PUT /api/v1/walks/{id}/route takes a GPX track or a
// GeoJSON LineString; POST /api/v1/walks/{id}/observations/import takes observations
// as CSV or GeoJSON. A refused file is a problem whose field names the first refusal
// ("line 7: känsla", "line 31: trkpt", "feature 2: properties.feeling") and whose
// errors list every refusal, up to maxImportRefusals; nothing is stored.

// importFormat returns the file format a request's Content-Type names, from formats
// (media type → format), or a 415 error saying what to send.
func importFormat(r *http.Request, formats map[string]string, want string) (string, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err == nil {
		if f, ok := formats[mt]; ok {
			return f, nil
		}
	}
	return "", httpError(http.StatusUnsupportedMediaType, "Content-Type", "send "+want)
}

var routeFormats = map[string]string{
	"application/gpx+xml":  importer.FormatGPX,
	"application/xml":      importer.FormatGPX,
	"text/xml":             importer.FormatGPX,
	"application/geo+json": importer.FormatGeoJSON,
	"application/json":     importer.FormatGeoJSON,
}

// importedRoute is the answer to a route import.
type importedRoute struct {
	WalkID    string     `json:"walk_id"`
	Format    string     `json:"format"`
	Kind      string     `json:"kind"` // track, route (GPX) or LineString
	Points    int        `json:"points"`
	Segments  int        `json:"segments"`
	Timed     bool       `json:"timed"`
	FirstTime *time.Time `json:"first_time"`
	LastTime  *time.Time `json:"last_time"`
}

// handleImportRoute answers PUT /api/v1/walks/{id}/route: the body is a GPX file
// (application/gpx+xml or application/xml) or GeoJSON (application/geo+json or
// application/json), and its route, with times when it has them, replaces the walk's.
func (s *Server) handleImportRoute(w http.ResponseWriter, r *http.Request) error {
	format, err := importFormat(r, routeFormats, "the route as application/gpx+xml (GPX) or application/geo+json (GeoJSON)")
	if err != nil {
		return err
	}
	ctx := r.Context()
	wk, err := s.db.Walk(ctx, mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	rt, errs, err := importer.ReadRoute(r.Body, format)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		refused := make([]Refusal, len(errs))
		for i, e := range errs {
			refused[i] = Refusal{Line: e.Line, Field: e.Field, Detail: e.Reason}
		}
		return writeRefused(w, r, http.StatusBadRequest, refused)
	}
	wk.Route, wk.RouteTimes = rt.Line, rt.Times
	release, err := s.gates.imports.enter(ctx) // the file is read: only the store's work waits
	if err != nil {
		return err
	}
	wk, err = s.db.UpdateWalk(ctx, wk)
	release()
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "application/json", importedRoute{WalkID: wk.ID, Format: rt.Format, Kind: rt.Kind,
		Points: len(wk.Route), Segments: rt.Segments, Timed: len(wk.RouteTimes) > 0, FirstTime: rt.Start(), LastTime: rt.End()})
}

var observationFormats = map[string]string{
	"text/csv":             importer.FormatCSV,
	"application/csv":      importer.FormatCSV,
	"application/geo+json": importer.FormatGeoJSON,
	"application/json":     importer.FormatGeoJSON,
}

// importedObservations is the answer to an observations import.
type importedObservations struct {
	WalkID   string   `json:"walk_id"`
	Format   string   `json:"format"`
	Read     int      `json:"read"`
	Imported int      `json:"imported"`
	IDs      []string `json:"ids"`
	// NearBoundary counts observations outside every boundary that the boundary
	// tolerance placed in the walk's municipality.
	NearBoundary int `json:"near_boundary"`
}

// handleImportObservations answers POST /api/v1/walks/{id}/observations/import: the
// body is CSV (text/csv) or a GeoJSON FeatureCollection (application/geo+json) of
// observations, each checked as a report is and stored, all or nothing, as a published
// report of source walk.
func (s *Server) handleImportObservations(w http.ResponseWriter, r *http.Request) error {
	format, err := importFormat(r, observationFormats, "the observations as text/csv or application/geo+json")
	if err != nil {
		return err
	}
	ctx := r.Context()
	wk, err := s.db.Walk(ctx, mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	cats, err := s.db.Categories(ctx)
	if err != nil {
		return err
	}
	obs, err := importer.ReadObservations(r.Body, format, cats)
	if err != nil {
		return err
	}
	status := http.StatusBadRequest
	var ids []string
	if len(obs.Errors) == 0 {
		release, err := s.gates.imports.enter(ctx)
		if err != nil {
			return err
		}
		ids, err = importer.AddObservations(ctx, s.db, wk.ID, &obs)
		release()
		if err != nil {
			return err
		}
		status = http.StatusUnprocessableEntity // the store refuses only places outside the walk's municipality
	}
	if len(obs.Errors) > 0 {
		return writeRefused(w, r, status, recordRefusals(obs.Errors))
	}
	near, err := s.db.NearBoundary(ctx, ids)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/walks/"+wk.ID+"/observations")
	return writeJSON(w, http.StatusCreated, "application/json",
		importedObservations{WalkID: wk.ID, Format: obs.Format, Read: obs.Read, Imported: len(ids), IDs: ids, NearBoundary: near})
}
