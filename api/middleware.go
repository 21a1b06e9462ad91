package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
)

// handlerFunc is a handler that returns its error; handle writes it as a problem.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts h to http.Handler: an error becomes a problem+json response, and only
// internal errors are logged (with the request id), their text never shown.
func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.health.failed(err)
	p, internal := problemFor(err, r)
	if internal {
		s.log.ErrorContext(r.Context(), "internal error", "error", err.Error(),
			"request_id", requestID(r.Context()), "path", r.URL.Path)
	}
	writeProblem(w, p)
}

type ctxKey int

const infoKey ctxKey = 0

// requestInfo is filled in as a request passes through: the outer middleware creates
// it, the router's middleware learns the route template.
type requestInfo struct {
	id    string
	route string
}

func requestID(ctx context.Context) string {
	if info, ok := ctx.Value(infoKey).(*requestInfo); ok {
		return info.id
	}
	return ""
}

// recorder remembers the status and counts the bytes written.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// observe wraps the whole router: it gives the request an id, a deadline, a write
// deadline and a body limit, recovers panics, and afterwards writes one log line and the metrics.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := s.newInfo(r)
		ctx := context.WithValue(r.Context(), infoKey, info)
		if s.opts.RequestTimeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, s.opts.RequestTimeout)
			defer cancel()
		}
		r = r.WithContext(ctx)
		if r.Body != nil {
			limit := s.opts.MaxBodyBytes
			if isPhotoUpload(r) {
				limit = max(limit, maxPhotoUpload) // the handler holds it to exactly that (api/photos.go)
			}
			r.Body = bodyReader{http.MaxBytesReader(w, r.Body, limit)}
		}
		if s.opts.WriteTimeout > 0 {
			// Every response has a write deadline, however the server is run: a client
			// that never reads is dropped then, and its handler returns.
			http.NewResponseController(w).SetWriteDeadline(start.Add(s.opts.WriteTimeout)) //nolint:errcheck // unsupported: the server's WriteTimeout holds
		}
		rec := &recorder{ResponseWriter: w}
		rec.Header().Set("X-Request-Id", info.id)
		defer s.finish(rec, r, info, start, func(int) bool { return true })
		next.ServeHTTP(rec, r)
	})
}

// newInfo starts a request's info with its id: the client's X-Request-Id when it
// gives a short one, else a new one.
func (s *Server) newInfo(r *http.Request) *requestInfo {
	info := &requestInfo{id: r.Header.Get("X-Request-Id")}
	if info.id == "" || len(info.id) > 64 {
		info.id = newRequestID()
	}
	return info
}

// finish is deferred by the outer middleware: it recovers a panic (a 500 unless the
// response had begun), records the metrics and writes the request's log line when
// logged says so for its status.
func (s *Server) finish(rec *recorder, r *http.Request, info *requestInfo, start time.Time, logged func(status int) bool) {
	if v := recover(); v != nil {
		if v == http.ErrAbortHandler {
			panic(v)
		}
		s.log.ErrorContext(r.Context(), "panic", "panic", v, "stack", string(debug.Stack()),
			"request_id", info.id)
		if rec.status == 0 {
			writeProblem(rec, Problem{Type: "about:blank", Title: "Internal Server Error",
				Status: http.StatusInternalServerError, Detail: "Internal error."})
		}
	}
	route := info.route
	if route == "" {
		route = "unmatched"
	}
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	d := time.Since(start)
	s.metrics.observe(r.Method, route, status, d)
	if !logged(status) {
		return
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("method", r.Method),
		slog.String("route", route),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.Int64("bytes", rec.bytes),
		slog.String("request_id", info.id),
	)
}

// routeName is router middleware: it records the matched route's template.
func routeName(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info, ok := r.Context().Value(infoKey).(*requestInfo); ok {
			if tpl, err := mux.CurrentRoute(r).GetPathTemplate(); err == nil {
				info.route = tpl
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Request ids are a random prefix per process and a counter: unique within the logs
// of one process and across restarts, and cheap enough for every tile request.
var (
	requestPrefix = func() string {
		b := make([]byte, 4)
		rand.Read(b) //nolint:errcheck // never fails
		return hex.EncodeToString(b)
	}()
	requestCounter atomic.Uint64
)

func newRequestID() string {
	return requestPrefix + "-" + strconv.FormatUint(requestCounter.Add(1), 36)
}

// itoa is strconv.Itoa, short for label values.
func itoa(i int) string { return strconv.Itoa(i) }
