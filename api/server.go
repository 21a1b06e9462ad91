// Package api is Trygg's HTTP interface: routes (routes.go), handlers that decode,
// validate and call the store, problem+json errors, request logging and metrics, and
// the http.Server with its timeouts and graceful shutdown.
package api

import (
	"context"
	"errors"
	"fmt"
	"github.com/trygg-gis/trygg/basemap"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/trygg-gis/trygg/mail"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/tiles"
)

// Options tune the server.
type Options struct {
	ReadHeaderTimeout time.Duration // time to read request headers
	ReadTimeout       time.Duration // time to read a whole request
	WriteTimeout      time.Duration // time from the end of the headers to the end of the response
	IdleTimeout       time.Duration // keep-alive connections idle this long are closed
	RequestTimeout    time.Duration // deadline on each request's context, down to every query
	ShutdownTimeout   time.Duration // time in-flight requests get to finish on shutdown
	MaxBodyBytes      int64         // largest request body

	SessionIdle     time.Duration  // a session unused this long ends
	SessionLifetime time.Duration  // a session ends this long after sign-in, used or not
	SecureCookies   bool           // mark cookies Secure even when TLS ends at a proxy
	TrustedProxies  []netip.Prefix // proxies whose X-Forwarded-For is believed
	LoginFailures   int            // failed sign-ins per account or IP before 429
	LoginWindow     time.Duration  // … within this window

	ReportRate  Rate    // public report submissions per client address
	ConfirmRate Rate    // public "me too" confirmations per client address
	HotspotRate Rate    // public hotspot analyses per client address (each reads every report of a municipality)
	SearchRate  Rate    // public place searches and reverse lookups per client address
	PhotoRate   Rate    // reporters' photo uploads per client address (each is decoded and scaled)
	PublicGridM float64 // public positions of point reports snap to cells of this size (SWEREF 99 TM)

	Open311APIKey string // api_key Open311 clients must send to POST requests; "" for none

	TileClusterBelow int // reports in vector tiles are clustered at zooms below this
	TileCacheMB      int // size of the in-memory cache of gzipped tiles, in MB

	BasemapStyle string // URL of a MapLibre style the web map draws under Trygg's layers; "" for none
	// Basemap is the self-hosted basemap (TRYGG_BASEMAP) served at /basemap and drawn in
	// /styles/trygg.json; nil for none. The caller opens and closes it.
	Basemap *basemap.Archive

	// PublicURL is the server's public address (scheme://host[:port][/prefix], no
	// trailing slash) that absolute URLs in answers are built on; "" builds them on
	// the request's Host.
	PublicURL string

	Limits Limits // concurrency limits of expensive work (shed.go); zero fields are DefaultLimits

	// Mail is the sender of e-mails to reporters (package mail), whose counters
	// /metrics shows; nil when mail is off. The caller runs it.
	Mail *mail.Worker

	// Now is the clock of day-dependent rules (the camera law of the day of
	// operation); nil is time.Now. Tests set it.
	Now func() time.Time
}

// DefaultOptions are the defaults the configuration starts from.
func DefaultOptions() Options {
	return Options{
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		RequestTimeout:    30 * time.Second,
		ShutdownTimeout:   30 * time.Second,
		MaxBodyBytes:      1 << 20,
		SessionIdle:       8 * time.Hour,
		SessionLifetime:   7 * 24 * time.Hour,
		LoginFailures:     10,
		LoginWindow:       15 * time.Minute,
		ReportRate:        Rate{N: 10, Window: 10 * time.Minute},
		ConfirmRate:       Rate{N: 30, Window: 10 * time.Minute},
		HotspotRate:       Rate{N: 30, Window: time.Minute},
		SearchRate:        Rate{N: 120, Window: time.Minute},
		PhotoRate:         Rate{N: 20, Window: 10 * time.Minute},
		PublicGridM:       50,
		TileClusterBelow:  14,
		TileCacheMB:       64,
	}
}

// Server serves Trygg's HTTP API.
type Server struct {
	db      *postgis.DB
	log     *slog.Logger
	opts    Options
	metrics *metrics
	handler http.Handler

	gates  gates     // limits of expensive work
	health *dbHealth // logs when the database goes away and returns

	tiles   *tiles.Handler   // set by routes
	basemap *basemap.Handler // set by routes
}

// New returns a server backed by db.
func New(db *postgis.DB, log *slog.Logger, opts Options) *Server {
	s := &Server{db: db, log: log, opts: opts, metrics: newMetrics(db.Pool())}
	s.gates = newGates(opts.Limits, s.metrics)
	if opts.Mail != nil {
		s.metrics.registry.MustRegister(opts.Mail.Collectors()...)
	}
	s.health = &dbHealth{db: db, log: log}
	if l, n := opts.Limits.withDefaults(), db.Pool().Config().MaxConns; int32(l.Sum()) >= n {
		log.Warn("the limits of expensive work take the whole database pool; cheap requests may wait",
			"limits", l.Sum(), "pool", n)
	}
	s.handler = s.observe(s.routes())
	return s
}

// Tiles returns the server's vector tiles (their cache: trygg tiles seed's tests and
// the tile benchmarks look at it).
func (s *Server) Tiles() *tiles.Handler { return s.tiles }

// ServeHTTP serves a request. Public tiles, most of the traffic, take a fast path
// past the router (publicTile); everything else goes through observe and the router.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if layer, z, x, y, ok := tiles.PublicTile(r, sessionCookie); ok {
		s.publicTile(w, r, layer, z, x, y)
		return
	}
	if z, x, y, ok := basemap.TilePath(r); ok {
		s.basemapTile(w, r, z, x, y)
		return
	}
	s.handler.ServeHTTP(w, r)
}

// basemapTile serves a basemap tile like publicTile, for everyone (the tiles are the
// same for all, so no session is looked up): a tile read from the archive is counted,
// not logged, unless it failed.
func (s *Server) basemapTile(w http.ResponseWriter, r *http.Request, z, x, y string) {
	start := time.Now()
	info := s.newInfo(r)
	info.route = basemap.TileRoute
	r = r.WithContext(context.WithValue(r.Context(), infoKey, info))
	rec := &recorder{ResponseWriter: w}
	rec.Header().Set("X-Request-Id", info.id)
	defer s.finish(rec, r, info, start, func(status int) bool { return status >= http.StatusBadRequest })
	s.basemap.ServeTile(rec, r, z, x, y)
}

// publicTile serves a public tile with what observe does, short of the request
// deadline (a cached tile reads nothing; a build has its own timeout) and of the log
// line for tiles served from the cache, which are counted in the metrics only: a map
// asks for dozens of tiles a second, and logging each would cost more than serving it.
func (s *Server) publicTile(w http.ResponseWriter, r *http.Request, layer, z, x, y string) {
	start := time.Now()
	info := s.newInfo(r)
	info.route = tiles.TileRoute
	r = r.WithContext(context.WithValue(r.Context(), infoKey, info))
	rec := &recorder{ResponseWriter: w}
	rec.Header().Set("X-Request-Id", info.id)
	defer s.finish(rec, r, info, start, func(status int) bool {
		return status >= http.StatusBadRequest || rec.Header().Get("X-Cache") != "HIT"
	})
	s.tiles.ServeTile(rec, r, layer, z, x, y)
}

// ListenAndServe serves on addr until ctx is done, then stops accepting connections and
// waits up to ShutdownTimeout for in-flight requests to finish.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("api: listen: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve is ListenAndServe on a listener.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.opts.ReadHeaderTimeout,
		ReadTimeout:       s.opts.ReadTimeout,
		WriteTimeout:      s.opts.WriteTimeout,
		IdleTimeout:       s.opts.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		// Requests must not be cancelled by shutdown: they get ShutdownTimeout to finish.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// Writes by any process (the CLI importers too) invalidate cached tiles.
	go s.tiles.Listen(ctx, s.log)
	s.log.Info("listening", "addr", ln.Addr().String())

	select {
	case err := <-errc:
		return fmt.Errorf("api: serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "timeout", s.opts.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("api: shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("api: serve: %w", err)
	}
	s.log.Info("stopped")
	return nil
}
