package api

import (
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/importer"
)

// Walk imports: the files a safety walk brings, read and checked by importer as
// trygg import walk reads them. PUT /api/v1/walks/{id}/route takes a GPX track or a
// GeoJSON LineString; POST /api/v1/walks/{id}/observations/import takes observations
// as CSV or GeoJSON. A refused file is a problem whose field names the first refusal
// ("line 7: känsla", "line 31: trkpt", "feature 2: properties.feeling") and whose
// errors list every refusal, up to maxImportRefusals; nothing is stored.

// maxImportRefusals is how many refusals a problem lists.
const maxImportRefusals = 100

// importRefusal is one refused record of an imported file.
type importRefusal struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// importProblem is a problem listing the refusals of a file.
type importProblem struct {
	Problem
	Errors     []importRefusal `json:"errors"`
	ErrorCount int             `json:"error_count"`
}

// writeImportProblem answers a refused file: status and code, the first refusal's
// field, and the refusals.
func writeImportProblem(w http.ResponseWriter, r *http.Request, code string, refused []importRefusal, first string) error {
	status := statusOf[code]
	p := importProblem{
		Problem: Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Instance: r.URL.Path,
			Code: code, Field: refused[0].Field,
			Detail: fmt.Sprintf("%s in the file, nothing was stored; the first: %s", importErrorCount(len(refused)), first)},
		Errors:     refused[:min(len(refused), maxImportRefusals)],
		ErrorCount: len(refused),
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, status, "application/problem+json", p)
}

// importErrorCount says "1 error" or "3 errors".
func importErrorCount(n int) string {
	if n == 1 {
		return "1 error"
	}
	return fmt.Sprintf("%d errors", n)
}

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
		refused := make([]importRefusal, len(errs))
		for i, e := range errs {
			refused[i] = importRefusal{Field: e.Where(), Detail: e.Reason}
		}
		return writeImportProblem(w, r, trygg.EINVALID, refused, errs[0].Error())
	}
	wk.Route, wk.RouteTimes = rt.Line, rt.Times
	if wk, err = s.db.UpdateWalk(ctx, wk); err != nil {
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
	code := trygg.EINVALID
	var ids []string
	if len(obs.Errors) == 0 {
		if ids, err = importer.AddObservations(ctx, s.db, wk.ID, &obs); err != nil {
			return err
		}
		code = trygg.EUNPROCESSABLE // the store refuses only places outside the walk's municipality
	}
	if len(obs.Errors) > 0 {
		refused := make([]importRefusal, len(obs.Errors))
		for i, e := range obs.Errors {
			refused[i] = importRefusal{Field: e.Where(), Detail: e.Reason}
		}
		return writeImportProblem(w, r, code, refused, obs.Errors[0].Error())
	}
	w.Header().Set("Location", "/api/v1/walks/"+wk.ID+"/observations")
	return writeJSON(w, http.StatusCreated, "application/json",
		importedObservations{WalkID: wk.ID, Format: obs.Format, Read: obs.Read, Imported: len(ids), IDs: ids})
}
