package patrol

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/geo"
	"github.com/trygg-gis/trygg/hotspot"
	"github.com/trygg-gis/trygg/postgis"
)

// StopStats are a stop's hotspot as the plan shows it: the analysis' numbers when
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
	PeakHours      []int                `json:"peak_hours"`
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
	res, err := hotspot.Run(ctx, db, q)
	if err != nil {
		return nil, err
	}
	cands, startXY, err := candidates(ctx, db, res, p)
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
	chosen, notes := Choose(cands, visits, p)
	if len(cands) == 0 {
		notes = append(notes, "the analysis found no hotspots in the municipality")
	}
	stops, metres, more := Schedule(startXY, chosen, p)
	notes = append(notes, more...)

	doses, err := db.PatrolDoses(ctx, p.Municipality, DoseWeeks, now)
	if err != nil {
		return nil, err
	}
	dose := map[string]float64{}
	for _, d := range doses {
		dose[d.TargetKey] = d.MinutesPerWeek
	}
	params, err := json.Marshal(p)
	if err != nil {
		return nil, trygg.Errorf(trygg.EINTERNAL, "", "encode parameters: %v", err)
	}
	plan := &postgis.PatrolPlan{Municipality: p.Municipality, ShiftStart: p.ShiftStart, ShiftEnd: p.ShiftEnd,
		Start: p.Start, Params: params, Seed: p.Seed, Notes: notes, RouteM: round(metres, 1), CommitmentID: p.CommitmentID}
	for _, s := range stops {
		h := s.Hotspot
		st := StopStats{Rank: h.Rank, Kind: h.Kind, Score: h.Score, Z: round(h.Z, 3), Confidence: h.Confidence,
			Count: h.Count, Value: h.Value, Pattern: h.Pattern, Trend: h.Trend, PeakHours: h.PeakHours,
			PeakDays: h.PeakDays, Categories: h.Profile.Categories, Activity: round(s.Activity, 4),
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
			Polygon: h.Polygon, Point: s.Point, Hotspot: b, PlannedArrival: s.Arrival, PlannedDeparture: s.Departure})
	}
	if err := db.SavePatrolPlan(ctx, plan); err != nil {
		return nil, err
	}
	return plan, nil
}

// candidates turns the analysis' hotspots into candidates: the point to walk to (a
// point on the hotspot's surface), its SWEREF 99 TM coordinates and its target key (a
// named place containing the point, else the cell or cluster).
func candidates(ctx context.Context, db *postgis.DB, res *hotspot.Result, p Params) ([]Candidate, geo.Point2, error) {
	polys := make([]orb.Polygon, len(res.Hotspots))
	for i, h := range res.Hotspots {
		polys[i] = h.Polygon
	}
	pts, err := db.PointsOnSurface(ctx, polys)
	if err != nil {
		return nil, geo.Point2{}, err
	}
	xys, err := db.ToSWEREF(ctx, append([]orb.Point{p.Start}, pts...))
	if err != nil {
		return nil, geo.Point2{}, err
	}
	if len(xys) != len(pts)+1 {
		return nil, geo.Point2{}, trygg.Errorf(trygg.EINTERNAL, "", "transformed %d of %d points", len(xys), len(pts)+1)
	}
	places, err := db.Places(ctx, p.Municipality)
	if err != nil {
		return nil, geo.Point2{}, err
	}
	var out []Candidate
	for i, h := range res.Hotspots {
		if len(h.Polygon) == 0 {
			continue
		}
		xy := geo.Point2{X: xys[i+1][0], Y: xys[i+1][1]}
		c := Candidate{Key: Key(h, res.Query, xy), Hotspot: h, Point: pts[i], XY: xy}
		for _, pl := range places {
			if planar.PolygonContains(pl.Polygon, pts[i]) {
				c.Key, c.Name, c.PlaceID = "place:"+pl.ID, pl.Name, pl.ID
				break
			}
		}
		if c.Name == "" {
			c.Name = fmt.Sprintf("Hotspot %d", h.Rank)
		}
		out = append(out, c)
	}
	return out, geo.Point2{X: xys[0][0], Y: xys[0][1]}, nil
}

func round(f float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(f*p) / p
}
