package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/importer"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// Building blocks of test files, in EPSG:4326 unless named otherwise.
const (
	crs4326 = `{"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}`
	crs3006 = `{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}`

	varaSquare      = `{"type": "Polygon", "coordinates": [[[12.9, 58.2], [13.0, 58.2], [13.0, 58.3], [12.9, 58.3], [12.9, 58.2]]]}`
	lidkopingSquare = `{"type": "Polygon", "coordinates": [[[13.1, 58.45], [13.2, 58.45], [13.2, 58.55], [13.1, 58.55], [13.1, 58.45]]]}`
	mariestadMulti  = `{"type": "MultiPolygon", "coordinates": [[[[13.8, 58.7], [13.9, 58.7], [13.9, 58.8], [13.8, 58.8], [13.8, 58.7]]],
		[[[14.0, 58.7], [14.1, 58.7], [14.1, 58.8], [14.0, 58.8], [14.0, 58.7]]]]}`
	// A ring whose edges cross at 13.05 58.25: closed, inside Sweden, only PostGIS sees the fault.
	bowtie   = `{"type": "Polygon", "coordinates": [[[13.0, 58.2], [13.1, 58.3], [13.1, 58.2], [13.0, 58.3], [13.0, 58.2]]]}`
	london   = `{"type": "Polygon", "coordinates": [[[-0.2, 51.4], [-0.1, 51.4], [-0.1, 51.5], [-0.2, 51.5], [-0.2, 51.4]]]}`
	unclosed = `{"type": "Polygon", "coordinates": [[[12.9, 58.2], [13.0, 58.2], [13.0, 58.3], [12.9, 58.3]]]}`
	short    = `{"type": "Polygon", "coordinates": [[[12.9, 58.2], [13.0, 58.2], [12.9, 58.2]]]}`
	point    = `{"type": "Point", "coordinates": [13.0, 58.25]}`
	line     = `{"type": "LineString", "coordinates": [[12.9, 58.2], [13.0, 58.3]]}`
	// Vara's square in SWEREF 99 TM metres (about 12.9–13.0 E, 58.2–58.3 N).
	varaSquare3006 = `{"type": "Polygon", "coordinates": [[[378000, 6455000], [384000, 6455000], [384000, 6466000], [378000, 6466000], [378000, 6455000]]]}`
)

// feature returns a GeoJSON feature with the given properties (a JSON object) and
// geometry (JSON, or null).
func feature(props, geometry string) string {
	return fmt.Sprintf(`{"type": "Feature", "properties": %s, "geometry": %s}`, props, geometry)
}

func props(code, name string) string { return fmt.Sprintf(`{"KnKod": %q, "KnNamn": %q}`, code, name) }

// collection returns a FeatureCollection; crs is the crs member's JSON, "" for none.
func collection(crs string, features ...string) string {
	c := ""
	if crs != "" {
		c = `"crs": ` + crs + ",\n"
	}
	return "{\"type\": \"FeatureCollection\",\n" + c + "\"features\": [\n" + strings.Join(features, ",\n") + "\n]}"
}

// rows returns the stored municipalities as "code name" strings, ordered by code.
func rows(t *testing.T, url string) []string {
	t.Helper()
	return pgtest.Strings(t, url, `SELECT code || ' ' || name FROM municipality ORDER BY code`)
}

// exec runs SQL statements on the database at url.
func exec(t *testing.T, url, sql string) {
	t.Helper()
	pgtest.Exec(t, url, sql)
}

func count(t *testing.T, db *postgis.DB) int {
	t.Helper()
	n, err := db.CountMunicipalities(context.Background())
	if err != nil {
		t.Fatalf("CountMunicipalities: %v", err)
	}
	return n
}

func TestMunicipalitiesRejects(t *testing.T) {
	t.Parallel()
	good0 := feature(props("1470", "Vara"), varaSquare)
	good2 := feature(props("1493", "Mariestad"), mariestadMulti)
	// bad puts a bad feature at index 1, between two good ones.
	bad := func(f string) string { return collection(crs4326, good0, f, good2) }

	type rejection struct {
		index  int
		code   string
		reason string // a part of the reason
	}
	cases := []struct {
		name    string
		input   string
		opts    importer.MunicipalityOptions
		want    []rejection // rejected features, or
		wantErr string      // a part of the returned error
	}{
		{"self-intersecting ring", bad(feature(props("1494", "Lidköping"), bowtie)), importer.MunicipalityOptions{},
			[]rejection{{1, "1494", "Self-intersection"}}, ""},
		{"outside Sweden", bad(feature(props("1494", "Lidköping"), london)), importer.MunicipalityOptions{},
			[]rejection{{1, "1494", "boundary -0.2,51.4,-0.1,51.5 is outside Sweden"}}, ""},
		{"metres with crs 4326", bad(feature(props("1494", "Lidköping"), varaSquare3006)), importer.MunicipalityOptions{},
			[]rejection{{1, "1494", "outside Sweden (wrong CRS, or swapped axes?)"}}, ""},
		{"swapped axes", bad(feature(props("1494", "Lidköping"),
			`{"type": "Polygon", "coordinates": [[[58.2, 12.9], [58.2, 13.0], [58.3, 13.0], [58.3, 12.9], [58.2, 12.9]]]}`)),
			importer.MunicipalityOptions{}, []rejection{{1, "1494", "outside Sweden"}}, ""},
		{"degrees with crs 3006", collection(crs3006, feature(props("1470", "Vara"), varaSquare3006),
			feature(props("1494", "Lidköping"), lidkopingSquare)), importer.MunicipalityOptions{},
			[]rejection{{1, "1494", "outside Sweden"}}, ""},
		{"missing code", bad(feature(`{"KnNamn": "Lidköping"}`, lidkopingSquare)), importer.MunicipalityOptions{},
			[]rejection{{1, "", "municipality code is missing"}}, ""},
		{"blank code", bad(feature(`{"KnKod": "  ", "KnNamn": "Lidköping"}`, lidkopingSquare)), importer.MunicipalityOptions{},
			[]rejection{{1, "", "municipality code is missing"}}, ""},
		{"no properties", bad(feature(`null`, lidkopingSquare)), importer.MunicipalityOptions{},
			[]rejection{{1, "", "municipality code is missing"}}, ""},
		{"missing name", bad(feature(`{"KnKod": "1494"}`, lidkopingSquare)), importer.MunicipalityOptions{},
			[]rejection{{1, "1494", "municipality name is missing"}}, ""},
		{"blank name", bad(feature(`{"KnKod": "1494", "KnNamn": " \t"}`, lidkopingSquare)), importer.MunicipalityOptions{},
			[]rejection{{1, "1494", "municipality name is missing"}}, ""},
		{"code of three digits", bad(feature(props("149", "Lidköping"), lidkopingSquare)), importer.MunicipalityOptions{},
			[]rejection{{1, "149", `code "149" is not four digits`}}, ""},
		{"code of five digits", bad(feature(props("14940", "Lidköping"), lidkopingSquare)), importer.MunicipalityOptions{},
			[]rejection{{1, "14940", `code "14940" is not four digits`}}, ""},
		{"code with letters", bad(feature(props("14a4", "Lidköping"), lidkopingSquare)), importer.MunicipalityOptions{},
			[]rejection{{1, "14a4", `code "14a4" is not four digits`}}, ""},
		{"point", bad(feature(props("1494", "Lidköping"), point)), importer.MunicipalityOptions{},
			[]rejection{{1, "1494", "geometry is a Point, want Polygon or MultiPolygon"}}, ""},
		{"line", bad(feature(props("1494", "Lidköping"), line)), importer.MunicipalityOptions{},
			[]rejection{{1, "1494", "geometry is a LineString, want Polygon or MultiPolygon"}}, ""},
		{"geometry null", bad(feature(props("1494", "Lidköping"), `null`)), importer.MunicipalityOptions{},
			[]rejection{{1, "1494", "geometry is missing"}}, ""},
		{"geometry absent", bad(`{"type": "Feature", "properties": {"KnKod": "1494", "KnNamn": "Lidköping"}}`),
			importer.MunicipalityOptions{}, []rejection{{1, "1494", "geometry is missing"}}, ""},
		{"unknown geometry type", bad(feature(props("1494", "Lidköping"), `{"type": "Circle", "coordinates": [13, 58]}`)),
			importer.MunicipalityOptions{}, []rejection{{1, "", "not a GeoJSON feature"}}, ""},
		{"not a feature", bad(`{"type": "Polygon", "coordinates": []}`), importer.MunicipalityOptions{},
			[]rejection{{1, "", "not a GeoJSON feature"}}, ""},
		{"duplicate code", collection(crs4326, good0, feature(props("1494", "Lidköping"), lidkopingSquare),
			feature(props("1470", "Vara igen"), mariestadMulti)), importer.MunicipalityOptions{},
			[]rejection{{2, "1470", "code 1470 is also used by feature 0"}}, ""},
		{"unclosed ring", bad(feature(props("1494", "Lidköping"), unclosed)), importer.MunicipalityOptions{},
			[]rejection{{1, "1494", "polygon 0 ring 0 is not closed"}}, ""},
		{"ring with 3 points", bad(feature(props("1494", "Lidköping"), short)), importer.MunicipalityOptions{},
			[]rejection{{1, "1494", "ring 0 has 3 points, at least 4 are needed"}}, ""},
		{"unclosed hole", bad(feature(props("1494", "Lidköping"),
			`{"type": "Polygon", "coordinates": [[[13.1, 58.45], [13.2, 58.45], [13.2, 58.55], [13.1, 58.55], [13.1, 58.45]],
			 [[13.12, 58.47], [13.15, 58.47], [13.15, 58.5], [13.12, 58.5]]]}`)),
			importer.MunicipalityOptions{}, []rejection{{1, "1494", "polygon 0 ring 1 is not closed"}}, ""},
		{"every bad feature listed", collection(crs4326, feature(props("1470", "Vara"), point), good2,
			feature(`{"KnKod": "1494"}`, lidkopingSquare), feature(props("0685", "Vetlanda"), london)),
			importer.MunicipalityOptions{}, []rejection{
				{0, "1470", "geometry is a Point"},
				{2, "1494", "name is missing"},
				{3, "0685", "outside Sweden"},
			}, ""},
		{"two bowties", collection(crs4326, feature(props("1470", "Vara"), bowtie), good2,
			feature(props("1494", "Lidköping"), bowtie)), importer.MunicipalityOptions{},
			[]rejection{{0, "1470", "Self-intersection"}, {2, "1494", "Self-intersection"}}, ""},

		{"malformed JSON", "{\"type\": \"FeatureCollection\",\n\"features\": [\n" + good0 + ",\n{\"type\": \"Feature\",, }\n]}",
			importer.MunicipalityOptions{}, nil, "invalid JSON at line 4, column"},
		{"truncated JSON", collection(crs4326, good0)[:100], importer.MunicipalityOptions{}, nil, "invalid JSON"},
		{"features not an array", `{"type": "FeatureCollection",` + "\n\n" + `"features": {"a": 1}}`,
			importer.MunicipalityOptions{}, nil, "invalid JSON at line 3"},
		{"empty input", "", importer.MunicipalityOptions{}, nil, "invalid JSON"},
		{"not a FeatureCollection", feature(props("1470", "Vara"), varaSquare), importer.MunicipalityOptions{},
			nil, `not a GeoJSON FeatureCollection (type is "Feature")`},
		{"no type", `{"features": []}`, importer.MunicipalityOptions{}, nil, `not a GeoJSON FeatureCollection (type is "")`},
		{"unknown crs name", collection(`{"type": "name", "properties": {"name": "WGS 84"}}`, good0),
			importer.MunicipalityOptions{}, nil, `unknown crs "WGS 84"`},
		{"crs without name", collection(`{"type": "name"}`, good0), importer.MunicipalityOptions{}, nil, `unknown crs ""`},
		{"crs 3006 but srid 4326", collection(crs3006, feature(props("1470", "Vara"), varaSquare3006)),
			importer.MunicipalityOptions{SRID: 4326}, nil, "the file says EPSG:3006 but --srid says 4326"},
		{"srid 3857", collection("", good0), importer.MunicipalityOptions{SRID: 3857},
			nil, "EPSG:3857 is not supported: use EPSG:4326 or EPSG:3006"},
		{"crs 3857", collection(`{"type": "name", "properties": {"name": "EPSG:3857"}}`, good0),
			importer.MunicipalityOptions{}, nil, "EPSG:3857 is not supported"},
		{"empty features", collection(crs4326), importer.MunicipalityOptions{}, nil, "the file has no features"},
		{"no features member", `{"type": "FeatureCollection"}`, importer.MunicipalityOptions{}, nil, "the file has no features"},
		{"only a code not in the file", collection(crs4326, good0, good2), importer.MunicipalityOptions{Only: []string{"1470", "9998"}},
			nil, "the file has no municipality with code 9998"},
	}
	// The cases share one database holding one municipality, which each must leave as it
	// is (it is restored after a case that fails).
	db, url := pgtest.Open(t)
	kiruna := []trygg.Municipality{{Code: "2584", Name: "Kiruna",
		Boundary: orb.MultiPolygon{{{{20.0, 67.8}, {20.4, 67.8}, {20.4, 67.9}, {20.0, 67.9}, {20.0, 67.8}}}}}}
	restore := func(t *testing.T) {
		t.Helper()
		exec(t, url, `DELETE FROM municipality`)
		if _, err := db.UpsertMunicipalities(context.Background(), kiruna, 4326, nil); err != nil {
			t.Fatal(err)
		}
	}
	restore(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Cleanup(func() {
				if t.Failed() {
					restore(t)
				}
			})

			sum, err := importer.Municipalities(context.Background(), db, strings.NewReader(tc.input), tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error = %v, want one containing %q", err, tc.wantErr)
				}
			} else if err != nil {
				t.Errorf("error = %v, want rejections", err)
			}
			if len(sum.Rejected) != len(tc.want) {
				t.Fatalf("rejected = %+v, want %d rejections %+v", sum.Rejected, len(tc.want), tc.want)
			}
			for k, w := range tc.want {
				got := sum.Rejected[k]
				if got.Index != w.index || got.Code != w.code || !strings.Contains(got.Reason, w.reason) {
					t.Errorf("rejection %d = %+v, want index %d, code %q, reason containing %q",
						k, got, w.index, w.code, w.reason)
				}
			}
			if sum.Inserted != 0 || sum.Updated != 0 || sum.Unchanged != 0 {
				t.Errorf("summary = %+v, want nothing counted", sum)
			}
			if got := rows(t, url); len(got) != 1 || got[0] != "2584 Kiruna" {
				t.Errorf("stored rows = %v, want only [2584 Kiruna]", got)
			}
		})
	}
}

func TestMunicipalitiesOKFSE(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/okfse_kommuner_4326.geojson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	db, url := pgtest.Open(t)
	var progress bytes.Buffer
	sum, err := importer.Municipalities(context.Background(), db, f, importer.MunicipalityOptions{Progress: &progress})
	if err != nil {
		t.Fatalf("Municipalities: %v", err)
	}
	if sum.Inserted != 290 || sum.Updated != 0 || sum.Unchanged != 0 || len(sum.Rejected) != 0 {
		t.Errorf("summary = %+v, want 290 inserted", sum)
	}
	if n := count(t, db); n != 290 {
		t.Errorf("count = %d, want 290", n)
	}
	// No crs member: the file is read as EPSG:4326.
	if !strings.Contains(progress.String(), "read 290 features (EPSG:4326)") {
		t.Errorf("progress = %q, want it to contain %q", progress.String(), "read 290 features (EPSG:4326)")
	}
	stored := map[string]bool{}
	for _, r := range rows(t, url) {
		stored[r] = true
	}
	for _, want := range []string{"0114 Upplands Väsby", "1470 Vara", "2584 Kiruna", "1494 Lidköping"} {
		if !stored[want] {
			t.Errorf("stored rows lack %q", want)
		}
	}
}

func TestMunicipalitiesSCB(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.Open(t)
	var progress bytes.Buffer
	sum, err := importer.Municipalities(context.Background(), db, bytes.NewReader(demo.Boundaries),
		importer.MunicipalityOptions{Progress: &progress})
	if err != nil {
		t.Fatalf("Municipalities: %v", err)
	}
	if sum.Inserted != 290 || len(sum.Rejected) != 0 {
		t.Errorf("summary = %+v, want 290 inserted", sum)
	}
	out := progress.String()
	for _, want := range []string{"read 290 features (EPSG:3006)\n", "writing 290/290 (100%)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress = %q, want it to contain %q", out, want)
		}
	}
	// About every tenth of the work, and no more.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 3 || len(lines) > 12 {
		t.Errorf("progress has %d lines, want 3 to 12:\n%s", len(lines), out)
	}
	if !strings.HasPrefix(lines[0], "read ") || lines[len(lines)-1] != "writing 290/290 (100%)" {
		t.Errorf("progress lines = %q, want the read line first and 290/290 last", lines)
	}
}

func TestMunicipalitiesNumericCode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		props string
		want  string // stored "code name"
	}{
		{"okfse id", `{"id": 114, "kom_namn": "Upplands Väsby"}`, "0114 Upplands Väsby"},
		{"SCB KnKod", `{"KnKod": 1470, "KnNamn": "Vara"}`, "1470 Vara"},
		{"float with zero fraction", `{"code": 685.0, "name": "Vetlanda"}`, "0685 Vetlanda"},
		{"string kept", `{"kommunkod": " 0114 ", "kommunnamn": " Upplands Väsby "}`, "0114 Upplands Väsby"},
	}
	db, url := pgtest.Open(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			exec(t, url, `DELETE FROM municipality`)
			sum, err := importer.Municipalities(context.Background(), db,
				strings.NewReader(collection("", feature(tc.props, varaSquare))), importer.MunicipalityOptions{})
			if err != nil || sum.Inserted != 1 || len(sum.Rejected) != 0 {
				t.Fatalf("Municipalities() = %+v, %v, want 1 inserted", sum, err)
			}
			if got := rows(t, url); len(got) != 1 || got[0] != tc.want {
				t.Errorf("stored rows = %v, want [%s]", got, tc.want)
			}
		})
	}
}

func TestMunicipalitiesCRS(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		crs      string // the crs member's name, "" for no crs member
		srid     int
		geometry string
	}{
		{"no crs", "", 0, varaSquare},
		{"no crs, srid 3006", "", 3006, varaSquare3006},
		{"CRS84", "urn:ogc:def:crs:OGC:1.3:CRS84", 0, varaSquare},
		{"EPSG:4326", "EPSG:4326", 0, varaSquare},
		{"URN 4326 with version", "urn:ogc:def:crs:EPSG:6.6:4326", 0, varaSquare},
		{"URN 3006", "urn:ogc:def:crs:EPSG::3006", 0, varaSquare3006},
		{"lower case", "epsg:3006", 0, varaSquare3006},
		{"opengis URL", "http://www.opengis.net/def/crs/EPSG/0/3006", 0, varaSquare3006},
		{"crs and srid agree", "EPSG:3006", 3006, varaSquare3006},
	}
	db, url := pgtest.Open(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			exec(t, url, `DELETE FROM municipality`)
			crs := ""
			if tc.crs != "" {
				crs = fmt.Sprintf(`{"type": "name", "properties": {"name": %q}}`, tc.crs)
			}
			sum, err := importer.Municipalities(context.Background(), db,
				strings.NewReader(collection(crs, feature(props("1470", "Vara"), tc.geometry))),
				importer.MunicipalityOptions{SRID: tc.srid})
			if err != nil || sum.Inserted != 1 || len(sum.Rejected) != 0 {
				t.Fatalf("Municipalities() = %+v, %v, want 1 inserted", sum, err)
			}
			// Stored in WGS 84 whatever the input CRS: about 12.9–13.0 E, 58.2–58.3 N.
			m, err := db.Municipality(context.Background(), "1470")
			if err != nil {
				t.Fatal(err)
			}
			b := m.Boundary.Bound()
			want := orb.Bound{Min: orb.Point{12.85, 58.15}, Max: orb.Point{13.05, 58.35}}
			if !want.Contains(b.Min) || !want.Contains(b.Max) {
				t.Errorf("stored boundary extent = %v, want within %v", b, want)
			}
		})
	}
}

func TestMunicipalitiesOnly(t *testing.T) {
	t.Run("listed codes", func(t *testing.T) {
		t.Parallel()
		db, url := pgtest.Open(t)
		sum, err := importer.Municipalities(context.Background(), db, bytes.NewReader(demo.Boundaries),
			importer.MunicipalityOptions{Only: []string{"1470", "0114"}})
		if err != nil || sum.Inserted != 2 || len(sum.Rejected) != 0 {
			t.Fatalf("Municipalities() = %+v, %v, want 2 inserted", sum, err)
		}
		want := []string{"0114 Upplands Väsby", "1470 Vara"}
		if got := rows(t, url); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("stored rows = %v, want %v", got, want)
		}
	})

	t.Run("listed code absent", func(t *testing.T) {
		t.Parallel()
		db, _ := pgtest.Open(t)
		sum, err := importer.Municipalities(context.Background(), db, bytes.NewReader(demo.Boundaries),
			importer.MunicipalityOptions{Only: []string{"1470", "9998"}})
		if err == nil || !strings.Contains(err.Error(), "9998") {
			t.Errorf("error = %v, want one naming 9998", err)
		}
		if sum.Inserted != 0 {
			t.Errorf("summary = %+v, want nothing inserted", sum)
		}
		if n := count(t, db); n != 0 {
			t.Errorf("count = %d, want 0", n)
		}
	})

	t.Run("unlisted bad features ignored", func(t *testing.T) {
		t.Parallel()
		db, url := pgtest.Open(t)
		fc := collection(crs4326,
			feature(props("1494", "Lidköping"), point),
			feature(props("1470", "Vara"), varaSquare),
			feature(props("1470", "Vara igen"), bowtie))
		// The duplicate 1470 is listed, so it is rejected; 1494 is not listed.
		sum, err := importer.Municipalities(context.Background(), db, strings.NewReader(fc),
			importer.MunicipalityOptions{Only: []string{"1470"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Rejected) != 1 || sum.Rejected[0].Index != 2 || !strings.Contains(sum.Rejected[0].Reason, "also used by feature 1") {
			t.Errorf("rejected = %+v, want feature 2, code also used by feature 1", sum.Rejected)
		}
		if got := rows(t, url); len(got) != 0 {
			t.Errorf("stored rows = %v, want none", got)
		}

		fc = collection(crs4326,
			feature(props("1494", "Lidköping"), point),
			feature(props("1470", "Vara"), varaSquare))
		sum, err = importer.Municipalities(context.Background(), db, strings.NewReader(fc),
			importer.MunicipalityOptions{Only: []string{"1470"}})
		if err != nil || sum.Inserted != 1 || len(sum.Rejected) != 0 {
			t.Fatalf("Municipalities() = %+v, %v, want 1 inserted", sum, err)
		}
		if got := rows(t, url); len(got) != 1 || got[0] != "1470 Vara" {
			t.Errorf("stored rows = %v, want [1470 Vara]", got)
		}
	})

	t.Run("PostGIS rejection names the file's index", func(t *testing.T) {
		t.Parallel()
		db, url := pgtest.Open(t)
		// The store sees only the listed features (Vara, Mariestad); its rejection of
		// its second one must come back as the file's feature 3.
		fc := collection(crs4326,
			feature(props("0114", "Upplands Väsby"), point),
			feature(props("1470", "Vara"), varaSquare),
			feature(props("1494", "Lidköping"), lidkopingSquare),
			feature(props("1493", "Mariestad"), bowtie))
		sum, err := importer.Municipalities(context.Background(), db, strings.NewReader(fc),
			importer.MunicipalityOptions{Only: []string{"1470", "1493"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Rejected) != 1 || sum.Rejected[0].Index != 3 || sum.Rejected[0].Code != "1493" ||
			!strings.Contains(sum.Rejected[0].Reason, "Self-intersection") {
			t.Errorf("rejected = %+v, want feature 3 (1493), Self-intersection", sum.Rejected)
		}
		if got := rows(t, url); len(got) != 0 {
			t.Errorf("stored rows = %v, want none", got)
		}
	})
}

func TestMunicipalitiesCanceled(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := importer.Municipalities(ctx, db, bytes.NewReader(demo.Boundaries), importer.MunicipalityOptions{})
	if err != context.Canceled {
		t.Errorf("error = %v, want %v", err, context.Canceled)
	}
	if n := count(t, db); n != 0 {
		t.Errorf("count = %d, want 0", n)
	}
}
