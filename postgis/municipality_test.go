package postgis_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/importer"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// connect opens a plain pgx connection to url for checks in SQL, closed when t ends.
func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	return pgtest.Conn(t, url)
}

// queryInt runs a query that returns one integer.
func queryInt(t *testing.T, conn *pgx.Conn, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// snapshot returns every stored municipality row (with a hash of its boundary and its
// timestamps) and every police area membership, to check that a failed write changed
// nothing.
func snapshot(t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), `
		SELECT 'm ' || code || ' ' || name || ' ' || md5(ST_AsEWKB(boundary)) || ' ' || created_at || ' ' || updated_at
		FROM municipality
		UNION ALL
		SELECT 'p ' || id || ' ' || name || ' ' || region FROM police_area
		UNION ALL
		SELECT 'pm ' || police_area_id || ' ' || municipality_code FROM police_area_municipality
		ORDER BY 1`)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	s, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return s
}

// importSCB imports SCB's 290 municipalities (EPSG:3006) from demo.Boundaries, or only
// the given codes.
func importSCB(t *testing.T, db *postgis.DB, only ...string) trygg.ImportSummary {
	t.Helper()
	sum, err := importer.Municipalities(context.Background(), db, bytes.NewReader(demo.Boundaries),
		importer.MunicipalityOptions{Only: only})
	if err != nil {
		t.Fatalf("import SCB boundaries: %v", err)
	}
	if len(sum.Rejected) > 0 {
		t.Fatalf("import SCB boundaries: rejected %v", sum.Rejected)
	}
	return sum
}

func checkSummary(t *testing.T, got trygg.ImportSummary, inserted, updated, unchanged int) {
	t.Helper()
	if got.Inserted != inserted || got.Updated != updated || got.Unchanged != unchanged || len(got.Rejected) != 0 {
		t.Errorf("summary = %+v, want %d inserted, %d updated, %d unchanged, none rejected",
			got, inserted, updated, unchanged)
	}
}

// square is a closed ring with its south-west corner at lon, lat.
func square(lon, lat, side float64) orb.Ring {
	return orb.Ring{{lon, lat}, {lon + side, lat}, {lon + side, lat + side}, {lon, lat + side}, {lon, lat}}
}

// bowtie is a self-intersecting ring near Vara; its edges cross at 13.05 58.25.
var bowtie = orb.Ring{{13.0, 58.2}, {13.1, 58.3}, {13.1, 58.2}, {13.0, 58.3}, {13.0, 58.2}}

func TestUpsertMunicipalitiesSCB(t *testing.T) {
	t.Parallel()
	db, url := pgtest.Open(t)
	ctx := context.Background()
	conn := connect(t, url)

	checkSummary(t, importSCB(t, db), 290, 0, 0)
	if n, err := db.CountMunicipalities(ctx); err != nil || n != 290 {
		t.Fatalf("CountMunicipalities() = %d, %v, want 290, nil", n, err)
	}

	checks := []struct {
		name string
		sql  string // counts the rows that break the rule
	}{
		{"invalid", `SELECT count(*) FROM municipality WHERE NOT ST_IsValid(boundary)`},
		{"empty", `SELECT count(*) FROM municipality WHERE ST_IsEmpty(boundary)`},
		{"srid not 4326", `SELECT count(*) FROM municipality WHERE ST_SRID(boundary) <> 4326`},
		{"not multipolygon", `SELECT count(*) FROM municipality WHERE GeometryType(boundary) <> 'MULTIPOLYGON'`},
		{"outside Sweden", `SELECT count(*) FROM municipality
			WHERE ST_XMin(boundary) < 10 OR ST_XMax(boundary) > 24.3
			   OR ST_YMin(boundary) < 54.9 OR ST_YMax(boundary) > 69.1`},
		{"not inside Sweden's envelope", `SELECT count(*) FROM municipality
			WHERE NOT ST_Within(boundary, ST_MakeEnvelope(10, 54.9, 24.3, 69.1, 4326))`},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if got := queryInt(t, conn, c.sql); got != 0 {
				t.Errorf("%d municipalities %s, want 0", got, c.name)
			}
		})
	}

	t.Run("list", func(t *testing.T) {
		ms, err := db.Municipalities(ctx)
		if err != nil {
			t.Fatalf("Municipalities: %v", err)
		}
		if len(ms) != 290 {
			t.Fatalf("Municipalities() returned %d, want 290", len(ms))
		}
		for i := 1; i < len(ms); i++ {
			if ms[i-1].Code >= ms[i].Code {
				t.Fatalf("Municipalities() not ordered by code: %s before %s", ms[i-1].Code, ms[i].Code)
			}
		}
		if ms[0].Code != "0114" || ms[0].Name != "Upplands Väsby" {
			t.Errorf("first municipality = %s %s, want 0114 Upplands Väsby", ms[0].Code, ms[0].Name)
		}
		if last := ms[len(ms)-1]; last.Code != "2584" || last.Name != "Kiruna" {
			t.Errorf("last municipality = %s %s, want 2584 Kiruna", last.Code, last.Name)
		}
	})

	t.Run("Vara", func(t *testing.T) {
		m, err := db.Municipality(ctx, "1470")
		if err != nil {
			t.Fatalf("Municipality(1470): %v", err)
		}
		if m.Name != "Vara" {
			t.Errorf("name = %q, want Vara", m.Name)
		}
		if len(m.PoliceAreas) != 0 {
			t.Errorf("police areas = %v, want none", m.PoliceAreas)
		}
		// Vara's extent is about 12.79–13.40 E, 58.11–58.38 N.
		b := m.Boundary.Bound()
		want := orb.Bound{Min: orb.Point{12.7, 58.0}, Max: orb.Point{13.5, 58.5}}
		if !want.Contains(b.Min) || !want.Contains(b.Max) || b.Max[0]-b.Min[0] < 0.4 || b.Max[1]-b.Min[1] < 0.2 {
			t.Errorf("boundary extent = %v, want about 12.79–13.40 E, 58.11–58.38 N", b)
		}
		var km2 float64
		var containsTown, containsLidkoping bool
		err = conn.QueryRow(ctx, `
			SELECT ST_Area(boundary::geography) / 1e6,
			       ST_Contains(boundary, ST_SetSRID(ST_MakePoint(13.0, 58.26), 4326)),
			       ST_Contains(boundary, ST_SetSRID(ST_MakePoint(13.16, 58.50), 4326))
			FROM municipality WHERE code = '1470'`).Scan(&km2, &containsTown, &containsLidkoping)
		if err != nil {
			t.Fatal(err)
		}
		// SCB's generalized boundary gives 683.8 km² (land and inland water).
		if km2 < 670 || km2 > 700 {
			t.Errorf("area = %.1f km², want 670–700", km2)
		}
		if !containsTown {
			t.Error("Vara's boundary does not contain lon 13.0 lat 58.26 (Vara town)")
		}
		if containsLidkoping {
			t.Error("Vara's boundary contains lon 13.16 lat 58.50 (Lidköping town)")
		}
	})

	t.Run("again", func(t *testing.T) {
		before := snapshot(t, conn)
		checkSummary(t, importSCB(t, db), 0, 0, 290)
		if after := snapshot(t, conn); !reflect.DeepEqual(after, before) {
			t.Error("importing the same file again changed stored rows")
		}
	})

	t.Run("one name changed", func(t *testing.T) {
		renamed := bytes.Replace(demo.Boundaries, []byte(`"KnNamn": "Vara"`), []byte(`"KnNamn": "Vara kommun"`), 1)
		if bytes.Equal(renamed, demo.Boundaries) {
			t.Fatal(`demo.Boundaries has no "KnNamn": "Vara"`)
		}
		sum, err := importer.Municipalities(ctx, db, bytes.NewReader(renamed), importer.MunicipalityOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkSummary(t, sum, 0, 1, 289)
		m, err := db.Municipality(ctx, "1470")
		if err != nil {
			t.Fatal(err)
		}
		if m.Name != "Vara kommun" {
			t.Errorf("name = %q, want %q", m.Name, "Vara kommun")
		}
		if n := queryInt(t, conn, `SELECT count(*) FROM municipality WHERE updated_at > created_at`); n != 1 {
			t.Errorf("%d rows have updated_at after created_at, want 1", n)
		}
	})
}

func TestUpsertMunicipalitiesRoundTrip(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.Open(t)
	ctx := context.Background()
	importSCB(t, db, "1470")
	vara, err := db.Municipality(ctx, "1470")
	if err != nil {
		t.Fatal(err)
	}

	moved := orb.MultiPolygon{}
	for _, p := range vara.Boundary {
		q := orb.Polygon{}
		for _, r := range p {
			s := orb.Ring{}
			for _, pt := range r {
				s = append(s, orb.Point{pt[0] + 0.001, pt[1]})
			}
			q = append(q, s)
		}
		moved = append(moved, q)
	}
	cases := []struct {
		name                         string
		ms                           []trygg.Municipality
		inserted, updated, unchanged int
	}{
		{"boundary read back", []trygg.Municipality{{Code: "1470", Name: "Vara", Boundary: vara.Boundary}}, 0, 0, 1},
		{"boundary moved", []trygg.Municipality{{Code: "1470", Name: "Vara", Boundary: moved}}, 0, 1, 0},
		{"new and unchanged", []trygg.Municipality{
			{Code: "1470", Name: "Vara", Boundary: moved},
			{Code: "9001", Name: "Testkommun", Boundary: orb.MultiPolygon{{square(13.0, 58.5, 0.1)}}},
		}, 1, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls []string
			sum, err := db.UpsertMunicipalities(ctx, tc.ms, 4326, func(done, total int) {
				calls = append(calls, fmt.Sprintf("%d/%d", done, total))
			})
			if err != nil {
				t.Fatal(err)
			}
			checkSummary(t, sum, tc.inserted, tc.updated, tc.unchanged)
			if want := fmt.Sprintf("%d/%d", len(tc.ms), len(tc.ms)); len(calls) == 0 || calls[len(calls)-1] != want {
				t.Errorf("progress calls = %v, want last %s", calls, want)
			}
		})
	}
}

func TestUpsertMunicipalitiesAllOrNothing(t *testing.T) {
	t.Parallel()
	// Two good features and, between them, a bowtie: its edges cross, which only PostGIS
	// finds (it has closed rings and lies inside Sweden).
	const fc = `{"type": "FeatureCollection",
	"crs": {"type": "name", "properties": {"name": "EPSG:4326"}},
	"features": [
	{"type": "Feature", "properties": {"KnKod": "1470", "KnNamn": "Vara"},
	 "geometry": {"type": "Polygon", "coordinates": [[[12.9, 58.2], [13.0, 58.2], [13.0, 58.3], [12.9, 58.3], [12.9, 58.2]]]}},
	{"type": "Feature", "properties": {"KnKod": "1494", "KnNamn": "Lidköping"},
	 "geometry": {"type": "Polygon", "coordinates": [[[13.0, 58.2], [13.1, 58.3], [13.1, 58.2], [13.0, 58.3], [13.0, 58.2]]]}},
	{"type": "Feature", "properties": {"KnKod": "1493", "KnNamn": "Mariestad"},
	 "geometry": {"type": "MultiPolygon", "coordinates": [[[[13.8, 58.7], [13.9, 58.7], [13.9, 58.8], [13.8, 58.8], [13.8, 58.7]]]]}}
	]}`

	cases := []struct {
		name    string
		preload []string // SCB codes stored before the import
	}{
		{"empty table", nil},
		{"table with rows", []string{"1470", "1494", "1493", "0114"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db, url := pgtest.Open(t)
			ctx := context.Background()
			conn := connect(t, url)
			if tc.preload != nil {
				importSCB(t, db, tc.preload...)
			}
			before := snapshot(t, conn)

			sum, err := importer.Municipalities(ctx, db, strings.NewReader(fc), importer.MunicipalityOptions{})
			if err != nil {
				t.Fatalf("Municipalities: %v", err)
			}
			if len(sum.Rejected) != 1 {
				t.Fatalf("rejected = %+v, want exactly feature 1", sum.Rejected)
			}
			r := sum.Rejected[0]
			if r.Index != 1 || r.Code != "1494" || !strings.Contains(r.Reason, "Self-intersection") {
				t.Errorf("rejection = %+v, want index 1, code 1494, reason with Self-intersection", r)
			}
			if sum.Inserted != 0 || sum.Updated != 0 || sum.Unchanged != 0 {
				t.Errorf("summary = %+v, want nothing counted", sum)
			}
			if got := queryInt(t, conn, `SELECT count(*) FROM municipality`); got != len(tc.preload) {
				t.Errorf("municipality has %d rows, want %d", got, len(tc.preload))
			}
			if after := snapshot(t, conn); !reflect.DeepEqual(after, before) {
				t.Errorf("stored rows changed:\ngot  %v\nwant %v", after, before)
			}
		})
	}

	t.Run("store", func(t *testing.T) {
		t.Parallel()
		db, url := pgtest.Open(t)
		conn := connect(t, url)
		ms := []trygg.Municipality{
			{Code: "1470", Name: "Vara", Boundary: orb.MultiPolygon{{square(12.9, 58.2, 0.1)}}},
			{Code: "1494", Name: "Lidköping", Boundary: orb.MultiPolygon{{square(13.0, 58.4, 0.1)}}},
			{Code: "1493", Name: "Mariestad", Boundary: orb.MultiPolygon{{bowtie}}},
			{Code: "0685", Name: "Vetlanda", Boundary: orb.MultiPolygon{{bowtie}}},
		}
		sum, err := db.UpsertMunicipalities(context.Background(), ms, 4326, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Rejected) != 2 || sum.Rejected[0].Index != 2 || sum.Rejected[1].Index != 3 {
			t.Fatalf("rejected = %+v, want indexes 2 and 3", sum.Rejected)
		}
		for k, code := range []string{"1493", "0685"} {
			r := sum.Rejected[k]
			if r.Code != code || !strings.HasPrefix(r.Reason, "invalid boundary: Self-intersection") {
				t.Errorf("rejection %d = %+v, want code %s, reason starting with %q", k, r, code, "invalid boundary: Self-intersection")
			}
		}
		if got := queryInt(t, conn, `SELECT count(*) FROM municipality`); got != 0 {
			t.Errorf("municipality has %d rows, want 0", got)
		}
	})
}

func TestMunicipalityNotFound(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.Open(t)
	importSCB(t, db, "1470")
	for _, code := range []string{"9999", "0000", "147", ""} {
		t.Run(code, func(t *testing.T) {
			m, err := db.Municipality(context.Background(), code)
			if got := trygg.ErrorCode(err); got != trygg.ENOTFOUND {
				t.Errorf("Municipality(%q) = %v, %v; got code %q, want %q", code, m, err, got, trygg.ENOTFOUND)
			}
			if m != nil {
				t.Errorf("Municipality(%q) = %+v, want nil", code, m)
			}
		})
	}
}

func TestUpsertPoliceArea(t *testing.T) {
	t.Parallel()
	db, url := pgtest.Open(t)
	ctx := context.Background()
	conn := connect(t, url)
	importSCB(t, db, "1470", "1494", "1493")

	policeAreas := func(t *testing.T, code string) []trygg.PoliceAreaRef {
		t.Helper()
		m, err := db.Municipality(ctx, code)
		if err != nil {
			t.Fatalf("Municipality(%s): %v", code, err)
		}
		return m.PoliceAreas
	}
	// Municipality.PoliceAreas is ordered by name; these names sort the same in every
	// collation (the real "LPO Östra Skaraborg" would not).
	vastra := trygg.PoliceAreaRef{ID: "lpo-vastra-skaraborg", Name: "LPO Västra Skaraborg"}
	ostra := trygg.PoliceAreaRef{ID: "lpo-ostra-skaraborg", Name: "LPO Ostra Skaraborg"}

	// Invalid police areas: each is refused and nothing is written.
	invalid := []struct {
		name      string
		p         trygg.PoliceArea
		wantField string
		wantInMsg string
	}{
		{"unknown municipality", trygg.PoliceArea{ID: "lpo-x", Name: "LPO X", Region: "Polisregion Väst",
			MunicipalityCodes: []string{"1470", "9999"}}, "municipalities", "9999"},
		{"two unknown municipalities", trygg.PoliceArea{ID: "lpo-x", Name: "LPO X", Region: "Polisregion Väst",
			MunicipalityCodes: []string{"9998", "1470", "0685"}}, "municipalities", "[0685 9998]"},
		{"bad id", trygg.PoliceArea{ID: "LPO X", Name: "LPO X", Region: "Polisregion Väst",
			MunicipalityCodes: []string{"1470"}}, "id", "LPO X"},
		{"no municipalities", trygg.PoliceArea{ID: "lpo-x", Name: "LPO X", Region: "Polisregion Väst"},
			"municipalities", "lpo-x"},
		{"bad municipality code", trygg.PoliceArea{ID: "lpo-x", Name: "LPO X", Region: "Polisregion Väst",
			MunicipalityCodes: []string{"147"}}, "municipalities", "147"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, conn)
			err := db.UpsertPoliceArea(ctx, tc.p)
			if got := trygg.ErrorCode(err); got != trygg.EINVALID {
				t.Fatalf("UpsertPoliceArea() = %v, got code %q, want %q", err, got, trygg.EINVALID)
			}
			if got := trygg.ErrorField(err); got != tc.wantField {
				t.Errorf("field = %q, want %q", got, tc.wantField)
			}
			if msg := trygg.ErrorMessage(err); !strings.Contains(msg, tc.wantInMsg) {
				t.Errorf("message = %q, want it to contain %q", msg, tc.wantInMsg)
			}
			if after := snapshot(t, conn); !reflect.DeepEqual(after, before) {
				t.Errorf("stored rows changed:\ngot  %v\nwant %v", after, before)
			}
		})
	}
	if n := queryInt(t, conn, `SELECT count(*) FROM police_area`); n != 0 {
		t.Fatalf("police_area has %d rows after refused upserts, want 0", n)
	}

	steps := []struct {
		name string
		p    trygg.PoliceArea
		want map[string][]trygg.PoliceAreaRef // municipality code → its police areas
	}{
		{"insert", trygg.PoliceArea{ID: vastra.ID, Name: vastra.Name, Region: "Polisregion Väst",
			MunicipalityCodes: []string{"1470", "1494"}},
			map[string][]trygg.PoliceAreaRef{"1470": {vastra}, "1494": {vastra}, "1493": {}}},
		{"same again", trygg.PoliceArea{ID: vastra.ID, Name: vastra.Name, Region: "Polisregion Väst",
			MunicipalityCodes: []string{"1494", "1470"}},
			map[string][]trygg.PoliceAreaRef{"1470": {vastra}, "1494": {vastra}, "1493": {}}},
		{"second area", trygg.PoliceArea{ID: ostra.ID, Name: ostra.Name, Region: "Polisregion Väst",
			MunicipalityCodes: []string{"1493", "1494"}},
			map[string][]trygg.PoliceAreaRef{"1470": {vastra}, "1494": {ostra, vastra}, "1493": {ostra}}},
		{"fewer municipalities", trygg.PoliceArea{ID: vastra.ID, Name: "LPO Skaraborg Vast", Region: "Polisregion Väst",
			MunicipalityCodes: []string{"1494"}},
			map[string][]trygg.PoliceAreaRef{"1470": {}, "1494": {ostra, {ID: vastra.ID, Name: "LPO Skaraborg Vast"}},
				"1493": {ostra}}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := db.UpsertPoliceArea(ctx, st.p); err != nil {
				t.Fatalf("UpsertPoliceArea: %v", err)
			}
			for code, want := range st.want {
				got := policeAreas(t, code)
				if len(got) == 0 && len(want) == 0 {
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("Municipality(%s).PoliceAreas = %v, want %v", code, got, want)
				}
			}
		})
	}

	t.Run("unknown municipality keeps the stored area", func(t *testing.T) {
		before := snapshot(t, conn)
		err := db.UpsertPoliceArea(ctx, trygg.PoliceArea{ID: vastra.ID, Name: "Renamed", Region: "Polisregion Väst",
			MunicipalityCodes: []string{"1470", "9999"}})
		if got := trygg.ErrorCode(err); got != trygg.EINVALID {
			t.Fatalf("UpsertPoliceArea() = %v, got code %q, want %q", err, got, trygg.EINVALID)
		}
		if after := snapshot(t, conn); !reflect.DeepEqual(after, before) {
			t.Errorf("stored rows changed:\ngot  %v\nwant %v", after, before)
		}
	})

	t.Run("boundary view", func(t *testing.T) {
		// The police area's boundary is the union of its municipalities: Västra Skaraborg
		// now serves only Lidköping.
		var equal bool
		err := conn.QueryRow(ctx, `
			SELECT ST_Equals(pab.boundary, m.boundary)
			FROM police_area_boundary pab, municipality m
			WHERE pab.id = 'lpo-vastra-skaraborg' AND m.code = '1494'`).Scan(&equal)
		if err != nil {
			t.Fatal(err)
		}
		if !equal {
			t.Error("police_area_boundary of lpo-vastra-skaraborg is not Lidköping's boundary")
		}
	})
}

func TestUpsertMunicipalitiesCanceled(t *testing.T) {
	t.Parallel()
	db, url := pgtest.Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := db.UpsertMunicipalities(ctx, []trygg.Municipality{
		{Code: "1470", Name: "Vara", Boundary: orb.MultiPolygon{{square(12.9, 58.2, 0.1)}}},
	}, 4326, nil)
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Errorf("UpsertMunicipalities with a canceled context = %v, want context.Canceled", err)
	}
	if n := queryInt(t, connect(t, url), `SELECT count(*) FROM municipality`); n != 0 {
		t.Errorf("municipality has %d rows, want 0", n)
	}
}

// The store checks its own input too: callers other than the importer get rejections
// and clear errors, never a database error shown as internal.
func TestStoreChecksItsInput(t *testing.T) {
	t.Parallel()
	db, url := pgtest.Open(t)
	ctx := context.Background()
	conn := connect(t, url)
	importSCB(t, db, "1470", "1494")
	square := orb.MultiPolygon{{{{13, 58.2}, {13.1, 58.2}, {13.1, 58.3}, {13, 58.3}, {13, 58.2}}}}

	before := snapshot(t, conn)
	sum, err := db.UpsertMunicipalities(ctx, []trygg.Municipality{
		{Code: "1470", Name: "Vara", Boundary: square},
		{Code: "abc", Name: "X", Boundary: square},
		{Code: "1470", Name: "Vara igen", Boundary: square},
	}, 4326, nil)
	if err != nil {
		t.Fatalf("UpsertMunicipalities: %v", err)
	}
	if len(sum.Rejected) != 2 || sum.Rejected[0].Index != 1 || sum.Rejected[1].Index != 2 ||
		!strings.Contains(sum.Rejected[1].Reason, "also used by record 0") {
		t.Errorf("Rejected = %+v, want records 1 (bad code) and 2 (duplicate of 0)", sum.Rejected)
	}
	if after := snapshot(t, conn); !reflect.DeepEqual(after, before) {
		t.Errorf("stored rows changed after a refused upsert")
	}

	p := trygg.PoliceArea{ID: "lpo-a", Name: "LPO A", Region: "Polisregion Väst", MunicipalityCodes: []string{"1470"}}
	if err := db.UpsertPoliceArea(ctx, p); err != nil {
		t.Fatal(err)
	}
	p.ID = "lpo-b"
	err = db.UpsertPoliceArea(ctx, p)
	if trygg.ErrorCode(err) != trygg.ECONFLICT || trygg.ErrorField(err) != "name" {
		t.Errorf("second police area with the same name: got %v (code %q), want conflict on name", err, trygg.ErrorCode(err))
	}
}
