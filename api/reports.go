package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/auth"
	"github.com/trygg-gis/trygg/postgis"
)

// maxReportBody is the largest report submission.
const maxReportBody = 64 << 10

// reportFields are a report's properties, at the top level of the plain form or in the
// properties of the GeoJSON Feature form.
type reportFields struct {
	Category    string         `json:"category"`
	Categories  []string       `json:"categories"` // every reason, the main one first; category alone is one
	Feeling     *int           `json:"feeling"`
	When        []string       `json:"when"`
	Description string         `json:"description"`
	Source      string         `json:"source"`
	Precision   string         `json:"precision"`
	ObservedAt  *string        `json:"observed_at"`
	Contact     *trygg.Contact `json:"contact"`
	Lang        string         `json:"lang"`    // the language the report is made in (trygg.Languages), for e-mails to the reporter
	Website     string         `json:"website"` // honeypot: people leave it empty, bots fill it
	// The reporter's optional, anonymous age band and gender (trygg.AgeBands,
	// trygg.Genders; missing is "unstated"): never part of the report's outputs.
	AgeBand string `json:"age_band"`
	Gender  string `json:"gender"`
}

// reportInput is either {"location": geometry, …fields} or a GeoJSON Feature.
type reportInput struct {
	Type       string          `json:"type"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
	ID         json.RawMessage `json:"id"`
	BBox       json.RawMessage `json:"bbox"`
	Location   json.RawMessage `json:"location"`
	CRS        json.RawMessage `json:"crs"`
	reportFields
}

// geometryInput is a GeoJSON geometry, decoded by hand for precise errors.
type geometryInput struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
	CRS         json.RawMessage `json:"crs"`
	BBox        json.RawMessage `json:"bbox"`
}

// readReport reads and checks a submission: everything that can be judged without the
// database, each refusal naming its field. It returns the report and the body's hash
// (for Idempotency-Key).
func (s *Server) readReport(r *http.Request) (trygg.Report, []byte, error) {
	rep, _, hash, err := s.readSubmission(r)
	return rep, hash, err
}

// readSubmission is readReport with the reporter's demographics, which are kept apart
// from the report.
func (s *Server) readSubmission(r *http.Request) (trygg.Report, trygg.Demographics, []byte, error) {
	rep, hash, fields, err := s.readReportFields(r)
	if err != nil {
		return rep, trygg.Demographics{}, nil, err
	}
	d, err := trygg.CheckDemographics(fields.AgeBand, fields.Gender)
	if err != nil {
		return rep, d, nil, err
	}
	return rep, d, hash, nil
}

func (s *Server) readReportFields(r *http.Request) (rep trygg.Report, _ []byte, fields reportFields, _ error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && mt != "application/geo+json") {
		return rep, nil, fields, httpError(http.StatusUnsupportedMediaType, "Content-Type", "send the report as application/json or application/geo+json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxReportBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return rep, nil, fields, httpError(http.StatusRequestEntityTooLarge, "body", fmt.Sprintf("a report is at most %d KiB", maxReportBody>>10))
		}
		return rep, nil, fields, err
	}
	if err := checkUTF8(body); err != nil {
		return rep, nil, fields, err
	}
	hash := sha256.Sum256(body)
	var kind struct {
		Type any `json:"type"`
	}
	if json.Unmarshal(body, &kind) == nil && kind.Type != nil && kind.Type != "Feature" {
		return rep, nil, fields, trygg.Errorf(trygg.EINVALID, "type", "type %v: send one GeoJSON Feature or a plain object with location", kind.Type)
	}
	var in reportInput
	if err := strictJSON(body, &in); err != nil {
		return rep, nil, fields, err
	}
	fields, loc := in.reportFields, in.Location
	locField := "location"
	switch {
	case in.Type == "Feature":
		if len(in.Location) > 0 {
			return rep, nil, fields, trygg.Errorf(trygg.EINVALID, "location", "a Feature carries its place in geometry, not location")
		}
		if fields.Category != "" || fields.Categories != nil || fields.Feeling != nil {
			return rep, nil, fields, trygg.Errorf(trygg.EINVALID, "properties", "a Feature carries its fields in properties")
		}
		if len(in.Properties) == 0 || string(in.Properties) == "null" {
			return rep, nil, fields, trygg.Errorf(trygg.EINVALID, "properties", "properties are missing")
		}
		fields = reportFields{}
		if err := strictJSON(in.Properties, &fields); err != nil {
			return rep, nil, fields, prefixField(err, "properties.")
		}
		loc, locField = in.Geometry, "geometry"
	case in.Type != "":
		return rep, nil, fields, trygg.Errorf(trygg.EINVALID, "type", "type %q: send a GeoJSON Feature or a plain object with location", in.Type)
	case len(in.Geometry) > 0 || len(in.Properties) > 0:
		return rep, nil, fields, trygg.Errorf(trygg.EINVALID, "type", `geometry and properties need "type": "Feature"`)
	}
	if len(in.CRS) > 0 {
		return rep, nil, fields, trygg.Errorf(trygg.EINVALID, "crs", "crs is not allowed: GeoJSON coordinates are WGS 84 longitude, latitude (RFC 7946)")
	}
	if fields.Website != "" {
		return rep, nil, fields, trygg.Errorf(trygg.EINVALID, "website", "leave the field website empty")
	}
	if rep.Location, err = readLocation(loc, locField); err != nil {
		return rep, nil, fields, err
	}
	if err := s.checkFields(r, &rep, fields); err != nil {
		return rep, nil, fields, err
	}
	return rep, hash[:], fields, nil
}

// strictJSON decodes one JSON value, refusing unknown fields and trailing data.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return httpError(http.StatusBadRequest, "body", "the body has data after its JSON value")
	}
	return nil
}

// prefixField puts a nested object's field name in front of an error's field
// ("location." + "type"); an error about the whole object names the object.
func prefixField(err error, prefix string) error {
	var se *statusError
	if !errors.As(err, &se) {
		return err
	}
	field := prefix + se.field
	if se.field == "body" || se.field == "" {
		field = strings.TrimSuffix(prefix, ".")
	}
	return &statusError{status: se.status, field: field, msg: se.msg}
}

// readLocation decodes and checks a Point or a Polygon in WGS 84, inside Sweden.
func readLocation(raw json.RawMessage, field string) (orb.Geometry, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, trygg.Errorf(trygg.EINVALID, field, "%s is missing: a GeoJSON Point or Polygon", field)
	}
	var g geometryInput
	if err := strictJSON(raw, &g); err != nil {
		return nil, prefixField(err, field+".")
	}
	if len(g.CRS) > 0 {
		return nil, trygg.Errorf(trygg.EINVALID, field+".crs", "crs is not allowed: GeoJSON coordinates are WGS 84 longitude, latitude (RFC 7946)")
	}
	coords := field + ".coordinates"
	if len(g.Coordinates) == 0 || string(g.Coordinates) == "null" {
		return nil, trygg.Errorf(trygg.EINVALID, coords, "coordinates are missing")
	}
	var geom orb.Geometry
	switch g.Type {
	case "Point":
		var c []float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, trygg.Errorf(trygg.EINVALID, coords, "a Point's coordinates are [longitude, latitude]")
		}
		p, err := point(c, coords)
		if err != nil {
			return nil, err
		}
		geom = p
	case "Polygon":
		var rings [][][]float64
		if err := json.Unmarshal(g.Coordinates, &rings); err != nil {
			return nil, trygg.Errorf(trygg.EINVALID, coords, "a Polygon's coordinates are rings of [longitude, latitude] positions")
		}
		poly := make(orb.Polygon, len(rings))
		for i, ring := range rings {
			for _, c := range ring {
				p, err := point(c, coords)
				if err != nil {
					return nil, err
				}
				poly[i] = append(poly[i], p)
			}
		}
		if err := trygg.CheckArea(coords, poly); err != nil {
			return nil, err
		}
		geom = poly
	case "":
		return nil, trygg.Errorf(trygg.EINVALID, field+".type", "the geometry's type is missing")
	default:
		return nil, trygg.Errorf(trygg.EINVALID, field+".type", "a report is a Point or a Polygon, not a %s", g.Type)
	}
	if err := inSweden(geom, field, coords, "GeoJSON positions are [longitude, latitude]"); err != nil {
		return nil, err
	}
	return geom, nil
}

// inSweden refuses a place outside Sweden (EUNPROCESSABLE on field), or, when its
// coordinates look swapped, EINVALID on coords with the hint on their order.
func inSweden(geom orb.Geometry, field, coords, order string) error {
	return trygg.CheckInSweden(geom, field, coords, order)
}

func point(c []float64, field string) (orb.Point, error) {
	if len(c) < 2 || len(c) > 3 {
		return orb.Point{}, trygg.Errorf(trygg.EINVALID, field, "a position is [longitude, latitude], not %d numbers", len(c))
	}
	return trygg.CheckPosition(field, c[0], c[1])
}

// checkFields checks and fills the report's fields.
func (s *Server) checkFields(r *http.Request, rep *trygg.Report, f reportFields) error {
	ctx := r.Context()
	cats, err := s.db.Categories(ctx)
	if err != nil {
		return err
	}
	if rep.Category, rep.Categories, err = trygg.CheckCategories(f.Category, f.Categories, cats); err != nil {
		return trygg.Errorf(trygg.EINVALID, trygg.ErrorField(err), "%s (GET /api/v1/categories lists them)", trygg.ErrorMessage(err))
	}
	if rep.Feeling, err = trygg.CheckFeeling(f.Feeling); err != nil {
		return err
	}
	if rep.When, err = trygg.NormalizeWhen(f.When); err != nil {
		return err
	}
	if err := trygg.CheckText("description", f.Description, trygg.MaxDescription); err != nil {
		return err
	}
	rep.Description = trygg.CleanText(f.Description)
	rep.PublicDescription = trygg.MaskContacts(rep.Description)

	caller := trygg.CallerFrom(ctx)
	staff := caller != nil && caller.User.ID != ""
	rep.Source = f.Source
	switch {
	case rep.Source == "":
		rep.Source = trygg.SourceResident
	case trygg.CheckSource(rep.Source) != nil:
		return trygg.CheckSource(rep.Source)
	case rep.Source != trygg.SourceResident && !staff:
		return trygg.Errorf(trygg.EFORBIDDEN, "source", "source %q needs a staff sign-in", rep.Source)
	}
	rep.Status = trygg.StatusReceived
	if rep.Source != trygg.SourceResident && !trygg.StaffSourced(rep.Source) {
		rep.Status = trygg.StatusPublished // staff reports need no moderation, but the police's wait to be published
	}

	if rep.Precision, err = trygg.ReportPrecision(rep.Location, f.Precision); err != nil {
		return err
	}

	if f.ObservedAt != nil {
		t, err := time.Parse(time.RFC3339, *f.ObservedAt)
		if err != nil {
			return trygg.Errorf(trygg.EINVALID, "observed_at", "%q is not an RFC 3339 time such as 2026-11-20T21:30:00+01:00", *f.ObservedAt)
		}
		if err := trygg.CheckObservedAt("observed_at", t); err != nil {
			return err
		}
		rep.ObservedAt = &t
	}
	if f.Contact != nil {
		if err := f.Contact.Validate(); err != nil {
			return err
		}
		rep.Contact = f.Contact
	}
	if rep.Lang, err = trygg.CheckLang("lang", f.Lang); err != nil {
		return err
	}
	return nil
}

// handleSubmitReport answers POST /api/v1/reports: 201 after the report is committed,
// with its id, a follow-up URL and an erasure token shown this once.
func (s *Server) handleSubmitReport(w http.ResponseWriter, r *http.Request) error {
	key, err := idempotencyKey(r)
	if err != nil {
		return err
	}
	rep, demo, hash, err := s.readSubmission(r)
	if err != nil {
		return err
	}
	out, err := s.storeReport(r, rep, key, hash, demo)
	if err != nil {
		return err
	}
	url := "/api/v1/reports/" + out.ID
	w.Header().Set("Location", url)
	w.Header().Set("Cache-Control", "no-store")
	if out.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	return writeJSON(w, http.StatusCreated, "application/json", map[string]any{
		"id": out.ID, "status": out.Status, "municipality": out.Municipality, "created_at": out.CreatedAt,
		"follow_up_url": url, "erasure_token": out.ErasureToken, "place_label": out.PlaceLabel,
		"short_code": trygg.ShortCode(out.ID), "receipt_mailed": out.MailQueued,
	})
}

// handleReportByCode answers GET /api/v1/reports/by-code/{code}: the id, short code and
// links of the report with that short code (trygg.ShortCode), in any case and with or
// without the dash; what the report shows is then up to GET /reports/{id}.
func (s *Server) handleReportByCode(w http.ResponseWriter, r *http.Request) error {
	id, err := s.db.ReportIDByCode(r.Context(), mux.Vars(r)["code"])
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/reports/"+id)
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{
		"id": id, "short_code": trygg.ShortCode(id), "report_url": "/api/v1/reports/" + id, "status_page": "/rapport/" + id,
	})
}

// handleShortLink answers GET /r/{code}, the address written down with the code: a
// redirect to the report's status page.
func (s *Server) handleShortLink(w http.ResponseWriter, r *http.Request) error {
	id, err := s.db.ReportIDByCode(r.Context(), mux.Vars(r)["code"])
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/rapport/"+id, http.StatusFound)
	return nil
}

// idempotencyKey returns the request's Idempotency-Key header ("" for none).
func idempotencyKey(r *http.Request) (string, error) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 255 {
		return "", trygg.Errorf(trygg.EINVALID, "Idempotency-Key", "Idempotency-Key is longer than 255 characters")
	}
	return key, nil
}

// storeReport stores a checked report under a new id with a new erasure token (in the
// answer's ErasureToken, for the reporter alone); hash is what an idempotency key was
// first used for. The public's reports are rate limited per client address in the same
// round trip (429 with Retry-After); signed-in callers are not limited. Only reports
// stored count: a replay, or a report refused as invalid, takes nothing.
// The reporter's demographics d, if any, are stored apart from the report.
func (s *Server) storeReport(r *http.Request, rep trygg.Report, key string, hash []byte, d ...trygg.Demographics) (postgis.Submitted, error) {
	rep.ID = uuid.NewString()
	token := auth.NewToken(auth.ErasurePrefix)
	sub := postgis.Submission{
		Report: rep, ErasureHash: auth.HashToken(token), ErasureToken: token,
		IdempotencyKey: key, RequestHash: hash, SnapMetres: s.opts.PublicGridM,
	}
	if len(d) > 0 {
		sub.Demographics = d[0]
	}
	if trygg.CallerFrom(r.Context()) == nil {
		sub.Limit = limit(bucketReport, s.clientIP(r), s.opts.ReportRate)
	}
	out, err := s.db.SubmitReport(r.Context(), sub)
	return out, limited(err)
}

// publicProperties are what anyone may see of a report.
type publicProperties struct {
	ID            string     `json:"id"`
	Municipality  string     `json:"municipality"`
	Category      string     `json:"category"`
	Categories    []string   `json:"categories"`
	Feeling       int        `json:"feeling"`
	When          []string   `json:"when"`
	Description   string     `json:"description"`
	Source        string     `json:"source"`
	Precision     string     `json:"precision"`   // exact, approximate, snapped (a point at its public cell's centre), area
	PrecisionM    *float64   `json:"precision_m"` // snapped: the public grid's cell size; else null
	Status        string     `json:"status"`
	ObservedAt    *time.Time `json:"observed_at"`
	CreatedAt     time.Time  `json:"created_at"`
	Confirmations int        `json:"confirmations"`
	PlaceLabel    *string    `json:"place_label"` // the named place near it ("vid Stora torget"), or null
	ShortCode     string     `json:"short_code"`  // trygg.ShortCode

	Action *trygg.PublicAction `json:"action"`
	Steps  []trygg.ReportStep  `json:"steps,omitempty"` // one report's read: the day of each step // the latest action's status and feedback, or null
	Photos []trygg.Photo       `json:"photos"`          // once published: {url, thumbnail_url, width, height}, oldest first
}

// appendPublicReport appends a report read through postgis.PublicReport(s): its
// Location is already coarsened and its Description already masked.
func appendPublicReport(b []byte, r trygg.Report) ([]byte, error) {
	when := r.When
	if when == nil {
		when = []string{}
	}
	photos := r.Photos
	if photos == nil {
		photos = []trygg.Photo{}
	}
	return appendFeature(b, r.ID, r.Location, publicProperties{r.ID, r.Municipality, r.Category, categoriesOf(r), r.Feeling, when,
		r.PublicDescription, r.Source, r.Precision, r.PrecisionM, r.Status, r.ObservedAt, r.CreatedAt, r.Confirmations, r.PlaceLabel, trygg.ShortCode(r.ID), r.Action, r.Steps, photos})
}

// categoriesOf is a report's reasons, never empty: a report read without them (none
// should be) gives its category.
func categoriesOf(r trygg.Report) []string {
	if len(r.Categories) == 0 && r.Category != "" {
		return []string{r.Category}
	}
	return r.Categories
}

// appendStaffReport appends everything staff may see; contact data only for roles that
// follow reports up.
func appendStaffReport(b []byte, r trygg.Report, c *trygg.Caller) ([]byte, error) {
	if !c.Can(trygg.RoleAdmin, trygg.RolePlanner, trygg.RoleModerator) {
		r.Contact = nil
	}
	if r.When == nil {
		r.When = []string{}
	}
	if r.Photos == nil {
		r.Photos = []trygg.Photo{}
	}
	r.Categories = categoriesOf(r)
	return appendFeature(b, r.ID, r.Location, r)
}

func featureCollection(n int, item func(b []byte, i int) ([]byte, error)) ([]byte, error) {
	b := append(make([]byte, 0, 512*n+64), `{"type":"FeatureCollection","features":[`...)
	var err error
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = item(b, i); err != nil {
			return nil, err
		}
	}
	return append(b, "]}\n"...), nil
}

// handleReport answers GET /api/v1/reports/{id}: staff of the report's municipality
// see all of it; everyone else sees the public report, if it is published; the
// reporter, sending the erasure token as Erasure-Token, sees the status of one that is
// not.
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) error {
	id := mux.Vars(r)["id"]
	c := trygg.CallerFrom(r.Context())
	if c != nil && c.User.ID != "" {
		rep, err := s.db.Report(r.Context(), id)
		if err == nil {
			w.Header().Set("Cache-Control", "private, no-store")
			b, err := appendStaffReport(nil, rep, c)
			if err != nil {
				return err
			}
			return writeBytes(w, http.StatusOK, contentTypeGeoJSON, append(b, '\n'))
		}
		if trygg.ErrorCode(err) != trygg.ENOTFOUND {
			return err
		}
	}
	rep, err := s.db.PublicReport(r.Context(), id)
	if token := r.Header.Get("Erasure-Token"); trygg.ErrorCode(err) == trygg.ENOTFOUND && token != "" {
		// The reporter follows up a report that is not public (yet).
		st, err := s.db.ReportForReporter(r.Context(), id, auth.HashToken(token))
		if err != nil {
			return err
		}
		if st.Steps, err = s.db.ReportSteps(r.Context(), id, auth.HashToken(token)); err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "private, no-store")
		return writeJSON(w, http.StatusOK, "application/json", st)
	}
	if err != nil {
		return err
	}
	var hash []byte
	if token := r.Header.Get("Erasure-Token"); token != "" {
		hash = auth.HashToken(token)
	}
	if rep.Steps, err = s.db.ReportSteps(r.Context(), id, hash); err != nil {
		return err
	}
	b, err := appendPublicReport(nil, rep)
	if err != nil {
		return err
	}
	return writeBytes(w, http.StatusOK, contentTypeGeoJSON, append(b, '\n'))
}

// handleNearby answers GET /api/v1/reports/nearby?lon=&lat=&radius=&category=: public
// reports near a point, nearest first, so a resident can say "me too" instead of
// reporting the same place again.
func (s *Server) handleNearby(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	lon, err := floatParam(q.Get("lon"), "lon", -180, 180)
	if err != nil {
		return err
	}
	lat, err := floatParam(q.Get("lat"), "lat", -90, 90)
	if err != nil {
		return err
	}
	radius := 150.0
	if q.Get("radius") != "" {
		if radius, err = floatParam(q.Get("radius"), "radius", 1, 2000); err != nil {
			return err
		}
	}
	f := postgis.PublicFilter{Near: &orb.Point{lon, lat}, RadiusM: radius, Limit: 50}
	if cs := q["category"]; len(cs) > 0 {
		cats, err := s.db.Categories(r.Context())
		if err != nil {
			return err
		}
		for _, c := range strings.Split(strings.Join(cs, ","), ",") {
			if !slices.ContainsFunc(cats, func(x trygg.Category) bool { return x.Code == c }) {
				return trygg.Errorf(trygg.EINVALID, "category", "unknown category %q", c)
			}
			f.Categories = append(f.Categories, c)
		}
	}
	rs, err := s.db.PublicReports(r.Context(), f)
	if err != nil {
		return err
	}
	b, err := featureCollection(len(rs), func(b []byte, i int) ([]byte, error) { return appendPublicReport(b, rs[i]) })
	if err != nil {
		return err
	}
	return writeBytes(w, http.StatusOK, contentTypeGeoJSON, b)
}

func floatParam(v, name string, lo, hi float64) (float64, error) {
	if v == "" {
		return 0, trygg.Errorf(trygg.EINVALID, name, "%s is missing", name)
	}
	f, ok := trygg.ParseDecimal(v)
	if !ok || f < lo || f > hi {
		return 0, trygg.Errorf(trygg.EINVALID, name, "%s=%q must be a number from %g to %g", name, v, lo, hi)
	}
	return f, nil
}

// handleConfirm answers POST /api/v1/reports/{id}/confirm: "me too" on a public report.
func (s *Server) handleConfirm(w http.ResponseWriter, r *http.Request) error {
	id := mux.Vars(r)["id"]
	ip := s.clientIP(r)
	n, err := s.db.ConfirmReport(r.Context(), id, limit(bucketConfirm, ip, s.opts.ConfirmRate),
		limit(bucketConfirmOnce, ip+" "+id, Rate{N: 1, Window: 24 * time.Hour}))
	if err != nil {
		return limited(err)
	}
	return writeJSON(w, http.StatusCreated, "application/json", map[string]any{"id": id, "confirmations": n})
}

// handleErase answers DELETE /api/v1/reports/{id} with the header Erasure-Token: the
// report and its personal data are deleted.
func (s *Server) handleErase(w http.ResponseWriter, r *http.Request) error {
	token := r.Header.Get("Erasure-Token")
	if token == "" {
		return trygg.Errorf(trygg.EINVALID, "Erasure-Token", "send the erasure token you got when you reported, in the header Erasure-Token")
	}
	if err := s.db.EraseReport(r.Context(), mux.Vars(r)["id"], auth.HashToken(token)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleModerationQueue answers GET /api/v1/moderation/queue: received reports of the
// moderator's municipalities, oldest first.
func (s *Server) handleModerationQueue(w http.ResponseWriter, r *http.Request) error {
	limit, err := intParam(r.URL.Query().Get("limit"), "limit", 1, 1000, 100)
	if err != nil {
		return err
	}
	rs, err := s.db.ModerationQueue(r.Context(), limit)
	if err != nil {
		return err
	}
	return writeStaffReports(w, r, http.StatusOK, rs)
}

// writeStaffReports answers a FeatureCollection of reports as the caller's staff view.
func writeStaffReports(w http.ResponseWriter, r *http.Request, status int, rs []trygg.Report) error {
	c := trygg.CallerFrom(r.Context())
	b, err := featureCollection(len(rs), func(b []byte, i int) ([]byte, error) { return appendStaffReport(b, rs[i], c) })
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return writeBytes(w, status, contentTypeGeoJSON, b)
}

type moderationInput struct {
	Action      string   `json:"action"`
	Reason      string   `json:"reason"`
	Description *string  `json:"description"`
	Category    *string  `json:"category"`
	Categories  []string `json:"categories"`
}

// handleModerate answers POST /api/v1/reports/{id}/moderation: publish, reject (with
// a reason), resolve, or edit (public text, category; the original stays for staff).
func (s *Server) handleModerate(w http.ResponseWriter, r *http.Request) error {
	var in moderationInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m := postgis.Moderation{Action: in.Action, Reason: strings.TrimSpace(in.Reason), Category: in.Category}
	switch in.Action {
	case "publish", "resolve":
	case "reject":
		if m.Reason == "" {
			return trygg.Errorf(trygg.EINVALID, "reason", "say why the report is rejected")
		}
	case "edit":
		if in.Description == nil && in.Category == nil && in.Categories == nil {
			return trygg.Errorf(trygg.EINVALID, "description", "an edit changes description, category or categories")
		}
	case "":
		return trygg.Errorf(trygg.EINVALID, "action", "action is missing: publish, reject, edit or resolve")
	default:
		return trygg.Errorf(trygg.EINVALID, "action", "action %q is not publish, reject, edit or resolve", in.Action)
	}
	if err := trygg.CheckText("reason", m.Reason, 500); err != nil {
		return err
	}
	if in.Categories != nil {
		cats, err := s.db.Categories(r.Context())
		if err != nil {
			return err
		}
		main := ""
		if in.Category != nil {
			main = *in.Category
		}
		first, list, err := trygg.CheckCategories(main, in.Categories, cats)
		if err != nil {
			return err
		}
		m.Category, m.Categories = &first, list
	}
	if in.Description != nil {
		if err := trygg.CheckText("description", *in.Description, trygg.MaxDescription); err != nil {
			return err
		}
		d := trygg.MaskContacts(*in.Description)
		m.Description = &d
	}
	rep, err := s.db.Moderate(r.Context(), mux.Vars(r)["id"], m)
	if err != nil {
		return err
	}
	b, err := appendStaffReport(nil, rep, trygg.CallerFrom(r.Context()))
	if err != nil {
		return err
	}
	return writeBytes(w, http.StatusOK, contentTypeGeoJSON, append(b, '\n'))
}

// handleCategories answers GET /api/v1/categories: the report taxonomy.
func (s *Server) handleCategories(w http.ResponseWriter, r *http.Request) error {
	cats, err := s.db.Categories(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{"categories": cats})
}
