package api

import (
	"net/http"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/open311"
	"github.com/trygg-gis/trygg/web"
)

// routes lists every route of the server.
func (s *Server) routes() http.Handler {
	r := mux.NewRouter()
	r.Use(routeName, s.authenticate)

	r.Handle("/healthz", s.handle(s.handleHealth)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/readyz", s.handle(s.handleReady)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})).Methods(http.MethodGet)

	v1 := r.PathPrefix("/api/v1").Subrouter()
	v1.Handle("/municipalities", s.handle(s.handleMunicipalities)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/municipalities/{code}", s.handle(s.handleMunicipality)).Methods(http.MethodGet, http.MethodHead)

	v1.Handle("/categories", s.handle(s.handleCategories)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/reports", s.handle(s.handleSubmitReport)).Methods(http.MethodPost)
	v1.Handle("/reports/nearby", s.handle(s.handleNearby)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/reports/{id}", s.handle(s.handleReport)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/reports/{id}", s.handle(s.handleErase)).Methods(http.MethodDelete)
	v1.Handle("/reports/{id}/confirm", s.handle(s.handleConfirm)).Methods(http.MethodPost)
	v1.Handle("/reports/{id}/moderation", s.staff(s.handleModerate, trygg.RoleModerator, trygg.RoleAdmin)).Methods(http.MethodPost)
	v1.Handle("/moderation/queue", s.staff(s.handleModerationQueue, trygg.RoleModerator, trygg.RoleAdmin)).Methods(http.MethodGet)

	v1.Handle("/session", s.handle(s.handleSignIn)).Methods(http.MethodPost)
	v1.Handle("/session", s.staff(s.handleSignOut)).Methods(http.MethodDelete)
	v1.Handle("/me", s.staff(s.handleMe)).Methods(http.MethodGet)
	v1.Handle("/audit", s.staff(s.handleAudit, trygg.RoleAdmin, trygg.RolePlanner)).Methods(http.MethodGet)
	v1.Handle("/users", s.staff(s.handleUsers, trygg.RoleAdmin)).Methods(http.MethodGet)
	v1.Handle("/users/{id}", s.staff(s.handleUser, trygg.RoleAdmin)).Methods(http.MethodGet)
	v1.Handle("/tokens", s.staff(s.handleTokens, trygg.RoleAdmin)).Methods(http.MethodGet)
	v1.Handle("/tokens", s.staff(s.handleCreateToken, trygg.RoleAdmin)).Methods(http.MethodPost)
	v1.Handle("/tokens/{id}", s.staff(s.handleRevokeToken, trygg.RoleAdmin)).Methods(http.MethodDelete)

	// Open311 GeoReport v2: its routes (open311.Handler.Register) answer in its own
	// JSON and XML, and POST requests shares the resident report path (open311.go).
	open311.New(s.db, s.open311Hooks(), open311.Options{APIKey: s.opts.Open311APIKey, HTTPS: s.opts.SecureCookies}).
		Register(r.PathPrefix(open311.Prefix).Subrouter())

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
