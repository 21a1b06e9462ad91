package api

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/importer"
	"github.com/trygg-gis/trygg/postgis"
)

// EST (Effektiv Samordning för Trygghet): staff report incidents every week, one at a
// time (JSON) or a week's list at once (CSV); the weekly summary is what the EST
// meeting discusses.

// estInput is one incident: POST /api/v1/est/incidents as application/json.
type estInput struct {
	Type          string          `json:"type"`
	OccurredAt    *string         `json:"occurred_at"`
	Location      json.RawMessage `json:"location"`
	Area          string          `json:"area"`
	Description   string          `json:"description"`
	ReportedByOrg string          `json:"reported_by_org"`
	Feeling       *int            `json:"feeling"`
}

// estCSVColumns are the columns of an EST list, Swedish and English.
var estCSVColumns = map[string]string{
	"typ": "type", "type": "type",
	"tid": "occurred_at", "occurred_at": "occurred_at", "time": "occurred_at",
	"lon": "lon", "longitud": "lon", "longitude": "lon",
	"lat": "lat", "latitud": "lat", "latitude": "lat",
	"plats": "area", "area": "area",
	"beskrivning": "description", "description": "description",
	"organisation": "reported_by_org", "reported_by_org": "reported_by_org",
}

// handleAddESTIncidents answers POST /api/v1/est/incidents: one incident as JSON (201
// with the incident as a GeoJSON Feature), or a list as text/csv, all or nothing (201
// with a FeatureCollection; refusals name each line).
func (s *Server) handleAddESTIncidents(w http.ResponseWriter, r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		mt = ""
	}
	switch mt {
	case "text/csv":
		return s.addESTList(w, r)
	case "application/json":
	default:
		return httpError(http.StatusUnsupportedMediaType, "Content-Type",
			"send one incident as application/json or a list as text/csv")
	}
	var in estInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	inc, err := checkESTInput(in)
	if err != nil {
		return err
	}
	out, rejected, err := s.db.AddESTIncidents(r.Context(), []trygg.ESTIncident{inc}, s.opts.PublicGridM)
	if err != nil {
		return err
	}
	if len(rejected) > 0 {
		return estRejection(rejected[0])
	}
	b, err := appendESTIncident(nil, out[0])
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/reports/"+out[0].ID)
	w.Header().Set("Cache-Control", "no-store")
	return writeBytes(w, http.StatusCreated, contentTypeGeoJSON, append(b, '\n'))
}

// checkESTInput checks one incident, each refusal naming its field.
func checkESTInput(in estInput) (trygg.ESTIncident, error) {
	var inc trygg.ESTIncident
	var err error
	if inc.Type, err = trygg.ParseESTType("type", in.Type); err != nil {
		return inc, err
	}
	if in.OccurredAt == nil || *in.OccurredAt == "" {
		return inc, trygg.Errorf(trygg.EINVALID, "occurred_at", "occurred_at is missing: when it happened, such as 2026-11-20T21:30:00+01:00")
	}
	t, err := time.Parse(time.RFC3339, *in.OccurredAt)
	if err != nil {
		return inc, trygg.Errorf(trygg.EINVALID, "occurred_at", "%q is not an RFC 3339 time such as 2026-11-20T21:30:00+01:00", *in.OccurredAt)
	}
	if err := trygg.CheckObservedAt("occurred_at", t); err != nil {
		return inc, err
	}
	inc.ObservedAt = &t
	loc, err := readLocation(in.Location, "location")
	if err != nil {
		return inc, err
	}
	if _, ok := loc.(orb.Point); !ok {
		return inc, trygg.Errorf(trygg.EINVALID, "location.type", "an EST incident happened at a Point, not a %s", loc.GeoJSONType())
	}
	inc.Location = loc
	if in.Feeling != nil {
		if inc.Feeling, err = trygg.CheckFeeling(in.Feeling); err != nil {
			return inc, err
		}
	}
	inc.Area, inc.Description, inc.ReportedByOrg = strings.TrimSpace(in.Area), strings.TrimSpace(in.Description), strings.TrimSpace(in.ReportedByOrg)
	if err := checkESTTexts(inc); err != nil {
		return inc, err
	}
	return inc, nil
}

func checkESTTexts(inc trygg.ESTIncident) error {
	if err := trygg.CheckText("area", inc.Area, 200); err != nil {
		return err
	}
	if err := trygg.CheckText("description", inc.Description, trygg.MaxDescription); err != nil {
		return err
	}
	return trygg.CheckText("reported_by_org", inc.ReportedByOrg, 100)
}

// estRejection is the error of a single incident the store refused.
func estRejection(rej trygg.Rejection) error {
	switch rej.Code {
	case postgis.RejectOutside:
		return trygg.Errorf(trygg.EUNPROCESSABLE, "location", "%s", rej.Reason)
	case postgis.RejectNotServed:
		return trygg.Errorf(trygg.EFORBIDDEN, "location", "%s", rej.Reason)
	}
	return trygg.Errorf(trygg.EINVALID, "reported_by_org", "%s", rej.Reason)
}

// addESTList stores a CSV list of incidents, all or nothing.
func (s *Server) addESTList(w http.ResponseWriter, r *http.Request) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	t, errs, err := importer.ReadTable(data, estCSVColumns, "type", "occurred_at", "lon", "lat")
	if err != nil {
		return trygg.Errorf(trygg.EINVALID, "body", "%s", err.Error())
	}
	if t == nil || len(errs) > 0 && len(t.Rows) == 0 {
		return writeRefused(w, r, http.StatusBadRequest, recordRefusals(errs))
	}
	if len(t.Rows) == 0 {
		return trygg.Errorf(trygg.EINVALID, "body", "the list has a header but no incidents")
	}
	incs := make([]trygg.ESTIncident, 0, len(t.Rows))
	for _, row := range t.Rows {
		var inc trygg.ESTIncident
		bad := false
		refuse := func(e importer.RecordError) { errs, bad = append(errs, e), true }
		if inc.Type, err = trygg.ParseESTType(t.Column("type"), row.Values["type"]); err != nil {
			refuse(t.Fail(row, "type", err))
		}
		if tm, e := t.Time(row, "occurred_at"); e != nil {
			refuse(*e)
		} else {
			inc.ObservedAt = &tm
		}
		if p, e := t.Point(row, "lon", "lat"); e != nil {
			refuse(*e)
		} else {
			inc.Location = p
		}
		inc.Area, inc.Description, inc.ReportedByOrg = row.Values["area"], row.Values["description"], row.Values["reported_by_org"]
		if err := checkESTTexts(inc); err != nil {
			refuse(t.Fail(row, trygg.ErrorField(err), err))
		}
		if !bad {
			incs = append(incs, inc)
		}
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b importer.RecordError) int { return a.Line - b.Line })
		return writeRefused(w, r, http.StatusBadRequest, recordRefusals(errs))
	}
	release, err := s.gates.imports.enter(r.Context())
	if err != nil {
		return err
	}
	out, rejected, err := s.db.AddESTIncidents(r.Context(), incs, s.opts.PublicGridM)
	release()
	if err != nil {
		return err
	}
	if len(rejected) > 0 {
		for _, rej := range rejected {
			row := t.Rows[rej.Index]
			col := t.Column("lon") + "/" + t.Column("lat")
			if rej.Code == postgis.RejectOrganisation {
				col = t.Column("reported_by_org")
			}
			errs = append(errs, importer.RecordError{Line: row.Line, Field: col, Reason: rej.Reason})
		}
		return writeRefused(w, r, http.StatusUnprocessableEntity, recordRefusals(errs))
	}
	b, err := featureCollection(len(out), func(b []byte, i int) ([]byte, error) { return appendESTIncident(b, out[i]) })
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeBytes(w, http.StatusCreated, contentTypeGeoJSON, b)
}

// appendESTIncident appends an incident as staff see it.
func appendESTIncident(b []byte, inc trygg.ESTIncident) ([]byte, error) {
	if inc.When == nil {
		inc.When = []string{}
	}
	inc.Contact = nil
	return appendFeature(b, inc.ID, inc.Location, inc)
}

// servedMunicipality reads the query parameter municipality: one the caller serves (403
// otherwise), or by default the caller's only one ("" when it serves several and
// optional is set; 400 when it is not).
func servedMunicipality(r *http.Request, optional bool) (string, error) {
	c := trygg.CallerFrom(r.Context())
	m := r.URL.Query().Get("municipality")
	switch {
	case m != "" && !c.Serves(m):
		return "", trygg.Errorf(trygg.EFORBIDDEN, "municipality", "you do not serve municipality %q", m)
	case m != "":
		return m, nil
	case optional:
		return "", nil
	case len(c.User.Municipalities) == 1:
		return c.User.Municipalities[0], nil
	}
	return "", trygg.Errorf(trygg.EINVALID, "municipality", "municipality is missing: one of %s",
		strings.Join(c.User.Municipalities, ", "))
}

// handleESTIncidents answers GET /api/v1/est/incidents?municipality=&from=&to=&type=
// &limit=: incidents of the caller's municipalities, the most recent first; from and to
// (RFC 3339) bound when they happened, type is one or more types (codes or English
// names, repeated or comma-separated).
func (s *Server) handleESTIncidents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f postgis.ESTFilter
	var err error
	if f.Municipality, err = servedMunicipality(r, true); err != nil {
		return err
	}
	if f.From, err = timeParam(q, "from"); err != nil {
		return err
	}
	if f.To, err = timeParam(q, "to"); err != nil {
		return err
	}
	for _, v := range q["type"] {
		for _, t := range strings.Split(v, ",") {
			code, err := trygg.ParseESTType("type", t)
			if err != nil {
				return err
			}
			f.Types = append(f.Types, code)
		}
	}
	if f.Limit, err = intParam(q.Get("limit"), "limit", 1, 10000, 1000); err != nil {
		return err
	}
	incs, err := s.db.ESTIncidents(r.Context(), f)
	if err != nil {
		return err
	}
	b, err := featureCollection(len(incs), func(b []byte, i int) ([]byte, error) { return appendESTIncident(b, incs[i]) })
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeBytes(w, http.StatusOK, contentTypeGeoJSON, b)
}

// handleESTWeekly answers GET /api/v1/est/weekly?municipality=CODE&week=2026-W47: the
// week's incidents by type and by area beside the week before's (week defaults to the
// current week in Swedish time; municipality to the caller's only one).
func (s *Server) handleESTWeekly(w http.ResponseWriter, r *http.Request) error {
	muni, err := servedMunicipality(r, false)
	if err != nil {
		return err
	}
	week := trygg.WeekOf(time.Now())
	if v := r.URL.Query().Get("week"); v != "" {
		if week, err = trygg.ParseISOWeek("week", v); err != nil {
			return err
		}
	}
	sum, err := s.db.ESTWeekly(r.Context(), muni, week)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeJSON(w, http.StatusOK, "application/json", sum)
}
