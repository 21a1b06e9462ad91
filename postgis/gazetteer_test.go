package postgis_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// Places of the gazetteer fixture: Västtrafik's stop areas and a few streets.
var (
	varaResecentrum = orb.Point{12.951757, 58.261184}
	varaTorget      = orb.Point{12.955344, 58.262208}
	lidkopingRes    = orb.Point{13.164199, 58.504477}
	varbergTorget   = orb.Point{12.2508, 57.1057} // 345 m outside SCB's generalised Varberg
	// Storgatan in Vara, a line 600 m to 1 km east of the resecentrum.
	varaStorgatan = orb.LineString{{12.9620, 58.2590}, {12.9660, 58.2592}, {12.9700, 58.2594}}
)

func gazetteerFixture() []trygg.GazetteerEntry {
	return []trygg.GazetteerEntry{
		{Kind: trygg.PlaceStop, Name: "Vara resecentrum", Locality: "Vara", Location: varaResecentrum, Source: "test", SourceID: "s1"},
		{Kind: trygg.PlacePlace, Name: "Stora torget", Locality: "Vara", Location: varaTorget, Source: "test", SourceID: "p1"},
		{Kind: trygg.PlaceStop, Name: "Lidköpings resecentrum", Locality: "Lidköping", Location: lidkopingRes, Source: "test", SourceID: "s2"},
		{Kind: trygg.PlacePlace, Name: "Torget", Locality: "Varberg", Location: varbergTorget, Source: "test", SourceID: "p2"},
		{Kind: trygg.PlaceStreet, Name: "Storgatan", Lines: orb.MultiLineString{varaStorgatan[:2]}, Source: "test", SourceID: "w1"},
		{Kind: trygg.PlaceStreet, Name: "Storgatan", Lines: orb.MultiLineString{varaStorgatan[1:]}, Source: "test", SourceID: "w2"},
		{Kind: trygg.PlaceStreet, Name: "Storgatan", Lines: orb.MultiLineString{{{13.1560, 58.5030}, {13.1600, 58.5035}}}, Source: "test", SourceID: "w3"},
		{Kind: trygg.PlaceStreet, Name: "Storgaten", Lines: orb.MultiLineString{{{12.9500, 58.2500}, {12.9510, 58.2502}}}, Source: "test", SourceID: "w4"},
		{Kind: trygg.PlaceAddress, Name: "Storgatan 5", Street: "Storgatan", Housenumber: "5", Postcode: "53430", Locality: "Vara",
			Location: orb.Point{12.9640, 58.2592}, Source: "test", SourceID: "n1"},
		{Kind: trygg.PlacePlace, Name: "Stockholms slott", Location: orb.Point{18.0716, 59.3268}, Source: "test", SourceID: "p3"}, // outside
	}
}

// gazetteerStore is a store with the demo municipalities and the fixture.
func gazetteerStore(t *testing.T) (*postgis.DB, string) {
	t.Helper()
	db, url := pgtest.Open(t)
	ctx := context.Background()
	if err := demo.Load(ctx, db, nil); err != nil {
		t.Fatal(err)
	}
	sum, err := db.ImportGazetteer(ctx, gazetteerFixture(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Outside != 1 || sum.ByKind["street"] != 3 || sum.ByKind["stop"] != 2 || sum.ByKind["place"] != 2 || sum.ByKind["address"] != 1 {
		t.Fatalf("import summary %+v: want 1 outside, 3 streets (two Storgatan ways in Vara merged), 2 stops, 2 places, 1 address", sum)
	}
	return db, url
}

func TestImportGazetteerIdempotent(t *testing.T) {
	t.Parallel()
	db, url := gazetteerStore(t)
	again, err := db.ImportGazetteer(context.Background(), gazetteerFixture(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Written != 0 {
		t.Errorf("the same entries again wrote %d, want 0", again.Written)
	}
	got := pgtest.Strings(t, url, `SELECT kind || ' ' || name || ' ' || municipality_code FROM gazetteer`)
	sort.Strings(got)
	want := []string{
		"address Storgatan 5 1470", "municipality Lidköping 1494", "municipality Mariestad 1493", "municipality Vara 1470",
		"municipality Varberg 1383", "municipality Vetlanda 0685", "place Stora torget 1470", "place Torget 1383",
		"stop Lidköpings resecentrum 1494", "stop Vara resecentrum 1470",
		"street Storgatan 1470", "street Storgatan 1494", "street Storgaten 1470"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("gazetteer:\n%v\nwant\n%v", got, want)
	}
	// The merged street runs its whole length; its point lies on it.
	if n := pgtest.Strings(t, url, `SELECT round(ST_Length(shape))::text || ' ' || (ST_Distance(ST_Transform(geom, 3006), shape) < 0.01)::text
		FROM gazetteer WHERE name = 'Storgatan' AND municipality_code = '1470'`)[0]; !strings.HasSuffix(n, " true") || strings.HasPrefix(n, "0 ") {
		t.Errorf("Storgatan in Vara: length and point on it %q", n)
	}
}

func names(es []trygg.GazetteerEntry) []string {
	var s []string
	for _, e := range es {
		s = append(s, e.Kind+":"+e.Label)
	}
	return s
}

func TestSearchRanking(t *testing.T) {
	t.Parallel()
	db, _ := gazetteerStore(t)
	ctx := context.Background()
	search := func(q string, near *orb.Point, muni string) []string {
		t.Helper()
		n, err := trygg.NormalizeSearch(q)
		if err != nil {
			t.Fatal(err)
		}
		es, err := db.Search(ctx, postgis.SearchQuery{Q: n, Near: near, Municipality: muni, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return names(es)
	}
	cases := []struct {
		name, q string
		near    *orb.Point
		muni    string
		want    []string // the first hits, in order
	}{
		// exact before prefix before fuzzy; the nearer of two exact streets first.
		{"exact, prefix, fuzzy", "Storgatan", &varaTorget, "",
			[]string{"street:Storgatan, Vara", "street:Storgatan, Lidköping", "address:Storgatan 5, Vara", "street:Storgaten, Vara"}},
		{"nearer wins ties", "storgatan", &lidkopingRes, "",
			[]string{"street:Storgatan, Lidköping", "street:Storgatan, Vara"}},
		{"word order and a typo", "resesentrum vara", nil, "", []string{"stop:Vara resecentrum"}},
		{"prefix while typing", "vara rese", nil, "", []string{"stop:Vara resecentrum"}},
		// Among prefix matches (the name or the locality): municipality, place, stop, street.
		{"kind order", "lidköp", nil, "", []string{"municipality:Lidköping kommun", "stop:Lidköpings resecentrum", "street:Storgatan, Lidköping"}},
		{"municipality filter", "storgatan", &varaTorget, "1494", []string{"street:Storgatan, Lidköping"}},
		{"å ä ö kept", "LIDKÖPINGS", nil, "", []string{"stop:Lidköpings resecentrum"}},
	}
	for _, tc := range cases {
		got := search(tc.q, tc.near, tc.muni)
		if len(got) < len(tc.want) || strings.Join(got[:len(tc.want)], "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: search %q gave %v, want first %v", tc.name, tc.q, got, tc.want)
		}
		if tc.muni != "" && len(got) != len(tc.want) {
			t.Errorf("%s: %v, want only %v", tc.name, got, tc.want)
		}
	}
	if _, err := db.Search(ctx, postgis.SearchQuery{Q: "storgatan", Municipality: "9999"}); trygg.ErrorCode(err) != trygg.EINVALID || trygg.ErrorField(err) != "municipality" {
		t.Errorf("unknown municipality: %v, want invalid on municipality", err)
	}
	if got := search("zzqx", nil, ""); len(got) != 0 {
		t.Errorf("nonsense found %v", got)
	}
}

// TestPlaceLabels: the insert trigger labels a submitted and an imported report, and
// the reverse lookup gives the same label.
func TestPlaceLabels(t *testing.T) {
	t.Parallel()
	db, url := gazetteerStore(t)
	ctx := context.Background()
	app := pgtest.App(t, url)
	cases := []struct {
		name string
		at   orb.Point
		want string
	}{
		{"at a stop", orb.Point{12.9520, 58.2613}, "vid Vara resecentrum"},
		{"on a street", orb.Point{12.9680, 58.2600}, "Storgatan"},
		{"within a km", orb.Point{12.9560, 58.2680}, "nära Stora torget"},
		{"nothing near", orb.Point{13.05, 58.25}, ""},
	}
	for _, tc := range cases {
		out, err := app.SubmitReport(ctx, postgis.Submission{
			Report: trygg.Report{ID: uuid.NewString(), Location: tc.at, Category: "belysning", Feeling: 2,
				Source: trygg.SourceResident, Precision: "exact", Status: trygg.StatusReceived},
			ErasureHash: []byte("h"), ErasureToken: "t", SnapMetres: 50,
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		stored := pgtest.Strings(t, url, `SELECT coalesce(place_label, '') FROM report WHERE id = $1`, out.ID)[0]
		if stored != tc.want || deref(out.PlaceLabel) != tc.want {
			t.Errorf("%s: stored label %q, answered %q, want %q", tc.name, stored, deref(out.PlaceLabel), tc.want)
		}
		rev, err := app.ReverseGeocode(ctx, tc.at)
		if err != nil || rev.Label != tc.want || rev.Municipality != "1470" {
			t.Errorf("%s: reverse %+v, %v; want %q in 1470", tc.name, rev, err, tc.want)
		}
	}
	// The import path: a report at Varberg's Torget, outside the boundary but within
	// the tolerance, labelled and counted.
	sum, err := db.ImportReports(ctx, []trygg.Report{
		{Location: varbergTorget, Category: "belysning", Feeling: 2, Source: "survey", Precision: "exact", Status: trygg.StatusPublished},
		{Location: orb.Point{12.2580, 57.1075}, Category: "belysning", Feeling: 2, Source: "survey", Precision: "exact", Status: trygg.StatusPublished},
	}, 50, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Inserted != 2 || sum.ByMunicipality["1383"] != 2 || sum.NearBoundary != 1 {
		t.Errorf("import summary %+v, want 2 in 1383, 1 near the boundary", sum)
	}
	got := pgtest.Strings(t, url, `SELECT coalesce(place_label, '-') FROM report WHERE municipality_code = '1383' ORDER BY ST_X(geom)`)
	if strings.Join(got, "|") != "vid Torget|nära Torget" {
		t.Errorf("imported labels %v, want [vid Torget nära Torget]", got)
	}
	// The public view shows it.
	pub := pgtest.Strings(t, url, `SELECT place_label FROM public_report WHERE municipality_code = '1383' ORDER BY place_label DESC LIMIT 1`)
	if len(pub) != 1 || pub[0] != "vid Torget" {
		t.Errorf("public_report place_label %v", pub)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestBoundaryTolerance: a point 345 m outside Varberg's generalised boundary belongs to
// Varberg within the default tolerance, not with none; a point 5 km out at sea never.
func TestBoundaryTolerance(t *testing.T) {
	t.Parallel()
	_, url := gazetteerStore(t)
	ctx := context.Background()
	sea := orb.Point{12.168, 57.1057}
	if d := pgtest.Strings(t, url, `SELECT round(ST_Distance(ST_Transform(boundary, 3006), ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4326), 3006)))::text
		|| ' ' || ST_Covers(boundary, ST_SetSRID(ST_MakePoint($1, $2), 4326))::text FROM municipality WHERE code = '1383'`,
		varbergTorget[0], varbergTorget[1])[0]; d != "345 false" {
		t.Fatalf("Torget: distance and covered %q, want 345 m outside", d)
	}
	for _, tc := range []struct {
		name string
		tol  float64
		at   orb.Point
		want string
	}{
		{"Torget, default tolerance", 0, varbergTorget, "1383"},
		{"Torget, 400 m", 400, varbergTorget, "1383"},
		{"Torget, 300 m", 300, varbergTorget, ""},
		{"Torget, none", postgis.NoBoundaryTolerance, varbergTorget, ""},
		{"at sea", 0, sea, ""},
		{"inside", postgis.NoBoundaryTolerance, orb.Point{12.2700, 57.1100}, "1383"},
	} {
		db, err := postgis.Open(ctx, url, postgis.Options{Role: postgis.AppRole, BoundaryToleranceM: tc.tol})
		if err != nil {
			t.Fatal(err)
		}
		rev, err := db.ReverseGeocode(ctx, tc.at)
		db.Close()
		if err != nil || rev.Municipality != tc.want {
			t.Errorf("%s: municipality %q, %v; want %q", tc.name, rev.Municipality, err, tc.want)
		}
	}
}

// TestGazetteerIndexes: as the server's role, search uses the trigram index and the
// place label the partial GiST indexes on shape.
func TestGazetteerIndexes(t *testing.T) {
	t.Parallel()
	_, url := gazetteerStore(t)
	pgtest.Exec(t, url, `
		INSERT INTO gazetteer (kind, name, locality, municipality_code, geom, shape, source, source_id)
		SELECT 'address', 'Gata ' || i, 'Vara', '1470', p, ST_Transform(p, 3006), 'bulk', i::text
		FROM generate_series(1, 20000) i, ST_SetSRID(ST_MakePoint(12.9 + (i % 200) * 0.0005, 58.2 + (i / 200) * 0.0005), 4326) p;
		GRANT trygg_app TO CURRENT_USER`)
	pgtest.Exec(t, url, `VACUUM ANALYZE gazetteer`) // as autovacuum would: the trigram index's pending list merged
	conn := pgtest.Conn(t, url)
	ctx := context.Background()
	if _, err := conn.Exec(ctx, `SET ROLE trygg_app`); err != nil {
		t.Fatal(err)
	}
	explain := func(sql string, args ...any) string {
		rows, err := conn.Query(ctx, "EXPLAIN "+sql, args...)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		defer rows.Close()
		var lines []string
		for rows.Next() {
			var l string
			if err := rows.Scan(&l); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, l)
		}
		return strings.Join(lines, "\n")
	}
	sql, args := postgis.SearchSQL(postgis.SearchQuery{Q: "resecentrum", Near: &varaTorget})
	if plan := explain(sql, args...); !strings.Contains(plan, "gazetteer_search_trgm") {
		t.Errorf("search does not use gazetteer_search_trgm:\n%s", plan)
	}
	// place_label's own text (a SQL function with SET is never inlined), its argument
	// as a parameter: each of its three steps is a nearest-neighbour scan of the index.
	src := pgtest.Strings(t, url, `SELECT prosrc FROM pg_proc WHERE proname = 'place_label'`)[0]
	src = strings.Replace(src, "ST_PointOnSurface(g)", "ST_PointOnSurface(ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326))", 1)
	if plan := explain(src, 12.95, 58.26); strings.Count(plan, "gazetteer_place_shape_gix") != 2 || strings.Count(plan, "gazetteer_street_shape_gix") != 1 {
		t.Errorf("place_label does not use gazetteer_place_shape_gix in steps 1 and 3, gazetteer_street_shape_gix in step 2:\n%s", plan)
	}
}
