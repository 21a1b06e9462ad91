package api

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/geo"
	"github.com/trygg-gis/trygg/postgis"
)

// Limits of a walk and of one observations request.
const (
	maxRoutePoints  = 20_000
	maxAreaPoints   = 5_000
	maxObservations = 1_000
)

// Safety walks (trygghetsvandringar), their observations and actions (åtgärder).
//
// A walk is read and written as a GeoJSON Feature: the geometry is the route (a
// LineString, or null), and the properties hold the rest, with the route's times as
// route_times (RFC 3339, one per point) and the walked area as a GeoJSON Polygon. The
// plain form {"route": LineString, "title", …} is accepted too.

// walkFields are a walk's fields, at the top level of the plain form or in the
// properties of the Feature form.
type walkFields struct {
	Municipality string          `json:"municipality"`
	Title        string          `json:"title"`
	Area         json.RawMessage `json:"area"`
	RouteTimes   []string        `json:"route_times"`
	StartsAt     *string         `json:"starts_at"`
	EndsAt       *string         `json:"ends_at"`
	Dark         *bool           `json:"dark"`
	Organisers   []string        `json:"organisers"`
	Participants map[string]int  `json:"participants"`
	Status       string          `json:"status"`
	Notes        string          `json:"notes"`
	// The commitments the walk counts toward once done; left out, PUT keeps them.
	CommitmentIDs []string `json:"commitment_ids"`

	// Read-only, accepted so that a walk read with GET can be sent back with PUT.
	ID        *string         `json:"id"`
	CreatedAt json.RawMessage `json:"created_at"`
	UpdatedAt json.RawMessage `json:"updated_at"`
}

// walkInput is {"route": LineString, …fields} or a GeoJSON Feature.
type walkInput struct {
	Type       string          `json:"type"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
	Route      json.RawMessage `json:"route"`
	walkFields
}

// readBody checks that the body is JSON (415 otherwise) and reads it; the server's body
// limit applies (413), and the body must be UTF-8 (400 naming the member that is not).
func readJSONBody(r *http.Request) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return nil, httpError(http.StatusUnsupportedMediaType, "Content-Type", "send the body as application/json or application/geo+json")
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	return b, checkUTF8(b)
}

// decodeStrict is strictJSON with the Go name of an embedded struct taken out of the
// field a type error names ("walkFields.dark" is "dark").
func decodeEmbedded(b []byte, v any, embedded string) error {
	err := strictJSON(b, v)
	var se *statusError
	if errors.As(err, &se) && strings.HasPrefix(se.field, embedded+".") {
		return &statusError{status: se.status, field: strings.TrimPrefix(se.field, embedded+"."), msg: se.msg}
	}
	return err
}

// inField puts prefix in front of the field an error names: "features[2]." +
// "properties.feeling". An error about a whole object names the object.
func withFieldPrefix(err error, prefix string) error {
	var te *trygg.Error
	if errors.As(err, &te) {
		field := prefix + te.Field
		if te.Field == "" || te.Field == "body" {
			field = strings.TrimSuffix(prefix, ".")
		}
		return &trygg.Error{Code: te.Code, Field: field, Message: te.Message}
	}
	return prefixField(err, prefix)
}

// readWalk reads and checks a walk from the request body, each refusal naming its
// field. The id, if the body carries one, must be id; municipality is the walk's if the
// body names none.
func (s *Server) readWalk(r *http.Request, id, municipality string) (trygg.Walk, error) {
	var wk trygg.Walk
	body, err := readJSONBody(r)
	if err != nil {
		return wk, err
	}
	var kind struct {
		Type any `json:"type"`
	}
	if json.Unmarshal(body, &kind) == nil && kind.Type != nil && kind.Type != "Feature" {
		return wk, trygg.Errorf(trygg.EINVALID, "type", "type %v: send a walk as a GeoJSON Feature or a plain object", kind.Type)
	}
	var in walkInput
	if err := decodeEmbedded(body, &in, "walkFields"); err != nil {
		return wk, err
	}
	fields, route, routeField, prefix := in.walkFields, in.Route, "route", ""
	if in.Type == "Feature" {
		if len(in.Route) > 0 {
			return wk, trygg.Errorf(trygg.EINVALID, "route", "a Feature carries its route in geometry")
		}
		if in.Title != "" || in.Municipality != "" || len(in.RouteTimes) > 0 || len(in.Area) > 0 {
			return wk, trygg.Errorf(trygg.EINVALID, "properties", "a Feature carries its fields in properties")
		}
		if len(in.Properties) == 0 || string(in.Properties) == "null" {
			return wk, trygg.Errorf(trygg.EINVALID, "properties", "properties are missing")
		}
		fields = walkFields{ID: in.ID}
		if err := decodeEmbedded(in.Properties, &fields, "walkFields"); err != nil {
			return wk, prefixField(err, "properties.")
		}
		route, routeField, prefix = in.Geometry, "geometry", "properties."
	} else if len(in.Geometry) > 0 || len(in.Properties) > 0 {
		return wk, trygg.Errorf(trygg.EINVALID, "type", `geometry and properties need "type": "Feature"`)
	}
	if fields.ID != nil && id != "" && !strings.EqualFold(*fields.ID, id) {
		return wk, trygg.Errorf(trygg.EINVALID, "id", "the body is walk %q, the URL walk %q", *fields.ID, id)
	}
	if wk.Route, err = readWalkRoute(route, routeField); err != nil {
		return wk, err
	}
	if fields.Municipality == "" {
		fields.Municipality = municipality
	}
	if err := checkWalkFields(&wk, fields); err != nil {
		return wk, withFieldPrefix(err, prefix)
	}
	return wk, nil
}

// checkWalkFields checks and fills a walk's fields but its route, and then the whole
// walk.
func checkWalkFields(wk *trygg.Walk, f walkFields) error {
	var err error
	if wk.Area, err = readWalkArea(f.Area, "area"); err != nil {
		return err
	}
	switch {
	case len(f.RouteTimes) > 0 && len(wk.Route) == 0:
		return trygg.Errorf(trygg.EINVALID, "route_times", "route_times without a route")
	case len(f.RouteTimes) > 0 && len(f.RouteTimes) != len(wk.Route):
		return trygg.Errorf(trygg.EINVALID, "route_times", "the route has %d points but %d times", len(wk.Route), len(f.RouteTimes))
	}
	for i, v := range f.RouteTimes {
		field := fmt.Sprintf("route_times[%d]", i)
		t, err := parseRFC3339(v, field)
		if err != nil {
			return err
		}
		if i > 0 && t.Before(wk.RouteTimes[i-1]) {
			return trygg.Errorf(trygg.EINVALID, field, "%s is earlier than the time before it", field)
		}
		wk.RouteTimes = append(wk.RouteTimes, t)
	}
	if f.StartsAt != nil {
		t, err := parseRFC3339(*f.StartsAt, "starts_at")
		if err != nil {
			return err
		}
		wk.StartsAt = &t
	}
	if f.EndsAt != nil {
		t, err := parseRFC3339(*f.EndsAt, "ends_at")
		if err != nil {
			return err
		}
		wk.EndsAt = &t
	}
	wk.Municipality, wk.Title, wk.Dark, wk.Status = f.Municipality, f.Title, f.Dark, f.Status
	wk.Organisers, wk.Participants, wk.Notes, wk.CommitmentIDs = f.Organisers, f.Participants, f.Notes, f.CommitmentIDs
	if wk.Status == "" {
		wk.Status = trygg.WalkPlanned
	}
	for i, o := range wk.Organisers {
		wk.Organisers[i] = strings.TrimSpace(o)
	}
	if wk.Municipality == "" {
		return trygg.Errorf(trygg.EINVALID, "municipality", "municipality is missing: the SCB code of one you serve")
	}
	return wk.Validate()
}

func parseRFC3339(v, field string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return t, trygg.Errorf(trygg.EINVALID, field, "%q is not an RFC 3339 time such as 2026-11-20T19:00:00+01:00", v)
	}
	return t, nil
}

// readRoute decodes a GeoJSON LineString in WGS 84 inside Sweden; null or nothing is no
// route.
func readWalkRoute(raw json.RawMessage, field string) (orb.LineString, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	coords, err := readGeometryOf(raw, field, "LineString")
	if err != nil {
		return nil, err
	}
	var cs [][]float64
	if err := json.Unmarshal(coords, &cs); err != nil {
		return nil, trygg.Errorf(trygg.EINVALID, field+".coordinates", "a LineString's coordinates are [longitude, latitude] positions")
	}
	switch {
	case len(cs) < 2:
		return nil, trygg.Errorf(trygg.EINVALID, field+".coordinates", "a route needs at least two points")
	case len(cs) > maxRoutePoints:
		return nil, trygg.Errorf(trygg.EINVALID, field+".coordinates", "the route has %d points, at most %d are allowed", len(cs), maxRoutePoints)
	}
	line := make(orb.LineString, len(cs))
	for i, c := range cs {
		if line[i], err = point(c, field+".coordinates"); err != nil {
			return nil, err
		}
	}
	if err := inSweden(line, field, field+".coordinates", "GeoJSON positions are [longitude, latitude]"); err != nil {
		return nil, err
	}
	return line, nil
}

// readArea decodes a GeoJSON Polygon in WGS 84 inside Sweden (a walk's area may be
// larger than a report's); null or nothing is no area. PostGIS judges its validity.
func readWalkArea(raw json.RawMessage, field string) (orb.Polygon, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	coords, err := readGeometryOf(raw, field, "Polygon")
	if err != nil {
		return nil, err
	}
	var rings [][][]float64
	if err := json.Unmarshal(coords, &rings); err != nil {
		return nil, trygg.Errorf(trygg.EINVALID, field+".coordinates", "a Polygon's coordinates are rings of [longitude, latitude] positions")
	}
	poly := make(orb.Polygon, len(rings))
	for i, ring := range rings {
		for _, c := range ring {
			p, err := point(c, field+".coordinates")
			if err != nil {
				return nil, err
			}
			poly[i] = append(poly[i], p)
		}
	}
	if n := geo.Points(poly); n > maxAreaPoints {
		return nil, trygg.Errorf(trygg.EINVALID, field+".coordinates", "the area has %d points, at most %d are allowed", n, maxAreaPoints)
	}
	if err := geo.CheckPolygonal(poly); err != nil {
		return nil, trygg.Errorf(trygg.EINVALID, field+".coordinates", "%s", strings.TrimPrefix(err.Error(), "geo: "))
	}
	if geo.SelfIntersects(poly) {
		return nil, trygg.Errorf(trygg.EINVALID, field+".coordinates", "the polygon's edges cross each other")
	}
	if err := inSweden(poly, field, field+".coordinates", "GeoJSON positions are [longitude, latitude]"); err != nil {
		return nil, err
	}
	return poly, nil
}

// readGeometry decodes a GeoJSON geometry object of the given type and returns its
// coordinates.
func readGeometryOf(raw json.RawMessage, field, typ string) (json.RawMessage, error) {
	var g geometryInput
	if err := strictJSON(raw, &g); err != nil {
		return nil, prefixField(err, field+".")
	}
	switch {
	case len(g.CRS) > 0:
		return nil, trygg.Errorf(trygg.EINVALID, field+".crs", "crs is not allowed: GeoJSON coordinates are WGS 84 longitude, latitude (RFC 7946)")
	case g.Type == "":
		return nil, trygg.Errorf(trygg.EINVALID, field+".type", "the geometry's type is missing")
	case g.Type != typ:
		return nil, trygg.Errorf(trygg.EINVALID, field+".type", "%s is a GeoJSON %s, not a %s", field, typ, g.Type)
	case len(g.Coordinates) == 0 || string(g.Coordinates) == "null":
		return nil, trygg.Errorf(trygg.EINVALID, field+".coordinates", "coordinates are missing")
	}
	return g.Coordinates, nil
}

// walkProperties are a walk's properties in its GeoJSON Feature.
type walkProperties struct {
	ID            string          `json:"id"`
	Municipality  string          `json:"municipality"`
	Title         string          `json:"title"`
	Area          json.RawMessage `json:"area"`
	RouteTimes    []time.Time     `json:"route_times,omitempty"`
	StartsAt      *time.Time      `json:"starts_at"`
	EndsAt        *time.Time      `json:"ends_at"`
	Dark          *bool           `json:"dark"`
	Organisers    []string        `json:"organisers"`
	Participants  map[string]int  `json:"participants"`
	Status        string          `json:"status"`
	Notes         string          `json:"notes"`
	CommitmentIDs []string        `json:"commitment_ids"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

// appendWalk appends a walk as a GeoJSON Feature whose geometry is its route.
func appendWalk(b []byte, wk trygg.Walk) ([]byte, error) {
	p := walkProperties{ID: wk.ID, Municipality: wk.Municipality, Title: wk.Title, Area: json.RawMessage("null"),
		RouteTimes: wk.RouteTimes, StartsAt: wk.StartsAt, EndsAt: wk.EndsAt, Dark: wk.Dark,
		Organisers: wk.Organisers, Participants: wk.Participants, Status: wk.Status, Notes: wk.Notes,
		CommitmentIDs: wk.CommitmentIDs, CreatedAt: wk.CreatedAt, UpdatedAt: wk.UpdatedAt}
	if p.CommitmentIDs == nil {
		p.CommitmentIDs = []string{}
	}
	if len(wk.Area) > 0 {
		p.Area = appendGeometry(nil, wk.Area)
	}
	if p.Organisers == nil {
		p.Organisers = []string{}
	}
	if p.Participants == nil {
		p.Participants = map[string]int{}
	}
	var route orb.Geometry
	if len(wk.Route) > 0 {
		route = wk.Route
	}
	return appendFeature(b, wk.ID, route, p)
}

func writeWalk(w http.ResponseWriter, status int, wk trygg.Walk) error {
	b, err := appendWalk(nil, wk)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeBytes(w, status, contentTypeGeoJSON, append(b, '\n'))
}

// municipalityParam reads ?municipality=: a code the caller serves, or "".
func servedMunicipalityParam(r *http.Request) (string, error) {
	m := r.URL.Query().Get("municipality")
	switch {
	case m == "":
	case !trygg.ValidMunicipalityCode(m):
		return "", trygg.Errorf(trygg.EINVALID, "municipality", "municipality=%q is not an SCB code such as 1470", m)
	case !trygg.CallerFrom(r.Context()).Serves(m):
		return "", trygg.Errorf(trygg.EFORBIDDEN, "municipality", "you do not serve municipality %q", m)
	}
	return m, nil
}

// handleWalks answers GET /api/v1/walks?municipality=: the walks of the caller's
// municipalities as a FeatureCollection, latest first.
func (s *Server) handleWalks(w http.ResponseWriter, r *http.Request) error {
	m, err := servedMunicipalityParam(r)
	if err != nil {
		return err
	}
	ws, err := s.db.Walks(r.Context(), m)
	if err != nil {
		return err
	}
	b, err := featureCollection(len(ws), func(b []byte, i int) ([]byte, error) { return appendWalk(b, ws[i]) })
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeBytes(w, http.StatusOK, contentTypeGeoJSON, b)
}

// handleCreateWalk answers POST /api/v1/walks: a new walk in a municipality the caller
// serves (the only one, if municipality is left out).
func (s *Server) handleCreateWalk(w http.ResponseWriter, r *http.Request) error {
	var only string
	if ms := trygg.CallerFrom(r.Context()).User.Municipalities; len(ms) == 1 {
		only = ms[0]
	}
	wk, err := s.readWalk(r, "", only)
	if err != nil {
		return err
	}
	out, err := s.db.CreateWalk(r.Context(), wk)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/walks/"+out.ID)
	return writeWalk(w, http.StatusCreated, out)
}

// handleWalk answers GET /api/v1/walks/{id}.
func (s *Server) handleWalk(w http.ResponseWriter, r *http.Request) error {
	wk, err := s.db.Walk(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return writeWalk(w, http.StatusOK, wk)
}

// handleUpdateWalk answers PUT /api/v1/walks/{id}: the walk's fields are replaced
// (those left out are emptied); its municipality stays.
func (s *Server) handleUpdateWalk(w http.ResponseWriter, r *http.Request) error {
	before, err := s.db.Walk(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	wk, err := s.readWalk(r, before.ID, before.Municipality)
	if err != nil {
		return err
	}
	if wk.Municipality != before.Municipality {
		return trygg.Errorf(trygg.EINVALID, "municipality", "a walk stays in its municipality (%s)", before.Municipality)
	}
	wk.ID = before.ID
	out, err := s.db.UpdateWalk(r.Context(), wk)
	if err != nil {
		return err
	}
	return writeWalk(w, http.StatusOK, out)
}

// observationFields are an observation's fields: a report's, without contact data.
type observationFields struct {
	Category    string   `json:"category"`
	Categories  []string `json:"categories"` // every reason, the main one first
	Feeling     *int     `json:"feeling"`
	When        []string `json:"when"`
	Description string   `json:"description"`
	Precision   string   `json:"precision"`
	ObservedAt  *string  `json:"observed_at"`
	Source      string   `json:"source"` // walk, or left out
}

// observationInput is one observation, {"location": geometry, …fields} or a GeoJSON
// Feature.
type observationInput struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
	Location   json.RawMessage `json:"location"`
	observationFields
}

// readObservation reads one observation with the report checks (readLocation,
// checkFields); prefix goes in front of the fields errors name. It returns where the
// observation's place was ("location" or "geometry"), for refusals by the store.
func (s *Server) readObservation(r *http.Request, raw []byte, prefix string) (trygg.Report, string, error) {
	var rep trygg.Report
	var in observationInput
	if err := decodeEmbedded(raw, &in, "observationFields"); err != nil {
		return rep, "", withFieldPrefix(err, prefix)
	}
	fields, loc, locField, fieldsPrefix := in.observationFields, in.Location, "location", prefix
	switch {
	case in.Type == "Feature":
		if len(in.Location) > 0 {
			return rep, "", trygg.Errorf(trygg.EINVALID, prefix+"location", "a Feature carries its place in geometry, not location")
		}
		if fields.Category != "" || fields.Categories != nil || fields.Feeling != nil {
			return rep, "", trygg.Errorf(trygg.EINVALID, prefix+"properties", "a Feature carries its fields in properties")
		}
		if len(in.Properties) == 0 || string(in.Properties) == "null" {
			return rep, "", trygg.Errorf(trygg.EINVALID, prefix+"properties", "properties are missing")
		}
		fields = observationFields{}
		if err := decodeEmbedded(in.Properties, &fields, "observationFields"); err != nil {
			return rep, "", withFieldPrefix(err, prefix+"properties.")
		}
		loc, locField, fieldsPrefix = in.Geometry, "geometry", prefix+"properties."
	case in.Type != "":
		return rep, "", trygg.Errorf(trygg.EINVALID, prefix+"type", "type %q: an observation is a GeoJSON Feature or a plain object with location", in.Type)
	case len(in.Geometry) > 0 || len(in.Properties) > 0:
		return rep, "", trygg.Errorf(trygg.EINVALID, prefix+"type", `geometry and properties need "type": "Feature"`)
	}
	if fields.Source != "" && fields.Source != trygg.SourceWalk {
		return rep, "", trygg.Errorf(trygg.EINVALID, fieldsPrefix+"source", "observations of a walk have source walk")
	}
	var err error
	if rep.Location, err = readLocation(loc, prefix+locField); err != nil {
		return rep, "", err
	}
	f := reportFields{Category: fields.Category, Categories: fields.Categories, Feeling: fields.Feeling, When: fields.When, Description: fields.Description,
		Source: trygg.SourceWalk, Precision: fields.Precision, ObservedAt: fields.ObservedAt}
	if err := s.checkFields(r, &rep, f); err != nil {
		return rep, "", withFieldPrefix(err, fieldsPrefix)
	}
	return rep, prefix + locField, nil
}

// handleAddObservations answers POST /api/v1/walks/{id}/observations: one observation
// (a plain object with location, or a GeoJSON Feature) or a GeoJSON FeatureCollection
// of them, each checked as a report is. They are stored all or nothing, as reports of
// source walk, published; every refused one is listed with its index. With an
// Idempotency-Key (a phone sending its queue again), a request repeating one the walk
// has stored answers the same ids (Idempotent-Replayed: true) and stores nothing.
func (s *Server) handleAddObservations(w http.ResponseWriter, r *http.Request) error {
	id := mux.Vars(r)["id"]
	key, err := idempotencyKey(r)
	if err != nil {
		return err
	}
	body, err := readJSONBody(r)
	if err != nil {
		return err
	}
	var kind struct {
		Type     any             `json:"type"`
		Features json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(body, &kind); err != nil {
		return jsonProblem(err)
	}
	var obs []trygg.Report
	var places []string // the field of each observation's place
	var refused []Refusal
	var first error
	if kind.Type == "FeatureCollection" {
		var fc struct {
			Type     string            `json:"type"`
			Features []json.RawMessage `json:"features"`
			BBox     json.RawMessage   `json:"bbox"`
		}
		if err := strictJSON(body, &fc); err != nil {
			return err
		}
		switch {
		case len(fc.Features) == 0:
			return trygg.Errorf(trygg.EINVALID, "features", "the FeatureCollection has no features")
		case len(fc.Features) > maxObservations:
			return trygg.Errorf(trygg.EINVALID, "features", "%d observations, at most %d at once", len(fc.Features), maxObservations)
		}
		for i, raw := range fc.Features {
			prefix := fmt.Sprintf("features[%d].", i)
			var t struct {
				Type any `json:"type"`
			}
			if jerr := json.Unmarshal(raw, &t); jerr != nil {
				err = trygg.Errorf(trygg.EINVALID, strings.TrimSuffix(prefix, "."), "a feature is a GeoJSON Feature object")
			} else if t.Type != "Feature" {
				err = trygg.Errorf(trygg.EINVALID, prefix+"type", "the features of a FeatureCollection are GeoJSON Features")
			} else {
				var rep trygg.Report
				var place string
				if rep, place, err = s.readObservation(r, raw, prefix); err == nil {
					obs, places = append(obs, rep), append(places, place)
					continue
				}
			}
			if first == nil {
				first = err
			}
			refused = append(refused, Refusal{Feature: &i, Field: refusalField(err), Detail: refusalDetail(err)})
		}
		if first != nil {
			return writeObservationProblem(w, r, first, refused)
		}
	} else {
		rep, place, err := s.readObservation(r, body, "")
		if err != nil {
			return err
		}
		obs, places = []trygg.Report{rep}, []string{place}
	}

	hash := sha256.Sum256(body)
	added, rejected, err := s.db.AddObservationsOnce(r.Context(), id, postgis.ObservationKey{Key: key, RequestHash: hash[:]}, obs)
	if err != nil {
		return err
	}
	if len(rejected) > 0 {
		for _, rj := range rejected {
			refused = append(refused, Refusal{Feature: &rj.Index, Field: places[rj.Index], Detail: rj.Reason})
		}
		first = trygg.Errorf(trygg.EUNPROCESSABLE, refused[0].Field, "%s", refused[0].Detail)
		if len(obs) == 1 && kind.Type != "FeatureCollection" {
			return first
		}
		return writeObservationProblem(w, r, first, refused)
	}
	w.Header().Set("Location", "/api/v1/walks/"+id+"/observations")
	w.Header().Set("Cache-Control", "no-store")
	if added.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	return writeJSON(w, http.StatusCreated, "application/json", map[string]any{"walk_id": id, "ids": added.IDs})
}

// problemField and problemDetail are what a problem for err says.
func refusalField(err error) string {
	var se *statusError
	if errors.As(err, &se) {
		return se.field
	}
	return trygg.ErrorField(err)
}

func refusalDetail(err error) string {
	var se *statusError
	if errors.As(err, &se) {
		return se.msg
	}
	return trygg.ErrorMessage(err)
}

// writeObservationProblem answers a refused FeatureCollection: the first refusal's
// status, and every refusal. Nothing was stored.
func writeObservationProblem(w http.ResponseWriter, r *http.Request, first error, refused []Refusal) error {
	p, internal := problemFor(first, r)
	if internal {
		return first
	}
	return writeRefused(w, r, p.Status, refused)
}

// handleObservations answers GET /api/v1/walks/{id}/observations: the walk's
// observations as staff see them, oldest first.
func (s *Server) handleObservations(w http.ResponseWriter, r *http.Request) error {
	wk, err := s.db.Walk(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	rs, err := s.db.Observations(r.Context(), wk.ID)
	if err != nil {
		return err
	}
	return writeStaffReports(w, r, http.StatusOK, rs)
}

// actionInput is a new action.
type actionInput struct {
	ReportID    string  `json:"report_id"`
	WalkID      string  `json:"walk_id"`
	Description string  `json:"description"`
	OwnerOrg    string  `json:"owner_org"`
	OwnerText   string  `json:"owner_text"`
	DueOn       *string `json:"due_on"`
	Status      string  `json:"status"`
	Feedback    string  `json:"feedback"`
	// Targets and fields of the åtgärdsplan (migration 00026).
	HotspotID      string   `json:"hotspot_id"`
	PlaceID        string   `json:"place_id"`
	CommitmentIDs  []string `json:"commitment_ids"`
	ExpectedEffect string   `json:"expected_effect"`
	FollowUpOn     *string  `json:"follow_up_on"`
}

// checkCommitmentIDs checks a list of commitment ids (each a UUID, normalized).
func checkCommitmentIDs(ids []string) ([]string, error) {
	out := make([]string, len(ids))
	for i, id := range ids {
		v, err := idInput(id, fmt.Sprintf("commitment_ids[%d]", i))
		if err != nil {
			return nil, err
		}
		if v == "" {
			return nil, trygg.Errorf(trygg.EINVALID, fmt.Sprintf("commitment_ids[%d]", i), "a commitment id is empty")
		}
		out[i] = v
	}
	return out, nil
}

// idField reads an id in the body: "" stays "", anything else must be a UUID.
func idInput(v, field string) (string, error) {
	if v == "" {
		return "", nil
	}
	u, err := uuid.Parse(v)
	if err != nil || len(v) != 36 {
		return "", trygg.Errorf(trygg.EINVALID, field, "%s %q is not an id", field, v)
	}
	return u.String(), nil
}

func dateInput(v, field string) (*trygg.Date, error) {
	d, err := trygg.ParseDate(v)
	if err != nil {
		return nil, trygg.Errorf(trygg.EINVALID, field, "%s %q is not a date such as 2026-12-01", field, v)
	}
	return &d, nil
}

// handleCreateAction answers POST /api/v1/actions: an action on an observation
// (report_id) or a walk (walk_id) the caller sees, with an owner (owner_org, an
// organisation id, or owner_text) and a due date.
func (s *Server) handleCreateAction(w http.ResponseWriter, r *http.Request) error {
	var in actionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a := trygg.Action{Description: in.Description, OwnerOrg: strings.TrimSpace(in.OwnerOrg), OwnerText: in.OwnerText,
		Status: in.Status, Feedback: in.Feedback, CommitmentIDs: in.CommitmentIDs}
	var err error
	if a.ReportID, err = idInput(in.ReportID, "report_id"); err != nil {
		return err
	}
	if a.WalkID, err = idInput(in.WalkID, "walk_id"); err != nil {
		return err
	}
	if a.HotspotID, err = idInput(in.HotspotID, "hotspot_id"); err != nil {
		return err
	}
	if a.PlaceID, err = idInput(in.PlaceID, "place_id"); err != nil {
		return err
	}
	if a.CommitmentIDs, err = checkCommitmentIDs(in.CommitmentIDs); err != nil {
		return err
	}
	a.ExpectedEffect = in.ExpectedEffect
	if in.DueOn != nil {
		if a.DueOn, err = dateInput(*in.DueOn, "due_on"); err != nil {
			return err
		}
	}
	if in.FollowUpOn != nil {
		if a.FollowUpOn, err = dateInput(*in.FollowUpOn, "follow_up_on"); err != nil {
			return err
		}
	}
	out, err := s.db.CreateAction(r.Context(), a)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/actions/"+out.ID)
	return writeAction(w, http.StatusCreated, out)
}

func writeAction(w http.ResponseWriter, status int, a trygg.Action) error {
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, status, "application/json", a)
}

// handleAction answers GET /api/v1/actions/{id}.
func (s *Server) handleAction(w http.ResponseWriter, r *http.Request) error {
	a, err := s.db.Action(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return writeAction(w, http.StatusOK, a)
}

// handleUpdateAction answers PATCH /api/v1/actions/{id}: the fields sent change
// (description, owner_org, owner_text, due_on, status, feedback, commitment_ids); null clears
// owner_org, owner_text and due_on.
func (s *Server) handleUpdateAction(w http.ResponseWriter, r *http.Request) error {
	var in map[string]json.RawMessage
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var u postgis.ActionUpdate
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the same input names the same field first
	for _, k := range keys {
		raw := in[k]
		if k == "commitment_ids" {
			ids, err := commitmentIDsInput(raw)
			if err != nil {
				return err
			}
			u.CommitmentIDs = &ids
			continue
		}
		var v *string
		if err := json.Unmarshal(raw, &v); err != nil {
			return trygg.Errorf(trygg.EINVALID, k, "%s must be a string or null", k)
		}
		clear := v == nil
		if clear {
			v = new(string)
		}
		if clear && (k == "description" || k == "status") {
			return trygg.Errorf(trygg.EINVALID, k, "%s cannot be null", k)
		}
		switch k {
		case "description":
			u.Description = v
		case "status":
			u.Status = v
		case "feedback":
			u.Feedback = v
		case "owner_org":
			*v = strings.TrimSpace(*v)
			u.OwnerOrg = v
		case "owner_text":
			u.OwnerText = v
		case "due_on":
			u.DueOn = &trygg.Date{}
			if !clear {
				d, err := dateInput(*v, "due_on")
				if err != nil {
					return err
				}
				u.DueOn = d
			}
		case "expected_effect":
			u.ExpectedEffect = v
		case "follow_up_on":
			u.FollowUpOn = &trygg.Date{}
			if !clear {
				d, err := dateInput(*v, "follow_up_on")
				if err != nil {
					return err
				}
				u.FollowUpOn = d
			}
		case "report_id", "walk_id", "hotspot_id", "place_id":
			return trygg.Errorf(trygg.EINVALID, k, "an action's %s does not change: make a new action", k)
		default:
			return httpError(http.StatusBadRequest, k, fmt.Sprintf("unknown field %q", k))
		}
	}
	a, err := s.db.UpdateAction(r.Context(), mux.Vars(r)["id"], u)
	if err != nil {
		return err
	}
	return writeAction(w, http.StatusOK, a)
}

var actionStatuses = []string{trygg.ActionOpen, trygg.ActionInProgress, trygg.ActionDone, trygg.ActionRejected}

// handleActions answers GET /api/v1/actions?overdue=&status=&walk=&report=&municipality=&limit=:
// the actions of the caller's municipalities, soonest due first.
func (s *Server) handleActions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f postgis.ActionFilter
	var err error
	if f.Municipality, err = servedMunicipalityParam(r); err != nil {
		return err
	}
	if v := q.Get("overdue"); v != "" {
		if f.Overdue, err = strconv.ParseBool(v); err != nil {
			return trygg.Errorf(trygg.EINVALID, "overdue", "overdue=%q is not true or false", v)
		}
	}
	for _, st := range commaList(q["status"]) {
		if !slices.Contains(actionStatuses, st) {
			return trygg.Errorf(trygg.EINVALID, "status", "status %q is not one of %s", st, strings.Join(actionStatuses, ", "))
		}
		f.Statuses = append(f.Statuses, st)
	}
	if f.WalkID, err = idInput(q.Get("walk"), "walk"); err != nil {
		return err
	}
	if f.ReportID, err = idInput(q.Get("report"), "report"); err != nil {
		return err
	}
	if f.Limit, err = intParam(q.Get("limit"), "limit", 1, 1000, 1000); err != nil {
		return err
	}
	as, err := s.db.Actions(r.Context(), f)
	if err != nil {
		return err
	}
	if as == nil {
		as = []trygg.Action{}
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{"actions": as})
}

// list splits comma-separated and repeated values, dropping empty ones.
func commaList(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
