package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/basemap"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/mail"
	"github.com/trygg-gis/trygg/postgis"
)

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		db          dbConfig
		addr        string
		environment string
		migrate     bool
		loadDemo    bool
		maxBody     string
		proxies     string
		appPassword string
		reportRate  string
		confirmRate string
		grid        string
		retention   time.Duration
		o           = api.DefaultOptions()
	)
	f := newEnvFlags("serve", getenv, stderr, "Usage: trygg serve [flags]\n\n"+
		"Runs the HTTP server on TRYGG_ADDR. It applies pending migrations first unless -migrate=false,\n"+
		"then connects as the database role trygg_app, which row-level security applies to.")
	db.register(f)
	f.String(&addr, "addr", "TRYGG_ADDR", ":8080", "address to listen on")
	f.String(&environment, "env", "TRYGG_ENV", "development", "development or production (production refuses demo accounts)")
	f.Bool(&migrate, "migrate", "TRYGG_MIGRATE", true, "apply pending migrations at start")
	f.Bool(&loadDemo, "demo", "TRYGG_DEMO", false, "load the demo data and demo accounts at start when the database has no municipality")
	f.String(&appPassword, "app-db-password", "TRYGG_APP_DB_PASSWORD", "", "password of the database role trygg_app (set on it at start; empty for trust or peer auth)")
	f.Duration(&o.ReadHeaderTimeout, "read-header-timeout", "TRYGG_READ_HEADER_TIMEOUT", o.ReadHeaderTimeout, "time to read request headers")
	f.Duration(&o.ReadTimeout, "read-timeout", "TRYGG_READ_TIMEOUT", o.ReadTimeout, "time to read a whole request")
	f.Duration(&o.WriteTimeout, "write-timeout", "TRYGG_WRITE_TIMEOUT", o.WriteTimeout, "time to write a response")
	f.Duration(&o.IdleTimeout, "idle-timeout", "TRYGG_IDLE_TIMEOUT", o.IdleTimeout, "idle keep-alive connections are closed after this")
	f.Duration(&o.RequestTimeout, "request-timeout", "TRYGG_REQUEST_TIMEOUT", o.RequestTimeout, "deadline of each request, down to its queries")
	f.Duration(&o.ShutdownTimeout, "shutdown-timeout", "TRYGG_SHUTDOWN_TIMEOUT", o.ShutdownTimeout, "time in-flight requests get to finish at shutdown")
	f.String(&maxBody, "max-body", "TRYGG_MAX_BODY_BYTES", strconv.FormatInt(o.MaxBodyBytes, 10), "largest request body in bytes")
	f.Duration(&o.SessionIdle, "session-idle", "TRYGG_SESSION_IDLE", o.SessionIdle, "a staff session unused this long ends")
	f.Duration(&o.SessionLifetime, "session-lifetime", "TRYGG_SESSION_LIFETIME", o.SessionLifetime, "a staff session ends this long after sign-in")
	f.Bool(&o.SecureCookies, "secure-cookies", "TRYGG_SECURE_COOKIES", false, "mark cookies Secure (set when TLS ends at a proxy; direct TLS sets it anyway)")
	f.String(&proxies, "trusted-proxies", "TRYGG_TRUSTED_PROXIES", "", "comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For is trusted")
	f.String(&reportRate, "report-rate", "TRYGG_REPORT_RATE", "10/10m", "public report submissions per client address, as N/DURATION (0 for no limit)")
	f.String(&confirmRate, "confirm-rate", "TRYGG_CONFIRM_RATE", "30/10m", "public \"me too\" confirmations per client address, as N/DURATION")
	var hotspotRate, searchRate string
	f.String(&searchRate, "search-rate", "TRYGG_SEARCH_RATE", "120/1m", "public place searches and reverse lookups per client address, as N/DURATION (0 for no limit)")
	f.String(&hotspotRate, "hotspot-rate", "TRYGG_HOTSPOT_RATE", "30/1m", "public hotspot analyses per client address, as N/DURATION (0 for no limit)")
	f.String(&grid, "public-grid", "TRYGG_PUBLIC_GRID_M", "50", "public positions of point reports snap to cells of this many metres (SWEREF 99 TM), 10 to 1000")
	f.Duration(&retention, "contact-retention", "TRYGG_CONTACT_RETENTION", defaultContactRetention, "reporters' contact data is deleted after this (checked daily)")
	f.String(&o.Open311APIKey, "open311-api-key", "TRYGG_OPEN311_API_KEY", "", "api_key Open311 clients must send to POST requests (empty: none needed)")
	var tileCluster, tileCache string
	f.String(&tileCluster, "tile-cluster-below", "TRYGG_TILE_CLUSTER_BELOW", strconv.Itoa(o.TileClusterBelow), "reports in vector tiles are clustered at zooms below this, 1 to 23")
	f.String(&tileCache, "tile-cache-mb", "TRYGG_TILE_CACHE_MB", strconv.Itoa(o.TileCacheMB), "size of the in-memory cache of gzipped vector tiles, in MB")
	f.String(&o.BasemapStyle, "basemap-style", "TRYGG_BASEMAP_STYLE", "", "URL of a MapLibre style the web map draws under Trygg's layers (empty: a plain background that works offline)")
	var basemapFile string
	f.String(&basemapFile, "basemap", "TRYGG_BASEMAP", "", "PMTiles or MBTiles file of the vector basemap to serve and draw under Trygg's layers ('trygg basemap fetch' makes one; empty: none)")
	f.String(&o.PublicURL, "public-url", "TRYGG_PUBLIC_URL", "", "the server's public URL, scheme://host[:port][/prefix], that absolute URLs in answers are built on (empty: the request's Host)")
	var smtpURL, mailFrom string
	f.String(&smtpURL, "smtp-url", "TRYGG_SMTP_URL", "", "SMTP server for e-mails to reporters: smtp://[user:password@]host[:port] (STARTTLS when offered) or smtps://… (implicit TLS); empty: no e-mail is queued or sent")
	f.String(&mailFrom, "mail-from", "TRYGG_MAIL_FROM", "", "sender of e-mails to reporters, such as \"Trygg <no-reply@kommun.se>\" (needed with TRYGG_SMTP_URL)")
	lim := api.DefaultLimits()
	f.Int(&o.Limits.Analyses, "limit-analyses", "TRYGG_LIMIT_ANALYSES", lim.Analyses, "hotspot analyses at once; more wait briefly, then get 503")
	f.Int(&o.Limits.LargePages, "limit-large-pages", "TRYGG_LIMIT_LARGE_PAGES", lim.LargePages, "OGC pages of more than 1000 features (or CSV) read at once")
	f.Int(&o.Limits.ColdTiles, "limit-cold-tiles", "TRYGG_LIMIT_COLD_TILES", lim.ColdTiles, "tiles below zoom 10 built at once (cached tiles are not limited)")
	f.Int(&o.Limits.Imports, "limit-imports", "TRYGG_LIMIT_IMPORTS", lim.Imports, "imports through the API (walk routes and observations, EST and dialogue lists) stored at once")
	f.Duration(&o.Limits.QueueWait, "queue-wait", "TRYGG_QUEUE_WAIT", lim.QueueWait, "how long expensive work waits for its turn before 503 with Retry-After")
	if err := f.Parse(args); err != nil {
		return err
	}
	if o.PublicURL != "" {
		u, err := api.ParsePublicURL(o.PublicURL)
		if err != nil {
			return fmt.Errorf("invalid TRYGG_PUBLIC_URL %q: %v", o.PublicURL, err)
		}
		o.PublicURL = u
	}
	var smtpCfg *mail.SMTPConfig
	if smtpURL != "" {
		c, err := mail.ParseSMTP(smtpURL, mailFrom)
		if err != nil {
			return fmt.Errorf("invalid TRYGG_SMTP_URL or TRYGG_MAIL_FROM: %v", err)
		}
		if o.PublicURL == "" {
			return errors.New("TRYGG_SMTP_URL needs TRYGG_PUBLIC_URL: the links in e-mails to reporters are built on it")
		}
		smtpCfg = &c
	}
	if u, err := url.Parse(o.BasemapStyle); o.BasemapStyle != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
		return fmt.Errorf("invalid TRYGG_BASEMAP_STYLE %q: want an http(s) URL of a MapLibre style", o.BasemapStyle)
	}
	if err := db.validate(); err != nil {
		return err
	}
	if basemapFile != "" {
		a, err := basemap.Open(basemapFile)
		if err != nil {
			return fmt.Errorf("invalid TRYGG_BASEMAP: %v", err)
		}
		defer a.Close()
		o.Basemap = a
	}
	if err := validateAddr(addr); err != nil {
		return err
	}
	if environment != "development" && environment != "production" {
		return fmt.Errorf("invalid TRYGG_ENV %q: want development or production", environment)
	}
	n, err := strconv.ParseInt(maxBody, 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("invalid TRYGG_MAX_BODY_BYTES %q: want a positive number of bytes", maxBody)
	}
	o.MaxBodyBytes = n
	if o.TrustedProxies, err = api.ParseProxies(proxies); err != nil {
		return fmt.Errorf("invalid TRYGG_TRUSTED_PROXIES: %v", err)
	}
	if o.ReportRate, err = parseRate(reportRate); err != nil {
		return fmt.Errorf("invalid TRYGG_REPORT_RATE %q: %v", reportRate, err)
	}
	if o.ConfirmRate, err = parseRate(confirmRate); err != nil {
		return fmt.Errorf("invalid TRYGG_CONFIRM_RATE %q: %v", confirmRate, err)
	}
	if o.SearchRate, err = parseRate(searchRate); err != nil {
		return fmt.Errorf("invalid TRYGG_SEARCH_RATE %q: %v", searchRate, err)
	}
	if o.HotspotRate, err = parseRate(hotspotRate); err != nil {
		return fmt.Errorf("invalid TRYGG_HOTSPOT_RATE %q: %v", hotspotRate, err)
	}
	if o.PublicGridM, err = strconv.ParseFloat(grid, 64); err != nil || o.PublicGridM < 10 || o.PublicGridM > 1000 {
		return fmt.Errorf("invalid TRYGG_PUBLIC_GRID_M %q: want 10 to 1000 metres", grid)
	}
	if o.TileClusterBelow, err = strconv.Atoi(tileCluster); err != nil || o.TileClusterBelow < 1 || o.TileClusterBelow > 23 {
		return fmt.Errorf("invalid TRYGG_TILE_CLUSTER_BELOW %q: want a zoom from 1 to 23", tileCluster)
	}
	if o.TileCacheMB, err = strconv.Atoi(tileCache); err != nil || o.TileCacheMB < 1 {
		return fmt.Errorf("invalid TRYGG_TILE_CACHE_MB %q: want a positive number of MB", tileCache)
	}
	for _, l := range []struct {
		env string
		n   int
	}{{"TRYGG_LIMIT_ANALYSES", o.Limits.Analyses}, {"TRYGG_LIMIT_LARGE_PAGES", o.Limits.LargePages},
		{"TRYGG_LIMIT_COLD_TILES", o.Limits.ColdTiles}, {"TRYGG_LIMIT_IMPORTS", o.Limits.Imports}} {
		if l.n < 1 {
			return fmt.Errorf("invalid %s %d: want at least 1", l.env, l.n)
		}
	}
	if sum := o.Limits.Sum(); sum >= db.maxConns {
		return fmt.Errorf("the limits of expensive work (TRYGG_LIMIT_*) add up to %d connections: "+
			"they must leave some of TRYGG_DB_MAX_CONNS (%d) to cheap requests", sum, db.maxConns)
	}
	if environment == "production" && loadDemo {
		return fmt.Errorf("TRYGG_DEMO is not allowed with TRYGG_ENV=production")
	}

	log := newLogger(stderr, db.logLevel)
	if migrate {
		if _, err := postgis.Migrate(ctx, db.url, log); err != nil {
			return err
		}
	}
	if appPassword != "" {
		if err := postgis.SetRolePassword(ctx, db.url, appPassword); err != nil {
			return err
		}
	}
	// Operator work (demo data, the production check) runs as the URL's user; the
	// server itself connects as trygg_app.
	owner, err := openDB(ctx, db)
	if err != nil {
		return err
	}
	err = prepare(ctx, owner, environment, loadDemo, stdout, log.Info)
	owner.Close()
	if err != nil {
		return err
	}

	store, err := postgis.Open(ctx, db.url, postgis.Options{StatementTimeout: db.statementTimeout,
		ApplicationName: "trygg", Role: postgis.AppRole, RolePassword: appPassword, PublicGridM: o.PublicGridM,
		MaxConns: int32(db.maxConns), BoundaryToleranceM: db.boundaryToleranceM(), Mail: smtpCfg != nil})
	if err != nil {
		return fmt.Errorf("connect as %s: %w", postgis.AppRole, err)
	}
	defer store.Close()
	go retentionLoop(ctx, store, retention, log)
	if smtpCfg != nil {
		o.Mail = mail.NewWorker(store, mail.NewSMTP(*smtpCfg, log), log, mail.Options{BaseURL: o.PublicURL, Domain: smtpCfg.Domain()})
		// The sender finishes the message in hand at shutdown (or when serving fails);
		// the pool closes after it.
		mailCtx, stopMail := context.WithCancel(ctx)
		stopped := make(chan struct{})
		go func() { defer close(stopped); o.Mail.Run(mailCtx) }()
		defer func() { stopMail(); <-stopped }()
	}
	return api.New(store, log, o).ListenAndServe(ctx, addr)
}

// prepare loads the demo data on first start, and refuses production while demo
// accounts are enabled.
func prepare(ctx context.Context, owner *postgis.DB, environment string, loadDemo bool, stdout io.Writer, info func(string, ...any)) error {
	if loadDemo {
		n, err := owner.CountMunicipalities(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			info("first start: loading the demo data")
			if err := demo.Load(ctx, owner, stdout); err != nil {
				return err
			}
			if err := demo.LoadUsers(ctx, owner, stdout); err != nil {
				return err
			}
			// The gazetteer first: the living data's reports take their place labels from it.
			if err := demo.LoadGazetteer(ctx, owner, stdout); err != nil {
				return err
			}
			if err := demo.LoadLiving(ctx, demo.WithAnalyses(owner), time.Now(), demo.LivingOptions{}, stdout); err != nil {
				return err
			}
		}
	}
	if environment == "production" {
		n, err := owner.DemoUsers(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("TRYGG_ENV=production and %d demo accounts with published passwords are enabled: remove them first", n)
		}
	}
	return nil
}

// parseRate reads "N/DURATION" (10/10m); "0" turns the limit off.
func parseRate(s string) (api.Rate, error) {
	if s == "0" {
		return api.Rate{}, nil
	}
	n, d, ok := strings.Cut(s, "/")
	count, err := strconv.Atoi(n)
	if !ok || err != nil || count <= 0 {
		return api.Rate{}, errors.New("want N/DURATION such as 10/10m, or 0")
	}
	window, err := time.ParseDuration(d)
	if err != nil || window <= 0 {
		return api.Rate{}, errors.New("want N/DURATION such as 10/10m, or 0")
	}
	return api.Rate{N: count, Window: window}, nil
}
