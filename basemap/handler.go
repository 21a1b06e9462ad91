package basemap

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/klauspost/compress/gzip"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/tiles"
)

// Hooks connect the handler to the server.
type Hooks struct {
	// Fail writes err as the server's problem+json.
	Fail func(w http.ResponseWriter, r *http.Request, err error)
	// BaseURL is the server's absolute URL (scheme://host[:port][/prefix]) that the
	// TileJSON's tiles URL is built on.
	BaseURL func(r *http.Request) string
}

// Handler serves an archive's tiles and TileJSON.
type Handler struct {
	a     *Archive // nil: no basemap configured
	hooks Hooks
}

// NewHandler serves a; with a nil a, every route answers 404 saying how to add one.
func NewHandler(a *Archive, hooks Hooks) *Handler { return &Handler{a: a, hooks: hooks} }

// TileRoute is the route template of a basemap tile.
const TileRoute = "/basemap/{z}/{x}/{y}.mvt"

// Register adds the routes to r, the server's root router.
func (h *Handler) Register(r *mux.Router) {
	r.Handle(TileRoute, h.get(h.tile)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/basemap.json", h.get(h.tileJSON)).Methods(http.MethodGet, http.MethodHead)
}

// TilePath splits the path of a GET or HEAD of /basemap/{z}/{x}/{y}.mvt, for the
// server's fast path (ServeTile).
func TilePath(r *http.Request) (z, x, y string, ok bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return
	}
	rest, ok1 := strings.CutPrefix(r.URL.Path, "/basemap/")
	rest, ok2 := strings.CutSuffix(rest, ".mvt")
	if !ok1 || !ok2 {
		return
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 {
		return
	}
	return parts[0], parts[1], parts[2], true
}

// ServeTile serves tile z/x/y (errors through Hooks.Fail), as the route does.
func (h *Handler) ServeTile(w http.ResponseWriter, r *http.Request, z, x, y string) {
	var err error = errNoBasemap
	if h.a != nil {
		err = h.serveTile(w, r, z, x, y)
	}
	if err != nil {
		h.hooks.Fail(w, r, err)
	}
}

func (h *Handler) get(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var err error = errNoBasemap
		if h.a != nil {
			err = fn(w, r)
		}
		if err != nil {
			h.hooks.Fail(w, r, err)
		}
	})
}

var errNoBasemap = trygg.Errorf(trygg.ENOTFOUND, "", "no basemap is configured: run "+
	"`trygg basemap fetch --municipality CODES --out FILE` (or use any PMTiles or MBTiles file "+
	"of OpenStreetMap vector tiles in the Protomaps schema) and start the server with TRYGG_BASEMAP=FILE; see the README")

const cacheControl = "public, max-age=86400"

// tile answers a tile as stored: gzip as it is to clients that accept it, decompressed
// for the others, each with its own strong ETag; 204 for a tile the archive lacks.
func (h *Handler) tile(w http.ResponseWriter, r *http.Request) error {
	v := mux.Vars(r)
	return h.serveTile(w, r, v["z"], v["x"], v["y"])
}

func (h *Handler) serveTile(w http.ResponseWriter, r *http.Request, zs, xs, ys string) error {
	z, x, y, err := tiles.ParseTile(zs, xs, ys)
	if err != nil {
		return err
	}
	b, err := h.a.Tile(r.Context(), z, x, y)
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Cache-Control", cacheControl)
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Set("Vary", "Accept-Encoding")
	if len(b) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	sum := sha256.Sum256(b)
	etag := base64.RawURLEncoding.EncodeToString(sum[:15])
	gz := Gzipped(b)
	if gz && tiles.AcceptsGzip(r.Header.Get("Accept-Encoding")) {
		hd.Set("Content-Encoding", "gzip")
		etag = `"` + etag + `-gz"`
	} else {
		etag = `"` + etag + `"`
		if gz {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return err
			}
			if b, err = io.ReadAll(zr); err != nil {
				return err
			}
		}
	}
	hd.Set("ETag", etag)
	if tiles.MatchETag(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	hd.Set("Content-Type", tiles.ContentType)
	hd.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(b) //nolint:errcheck // the client went away
	}
	return nil
}

// tileJSON answers TileJSON 3.0.0 from the archive's metadata.
func (h *Handler) tileJSON(w http.ResponseWriter, r *http.Request) error {
	b, err := json.Marshal(TileJSON(h.a.Metadata(), h.hooks.BaseURL(r)))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, err = w.Write(b)
	return err
}

// TileJSON is the TileJSON 3.0.0 document of an archive with metadata m served at base.
func TileJSON(m Metadata, base string) map[string]any {
	layers := m.VectorLayers
	if layers == nil {
		layers = []json.RawMessage{} // required by TileJSON 3.0.0
	}
	doc := map[string]any{
		"tilejson": "3.0.0", "name": "basemap", "scheme": "xyz",
		"tiles":         []string{base + "/basemap/{z}/{x}/{y}.mvt"},
		"vector_layers": layers, "bounds": m.Bounds, "center": m.Center,
		"minzoom": m.MinZoom, "maxzoom": m.MaxZoom, "attribution": Attribution,
	}
	if m.Name != "" {
		doc["description"] = m.Name
	}
	return doc
}
