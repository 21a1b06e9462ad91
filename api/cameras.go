package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// Camera surveillance register (kamerabevakning): camera sites, their lifecycle under
// the law in force on the day of operation (today: s.today, Options.Now), whether each
// may film today and why, what needs attention, and the hotspots they cover.
// A camera is read as a GeoJSON Feature whose geometry is its position; it is written
// as a plain object with position a GeoJSON Point and, when drawn by hand, view a
// GeoJSON Polygon (otherwise bearing, fov and range_m give the view sector).

// today is the day in Sweden by the server's clock (Options.Now).
func (s *Server) today() trygg.Date {
	if s.opts.Now != nil {
		return trygg.SwedishDay(s.opts.Now())
	}
	return trygg.SwedishDay(time.Now())
}

// cameraFields are a camera's writable fields.
type cameraFields struct {
	Municipality     string          `json:"municipality"`
	Name             string          `json:"name"`
	Position         json.RawMessage `json:"position"`
	HeightM          *float64        `json:"height_m"`
	Bearing          *float64        `json:"bearing"`
	FOV              *float64        `json:"fov"`
	RangeM           *float64        `json:"range_m"`
	View             json.RawMessage `json:"view"`
	PublicView       bool            `json:"public_view"`
	OperatorKind     string          `json:"operator_kind"`
	OperatorName     string          `json:"operator_name"`
	Purpose          string          `json:"purpose"`
	PlaceType        string          `json:"place_type"`
	PublicAccess     *bool           `json:"public_access"`
	Indoor           bool            `json:"indoor"`
	Audio            bool            `json:"audio"`
	RetentionDays    *int            `json:"retention_days"`
	SignageCheckedOn *day            `json:"signage_checked_on"`
	ReviewOn         *day            `json:"review_on"`
	DecisionOn       *day            `json:"decision_on"`
	PermitRef        string          `json:"permit_ref"`
	PermitConditions string          `json:"permit_conditions"`
	PermitExpiresOn  *day            `json:"permit_expires_on"`
	WeighingRef      string          `json:"weighing_ref"`
	DPIARef          string          `json:"dpia_ref"`
	CommitmentIDs    []string        `json:"commitment_ids"`
	OperatedFrom     *day            `json:"operated_from"`
	OperatedUntil    *day            `json:"operated_until"`
}

// day is a calendar day in JSON, YYYY-MM-DD (trygg.Date's JSON is its time.Time's).
type day string

func dayOf(d *trygg.Date) *day {
	if d == nil {
		return nil
	}
	s := day(d.Format(time.DateOnly))
	return &s
}

func (d *day) date(field string) (*trygg.Date, error) {
	if d == nil {
		return nil, nil
	}
	v, err := trygg.ParseDate(string(*d))
	if err != nil {
		return nil, trygg.Errorf(trygg.EINVALID, field, "%s %q is not a day such as 2026-12-01", field, string(*d))
	}
	return &v, nil
}

// attentionItem is a trygg.Attention in JSON.
type attentionItem struct {
	Reason string `json:"reason"`
	Code   string `json:"code,omitempty"` // the operation reason's code, for may-not-operate
	Detail string `json:"detail"`
	Due    *day   `json:"due,omitempty"`
}

func attentionItems(as []trygg.Attention) []attentionItem {
	out := make([]attentionItem, len(as))
	for i, a := range as {
		out[i] = attentionItem{Reason: a.Reason, Code: a.Code, Detail: a.Detail, Due: dayOf(a.Due)}
	}
	return out
}

// fieldsOf is the writable form of a stored camera (the base a PATCH changes).
func cameraFieldsOf(c trygg.Camera) cameraFields {
	f := cameraFields{Municipality: c.Municipality, Name: c.Name, HeightM: c.HeightM, Bearing: c.Bearing, FOV: c.FOV,
		RangeM: c.RangeM, PublicView: c.PublicView, OperatorKind: c.OperatorKind, OperatorName: c.OperatorName,
		Purpose: c.Purpose, PlaceType: c.PlaceType, PublicAccess: &c.PublicAccess, Indoor: c.Indoor, Audio: c.Audio,
		RetentionDays: &c.RetentionDays, SignageCheckedOn: dayOf(c.SignageChecked), ReviewOn: dayOf(c.ReviewOn),
		DecisionOn: dayOf(c.DecisionOn), PermitRef: c.PermitRef, PermitConditions: c.PermitConditions,
		PermitExpiresOn: dayOf(c.PermitExpires), WeighingRef: c.WeighingRef, DPIARef: c.DPIARef, CommitmentIDs: c.CommitmentIDs,
		OperatedFrom: dayOf(c.OperatedFrom), OperatedUntil: dayOf(c.OperatedUntil)}
	f.Position = appendGeometry(nil, c.Position)
	if c.ViewDrawn && len(c.View) > 0 {
		f.View = appendGeometry(nil, c.View)
	}
	return f
}

// camera checks the fields and makes a camera of them.
func (f cameraFields) camera() (trygg.Camera, error) {
	c := trygg.Camera{Municipality: f.Municipality, Name: f.Name, HeightM: f.HeightM, Bearing: f.Bearing, FOV: f.FOV,
		RangeM: f.RangeM, PublicView: f.PublicView, OperatorKind: f.OperatorKind, OperatorName: f.OperatorName,
		Purpose: f.Purpose, PlaceType: f.PlaceType, PublicAccess: true, Indoor: f.Indoor, Audio: f.Audio,
		RetentionDays: 30, PermitRef: f.PermitRef, PermitConditions: f.PermitConditions,
		WeighingRef: f.WeighingRef, DPIARef: f.DPIARef, CommitmentIDs: f.CommitmentIDs}
	if f.PublicAccess != nil {
		c.PublicAccess = *f.PublicAccess
	}
	var err error
	for _, d := range []struct {
		in    *day
		out   **trygg.Date
		field string
	}{{f.SignageCheckedOn, &c.SignageChecked, "signage_checked_on"}, {f.ReviewOn, &c.ReviewOn, "review_on"},
		{f.DecisionOn, &c.DecisionOn, "decision_on"}, {f.PermitExpiresOn, &c.PermitExpires, "permit_expires_on"},
		{f.OperatedFrom, &c.OperatedFrom, "operated_from"}, {f.OperatedUntil, &c.OperatedUntil, "operated_until"}} {
		if *d.out, err = d.in.date(d.field); err != nil {
			return c, err
		}
	}
	if f.RetentionDays != nil {
		c.RetentionDays = *f.RetentionDays
	}
	if len(f.Position) == 0 || string(f.Position) == "null" {
		return c, trygg.Errorf(trygg.EINVALID, "position", "position is missing: a GeoJSON Point")
	}
	coords, err := readGeometryOf(f.Position, "position", "Point")
	if err != nil {
		return c, err
	}
	var xy []float64
	if err := json.Unmarshal(coords, &xy); err != nil {
		return c, trygg.Errorf(trygg.EINVALID, "position.coordinates", "a Point's coordinates are [longitude, latitude]")
	}
	if c.Position, err = point(xy, "position.coordinates"); err != nil {
		return c, err
	}
	if err := inSweden(c.Position, "position", "position.coordinates", "GeoJSON positions are [longitude, latitude]"); err != nil {
		return c, err
	}
	if c.View, err = readWalkArea(f.View, "view"); err != nil {
		return c, err
	}
	c.ViewDrawn = len(c.View) > 0
	if c.CommitmentIDs == nil {
		c.CommitmentIDs = []string{}
	}
	return c, nil
}

// readCameraFields reads the body over base: a POST starts from nothing, a PATCH from
// the stored camera, so the fields left out keep their values. Giving a view sector
// drops a drawn view, and a drawn view drops the sector.
func readCameraFields(r *http.Request, base cameraFields) (cameraFields, error) {
	body, err := readJSONBody(r)
	if err != nil {
		return base, err
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(body, &keys); err != nil || keys == nil {
		return base, httpError(http.StatusBadRequest, "body", "the body is not a JSON object")
	}
	given := func(k string) bool { v, ok := keys[k]; return ok && string(v) != "null" }
	if given("bearing") || given("fov") || given("range_m") {
		base.View = nil
	}
	if given("view") {
		base.Bearing, base.FOV, base.RangeM = nil, nil, nil
	}
	for _, k := range []string{"id", "state", "regime", "created_at", "updated_at", "view_drawn", "permit_required",
		"permit_needed", "may_operate_today", "operate_reason", "attention", "coverage", "type", "geometry", "properties"} {
		if _, ok := keys[k]; ok {
			msg := k + " is not written here"
			switch k {
			case "state":
				msg = "state changes by POST /api/v1/cameras/{id}/transition"
			case "type", "geometry", "properties":
				msg = "send a camera as a plain object with position, not as a Feature"
			}
			return base, trygg.Errorf(trygg.EINVALID, k, "%s", msg)
		}
	}
	if err := strictJSON(body, &base); err != nil {
		return base, err
	}
	return base, nil
}

// cameraProperties are a camera's properties in its Feature.
type cameraProperties struct {
	ID           string  `json:"id"`
	Municipality string  `json:"municipality"`
	Name         string  `json:"name"`
	State        string  `json:"state"`
	Regime       *string `json:"regime"` // in force on the day of the decision (a fact, not today's rules)
	// Whether the camera may film today under the law in force today, and why (a code,
	// the field at fault, the reason in Swedish and in English).
	MayOperateToday  bool                  `json:"may_operate_today"`
	OperateReason    trygg.OperationReason `json:"operate_reason"`
	PermitRequired   bool                  `json:"permit_required"` // an IMY permit is required to film today
	PermitNeeded     bool                  `json:"permit_needed"`   // filming before 2025-04-01 needed an IMY permit
	HeightM          *float64              `json:"height_m"`
	Bearing          *float64              `json:"bearing"`
	FOV              *float64              `json:"fov"`
	RangeM           *float64              `json:"range_m"`
	View             json.RawMessage       `json:"view"`
	ViewDrawn        bool                  `json:"view_drawn"`
	PublicView       bool                  `json:"public_view"`
	OperatorKind     string                `json:"operator_kind"`
	OperatorName     string                `json:"operator_name"`
	Purpose          string                `json:"purpose"`
	PlaceType        string                `json:"place_type"`
	PublicAccess     bool                  `json:"public_access"`
	Indoor           bool                  `json:"indoor"`
	Audio            bool                  `json:"audio"`
	RetentionDays    int                   `json:"retention_days"`
	SignageCheckedOn *day                  `json:"signage_checked_on"`
	ReviewOn         *day                  `json:"review_on"`
	DecisionOn       *day                  `json:"decision_on"`
	PermitRef        string                `json:"permit_ref"`
	PermitConditions string                `json:"permit_conditions"`
	PermitExpiresOn  *day                  `json:"permit_expires_on"`
	WeighingRef      string                `json:"weighing_ref"`
	DPIARef          string                `json:"dpia_ref"`
	CommitmentIDs    []string              `json:"commitment_ids"`
	OperatedFrom     *day                  `json:"operated_from"`
	OperatedUntil    *day                  `json:"operated_until"`
	Attention        []attentionItem       `json:"attention"`
	Coverage         []postgis.Coverage    `json:"coverage,omitempty"`
	CreatedAt        time.Time             `json:"created_at"`
	UpdatedAt        time.Time             `json:"updated_at"`
}

func appendCamera(b []byte, c trygg.Camera, today trygg.Date, coverage []postgis.Coverage) ([]byte, error) {
	p := cameraProperties{ID: c.ID, Municipality: c.Municipality, Name: c.Name, State: c.State,
		PermitRequired: c.PermitNeeded() && trygg.RegimeOn(today) == trygg.RegimePermit, PermitNeeded: c.PermitNeeded(),
		OperatedFrom: dayOf(c.OperatedFrom), OperatedUntil: dayOf(c.OperatedUntil),
		HeightM: c.HeightM, Bearing: c.Bearing, FOV: c.FOV, RangeM: c.RangeM, View: json.RawMessage("null"),
		ViewDrawn: c.ViewDrawn, PublicView: c.PublicView, OperatorKind: c.OperatorKind, OperatorName: c.OperatorName,
		Purpose: c.Purpose, PlaceType: c.PlaceType, PublicAccess: c.PublicAccess, Indoor: c.Indoor, Audio: c.Audio,
		RetentionDays: c.RetentionDays, SignageCheckedOn: dayOf(c.SignageChecked), ReviewOn: dayOf(c.ReviewOn),
		DecisionOn: dayOf(c.DecisionOn), PermitRef: c.PermitRef, PermitConditions: c.PermitConditions,
		PermitExpiresOn: dayOf(c.PermitExpires), WeighingRef: c.WeighingRef, DPIARef: c.DPIARef,
		CommitmentIDs: c.CommitmentIDs, Attention: attentionItems(c.Attention(today)),
		Coverage: coverage, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	p.MayOperateToday, p.OperateReason = c.MayOperate(today)
	if r := c.Regime(); r != "" {
		p.Regime = &r
	}
	if len(c.View) > 0 {
		p.View = appendGeometry(nil, c.View)
	}
	if p.CommitmentIDs == nil {
		p.CommitmentIDs = []string{}
	}
	return appendFeature(b, c.ID, c.Position, p)
}

func (s *Server) writeCamera(w http.ResponseWriter, status int, c trygg.Camera, coverage []postgis.Coverage) error {
	b, err := appendCamera(nil, c, s.today(), coverage)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeBytes(w, status, contentTypeGeoJSON, append(b, '\n'))
}

// handleCameras answers GET /api/v1/cameras?municipality=: the caller's cameras as a
// FeatureCollection.
func (s *Server) handleCameras(w http.ResponseWriter, r *http.Request) error {
	m, err := servedMunicipalityParam(r)
	if err != nil {
		return err
	}
	cs, err := s.db.Cameras(r.Context(), m)
	if err != nil {
		return err
	}
	today := s.today()
	b, err := featureCollection(len(cs), func(b []byte, i int) ([]byte, error) { return appendCamera(b, cs[i], today, nil) })
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeBytes(w, http.StatusOK, contentTypeGeoJSON, b)
}

// handleCreateCamera answers POST /api/v1/cameras: a new camera site, proposed, in the
// municipality its position lies in.
func (s *Server) handleCreateCamera(w http.ResponseWriter, r *http.Request) error {
	f, err := readCameraFields(r, cameraFields{})
	if err != nil {
		return err
	}
	c, err := f.camera()
	if err != nil {
		return err
	}
	out, err := s.db.CreateCamera(r.Context(), c)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cameras/"+out.ID)
	return s.writeCamera(w, http.StatusCreated, out, nil)
}

// handleCamera answers GET /api/v1/cameras/{id}, with the hotspots its view covers.
func (s *Server) handleCamera(w http.ResponseWriter, r *http.Request) error {
	c, err := s.db.Camera(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	cov, err := s.db.CameraCoverage(r.Context(), c.ID)
	if err != nil {
		return err
	}
	if cov == nil {
		cov = []postgis.Coverage{}
	}
	return s.writeCamera(w, http.StatusOK, c, cov)
}

// handleUpdateCamera answers PATCH /api/v1/cameras/{id}: the fields given change, the
// others stay; the state changes only by a transition.
func (s *Server) handleUpdateCamera(w http.ResponseWriter, r *http.Request) error {
	before, err := s.db.Camera(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	f, err := readCameraFields(r, cameraFieldsOf(before))
	if err != nil {
		return err
	}
	if f.Municipality != before.Municipality {
		return trygg.Errorf(trygg.EINVALID, "municipality", "a camera stays in its municipality (%s)", before.Municipality)
	}
	c, err := f.camera()
	if err != nil {
		return err
	}
	c.ID = before.ID
	out, err := s.db.UpdateCamera(r.Context(), c, s.today())
	if err != nil {
		return err
	}
	return s.writeCamera(w, http.StatusOK, out, nil)
}

// handleCameraTransition answers POST /api/v1/cameras/{id}/transition {"to": state}:
// 409 with the reason when the lifecycle or the regime does not allow it.
func (s *Server) handleCameraTransition(w http.ResponseWriter, r *http.Request) error {
	body, err := readJSONBody(r)
	if err != nil {
		return err
	}
	var in struct {
		To string `json:"to"`
	}
	if err := strictJSON(body, &in); err != nil {
		return err
	}
	if in.To == "" {
		return trygg.Errorf(trygg.EINVALID, "to", "to is missing: one of %s", strings.Join(trygg.CameraStates, ", "))
	}
	out, err := s.db.TransitionCamera(r.Context(), mux.Vars(r)["id"], in.To, s.today())
	if err != nil {
		return err
	}
	return s.writeCamera(w, http.StatusOK, out, nil)
}

// handleCameraAttention answers GET /api/v1/cameras/attention?municipality=&on=: the
// cameras that filmed before 2025-04-01 without the permit they needed, active ones
// the law in force on the day does not let film, a needed permit expiring within 60
// days while the permit requirement lasted, a review overdue or signs never checked,
// as of on (a day, today in Sweden by default).
func (s *Server) handleCameraAttention(w http.ResponseWriter, r *http.Request) error {
	m, err := servedMunicipalityParam(r)
	if err != nil {
		return err
	}
	today := s.today()
	if on := r.URL.Query().Get("on"); on != "" {
		d, err := trygg.ParseDate(on)
		if err != nil {
			return trygg.Errorf(trygg.EINVALID, "on", "on=%q is not a day such as 2026-12-01", on)
		}
		today = d
	}
	list, err := s.db.CamerasNeedingAttention(r.Context(), m, today)
	if err != nil {
		return err
	}
	type item struct {
		ID           string          `json:"id"`
		Municipality string          `json:"municipality"`
		Name         string          `json:"name"`
		State        string          `json:"state"`
		Position     json.RawMessage `json:"position"`
		MayOperate   bool            `json:"may_operate"` // on the day asked
		Reasons      []attentionItem `json:"reasons"`
	}
	out := struct {
		On      *day   `json:"on"`
		Cameras []item `json:"cameras"`
	}{On: dayOf(&today), Cameras: []item{}}
	for _, a := range list {
		may, _ := a.Camera.MayOperate(today)
		out.Cameras = append(out.Cameras, item{ID: a.Camera.ID, Municipality: a.Camera.Municipality, Name: a.Camera.Name,
			State: a.Camera.State, Position: appendGeometry(nil, a.Camera.Position), MayOperate: may, Reasons: attentionItems(a.Reasons)})
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, "application/json", out)
}

// handleCameraCoverage answers GET /api/v1/cameras/{id}/coverage: the hotspots of the
// latest runs the camera's view covers, with the covered share of each.
func (s *Server) handleCameraCoverage(w http.ResponseWriter, r *http.Request) error {
	cov, err := s.db.CameraCoverage(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	if cov == nil {
		cov = []postgis.Coverage{}
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{"coverage": cov})
}

// handleCamerasCoverage answers GET /api/v1/camera-coverage?municipality=: each hotspot
// of the latest runs with the cameras covering it and their shares.
func (s *Server) handleCamerasCoverage(w http.ResponseWriter, r *http.Request) error {
	m, err := servedMunicipalityParam(r)
	if err != nil {
		return err
	}
	cov, err := s.db.CamerasCoverage(r.Context(), m)
	if err != nil {
		return err
	}
	type camera struct {
		ID    string  `json:"id"`
		Name  string  `json:"name"`
		State string  `json:"state"`
		Share float64 `json:"share"`
	}
	type hotspot struct {
		HotspotID    string   `json:"hotspot_id"`
		RunID        string   `json:"run_id"`
		Municipality string   `json:"municipality"`
		Rank         int      `json:"rank"`
		Cameras      []camera `json:"cameras"`
	}
	out := []hotspot{}
	for _, cv := range cov {
		if n := len(out); n == 0 || out[n-1].HotspotID != cv.HotspotID {
			out = append(out, hotspot{HotspotID: cv.HotspotID, RunID: cv.RunID, Municipality: cv.Municipality, Rank: cv.Rank})
		}
		h := &out[len(out)-1]
		h.Cameras = append(h.Cameras, camera{ID: cv.CameraID, Name: cv.CameraName, State: cv.CameraState, Share: cv.Share})
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{"hotspots": out})
}
