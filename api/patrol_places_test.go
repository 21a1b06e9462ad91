package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// Places in Vara for the patrol tests of named places: Resecentrum (the night place)
// and Stora torget 480 m south-east of it (the day place), and Parken 800 m east.
var (
	placeRese   = [2]float64{12.9493, 58.2625}
	placeTorget = [2]float64{12.9560, 58.2600}
	placeParken = [2]float64{12.9640, 58.2625}
)

func placeBox(c [2]float64, dlon, dlat float64) orb.Polygon {
	return orb.Polygon{{{c[0] - dlon, c[1] - dlat}, {c[0] + dlon, c[1] - dlat}, {c[0] + dlon, c[1] + dlat},
		{c[0] - dlon, c[1] + dlat}, {c[0] - dlon, c[1] - dlat}}}
}

// seedPlaceReports adds n reports within about 40 m of c in Vara, named for when
// (report.times), on n consecutive days from 2026-08-01 at hour (Swedish time). With
// observed, each has observed_at at that hour too; created_at is 07:00 of its day, an
// import's hour, which must never be taken for the time a place is unsafe.
func seedPlaceReports(t *testing.T, e *env, c [2]float64, n, hour int, when string, observed bool) {
	t.Helper()
	obs := "NULL::timestamptz"
	if observed {
		obs = fmt.Sprintf("timestamptz '2026-08-01 00:00 Europe/Stockholm' + i * interval '1 day' + %d * interval '1 hour'", hour)
	}
	pgtest.Exec(t, e.url, fmt.Sprintf(`
		INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, times, description,
		                    public_description, source, precision, status, observed_at, created_at)
		SELECT gen_random_uuid(), '1470', g, report_public_geom(g, 50), 'stokiga-grupper', 1, '{%[4]s}', 'x', 'x',
		       'resident', 'exact', 'published', %[5]s,
		       timestamptz '2026-08-01 07:00 Europe/Stockholm' + i * interval '1 day'
		FROM generate_series(1, %[3]d) i,
		     LATERAL (SELECT ST_SetSRID(ST_MakePoint(%[1]f + (i %% 5 - 2) * 0.0002, %[2]f + (i / 5 %% 5 - 2) * 0.0001), 4326) AS g) p`,
		c[0], c[1], n, when, obs))
}

// savePlaces saves Resecentrum and Stora torget as named places of Vara.
func savePlaces(t *testing.T, e *env) (rese, torget postgis.Place) {
	t.Helper()
	ctx := trygg.NewContext(context.Background(), &trygg.Caller{Actor: "cli:test"})
	rese = postgis.Place{Municipality: "1470", Name: "Resecentrum", Polygon: placeBox(placeRese, 0.0012, 0.0006)}
	torget = postgis.Place{Municipality: "1470", Name: "Stora torget", Polygon: placeBox(placeTorget, 0.0012, 0.0006)}
	for _, p := range []*postgis.Place{&rese, &torget} {
		if err := e.owner.CreatePlace(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	return rese, torget
}

type patrolStopView struct {
	Name      string
	Target    string
	PeakHours []int
	Point     [2]float64
}

func stopViews(t *testing.T, fc patrolFC) []patrolStopView {
	t.Helper()
	pts := fc.stops(t)
	var out []patrolStopView
	for _, f := range fc.Features {
		if f.Properties.Kind == "stop" {
			out = append(out, patrolStopView{Name: f.Properties.Name, Target: f.Properties.Target,
				PeakHours: f.Properties.Hotspot.PeakHours, Point: pts[len(out)]})
		}
	}
	return out
}

// The shifts: Tuesday 17 November 2026, a day shift 08–16 and a night shift 22–06.
const (
	dayShiftStart, dayShiftEnd     = "2026-11-17T08:00:00+01:00", "2026-11-17T16:00:00+01:00"
	nightShiftStart, nightShiftEnd = "2026-11-17T22:00:00+01:00", "2026-11-18T06:00:00+01:00"
)

// planNightAndDay plans a night and a day shift from Vara's named places only and
// checks the night's stop is at Resecentrum (named for nights) and the day's at Stora
// torget (named for days), each with its hours.
func planNightAndDay(t *testing.T, e *env, observed bool) {
	t.Helper()
	police := e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg")
	pc := e.signIn(t, police.Email)
	for _, tc := range []struct {
		name, start, end, want, other string
		hour                          int
	}{
		{"night", nightShiftStart, nightShiftEnd, "Resecentrum", "Stora torget", 23},
		{"day", dayShiftStart, dayShiftEnd, "Stora torget", "Resecentrum", 12},
	} {
		resp, body := pc.do(t, http.MethodPost, "/api/v1/patrol-plans", patrolBody(tc.start, tc.end,
			map[string]any{"source": "places", "stops": 2, "seed": 3}))
		wantStatus(t, resp, body, http.StatusCreated)
		ss := stopViews(t, decodePatrol(t, body))
		if len(ss) == 0 || ss[0].Name != tc.want {
			t.Fatalf("%s shift: stops %+v, want the first at %s: %s", tc.name, ss, tc.want, body)
		}
		for _, s := range ss {
			if s.Name == tc.other {
				t.Errorf("%s shift goes to %s too: %s", tc.name, tc.other, body)
			}
		}
		// Observed reports peak at their hour; named ones spread evenly over the named
		// hours, so any peak hour must lie in them (night 22–06, day 06–18).
		inNamed := len(ss[0].PeakHours) > 0
		for _, h := range ss[0].PeakHours {
			if night := h >= 22 || h < 6; night != (tc.name == "night") || !night && h >= 18 {
				inNamed = false
			}
		}
		if observed && !slices.Contains(ss[0].PeakHours, tc.hour) || !observed && !inNamed ||
			!strings.HasPrefix(ss[0].Target, "place:") {
			t.Errorf("%s shift's stop: %+v, want peak hour %d and a place target", tc.name, ss[0], tc.hour)
		}
	}
}

// TestPatrolPlacesNightAndDay: two named places, one where people named nights (and
// gave times at night), one where they named days: a night shift's stop is at the
// first, a day shift's at the second, from named places only (source=places).
func TestPatrolPlacesNightAndDay(t *testing.T) {
	e := newEnv(t, nil)
	savePlaces(t, e)
	seedPlaceReports(t, e, placeRese, 25, 23, "night", true)
	seedPlaceReports(t, e, placeTorget, 25, 12, "day", true)
	planNightAndDay(t, e, true)
}

// TestPatrolPlacesNamedTimesOnly is TestPatrolPlacesNightAndDay with named times only
// (`when`, no observed_at; created_at at 07:00, an import's hour): the time of a report
// is read from `when`, never from when it was entered (on the code before, a night
// shift found no stop).
func TestPatrolPlacesNamedTimesOnly(t *testing.T) {
	e := newEnv(t, nil)
	savePlaces(t, e)
	seedPlaceReports(t, e, placeRese, 25, 0, "night", false)
	seedPlaceReports(t, e, placeTorget, 25, 0, "day", false)
	planNightAndDay(t, e, false)
}

// TestPatrolPlanCommitmentPlaces: a plan for a foot-patrol commitment whose places are
// Resecentrum (a point), Stora torget (a polygon, over a dense hot area) and Parken (a
// line, reports only at night): a day shift goes to Resecentrum and once to Stora
// torget, never twice near the square, and not to Parken; a night shift goes to
// Parken. Stops are at least 150 m apart and named by their places.
func TestPatrolPlanCommitmentPlaces(t *testing.T) {
	e := newEnv(t, nil)
	seedPatrolHotspots(t, e) // a dense day place and a night place 1.7 km east of Vara centre
	seedPlaceReports(t, e, placeTorget, 25, 11, "day", true)
	seedPlaceReports(t, e, placeRese, 6, 9, "day", true)
	seedPlaceReports(t, e, placeParken, 6, 23, "night", true)
	police := e.addUser(t, trygg.RolePolice, "lpo-vastra-skaraborg")
	pc := e.signIn(t, police.Email)
	ctx := trygg.NewContext(context.Background(), &trygg.Caller{Actor: "cli:test"})
	day := func(s string) trygg.Date { d, _ := trygg.ParseDate(s); return d }
	pr, err := e.owner.CreatePromise(ctx, trygg.Promise{Municipality: "1470", Title: "Medborgarlöfte Vara",
		PeriodStart: day("2026-01-01"), PeriodEnd: day("2027-12-31"), Status: trygg.PromiseActive})
	if err != nil {
		t.Fatal(err)
	}
	cm, err := e.owner.AddCommitment(ctx, pr.ID, trygg.Commitment{Party: trygg.PartyPolice, ActivityKind: trygg.KindFootPatrol,
		Text: "Fotpatrull vid platser från VEST-mötet", Places: []trygg.CommitmentPlace{
			{Name: "Resecentrum", Geometry: orb.Point(placeRese)},
			{Name: "Stora torget", Geometry: placeBox(placeTorget, 0.0012, 0.0006)},
			{Name: "Parken", Geometry: orb.LineString{{placeParken[0] - 0.001, placeParken[1]}, {placeParken[0] + 0.001, placeParken[1]}}},
		}})
	if err != nil {
		t.Fatal(err)
	}

	plan := func(start, end string, stops int) ([]patrolStopView, patrolFC) {
		t.Helper()
		resp, body := pc.do(t, http.MethodPost, "/api/v1/patrol-plans", patrolBody(start, end,
			map[string]any{"commitment_id": cm.ID, "stops": stops, "seed": 11}))
		wantStatus(t, resp, body, http.StatusCreated)
		fc := decodePatrol(t, body)
		ss := stopViews(t, fc)
		for i := range ss {
			if ss[i].Name == "" || strings.HasPrefix(ss[i].Name, "Hotspot") {
				t.Errorf("stop %d is named %q", i+1, ss[i].Name)
			}
			for j := range i {
				if d := metresBetween(ss[i].Point, ss[j].Point); d < 150 {
					t.Errorf("stops %s and %s are %.0f m apart", ss[j].Name, ss[i].Name, d)
				}
			}
		}
		return ss, fc
	}
	names := func(ss []patrolStopView) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Name)
		}
		return out
	}

	ss, fc := plan(dayShiftStart, dayShiftEnd, 3)
	got := names(ss)
	if !slices.Contains(got, "Resecentrum") || !slices.Contains(got, "Stora torget") || slices.Contains(got, "Parken") {
		t.Fatalf("day shift for the commitment: %v, want Resecentrum and Stora torget, not Parken (notes %v)", got, fc.Notes)
	}
	near := 0
	for _, s := range ss {
		if metresBetween(s.Point, placeTorget) < 300 {
			near++
		}
	}
	if near != 1 {
		t.Errorf("%d stops within 300 m of Stora torget: %v", near, got)
	}
	if !strings.Contains(strings.Join(fc.Notes, ";"), "Åtagandets plats Parken har inga rapporter under passets timmar") {
		t.Errorf("notes: %v", fc.Notes)
	}
	if d := metresBetween(ss[slices.Index(got, "Resecentrum")].Point, placeRese); d > 1 {
		t.Errorf("the Resecentrum stop is %.1f m from its point", d)
	}

	ss, fc = plan(nightShiftStart, nightShiftEnd, 2)
	if got := names(ss); !slices.Contains(got, "Parken") || slices.Contains(got, "Resecentrum") || slices.Contains(got, "Stora torget") {
		t.Errorf("night shift for the commitment: %v, want Parken (notes %v)", got, fc.Notes)
	}
	// Parken's stop is the middle of its line, with its night hour.
	for _, s := range ss {
		if s.Name == "Parken" && (metresBetween(s.Point, placeParken) > 1 || !slices.Contains(s.PeakHours, 23)) {
			t.Errorf("Parken's stop: %+v", s)
		}
	}

	// From the commitment's places only, drugs (reported only at the night place of
	// seedPatrolHotspots, far from them): no stops, because no reports.
	resp, body := pc.do(t, http.MethodPost, "/api/v1/patrol-plans", patrolBody(dayShiftStart, dayShiftEnd,
		map[string]any{"commitment_id": cm.ID, "categories": []string{"narkotika"}, "source": "places"}))
	wantStatus(t, resp, body, http.StatusCreated)
	if fc := decodePatrol(t, body); len(fc.Features) != 0 || fc.NoStops == nil || fc.NoStops.Code != "no_reports" ||
		!strings.Contains(fc.NoStops.Message, "valda kategorierna") {
		t.Errorf("drugs at the commitment's places by day: %s", body)
	}
}
