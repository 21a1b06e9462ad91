// Package open311 serves Trygg as an Open311 GeoReport v2 endpoint
// (http://wiki.open311.org/GeoReport_v2), so that existing civic-issue clients can list
// the report categories, read public reports and submit new ones:
//
//   - a service is a report category (service_code is the category's code), with two
//     attributes: feeling (1–4, optional: without it the report is stored as 2, unsafe)
//     and when (times of day and kinds of day);
//   - a report with several reasons (categories) is a request of its first, main one:
//     service_code is that code; GET requests?service_code= matches a report naming the
//     service among any of its reasons (so it is listed under each of them, as it
//     counts in each category's figures elsewhere); a POST is one reason, service_code;
//   - a service request is a public report: open, or closed once it is resolved or its
//     latest action is done (status_notes the action's public feedback),
//     read only through the store's public view: coarsened position, masked text, no
//     contact data;
//   - jurisdiction_id is a municipality's SCB code;
//   - POST requests goes through the API server's own report path (Hooks.Submit): the
//     same checks, rate limit and store call as POST /api/v1/reports, source resident.
//
// Every endpoint answers in the format its extension names, .json or .xml, errors
// included: [{"code":400,"description":"…"}] or
// <errors><error><code>400</code><description>…</description></error></errors>.
// Element and field names, order and types follow the specification and the real
// responses of Bloomington and San Francisco (../shared/data/real/open311).
package open311

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // times are given in Swedish time wherever the server runs

	"github.com/gorilla/mux"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// Prefix is where the endpoint is mounted.
const Prefix = "/open311/v2"

// Submission is a service request as posted, read but not yet checked.
type Submission struct {
	Lat, Long   float64
	ServiceCode string   // a category code, known to exist
	Feeling     *int     // attribute[feeling]; nil when not sent
	When        []string // attribute[when]
	Description string
	Email       string
	Phone       string
	RequestHash []byte // of the form, for an Idempotency-Key
}

// Problem is how the API server answers an error: its HTTP status, the message users
// may see, the field at fault (in the server's own words) and, for 429 and 503, how
// long to wait.
type Problem struct {
	Status     int
	Field      string
	Message    string
	RetryAfter time.Duration
}

// Hooks connect the endpoint to the API server.
type Hooks struct {
	// Submit checks and stores a resident report exactly as POST /api/v1/reports does,
	// public rate limit included.
	Submit func(r *http.Request, s Submission) (postgis.Submitted, error)
	// Problem classifies an error as the API server does (and logs internal ones).
	Problem func(r *http.Request, err error) Problem
	// BaseURL, if set, is the server's absolute URL (scheme://host[:port][/prefix])
	// discovery names; nil names the request's Host.
	BaseURL func(r *http.Request) string
}

// Options tune the endpoint.
type Options struct {
	APIKey string // clients must send it as api_key to POST requests; "" for none
	HTTPS  bool   // the public URL is https even for plain requests (TLS ends at a proxy)
}

// Handler serves GeoReport v2.
type Handler struct {
	db    *postgis.DB
	hooks Hooks
	opts  Options

	mu    sync.Mutex
	munis map[string]cachedMunicipality
}

type cachedMunicipality struct {
	m  *trygg.Municipality
	at time.Time
}

// municipalityTTL is how long a municipality (name, boundary) is kept; unknown codes
// are asked for every time, so a newly imported municipality is found at once.
const municipalityTTL = 10 * time.Minute

// New returns the endpoint on the store db.
func New(db *postgis.DB, hooks Hooks, opts Options) *Handler {
	return &Handler{db: db, hooks: hooks, opts: opts, munis: map[string]cachedMunicipality{}}
}

// Register adds the endpoint's routes to r, a router for Prefix. Paths under it that
// are not an endpoint get an Open311 404.
func (h *Handler) Register(r *mux.Router) {
	r.Handle("/discovery.{format}", h.route(h.discovery, nil))
	r.Handle("/services.{format}", h.route(h.services, nil))
	r.Handle("/services/{code}.{format}", h.route(h.serviceDefinition, nil))
	r.Handle("/requests.{format}", h.route(h.requests, h.createRequest))
	r.Handle("/requests/{id}.{format}", h.route(h.request, nil))
	r.Handle("/tokens/{token}.{format}", h.route(h.token, nil))
	r.PathPrefix("/").Handler(h.route(nil, nil))
}

type format string

const (
	formatJSON format = "json"
	formatXML  format = "xml"
)

type handlerFunc func(w http.ResponseWriter, r *http.Request, f format) error

// route serves get for GET and HEAD and post for POST; a nil get is a 404 (no such
// endpoint). Errors are written in the request's format.
func (h *Handler) route(get, post handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := format(mux.Vars(r)["format"])
		var err error
		switch {
		case get == nil:
			if strings.HasSuffix(r.URL.Path, ".xml") {
				f = formatXML
			}
			err = statusErr(http.StatusNotFound, "no such Open311 endpoint: "+r.URL.Path+
				" (GET "+Prefix+"/discovery.json lists them)")
		case f != formatJSON && f != formatXML:
			err = statusErr(http.StatusNotFound, "format "+strconv.Quote(string(f))+" is not json or xml")
		case r.Method == http.MethodGet || r.Method == http.MethodHead:
			err = get(w, r, f)
		case r.Method == http.MethodPost && post != nil:
			err = post(w, r, f)
		default:
			allow := "GET, HEAD"
			if post != nil {
				allow += ", POST"
			}
			w.Header().Set("Allow", allow)
			err = statusErr(http.StatusMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path)
		}
		if err != nil {
			h.fail(w, r, f, err)
		}
	})
}

// httpError is an error with its own HTTP status, for what the domain has no code for.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func statusErr(status int, msg string) error { return &httpError{status: status, msg: msg} }

// openFields names the API server's fields as Open311 calls them.
var openFields = map[string]string{
	"category":      "service_code",
	"feeling":       "attribute[feeling]",
	"when":          "attribute[when]",
	"contact":       "email",
	"contact.email": "email",
	"contact.phone": "phone",
	"location":      "lat/long",
}

// apiError is one Open311 error.
type apiError struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

type xmlErrors struct {
	XMLName xml.Name   `xml:"errors"`
	Errors  []apiError `xml:"error"`
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, f format, err error) {
	var p Problem
	var he *httpError
	if errors.As(err, &he) {
		p = Problem{Status: he.status, Message: he.msg}
	} else {
		p = h.hooks.Problem(r, err)
		if name, ok := openFields[p.Field]; ok {
			p.Message = name + ": " + p.Message
		}
	}
	if p.Status == 0 {
		p.Status = http.StatusInternalServerError
	}
	w.Header().Set("Cache-Control", "no-store")
	if p.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(p.RetryAfter.Seconds()))))
	}
	e := []apiError{{Code: p.Status, Description: p.Message}}
	write(w, p.Status, f, e, xmlErrors{Errors: e})
}

// write encodes v as JSON or x as XML, with the status.
func write(w http.ResponseWriter, status int, f format, v, x any) {
	var b bytes.Buffer
	var err error
	if f == formatXML {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		b.WriteString(xml.Header)
		err = xml.NewEncoder(&b).Encode(x)
		b.WriteByte('\n')
	} else {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		err = enc.Encode(v)
	}
	if err != nil { // a bug: every value here encodes
		status = http.StatusInternalServerError
		b.Reset()
		b.WriteString("Internal error.\n")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes()) // a client that went away cannot be told
}

// opt is a text that is null in JSON when empty; in XML its element is present and
// empty, as the San Francisco responses have it.
type opt string

func (o opt) MarshalJSON() ([]byte, error) {
	if o == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(o))
}

// municipality returns the municipality with the SCB code, kept for a while.
func (h *Handler) municipality(ctx context.Context, code string) (*trygg.Municipality, error) {
	h.mu.Lock()
	c, ok := h.munis[code]
	h.mu.Unlock()
	if ok && time.Since(c.at) < municipalityTTL {
		return c.m, nil
	}
	m, err := h.db.Municipality(ctx, code)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.munis[code] = cachedMunicipality{m: m, at: time.Now()}
	h.mu.Unlock()
	return m, nil
}

// jurisdiction returns the municipality jurisdiction_id names, nil when none is given,
// and ENOTFOUND for a code that is not one of ours.
func (h *Handler) jurisdiction(ctx context.Context, code string) (*trygg.Municipality, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return nil, nil
	}
	m, err := h.municipality(ctx, code)
	if trygg.ErrorCode(err) == trygg.ENOTFOUND {
		return nil, trygg.Errorf(trygg.ENOTFOUND, "jurisdiction_id",
			"jurisdiction_id %q is not a municipality that uses Trygg (its SCB code, such as 1470)", code)
	}
	return m, err
}

// category returns the category with the code, or false.
func (h *Handler) category(ctx context.Context, code string) (trygg.Category, bool, error) {
	cats, err := h.db.Categories(ctx)
	if err != nil {
		return trygg.Category{}, false, err
	}
	for _, c := range cats {
		if c.Code == code {
			return c, true, nil
		}
	}
	return trygg.Category{}, false, nil
}

var stockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil { // cannot happen: time/tzdata is embedded
		return time.UTC
	}
	return loc
}()

// datetime formats t as ISO 8601 in Swedish time, as 2026-11-20T21:30:00+01:00.
func datetime(t time.Time) string { return t.In(stockholm).Format(time.RFC3339) }
