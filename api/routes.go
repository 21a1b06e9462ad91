package api

import (
	"net/http"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/trygg-gis/trygg/web"
)

// routes lists every route of the server.
func (s *Server) routes() http.Handler {
	r := mux.NewRouter()
	r.Use(routeName)

	r.Handle("/healthz", s.handle(s.handleHealth)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/readyz", s.handle(s.handleReady)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})).Methods(http.MethodGet)

	v1 := r.PathPrefix("/api/v1").Subrouter()
	v1.Handle("/municipalities", s.handle(s.handleMunicipalities)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/municipalities/{code}", s.handle(s.handleMunicipality)).Methods(http.MethodGet, http.MethodHead)

	notFound := s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return httpError(http.StatusNotFound, "", "no such resource: "+r.URL.Path)
	})
	r.PathPrefix("/").Handler(web.Handler(notFound)).Methods(http.MethodGet, http.MethodHead)

	r.NotFoundHandler = notFound
	r.MethodNotAllowedHandler = s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return httpError(http.StatusMethodNotAllowed, "", r.Method+" is not allowed on "+r.URL.Path)
	})
	return r
}
