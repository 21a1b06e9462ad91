package open311

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/xml"
	"errors"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/geo"
	"github.com/trygg-gis/trygg/postgis"
)

const (
	// MaxRequests is the most service requests one GET answers.
	MaxRequests = 1000
	// Window is the longest span of start_date to end_date, and the default: the last
	// 90 days.
	Window = 90 * 24 * time.Hour
	// maxForm is the largest POST body.
	maxForm = 64 << 10
)

// request is a service request, in the element order of the San Francisco responses
// (the specification's), with media_url last as Bloomington has it.
type request struct {
	ServiceRequestID  string  `json:"service_request_id" xml:"service_request_id"`
	Status            string  `json:"status" xml:"status"`
	StatusNotes       opt     `json:"status_notes" xml:"status_notes"`
	ServiceName       string  `json:"service_name" xml:"service_name"`
	ServiceCode       string  `json:"service_code" xml:"service_code"`
	Description       opt     `json:"description" xml:"description"`
	AgencyResponsible opt     `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     opt     `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string  `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string  `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  opt     `json:"expected_datetime" xml:"expected_datetime"`
	Address           opt     `json:"address" xml:"address"`
	AddressID         opt     `json:"address_id" xml:"address_id"`
	Zipcode           opt     `json:"zipcode" xml:"zipcode"`
	Lat               float64 `json:"lat" xml:"lat"`
	Long              float64 `json:"long" xml:"long"`
	MediaURL          opt     `json:"media_url" xml:"media_url"`
}

// serviceRequests is the XML root of a list of T.
type serviceRequests[T any] struct {
	XMLName  xml.Name `xml:"service_requests"`
	Requests []T      `xml:"request"`
}

// DefaultFeeling is the feeling a service request without attribute[feeling] is stored
// with: 2, unsafe (a resident reports a place because it feels unsafe).
const DefaultFeeling = 2

// resolvedNote is the status_notes of a resolved report whose action gave no public
// feedback: the moderator's own note is for staff only.
const resolvedNote = "Ärendet är avslutat av kommunen."

// statusOf gives a public report's Open311 status and status_notes: closed once its
// latest action is done or the report is resolved, else open; the notes are the
// action's public feedback, or for a resolved report without it resolvedNote. Rejected
// and received reports are never public, so they are never service requests.
func statusOf(rep trygg.Report) (string, opt) {
	var notes opt
	if rep.Action != nil {
		notes = opt(strings.TrimSpace(rep.Action.Feedback))
	}
	done := rep.Action != nil && rep.Action.Status == trygg.ActionDone
	if rep.Status == trygg.StatusResolved || done {
		if notes == "" && rep.Status == trygg.StatusResolved {
			notes = resolvedNote
		}
		return "closed", notes
	}
	return "open", notes
}

// toRequest turns a public report into a service request.
func (h *Handler) toRequest(r *http.Request, rep trygg.Report, cats map[string]trygg.Category) request {
	name := rep.Category
	if c, ok := cats[rep.Category]; ok {
		name = c.LabelSV
	}
	var agency, address opt
	m, err := h.municipality(r.Context(), rep.Municipality)
	if err == nil {
		agency = opt(m.Name + " kommun")
	}
	// The address is the report's place label ("vid Stora torget, Vara"): named
	// places only, never a finer position than the public one.
	if rep.PlaceLabel != nil {
		address = opt(*rep.PlaceLabel)
		if err == nil {
			address += opt(", " + m.Name)
		}
	}
	p := position(rep.Location)
	status, notes := statusOf(rep)
	var media opt
	if len(rep.Photos) > 0 { // the first photo, absolute, as clients show it
		media = opt(h.baseURL(r) + rep.Photos[0].URL)
	}
	return request{
		ServiceRequestID:  rep.ID,
		Status:            status,
		StatusNotes:       notes,
		ServiceName:       name,
		ServiceCode:       rep.Category,
		Description:       opt(rep.PublicDescription),
		AgencyResponsible: agency,
		RequestedDatetime: datetime(rep.CreatedAt),
		UpdatedDatetime:   datetime(rep.UpdatedAt),
		Address:           address,
		Lat:               round6(p[1]),
		Long:              round6(p[0]),
		MediaURL:          media,
	}
}

// position is a report's place as one point: the point, or an area's centroid.
func position(g orb.Geometry) orb.Point {
	switch g := g.(type) {
	case orb.Point:
		return g
	case orb.Polygon:
		c, _ := planar.CentroidArea(g)
		return c
	case nil:
		return orb.Point{}
	}
	return g.Bound().Center()
}

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

func (h *Handler) categoryMap(r *http.Request) (map[string]trygg.Category, error) {
	cats, err := h.db.Categories(r.Context())
	if err != nil {
		return nil, err
	}
	m := make(map[string]trygg.Category, len(cats))
	for _, c := range cats {
		m[c.Code] = c
	}
	return m, nil
}

func (h *Handler) writeRequests(w http.ResponseWriter, r *http.Request, f format, rs []trygg.Report) error {
	cats, err := h.categoryMap(r)
	if err != nil {
		return err
	}
	out := make([]request, len(rs))
	for i, rep := range rs {
		out[i] = h.toRequest(r, rep, cats)
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	write(w, http.StatusOK, f, out, serviceRequests[request]{Requests: out})
	return nil
}

// requests answers GET requests.{format}: public reports, newest first, at most
// MaxRequests. service_request_id (comma-separated) overrides every filter but
// jurisdiction_id; otherwise service_code (comma-separated), status (open, closed or
// both) and start_date to end_date (requested_datetime, at most 90 days apart; the last
// 90 days by default).
func (h *Handler) requests(w http.ResponseWriter, r *http.Request, f format) error {
	q := r.URL.Query()
	m, err := h.jurisdiction(r.Context(), q.Get("jurisdiction_id"))
	if err != nil {
		return err
	}
	filter := postgis.PublicFilter{Limit: MaxRequests}
	if m != nil {
		filter.Municipality = m.Code
	}
	if ids := list(q, "service_request_id"); len(ids) > 0 {
		if len(ids) > MaxRequests {
			return trygg.Errorf(trygg.EINVALID, "service_request_id", "at most %d service_request_id at once", MaxRequests)
		}
		for _, id := range ids {
			if u, err := uuid.Parse(id); err == nil { // anything else names no report
				filter.IDs = append(filter.IDs, u.String())
			}
		}
		if len(filter.IDs) == 0 {
			return h.writeRequests(w, r, f, nil)
		}
		rs, err := h.db.PublicReports(r.Context(), filter)
		if err != nil {
			return err
		}
		return h.writeRequests(w, r, f, rs)
	}
	for _, code := range list(q, "service_code") {
		_, ok, err := h.category(r.Context(), code)
		if err != nil {
			return err
		}
		if !ok {
			return trygg.Errorf(trygg.EINVALID, "service_code",
				"service_code %q is not a service (GET %s/services.%s lists them)", code, Prefix, f)
		}
		filter.Categories = append(filter.Categories, code)
	}
	for _, s := range list(q, "status") {
		switch strings.ToLower(s) {
		case "open":
			filter.Open311 = append(filter.Open311, "open")
		case "closed":
			filter.Open311 = append(filter.Open311, "closed")
		default:
			return trygg.Errorf(trygg.EINVALID, "status", "status %q is not open or closed", s)
		}
	}
	if filter.From, filter.To, err = dateRange(q.Get("start_date"), q.Get("end_date"), time.Now()); err != nil {
		return err
	}
	rs, err := h.db.PublicReports(r.Context(), filter)
	if err != nil {
		return err
	}
	return h.writeRequests(w, r, f, rs)
}

// list returns the comma-separated values of a parameter, which may also repeat.
func list(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// dateRange reads start_date and end_date: either may be missing (the other then
// ends or starts a 90-day window; both missing is the last 90 days), and they may be at
// most 90 days apart.
func dateRange(start, end string, now time.Time) (from, to time.Time, err error) {
	if end != "" {
		if to, err = parseDate(end, "end_date", true); err != nil {
			return
		}
	}
	if start != "" {
		if from, err = parseDate(start, "start_date", false); err != nil {
			return
		}
	}
	switch {
	case start == "" && end == "":
		to, from = now, now.Add(-Window)
	case start == "":
		from = to.Add(-Window)
	case end == "":
		to = from.Add(Window)
	}
	switch {
	case to.Before(from):
		err = trygg.Errorf(trygg.EINVALID, "end_date", "end_date is before start_date")
	case to.Sub(from) > Window:
		err = trygg.Errorf(trygg.EINVALID, "end_date", "start_date and end_date may be at most 90 days apart")
	}
	return
}

// parseDate reads an ISO 8601 time: with a time zone (2026-11-20T21:30:00+01:00 or …Z),
// without one (Swedish time), or a date alone (its start, or its end for an end date).
// A "+" a client left unescaped in the query arrives as a space and is put back.
func parseDate(s, field string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, ' '); i > 10 {
		s = s[:i] + "+" + s[i+1:]
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05Z0700"} {
		if t, err := time.ParseInLocation(layout, s, stockholm); err == nil {
			return t, nil
		}
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, stockholm); err == nil {
		if end {
			t = t.AddDate(0, 0, 1).Add(-time.Microsecond)
		}
		return t, nil
	}
	return time.Time{}, trygg.Errorf(trygg.EINVALID, field, "%s %q is not an ISO 8601 time such as 2026-11-20T21:30:00+01:00", field, s)
}

// request answers GET requests/{id}.{format}: one public report, as a list of one.
func (h *Handler) request(w http.ResponseWriter, r *http.Request, f format) error {
	m, err := h.jurisdiction(r.Context(), r.URL.Query().Get("jurisdiction_id"))
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	rep, err := h.db.PublicReport(r.Context(), id)
	if trygg.ErrorCode(err) == trygg.ENOTFOUND || err == nil && m != nil && rep.Municipality != m.Code {
		return trygg.Errorf(trygg.ENOTFOUND, "service_request_id",
			"no public service request has id %q (reports are public once a moderator has published them)", id)
	}
	if err != nil {
		return err
	}
	return h.writeRequests(w, r, f, []trygg.Report{rep})
}

// token answers GET tokens/{token}.{format}: every service is realtime, so there are
// no tokens.
func (h *Handler) token(w http.ResponseWriter, r *http.Request, f format) error {
	return trygg.Errorf(trygg.ENOTFOUND, "token",
		"no such token: services here are realtime, so POST requests answers with the service_request_id at once")
}

// created is the answer to POST requests.
type created struct {
	ServiceRequestID string `json:"service_request_id" xml:"service_request_id"`
	ServiceNotice    opt    `json:"service_notice" xml:"service_notice"`
	AccountID        opt    `json:"account_id" xml:"account_id"`
}

// notices are the service_notice of a new service request, by its status.
var notices = map[string]string{
	trygg.StatusReceived:  "Tack! Rapporten granskas av en moderator innan den visas för alla.",
	trygg.StatusPublished: "Tack! Rapporten är publicerad.",
}

// createRequest answers POST requests.{format} (form-encoded): a new resident report,
// stored through the API server's report path. The erasure token that path makes is
// not given out: GeoReport v2 has no place for it.
func (h *Handler) createRequest(w http.ResponseWriter, r *http.Request, f format) error {
	form, err := readForm(w, r)
	if err != nil {
		return err
	}
	if h.opts.APIKey != "" && subtle.ConstantTimeCompare([]byte(form.Get("api_key")), []byte(h.opts.APIKey)) != 1 {
		if form.Get("api_key") == "" {
			return trygg.Errorf(trygg.EFORBIDDEN, "api_key", "api_key is missing: POST requests needs one")
		}
		return trygg.Errorf(trygg.EFORBIDDEN, "api_key", "api_key is not valid")
	}
	m, err := h.jurisdiction(r.Context(), form.Get("jurisdiction_id"))
	if err != nil {
		return err
	}
	code := strings.TrimSpace(form.Get("service_code"))
	if code == "" {
		return trygg.Errorf(trygg.EINVALID, "service_code", "service_code is missing (GET %s/services.%s lists them)", Prefix, f)
	}
	if _, ok, err := h.category(r.Context(), code); err != nil {
		return err
	} else if !ok {
		return trygg.Errorf(trygg.EINVALID, "service_code", "service_code %q is not a service (GET %s/services.%s lists them)", code, Prefix, f)
	}
	s := Submission{ServiceCode: code, Description: form.Get("description"),
		Email: strings.TrimSpace(form.Get("email")), Phone: strings.TrimSpace(form.Get("phone"))}
	if s.Lat, s.Long, err = latLong(form); err != nil {
		return err
	}
	if v := strings.TrimSpace(form.Get("attribute[feeling]")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return trygg.Errorf(trygg.EINVALID, "attribute[feeling]", "attribute[feeling] %q is not 1, 2, 3 or 4", v)
		}
		s.Feeling = &n
	} else {
		n := DefaultFeeling // feeling is optional here: GeoReport v2 clients send only the standard fields
		s.Feeling = &n
	}
	when := url.Values{"when": append(append([]string(nil), form["attribute[when][]"]...), form["attribute[when]"]...)}
	s.When = list(when, "when")
	if m != nil && !inMunicipality(m, s.Lat, s.Long) {
		return trygg.Errorf(trygg.EUNPROCESSABLE, "jurisdiction_id",
			"the place (lat %g, long %g) is not in jurisdiction_id %s (%s)", s.Lat, s.Long, m.Code, m.Name)
	}
	delete(form, "api_key")
	sum := sha256.Sum256([]byte(form.Encode()))
	s.RequestHash = sum[:]

	out, err := h.hooks.Submit(r, s)
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/requests/"+out.ID+"."+string(f))
	w.Header().Set("Cache-Control", "no-store")
	if out.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	c := []created{{ServiceRequestID: out.ID, ServiceNotice: opt(notices[out.Status])}}
	write(w, http.StatusCreated, f, c, serviceRequests[created]{Requests: c})
	return nil
}

// readForm reads a form-encoded (or multipart) body of at most maxForm bytes.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	switch {
	case err == nil && mt == "application/x-www-form-urlencoded":
		err = r.ParseForm()
	case err == nil && mt == "multipart/form-data":
		err = r.ParseMultipartForm(maxForm)
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll() //nolint:errcheck // temporary files of ignored uploads
		}
	default:
		return nil, statusErr(http.StatusUnsupportedMediaType, "send the service request as application/x-www-form-urlencoded")
	}
	var mbe *http.MaxBytesError
	var timeout interface{ Timeout() bool }
	switch {
	case errors.As(err, &mbe):
		return nil, statusErr(http.StatusRequestEntityTooLarge, "a service request is at most 64 KiB")
	case errors.As(err, &timeout) && timeout.Timeout():
		return nil, err // the body did not arrive: the server answers 408
	case err != nil:
		return nil, trygg.Errorf(trygg.EINVALID, "body", "the form does not parse: %v", err)
	}
	return r.Form, nil
}

// latLong reads lat and long; an address alone is refused, since nothing here turns
// addresses into places.
func latLong(form url.Values) (lat, long float64, err error) {
	la, lo := strings.TrimSpace(form.Get("lat")), strings.TrimSpace(form.Get("long"))
	if la == "" || lo == "" {
		if form.Get("address_string") != "" || form.Get("address_id") != "" {
			return 0, 0, trygg.Errorf(trygg.EINVALID, "lat",
				"lat and long are required: this endpoint does not look up addresses, so address_string or address_id alone cannot place a report")
		}
		return 0, 0, trygg.Errorf(trygg.EINVALID, "lat", "lat and long are required (WGS 84 degrees)")
	}
	var ok bool
	if lat, ok = trygg.ParseDecimal(la); !ok {
		return 0, 0, trygg.Errorf(trygg.EINVALID, "lat", "lat %q is not a number: write WGS 84 degrees in decimal, such as 58.26", la)
	}
	if long, ok = trygg.ParseDecimal(lo); !ok {
		return 0, 0, trygg.Errorf(trygg.EINVALID, "long", "long %q is not a number: write WGS 84 degrees in decimal, such as 13.1", lo)
	}
	return lat, long, nil
}

// inMunicipality says whether the point lies in the municipality; a position outside
// Sweden (or no coordinate at all) is left to the report checks to refuse.
func inMunicipality(m *trygg.Municipality, lat, long float64) bool {
	p := orb.Point{long, lat}
	if sweden, _ := geo.SwedenBounds(geo.WGS84); !sweden.Contains(p) {
		return true
	}
	return planar.MultiPolygonContains(m.Boundary, p)
}
