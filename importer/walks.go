package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/geo"
)

// Walk imports: a safety walk's route from GPX or GeoJSON, and its observations from
// CSV or GeoJSON. Routes are read and checked here and stored with the walk
// (UpdateWalk, CreateWalk); observations are checked as reports are and stored with
// AddObservations, all or nothing.

// File formats of walk imports.
const (
	FormatGPX     = "GPX"
	FormatGeoJSON = "GeoJSON"
	FormatCSV     = "CSV"
)

// Limits of walk imports.
const (
	MaxRoutePoints  = 100_000 // about a day of one point a second
	MaxObservations = 2_000   // a walk's observations are stored one by one
)

// Route is a walk's route as read from a file: points in WGS 84 and, when the file
// gives them, one time per point (in order, never going back).
type Route struct {
	Format   string         // FormatGPX or FormatGeoJSON
	Kind     string         // what the points were: "track" (GPX trk), "route" (GPX rte) or "LineString"
	Line     orb.LineString // at least two points
	Times    []time.Time    // nil when the file has no times
	Segments int            // GPX track segments (or routes) joined in file order; 1 for GeoJSON
}

// Start is the time of the first point, or nil without times.
func (r Route) Start() *time.Time {
	if len(r.Times) == 0 {
		return nil
	}
	t := r.Times[0]
	return &t
}

// End is the time of the last point, or nil without times.
func (r Route) End() *time.Time {
	if len(r.Times) == 0 {
		return nil
	}
	t := r.Times[len(r.Times)-1]
	return &t
}

// RouteError is one refusal of a route file: where (the GPX line, or the GeoJSON
// member) and why.
type RouteError struct {
	Line   int    // GPX: the line in the file; 0 for GeoJSON and for the file as a whole
	Point  int    // the point's index in the file's points of its kind, from 0; -1 if not a point's
	Field  string // GPX: "trkpt", "rtept", "time"; GeoJSON: a member path such as "geometry.coordinates[3]"
	Reason string
}

// Where names the place of the error as a problem's field: "line 31: trkpt",
// "geometry.coordinates[3]", "line 1".
func (e RouteError) Where() string {
	switch {
	case e.Line > 0 && e.Field != "":
		return fmt.Sprintf("line %d: %s", e.Line, e.Field)
	case e.Line > 0:
		return fmt.Sprintf("line %d", e.Line)
	case e.Field != "":
		return e.Field
	}
	return "body"
}

func (e RouteError) Error() string {
	if e.Line == 0 && e.Field == "" {
		return e.Reason
	}
	return e.Where() + ": " + e.Reason
}

// Where names the record and column (or member) of the error as a problem's field:
// "line 7: känsla", "line 7: lon/lat", "feature 2: properties.feeling", "line 7".
func (e RecordError) Where() string {
	w := fmt.Sprintf("feature %d", e.Feature)
	if e.Line > 0 {
		w = fmt.Sprintf("line %d", e.Line)
	}
	if e.Field != "" {
		w += ": " + e.Field
	}
	return w
}

// sniff returns the format of a file from its first byte: '<' GPX, '{' GeoJSON,
// anything else CSV; r is read from the start again afterwards.
func sniff(r io.Reader) (string, io.Reader, error) {
	br := bufio.NewReader(r)
	for {
		c, _, err := br.ReadRune()
		if errors.Is(err, io.EOF) {
			return "", br, invalidFile("the file is empty")
		}
		if err != nil {
			return "", br, err
		}
		if c == '\ufeff' || unicode.IsSpace(c) {
			continue
		}
		if err := br.UnreadRune(); err != nil {
			return "", br, err
		}
		switch c {
		case '<':
			return FormatGPX, br, nil
		case '{', '[':
			return FormatGeoJSON, br, nil
		}
		return FormatCSV, br, nil
	}
}

// ReadRoute reads a route from GPX or GeoJSON (format FormatGPX or FormatGeoJSON, or
// "" to tell them by the first character). Refusals of the file's content come as
// RouteErrors, every one that was found; a failure to read is an error.
func ReadRoute(r io.Reader, format string) (Route, []RouteError, error) {
	if format == "" {
		var err error
		if format, r, err = sniff(r); err != nil {
			return Route{}, nil, err
		}
	}
	switch format {
	case FormatGPX:
		return ReadGPX(r)
	case FormatGeoJSON:
		return ReadGeoJSONRoute(r)
	}
	return Route{}, nil, invalidFile("a route comes as GPX or GeoJSON, not %s", format)
}

// routePoint is a point of a route as read, before the checks every route gets.
type routePoint struct {
	lon, lat  float64
	posOK     bool // lon and lat were read as numbers
	time      time.Time
	timed     bool
	timeOK    bool       // no time, or one that parsed
	pos, when RouteError // where to blame the position and the time
}

// finishRoute checks points read from a file: every position (finite, in range, in
// Sweden, not swapped), times on every point or on none, times that never go back, and
// at least two points. order explains the file's order of coordinates.
func finishRoute(rt Route, pts []routePoint, errs []RouteError, order string) (Route, []RouteError) {
	fail := func(at RouteError, err error) {
		at.Reason = trygg.ErrorMessage(err)
		if trygg.ErrorCode(err) == trygg.EUNPROCESSABLE {
			at.Reason = "the point is outside Sweden"
		}
		errs = append(errs, at)
	}
	timed, firstTimed := 0, -1
	for i, p := range pts {
		if p.timed {
			timed++
			if firstTimed < 0 {
				firstTimed = i
			}
		}
	}
	line := make(orb.LineString, 0, len(pts))
	var times []time.Time
	if timed > 0 {
		times = make([]time.Time, 0, len(pts))
	}
	var last time.Time
	lastAt := -1
	for i, p := range pts {
		if p.posOK {
			pt, err := trygg.CheckPosition(p.pos.Field, p.lon, p.lat)
			if err == nil {
				err = trygg.CheckInSweden(pt, p.pos.Field, p.pos.Field, order)
			}
			if err != nil {
				fail(p.pos, err)
			}
			line = append(line, pt)
		}
		switch {
		case timed == 0 || !p.timeOK:
		case !p.timed:
			at := p.pos
			first := pts[firstTimed].pos
			at.Reason = "this point has no time, but others have (the first " + pointName(first) +
				"): give every point a time, or none"
			errs = append(errs, at)
		default:
			if lastAt >= 0 && p.time.Before(last) {
				at := p.when
				at.Reason = fmt.Sprintf("%s is before the time of the point before (%s): are the points or segments out of order?",
					p.time.Format(time.RFC3339), last.Format(time.RFC3339))
				errs = append(errs, at)
			}
			last, lastAt = p.time, i
			times = append(times, p.time)
		}
	}
	if len(errs) == 0 && len(pts) < 2 {
		errs = append(errs, RouteError{Point: -1, Reason: fmt.Sprintf("the %s has only one point: a route needs at least two", rt.Kind)})
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b RouteError) int {
			if a.Line != b.Line {
				return a.Line - b.Line
			}
			return a.Point - b.Point
		})
		return Route{Format: rt.Format}, errs
	}
	rt.Line, rt.Times = line, times
	return rt, nil
}

// pointName names a point in a message: "at line 12" or "coordinates[0]".
func pointName(at RouteError) string {
	if at.Line > 0 {
		return "at line " + strconv.Itoa(at.Line)
	}
	return at.Field
}

// The namespaces of GPX 1.1 and 1.0; a file without one is read too.
const (
	gpx11 = "http://www.topografix.com/GPX/1/1"
	gpx10 = "http://www.topografix.com/GPX/1/0"
)

// ReadGPX reads a route from GPX 1.1 (or 1.0) as a stream: the track points
// (trk/trkseg/trkpt, every segment of every track joined in file order) or, in a file
// without tracks, the route points (rte/rtept). Times (<time>, UTC) are kept.
// Waypoints and extensions are ignored.
func ReadGPX(r io.Reader) (Route, []RouteError, error) {
	br := bufio.NewReader(r)
	if bom, _ := br.Peek(2); string(bom) == "\xff\xfe" || string(bom) == "\xfe\xff" {
		return Route{Format: FormatGPX}, []RouteError{{Line: 1, Point: -1, Field: "encoding",
			Reason: "the file is in UTF-16, which is not supported: save it as UTF-8"}}, nil
	}
	dec := xml.NewDecoder(br)
	dec.CharsetReader = charsetReader
	var (
		root     string   // the GPX namespace of the file
		stack    []string // open elements: local names in root's namespace, others as "{ns}name"
		rootSeen bool
		trk, rte []routePoint
		trkSegs  int
		rteSegs  int
		segOpen  bool // the current trkseg has points
		cur      *routePoint
		curKind  string
		timeText strings.Builder
		inTime   bool
		errs     []RouteError
	)
	at := func() int { line, _ := dec.InputPos(); return line }
	path := func(names ...string) bool {
		if len(stack) != len(names) {
			return false
		}
		for i, n := range names {
			if stack[i] != n {
				return false
			}
		}
		return true
	}
	for {
		before, _ := dec.InputPos()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		var syn *xml.SyntaxError
		if errors.As(err, &syn) {
			reason := "the XML is malformed: " + syn.Msg
			if syn.Msg == "unexpected EOF" {
				reason = "the file ends before the GPX does: is it cut off?"
			}
			return Route{Format: FormatGPX}, append(errs, RouteError{Line: syn.Line, Point: -1, Reason: reason}), nil
		}
		var ce *charsetError
		if errors.As(err, &ce) {
			return Route{Format: FormatGPX}, append(errs, RouteError{Line: at(), Point: -1, Field: "encoding", Reason: ce.Error()}), nil
		}
		if err != nil {
			return Route{Format: FormatGPX}, nil, fmt.Errorf("reading the GPX: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !rootSeen {
				rootSeen = true
				if t.Name.Local != "gpx" || (t.Name.Space != gpx11 && t.Name.Space != gpx10 && t.Name.Space != "") {
					return Route{Format: FormatGPX}, []RouteError{{Line: at(), Point: -1,
						Reason: fmt.Sprintf("the file is not GPX: its root element is <%s>, not <gpx> (GPX 1.1)", t.Name.Local)}}, nil
				}
				root = t.Name.Space
			}
			name := t.Name.Local
			if t.Name.Space != root {
				name = "{" + t.Name.Space + "}" + name
			}
			switch {
			case name == "trkseg" && path("gpx", "trk"):
				segOpen = false
			case name == "rte" && path("gpx"):
				rteSegs++
			case name == "trkpt" && path("gpx", "trk", "trkseg"), name == "rtept" && path("gpx", "rte"):
				list := &trk
				if name == "rtept" {
					list = &rte
				} else if !segOpen {
					segOpen = true
					trkSegs++
				}
				if len(*list) == MaxRoutePoints {
					return Route{Format: FormatGPX}, []RouteError{{Line: at(), Point: len(*list), Field: name,
						Reason: fmt.Sprintf("a route has at most %d points", MaxRoutePoints)}}, nil
				}
				*list = append(*list, gpxPoint(t, name, len(*list), at()))
				cur, curKind = &(*list)[len(*list)-1], name
			case name == "time" && cur != nil && len(stack) > 0 && stack[len(stack)-1] == curKind:
				inTime = true
				timeText.Reset()
				cur.when = RouteError{Line: at(), Point: cur.pos.Point, Field: "time"}
			}
			stack = append(stack, name)
		case xml.CharData:
			if text := bytes.TrimLeftFunc(t, unicode.IsSpace); !rootSeen && len(text) > 0 {
				line := before + bytes.Count(t[:len(t)-len(text)], []byte("\n"))
				first, _, _ := bytes.Cut(text, []byte("\n"))
				return Route{Format: FormatGPX}, []RouteError{{Line: line, Point: -1,
					Reason: fmt.Sprintf("the file is not GPX: it starts with %q, not <gpx>", abbreviate(string(first), 20))}}, nil
			}
			if inTime {
				timeText.Write(t)
			}
		case xml.EndElement:
			if len(stack) == 0 {
				break // the decoder refuses unbalanced tags; this is for safety
			}
			name := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			switch {
			case inTime && name == "time":
				inTime = false
				s := strings.TrimSpace(timeText.String())
				if cur.timed {
					at := cur.when
					at.Reason = "the point has two times"
					errs = append(errs, at)
					cur.timeOK = false
					break
				}
				cur.timed = true
				if tm, ok := parseGPXTime(s); ok {
					cur.time = tm
				} else {
					at := cur.when
					at.Reason = fmt.Sprintf("%q is not a time such as 2024-05-02T19:30:00Z", abbreviate(s, 40))
					errs = append(errs, at)
					cur.timeOK = false
				}
			case cur != nil && (name == "trkpt" && path("gpx", "trk", "trkseg") || name == "rtept" && path("gpx", "rte")):
				if !cur.posOK {
					errs = append(errs, cur.pos) // the reason was set when read
				}
				cur = nil
			}
		}
	}
	if !rootSeen {
		return Route{Format: FormatGPX}, []RouteError{{Point: -1, Reason: "the file has no GPX in it"}}, nil
	}
	rt := Route{Format: FormatGPX, Kind: "track", Segments: trkSegs}
	pts := trk
	if len(trk) == 0 {
		rt.Kind, rt.Segments, pts = "route", rteSegs, rte
	}
	if len(pts) == 0 && len(errs) == 0 {
		return Route{Format: FormatGPX}, []RouteError{{Point: -1,
			Reason: "the file has no track points (trk/trkseg/trkpt) or route points (rte/rtept)"}}, nil
	}
	rt, errs = finishRoute(rt, pts, errs, "lat is the latitude (north, 55 to 69 in Sweden), lon the longitude (east, 10 to 24)")
	return rt, errs, nil
}

// gpxPoint reads a trkpt or rtept's lat and lon attributes. A point whose position
// does not read keeps posOK false and the reason in pos.
func gpxPoint(t xml.StartElement, name string, index, line int) routePoint {
	p := routePoint{timeOK: true, pos: RouteError{Line: line, Point: index, Field: name}}
	var lat, lon string
	var hasLat, hasLon bool
	for _, a := range t.Attr {
		switch {
		case a.Name.Space != "":
		case a.Name.Local == "lat":
			lat, hasLat = strings.TrimSpace(a.Value), true
		case a.Name.Local == "lon":
			lon, hasLon = strings.TrimSpace(a.Value), true
		}
	}
	switch {
	case !hasLat && !hasLon:
		p.pos.Reason = "the point has no lat and lon attributes"
		return p
	case !hasLat:
		p.pos.Reason = "the point has no lat attribute"
		return p
	case !hasLon:
		p.pos.Reason = "the point has no lon attribute"
		return p
	}
	var err error
	if p.lat, err = strconv.ParseFloat(lat, 64); err != nil {
		p.pos.Reason = fmt.Sprintf("lat %q is not a number", abbreviate(lat, 40))
		return p
	}
	if p.lon, err = strconv.ParseFloat(lon, 64); err != nil {
		p.pos.Reason = fmt.Sprintf("lon %q is not a number", abbreviate(lon, 40))
		return p
	}
	p.posOK = true
	return p
}

// parseGPXTime reads an xsd:dateTime: RFC 3339, or without a zone, which GPX says is
// UTC.
func parseGPXTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// charsetReader lets GPX files declared ISO-8859-1 (Latin-1) or US-ASCII be read
// (encoding/xml reads UTF-8 itself, and asks for no reader for it); any other
// encoding is a charsetError naming it.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8":
		return input, nil
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii":
		return &latin1Reader{r: bufio.NewReader(input)}, nil
	}
	return nil, &charsetError{label: label}
}

// charsetError is a file declaring an encoding that cannot be read.
type charsetError struct{ label string }

func (e *charsetError) Error() string {
	return fmt.Sprintf("the file declares encoding %q, which is not supported: save it as UTF-8", e.label)
}

// latin1Reader turns ISO-8859-1 bytes into UTF-8.
type latin1Reader struct {
	r       *bufio.Reader
	pending []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(l.pending) > 0 {
			c := copy(p[n:], l.pending)
			n += c
			l.pending = l.pending[c:]
			continue
		}
		b, err := l.r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if b < utf8.RuneSelf {
			p[n] = b
			n++
			continue
		}
		l.pending = utf8.AppendRune(nil, rune(b))
	}
	return n, nil
}

// routeObject is the top of a GeoJSON route file: a LineString, a Feature or a
// FeatureCollection.
type routeObject struct {
	Type        string            `json:"type"`
	Coordinates json.RawMessage   `json:"coordinates"`
	Geometry    json.RawMessage   `json:"geometry"`
	Properties  json.RawMessage   `json:"properties"`
	Features    []json.RawMessage `json:"features"`
	CRS         *crsMember        `json:"crs"`
}

// ReadGeoJSONRoute reads a route from GeoJSON in WGS 84: a LineString geometry, a
// Feature with one, or a FeatureCollection with exactly one such Feature. A Feature's
// properties may give one RFC 3339 time per point in "times" (or "coordTimes", as
// converters from GPX write it); a third coordinate (elevation) is ignored.
func ReadGeoJSONRoute(r io.Reader) (Route, []RouteError, error) {
	rt := Route{Format: FormatGeoJSON, Kind: "LineString", Segments: 1}
	data, err := io.ReadAll(r)
	if err != nil {
		return rt, nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	fileErr := func(field, format string, args ...any) (Route, []RouteError, error) {
		return Route{Format: FormatGeoJSON}, []RouteError{{Point: -1, Field: field, Reason: fmt.Sprintf(format, args...)}}, nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return fileErr("", "the file is empty")
	}
	var top routeObject
	if err := json.Unmarshal(data, &top); err != nil {
		return fileErr("", "%v", jsonError(data, err))
	}
	if top.CRS != nil {
		srid, err := parseCRSName(top.CRS.Properties.Name)
		if err != nil || srid != geo.WGS84 {
			return fileErr("crs", "a route is in WGS 84 longitude, latitude (CRS84 or EPSG:4326), not %s", top.CRS.Properties.Name)
		}
	}
	obj, prefix := top, ""
	switch top.Type {
	case "FeatureCollection":
		if len(top.Features) != 1 {
			return fileErr("features", "the FeatureCollection has %d features: a route file holds one LineString "+
				"(import observations as a file of their own)", len(top.Features))
		}
		prefix = "features[0]."
		obj = routeObject{}
		if err := json.Unmarshal(top.Features[0], &obj); err != nil {
			return fileErr("features[0]", "not a GeoJSON Feature: %v", err)
		}
		if obj.Type != "Feature" {
			return fileErr("features[0].type", "type is %q, want Feature", obj.Type)
		}
		fallthrough
	case "Feature":
		var geom routeObject
		if len(obj.Geometry) == 0 || string(obj.Geometry) == "null" {
			return fileErr(prefix+"geometry", "the geometry is missing: a LineString")
		}
		if err := json.Unmarshal(obj.Geometry, &geom); err != nil {
			return fileErr(prefix+"geometry", "not a GeoJSON geometry: %v", err)
		}
		if geom.Type != "LineString" {
			return fileErr(prefix+"geometry.type", "a route is a LineString, not a %q", geom.Type)
		}
		times, terrs := routeTimes(obj.Properties, prefix+"properties.")
		pts, errs := routeCoordinates(geom.Coordinates, prefix+"geometry.coordinates")
		errs = append(errs, terrs...)
		if times != nil && len(errs) == 0 && len(times) != len(pts) {
			return fileErr(prefix+"properties."+timesName(obj.Properties), "%d times for %d points: give one time per point", len(times), len(pts))
		}
		for i := range times {
			if i < len(pts) {
				pts[i].time, pts[i].timed, pts[i].timeOK, pts[i].when = times[i].time, times[i].timed, times[i].timeOK, times[i].when
			}
		}
		rt, errs = finishRoute(rt, pts, errs, "GeoJSON positions are [longitude, latitude]")
		return rt, errs, nil
	case "LineString":
		pts, errs := routeCoordinates(top.Coordinates, "coordinates")
		rt, errs = finishRoute(rt, pts, errs, "GeoJSON positions are [longitude, latitude]")
		return rt, errs, nil
	case "":
		return fileErr("type", "the GeoJSON has no type: send a LineString, a Feature or a FeatureCollection")
	}
	return fileErr("type", "a route is a LineString (or a Feature or FeatureCollection with one), not a %s", top.Type)
}

// routeCoordinates reads a LineString's coordinates, each [longitude, latitude] or
// [longitude, latitude, elevation].
func routeCoordinates(raw json.RawMessage, field string) ([]routePoint, []RouteError) {
	var coords []json.RawMessage
	if len(raw) == 0 || string(raw) == "null" {
		return nil, []RouteError{{Point: -1, Field: field, Reason: "the coordinates are missing"}}
	}
	if err := json.Unmarshal(raw, &coords); err != nil {
		return nil, []RouteError{{Point: -1, Field: field, Reason: "a LineString's coordinates are a list of [longitude, latitude] positions"}}
	}
	if len(coords) > MaxRoutePoints {
		return nil, []RouteError{{Point: -1, Field: field, Reason: fmt.Sprintf("a route has at most %d points, not %d", MaxRoutePoints, len(coords))}}
	}
	pts := make([]routePoint, len(coords))
	var errs []RouteError
	for i, c := range coords {
		at := RouteError{Point: i, Field: fmt.Sprintf("%s[%d]", field, i)}
		pts[i] = routePoint{pos: at, timeOK: true}
		var xy []float64
		if err := json.Unmarshal(c, &xy); err != nil || len(xy) < 2 || len(xy) > 3 {
			at.Reason = "a position is [longitude, latitude] (or with an elevation third)"
			errs = append(errs, at)
			continue
		}
		pts[i].lon, pts[i].lat, pts[i].posOK = xy[0], xy[1], true
	}
	return pts, errs
}

// timesName is the member of properties that holds a route's times.
func timesName(props json.RawMessage) string {
	var p map[string]json.RawMessage
	_ = json.Unmarshal(props, &p)
	if _, ok := p["coordTimes"]; ok {
		return "coordTimes"
	}
	return "times"
}

// routeTimes reads properties.times (or coordTimes): nil when there are none.
func routeTimes(props json.RawMessage, prefix string) ([]routePoint, []RouteError) {
	if len(props) == 0 || string(props) == "null" {
		return nil, nil
	}
	var p map[string]json.RawMessage
	if err := json.Unmarshal(props, &p); err != nil {
		return nil, []RouteError{{Point: -1, Field: strings.TrimSuffix(prefix, "."), Reason: "properties must be an object"}}
	}
	_, hasTimes := p["times"]
	_, hasCoordTimes := p["coordTimes"]
	if hasTimes && hasCoordTimes {
		return nil, []RouteError{{Point: -1, Field: prefix + "coordTimes", Reason: "give the times in times or in coordTimes, not both"}}
	}
	name := timesName(props)
	raw := p[name]
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var list []*string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, []RouteError{{Point: -1, Field: prefix + name, Reason: "the times are a list of RFC 3339 times such as 2024-05-02T19:30:00Z, one per point"}}
	}
	out := make([]routePoint, len(list))
	var errs []RouteError
	for i, s := range list {
		at := RouteError{Point: i, Field: fmt.Sprintf("%s%s[%d]", prefix, name, i)}
		out[i] = routePoint{when: at, timeOK: true}
		if s == nil {
			continue
		}
		out[i].timed = true
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(*s))
		if err != nil {
			at.Reason = fmt.Sprintf("%q is not an RFC 3339 time such as 2024-05-02T19:30:00Z", abbreviate(*s, 40))
			errs = append(errs, at)
			out[i].timeOK = false
			continue
		}
		out[i].time = t.UTC()
	}
	return out, errs
}

// RouteStore is what setting a walk's route needs of the store.
type RouteStore interface {
	Walk(ctx context.Context, id string) (trygg.Walk, error)
	UpdateWalk(ctx context.Context, w trygg.Walk) (trygg.Walk, error)
}

// SetRoute replaces the route (points and times) of a stored walk, leaving its other
// fields as they are.
func SetRoute(ctx context.Context, store RouteStore, walkID string, rt Route) (trygg.Walk, error) {
	w, err := store.Walk(ctx, walkID)
	if err != nil {
		return w, err
	}
	w.Route, w.RouteTimes = rt.Line, rt.Times
	return store.UpdateWalk(ctx, w)
}

// Observations are a file of a walk's observations, read and checked.
type Observations struct {
	Format  string         // "CSV, separator ';'" or "GeoJSON"
	Read    int            // records read (CSV rows after the header, or features)
	Reports []trygg.Report // one per record, in file order, when Errors is empty
	Errors  []RecordError  // refusals in file order; if any, nothing may be stored

	recs []record // the record of each report, to name refusals of the store
}

// ObservationStore is what storing a walk's observations needs of the store.
type ObservationStore interface {
	AddObservations(ctx context.Context, walkID string, obs []trygg.Report) ([]string, []trygg.Rejection, error)
}

// ReadObservations reads a walk's observations from CSV (a header row with lat, lon,
// category, feeling and optionally note, when, time, precision, or Swedish lat, lon,
// kategori, känsla, anteckning, när, tid; separated by commas, semicolons or tabs) or
// a GeoJSON FeatureCollection of Points and Polygons with those properties (format
// FormatCSV or FormatGeoJSON, or "" to tell them by the first character). Each record
// is checked as the HTTP API checks a report, against the categories cats; the source
// is walk. Refusals are in Errors, every one that was found.
func ReadObservations(r io.Reader, format string, cats []trygg.Category) (Observations, error) {
	var obs Observations
	data, err := io.ReadAll(r)
	if err != nil {
		return obs, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeftFunc(data, unicode.IsSpace)
	if len(trimmed) == 0 {
		return obs, invalidFile("the file is empty")
	}
	if format == "" {
		format = FormatCSV
		if trimmed[0] == '{' || trimmed[0] == '[' {
			format = FormatGeoJSON
		}
	}
	var recs []record
	switch format {
	case FormatGeoJSON:
		obs.Format = FormatGeoJSON
		recs, obs.Read, obs.Errors, err = readGeoJSONReports(data)
	case FormatCSV:
		var sep rune
		recs, obs.Read, sep, obs.Errors, err = readCSVReports(data)
		obs.Format = fmt.Sprintf("CSV, separator %q", sep)
	default:
		return obs, invalidFile("observations come as CSV or GeoJSON, not %s", format)
	}
	if err != nil {
		return obs, invalidFile("%v", err)
	}
	if obs.Read == 0 && len(obs.Errors) == 0 {
		return obs, invalidFile("the file has no observations")
	}
	if obs.Read > MaxObservations {
		return obs, invalidFile("the file has %d observations: a walk's file holds at most %d", obs.Read, MaxObservations)
	}
	c := checker{cats: cats, source: trygg.SourceWalk, status: trygg.StatusPublished}
	for i := range recs {
		rec := &recs[i]
		rep, errs := c.check(rec)
		if src := rec.vals[fSource]; src != "" && src != trygg.SourceWalk && !rec.refused[fSource] {
			errs = append(errs, rec.errorf(rec.lay.names[fSource], "observations of a walk have source walk, not %q: leave the column out", src))
		}
		if len(errs) > 0 {
			obs.Errors = append(obs.Errors, errs...)
			continue
		}
		rep.Source = trygg.SourceWalk
		obs.Reports = append(obs.Reports, rep)
		obs.recs = append(obs.recs, *rec)
	}
	if len(obs.Errors) > 0 {
		obs.Reports, obs.recs = nil, nil
		slices.SortStableFunc(obs.Errors, func(a, b RecordError) int { return a.record() - b.record() })
	}
	return obs, nil
}

// AddObservations stores checked observations with a walk, all or nothing. A place
// the store refuses (outside the walk's municipality) is added to obs.Errors, naming
// its line or feature, and then nothing is stored and ids is nil.
func AddObservations(ctx context.Context, store ObservationStore, walkID string, obs *Observations) ([]string, error) {
	if len(obs.Errors) > 0 {
		return nil, errors.New("the observations have errors: nothing was stored")
	}
	ids, rejected, err := store.AddObservations(ctx, walkID, obs.Reports)
	if err != nil {
		return nil, err
	}
	for _, rej := range rejected {
		if rej.Index < 0 || rej.Index >= len(obs.recs) {
			obs.Errors = append(obs.Errors, RecordError{Reason: rej.Reason})
			continue
		}
		rec := &obs.recs[rej.Index]
		obs.Errors = append(obs.Errors, rec.errorf(rec.locationField(), "%s", rej.Reason))
	}
	if len(obs.Errors) > 0 {
		return nil, nil
	}
	return ids, nil
}

// invalidFile is a refusal of a file as a whole (EINVALID on the field body), as
// opposed to a failure to read it.
func invalidFile(format string, args ...any) error {
	return trygg.Errorf(trygg.EINVALID, "body", format, args...)
}

// ParseTime reads a time as imports do: RFC 3339, or Swedish local time
// "2024-11-20 21:30", or a date (its midnight in Sweden).
func ParseTime(s string) (time.Time, bool) { return parseTime(strings.TrimSpace(s)) }
