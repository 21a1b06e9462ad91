package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// Medborgarlöften (promises), their commitments, the activities that count toward
// them and the follow-up (uppföljning), staff's and the public's. Promises and
// follow-ups are JSON with places' geometries as GeoJSON; activities are GeoJSON
// Features whose geometry is their place.

// commitmentPlaceInput is a place a commitment names: a geometry, a named place, or both.
type commitmentPlaceInput struct {
	Name        string          `json:"name"`
	PlaceID     string          `json:"place_id"`
	GazetteerID int64           `json:"gazetteer_id"`
	Geometry    json.RawMessage `json:"geometry"`
}

type commitmentInput struct {
	Position     int                    `json:"position"`
	Party        string                 `json:"party"`
	PartyName    string                 `json:"party_name"`
	FocusArea    string                 `json:"focus_area"`
	ActivityKind string                 `json:"activity_kind"`
	Text         string                 `json:"text"`
	Target       *int                   `json:"target"`
	Done         bool                   `json:"done"`
	DoneReason   string                 `json:"done_reason"`
	OutdoorsOnly bool                   `json:"outdoors_only"`
	Places       []commitmentPlaceInput `json:"places"`
}

type promiseInput struct {
	Municipality string            `json:"municipality"`
	Title        string            `json:"title"`
	PoliceAreas  []string          `json:"police_areas"`
	OtherParties []string          `json:"other_parties"`
	PeriodStart  string            `json:"period_start"`
	PeriodEnd    string            `json:"period_end"`
	SignedOn     *string           `json:"signed_on"`
	Signatories  []trygg.Signatory `json:"signatories"`
	FocusAreas   []string          `json:"focus_areas"`
	Summary      string            `json:"summary"`
	Situation    string            `json:"situation"`
	Status       string            `json:"status"`
	Published    bool              `json:"published"`
	Commitments  []commitmentInput `json:"commitments"`
}

type activityInput struct {
	Municipality    string          `json:"municipality"`
	Kind            string          `json:"kind"`
	Party           string          `json:"party"`
	StartsAt        *string         `json:"starts_at"`
	DurationMinutes int             `json:"duration_minutes"`
	Count           int             `json:"count"`
	Geometry        json.RawMessage `json:"geometry"`
	PlaceID         string          `json:"place_id"`
	Notes           string          `json:"notes"`
	CommitmentIDs   []string        `json:"commitment_ids"`
}

func parseDay(v, field string) (trygg.Date, error) {
	d, err := trygg.ParseDate(v)
	if err != nil {
		return d, trygg.Errorf(trygg.EINVALID, field, "%q is not a date such as 2026-12-01", v)
	}
	return d, nil
}

// readPlaceGeometry decodes a GeoJSON Point, LineString or Polygon in WGS 84 inside
// Sweden; null or nothing is none.
func readPlaceGeometry(raw json.RawMessage, field string) (orb.Geometry, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var kind struct {
		Type json.RawMessage `json:"type"`
	}
	if err := json.Unmarshal(raw, &kind); err != nil {
		return nil, trygg.Errorf(trygg.EINVALID, field, "%s is a GeoJSON Point, LineString or Polygon", field)
	}
	var typ string
	_ = json.Unmarshal(kind.Type, &typ)
	switch typ {
	case "Point":
		return readLocation(raw, field)
	case "LineString":
		return readWalkRoute(raw, field)
	case "Polygon":
		return readWalkArea(raw, field)
	case "":
		return nil, trygg.Errorf(trygg.EINVALID, field+".type", "the geometry's type is missing")
	}
	return nil, trygg.Errorf(trygg.EINVALID, field+".type", "a place is a Point, a LineString or a Polygon, not a %s", typ)
}

func readCommitment(in commitmentInput, prefix string) (trygg.Commitment, error) {
	c := trygg.Commitment{Position: in.Position, Party: in.Party, PartyName: in.PartyName, FocusArea: in.FocusArea,
		ActivityKind: in.ActivityKind, Text: in.Text, Target: in.Target, Done: in.Done, DoneReason: in.DoneReason,
		OutdoorsOnly: in.OutdoorsOnly}
	for i, p := range in.Places {
		f := fmt.Sprintf("%splaces[%d]", prefix, i)
		g, err := readPlaceGeometry(p.Geometry, f+".geometry")
		if err != nil {
			return c, err
		}
		c.Places = append(c.Places, trygg.CommitmentPlace{Name: p.Name, PlaceID: p.PlaceID, GazetteerID: p.GazetteerID, Geometry: g})
	}
	if err := c.Validate(); err != nil {
		return c, withFieldPrefix(err, prefix)
	}
	return c, nil
}

func (s *Server) readPromise(r *http.Request) (trygg.Promise, error) {
	var p trygg.Promise
	body, err := readJSONBody(r)
	if err != nil {
		return p, err
	}
	var in promiseInput
	if err := strictJSON(body, &in); err != nil {
		return p, err
	}
	if in.Municipality == "" {
		if ms := trygg.CallerFrom(r.Context()).User.Municipalities; len(ms) == 1 {
			in.Municipality = ms[0]
		} else {
			return p, trygg.Errorf(trygg.EINVALID, "municipality", "municipality is missing: the SCB code of one you serve")
		}
	}
	p = trygg.Promise{Municipality: in.Municipality, Title: in.Title, PoliceAreas: in.PoliceAreas,
		OtherParties: in.OtherParties, Signatories: in.Signatories, FocusAreas: in.FocusAreas, Summary: in.Summary,
		Situation: in.Situation, Status: in.Status, Published: in.Published}
	if in.PeriodStart == "" {
		return p, trygg.Errorf(trygg.EINVALID, "period_start", "period_start is missing")
	}
	if p.PeriodStart, err = parseDay(in.PeriodStart, "period_start"); err != nil {
		return p, err
	}
	if in.PeriodEnd == "" {
		return p, trygg.Errorf(trygg.EINVALID, "period_end", "period_end is missing")
	}
	if p.PeriodEnd, err = parseDay(in.PeriodEnd, "period_end"); err != nil {
		return p, err
	}
	if in.SignedOn != nil {
		d, err := parseDay(*in.SignedOn, "signed_on")
		if err != nil {
			return p, err
		}
		p.SignedOn = &d
	}
	if p.Status == "" {
		p.Status = trygg.PromiseDraft
	}
	if err := p.Validate(); err != nil {
		return p, err
	}
	for i, ci := range in.Commitments {
		c, err := readCommitment(ci, fmt.Sprintf("commitments[%d].", i))
		if err != nil {
			return p, err
		}
		p.Commitments = append(p.Commitments, c)
	}
	return p, nil
}

// Output shapes: places carry their geometry as GeoJSON.

type placeOut struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	PlaceID  string          `json:"place_id,omitempty"`
	Geometry json.RawMessage `json:"geometry"`
	// GazetteerID is the gazetteer entry the place was named from.
	GazetteerID int64 `json:"gazetteer_id,omitempty"`
}

type commitmentOut struct {
	trygg.Commitment
	Places []placeOut `json:"places"`
}

func outCommitment(c trygg.Commitment) commitmentOut {
	out := commitmentOut{Commitment: c, Places: []placeOut{}}
	for _, p := range c.Places {
		out.Places = append(out.Places, placeOut{ID: p.ID, Name: p.Name, PlaceID: p.PlaceID, GazetteerID: p.GazetteerID,
			Geometry: appendGeometry(nil, p.Geometry)})
	}
	return out
}

type promiseOut struct {
	trygg.Promise
	Commitments []commitmentOut `json:"commitments,omitempty"`
}

func outPromise(p trygg.Promise) promiseOut {
	out := promiseOut{Promise: p}
	if p.Commitments != nil {
		out.Commitments = []commitmentOut{}
	}
	for _, c := range p.Commitments {
		out.Commitments = append(out.Commitments, outCommitment(c))
	}
	return out
}

// activityOut is an activity in a follow-up, its place as GeoJSON.
type activityOut struct {
	ID              string          `json:"id"`
	Kind            string          `json:"kind"`
	Party           string          `json:"party"`
	StartsAt        time.Time       `json:"starts_at"`
	DurationMinutes int             `json:"duration_minutes"`
	Count           int             `json:"count"`
	Geometry        json.RawMessage `json:"geometry"`
	Planned         bool            `json:"planned,omitempty"` // has not started (staff only)
	PlaceID         string          `json:"place_id,omitempty"`
	Notes           *string         `json:"notes,omitempty"`
	CommitmentIDs   []string        `json:"commitment_ids,omitempty"`
	CreatedBy       string          `json:"created_by,omitempty"`
}

type commitmentFollowupOut struct {
	commitmentOut
	Progress   trygg.Progress           `json:"progress"`
	Activities []activityOut            `json:"activities"`
	Work       []trygg.WorkItem         `json:"work"`                 // every piece of work that counts (activity, walk, dialogue, camera, action)
	RiskDates  []trygg.RiskDateCoverage `json:"risk_dates,omitempty"` // campaigns against risk dates (api/calendar.go)
}

type followupOut struct {
	Promise     trygg.Promise           `json:"promise"`
	Today       trygg.Date              `json:"today"`
	Public      bool                    `json:"public"`
	Commitments []commitmentFollowupOut `json:"commitments"`
}

func outFollowup(f postgis.Followup, now time.Time) followupOut {
	f.Promise.Commitments = nil
	out := followupOut{Promise: f.Promise, Today: f.Today, Public: f.Public, Commitments: []commitmentFollowupOut{}}
	for _, c := range f.Commitments {
		co := commitmentFollowupOut{commitmentOut: outCommitment(c.Commitment), Progress: c.Progress, Activities: []activityOut{},
			Work: c.Work, RiskDates: c.RiskDates}
		if co.Work == nil {
			co.Work = []trygg.WorkItem{}
		}
		for _, a := range c.Activities {
			ao := activityOut{ID: a.ID, Kind: a.Kind, Party: a.Party, StartsAt: a.StartsAt, DurationMinutes: a.DurationMinutes,
				Count: a.Count, Geometry: appendGeometry(nil, a.Geometry)}
			if !f.Public {
				notes := a.Notes
				ao.Notes, ao.PlaceID, ao.CommitmentIDs, ao.CreatedBy = &notes, a.PlaceID, a.CommitmentIDs, a.CreatedBy
				ao.Planned = a.StartsAt.After(now)
			}
			co.Activities = append(co.Activities, ao)
		}
		out.Commitments = append(out.Commitments, co)
	}
	return out
}

// handlePromises answers GET /api/v1/promises?municipality=: the promises of the
// caller's municipalities, without their commitments.
func (s *Server) handlePromises(w http.ResponseWriter, r *http.Request) error {
	m, err := servedMunicipality(r, true)
	if err != nil {
		return err
	}
	ps, err := s.db.Promises(r.Context(), m)
	if err != nil {
		return err
	}
	out := make([]promiseOut, len(ps))
	for i, p := range ps {
		out[i] = outPromise(p)
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{"promises": out})
}

// handleCreatePromise answers POST /api/v1/promises: a new promise, with commitments
// if the body has them, in a municipality the caller serves.
func (s *Server) handleCreatePromise(w http.ResponseWriter, r *http.Request) error {
	p, err := s.readPromise(r)
	if err != nil {
		return err
	}
	out, err := s.db.CreatePromise(r.Context(), p)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/promises/"+out.ID)
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusCreated, "application/json", outPromise(out))
}

// handlePromise answers GET /api/v1/promises/{id}: the promise with its commitments.
func (s *Server) handlePromise(w http.ResponseWriter, r *http.Request) error {
	p, err := s.db.Promise(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, "application/json", outPromise(p))
}

// handleUpdatePromise answers PATCH /api/v1/promises/{id}: {"status", "published"}.
func (s *Server) handleUpdatePromise(w http.ResponseWriter, r *http.Request) error {
	body, err := readJSONBody(r)
	if err != nil {
		return err
	}
	var in struct {
		Status    *string `json:"status"`
		Published *bool   `json:"published"`
	}
	if err := strictJSON(body, &in); err != nil {
		return err
	}
	p, err := s.db.UpdatePromise(r.Context(), mux.Vars(r)["id"], postgis.PromiseUpdate{Status: in.Status, Published: in.Published})
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, "application/json", outPromise(p))
}

// handleAddCommitment answers POST /api/v1/promises/{id}/commitments.
func (s *Server) handleAddCommitment(w http.ResponseWriter, r *http.Request) error {
	body, err := readJSONBody(r)
	if err != nil {
		return err
	}
	var in commitmentInput
	if err := strictJSON(body, &in); err != nil {
		return err
	}
	c, err := readCommitment(in, "")
	if err != nil {
		return err
	}
	out, err := s.db.AddCommitment(r.Context(), mux.Vars(r)["id"], c)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/commitments/"+out.ID)
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusCreated, "application/json", outCommitment(out))
}

// handleCommitment answers GET /api/v1/commitments/{id}.
func (s *Server) handleCommitment(w http.ResponseWriter, r *http.Request) error {
	c, err := s.db.Commitment(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, "application/json", outCommitment(c))
}

// activityProperties are an activity's properties in its GeoJSON Feature.
type activityProperties struct {
	ID              string    `json:"id"`
	Municipality    string    `json:"municipality"`
	Kind            string    `json:"kind"`
	Party           string    `json:"party"`
	StartsAt        time.Time `json:"starts_at"`
	DurationMinutes int       `json:"duration_minutes"`
	Count           int       `json:"count"`
	PlaceID         string    `json:"place_id,omitempty"`
	Notes           string    `json:"notes"`
	CommitmentIDs   []string  `json:"commitment_ids"`
	CreatedBy       string    `json:"created_by,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
}

func appendActivity(b []byte, a trygg.Activity) ([]byte, error) {
	p := activityProperties{ID: a.ID, Municipality: a.Municipality, Kind: a.Kind, Party: a.Party, StartsAt: a.StartsAt,
		DurationMinutes: a.DurationMinutes, Count: a.Count, PlaceID: a.PlaceID, Notes: a.Notes, CommitmentIDs: a.CommitmentIDs,
		CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt}
	if p.CommitmentIDs == nil {
		p.CommitmentIDs = []string{}
	}
	return appendFeature(b, a.ID, a.Geometry, p)
}

// handleActivities answers GET /api/v1/activities?municipality=&promise_id=
// &commitment_id=&kind=&from=&to=&limit=: a FeatureCollection, latest first.
func (s *Server) handleActivities(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f postgis.ActivityFilter
	var err error
	if f.Municipality, err = servedMunicipality(r, true); err != nil {
		return err
	}
	f.PromiseID, f.CommitmentID = q.Get("promise_id"), q.Get("commitment_id")
	if f.Kind = q.Get("kind"); f.Kind != "" {
		if err := trygg.CheckActivityKind("kind", f.Kind); err != nil {
			return err
		}
	}
	for _, name := range []string{"from", "to"} {
		t, err := timeParam(q, name)
		if err != nil {
			return err
		}
		if !t.IsZero() {
			if name == "from" {
				f.From = &t
			} else {
				f.To = &t
			}
		}
	}
	if f.Limit, err = intParam(q.Get("limit"), "limit", 1, 10000, 1000); err != nil {
		return err
	}
	as, err := s.db.Activities(r.Context(), f)
	if err != nil {
		return err
	}
	b, err := featureCollection(len(as), func(b []byte, i int) ([]byte, error) { return appendActivity(b, as[i]) })
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeBytes(w, http.StatusOK, contentTypeGeoJSON, b)
}

// handleCreateActivity answers POST /api/v1/activities: {kind, party, starts_at,
// duration_minutes, geometry, place_id, notes, commitment_ids, municipality}.
func (s *Server) handleCreateActivity(w http.ResponseWriter, r *http.Request) error {
	body, err := readJSONBody(r)
	if err != nil {
		return err
	}
	var in activityInput
	if err := strictJSON(body, &in); err != nil {
		return err
	}
	a := trygg.Activity{Municipality: in.Municipality, Kind: in.Kind, Party: in.Party, DurationMinutes: in.DurationMinutes,
		Count: in.Count, PlaceID: in.PlaceID, Notes: in.Notes, CommitmentIDs: in.CommitmentIDs}
	if in.StartsAt == nil {
		return trygg.Errorf(trygg.EINVALID, "starts_at", "starts_at is missing: an RFC 3339 time")
	}
	if a.StartsAt, err = parseRFC3339(*in.StartsAt, "starts_at"); err != nil {
		return err
	}
	if a.Geometry, err = readPlaceGeometry(in.Geometry, "geometry"); err != nil {
		return err
	}
	if err := a.Validate(); err != nil {
		return err
	}
	if err := s.db.AddActivity(r.Context(), &a); err != nil {
		return err
	}
	b, err := appendActivity(nil, a)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/activities/"+a.ID)
	w.Header().Set("Cache-Control", "private, no-store")
	return writeBytes(w, http.StatusCreated, contentTypeGeoJSON, append(b, '\n'))
}

// handleActivity answers GET /api/v1/activities/{id} as a GeoJSON Feature.
func (s *Server) handleActivity(w http.ResponseWriter, r *http.Request) error {
	a, err := s.db.Activity(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	b, err := appendActivity(nil, a)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeBytes(w, http.StatusOK, contentTypeGeoJSON, append(b, '\n'))
}

// handleFollowup answers GET /api/v1/promises/{id}/followup: each commitment with its
// progress and its activities within the period (staff: notes, authors and planned
// activities too).
func (s *Server) handleFollowup(w http.ResponseWriter, r *http.Request) error {
	f, err := s.db.Followup(r.Context(), mux.Vars(r)["id"], false)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, "application/json", outFollowup(f, time.Now()))
}

// handlePublicFollowup answers GET /api/v1/public/promises/{id}/followup: the
// follow-up of a published promise for publishing, whoever asks: no notes, no
// authors, no activities that have not started.
func (s *Server) handlePublicFollowup(w http.ResponseWriter, r *http.Request) error {
	f, err := s.db.Followup(r.Context(), mux.Vars(r)["id"], true)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	return writeJSON(w, http.StatusOK, "application/json", outFollowup(f, time.Now()))
}

// handlePublicPromises answers GET /api/v1/public/promises?municipality=: the
// published promises.
func (s *Server) handlePublicPromises(w http.ResponseWriter, r *http.Request) error {
	m := r.URL.Query().Get("municipality")
	if m != "" && !trygg.ValidMunicipalityCode(m) {
		return trygg.Errorf(trygg.EINVALID, "municipality", "municipality=%q is not an SCB code such as 1470", m)
	}
	ps, err := s.db.PublicPromises(r.Context(), m)
	if err != nil {
		return err
	}
	out := make([]promiseOut, len(ps))
	for i, p := range ps {
		out[i] = outPromise(p)
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{"promises": out})
}
