package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// bare returns a server around one handler, without a database.
func bare(opts Options, h handlerFunc) (*Server, http.Handler) {
	s := &Server{log: slog.New(slog.NewJSONHandler(io.Discard, nil)), opts: opts, metrics: newMetrics(nil)}
	return s, s.observe(s.handle(h))
}

func TestMiddleware(t *testing.T) {
	opts := DefaultOptions()
	opts.MaxBodyBytes = 10
	cases := []struct {
		name   string
		body   string
		h      handlerFunc
		status int
	}{
		{"body within limit", "0123456789", func(w http.ResponseWriter, r *http.Request) error {
			_, err := io.ReadAll(r.Body)
			if err == nil {
				w.WriteHeader(http.StatusNoContent)
			}
			return err
		}, http.StatusNoContent},
		{"body over limit", strings.Repeat("x", 11), func(w http.ResponseWriter, r *http.Request) error {
			_, err := io.ReadAll(r.Body)
			return err
		}, http.StatusRequestEntityTooLarge},
		{"panic", "", func(w http.ResponseWriter, r *http.Request) error {
			panic("boom")
		}, http.StatusInternalServerError},
		{"internal error is hidden", "", func(w http.ResponseWriter, r *http.Request) error {
			return io.ErrUnexpectedEOF
		}, http.StatusInternalServerError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, h := bare(opts, tc.h)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(tc.body)))
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if rec.Header().Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
			if tc.status < 400 {
				return
			}
			var p Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != tc.status {
				t.Fatalf("got %s, want a problem with status %d", rec.Body, tc.status)
			}
			if tc.status == 500 && (p.Detail != "Internal error." || strings.Contains(rec.Body.String(), "boom")) {
				t.Errorf("internal detail leaked: %s", rec.Body)
			}
		})
	}
}
