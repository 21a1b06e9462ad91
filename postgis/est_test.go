package postgis_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// estPoint is a point inside the municipality with this code (its point on surface),
// moved by dx, dy degrees (a few hundred metres keep it inside).
func (f *staffFixture) estPoint(t *testing.T, code string, dx, dy float64) orb.Point {
	t.Helper()
	var p orb.Point
	if err := f.sql.QueryRow(context.Background(), `SELECT ST_X(p) + $2, ST_Y(p) + $3
		FROM (SELECT ST_PointOnSurface(boundary) AS p FROM municipality WHERE code = $1) m`, code, dx, dy).Scan(&p[0], &p[1]); err != nil {
		t.Fatalf("point in %s: %v", code, err)
	}
	return p
}

// estAt parses an RFC 3339 time.
func estAt(t *testing.T, s string) *time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return &tm
}

// addEST stores incidents and fails the test on any refusal.
func addEST(t *testing.T, ctx context.Context, db *postgis.DB, incs ...trygg.ESTIncident) []trygg.ESTIncident {
	t.Helper()
	out, rej, err := db.AddESTIncidents(ctx, incs, 50)
	if err != nil || len(rej) > 0 {
		t.Fatalf("AddESTIncidents: %v %+v", err, rej)
	}
	return out
}

func TestESTIncidents(t *testing.T) {
	f := newStaffFixture(t, false)
	vetlanda := f.as(t, trygg.RolePlanner, "kommun-0685")
	police := f.as(t, trygg.RolePolice, "lpo-hoglandet")
	varberg := f.as(t, trygg.RoleAdmin, "kommun-1383")
	p := f.estPoint(t, "0685", 0, 0)

	out := addEST(t, vetlanda, f.app,
		trygg.ESTIncident{Report: trygg.Report{Location: p, ObservedAt: estAt(t, "2026-11-20T21:30:00+01:00"),
			Description: "Krossad ruta i väntsalen, ring 070-123 45 67"}, Type: "skadegorelse", Area: " Resecentrum "},
		trygg.ESTIncident{Report: trygg.Report{Location: p, ObservedAt: estAt(t, "2026-11-21T02:00:00+01:00")},
			Type: "mot-personal", ReportedByOrg: "lpo-hoglandet"})
	if len(out) != 2 {
		t.Fatalf("got %d incidents back", len(out))
	}
	a, b := out[0], out[1]
	if a.Source != "est" || a.Status != "received" || a.Category != "skadegorelse" || a.Type != "skadegorelse" ||
		a.Area != "Resecentrum" || a.ReportedByOrg != "kommun-0685" || a.Municipality != "0685" || a.Feeling != trygg.ESTFeeling ||
		!slices.Equal(a.When, []string{"evening", "weekday"}) || a.CreatedBy != f.user(t, trygg.RolePlanner, "kommun-0685").ID {
		t.Errorf("first incident %+v", a)
	}
	if strings.Contains(a.PublicDescription, "070") || !strings.Contains(a.Description, "070") {
		t.Errorf("public description %q, description %q: contact details must be masked for the public only", a.PublicDescription, a.Description)
	}
	if b.Category != "hot-trakasserier" || b.Type != "mot-personal" || b.ReportedByOrg != "lpo-hoglandet" || b.Area != "" ||
		!slices.Equal(b.When, []string{"night", "weekend"}) {
		t.Errorf("second incident %+v", b)
	}
	// Received, not public: a planner publishes them.
	if n := f.count(t, `SELECT count(*) FROM report_status WHERE report_id = ANY($1::uuid[]) AND status = 'received'`,
		[]string{a.ID, b.ID}); n != 2 {
		t.Errorf("%d received status entries, want 2", n)
	}
	if n := f.count(t, `SELECT count(*) FROM public_report WHERE id = ANY($1::uuid[])`, []string{a.ID, b.ID}); n != 0 {
		t.Errorf("%d EST incidents public before anyone published them", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'est.report' AND entity = 'report'
		AND entity_id = ANY($1) AND municipalities = '{0685}' AND actor = 'planner@kommun-0685.demo.trygg.se'`,
		[]string{a.ID, b.ID}); n != 2 {
		t.Errorf("%d audit entries, want 2", n)
	}
	// The public position is snapped; the staff position is exact.
	if n := f.count(t, `SELECT count(*) FROM report WHERE id = $1 AND NOT ST_Equals(geom, public_geom)`, a.ID); n != 1 {
		t.Error("the public position is not snapped")
	}
	// The police of the area may report too.
	addEST(t, police, f.app, trygg.ESTIncident{Report: trygg.Report{Location: p, ObservedAt: estAt(t, "2026-11-19T16:00:00+01:00")},
		Type: "farlig-korning"})

	// Listing: RLS scope, filters.
	list, err := f.app.ESTIncidents(vetlanda, postgis.ESTFilter{})
	if err != nil || len(list) != 3 || list[0].ID != b.ID {
		t.Fatalf("Vetlanda's list: %v, %d incidents", err, len(list))
	}
	list, err = f.app.ESTIncidents(vetlanda, postgis.ESTFilter{Types: []string{"skadegorelse", "farlig-korning"},
		From: *estAt(t, "2026-11-20T00:00:00+01:00")})
	if err != nil || len(list) != 1 || list[0].ID != a.ID {
		t.Errorf("filtered list: %v, %+v", err, list)
	}
	list, err = f.app.ESTIncidents(varberg, postgis.ESTFilter{})
	if err != nil || len(list) != 0 {
		t.Errorf("Varberg's admin sees %d of Vetlanda's incidents (%v)", len(list), err)
	}
	list, err = f.app.ESTIncidents(varberg, postgis.ESTFilter{Municipality: "0685"})
	if err != nil || len(list) != 0 {
		t.Errorf("Varberg's admin asking for Vetlanda sees %d incidents (%v)", len(list), err)
	}

	// All or nothing: every refusal named by index, nothing written.
	before := f.count(t, `SELECT count(*) FROM report WHERE source = 'est'`)
	ok := trygg.ESTIncident{Report: trygg.Report{Location: p, ObservedAt: estAt(t, "2026-11-20T10:00:00+01:00")}, Type: "klotter"}
	outside := ok
	outside.Location = orb.Point{18.07, 59.33} // Stockholm: no municipality of the demo
	inVarberg := ok
	inVarberg.Location = f.estPoint(t, "1383", 0, 0)
	wrongOrg := ok
	wrongOrg.ReportedByOrg = "lpo-varberg"
	noOrg := ok
	noOrg.ReportedByOrg = "kommun-9999"
	got, rej, err := f.app.AddESTIncidents(vetlanda, []trygg.ESTIncident{ok, outside, inVarberg, wrongOrg, noOrg}, 50)
	if err != nil || got != nil {
		t.Fatalf("AddESTIncidents with refusals: %v, %v", got, err)
	}
	wantCodes := map[int]string{1: postgis.RejectOutside, 2: postgis.RejectNotServed, 3: postgis.RejectOrganisation, 4: postgis.RejectOrganisation}
	if len(rej) != len(wantCodes) {
		t.Fatalf("rejections %+v", rej)
	}
	for _, r := range rej {
		if wantCodes[r.Index] != r.Code || r.Reason == "" {
			t.Errorf("rejection %+v, want code %q", r, wantCodes[r.Index])
		}
	}
	if n := f.count(t, `SELECT count(*) FROM report WHERE source = 'est'`); n != before {
		t.Errorf("%d EST incidents after a refused list, want %d", n, before)
	}

	// The store checks its input too.
	for name, inc := range map[string]trygg.ESTIncident{
		"alias":       {Report: trygg.Report{Location: p, ObservedAt: ok.ObservedAt}, Type: "vandalism"},
		"no time":     {Report: trygg.Report{Location: p}, Type: "klotter"},
		"no location": {Report: trygg.Report{ObservedAt: ok.ObservedAt}, Type: "klotter"},
	} {
		if _, _, err := f.app.AddESTIncidents(vetlanda, []trygg.ESTIncident{inc}, 50); trygg.ErrorCode(err) != trygg.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if _, _, err := f.app.AddESTIncidents(context.Background(), []trygg.ESTIncident{ok}, 50); trygg.ErrorCode(err) != trygg.EUNAUTHORIZED {
		t.Errorf("the public: %v, want unauthorized", err)
	}
	// An operator names the reporting organisation.
	if _, _, err := f.owner.AddESTIncidents(staffCLI("est"), []trygg.ESTIncident{ok}, 50); trygg.ErrorField(err) != "reported_by_org" {
		t.Errorf("operator without organisation: %v", err)
	}
	cli := ok
	cli.ReportedByOrg = "kommun-0685"
	if got := addEST(t, staffCLI("est"), f.owner, cli); got[0].CreatedBy != "" {
		t.Errorf("created by %q, want nobody", got[0].CreatedBy)
	}
}

// TestESTWeekly counts incidents around week boundaries, in Swedish time, across the
// years 2025/2026 (2026-W01 follows 2025-W52) and 2020/2021 (2020 has a week 53).
func TestESTWeekly(t *testing.T) {
	f := newStaffFixture(t, false)
	planner := f.as(t, trygg.RolePlanner, "kommun-0685")
	p := f.estPoint(t, "0685", 0, 0)
	inc := func(at, typ, area string) trygg.ESTIncident {
		return trygg.ESTIncident{Report: trygg.Report{Location: p, ObservedAt: estAt(t, at)}, Type: typ, Area: area}
	}
	addEST(t, planner, f.app,
		// 2025-W46 (10–16 November 2025)
		inc("2025-11-10T00:00:00+01:00", "klotter", "Resecentrum"),
		inc("2025-11-16T22:59:59Z", "klotter", "Stortorget"),       // Sunday 23:59:59 in Sweden
		inc("2025-11-09T23:00:00+01:00", "klotter", "Resecentrum"), // 2025-W45: not counted
		// 2025-W47 (17–23 November 2025)
		inc("2025-11-16T23:30:00Z", "klotter", "Resecentrum"), // Monday 00:30 in Sweden
		inc("2025-11-18T12:00:00+01:00", "skadegorelse", "Resecentrum"),
		inc("2025-11-19T20:00:00+01:00", "skadegorelse", ""),
		inc("2025-11-23T23:59:00+01:00", "narkotika", "  "),
		inc("2025-11-24T00:00:00+01:00", "narkotika", "Resecentrum"), // 2025-W48: not counted
		// 2025-W52 (22–28 December 2025) and 2026-W01 (29 December 2025 – 4 January 2026)
		inc("2025-12-28T23:00:00+01:00", "vald", "Stortorget"),
		inc("2025-12-29T00:00:00+01:00", "vald", "Stortorget"),
		inc("2025-12-31T23:50:00+01:00", "skadegorelse", "Stortorget"),
		inc("2026-01-04T22:00:00+01:00", "stokiga-grupper", "Resecentrum"),
		inc("2026-01-05T00:00:00+01:00", "stokiga-grupper", "Resecentrum"), // 2026-W02
		inc("2025-12-21T23:00:00+01:00", "vald", "Stortorget"),             // 2025-W51
		// 2020-W52 (21–27 December 2020), 2020-W53 (28 December 2020 – 3 January 2021), 2021-W01 (4–10 January 2021)
		inc("2020-12-27T12:00:00+01:00", "inbrott-stold", "Skolan"),
		inc("2020-12-28T12:00:00+01:00", "inbrott-stold", "Skolan"),
		inc("2021-01-01T01:00:00+01:00", "farlig-korning", "Skolan"),
		inc("2021-01-03T23:59:59+01:00", "farlig-korning", ""),
		inc("2021-01-04T00:00:00+01:00", "annat", "Skolan"),
	)
	// A rejected incident does not count; another municipality's does not either.
	rejected := addEST(t, planner, f.app, inc("2025-11-18T13:00:00+01:00", "vald", "Resecentrum"))[0]
	if _, err := f.app.Moderate(f.as(t, trygg.RoleAdmin, "kommun-0685"), rejected.ID, postgis.Moderation{Action: "reject", Reason: "dubblett"}); err != nil {
		t.Fatal(err)
	}
	mariestad := trygg.ESTIncident{Report: trygg.Report{Location: f.estPoint(t, "1493", 0, 0), ObservedAt: estAt(t, "2025-11-18T12:00:00+01:00")}, Type: "vald"}
	addEST(t, f.as(t, trygg.RolePlanner, "kommun-1493"), f.app, mariestad)

	type line struct {
		key             string
		count, previous int
	}
	lines := func(cs []trygg.ESTCount) []line {
		var out []line
		for _, c := range cs {
			out = append(out, line{c.Type + c.Area, c.Count, c.Previous})
			if c.Change != c.Count-c.Previous {
				t.Errorf("%+v: change is not count - previous", c)
			}
		}
		return out
	}
	cases := []struct {
		week, prev, from string
		total            line
		byType, byArea   []line
	}{
		{"2025-W47", "2025-W46", "2025-11-17T00:00:00+01:00", line{"", 4, 2},
			[]line{{"skadegorelse", 2, 0}, {"klotter", 1, 2}, {"narkotika", 1, 0}},
			[]line{{"Resecentrum", 2, 1}, {"(ingen plats)", 2, 0}, {"Stortorget", 0, 1}}},
		{"2026-W01", "2025-W52", "2025-12-29T00:00:00+01:00", line{"", 3, 1},
			[]line{{"vald", 1, 1}, {"skadegorelse", 1, 0}, {"stokiga-grupper", 1, 0}},
			[]line{{"Stortorget", 2, 1}, {"Resecentrum", 1, 0}}},
		{"2021-W01", "2020-W53", "2021-01-04T00:00:00+01:00", line{"", 1, 3},
			[]line{{"annat", 1, 0}, {"farlig-korning", 0, 2}, {"inbrott-stold", 0, 1}},
			[]line{{"Skolan", 1, 2}, {"(ingen plats)", 0, 1}}},
		{"2020-W53", "2020-W52", "2020-12-28T00:00:00+01:00", line{"", 3, 1},
			[]line{{"farlig-korning", 2, 0}, {"inbrott-stold", 1, 1}},
			[]line{{"Skolan", 2, 1}, {"(ingen plats)", 1, 0}}},
		{"2024-W10", "2024-W09", "2024-03-04T00:00:00+01:00", line{"", 0, 0}, nil, nil},
	}
	for _, c := range cases {
		w, err := trygg.ParseISOWeek("week", c.week)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.app.ESTWeekly(planner, "0685", w)
		if err != nil {
			t.Fatalf("%s: %v", c.week, err)
		}
		if s.Week != c.week || s.PreviousWeek != c.prev || s.From.Format(time.RFC3339) != c.from || s.Municipality != "0685" {
			t.Errorf("%s: week %s, previous %s, from %s", c.week, s.Week, s.PreviousWeek, s.From.Format(time.RFC3339))
		}
		if !s.PreviousFrom.Equal(s.From.AddDate(0, 0, -7)) || !s.To.Equal(s.From.AddDate(0, 0, 7)) {
			t.Errorf("%s: previous from %s, to %s", c.week, s.PreviousFrom, s.To)
		}
		if got := (line{"", s.Total.Count, s.Total.Previous}); got != c.total || s.Total.Change != c.total.count-c.total.previous {
			t.Errorf("%s: total %+v, want %+v", c.week, s.Total, c.total)
		}
		if got := lines(s.ByType); !slices.Equal(got, c.byType) {
			t.Errorf("%s: by type %+v, want %+v", c.week, got, c.byType)
		}
		if got := lines(s.ByArea); !slices.Equal(got, c.byArea) {
			t.Errorf("%s: by area %+v, want %+v", c.week, got, c.byArea)
		}
		if b, _ := json.Marshal(s); !strings.Contains(string(b), `"by_type":[`) || !strings.Contains(string(b), `"by_area":[`) {
			t.Errorf("%s: empty lists must be [] in JSON: %s", c.week, b)
		}
	}

	// Row-level security: Varberg's admin, asking the store for Vetlanda, counts nothing.
	w, _ := trygg.ParseISOWeek("week", "2025-W47")
	s, err := f.app.ESTWeekly(f.as(t, trygg.RoleAdmin, "kommun-1383"), "0685", w)
	if err != nil || s.Total.Count+s.Total.Previous != 0 || len(s.ByType) != 0 {
		t.Errorf("Varberg's admin counts Vetlanda's incidents: %+v, %v", s, err)
	}
}
