package api

import (
	"net/http"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/basemap"
	"github.com/trygg-gis/trygg/mail"
	"github.com/trygg-gis/trygg/ogc"
	"github.com/trygg-gis/trygg/open311"
	"github.com/trygg-gis/trygg/tiles"
	"github.com/trygg-gis/trygg/web"
)

// routes lists every route of the server.
func (s *Server) routes() http.Handler {
	r := mux.NewRouter()
	r.Use(routeName, withoutSession(mail.UnsubscribePath), s.authenticate)

	// Vector tiles, their TileJSON and the MapLibre style (package tiles): public or the
	// caller's staff view, cached; every unsafe request marks the tiles' versions stale.
	// First, because the router tries routes in order and tiles are the most requested.
	var basemapLayers []any
	if s.opts.Basemap != nil {
		basemapLayers, _ = web.BasemapLayers() // the embedded file is made by the build and parses
		if basemapLayers == nil {
			basemapLayers = []any{} // the app is not built: the source without layers
		}
	}
	s.tiles = tiles.New(s.db, tiles.Hooks{Fail: s.fail, BaseURL: s.baseURL, Cold: s.gates.coldTiles.enter}, tiles.Options{ClusterBelow: s.opts.TileClusterBelow,
		CacheBytes: int64(s.opts.TileCacheMB) << 20, HTTPS: s.opts.SecureCookies, Basemap: basemapLayers})
	r.Use(s.tiles.AfterWrites)
	r.Use(s.wakeMail) // a write may have queued mail to a reporter (api/mail.go)
	s.tiles.Register(r)
	// The self-hosted basemap (package basemap): the operator's archive's tiles and
	// TileJSON, or 404 saying how to add one. Its glyphs are the web app's (/fonts/…).
	// Its tiles take the fast path in ServeHTTP, past the router and authentication.
	s.basemap = basemap.NewHandler(s.opts.Basemap, basemap.Hooks{Fail: s.fail, BaseURL: s.baseURL})
	s.basemap.Register(r)

	r.Handle("/healthz", s.handle(s.handleHealth)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/readyz", s.handle(s.handleReady)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/r/{code}", s.handle(s.handleShortLink)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})).Methods(http.MethodGet)

	v1 := r.PathPrefix("/api/v1").Subrouter()
	v1.Use(gzipped) // answers of a kilobyte or more, to clients that accept gzip
	v1.Handle("/municipalities", s.handle(s.handleMunicipalities)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/municipalities/{code}", s.handle(s.handleMunicipality)).Methods(http.MethodGet, http.MethodHead)

	// Place search and reverse lookup in the gazetteer (api/search.go): public.
	v1.Handle("/search", s.handle(s.handleSearch)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/search/reverse", s.handle(s.handleReverse)).Methods(http.MethodGet, http.MethodHead)

	v1.Handle("/categories", s.handle(s.handleCategories)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/reports", s.handle(s.handleSubmitReport)).Methods(http.MethodPost)
	v1.Handle("/reports/nearby", s.handle(s.handleNearby)).Methods(http.MethodGet, http.MethodHead)
	// Demographics only in aggregate, small counts suppressed (api/demographics.go): public.
	v1.Handle("/stats/demographics", s.handle(s.handleDemographics)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/reports/by-code/{code}", s.handle(s.handleReportByCode)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/reports/{id}", s.handle(s.handleReport)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/reports/{id}", s.handle(s.handleErase)).Methods(http.MethodDelete)
	v1.Handle("/reports/{id}/confirm", s.handle(s.handleConfirm)).Methods(http.MethodPost)
	// Photos of reports (api/photos.go): the reporter (Erasure-Token) adds and removes them
	// before moderation, staff who moderate the report at any time.
	v1.Handle("/reports/{id}/photos", s.handle(s.handleAddPhoto)).Methods(http.MethodPost)
	v1.Handle("/reports/{id}/photos/{hash}", s.handle(s.handlePhoto)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/reports/{id}/photos/{hash}/thumbnail", s.handle(s.handlePhoto)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/reports/{id}/photos/{hash}", s.handle(s.handleRemovePhoto)).Methods(http.MethodDelete)
	v1.Handle("/reports/{id}/moderation", s.staff(s.handleModerate, trygg.RoleModerator, trygg.RoleAdmin, trygg.RolePlanner)).Methods(http.MethodPost)
	v1.Handle("/moderation/queue", s.staff(s.handleModerationQueue, trygg.RoleModerator, trygg.RoleAdmin)).Methods(http.MethodGet)
	v1.Handle("/moderation/bulk", s.staff(s.handleBulkModeration, trygg.RoleModerator, trygg.RoleAdmin, trygg.RolePlanner)).Methods(http.MethodPost)
	// The unsubscribe link of the e-mails to reporters (api/mail.go): public, by its token.
	v1.Handle("/mail/unsubscribe", s.handle(s.handleUnsubscribe)).Methods(http.MethodGet, http.MethodHead, http.MethodPost)

	v1.Handle("/session", s.handle(s.handleSignIn)).Methods(http.MethodPost)
	v1.Handle("/session", s.staff(s.handleSignOut)).Methods(http.MethodDelete)
	v1.Handle("/me", s.staff(s.handleMe)).Methods(http.MethodGet)
	v1.Handle("/audit", s.staff(s.handleAudit, trygg.RoleAdmin, trygg.RolePlanner)).Methods(http.MethodGet)
	v1.Handle("/users", s.staff(s.handleUsers, trygg.RoleAdmin)).Methods(http.MethodGet)
	v1.Handle("/users/{id}", s.staff(s.handleUser, trygg.RoleAdmin)).Methods(http.MethodGet)
	v1.Handle("/tokens", s.staff(s.handleTokens, trygg.RoleAdmin)).Methods(http.MethodGet)
	v1.Handle("/tokens", s.staff(s.handleCreateToken, trygg.RoleAdmin)).Methods(http.MethodPost)
	v1.Handle("/tokens/{id}", s.staff(s.handleRevokeToken, trygg.RoleAdmin)).Methods(http.MethodDelete)

	// EST incidents and their weekly summary (api/est.go): the municipality's staff and the police.
	estRoles := []trygg.Role{trygg.RoleAdmin, trygg.RolePlanner, trygg.RolePolice}
	v1.Handle("/est/incidents", s.staff(s.handleESTIncidents, estRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/est/incidents", s.staff(s.handleAddESTIncidents, estRoles...)).Methods(http.MethodPost)
	v1.Handle("/est/weekly", s.staff(s.handleESTWeekly, estRoles...)).Methods(http.MethodGet, http.MethodHead)
	// Citizen dialogues and the places named in them (api/dialogues.go).
	v1.Handle("/dialogues", s.staff(s.handleDialogues, trygg.RoleAdmin, trygg.RolePlanner)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/dialogues", s.staff(s.handleCreateDialogue, trygg.RoleAdmin, trygg.RolePlanner)).Methods(http.MethodPost)
	v1.Handle("/dialogues/{id}", s.staff(s.handleDialogue, trygg.RoleAdmin, trygg.RolePlanner)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/dialogues/{id}", s.staff(s.handleUpdateDialogue, trygg.RoleAdmin, trygg.RolePlanner)).Methods(http.MethodPatch)
	v1.Handle("/dialogues/{id}/places", s.staff(s.handleDialoguePlaces, trygg.RoleAdmin, trygg.RolePlanner)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/dialogues/{id}/places", s.staff(s.handleAddDialoguePlaces, trygg.RoleAdmin, trygg.RolePlanner)).Methods(http.MethodPost)

	// Safety walks, their observations and actions (api/walks.go): done with the police.
	walkRoles := []trygg.Role{trygg.RoleAdmin, trygg.RolePlanner, trygg.RolePolice}
	v1.Handle("/walks", s.staff(s.handleWalks, walkRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/walks", s.staff(s.handleCreateWalk, walkRoles...)).Methods(http.MethodPost)
	v1.Handle("/walks/{id}", s.staff(s.handleWalk, walkRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/walks/{id}", s.staff(s.handleUpdateWalk, walkRoles...)).Methods(http.MethodPut)
	v1.Handle("/walks/{id}/observations", s.staff(s.handleObservations, walkRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/walks/{id}/observations", s.staff(s.handleAddObservations, walkRoles...)).Methods(http.MethodPost)
	v1.Handle("/walks/{id}/protocol", s.staff(s.handleProtocol, walkRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/actions", s.staff(s.handleActions, walkRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/actions", s.staff(s.handleCreateAction, walkRoles...)).Methods(http.MethodPost)
	v1.Handle("/actions/{id}", s.staff(s.handleAction, walkRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/actions/{id}", s.staff(s.handleUpdateAction, walkRoles...)).Methods(http.MethodPatch)

	// Hotspot analysis (api/hotspots.go): ad hoc analyses for everyone (the public's view
	// without a session), saved runs and named places for staff.
	v1.Handle("/hotspots", s.handle(s.handleHotspots)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/hotspots/cells", s.handle(s.handleHotspotCells)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/hotspot-runs", s.staff(s.handleHotspotRuns, walkRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/hotspot-runs", s.staff(s.handleCreateHotspotRun, walkRoles...)).Methods(http.MethodPost)
	v1.Handle("/hotspot-runs/{id}", s.staff(s.handleHotspotRun, walkRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/places", s.staff(s.handlePlaces, walkRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/places", s.staff(s.handleCreatePlace, walkRoles...)).Methods(http.MethodPost)
	v1.Handle("/places/{id}", s.staff(s.handlePlace, walkRoles...)).Methods(http.MethodGet, http.MethodHead)

	// Medborgarlöften, their commitments, activities and follow-up (api/promises.go):
	// the police and the municipality's planners write; every staff role reads its
	// municipalities; the public reads the follow-up of published promises.
	promiseRoles := []trygg.Role{trygg.RoleAdmin, trygg.RolePlanner, trygg.RolePolice}
	v1.Handle("/promises", s.staff(s.handlePromises)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/promises", s.staff(s.handleCreatePromise, promiseRoles...)).Methods(http.MethodPost)
	v1.Handle("/promises/{id}", s.staff(s.handlePromise)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/promises/{id}", s.staff(s.handleUpdatePromise, promiseRoles...)).Methods(http.MethodPatch)
	v1.Handle("/promises/{id}/commitments", s.staff(s.handleAddCommitment, promiseRoles...)).Methods(http.MethodPost)
	v1.Handle("/promises/{id}/followup", s.staff(s.handleFollowup)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/commitments/{id}", s.staff(s.handleCommitment)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/commitments/{id}", s.staff(s.handleUpdateCommitment, promiseRoles...)).Methods(http.MethodPatch)
	v1.Handle("/activities", s.staff(s.handleActivities)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/activities", s.staff(s.handleCreateActivity, promiseRoles...)).Methods(http.MethodPost)
	v1.Handle("/activities/{id}", s.staff(s.handleActivity)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/activities/{id}", s.staff(s.handleUpdateActivity, promiseRoles...)).Methods(http.MethodPatch)
	v1.Handle("/activities/{id}", s.staff(s.handleDeleteActivity, promiseRoles...)).Methods(http.MethodDelete)
	v1.Handle("/public/promises", s.handle(s.handlePublicPromises)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/public/promises/{id}/followup", s.handle(s.handlePublicFollowup)).Methods(http.MethodGet, http.MethodHead)
	// The risk-date calendar (api/calendar.go): public; the municipality's admins and planners set its local windows.
	v1.Handle("/calendar", s.handle(s.handleCalendar)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/municipalities/{code}/risk-dates/{year}", s.staff(s.handleSetRiskDates, trygg.RoleAdmin, trygg.RolePlanner)).Methods(http.MethodPut)

	// Patrol planning (api/patrol.go): the police and admins plan and record; planners read.
	patrolRoles := []trygg.Role{trygg.RoleAdmin, trygg.RolePolice}
	patrolReadRoles := []trygg.Role{trygg.RoleAdmin, trygg.RolePolice, trygg.RolePlanner}
	v1.Handle("/patrol-plans", s.staff(s.handleCreatePatrolPlan, patrolRoles...)).Methods(http.MethodPost)
	v1.Handle("/patrol-plans/{id}", s.staff(s.handlePatrolPlan, patrolReadRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/patrol-plans/{id}/print", s.staff(s.handlePatrolPrint, patrolReadRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/patrol-plans/{id}/stops/{seq}/visit", s.staff(s.handlePatrolVisit, patrolRoles...)).Methods(http.MethodPost)
	v1.Handle("/patrol-dose", s.staff(s.handlePatrolDose, patrolReadRoles...)).Methods(http.MethodGet, http.MethodHead)

	// Camera surveillance register (api/cameras.go): admins and planners write, the police read.
	cameraRoles := []trygg.Role{trygg.RoleAdmin, trygg.RolePlanner, trygg.RolePolice}
	v1.Handle("/cameras", s.staff(s.handleCameras, cameraRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/cameras", s.staff(s.handleCreateCamera, trygg.RoleAdmin, trygg.RolePlanner)).Methods(http.MethodPost)
	v1.Handle("/cameras/attention", s.staff(s.handleCameraAttention, cameraRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/cameras/{id}", s.staff(s.handleCamera, cameraRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/cameras/{id}", s.staff(s.handleUpdateCamera, trygg.RoleAdmin, trygg.RolePlanner)).Methods(http.MethodPatch)
	v1.Handle("/cameras/{id}/transition", s.staff(s.handleCameraTransition, trygg.RoleAdmin, trygg.RolePlanner)).Methods(http.MethodPost)
	v1.Handle("/cameras/{id}/coverage", s.staff(s.handleCameraCoverage, cameraRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/camera-coverage", s.staff(s.handleCamerasCoverage, cameraRoles...)).Methods(http.MethodGet, http.MethodHead)

	// The lägesbild and åtgärdsplan of Lag (2023:196) (api/documents.go): the municipality's
	// planners and admins and the police of its area.
	documentRoles := []trygg.Role{trygg.RoleAdmin, trygg.RolePlanner, trygg.RolePolice}
	v1.Handle("/municipalities/{code}/lagesbild", s.staff(s.handleLagesbild, documentRoles...)).Methods(http.MethodGet, http.MethodHead)
	v1.Handle("/municipalities/{code}/atgardsplan", s.staff(s.handleAtgardsplan, documentRoles...)).Methods(http.MethodGet, http.MethodHead)

	// Walk imports (api/walk_imports.go): a route file (GPX, GeoJSON) and a file of
	// observations (CSV, GeoJSON) for a walk.
	v1.Handle("/walks/{id}/route", s.staff(s.handleImportRoute, trygg.RoleAdmin, trygg.RolePlanner, trygg.RolePolice)).Methods(http.MethodPut)
	v1.Handle("/walks/{id}/observations/import", s.staff(s.handleImportObservations, trygg.RoleAdmin, trygg.RolePlanner, trygg.RolePolice)).Methods(http.MethodPost)

	// Open311 GeoReport v2: its routes (open311.Handler.Register) answer in its own
	// JSON and XML, and POST requests shares the resident report path (open311.go).
	open311.New(s.db, s.open311Hooks(), open311.Options{APIKey: s.opts.Open311APIKey, HTTPS: s.opts.SecureCookies}).
		Register(r.PathPrefix(open311.Prefix).Subrouter())

	// OGC API – Features (package ogc): collections of the store's features, public or
	// the caller's staff view, for QGIS, ArcGIS and GDAL.
	ogc.New(s.db, s.ogcHooks(), ogc.Options{HTTPS: s.opts.SecureCookies}).
		Register(r.PathPrefix(ogc.Prefix).Subrouter())

	notFound := s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return httpError(http.StatusNotFound, "", "no such resource: "+r.URL.Path)
	})
	r.PathPrefix("/").Handler(web.New(notFound, web.Options{BasemapStyle: s.opts.BasemapStyle, Basemap: s.opts.Basemap != nil && s.opts.BasemapStyle == ""})).Methods(http.MethodGet, http.MethodHead)

	r.NotFoundHandler = notFound
	r.MethodNotAllowedHandler = s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return httpError(http.StatusMethodNotAllowed, "", r.Method+" is not allowed on "+r.URL.Path)
	})
	return r
}
