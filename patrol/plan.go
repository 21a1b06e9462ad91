package patrol

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/geo"
	"github.com/trygg-gis/trygg/hotspot"
	"github.com/trygg-gis/trygg/postgis"
)

// StopStats are a stop's hot area or place as the plan shows it: the analysis' numbers when
// planned, and the patrol dose at the place (minutes present per week over the last
// DoseWeeks weeks) beside its report trend.
type StopStats struct {
	Rank           int                  `json:"rank"`
	Kind           string               `json:"kind"`
	Score          float64              `json:"score"`
	Z              float64              `json:"z,omitempty"`
	Confidence     int                  `json:"confidence,omitempty"`
	Count          int                  `json:"count"`
	Value          float64              `json:"value"`
	Pattern        string               `json:"pattern,omitempty"`
	Trend          *hotspot.Trend       `json:"trend,omitempty"`
	PeakHours      []int                `json:"peak_hours"`     // the shift's hours with most reports at the place, most first: why it was chosen
	DayPeaks       []int                `json:"day_peak_hours"` // the hours of any day with most reports, most first
	PeakDays       []int                `json:"peak_weekdays"`
	Categories     []postgis.NamedCount `json:"categories"`
	Activity       float64              `json:"activity"` // share of its reports in the shift's hours (see package doc)
	Priority       float64              `json:"priority"`
	DoseMinutes    float64              `json:"dose_minutes_per_week"`
	DoseWeeks      int                  `json:"dose_weeks"`
	WalkM          float64              `json:"walk_m"`
	WalkMinutes    float64              `json:"walk_minutes"`
	DwellMinutes   int                  `json:"dwell_minutes"`
	CellSizeMetres float64              `json:"cell_m,omitempty"`
}

// Plan plans a shift (p normalized and checked), saves the plan and returns it.
func Plan(ctx context.Context, db *postgis.DB, p Params, now time.Time) (*postgis.PatrolPlan, error) {
	var commitment *trygg.Commitment
	if p.CommitmentID != "" {
		c, err := db.Commitment(ctx, p.CommitmentID)
		if trygg.ErrorCode(err) == trygg.ENOTFOUND {
			return nil, trygg.Errorf(trygg.EINVALID, "commitment_id", "no commitment has id %q", p.CommitmentID)
		}
		if err != nil {
			return nil, err
		}
		if c.Municipality != p.Municipality {
			return nil, trygg.Errorf(trygg.EINVALID, "commitment_id", "commitment %s is of municipality %s, not %s",
				c.ID, c.Municipality, p.Municipality)
		}
		commitment = &c
	}
	q := trygg.HotspotQuery{Municipality: p.Municipality, Categories: p.Categories, Period: trygg.PeriodMonth}
	q.Normalize(now)
	cats, err := db.Categories(ctx)
	if err != nil {
		return nil, err
	}
	if err := q.Check(cats); err != nil {
		if trygg.ErrorField(err) == "category" {
			return nil, trygg.Errorf(trygg.EINVALID, "categories", "%s", trygg.ErrorMessage(err))
		}
		return nil, err
	}
	m, err := db.Municipality(ctx, p.Municipality)
	if err != nil {
		return nil, err
	}
	muni := m.Name + " kommun"
	params, err := json.Marshal(p)
	if err != nil {
		return nil, trygg.Errorf(trygg.EINTERNAL, "", "encode parameters: %v", err)
	}
	plan := &postgis.PatrolPlan{Municipality: p.Municipality, ShiftStart: p.ShiftStart, ShiftEnd: p.ShiftEnd,
		Start: p.Start, Params: params, Seed: p.Seed, Notes: []string{}, CommitmentID: p.CommitmentID}

	outside, err := db.MetresOutside(ctx, p.Municipality, p.Start)
	if err != nil {
		return nil, err
	}
	if outside > StartOutsideM {
		plan.NoStops = &postgis.NoStops{Code: NoStopStartOutside, Message: fmt.Sprintf(
			"Startpunkten ligger %s km utanför %s. Välj en start i kommunen: din position där eller en punkt på kartan.",
			strings.Replace(strconv.FormatFloat(outside/1000, 'f', 1, 64), ".", ",", 1), muni)}
		if err := db.SavePatrolPlan(ctx, plan); err != nil {
			return nil, err
		}
		return plan, nil
	}

	cands, reports, startXY, err := candidates(ctx, db, q, p, commitment)
	if err != nil {
		return nil, err
	}
	gap := time.Duration(p.GapMinutes) * time.Minute
	refs, err := db.PatrolStopsBetween(ctx, p.Municipality, p.ShiftStart.Add(-gap), p.ShiftEnd.Add(gap))
	if err != nil {
		return nil, err
	}
	visits := make([]Visit, len(refs))
	for i, r := range refs {
		v := Visit{Key: r.TargetKey, XY: geo.Point2{X: r.X, Y: r.Y}, From: r.PlannedArrival, To: r.PlannedDeparture}
		if r.ArrivedAt != nil {
			v.From, v.To = *r.ArrivedAt, *r.ArrivedAt
			if r.DepartedAt != nil {
				v.To = *r.DepartedAt
			}
		}
		visits[i] = v
	}
	chosen, notes, why := Choose(cands, visits, p)
	stops, metres, more := Schedule(startXY, chosen, p)
	notes = append(notes, more...)
	if len(stops) == 0 {
		if why == "" {
			why = NoStopDoesNotFit
		}
		if reports == 0 && (why == NoStopNoCandidates || why == NoStopNoneActive) {
			why = NoStopNoReports
		}
		plan.NoStops = &postgis.NoStops{Code: why, Message: noStopsMessage(why, p, muni)}
	}

	doses, err := db.PatrolDoses(ctx, p.Municipality, DoseWeeks, now)
	if err != nil {
		return nil, err
	}
	dose := map[string]float64{}
	for _, d := range doses {
		dose[d.TargetKey] = d.MinutesPerWeek
	}
	plan.Notes, plan.RouteM = append(plan.Notes, notes...), round(metres, 1)
	for _, s := range stops {
		h := s.Hotspot
		st := StopStats{Rank: h.Rank, Kind: h.Kind, Score: h.Score, Z: round(h.Z, 3), Confidence: h.Confidence,
			Count: h.Count, Value: h.Value, Pattern: h.Pattern, Trend: h.Trend,
			PeakHours:  ShiftPeaks(h.Profile.HourWeekday, p.ShiftStart, p.ShiftEnd, 3),
			DayPeaks:   h.PeakHours,
			PeakDays:   h.PeakDays,
			Categories: h.Profile.Categories, Activity: round(s.Activity, 4),
			Priority: round(s.Priority, 4), DoseMinutes: round(dose[s.Key], 1), DoseWeeks: DoseWeeks,
			WalkM: round(s.WalkM, 1), WalkMinutes: round(s.WalkMinutes, 1), DwellMinutes: p.DwellMinutes}
		if h.Cell != nil {
			st.CellSizeMetres = q.CellM
		}
		b, err := json.Marshal(st)
		if err != nil {
			return nil, trygg.Errorf(trygg.EINTERNAL, "", "encode stop: %v", err)
		}
		plan.Stops = append(plan.Stops, postgis.PatrolStop{Seq: s.Seq, TargetKey: s.Key, Name: s.Name, PlaceID: s.PlaceID,
			Polygon: s.Polygon, Point: s.Point, Hotspot: b, PlannedArrival: s.Arrival, PlannedDeparture: s.Departure})
	}
	if err := db.SavePatrolPlan(ctx, plan); err != nil {
		return nil, err
	}
	return plan, nil
}

// noStopsMessage is why a plan has no stops, in Swedish, for the officer.
func noStopsMessage(code string, p Params, muni string) string {
	hours := p.ShiftStart.In(trygg.SwedishTime).Format("15:04") + "–" + p.ShiftEnd.In(trygg.SwedishTime).Format("15:04")
	what := "Inget hett område och ingen av åtagandets platser"
	if p.Source == SourcePlaces {
		what = "Ingen namngiven plats"
	}
	switch code {
	case NoStopNoReports:
		if len(p.Categories) > 0 {
			return fmt.Sprintf("Det finns inga rapporter i de valda kategorierna i %s att planera efter.", muni)
		}
		return fmt.Sprintf("Det finns inga rapporter i %s att planera efter.", muni)
	case NoStopNoCandidates:
		if p.Source == SourcePlaces {
			return fmt.Sprintf("%s har inga namngivna platser. Spara platser eller planera från heta områden.", muni)
		}
		return fmt.Sprintf("Analysen hittade inga heta områden i %s.", muni)
	case NoStopNoneActive:
		return fmt.Sprintf("%s har rapporter under passets timmar (%s). Prova ett annat pass eller andra kategorier.", what, hours)
	case NoStopAllVisited:
		return fmt.Sprintf("Alla platser som är aktiva under passet (%s) besöks redan av andra pass inom %d minuter.", hours, p.GapMinutes)
	case NoStopDoesNotFit:
		return fmt.Sprintf("Inget stopp ryms i passet: gången från starten och %d minuter på plats slutar efter %s.",
			p.DwellMinutes, p.ShiftEnd.In(trygg.SwedishTime).Format("15:04"))
	}
	return "Planen har inga stopp."
}

// candidates are the plan's candidates (package doc, rule 1) with where to walk to,
// its SWEREF 99 TM coordinates, its target key and its name; the reports they were
// found from (the analysis', or the places' when no analysis ran); and the start in
// SWEREF 99 TM.
func candidates(ctx context.Context, db *postgis.DB, q trygg.HotspotQuery, p Params, c *trygg.Commitment) ([]Candidate, int, geo.Point2, error) {
	var cands []Candidate
	var geoms []orb.Geometry // where each candidate is, for its walk point
	reports := 0
	if p.Source == SourceHotspots {
		res, err := hotspot.Run(ctx, db, q)
		if err != nil {
			return nil, 0, geo.Point2{}, err
		}
		reports = res.Reports
		for _, h := range res.Hotspots {
			if len(h.Polygon) == 0 {
				continue
			}
			cands = append(cands, Candidate{Kind: KindArea, Tier: 1, Hotspot: h, Polygon: h.Polygon})
			geoms = append(geoms, h.Polygon)
		}
	}
	areas := len(cands)

	saved, err := db.Places(ctx, p.Municipality)
	if err != nil {
		return nil, 0, geo.Point2{}, err
	}
	byID := map[string]postgis.Place{}
	for _, pl := range saved {
		byID[pl.ID] = pl
	}
	// The places: the commitment's first, then (for SourcePlaces) the saved places
	// the commitment does not name.
	var placeGeoms []orb.Geometry
	named := map[string]bool{}
	if c != nil {
		for i, cp := range c.Places {
			g, name := cp.Geometry, cp.Name
			if pl, ok := byID[cp.PlaceID]; ok {
				if g == nil {
					g = pl.Polygon
				}
				if name == "" {
					name = pl.Name
				}
			}
			if g == nil {
				continue
			}
			if name == "" {
				name = fmt.Sprintf("Åtagandets plats %d", i+1)
			}
			cand := Candidate{Kind: KindCommitment, Tier: 0, Key: "commitment-place:" + cp.ID, Name: name}
			if cp.PlaceID != "" {
				cand.Key, cand.PlaceID = "place:"+cp.PlaceID, cp.PlaceID
				named[cp.PlaceID] = true
			}
			cand.Place = cand.Key
			if poly, ok := g.(orb.Polygon); ok {
				cand.Polygon = poly
			}
			cands = append(cands, cand)
			placeGeoms = append(placeGeoms, g)
		}
	}
	if p.Source == SourcePlaces {
		for _, pl := range saved {
			if named[pl.ID] || len(pl.Polygon) == 0 {
				continue
			}
			cands = append(cands, Candidate{Kind: KindPlace, Tier: 1, Key: "place:" + pl.ID, Name: pl.Name, PlaceID: pl.ID,
				Place: "place:" + pl.ID, Polygon: pl.Polygon})
			placeGeoms = append(placeGeoms, pl.Polygon)
		}
	}
	acts, err := db.PlaceActivities(ctx, q, placeGeoms, PlaceBufferM)
	if err != nil {
		return nil, 0, geo.Point2{}, err
	}
	for i, a := range acts {
		cd := &cands[areas+i]
		hours, days := Peaks(a.Profile.HourWeekday, 3, 2)
		cd.Hotspot = hotspot.Hotspot{Kind: cd.Kind, Score: round(a.Value, 3), Value: round(a.Value, 3), Count: a.Count,
			Profile: a.Profile, PeakHours: hours, PeakDays: days}
		if p.Source == SourcePlaces {
			reports += a.Count
		}
	}
	geoms = append(geoms, placeGeoms...)

	pts, err := db.WalkPoints(ctx, geoms)
	if err != nil {
		return nil, 0, geo.Point2{}, err
	}
	xys, err := db.ToSWEREF(ctx, append([]orb.Point{p.Start}, pts...))
	if err != nil {
		return nil, 0, geo.Point2{}, err
	}
	if len(pts) != len(cands) || len(xys) != len(pts)+1 {
		return nil, 0, geo.Point2{}, trygg.Errorf(trygg.EINTERNAL, "", "transformed %d of %d points", len(xys), len(pts)+1)
	}
	for i := range cands {
		cands[i].Point, cands[i].XY = pts[i], geo.Point2{X: xys[i+1][0], Y: xys[i+1][1]}
	}
	// The hot areas' keys and names from the named places near them.
	near, err := db.NearestNamedPlaces(ctx, p.Municipality, pts[:areas])
	if err != nil {
		return nil, 0, geo.Point2{}, err
	}
	for i := range cands[:areas] {
		cd, n := &cands[i], near[i]
		cd.Key = Key(cd.Hotspot, q, cd.XY)
		switch {
		case n.Name == "" || n.M > NearWithinM:
			cd.Name = fmt.Sprintf("Hett område %d", cd.Hotspot.Rank)
		case n.M == 0 && n.PlaceID != "":
			cd.Key, cd.Name, cd.PlaceID, cd.Place = "place:"+n.PlaceID, n.Name, n.PlaceID, n.Ref
		case n.M <= NameWithinM:
			cd.Name, cd.Place = n.Name, n.Ref
		default:
			cd.Name = "Område nära " + n.Name
		}
	}
	return cands, reports, geo.Point2{X: xys[0][0], Y: xys[0][1]}, nil
}

func round(f float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(f*p) / p
}
