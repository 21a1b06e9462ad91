package importer_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/importer"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// The walk of testdata/walk_vara.gpx: two segments, a point every 75 seconds from
// 17:30 UTC (19:30 in Vara).
var (
	varaWalkStart = time.Date(2024, 10, 15, 17, 30, 0, 0, time.UTC)
	varaWalkLine  = orb.LineString{{13.1, 58.26}, {13.1006, 58.2603}, {13.1013, 58.2605}, {13.1021, 58.2606},
		{13.1028, 58.2609}, {13.1031, 58.2614}, {13.1027, 58.262}, {13.1019, 58.2623}, {13.101, 58.2621}}
)

func openTestdata(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// routeErrors joins refusals one per line, for comparing with a want list.
func routeErrors(errs []importer.RouteError) string {
	s := make([]string, len(errs))
	for i, e := range errs {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

func recordErrors(errs []importer.RecordError) string {
	s := make([]string, len(errs))
	for i, e := range errs {
		s[i] = e.Where() + " | " + e.Error()
	}
	return strings.Join(s, "\n")
}

func wantRoute(t *testing.T, rt importer.Route, timed bool) {
	t.Helper()
	if len(rt.Line) != len(varaWalkLine) {
		t.Fatalf("%d points, want %d", len(rt.Line), len(varaWalkLine))
	}
	for i, p := range rt.Line {
		if p != varaWalkLine[i] {
			t.Errorf("point %d is %v, want %v", i, p, varaWalkLine[i])
		}
	}
	if !timed {
		if rt.Times != nil || rt.Start() != nil || rt.End() != nil {
			t.Errorf("times %v, want none", rt.Times)
		}
		return
	}
	if len(rt.Times) != len(varaWalkLine) {
		t.Fatalf("%d times, want %d", len(rt.Times), len(varaWalkLine))
	}
	for i, tm := range rt.Times {
		if want := varaWalkStart.Add(time.Duration(i) * 75 * time.Second); !tm.Equal(want) {
			t.Errorf("time %d is %v, want %v", i, tm, want)
		}
	}
	if !rt.Start().Equal(varaWalkStart) || !rt.End().Equal(varaWalkStart.Add(10*time.Minute)) {
		t.Errorf("start %v, end %v", rt.Start(), rt.End())
	}
}

func TestReadRouteFiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file, format  string
		kind          string
		segments      int
		timed         bool
		want          string // the refusals, one per line
		wantErrPrefix string // a failure to read
	}{
		{file: "walk_vara.gpx", format: importer.FormatGPX, kind: "track", segments: 2, timed: true},
		{file: "walk_vara.gpx", kind: "track", segments: 2, timed: true},
		{file: "walk_vara_no_times.gpx", kind: "track", segments: 2},
		{file: "walk_vara.geojson", kind: "LineString", segments: 1, timed: true},
		{file: "walk_vara_some_times.gpx",
			want: "line 27: trkpt: this point has no time, but others have (the first at line 14): give every point a time, or none\n" +
				"line 40: trkpt: this point has no time, but others have (the first at line 14): give every point a time, or none"},
		{file: "walk_vara_truncated.gpx", want: "line 38: the file ends before the GPX does: is it cut off?"},
		{file: "walk_vara_outside_sweden.gpx",
			want: "line 31: trkpt: the point is outside Sweden\n" +
				"line 45: trkpt: longitude and latitude look swapped: lat is the latitude (north, 55 to 69 in Sweden), lon the longitude (east, 10 to 24)"},
		{file: "walk_vara_bad.geojson",
			want: "features[0].geometry.coordinates[5]: longitude and latitude look swapped: GeoJSON positions are [longitude, latitude]\n" +
				`features[0].properties.times[8]: "igår kväll" is not an RFC 3339 time such as 2024-05-02T19:30:00Z`},
		{file: "observations_vara.csv", format: "CSV", wantErrPrefix: "trygg: invalid: body: a route comes as GPX or GeoJSON, not CSV"},
	} {
		t.Run(tc.file+" "+tc.format, func(t *testing.T) {
			rt, errs, err := importer.ReadRoute(openTestdata(t, tc.file), tc.format)
			if tc.wantErrPrefix != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErrPrefix) {
					t.Fatalf("got %v, want %s", err, tc.wantErrPrefix)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := routeErrors(errs); got != tc.want {
				t.Fatalf("refusals:\n%s\nwant:\n%s", got, tc.want)
			}
			if tc.want != "" {
				if rt.Line != nil {
					t.Errorf("a refused file gives the route %v", rt.Line)
				}
				return
			}
			if rt.Kind != tc.kind || rt.Segments != tc.segments {
				t.Errorf("kind %s, %d segments; want %s, %d", rt.Kind, rt.Segments, tc.kind, tc.segments)
			}
			wantRoute(t, rt, tc.timed)
		})
	}
}

// TestReadRouteCases reads small GPX and GeoJSON texts, good and bad.
func TestReadRouteCases(t *testing.T) {
	t.Parallel()
	const gpxHead = `<?xml version="1.0"?>` + "\n" + `<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">` + "\n"
	pt := func(lat, lon string, tm string) string {
		s := `<trkpt lat="` + lat + `" lon="` + lon + `">`
		if tm != "" {
			s += "<time>" + tm + "</time>"
		}
		return s + "</trkpt>\n"
	}
	seg := func(pts ...string) string { return "<trkseg>\n" + strings.Join(pts, "") + "</trkseg>\n" }
	trk := func(segs ...string) string { return gpxHead + "<trk>\n" + strings.Join(segs, "") + "</trk>\n</gpx>\n" }
	for _, tc := range []struct {
		name, file string
		format     string // "" to tell by the first character
		want       string // refusals; "" for none
		points     int
		times      []string // RFC 3339
		kind       string
	}{
		{name: "route points, no times", file: gpxHead + `<rte><rtept lat="58.26" lon="13.10"/><rtept lat="58.261" lon="13.101"><name>torget</name></rtept></rte></gpx>`,
			points: 2, kind: "route"},
		{name: "track preferred to route", file: gpxHead + `<rte><rtept lat="58.26" lon="13.10"/><rtept lat="58.261" lon="13.101"/></rte>` +
			`<trk><trkseg>` + pt("58.26", "13.10", "") + pt("58.262", "13.102", "") + pt("58.263", "13.103", "") + `</trkseg></trk></gpx>`,
			points: 3, kind: "track"},
		{name: "GPX 1.0, fractional seconds, no zone, ISO-8859-1",
			file: `<?xml version="1.0" encoding="ISO-8859-1"?>` + "\n<gpx version=\"1.0\" creator=\"V\xe4stra\" xmlns=\"http://www.topografix.com/GPX/1/0\"><trk><name>G\xe5ng</name><trkseg>" +
				pt("58.26", "13.10", "2024-10-15T17:30:00.5Z") + pt("58.261", "13.101", "2024-10-15T19:31:00+02:00") + pt("58.262", "13.102", "2024-10-15T17:32:00") + "</trkseg></trk></gpx>",
			points: 3, kind: "track", times: []string{"2024-10-15T17:30:00.5Z", "2024-10-15T17:31:00Z", "2024-10-15T17:32:00Z"}},
		{name: "one point", file: trk(seg(pt("58.26", "13.10", ""))),
			want: "the track has only one point: a route needs at least two"},
		{name: "empty track", file: trk(seg()),
			want: "the file has no track points (trk/trkseg/trkpt) or route points (rte/rtept)"},
		{name: "not GPX", file: `<kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>`,
			want: "line 1: the file is not GPX: its root element is <kml>, not <gpx> (GPX 1.1)"},
		{name: "not XML", file: "<gpx>\n<trk>\n</gpx>",
			want: "line 3: the XML is malformed: element <trk> closed by </gpx>"},
		{name: "bad attributes",
			file: trk(seg(pt("58.26", "13.10", ""), `<trkpt lon="13.1"/>`+"\n", `<trkpt lat="58.26" lon="13,1"/>`+"\n", `<trkpt/>`+"\n", pt("NaN", "13.1", ""), pt("58.26", "181", ""))),
			want: "line 6: trkpt: the point has no lat attribute\n" +
				`line 7: trkpt: lon "13,1" is not a number` + "\n" +
				"line 8: trkpt: the point has no lat and lon attributes\n" +
				"line 9: trkpt: coordinates must be finite numbers\n" +
				"line 10: trkpt: [181, 58.26] is out of range: longitude is -180 to 180, latitude -90 to 90"},
		{name: "bad times",
			file: trk(seg(pt("58.26", "13.10", "2024-10-15T17:30:00Z"), pt("58.261", "13.101", "i går"), pt("58.262", "13.102", "2024-10-15T17:29:00Z")),
				seg(pt("58.263", "13.103", "2024-10-15T17:20:00Z"))),
			want: `line 6: time: "i går" is not a time such as 2024-05-02T19:30:00Z` + "\n" +
				"line 7: time: 2024-10-15T17:29:00Z is before the time of the point before (2024-10-15T17:30:00Z): are the points or segments out of order?\n" +
				"line 10: time: 2024-10-15T17:20:00Z is before the time of the point before (2024-10-15T17:29:00Z): are the points or segments out of order?"},
		{name: "two times", file: trk(seg(pt("58.26", "13.10", "2024-10-15T17:30:00Z"), `<trkpt lat="58.261" lon="13.101"><time>2024-10-15T17:31:00Z</time>`+"\n"+`<time>2024-10-15T17:32:00Z</time></trkpt>`)),
			want: "line 7: time: the point has two times"},
		{name: "empty", file: "", format: importer.FormatGPX, want: "the file has no GPX in it"},
		{name: "JSON as GPX", file: "\n" + `{"type":"LineString",` + "\n" + `"coordinates":[[13.1,58.26],[13.101,58.261]]}`, format: importer.FormatGPX,
			want: `line 2: the file is not GPX: it starts with "{\"type\":\"LineString\"…", not <gpx>`},
		{name: "GeoJSON LineString", file: `{"type":"LineString","coordinates":[[13.1,58.26],[13.101,58.261]]}`, points: 2, kind: "LineString"},
		{name: "GeoJSON coordTimes", file: `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"coordTimes":["2024-10-15T17:30:00Z","2024-10-15T19:31:00+02:00"]},"geometry":{"type":"LineString","coordinates":[[13.1,58.26],[13.101,58.261]]}}]}`,
			points: 2, kind: "LineString", times: []string{"2024-10-15T17:30:00Z", "2024-10-15T17:31:00Z"}},
		{name: "GeoJSON times null", file: `{"type":"Feature","properties":{"times":null},"geometry":{"type":"LineString","coordinates":[[13.1,58.26],[13.101,58.261]]}}`,
			points: 2, kind: "LineString"},
		{name: "GeoJSON some times", file: `{"type":"Feature","properties":{"times":["2024-10-15T17:30:00Z",null]},"geometry":{"type":"LineString","coordinates":[[13.1,58.26],[13.101,58.261]]}}`,
			want: "geometry.coordinates[1]: this point has no time, but others have (the first geometry.coordinates[0]): give every point a time, or none"},
		{name: "GeoJSON times count", file: `{"type":"Feature","properties":{"times":["2024-10-15T17:30:00Z"]},"geometry":{"type":"LineString","coordinates":[[13.1,58.26],[13.101,58.261]]}}`,
			want: "properties.times: 1 times for 2 points: give one time per point"},
		{name: "GeoJSON two FeatureCollection features", file: `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[13.1,58.26],[13.101,58.261]]}},{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[13.1,58.26]}}]}`,
			want: "features: the FeatureCollection has 2 features: a route file holds one LineString (import observations as a file of their own)"},
		{name: "GeoJSON Point", file: `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[13.1,58.26]}}`,
			want: `geometry.type: a route is a LineString, not a "Point"`},
		{name: "GeoJSON MultiLineString", file: `{"type":"MultiLineString","coordinates":[[[13.1,58.26],[13.101,58.261]]]}`,
			want: "type: a route is a LineString (or a Feature or FeatureCollection with one), not a MultiLineString"},
		{name: "GeoJSON bad position", file: `{"type":"LineString","coordinates":[[13.1,58.26],[13.101],[13.1,58.26,1,2],"x",[13.1,58.26]]}`,
			want: "coordinates[1]: a position is [longitude, latitude] (or with an elevation third)\n" +
				"coordinates[2]: a position is [longitude, latitude] (or with an elevation third)\n" +
				"coordinates[3]: a position is [longitude, latitude] (or with an elevation third)"},
		{name: "GeoJSON EPSG:3006", file: `{"type":"LineString","crs":{"type":"name","properties":{"name":"EPSG:3006"}},"coordinates":[[13.1,58.26],[13.101,58.261]]}`,
			want: "crs: a route is in WGS 84 longitude, latitude (CRS84 or EPSG:4326), not EPSG:3006"},
		{name: "GeoJSON truncated", file: `{"type":"LineString","coordinates":[[13.1,58.26],[13.1`,
			want: "invalid JSON at line 1, column 55: unexpected end of JSON input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt, errs, err := importer.ReadRoute(strings.NewReader(tc.file), tc.format)
			if err != nil {
				t.Fatal(err)
			}
			if got := routeErrors(errs); got != tc.want {
				t.Fatalf("refusals:\n%s\nwant:\n%s", got, tc.want)
			}
			if tc.want != "" {
				return
			}
			if len(rt.Line) != tc.points || rt.Kind != tc.kind {
				t.Errorf("%d points of a %s, want %d of a %s", len(rt.Line), rt.Kind, tc.points, tc.kind)
			}
			var times []string
			for _, tm := range rt.Times {
				times = append(times, tm.Format(time.RFC3339Nano))
			}
			if strings.Join(times, " ") != strings.Join(tc.times, " ") {
				t.Errorf("times %v, want %v", times, tc.times)
			}
		})
	}
}

// walkStore returns a store with the demo municipalities, a walk in Vara and the
// operator's context it was made in.
func walkStore(t *testing.T) (*postgis.DB, string, context.Context, trygg.Walk) {
	t.Helper()
	db, url := demoStore(t)
	ctx := trygg.NewContext(context.Background(), &trygg.Caller{Actor: "cli:test"})
	w, err := db.CreateWalk(ctx, trygg.Walk{Municipality: "1470", Title: "Trygghetsvandring Vara centrum", Notes: "kept"})
	if err != nil {
		t.Fatal(err)
	}
	return db, url, ctx, w
}

func TestSetRoute(t *testing.T) {
	t.Parallel()
	db, url, ctx, w := walkStore(t)
	route := func(file string) importer.Route {
		t.Helper()
		rt, errs, err := importer.ReadRoute(openTestdata(t, file), "")
		if err != nil || len(errs) > 0 {
			t.Fatalf("%s: %v %v", file, err, errs)
		}
		return rt
	}

	got, err := importer.SetRoute(ctx, db, w.ID, route("walk_vara.gpx"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != w.Title || got.Notes != "kept" || got.StartsAt != nil {
		t.Errorf("the other fields changed: %+v", got)
	}
	stored := pgtest.Strings(t, url, `SELECT GeometryType(route) || ' ' || ST_NPoints(route) || ' ' || ST_SRID(route) || ' ' ||
		ST_M(ST_StartPoint(route))::bigint || ' ' || ST_M(ST_EndPoint(route))::bigint || ' ' ||
		ST_AsText(ST_PointN(route, 6)) FROM walk WHERE id = $1`, w.ID)
	want := "LINESTRINGM 9 4326 1729013400 1729014000 POINT M (13.1031 58.2614 1729013775)"
	if stored[0] != want {
		t.Errorf("stored %s\nwant   %s", stored[0], want)
	}
	if ms := pgtest.Strings(t, url, `SELECT string_agg((ST_M(geom)::bigint - 1729013400)::text, ' ' ORDER BY path)
		FROM walk, ST_DumpPoints(route) WHERE id = $1`, w.ID); ms[0] != "0 75 150 225 300 375 450 525 600" {
		t.Errorf("M values (seconds from the start) %s", ms[0])
	}
	back, err := db.Walk(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantRoute(t, importer.Route{Line: back.Route, Times: back.RouteTimes}, true)

	// Without times the route is a plain LINESTRING, and replaces the timed one.
	if _, err := importer.SetRoute(ctx, db, w.ID, route("walk_vara_no_times.gpx")); err != nil {
		t.Fatal(err)
	}
	if got := pgtest.Strings(t, url, `SELECT GeometryType(route) || ' ' || ST_NPoints(route) FROM walk WHERE id = $1`, w.ID); got[0] != "LINESTRING 9" {
		t.Errorf("stored %s, want LINESTRING 9", got[0])
	}
	back, _ = db.Walk(ctx, w.ID)
	wantRoute(t, importer.Route{Line: back.Route, Times: back.RouteTimes}, false)

	if _, err := importer.SetRoute(ctx, db, w.ID, route("walk_vara.geojson")); err != nil {
		t.Fatal(err)
	}
	if got := pgtest.Strings(t, url, `SELECT GeometryType(route) || ' ' || ST_M(ST_EndPoint(route))::bigint FROM walk WHERE id = $1`, w.ID); got[0] != "LINESTRINGM 1729014000" {
		t.Errorf("stored %s", got[0])
	}
	if a := pgtest.Strings(t, url, `SELECT actor || ' ' || (after->>'route_points') || ' ' || (after->>'route_timed') FROM audit_log
		WHERE action = 'walk.update' ORDER BY id`); strings.Join(a, ", ") != "cli:test 9 true, cli:test 9 false, cli:test 9 true" {
		t.Errorf("audit log %v", a)
	}

	if _, err := importer.SetRoute(ctx, db, "5b0e3a53-2f3c-4a55-9d0c-7f4a0e3c2b11", route("walk_vara.gpx")); trygg.ErrorCode(err) != trygg.ENOTFOUND {
		t.Errorf("unknown walk: got %v, want not found", err)
	}
}

func TestObservations(t *testing.T) {
	t.Parallel()
	db, url, ctx, w := walkStore(t)
	cats, err := db.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stored := func() []string {
		return pgtest.Strings(t, url, `SELECT category || ' ' || feeling || ' ' || times::text || ' ' || source || ' ' || status || ' ' ||
			precision || ' ' || GeometryType(geom) || ' ' || coalesce(to_char(observed_at AT TIME ZONE 'UTC', 'HH24:MI'), '-') || ' ' || description
			FROM report WHERE walk_id = $1 ORDER BY observed_at NULLS LAST, category`, w.ID)
	}
	read := func(file, format string) importer.Observations {
		t.Helper()
		obs, err := importer.ReadObservations(openTestdata(t, file), format, cats)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		return obs
	}

	t.Run("good files", func(t *testing.T) {
		for _, tc := range []struct {
			file, format string
			want         []string
		}{
			{"observations_vara.csv", "", []string{
				"belysning 2 {evening,night} walk published exact POINT 17:31 Trasig gatlampa vid gångtunneln",
				"vegetation 2 {evening} walk published exact POINT 17:35 Höga buskar skymmer sikten mot parkeringen",
				"trygg-plats 4 {} walk published exact POINT 17:37 Välbelyst torg, folk i rörelse",
				"stokiga-grupper 1 {evening,weekend} walk published exact POINT 17:40 Ungdomar samlas vid busshållplatsen; mopeder",
			}},
			{"observations_vara.geojson", importer.FormatGeoJSON, []string{
				"belysning 2 {evening,night} walk published exact POINT 17:31 Trasig gatlampa vid gångtunneln",
				"skymd-sikt 1 {evening} walk published area POLYGON 17:35 Parkeringen bakom biblioteket: inget att se in i",
				"trygg-plats 4 {} walk published exact POINT - Välbelyst torg",
			}},
		} {
			pgtest.Exec(t, url, `DELETE FROM report`)
			obs := read(tc.file, tc.format)
			if len(obs.Errors) > 0 || obs.Read != len(tc.want) {
				t.Fatalf("%s: read %d, errors %v", tc.file, obs.Read, obs.Errors)
			}
			ids, err := importer.AddObservations(ctx, db, w.ID, &obs)
			if err != nil || len(ids) != len(tc.want) || len(obs.Errors) > 0 {
				t.Fatalf("%s: %v %v %v", tc.file, ids, err, obs.Errors)
			}
			if got := stored(); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("%s stored:\n%s\nwant:\n%s", tc.file, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		}
	})

	pgtest.Exec(t, url, `DELETE FROM report`)
	for _, tc := range []struct {
		file string
		want string // Where | Error, one per refusal
	}{
		{"observations_wrong_columns.csv",
			"line 1: typ | line 1, column typ: unknown column; the columns are " + knownColumnsForTest + "\n" +
				"line 1: betyg | line 1, column betyg: unknown column; the columns are " + knownColumnsForTest + "\n" +
				"line 1: kommentar | line 1, column kommentar: unknown column; the columns are " + knownColumnsForTest + "\n" +
				"line 1 | line 1: no column gives the category: category (kategori)\n" +
				"line 1 | line 1: no column gives the feeling: feeling (känsla), 1 very unsafe to 4 safe"},
		{"observations_bad_coordinates.csv",
			"line 3: lon/lat | line 3, columns lon/lat: longitude and latitude look swapped: lon is the longitude (east, 10 to 24 in Sweden), lat the latitude (north, 55 to 69)\n" +
				"line 4: lon | line 4, column lon: lon is missing\n" +
				`line 5: lat | line 5, column lat: lat "abc" is not a number` + "\n" +
				"line 6: lon/lat | line 6, columns lon/lat: [13.1006, 91] is out of range: longitude is -180 to 180, latitude -90 to 90\n" +
				"line 7: lon/lat | line 7, columns lon/lat: the place is outside Sweden"},
		{"observations_unknown_category.csv",
			`line 3: kategori | line 3, column kategori: unknown category "lampa"; the codes are ` + categoryCodesForTest(cats) + "\n" +
				`line 4: kategori | line 4, column kategori: unknown category "Belysning": that is category belysning, give its code` + "\n" +
				"line 5: känsla | line 5, column känsla: feeling 5 is not 1 (very unsafe) to 4 (safe)"},
		{"observations_truncated.csv",
			"line 4 | line 4: 2 values, but the header has 7 columns (is the file cut short?)"},
		{"observations_outside_walk.csv",
			"line 3: lon/lat | line 3, columns lon/lat: the place is outside the walk's municipality"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			obs := read(tc.file, "")
			var ids []string
			if len(obs.Errors) == 0 {
				if ids, err = importer.AddObservations(ctx, db, w.ID, &obs); err != nil {
					t.Fatal(err)
				}
			}
			if got := recordErrors(obs.Errors); got != tc.want {
				t.Errorf("refusals:\n%s\nwant:\n%s", got, tc.want)
			}
			if ids != nil || len(stored()) != 0 {
				t.Errorf("stored %v after refusals: all or nothing", stored())
			}
		})
	}

	// A source other than walk is refused; the file may not be empty.
	obs, err := importer.ReadObservations(strings.NewReader("lat,lon,category,feeling,källa\n58.26,13.10,belysning,2,resident\n58.26,13.10,belysning,2,walk\n"), importer.FormatCSV, cats)
	if err != nil || recordErrors(obs.Errors) != `line 2: källa | line 2, column källa: observations of a walk have source walk, not "resident": leave the column out` {
		t.Errorf("source: %v %s", err, recordErrors(obs.Errors))
	}
	if _, err := importer.ReadObservations(strings.NewReader(" \n"), "", cats); trygg.ErrorMessage(err) != "the file is empty" {
		t.Errorf("empty file: %v", err)
	}
	if _, err := importer.ReadObservations(strings.NewReader("lat,lon,category,feeling\n"), "", cats); trygg.ErrorMessage(err) != "the file has no observations" {
		t.Errorf("header only: %v", err)
	}
	if _, err := importer.ReadObservations(strings.NewReader(`{"type":"Feature"}`), importer.FormatGeoJSON, cats); trygg.ErrorCode(err) != trygg.EINVALID {
		t.Errorf("a Feature: %v", err)
	}
}

const knownColumnsForTest = "lon and lat (longitud, latitud) or wkt; category (kategori), feeling (känsla), " +
	"when (när), time (tid, observed_at, date, datum), source (källa), description (beskrivning), precision"

func categoryCodesForTest(cats []trygg.Category) string {
	codes := make([]string, len(cats))
	for i, c := range cats {
		codes[i] = c.Code
	}
	return strings.Join(codes, ", ")
}
