// Package ogc serves Trygg's data as OGC API – Features (Part 1: core, GeoJSON, HTML,
// OpenAPI 3.0; Part 2: coordinate reference systems by reference), so QGIS, ArcGIS and
// GDAL read the collections without special handling. It is an adapter over the store
// (postgis.Features), like package open311:
//
//   - a collection is a postgis.FeatureCollectionDef; the public reads its public source
//     (reports: the public_report view), signed-in staff its staff source under row-level
//     security; a collection the caller may not read answers 404 and is not listed;
//   - items are encoded as PostgreSQL returns them, into memory (a page is bounded by
//     its limit): the FeatureCollection's head, then each feature, then the links (next
//     and prev need the page's first and last keys), numberMatched, numberReturned and
//     timeStamp; the page is sent after the store's connection is released, so a slow
//     client holds no database connection;
//   - paging is a keyset on (time, id), encoded in an opaque cursor, so a page boundary
//     stays where it is while rows arrive;
//   - crs and bbox-crs are CRS84 (longitude, latitude) or EPSG:3006 (SWEREF 99 TM in its
//     axis order: northing, easting); transforms and the bbox test are SQL.
package ogc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/klauspost/compress/gzhttp"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/csvout"
	"github.com/trygg-gis/trygg/postgis"
)

// Prefix is where the API is mounted.
const Prefix = "/ogc"

// CRS URIs.
const (
	CRS84    = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	EPSG3006 = "http://www.opengis.net/def/crs/EPSG/0/3006"
)

// Limits of the limit parameter.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
	LargePage    = 1000 // a page of more features than this is expensive work (Hooks.Large)
)

// Hooks connect the API to the server.
type Hooks struct {
	// Fail writes err as the server's problem+json (and logs internal errors).
	Fail func(w http.ResponseWriter, r *http.Request, err error)
	// AppendGeometry appends g as a GeoJSON geometry (the server's fast writer).
	AppendGeometry func(b []byte, g orb.Geometry) []byte
	// BaseURL, if set, is the server's absolute URL (scheme://host[:port][/prefix])
	// that links are built on; nil builds them on the request's Host.
	BaseURL func(r *http.Request) string
	// Large, if set, is entered before reading a large page (more than LargePage
	// features, or CSV) and released once it is read: the server's limit of such work
	// at once, which may refuse (503) instead of waiting long. release may be called
	// more than once.
	Large func(ctx context.Context) (release func(), err error)
}

// Options tune the API.
type Options struct {
	HTTPS bool // links are https even for plain requests (TLS ends at a proxy)
}

// Handler serves OGC API – Features.
type Handler struct {
	db    *postgis.DB
	hooks Hooks
	opts  Options
}

// New returns the API over the store db.
func New(db *postgis.DB, hooks Hooks, opts Options) *Handler {
	return &Handler{db: db, hooks: hooks, opts: opts}
}

// Register adds the routes to r, a router for Prefix. Responses are gzipped when the
// client accepts it.
func (h *Handler) Register(r *mux.Router) {
	gz, err := gzhttp.NewWrapper(gzhttp.MinSize(1024))
	if err != nil {
		panic(err) // only for invalid options
	}
	get := func(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
		return gz(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := fn(w, r); err != nil {
				h.hooks.Fail(w, r, err)
			}
		}))
	}
	r.Handle("", get(h.landing)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/", get(h.landing)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/conformance", get(h.conformance)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/api", get(h.api)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/collections", get(h.collections)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/collections/{collectionId}", get(h.collection)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/collections/{collectionId}/items", get(h.items)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/collections/{collectionId}/items/{featureId}", get(h.item)).Methods(http.MethodGet, http.MethodHead)
}

func invalid(field, format string, args ...any) error {
	return trygg.Errorf(trygg.EINVALID, field, format, args...)
}

// base is the API's absolute URL.
func (h *Handler) base(r *http.Request) string {
	if h.hooks.BaseURL != nil {
		return h.hooks.BaseURL(r) + Prefix
	}
	scheme := "http"
	if r.TLS != nil || h.opts.HTTPS {
		scheme = "https"
	}
	return scheme + "://" + r.Host + Prefix
}

type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

type format string

const (
	fJSON format = "json"
	fHTML format = "html"
	fCSV  format = "csv"
)

// formatOf reads f, or the Accept header without it: HTML for browsers, JSON otherwise.
func formatOf(r *http.Request, csvOK bool) (format, error) {
	switch f := r.URL.Query().Get("f"); f {
	case "json", "geojson":
		return fJSON, nil
	case "html":
		return fHTML, nil
	case "csv":
		if csvOK {
			return fCSV, nil
		}
		return "", invalid("f", "f=csv is offered for items only; use json or html")
	case "":
		accept := r.Header.Get("Accept")
		if strings.Contains(accept, "text/html") && !strings.Contains(accept, "json") {
			return fHTML, nil
		}
		if csvOK && strings.HasPrefix(accept, "text/csv") {
			return fCSV, nil
		}
		return fJSON, nil
	default:
		return "", invalid("f", "f must be json or html%s, not %q", map[bool]string{true: " or csv"}[csvOK], f)
	}
}

func writeJSON(w http.ResponseWriter, contentType string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType)
	_, err = w.Write(b)
	return err
}

// alternates are a page's self and alternate links in JSON and HTML.
func alternates(href string, f format, jsonType string) []link {
	sep := "?"
	if strings.Contains(href, "?") {
		sep = "&"
	}
	j := link{Href: href + sep + "f=json", Rel: "alternate", Type: jsonType, Title: "JSON"}
	ht := link{Href: href + sep + "f=html", Rel: "alternate", Type: "text/html", Title: "HTML"}
	if f == fHTML {
		ht.Rel = "self"
		return []link{ht, j}
	}
	j.Rel = "self"
	return []link{j, ht}
}

func (h *Handler) landing(w http.ResponseWriter, r *http.Request) error {
	f, err := formatOf(r, false)
	if err != nil {
		return err
	}
	b := h.base(r)
	links := append(alternates(b, f, "application/json"),
		link{Href: b + "/api", Rel: "service-desc", Type: "application/vnd.oai.openapi+json;version=3.0", Title: "OpenAPI 3.0"},
		link{Href: b + "/conformance", Rel: "conformance", Type: "application/json", Title: "Överensstämmelse"},
		link{Href: b + "/collections", Rel: "data", Type: "application/json", Title: "Samlingar"})
	page := map[string]any{"title": "Trygg – OGC API Features",
		"description": "Trygghetsdata från Trygg: kommuner, rapporter och (för personal) vandringar, åtgärder, " +
			"observationer, platser från medborgardialoger, EST-händelser och polisens händelser.",
		"links": links}
	if f == fHTML {
		return writeHTML(w, "Trygg – OGC API Features", []crumb{{"Start", ""}}, func(sb *strings.Builder) {
			sb.WriteString("<p>" + html.EscapeString(page["description"].(string)) + "</p><ul>")
			sb.WriteString(`<li><a href="` + b + `/collections?f=html">Samlingar</a></li>`)
			sb.WriteString(`<li><a href="` + b + `/conformance?f=html">Överensstämmelse</a></li>`)
			sb.WriteString(`<li><a href="` + b + `/api">API-beskrivning (OpenAPI 3.0)</a></li></ul>`)
		})
	}
	return writeJSON(w, "application/json", page)
}

// ConformsTo are the conformance classes.
var ConformsTo = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
	"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
}

func (h *Handler) conformance(w http.ResponseWriter, r *http.Request) error {
	f, err := formatOf(r, false)
	if err != nil {
		return err
	}
	if f == fHTML {
		return writeHTML(w, "Överensstämmelse", []crumb{{"Start", h.base(r)}, {"Överensstämmelse", ""}}, func(sb *strings.Builder) {
			sb.WriteString("<ul>")
			for _, c := range ConformsTo {
				sb.WriteString("<li>" + html.EscapeString(c) + "</li>")
			}
			sb.WriteString("</ul>")
		})
	}
	return writeJSON(w, "application/json", map[string]any{"conformsTo": ConformsTo})
}

// visible returns the collection with id if the caller may read it, and its source.
func visible(r *http.Request, id string) (*postgis.FeatureCollectionDef, *postgis.FeatureSource, error) {
	c := postgis.FeatureCollection(id)
	if c == nil {
		return nil, nil, trygg.Errorf(trygg.ENOTFOUND, "collectionId", "no collection %q", id)
	}
	src := c.Source(trygg.CallerFrom(r.Context()))
	if src == nil {
		return nil, nil, trygg.Errorf(trygg.ENOTFOUND, "collectionId", "no collection %q", id)
	}
	return c, src, nil
}

// swedenBBox is the collections' spatial extent in CRS84.
var swedenBBox = []float64{10.03, 54.96, 24.17, 69.07}

func (h *Handler) collectionInfo(r *http.Request, c *postgis.FeatureCollectionDef) map[string]any {
	b := h.base(r) + "/collections/" + c.ID
	return map[string]any{
		"id": c.ID, "title": c.Title, "description": c.Description, "itemType": "feature",
		"extent": map[string]any{
			"spatial":  map[string]any{"bbox": [][]float64{swedenBBox}, "crs": CRS84},
			"temporal": map[string]any{"interval": [][]any{{nil, nil}}, "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"},
		},
		"crs": []string{CRS84, EPSG3006}, "storageCrs": CRS84,
		"links": []link{
			{Href: b + "?f=json", Rel: "self", Type: "application/json", Title: c.Title},
			{Href: b + "?f=html", Rel: "alternate", Type: "text/html", Title: c.Title},
			{Href: b + "/items?f=json", Rel: "items", Type: "application/geo+json", Title: c.Title},
			{Href: b + "/items?f=html", Rel: "items", Type: "text/html", Title: c.Title},
			{Href: b + "/items?f=csv", Rel: "items", Type: "text/csv", Title: c.Title},
		},
	}
}

func (h *Handler) collections(w http.ResponseWriter, r *http.Request) error {
	f, err := formatOf(r, false)
	if err != nil {
		return err
	}
	var list []map[string]any
	var defs []*postgis.FeatureCollectionDef
	for _, c := range postgis.FeatureCollections {
		if c.Source(trygg.CallerFrom(r.Context())) != nil {
			list = append(list, h.collectionInfo(r, c))
			defs = append(defs, c)
		}
	}
	b := h.base(r)
	if f == fHTML {
		return writeHTML(w, "Samlingar", []crumb{{"Start", b}, {"Samlingar", ""}}, func(sb *strings.Builder) {
			sb.WriteString("<table><tr><th>Samling</th><th>Beskrivning</th><th>Objekt</th></tr>")
			for _, c := range defs {
				u := b + "/collections/" + c.ID
				fmt.Fprintf(sb, `<tr><td><a href="%s?f=html">%s</a></td><td>%s</td><td><a href="%s/items?f=html">visa</a> · <a href="%s/items?f=json">GeoJSON</a> · <a href="%s/items?f=csv">CSV</a></td></tr>`,
					u, html.EscapeString(c.Title), html.EscapeString(c.Description), u, u, u)
			}
			sb.WriteString("</table>")
		})
	}
	return writeJSON(w, "application/json", map[string]any{
		"links": alternates(b+"/collections", f, "application/json"), "collections": list,
		"crs": []string{CRS84, EPSG3006}})
}

func (h *Handler) collection(w http.ResponseWriter, r *http.Request) error {
	f, err := formatOf(r, false)
	if err != nil {
		return err
	}
	c, src, err := visible(r, mux.Vars(r)["collectionId"])
	if err != nil {
		return err
	}
	info := h.collectionInfo(r, c)
	if f == fHTML {
		b := h.base(r)
		return writeHTML(w, c.Title, []crumb{{"Start", b}, {"Samlingar", b + "/collections?f=html"}, {c.Title, ""}}, func(sb *strings.Builder) {
			u := b + "/collections/" + c.ID + "/items"
			fmt.Fprintf(sb, "<p>%s</p><p>Egenskaper: %s</p><p>Tidsfält: %s</p>", html.EscapeString(c.Description),
				html.EscapeString(strings.Join(src.Properties(), ", ")), html.EscapeString(c.TimeField))
			fmt.Fprintf(sb, `<p><a href="%s?f=html">Visa objekt</a> · <a href="%s?f=json">GeoJSON</a> · <a href="%s?f=csv">CSV</a></p>`, u, u, u)
		})
	}
	return writeJSON(w, "application/json", info)
}

// crsOf reads a CRS parameter: "" is CRS84.
func crsOf(param, v string) (int, error) {
	switch strings.Trim(v, "[]") {
	case "", CRS84, "CRS84", "OGC:CRS84", "urn:ogc:def:crs:OGC:1.3:CRS84":
		return 4326, nil
	case EPSG3006, "EPSG:3006", "urn:ogc:def:crs:EPSG::3006":
		return 3006, nil
	}
	return 0, invalid(param, "%s must be %s or %s, not %q", param, CRS84, EPSG3006, v)
}

func crsURI(srid int) string {
	if srid == 3006 {
		return EPSG3006
	}
	return CRS84
}

// itemsQuery is the parsed query of an items request.
type itemsQuery struct {
	q      postgis.FeatureQuery
	format format
}

func parseItems(r *http.Request, src *postgis.FeatureSource) (itemsQuery, error) {
	var out itemsQuery
	v := r.URL.Query()
	var err error
	if out.format, err = formatOf(r, true); err != nil {
		return out, err
	}
	q := &out.q
	q.Limit = DefaultLimit
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return out, invalid("limit", "limit must be an integer from 1 to %d, not %q", MaxLimit, s)
		}
		if n <= 0 {
			return out, invalid("limit", "limit must be at least 1, not %d", n)
		}
		q.Limit = min(n, MaxLimit)
	}
	if q.SRID, err = crsOf("crs", v.Get("crs")); err != nil {
		return out, err
	}
	q.NorthEast = q.SRID == 3006
	bboxSRID, err := crsOf("bbox-crs", v.Get("bbox-crs"))
	if err != nil {
		return out, err
	}
	if s := v.Get("bbox"); s != "" {
		bb, err := parseBBox(s, bboxSRID)
		if err != nil {
			return out, err
		}
		q.BBox, q.BBoxSRID = &bb, bboxSRID
	} else if v.Has("bbox-crs") && v.Get("bbox-crs") != "" {
		// bbox-crs alone is harmless: nothing to transform.
		_ = bboxSRID
	}
	if q.XY, err = csvGeometryOf(v.Get("csv-geometry")); err != nil {
		return out, err
	}
	q.XY = q.XY && out.format == fCSV
	if s := v.Get("datetime"); s != "" {
		if q.From, q.To, err = parseDatetime(s); err != nil {
			return out, err
		}
	}
	for _, name := range []string{"category", "status", "source", "municipality"} {
		s := v.Get(name)
		if s == "" {
			continue
		}
		if !src.Filters(name) {
			return out, invalid(name, "this collection cannot be filtered by %s", name)
		}
		if q.Filters == nil {
			q.Filters = map[string][]string{}
		}
		for _, part := range strings.Split(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				q.Filters[name] = append(q.Filters[name], part)
			}
		}
	}
	if s := v.Get("cursor"); s != "" {
		k, before, err := decodeCursor(s)
		if err != nil {
			return out, err
		}
		if before {
			q.Before = &k
		} else {
			q.After = &k
		}
	}
	return out, nil
}

// csvGeometryOf reads csv-geometry: wkt (the default, a WKT column) or xy (columns x
// and y: easting and northing of the geometry's point, or point on surface).
func csvGeometryOf(v string) (xy bool, err error) {
	switch v {
	case "", "wkt":
		return false, nil
	case "xy":
		return true, nil
	}
	return false, invalid("csv-geometry", "csv-geometry must be wkt or xy, not %q", v)
}

// parseBBox reads 4 or 6 numbers (z ignored) in the CRS's axis order and returns them
// as minx, miny, maxx, maxy with x east (longitude) and y north (latitude).
func parseBBox(s string, srid int) ([4]float64, error) {
	var bb [4]float64
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return bb, invalid("bbox", "bbox must be 4 numbers (or 6 with heights), not %d", len(parts))
	}
	nums := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return bb, invalid("bbox", "bbox value %d (%q) is not a number", i+1, p)
		}
		nums[i] = f
	}
	if len(nums) == 6 {
		nums = []float64{nums[0], nums[1], nums[3], nums[4]}
	}
	if nums[0] > nums[2] {
		return bb, invalid("bbox", "the bbox's first minimum %v is greater than its maximum %v", nums[0], nums[2])
	}
	if nums[1] > nums[3] {
		return bb, invalid("bbox", "the bbox's second minimum %v is greater than its maximum %v", nums[1], nums[3])
	}
	if srid == 4326 {
		if nums[0] < -180 || nums[2] > 180 || nums[1] < -90 || nums[3] > 90 {
			return bb, invalid("bbox", "a CRS84 bbox is longitude -180 to 180, latitude -90 to 90")
		}
		return [4]float64{nums[0], nums[1], nums[2], nums[3]}, nil
	}
	// EPSG:3006 is northing, easting.
	return [4]float64{nums[1], nums[0], nums[3], nums[2]}, nil
}

// parseDatetime reads an instant or an interval (a/b, ../b, a/..).
func parseDatetime(s string) (from, to *time.Time, err error) {
	bad := invalid("datetime", "datetime must be an RFC 3339 time or date, or an interval a/b with .. for an open end, not %q", s)
	start, end, interval := strings.Cut(s, "/")
	if !interval {
		a, b, ok := instant(s)
		if !ok {
			return nil, nil, bad
		}
		return &a, &b, nil
	}
	if start != "" && start != ".." {
		a, _, ok := instant(start)
		if !ok {
			return nil, nil, bad
		}
		from = &a
	}
	if end != "" && end != ".." {
		_, b, ok := instant(end)
		if !ok {
			return nil, nil, bad
		}
		to = &b
	}
	if from == nil && to == nil {
		return nil, nil, bad
	}
	if from != nil && to != nil && from.After(*to) {
		return nil, nil, invalid("datetime", "the interval %q ends before it starts", s)
	}
	return from, to, nil
}

// instant reads a time (from = to) or a date: its whole day in Swedish time
// (Europe/Stockholm), which is what Swedish planners mean by a date.
func instant(s string) (time.Time, time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, t, true
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, trygg.SwedishTime); err == nil {
		return d, d.AddDate(0, 0, 1).Add(-time.Microsecond), true
	}
	return time.Time{}, time.Time{}, false
}

// A cursor is a page's edge key: "n" (after it) or "p" (before it), the time in Unix
// microseconds and the id, base64url-encoded. Clients must treat it as opaque.
func encodeCursor(k postgis.FeatureKey, before bool) string {
	dir := "n"
	if before {
		dir = "p"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(dir + "|" + strconv.FormatInt(k.Time.UnixMicro(), 10) + "|" + k.ID))
}

func decodeCursor(s string) (postgis.FeatureKey, bool, error) {
	bad := invalid("cursor", "cursor is not one this server gave out; follow the next and prev links")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return postgis.FeatureKey{}, false, bad
	}
	parts := strings.SplitN(string(b), "|", 3)
	if len(parts) != 3 || (parts[0] != "n" && parts[0] != "p") {
		return postgis.FeatureKey{}, false, bad
	}
	us, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return postgis.FeatureKey{}, false, bad
	}
	return postgis.FeatureKey{Time: time.UnixMicro(us).UTC(), ID: parts[2]}, parts[0] == "p", nil
}

// pageURL is the items URL with the request's parameters and cursor c.
func pageURL(base string, r *http.Request, f format, c string) string {
	v := url.Values{}
	for k, vs := range r.URL.Query() {
		if k != "cursor" && k != "f" {
			v[k] = vs
		}
	}
	v.Set("f", string(f))
	if c != "" {
		v.Set("cursor", c)
	}
	return base + "?" + v.Encode()
}

func (h *Handler) items(w http.ResponseWriter, r *http.Request) error {
	c, src, err := visible(r, mux.Vars(r)["collectionId"])
	if err != nil {
		return err
	}
	iq, err := parseItems(r, src)
	if err != nil {
		return err
	}
	// numberMatched is counted for the first page only: a count costs about as much as
	// reading every matching row, and the later pages of a walk through the collection
	// would pay it again each time (the standard lets a server leave it out).
	iq.q.Count = iq.format != fCSV && iq.q.After == nil && iq.q.Before == nil
	base := h.base(r) + "/collections/" + c.ID + "/items"
	release := func() {}
	if h.hooks.Large != nil && (iq.q.Limit > LargePage || iq.format == fCSV) {
		if release, err = h.hooks.Large(r.Context()); err != nil {
			return err
		}
		defer release() // a no-op once released below
	}
	// The page is written to memory (it is bounded by the limit) while the store reads
	// it, and sent once the store's connection is back in the pool: a client that reads
	// slowly, or never, holds no database connection.
	var buf bytes.Buffer
	bw := bufio.NewWriterSize(&buf, 32<<10)
	var fw featureWriter
	switch iq.format {
	case fJSON:
		fw = &jsonWriter{w: bw, h: h}
	case fHTML:
		fw = &htmlWriter{w: bw, h: h, c: c, props: src.Properties(), base: h.base(r), srid: iq.q.SRID}
	case fCSV:
		fw = newCSVWriter(bw, src, iq.q.XY)
	}
	fw.head()
	page, err := h.db.Features(r.Context(), src, iq.q, fw.feature)
	release()
	if err != nil {
		return err
	}
	var links []link
	for _, f := range []format{fJSON, fHTML, fCSV} {
		l := link{Href: pageURL(base, r, f, r.URL.Query().Get("cursor")), Rel: "alternate", Type: mediaType(f)}
		if f == iq.format {
			l.Rel = "self"
		}
		links = append(links, l)
	}
	if page.MoreAfter {
		links = append(links, link{Href: pageURL(base, r, iq.format, encodeCursor(page.Last, false)), Rel: "next",
			Type: mediaType(iq.format), Title: "Nästa sida"})
	}
	if page.MoreBefore {
		links = append(links, link{Href: pageURL(base, r, iq.format, encodeCursor(page.First, true)), Rel: "prev",
			Type: mediaType(iq.format), Title: "Föregående sida"})
	}
	links = append(links, link{Href: h.base(r) + "/collections/" + c.ID, Rel: "collection", Type: "application/json", Title: c.Title})
	fw.tail(page, links)
	if err := bw.Flush(); err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", fw.contentType())
	hd.Set("Content-Crs", "<"+crsURI(iq.q.SRID)+">")
	hd.Set("Cache-Control", "no-store")
	if _, err := w.Write(buf.Bytes()); err != nil {
		panic(http.ErrAbortHandler) // the status is sent: the client went away or was too slow
	}
	return nil
}

func mediaType(f format) string {
	switch f {
	case fHTML:
		return "text/html"
	case fCSV:
		return "text/csv"
	}
	return "application/geo+json"
}

func (h *Handler) item(w http.ResponseWriter, r *http.Request) error {
	c, src, err := visible(r, mux.Vars(r)["collectionId"])
	if err != nil {
		return err
	}
	f, err := formatOf(r, true)
	if err != nil {
		return err
	}
	srid, err := crsOf("crs", r.URL.Query().Get("crs"))
	if err != nil {
		return err
	}
	xy, err := csvGeometryOf(r.URL.Query().Get("csv-geometry"))
	if err != nil {
		return err
	}
	xy = xy && f == fCSV
	id := mux.Vars(r)["featureId"]
	var feature, props, wkbGeom []byte
	var rowID string
	var xyRow postgis.FeatureRow
	_, err = h.db.Features(r.Context(), src, postgis.FeatureQuery{ID: id, SRID: srid, NorthEast: srid == 3006, XY: xy},
		func(row postgis.FeatureRow) error {
			rowID = row.ID
			props = append([]byte{}, row.Props...)
			wkbGeom = append([]byte{}, row.WKB...)
			xyRow = row
			if xy {
				return nil
			}
			var err error
			feature, err = appendFeature(feature, h, row)
			return err
		})
	if err != nil {
		return err
	}
	base := h.base(r) + "/collections/" + c.ID
	self := base + "/items/" + url.PathEscape(id)
	w.Header().Set("Content-Crs", "<"+crsURI(srid)+">")
	switch f {
	case fHTML:
		hw := &htmlWriter{w: bufio.NewWriter(w), h: h, c: c, props: src.Properties(), base: h.base(r), srid: srid}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		hw.head()
		hw.feature(postgis.FeatureRow{ID: rowID, WKB: wkbGeom, Props: props}) //nolint:errcheck // write errors: the client is gone
		hw.tail(postgis.FeaturePage{Matched: -1, Returned: 1}, []link{{Href: self + "?f=json", Rel: "alternate", Type: "application/geo+json"}})
		return hw.w.Flush()
	case fCSV:
		cw := newCSVWriter(w, src, xy)
		w.Header().Set("Content-Type", cw.contentType())
		cw.head()
		if err := cw.feature(postgis.FeatureRow{ID: rowID, WKB: wkbGeom, Props: props,
			X: xyRow.X, Y: xyRow.Y, HasXY: xyRow.HasXY}); err != nil {
			return err
		}
		cw.tail(postgis.FeaturePage{}, nil)
		return nil
	}
	// Add the links before the Feature's closing brace.
	lj, _ := json.Marshal([]link{
		{Href: self + "?f=json", Rel: "self", Type: "application/geo+json"},
		{Href: self + "?f=html", Rel: "alternate", Type: "text/html"},
		{Href: base + "?f=json", Rel: "collection", Type: "application/json"}})
	feature = append(feature[:len(feature)-1], `,"links":`...)
	feature = append(append(feature, lj...), '}')
	w.Header().Set("Content-Type", "application/geo+json")
	_, err = w.Write(feature)
	return err
}

// appendFeature appends row as a GeoJSON Feature.
func appendFeature(b []byte, h *Handler, row postgis.FeatureRow) ([]byte, error) {
	g, err := decodeWKB(row.WKB)
	if err != nil {
		return b, err
	}
	b = append(b, `{"type":"Feature","id":`...)
	b = strconv.AppendQuote(b, row.ID)
	b = append(b, `,"geometry":`...)
	b = h.hooks.AppendGeometry(b, g)
	b = append(b, `,"properties":`...)
	b = append(b, row.Props...)
	return append(b, '}'), nil
}

func decodeWKB(b []byte) (orb.Geometry, error) {
	if b == nil {
		return nil, nil
	}
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("ogc: decode geometry: %w", err)
	}
	return g, nil
}

// featureWriter writes a page of features in one format.
type featureWriter interface {
	contentType() string
	head()
	feature(postgis.FeatureRow) error
	tail(postgis.FeaturePage, []link)
}

type jsonWriter struct {
	w   *bufio.Writer
	h   *Handler
	n   int
	buf []byte
}

func (j *jsonWriter) contentType() string { return "application/geo+json" }
func (j *jsonWriter) head()               { j.w.WriteString(`{"type":"FeatureCollection","features":[`) }

func (j *jsonWriter) feature(row postgis.FeatureRow) error {
	j.buf = j.buf[:0]
	if j.n > 0 {
		j.buf = append(j.buf, ',')
	}
	j.n++
	var err error
	if j.buf, err = appendFeature(j.buf, j.h, row); err != nil {
		return err
	}
	_, err = j.w.Write(j.buf)
	return err
}

func (j *jsonWriter) tail(p postgis.FeaturePage, links []link) {
	lj, _ := json.Marshal(links)
	j.w.WriteString(`],"links":`)
	j.w.Write(lj)
	if p.Matched >= 0 {
		fmt.Fprintf(j.w, `,"numberMatched":%d`, p.Matched)
	}
	fmt.Fprintf(j.w, `,"numberReturned":%d,"timeStamp":%q}`, p.Returned, p.TimeStamp.UTC().Format(time.RFC3339))
}

// csvWriter writes CSV: id, the geometry as WKT (or, with xy, columns x and y: easting
// and northing in the requested CRS), then the properties. Text cells that a
// spreadsheet would run as formulas are neutralised (package csvout); numeric columns
// (x, y and the source's numeric properties) are not.
type csvWriter struct {
	w     *csvout.Writer
	props []string
	xy    bool
	rec   []string
}

func newCSVWriter(w io.Writer, src *postgis.FeatureSource, xy bool) *csvWriter {
	cols := []csvout.Column{csvout.Text("id"), csvout.Text("WKT")}
	if xy {
		cols = []csvout.Column{csvout.Text("id"), csvout.Number("x"), csvout.Number("y")}
	}
	props := src.Properties()
	for _, name := range props {
		cols = append(cols, csvout.Column{Name: name, Numeric: src.Numeric(name)})
	}
	return &csvWriter{w: csvout.NewWriter(w, cols), props: props, xy: xy}
}

func (c *csvWriter) contentType() string { return "text/csv; charset=utf-8" }
func (c *csvWriter) head()               { c.w.WriteHeader() } //nolint:errcheck // checked at Flush

func (c *csvWriter) feature(row postgis.FeatureRow) error {
	if c.xy {
		c.rec = append(c.rec[:0], row.ID, "", "")
		if row.HasXY {
			c.rec[1] = strconv.FormatFloat(row.X, 'f', -1, 64)
			c.rec[2] = strconv.FormatFloat(row.Y, 'f', -1, 64)
		}
	} else {
		g, err := decodeWKB(row.WKB)
		if err != nil {
			return err
		}
		c.rec = append(c.rec[:0], row.ID, "")
		if g != nil {
			c.rec[1] = wkt.MarshalString(g)
		}
	}
	var props map[string]json.RawMessage
	if err := json.Unmarshal(row.Props, &props); err != nil {
		return err
	}
	for _, name := range c.props {
		c.rec = append(c.rec, csvValue(props[name]))
	}
	return c.w.Write(c.rec)
}

// csvValue is a JSON value as a CSV cell: strings without quotes, null empty, a list
// of strings (categories, when) joined by semicolons ("belysning;vegetation") unless
// one of them holds a semicolon.
func csvValue(v json.RawMessage) string {
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	if v[0] == '[' {
		var list []string
		if json.Unmarshal(v, &list) == nil && !slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, ";") }) {
			return strings.Join(list, ";")
		}
	}
	if v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	}
	return string(v)
}

func (c *csvWriter) tail(postgis.FeaturePage, []link) { c.w.Flush() } //nolint:errcheck // the client is gone
