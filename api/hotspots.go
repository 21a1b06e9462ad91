package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/geo"
	"github.com/trygg-gis/trygg/hotspot"
	"github.com/trygg-gis/trygg/postgis"
)

// Hotspot analysis (package hotspot): ad hoc analyses for the map, saved runs, and
// named places kept from hotspots.

// hotspotQuery reads, normalizes and checks an analysis from v for the caller: the
// public gets the public view (published reports at their public positions, classes
// only where at least the default minimum count of reports lies); staff their
// municipalities, under row-level security.
func (s *Server) hotspotQuery(r *http.Request, v url.Values) (trygg.HotspotQuery, error) {
	q, err := hotspot.ParseQuery(v)
	if err != nil {
		return q, err
	}
	c := trygg.CallerFrom(r.Context())
	if c == nil {
		if err := s.db.Take(r.Context(), limit(bucketHotspot, s.clientIP(r), s.opts.HotspotRate)); err != nil {
			return q, limited(err)
		}
		q.Public = true
		q.MinCount = max(q.MinCount, trygg.DefaultMinCount)
	} else if q.Municipality != "" && !c.Serves(q.Municipality) {
		return q, trygg.Errorf(trygg.EFORBIDDEN, "municipality", "you do not serve municipality %q", q.Municipality)
	}
	if q.Municipality == "" && q.BBox == nil && c != nil && len(c.User.Municipalities) == 1 {
		q.Municipality = c.User.Municipalities[0]
	}
	q.Normalize(time.Now())
	if q.Period == "" && q.Method == trygg.MethodGi {
		q.Period = trygg.PeriodMonth // trends and emerging patterns by default
	}
	cats, err := s.db.Categories(r.Context())
	if err != nil {
		return q, err
	}
	if err := q.Check(cats); err != nil {
		return q, err
	}
	if q.Municipality != "" {
		if _, err := s.db.Municipality(r.Context(), q.Municipality); err != nil {
			return q, err
		}
	}
	return q, nil
}

// hotspotParams is the query as the response shows it (hotspot.Parameters).
func hotspotParams(q trygg.HotspotQuery) map[string]any { return hotspot.Parameters(q) }

type hotspotFeature struct {
	Type       string            `json:"type"`
	Geometry   *geojson.Geometry `json:"geometry"`
	Properties any               `json:"properties"`
}

func polygonGeometry(p orb.Polygon) *geojson.Geometry {
	if len(p) == 0 {
		return nil
	}
	return geojson.NewGeometry(p)
}

// handleHotspots answers GET /api/v1/hotspots: the ranked hotspots as a GeoJSON
// FeatureCollection, with the parameters used and a summary.
//
// cells=significant (or all) adds the grid's cells with a class (or every cell) as a
// member "cells", a FeatureCollection: a map that draws both reads them from one
// analysis instead of running it twice.
func (s *Server) handleHotspots(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	cells := v.Get("cells")
	delete(v, "cells")
	switch cells {
	case "", "significant", "all":
	default:
		return trygg.Errorf(trygg.EINVALID, "cells", "cells %q is not significant or all", cells)
	}
	q, err := s.hotspotQuery(r, v)
	if err != nil {
		return err
	}
	release, err := s.gates.analyses.enter(r.Context())
	if err != nil {
		return err
	}
	defer release()
	res, err := hotspot.Run(r.Context(), s.db, q)
	if err != nil {
		return err
	}
	features := make([]hotspotFeature, len(res.Hotspots))
	for i, h := range res.Hotspots {
		features[i] = hotspotFeature{Type: "Feature", Geometry: polygonGeometry(h.Polygon), Properties: h}
	}
	hot, cold := 0, 0
	for _, c := range res.Cells {
		switch {
		case c.Class > 0:
			hot++
		case c.Class < 0:
			cold++
		}
	}
	steps := map[string]int64{}
	for k, d := range res.Steps {
		steps[k] = d.Milliseconds()
	}
	summary := map[string]any{"reports": res.Reports, "hotspots": len(res.Hotspots), "took_ms": res.Took.Milliseconds(), "steps_ms": steps,
		"unknown_time": res.UnknownTime}
	if q.Method == trygg.MethodGi {
		summary["cells"], summary["hot_cells"], summary["cold_cells"] = len(res.Cells), hot, cold
		summary["periods"] = len(res.Periods)
		summary["band"] = res.Band
	}
	out := map[string]any{"type": "FeatureCollection", "features": features,
		"parameters": hotspotParams(res.Query), "summary": summary}
	if cells != "" {
		cf, err := s.cellFeatures(r, q, res, cells == "significant")
		if err != nil {
			return err
		}
		out["cells"] = map[string]any{"type": "FeatureCollection", "features": cf}
	}
	release() // before writing to a client that may read slowly
	cacheControl(w, q.Public)
	return writeJSON(w, http.StatusOK, contentTypeGeoJSON, out)
}

// cellFeatures are the cells of res (only those with a class when significant) as
// GeoJSON features with their polygons.
func (s *Server) cellFeatures(r *http.Request, q trygg.HotspotQuery, res *hotspot.Result, significant bool) ([]hotspotFeature, error) {
	cells := res.Cells
	if significant {
		cells = nil
		for _, c := range res.Cells {
			if c.Class != 0 {
				cells = append(cells, c)
			}
		}
	}
	polys, err := s.db.HotspotCellPolygons(r.Context(), q, cellsOf(cells))
	if err != nil {
		return nil, err
	}
	features := make([]hotspotFeature, len(cells))
	for i, c := range cells {
		features[i] = hotspotFeature{Type: "Feature", Geometry: polygonGeometry(polys[c.Cell]), Properties: cellOf(c, q)}
	}
	return features, nil
}

func cacheControl(w http.ResponseWriter, public bool) {
	if public {
		w.Header().Set("Cache-Control", "public, max-age=60")
	} else {
		w.Header().Set("Cache-Control", "private, no-store")
	}
}

// cellProperties is a grid cell as the API shows it.
type cellProperties struct {
	I       int     `json:"i"`
	J       int     `json:"j"`
	Value   float64 `json:"value"`
	Count   int     `json:"count"`
	Z       float64 `json:"z"`
	P       float64 `json:"p"`
	Class   int     `json:"class"`
	Pattern string  `json:"pattern,omitempty"`
}

// handleHotspotCells answers GET /api/v1/hotspots/cells: every cell of a Gi* analysis
// with its value, z, p and class, for a map of the whole grid.
//
// significant=true keeps only the cells with a class (hot or cold), for a map that
// draws nothing else: a municipality's grid is tens of thousands of cells.
func (s *Server) handleHotspotCells(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	significant := false
	if sv, ok := v["significant"]; ok {
		b, err := strconv.ParseBool(sv[0])
		if err != nil {
			return trygg.Errorf(trygg.EINVALID, "significant", "significant %q is not true or false", sv[0])
		}
		significant = b
		delete(v, "significant")
	}
	q, err := s.hotspotQuery(r, v)
	if err != nil {
		return err
	}
	if q.Method != trygg.MethodGi {
		return trygg.Errorf(trygg.EINVALID, "method", "cells come from method gi only")
	}
	release, err := s.gates.analyses.enter(r.Context())
	if err != nil {
		return err
	}
	defer release()
	res, err := hotspot.Run(r.Context(), s.db, q)
	if err != nil {
		return err
	}
	features, err := s.cellFeatures(r, q, res, significant)
	if err != nil {
		return err
	}
	release() // before writing to a client that may read slowly
	cacheControl(w, q.Public)
	return writeJSON(w, http.StatusOK, contentTypeGeoJSON, map[string]any{
		"type": "FeatureCollection", "features": features, "parameters": hotspotParams(res.Query)})
}

func cellsOf(cs []hotspot.Cell) []postgis.Cell {
	out := make([]postgis.Cell, len(cs))
	for i, c := range cs {
		out[i] = c.Cell
	}
	return out
}

// cellOf is a cell's properties; the public sees no numbers of a cell with fewer
// reports than the minimum count.
func cellOf(c hotspot.Cell, q trygg.HotspotQuery) cellProperties {
	c = hotspot.PublicCell(c, q)
	return cellProperties{I: c.I, J: c.J, Value: c.Value, Count: c.Count, Z: c.Z, P: c.P, Class: c.Class, Pattern: c.Pattern}
}

type runInput struct {
	Name   string            `json:"name"`
	Public bool              `json:"public"`
	Query  map[string]string `json:"query"`
}

// handleCreateHotspotRun answers POST /api/v1/hotspot-runs: runs the analysis of the
// body's query (parameters as GET /api/v1/hotspots takes them, as strings) in one
// municipality and saves it with its cells and hotspots; a public run is computed from
// the public's view and is what the public tiles show. 201 with the run.
func (s *Server) handleCreateHotspotRun(w http.ResponseWriter, r *http.Request) error {
	var in runInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := trygg.CheckText("name", in.Name, 200); err != nil {
		return err
	}
	v := url.Values{}
	for k, val := range in.Query {
		v.Set(k, val)
	}
	q, err := s.hotspotQuery(r, v)
	if err != nil {
		return err
	}
	if q.Municipality == "" {
		return trygg.Errorf(trygg.EINVALID, "query.municipality", "a saved run belongs to one municipality: give query.municipality")
	}
	q.Public = in.Public
	if q.Public {
		q.MinCount = max(q.MinCount, trygg.DefaultMinCount)
	}
	release, err := s.gates.analyses.enter(r.Context())
	if err != nil {
		return err
	}
	defer release()
	run, err := hotspot.SaveRun(r.Context(), s.db, q, in.Name, "")
	if err != nil {
		return err
	}
	release() // before writing to a client that may read slowly
	w.Header().Set("Location", "/api/v1/hotspot-runs/"+run.ID)
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, "application/json", run)
}

// handleHotspotRuns answers GET /api/v1/hotspot-runs?municipality=: saved runs, the
// newest first.
func (s *Server) handleHotspotRuns(w http.ResponseWriter, r *http.Request) error {
	muni, err := servedMunicipality(r, false)
	if err != nil {
		return err
	}
	runs, err := s.db.HotspotRuns(r.Context(), muni)
	if err != nil {
		return err
	}
	if runs == nil {
		runs = []postgis.HotspotRun{}
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{"runs": runs})
}

// handleHotspotRun answers GET /api/v1/hotspot-runs/{id}.
func (s *Server) handleHotspotRun(w http.ResponseWriter, r *http.Request) error {
	run, err := s.db.HotspotRun(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, "application/json", run)
}

type placeInput struct {
	Name         string           `json:"name"`
	HotspotID    string           `json:"hotspot_id"`
	Municipality string           `json:"municipality"`
	Geometry     *json.RawMessage `json:"geometry"`
}

// placeFeature is a place as GeoJSON.
func placeFeature(p postgis.Place) hotspotFeature {
	return hotspotFeature{Type: "Feature", Geometry: polygonGeometry(p.Polygon), Properties: p}
}

// handleCreatePlace answers POST /api/v1/places: a named place, kept from a saved
// hotspot (hotspot_id) or drawn (municipality and a GeoJSON Polygon). 201 with it.
func (s *Server) handleCreatePlace(w http.ResponseWriter, r *http.Request) error {
	var in placeInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := trygg.CheckText("name", in.Name, 200); err != nil {
		return err
	}
	p := &postgis.Place{Name: in.Name, HotspotID: in.HotspotID, Municipality: in.Municipality}
	switch {
	case in.HotspotID != "" && in.Geometry != nil:
		return trygg.Errorf(trygg.EINVALID, "geometry", "give hotspot_id or geometry, not both")
	case in.HotspotID == "" && in.Geometry == nil:
		return trygg.Errorf(trygg.EINVALID, "hotspot_id", "give hotspot_id (a saved hotspot) or geometry (a GeoJSON Polygon)")
	case in.Geometry != nil:
		if !trygg.CallerFrom(r.Context()).Serves(in.Municipality) {
			return trygg.Errorf(trygg.EFORBIDDEN, "municipality", "you do not serve municipality %q", in.Municipality)
		}
		g, err := geojson.UnmarshalGeometry(*in.Geometry)
		if err != nil {
			return trygg.Errorf(trygg.EINVALID, "geometry", "geometry is not GeoJSON: %v", err)
		}
		poly, ok := g.Geometry().(orb.Polygon)
		if !ok {
			return trygg.Errorf(trygg.EINVALID, "geometry", "geometry must be a Polygon, not %s", g.Type)
		}
		if err := geo.CheckPolygonal(poly); err != nil {
			return trygg.Errorf(trygg.EINVALID, "geometry", "%v", err)
		}
		if err := trygg.CheckInSweden(poly, "geometry", "geometry", "GeoJSON positions are [longitude, latitude]"); err != nil {
			return err
		}
		p.Polygon = poly
	}
	if err := s.db.CreatePlace(r.Context(), p); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/places/"+p.ID)
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, contentTypeGeoJSON, placeFeature(*p))
}

// handlePlaces answers GET /api/v1/places?municipality=: the named places as GeoJSON.
func (s *Server) handlePlaces(w http.ResponseWriter, r *http.Request) error {
	muni, err := servedMunicipality(r, false)
	if err != nil {
		return err
	}
	ps, err := s.db.Places(r.Context(), muni)
	if err != nil {
		return err
	}
	features := make([]hotspotFeature, len(ps))
	for i, p := range ps {
		features[i] = placeFeature(p)
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, contentTypeGeoJSON, map[string]any{"type": "FeatureCollection", "features": features})
}

// handlePlace answers GET /api/v1/places/{id}.
func (s *Server) handlePlace(w http.ResponseWriter, r *http.Request) error {
	p, err := s.db.Place(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, contentTypeGeoJSON, placeFeature(p))
}
