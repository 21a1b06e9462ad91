// Package tiles serves Trygg's layers as Mapbox Vector Tiles (MVT 2.1), their TileJSON
// and a MapLibre style, from a cache of gzipped tiles. It is an adapter over the store
// (postgis.Tile builds each layer of a tile in one SQL statement), like packages ogc
// and open311:
//
//   - a layer is visible as its feature collection is (postgis.FeatureCollections):
//     the public reads its public source, signed-in staff its staff source under
//     row-level security; a layer the caller may not read answers 404;
//   - reports below Options.ClusterBelow are clusters on a grid anchored to EPSG:3857,
//     with their count and dominant category;
//   - tiles are cached gzipped (Cache) under a key of the layer, z/x/y, the normalized
//     filters, the caller's view and the data versions of the municipalities the tile
//     meets (versions.go), so a write anywhere invalidates exactly the tiles over its
//     municipality.
package tiles

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/paulmach/orb/maptile"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// ContentType is the media type of a tile.
const ContentType = "application/vnd.mapbox-vector-tile"

// MaxZoom is the deepest zoom served.
const MaxZoom = 22

// All is the pseudo-layer of every layer the caller may see, in one tile.
const All = "all"

const (
	layerMunicipalities = postgis.TileMunicipalities
	layerReports        = postgis.TileReports
	layerPoliceEvents   = postgis.TilePoliceEvents
)

// Hooks connect the tiles to the server.
type Hooks struct {
	// Fail writes err as the server's problem+json (and logs internal errors).
	Fail func(w http.ResponseWriter, r *http.Request, err error)
	// BaseURL, if set, is the server's absolute URL (scheme://host[:port][/prefix]) that
	// TileJSON and style URLs are built on; nil builds them on the request's Host.
	BaseURL func(r *http.Request) string
	// Cold, if set, is entered before building a tile below ColdZoom that is not in
	// the cache (it reads many reports) and released after the build: the server's
	// limit of such builds at once, which may refuse (503) instead of waiting long.
	Cold func(ctx context.Context) (release func(), err error)
}

// ColdZoom: building a tile below this zoom is expensive work (Hooks.Cold).
const ColdZoom = 10

// Options tune the tiles.
type Options struct {
	ClusterBelow int   // reports are clustered at zooms below this (default 14)
	CacheBytes   int64 // size of the tile cache (default 64 MB)
	HTTPS        bool  // TileJSON and style URLs are https even for plain requests
	// Basemap is the self-hosted basemap's layers (source "basemap", at /basemap.json;
	// glyphs at /fonts/…), drawn in the style under Trygg's own; nil when no basemap is
	// configured, and the style then has no basemap, glyphs or text.
	Basemap []any
}

// Handler serves the tiles.
type Handler struct {
	db       *postgis.DB
	hooks    Hooks
	opts     Options
	cache    *Cache
	versions *versions
}

// New returns the tiles of the store db.
func New(db *postgis.DB, hooks Hooks, opts Options) *Handler {
	if opts.ClusterBelow <= 0 {
		opts.ClusterBelow = 14
	}
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = 64 << 20
	}
	return &Handler{db: db, hooks: hooks, opts: opts, cache: NewCache(opts.CacheBytes), versions: newVersions(db)}
}

// Cache returns the handler's tile cache.
func (h *Handler) Cache() *Cache { return h.cache }

// TileRoute is the route template of a tile.
const TileRoute = "/tiles/{layer}/{z}/{x}/{y}.mvt"

// PublicTile splits the path of a request for a tile that may take the server's fast
// path: a GET or HEAD of /tiles/{layer}/{z}/{x}/{y}.mvt without credentials (no
// Authorization header, no session cookie named cookie), so its view is the public's.
func PublicTile(r *http.Request, cookie string) (layer, z, x, y string, ok bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead || r.Header.Get("Authorization") != "" {
		return
	}
	rest, ok1 := strings.CutPrefix(r.URL.Path, "/tiles/")
	rest, ok2 := strings.CutSuffix(rest, ".mvt")
	if !ok1 || !ok2 {
		return
	}
	layer, rest, ok1 = strings.Cut(rest, "/")
	z, rest, ok2 = strings.Cut(rest, "/")
	x, y, ok = strings.Cut(rest, "/")
	if !ok1 || !ok2 || !ok || strings.Contains(y, "/") {
		return "", "", "", "", false
	}
	if c, err := r.Cookie(cookie); err == nil && c.Value != "" {
		return "", "", "", "", false
	}
	return layer, z, x, y, true
}

// ServeTile serves the tile z/x/y of layer (errors through Hooks.Fail): the server's
// fast path for PublicTile requests, which skip the router.
func (h *Handler) ServeTile(w http.ResponseWriter, r *http.Request, layer, z, x, y string) {
	if err := h.tile(w, r, layer, z, x, y); err != nil {
		h.hooks.Fail(w, r, err)
	}
}

// Register adds the routes to r, the server's root router.
func (h *Handler) Register(r *mux.Router) {
	get := func(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := fn(w, r); err != nil {
				h.hooks.Fail(w, r, err)
			}
		})
	}
	r.Handle(TileRoute, get(func(w http.ResponseWriter, r *http.Request) error {
		v := mux.Vars(r)
		return h.tile(w, r, v["layer"], v["z"], v["x"], v["y"])
	})).Methods(http.MethodGet, http.MethodHead)
	// The TileJSON and the style (some 65 kB with the basemap's layers, 5 kB gzipped)
	// are on the first map's critical path: gzipped for clients that accept it.
	gz, err := gzhttp.NewWrapper(gzhttp.MinSize(1024))
	if err != nil {
		panic(err) // only for invalid options
	}
	r.Handle("/tiles/{layer}.json", gz(get(h.tileJSON))).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/styles/trygg.json", gz(get(h.style))).Methods(http.MethodGet, http.MethodHead)
}

// AfterWrites is middleware: after every unsafe request (a possible write by this
// server) the versions are reloaded before the next tile, so the next request after a
// 201 or a publish sees the change even before its notification arrives.
func (h *Handler) AfterWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			h.versions.markStale()
		}
	})
}

// Listen follows writes by every process (table tile_version's notifications) until
// ctx is done, reconnecting when the connection fails.
func (h *Handler) Listen(ctx context.Context, log *slog.Logger) { h.versions.listen(ctx, log) }

func invalid(field, format string, args ...any) error {
	return trygg.Errorf(trygg.EINVALID, field, format, args...)
}

// view is who reads a layer: the public, or staff with their scope.
type view struct {
	staff bool
	key   string
}

// visible returns the layers of name (one, or every layer for All) the caller may
// read and whether each is the staff source; a layer that is not theirs is 404.
func visible(r *http.Request, name string) ([]string, map[string]bool, error) {
	caller := trygg.CallerFrom(r.Context())
	names := []string{name}
	if name == All {
		names = postgis.TileLayers
	}
	var out []string
	staff := map[string]bool{}
	for _, l := range names {
		def := postgis.FeatureCollection(l)
		if def == nil || !slices.Contains(postgis.TileLayers, l) {
			return nil, nil, trygg.Errorf(trygg.ENOTFOUND, "layer", "no tile layer %q", name)
		}
		src := def.Source(caller)
		if src == nil {
			if name != All {
				return nil, nil, trygg.Errorf(trygg.ENOTFOUND, "layer", "no tile layer %q", name)
			}
			continue
		}
		out = append(out, l)
		staff[l] = src == def.Staff
	}
	return out, staff, nil
}

// viewKey is the caller's view for the cache key: public, or the staff role and the
// sorted municipalities its row-level security scope holds.
func viewKey(r *http.Request) string {
	c := trygg.CallerFrom(r.Context())
	if c == nil || c.User.ID == "" {
		return "public"
	}
	munis := slices.Clone(c.User.Municipalities)
	slices.Sort(munis)
	return "staff:" + string(c.User.Role) + ":" + strings.Join(munis, ",")
}

func filtered(layer string) bool { return layer == layerReports || layer == layerPoliceEvents }

// tile serves one tile. Its X-Cache header says whether it came from the cache (HIT)
// or was built (MISS).
func (h *Handler) tile(w http.ResponseWriter, r *http.Request, layer, zs, xs, ys string) error {
	z, x, y, err := ParseTile(zs, xs, ys)
	if err != nil {
		return err
	}
	layers, staff, err := visible(r, layer)
	if err != nil {
		return err
	}
	var f Filter
	if r.URL.RawQuery != "" {
		f, err = parseFilter(r.Context(), h.db, r.URL.Query())
	}
	if err != nil {
		return err
	}
	snap, err := h.versions.current(r.Context())
	if err != nil {
		return err
	}
	tb := maptile.New(uint32(x), uint32(y), maptile.Zoom(z)).Bound()
	tb = tb.Pad(0.1 * (tb.Max[0] - tb.Min[0])) // the buffer and the cluster grid's reach
	vk := viewKey(r)
	var key strings.Builder
	key.WriteString(layer + "|" + strconv.Itoa(z) + "/" + strconv.Itoa(x) + "/" + strconv.Itoa(y) + "|" + vk + "|")
	anyStaff := false
	for _, l := range layers {
		snap.key(&key, l, tb)
		anyStaff = anyStaff || staff[l]
	}
	if slices.ContainsFunc(layers, filtered) {
		key.WriteString("|" + f.key())
	}
	cluster := z < h.opts.ClusterBelow
	t, hit, err := h.cache.Fetch(r.Context(), key.String(), func(ctx context.Context) ([]byte, error) {
		if h.hooks.Cold != nil && z < ColdZoom {
			release, err := h.hooks.Cold(ctx)
			if err != nil {
				return nil, err // shared with every request waiting for this build, not cached
			}
			defer release()
		}
		// The build is shared by every request waiting for it, so it does not end when
		// the first of them hangs up; PostgreSQL's statement_timeout bounds each of its
		// statements (and a context that is never done spares pgx a goroutine per query
		// watching it).
		ctx = context.WithoutCancel(ctx)
		var out []byte
		for _, l := range layers {
			q := postgis.TileQuery{Layer: l, Z: z, X: x, Y: y, Staff: staff[l], Cluster: cluster && l == layerReports}
			if filtered(l) {
				q.Filter = f.TileFilter
			}
			mvt, err := h.db.Tile(ctx, q)
			if err != nil {
				return nil, err
			}
			out = append(out, mvt...) // MVT layers concatenate
		}
		return out, nil
	})
	if err != nil {
		return err
	}
	// Headers are set by their canonical names from shared values: a tile served from
	// the cache should cost little more than writing its bytes.
	hd := w.Header()
	if anyStaff {
		hd["Cache-Control"] = hdrPrivate
		hd["Vary"] = hdrVaryStaff
	} else {
		hd["Cache-Control"] = hdrPublic
		hd["Access-Control-Allow-Origin"] = hdrAnyOrigin
		hd["Vary"] = hdrVaryPublic
	}
	hd["Etag"] = []string{t.ETag}
	if hit {
		hd["X-Cache"] = hdrHit
	} else {
		hd["X-Cache"] = hdrMiss
	}
	if t.Empty() {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if MatchETag(r.Header.Get("If-None-Match"), t.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	hd["Content-Type"] = hdrMVT
	var body []byte
	switch {
	case t.Gzip != nil && AcceptsGzip(r.Header.Get("Accept-Encoding")):
		body = t.Gzip
		hd["Content-Encoding"] = hdrGzip
	case t.Raw != nil: // built a moment ago, being compressed
		body = t.Raw
	default:
		zr, err := gzip.NewReader(bytes.NewReader(t.Gzip))
		if err != nil {
			return err
		}
		if body, err = io.ReadAll(zr); err != nil {
			return err
		}
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body) //nolint:errcheck // the client went away
	}
	return nil
}

// Header values of tiles, shared by every response (never modified).
var (
	hdrPrivate = []string{"private, max-age=0"}
	// Public tiles may be stored anywhere but are revalidated on every use (ETag → 304):
	// a report published a second ago is on the next tile a browser draws.
	hdrPublic     = []string{"public, no-cache"}
	hdrAnyOrigin  = []string{"*"}
	hdrVaryStaff  = []string{"Cookie, Authorization", "Accept-Encoding"}
	hdrVaryPublic = []string{"Accept-Encoding"}
	hdrHit        = []string{"HIT"}
	hdrMiss       = []string{"MISS"}
	hdrMVT        = []string{ContentType}
	hdrGzip       = []string{"gzip"}
)

// ParseTile reads z, x and y: integers with z at most MaxZoom and x, y within 2^z.
func ParseTile(zs, xs, ys string) (z, x, y int, err error) {
	z, err = strconv.Atoi(zs)
	if err != nil || z < 0 || z > MaxZoom {
		return 0, 0, 0, invalid("z", "zoom %q is not an integer from 0 to %d", zs, MaxZoom)
	}
	n := 1 << z
	x, err = strconv.Atoi(xs)
	if err != nil || x < 0 || x >= n {
		return 0, 0, 0, invalid("x", "x %q is not an integer from 0 to %d at zoom %d", xs, n-1, z)
	}
	y, err = strconv.Atoi(ys)
	if err != nil || y < 0 || y >= n {
		return 0, 0, 0, invalid("y", "y %q is not an integer from 0 to %d at zoom %d", ys, n-1, z)
	}
	return z, x, y, nil
}

// MatchETag reports whether an If-None-Match header matches etag (weak comparison, as
// RFC 9110 asks for If-None-Match).
func MatchETag(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// AcceptsGzip reports whether an Accept-Encoding header accepts gzip.
func AcceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if n := strings.TrimSpace(name); n != "gzip" && n != "*" {
			continue
		}
		if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				return false
			}
		}
		return true
	}
	return false
}
