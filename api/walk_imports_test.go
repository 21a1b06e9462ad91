package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// importTestdata returns a file of importer/testdata.
func importTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../importer/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sendImport sends a file as the body of a request.
func sendImport(t *testing.T, c *client, method, path, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, c.e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// importProblemBody is a refused import's problem.
type importProblemBody struct {
	Status     int    `json:"status"`
	Code       string `json:"code"`
	Field      string `json:"field"`
	Detail     string `json:"detail"`
	ErrorCount int    `json:"error_count"`
	Errors     []struct {
		Line    int    `json:"line"`
		Feature *int   `json:"feature"`
		Field   string `json:"field"`
		Detail  string `json:"detail"`
	} `json:"errors"`
}

// fields names each refusal's place as the problem's field does: "line 27: trkpt".
func (p importProblemBody) fields() string {
	f := make([]string, len(p.Errors))
	for i, e := range p.Errors {
		switch {
		case e.Line > 0 && e.Field != "":
			f[i] = fmt.Sprintf("line %d: %s", e.Line, e.Field)
		case e.Line > 0:
			f[i] = fmt.Sprintf("line %d", e.Line)
		case e.Feature != nil:
			f[i] = fmt.Sprintf("features[%d].%s", *e.Feature, e.Field)
		default:
			f[i] = e.Field
		}
	}
	return strings.Join(f, ", ")
}

// newImportWalk stores a walk in Vara as the operator would.
func newImportWalk(t *testing.T, e *env) trygg.Walk {
	t.Helper()
	ctx := trygg.NewContext(context.Background(), &trygg.Caller{Actor: "cli:test"})
	w, err := e.owner.CreateWalk(ctx, trygg.Walk{Municipality: "1470", Title: "Trygghetsvandring Vara centrum"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWalkImports(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	planner := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	c := e.signIn(t, planner.Email)
	wk := newImportWalk(t, e)
	routePath := "/api/v1/walks/" + wk.ID + "/route"
	obsPath := "/api/v1/walks/" + wk.ID + "/observations/import"
	route := func() string {
		return pgtest.Strings(t, e.url, `SELECT coalesce(ST_AsText(route), 'none') FROM walk WHERE id = $1`, wk.ID)[0]
	}
	observations := func() string {
		return pgtest.Strings(t, e.url, `SELECT count(*)::text FROM report WHERE walk_id = $1`, wk.ID)[0]
	}

	t.Run("routes", func(t *testing.T) {
		for _, tc := range []struct {
			file, contentType string
			want              string // the answer's kind, points, segments and times
			stored            string // the route's type and the M of its points, in seconds from the first
		}{
			{"walk_vara.gpx", "application/gpx+xml", "track 9 2 2024-10-15T17:30:00Z 2024-10-15T17:40:00Z",
				"LINESTRINGM 0 75 150 225 300 375 450 525 600"},
			{"walk_vara_no_times.gpx", "application/xml; charset=utf-8", "track 9 2 - -", "LINESTRING"},
			{"walk_vara.geojson", "application/geo+json", "LineString 9 1 2024-10-15T17:30:00Z 2024-10-15T17:40:00Z",
				"LINESTRINGM 0 75 150 225 300 375 450 525 600"},
		} {
			resp, body := sendImport(t, c, http.MethodPut, routePath, tc.contentType, importTestdata(t, tc.file))
			wantStatus(t, resp, body, http.StatusOK)
			var got struct {
				WalkID    string  `json:"walk_id"`
				Kind      string  `json:"kind"`
				Points    int     `json:"points"`
				Segments  int     `json:"segments"`
				FirstTime *string `json:"first_time"`
				LastTime  *string `json:"last_time"`
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			deref := func(s *string) string {
				if s == nil {
					return "-"
				}
				return *s
			}
			if s := fmt.Sprintf("%s %d %d %s %s", got.Kind, got.Points, got.Segments, deref(got.FirstTime), deref(got.LastTime)); s != tc.want || got.WalkID != wk.ID {
				t.Errorf("%s: answer %s, want %s", tc.file, body, tc.want)
			}
			stored := pgtest.Strings(t, e.url, `SELECT GeometryType(route) || coalesce(' ' || string_agg((ST_M(dp.geom) - ST_M(ST_StartPoint(route)))::text, ' ' ORDER BY dp.path), '')
				FROM walk, ST_DumpPoints(route) dp WHERE id = $1 GROUP BY route`, wk.ID)
			if stored[0] != tc.stored {
				t.Errorf("%s: stored %s, want %s", tc.file, stored[0], tc.stored)
			}
		}
		if a := pgtest.Strings(t, e.url, `SELECT count(*)::text FROM audit_log WHERE action = 'walk.update' AND entity_id = $1 AND actor = $2`,
			wk.ID, planner.Email); a[0] != "3" {
			t.Errorf("%s audit entries by the planner, want 3", a[0])
		}
	})

	t.Run("refused routes", func(t *testing.T) {
		before := route()
		for _, tc := range []struct {
			file, contentType string
			status            int
			field, fields     string
		}{
			{"walk_vara_some_times.gpx", "application/gpx+xml", 400, "line 27: trkpt", "line 27: trkpt, line 40: trkpt"},
			{"walk_vara_truncated.gpx", "application/gpx+xml", 400, "line 38", "line 38"},
			{"walk_vara_outside_sweden.gpx", "text/xml", 400, "line 31: trkpt", "line 31: trkpt, line 45: trkpt"},
			{"walk_vara_bad.geojson", "application/json", 400, "features[0].geometry.coordinates[5]",
				"features[0].geometry.coordinates[5], features[0].properties.times[8]"},
			{"walk_vara.geojson", "application/gpx+xml", 400, "line 1", "line 1"}, // GeoJSON sent as GPX
		} {
			resp, body := sendImport(t, c, http.MethodPut, routePath, tc.contentType, importTestdata(t, tc.file))
			wantStatus(t, resp, body, tc.status)
			var p importProblemBody
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" || p.Code != trygg.EINVALID ||
				p.Field != tc.field || p.fields() != tc.fields || p.ErrorCount != len(p.Errors) {
				t.Errorf("%s: %s %s", tc.file, ct, body)
			}
		}
		resp, body := sendImport(t, c, http.MethodPut, routePath, "text/plain", importTestdata(t, "walk_vara.gpx"))
		wantStatus(t, resp, body, http.StatusUnsupportedMediaType)
		if f := jsonField(t, body, "field"); f != "Content-Type" {
			t.Errorf("415 names %s", f)
		}
		resp, body = sendImport(t, c, http.MethodPut, routePath, "application/gpx+xml", "")
		wantStatus(t, resp, body, http.StatusBadRequest)
		if d := jsonField(t, body, "detail"); !strings.Contains(d, "the file has no GPX in it") {
			t.Errorf("empty body: %s", body)
		}
		if after := route(); after != before {
			t.Errorf("a refused file changed the route:\n%s\nto\n%s", before, after)
		}
	})

	t.Run("observations", func(t *testing.T) {
		resp, body := sendImport(t, c, http.MethodPost, obsPath, "text/csv; charset=utf-8", importTestdata(t, "observations_vara.csv"))
		wantStatus(t, resp, body, http.StatusCreated)
		var got struct {
			Format   string
			Read     int
			Imported int
			IDs      []string
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if got.Format != "CSV, separator ';'" || got.Read != 4 || got.Imported != 4 || len(got.IDs) != 4 ||
			resp.Header.Get("Location") != "/api/v1/walks/"+wk.ID+"/observations" {
			t.Errorf("answer %s", body)
		}
		resp, body = sendImport(t, c, http.MethodPost, obsPath, "application/geo+json", importTestdata(t, "observations_vara.geojson"))
		wantStatus(t, resp, body, http.StatusCreated)
		stored := pgtest.Strings(t, e.url, `SELECT category || ' ' || feeling || ' ' || source || ' ' || status || ' ' || created_by::text
			FROM report WHERE walk_id = $1 ORDER BY category`, wk.ID)
		if len(stored) != 7 || stored[0] != "belysning 2 walk published "+planner.ID {
			t.Errorf("stored %v", stored)
		}
		if n := observations(); n != "7" {
			t.Fatalf("%s observations, want 7", n)
		}

		for _, tc := range []struct {
			file, contentType string
			status            int
			code, field       string
			fields            string
		}{
			{"observations_unknown_category.csv", "text/csv", 400, trygg.EINVALID, "line 3: kategori", "line 3: kategori, line 4: kategori, line 5: känsla"},
			{"observations_wrong_columns.csv", "text/csv", 400, trygg.EINVALID, "line 1: typ", "line 1: typ, line 1: betyg, line 1: kommentar, line 1, line 1"},
			{"observations_bad_coordinates.csv", "application/csv", 400, trygg.EINVALID, "line 3: lon/lat",
				"line 3: lon/lat, line 4: lon, line 5: lat, line 6: lon/lat, line 7: lon/lat"},
			{"observations_truncated.csv", "text/csv", 400, trygg.EINVALID, "line 4", "line 4"},
			{"observations_outside_walk.csv", "text/csv", 422, trygg.EUNPROCESSABLE, "line 3: lon/lat", "line 3: lon/lat"},
			{"walk_vara.geojson", "application/geo+json", 400, trygg.EINVALID, "body", ""}, // a Feature, not a FeatureCollection
			{"observations_vara.geojson", "text/csv", 400, trygg.EINVALID, "line 1", "line 1"},
		} {
			resp, body := sendImport(t, c, http.MethodPost, obsPath, tc.contentType, importTestdata(t, tc.file))
			wantStatus(t, resp, body, tc.status)
			var p importProblemBody
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			if p.Code != tc.code || p.Field != tc.field || p.fields() != tc.fields {
				t.Errorf("%s as %s: %s", tc.file, tc.contentType, body)
			}
			if n := observations(); n != "7" {
				t.Errorf("%s: %s observations after a refused file, want 7", tc.file, n)
			}
		}
		// The detail of a refusal says it all.
		_, body = sendImport(t, c, http.MethodPost, obsPath, "text/csv", importTestdata(t, "observations_unknown_category.csv"))
		if d := jsonField(t, body, "detail"); d != `3 records refused, nothing was stored; the first: line 3: kategori: unknown category "lampa"; the codes are `+
			strings.Join(pgtest.Strings(t, e.url, `SELECT code FROM category ORDER BY sort`), ", ") {
			t.Errorf("detail %s", d)
		}
		resp, body = sendImport(t, c, http.MethodPost, obsPath, "application/xml", importTestdata(t, "observations_vara.csv"))
		wantStatus(t, resp, body, http.StatusUnsupportedMediaType)
	})

	t.Run("who may", func(t *testing.T) {
		before, beforeObs := route(), observations()
		police := e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg")
		moderator := e.addUser(t, trygg.RoleModerator, "kommun-1470")
		lidkoping := e.addUser(t, trygg.RolePlanner, "kommun-1494")
		for _, tc := range []struct {
			name   string
			c      *client
			status int
		}{
			{"public", e.client(), http.StatusUnauthorized},
			{"moderator", e.signIn(t, moderator.Email), http.StatusForbidden},
			{"planner of another municipality", e.signIn(t, lidkoping.Email), http.StatusNotFound},
		} {
			resp, body := sendImport(t, tc.c, http.MethodPut, routePath, "application/gpx+xml", importTestdata(t, "walk_vara_no_times.gpx"))
			wantStatus(t, resp, body, tc.status)
			resp, body = sendImport(t, tc.c, http.MethodPost, obsPath, "text/csv", importTestdata(t, "observations_vara.csv"))
			wantStatus(t, resp, body, tc.status)
		}
		if after, afterObs := route(), observations(); after != before || afterObs != beforeObs {
			t.Errorf("refused callers changed the walk")
		}
		// Without the CSRF token a signed-in browser may not change anything.
		noCSRF := e.signIn(t, police.Email)
		noCSRF.csrf = ""
		resp, body := sendImport(t, noCSRF, http.MethodPut, routePath, "application/gpx+xml", importTestdata(t, "walk_vara_no_times.gpx"))
		wantStatus(t, resp, body, http.StatusForbidden)

		p := e.signIn(t, police.Email)
		resp, body = sendImport(t, p, http.MethodPut, routePath, "application/gpx+xml", importTestdata(t, "walk_vara_no_times.gpx"))
		wantStatus(t, resp, body, http.StatusOK)
		resp, body = sendImport(t, p, http.MethodPost, obsPath, "text/csv", importTestdata(t, "observations_vara.csv"))
		wantStatus(t, resp, body, http.StatusCreated)
		resp, body = sendImport(t, p, http.MethodPut, "/api/v1/walks/not-a-walk/route", "application/gpx+xml", importTestdata(t, "walk_vara.gpx"))
		wantStatus(t, resp, body, http.StatusNotFound)
	})
}

// TestWalkImportBodyLimit checks that a file over the server's body limit is 413 and
// changes nothing.
func TestWalkImportBodyLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.MaxBodyBytes = 4096 })
	planner := e.addUser(t, trygg.RolePlanner, "kommun-1470")
	c := e.signIn(t, planner.Email)
	wk := newImportWalk(t, e)
	var b strings.Builder
	b.WriteString(`<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>`)
	for i := 0; b.Len() < 8192; i++ {
		fmt.Fprintf(&b, `<trkpt lat="%.5f" lon="13.1"/>`+"\n", 58.26+float64(i)*1e-5)
	}
	b.WriteString("</trkseg></trk></gpx>\n")
	resp, body := sendImport(t, c, http.MethodPut, "/api/v1/walks/"+wk.ID+"/route", "application/gpx+xml", b.String())
	wantStatus(t, resp, body, http.StatusRequestEntityTooLarge)
	csv := "lat,lon,category,feeling\n" + strings.Repeat("58.26,13.10,belysning,2\n", 400)
	resp, body = sendImport(t, c, http.MethodPost, "/api/v1/walks/"+wk.ID+"/observations/import", "text/csv", csv)
	wantStatus(t, resp, body, http.StatusRequestEntityTooLarge)
	if n := pgtest.Strings(t, e.url, `SELECT (route IS NULL)::text || ' ' || (SELECT count(*) FROM report) FROM walk`); n[0] != "true 0" {
		t.Errorf("stored %s after refused bodies", n[0])
	}
}
