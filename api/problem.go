package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/importer"
	"github.com/trygg-gis/trygg/postgis"
)

// statusOf maps each domain error code to one HTTP status.
var statusOf = map[string]int{
	trygg.EINVALID:       http.StatusBadRequest,
	trygg.ENOTFOUND:      http.StatusNotFound,
	trygg.EUNAUTHORIZED:  http.StatusUnauthorized,
	trygg.EFORBIDDEN:     http.StatusForbidden,
	trygg.ECONFLICT:      http.StatusConflict,
	trygg.EUNPROCESSABLE: http.StatusUnprocessableEntity,
	trygg.EUNAVAILABLE:   http.StatusServiceUnavailable,
	trygg.EINTERNAL:      http.StatusInternalServerError,
}

// Problem is an RFC 9457 problem details body. Field names the request field or query
// parameter at fault.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	Code     string `json:"code,omitempty"`
	Field    string `json:"field,omitempty"`

	retryAfter time.Duration
}

// statusError is an error that carries its own HTTP status, for failures that happen
// before the domain is reached (a body too large, a wrong content type).
type statusError struct {
	status     int
	field      string
	msg        string
	retryAfter time.Duration // for 429 and 503: sent as Retry-After
}

func (e *statusError) Error() string { return e.msg }

// httpError returns an error answered with the given status.
func httpError(status int, field, msg string) error {
	return &statusError{status: status, field: field, msg: msg}
}

// tooMany returns a 429 error asking the client to wait d.
func tooMany(d time.Duration, msg string) error {
	return &statusError{status: http.StatusTooManyRequests, msg: msg, retryAfter: d}
}

// unavailableRetryAfter is the Retry-After of a 503 that does not choose its own.
const unavailableRetryAfter = 5 * time.Second

// problemFor turns any error into a problem and says whether it is internal (and so
// must be logged; its message is hidden).
func problemFor(err error, r *http.Request) (Problem, bool) {
	p := Problem{Type: "about:blank", Instance: r.URL.Path}
	var se *statusError
	var mbe *http.MaxBytesError
	var be *bodyError
	switch {
	case errors.As(err, &be):
		p.Status, p.Detail, p.Field = http.StatusRequestTimeout, "request body not received in time", "body"
	case errors.As(err, &se):
		p.Status, p.Detail, p.Field = se.status, se.msg, se.field
		p.retryAfter = se.retryAfter
	case errors.As(err, &mbe):
		p.Status, p.Detail = http.StatusRequestEntityTooLarge, "the request body is larger than the limit"
	case postgis.Unreachable(err) && trygg.ErrorCode(err) == trygg.EINTERNAL:
		// A store error not classified where it was made: still the database that is down.
		p.Status, p.Code, p.Detail = http.StatusServiceUnavailable, trygg.EUNAVAILABLE, "the database is unavailable; try again shortly"
	default:
		code := trygg.ErrorCode(err)
		p.Status = statusOf[code]
		p.Code, p.Detail, p.Field = code, trygg.ErrorMessage(err), trygg.ErrorField(err)
	}
	if p.Status == 0 {
		p.Status = http.StatusInternalServerError
	}
	if p.Status == http.StatusServiceUnavailable && p.retryAfter == 0 {
		// Every 503 says when to come back: a database that went away (or was too slow)
		// is usually back within seconds.
		p.retryAfter = unavailableRetryAfter
	}
	p.Title = http.StatusText(p.Status)
	return p, p.Status == http.StatusInternalServerError
}

// writeProblem writes p as application/problem+json.
func writeProblem(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	if p.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(p.retryAfter.Seconds()))))
	}
	if p.Status == http.StatusRequestTimeout {
		w.Header().Set("Connection", "close") // the rest of the body will not be read
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="trygg"`)
	}
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p) //nolint:errcheck // the client may be gone
}

// Refusal is one refused record of a batch (a file, a FeatureCollection) that was
// refused whole: the file's line or the feature's index, the field at fault and why.
type Refusal struct {
	Line    int    `json:"line,omitempty"`
	Feature *int   `json:"feature,omitempty"`
	Field   string `json:"field,omitempty"`
	Detail  string `json:"detail"`
}

// where names the refusal's place and field: "line 7: känsla",
// "features[3].properties.feeling".
func (f Refusal) where() string {
	switch {
	case f.Line > 0 && f.Field != "":
		return fmt.Sprintf("line %d: %s", f.Line, f.Field)
	case f.Line > 0:
		return fmt.Sprintf("line %d", f.Line)
	case f.Feature != nil && !strings.HasPrefix(f.Field, "features["):
		if f.Field == "" {
			return fmt.Sprintf("features[%d]", *f.Feature)
		}
		return fmt.Sprintf("features[%d].%s", *f.Feature, f.Field)
	case f.Field == "":
		return "body"
	}
	return f.Field
}

// maxRefusals is how many refusals a problem lists.
const maxRefusals = 100

// refusedProblem is a problem listing the refusals of a batch.
type refusedProblem struct {
	Problem
	Errors     []Refusal `json:"errors"`
	ErrorCount int       `json:"error_count"`
}

// writeRefused answers a batch of which nothing was stored: the problem names the
// first refusal's place and field, and lists every refusal (up to maxRefusals) with
// their count.
func writeRefused(w http.ResponseWriter, r *http.Request, status int, refused []Refusal) error {
	first := refused[0]
	code := trygg.EINVALID
	if status == http.StatusUnprocessableEntity {
		code = trygg.EUNPROCESSABLE
	}
	noun := "records"
	if len(refused) == 1 {
		noun = "record"
	}
	p := refusedProblem{
		Problem: Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Instance: r.URL.Path,
			Code: code, Field: first.where(),
			Detail: fmt.Sprintf("%d %s refused, nothing was stored; the first: %s: %s", len(refused), noun, first.where(), first.Detail)},
		Errors:     refused[:min(len(refused), maxRefusals)],
		ErrorCount: len(refused),
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, status, "application/problem+json", p)
}

// recordRefusals turns the importer's record errors into refusals.
func recordRefusals(errs []importer.RecordError) []Refusal {
	out := make([]Refusal, len(errs))
	for i, e := range errs {
		out[i] = Refusal{Line: e.Line, Field: e.Field, Detail: e.Reason}
		if e.Line == 0 {
			f := e.Feature
			out[i].Feature = &f
		}
	}
	return out
}
