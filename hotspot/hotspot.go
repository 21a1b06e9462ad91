// Package hotspot runs a hotspot analysis: the store (postgis) builds the grid, sums
// each cell's weighted reports, clusters points with DBSCAN and counts profiles, all in
// SQL; package geo computes the statistics (Getis-Ord Gi*, Benjamini–Hochberg,
// Mann–Kendall, emerging patterns) and the darkness filter. This package joins the two
// and ranks the hotspots; package api serves the result.
package hotspot

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/geo"
	"github.com/trygg-gis/trygg/postgis"
)

// MaxHotspots is the most hotspots a result lists (the strongest): more than a
// planner or a patrol plan reads, and each costs a profile.
const MaxHotspots = 30

// Alpha is the significance of the emerging hot spot patterns (90 %, as ArcGIS).
const Alpha = 0.10

// Cell is a grid cell with its Gi* statistics.
type Cell struct {
	postgis.HotspotCell
	Z, P    float64 // P adjusted (Benjamini–Hochberg) when the query asks for FDR
	Class   int     // -3 … 3, 0 when not significant or suppressed for the public
	Pattern string  // emerging hot spot pattern over the periods, "" without
}

// Trend is a Mann–Kendall test of a hotspot's weighted values over the periods.
type Trend struct {
	Tau       float64 `json:"tau"`
	Z         float64 `json:"z"`
	P         float64 `json:"p"`
	Direction string  `json:"direction"` // up, down or none (at Alpha)
}

// Period is one period of a hotspot's series.
type Period struct {
	Start time.Time `json:"start"`
	Value float64   `json:"value"` // weighted
	Count int       `json:"count"`
}

// Hotspot is one ranked hotspot: a hot cell (Gi*) or a cluster (DBSCAN).
type Hotspot struct {
	Rank       int             `json:"rank"`
	Kind       string          `json:"kind"` // cell or cluster
	Cell       *postgis.Cell   `json:"cell,omitempty"`
	Polygon    orb.Polygon     `json:"-"`
	Score      float64         `json:"score"`
	Z          float64         `json:"z,omitempty"`
	P          float64         `json:"p,omitempty"`
	Class      int             `json:"class,omitempty"`
	Confidence int             `json:"confidence,omitempty"` // 90, 95 or 99 (%)
	Value      float64         `json:"value"`                // weighted count
	Count      int             `json:"count"`                // reports
	Pattern    string          `json:"pattern,omitempty"`
	Trend      *Trend          `json:"trend,omitempty"`
	Series     []Period        `json:"series,omitempty"` // the cell's reports per period, oldest first
	Profile    postgis.Profile `json:"profile"`
	PeakHours  []int           `json:"peak_hours"`    // the hours (Swedish time) with most reports, most first
	PeakDays   []int           `json:"peak_weekdays"` // 1 Monday … 7 Sunday, most first
}

// Result is an analysis' outcome.
type Result struct {
	Query    trygg.HotspotQuery
	Cells    []Cell // Gi*: every cell of the grid
	Hotspots []Hotspot
	Periods  []time.Time
	Reports  int // reports in the analysis
	Took     time.Duration
	Steps    map[string]time.Duration // the time of each step: darkness, grid, gi, periods, polygons, profiles, clusters

	// UnknownTime is how many reports matching the query but for its time filters have
	// no time (neither observed nor named): counted in Reports without time filters,
	// left out by them, never in a profile's hours.
	UnknownTime int

	periodCells []postgis.HotspotPeriodCell
}

// Run runs q (normalized and checked) against the store.
func Run(ctx context.Context, db *postgis.DB, q trygg.HotspotQuery) (*Result, error) {
	start := time.Now()
	res := &Result{Query: q, Steps: map[string]time.Duration{}}
	keep, err := darkness(ctx, db, q)
	if err != nil {
		return nil, err
	}
	t := res.step("darkness", start)
	if res.UnknownTime, err = db.HotspotUnknownTime(ctx, q); err != nil {
		return nil, err
	}
	res.step("unknown_time", t)
	if q.Method == trygg.MethodDBSCAN {
		err = clusters(ctx, db, q, keep, res)
	} else {
		err = gi(ctx, db, q, keep, res)
	}
	if err != nil {
		return nil, err
	}
	res.Took = time.Since(start)
	return res, nil
}

// step records the time since *since as step name's and restarts it.
func (res *Result) step(name string, since time.Time) time.Time {
	now := time.Now()
	res.Steps[name] += now.Sub(since)
	return now
}

// darkness returns the reports with a slot in darkness (q.Dark true) or daylight
// (false) at their place, each with the hours of its slots that are, or nil when q does
// not filter on it. An observed report is dark or not at its moment (all its one slot
// or none); a report with named times is, for each hour of its slots, dark or not at
// the half hour on its date (Swedish time): night hours are dark in December and light
// in June. A report without a time is left out.
func darkness(ctx context.Context, db *postgis.DB, q trygg.HotspotQuery) (*postgis.Keep, error) {
	if q.Dark == nil {
		return nil, nil
	}
	times, err := db.HotspotReportTimes(ctx, q)
	if err != nil {
		return nil, err
	}
	keep := &postgis.Keep{IDs: make([]string, 0, len(times)), Hours: make([]int32, 0, len(times))}
	for _, t := range times {
		if m := darkHours(t, *q.Dark); m != 0 {
			keep.IDs = append(keep.IDs, t.ID)
			keep.Hours = append(keep.Hours, int32(m))
		}
	}
	return keep, nil
}

// darkHours is the hour mask of t's slots in darkness (dark) or daylight.
func darkHours(t postgis.ReportTime, dark bool) int {
	if t.Observed {
		if t.Hours != 0 && geo.Dark(t.Lat, t.Lon, t.At) == dark {
			return trygg.AllHours
		}
		return 0
	}
	y, mo, d := t.At.In(trygg.SwedishTime).Date()
	m := 0
	for h := range 24 {
		if t.Hours>>h&1 == 1 && geo.Dark(t.Lat, t.Lon, time.Date(y, mo, d, h, 30, 0, 0, trygg.SwedishTime)) == dark {
			m |= 1 << h
		}
	}
	return m
}

func gi(ctx context.Context, db *postgis.DB, q trygg.HotspotQuery, keep *postgis.Keep, res *Result) error {
	t := time.Now()
	var grid []postgis.HotspotCell
	var err error
	if q.Period != "" {
		// The periods' values sum to the grid's: read the reports once, per period.
		grid, err = periodGrid(ctx, db, q, keep, res)
	} else {
		grid, err = db.HotspotGrid(ctx, q, keep)
	}
	if err != nil {
		return err
	}
	t = res.step("grid", t)
	res.Cells = make([]Cell, len(grid))
	for i, c := range grid {
		res.Cells[i] = Cell{HotspotCell: c, P: 1}
		res.Reports += c.Count
	}
	band := q.CellM * q.BandCells
	if err := stats(res.Cells, band, q); err != nil {
		return err
	}
	t = res.step("gi", t)
	if q.Period != "" {
		if err := emerging(band, q, res); err != nil {
			return err
		}
		t = res.step("emerging", t)
	}

	// Hot cells, strongest first: by z, then weighted count, then position (stable).
	var hot []int
	for i, c := range res.Cells {
		if c.Class > 0 {
			hot = append(hot, i)
		}
	}
	slices.SortFunc(hot, func(a, b int) int {
		ca, cb := res.Cells[a], res.Cells[b]
		return cmp.Or(cmp.Compare(cb.Z, ca.Z), cmp.Compare(cb.Value, ca.Value),
			cmp.Compare(ca.I, cb.I), cmp.Compare(ca.J, cb.J))
	})
	hot = hot[:min(len(hot), MaxHotspots)]
	cells := make([]postgis.Cell, len(hot))
	for k, i := range hot {
		cells[k] = res.Cells[i].Cell
	}
	polys, err := db.HotspotCellPolygons(ctx, q, cells)
	if err != nil {
		return err
	}
	t = res.step("polygons", t)
	profiles, err := db.HotspotProfiles(ctx, q, keep, cells)
	if err != nil {
		return err
	}
	res.step("profiles", t)
	for k, i := range hot {
		c := res.Cells[i]
		cell := c.Cell
		h := Hotspot{Rank: k + 1, Kind: "cell", Cell: &cell, Polygon: polys[cell], Score: round(c.Z, 3),
			Z: c.Z, P: c.P, Class: c.Class, Confidence: confidence(c.Class), Value: round(c.Value, 3),
			Count: c.Count, Pattern: c.Pattern}
		if p := profiles[cell]; p != nil {
			h.Profile = *p
		}
		res.Hotspots = append(res.Hotspots, h)
	}
	trends(res)
	finish(res.Hotspots)
	return nil
}

// stats sets each cell's Gi* z, p and class. Fewer than three cells, or values all
// the same (no reports), have no hotspots: every class stays 0.
func stats(cells []Cell, band float64, q trygg.HotspotQuery) error {
	if len(cells) < 3 || allEqual(cells) {
		return nil
	}
	x, y, v := make([]float64, len(cells)), make([]float64, len(cells)), make([]float64, len(cells))
	for i, c := range cells {
		x[i], y[i], v[i] = c.X, c.Y, c.Value
	}
	g, err := geo.GiStar(x, y, v, band)
	if err != nil {
		return trygg.Errorf(trygg.EINTERNAL, "", "gi*: %v", err)
	}
	p := make([]float64, len(g))
	for i := range g {
		p[i] = g[i].P
	}
	if q.FDR {
		p = geo.BHAdjust(p)
	}
	for i := range cells {
		cells[i].Z, cells[i].P = g[i].Z, p[i]
		cells[i].Class = geo.GiClass(g[i].Z, p[i])
		if q.Public && cells[i].Count < q.MinCount {
			cells[i].Class = 0 // too few reports to show the public anything about the place
		}
	}
	return nil
}

func allEqual(cells []Cell) bool {
	for _, c := range cells[1:] {
		if c.Value != cells[0].Value {
			return false
		}
	}
	return true
}

// periodGrid reads the values of every cell in every period (res.Periods and
// res.periodCells) and returns the grid with each cell's values summed over the
// periods: the grid's cells, and any other cell holding a report (a public position
// snapped just outside the boundary), as HotspotGrid returns them.
func periodGrid(ctx context.Context, db *postgis.DB, q trygg.HotspotQuery, keep *postgis.Keep, res *Result) ([]postgis.HotspotCell, error) {
	starts, pcs, err := db.HotspotPeriods(ctx, q, keep)
	if err != nil {
		return nil, err
	}
	res.Periods, res.periodCells = starts, pcs
	grid, err := db.HotspotGridCells(ctx, q)
	if err != nil {
		return nil, err
	}
	index := make(map[postgis.Cell]int, len(grid))
	for i, c := range grid {
		index[c.Cell] = i
	}
	var extra []postgis.HotspotCell
	for _, pc := range pcs {
		i, ok := index[pc.Cell]
		if !ok {
			x, y := postgis.CellCentre(q, pc.Cell)
			extra = append(extra, postgis.HotspotCell{Cell: pc.Cell, X: x, Y: y})
			i = len(grid) + len(extra) - 1
			index[pc.Cell] = i
		}
		if i < len(grid) {
			grid[i].Value += pc.Value
			grid[i].Count += pc.Count
		} else {
			extra[i-len(grid)].Value += pc.Value
			extra[i-len(grid)].Count += pc.Count
		}
	}
	grid = append(grid, extra...)
	slices.SortFunc(grid, func(a, b postgis.HotspotCell) int { return cmp.Or(cmp.Compare(a.I, b.I), cmp.Compare(a.J, b.J)) })
	return grid, nil
}

// emerging runs Gi* on every period's values over the same grid and labels each cell
// with its emerging hot spot pattern.
func emerging(band float64, q trygg.HotspotQuery, res *Result) error {
	starts, pcs := res.Periods, res.periodCells
	if len(starts) < 2 {
		return nil
	}
	index := make(map[postgis.Cell]int, len(res.Cells))
	for i, c := range res.Cells {
		index[c.Cell] = i
	}
	values := make([][]float64, len(starts)) // period → cell → value
	for p := range values {
		values[p] = make([]float64, len(res.Cells))
	}
	for _, pc := range pcs {
		if i, ok := index[pc.Cell]; ok && pc.Period >= 0 && pc.Period < len(starts) {
			values[pc.Period][i] += pc.Value
		}
	}
	z := make([][]float64, len(res.Cells)) // cell → period → z
	p := make([][]float64, len(res.Cells))
	for i := range z {
		z[i], p[i] = make([]float64, len(starts)), make([]float64, len(starts))
	}
	period := make([]Cell, len(res.Cells))
	for t := range starts {
		for i, c := range res.Cells {
			period[i] = Cell{HotspotCell: c.HotspotCell, P: 1}
			period[i].Value = values[t][i]
		}
		if err := stats(period, band, trygg.HotspotQuery{FDR: q.FDR}); err != nil {
			return err
		}
		for i := range period {
			z[i][t], p[i][t] = period[i].Z, period[i].P
		}
	}
	for i := range res.Cells {
		if q.Public && res.Cells[i].Count < q.MinCount {
			continue
		}
		res.Cells[i].Pattern = string(geo.Emerging(z[i], p[i], Alpha))
	}
	return nil
}

// trends sets each hotspot's Mann–Kendall trend of its weighted values over the
// periods.
func trends(res *Result) {
	if len(res.Periods) < 2 {
		return
	}
	series := map[postgis.Cell][]Period{}
	for _, h := range res.Hotspots {
		if h.Cell != nil {
			s := make([]Period, len(res.Periods))
			for i, start := range res.Periods {
				s[i].Start = start
			}
			series[*h.Cell] = s
		}
	}
	for _, pc := range res.periodCells {
		if s, ok := series[pc.Cell]; ok && pc.Period >= 0 && pc.Period < len(s) {
			s[pc.Period].Value += pc.Value
			s[pc.Period].Count += pc.Count
		}
	}
	for i := range res.Hotspots {
		h := &res.Hotspots[i]
		if h.Cell == nil {
			continue
		}
		h.Series = series[*h.Cell]
		values := make([]float64, len(h.Series))
		for k, p := range h.Series {
			h.Series[k].Value = round(p.Value, 4)
			values[k] = p.Value
		}
		if len(values) >= 3 {
			h.Trend = trend(values)
		}
	}
}

func trend(s []float64) *Trend {
	mk, err := geo.MannKendall(s)
	if err != nil {
		return nil
	}
	t := &Trend{Tau: round(mk.Tau, 4), Z: round(mk.Z, 4), P: round(mk.P, 6), Direction: "none"}
	if mk.P < Alpha {
		t.Direction = "up"
		if mk.Z < 0 {
			t.Direction = "down"
		}
	}
	return t
}

func clusters(ctx context.Context, db *postgis.DB, q trygg.HotspotQuery, keep *postgis.Keep, res *Result) error {
	t := time.Now()
	cl, err := db.HotspotClusters(ctx, q, keep)
	if err != nil {
		return err
	}
	res.step("clusters", t)
	for _, c := range cl {
		res.Reports += c.Count
		if q.Public && c.Count < q.MinCount {
			continue
		}
		res.Hotspots = append(res.Hotspots, Hotspot{Kind: "cluster", Polygon: c.Polygon, Score: round(c.Value, 3),
			Value: round(c.Value, 3), Count: c.Count, Profile: c.Profile})
	}
	slices.SortStableFunc(res.Hotspots, func(a, b Hotspot) int {
		return cmp.Or(cmp.Compare(b.Value, a.Value), cmp.Compare(b.Count, a.Count))
	})
	res.Hotspots = res.Hotspots[:min(len(res.Hotspots), MaxHotspots)]
	for i := range res.Hotspots {
		res.Hotspots[i].Rank = i + 1
	}
	finish(res.Hotspots)
	return nil
}

// finish fills in the peaks of each hotspot's profile.
func finish(hs []Hotspot) {
	for i := range hs {
		h := &hs[i]
		var hours [24]float64
		var days [7]float64
		for d := range 7 {
			for hr := range 24 {
				n := h.Profile.HourWeekday[d][hr]
				hours[hr] += n
				days[d] += n
			}
		}
		for hr := range hours {
			hours[hr] = round(hours[hr], 9) // shares summed in any order tie as they should
		}
		for d := range days {
			days[d] = round(days[d], 9)
		}
		h.PeakHours = peaks(hours[:], 0, 3)
		h.PeakDays = peaks(days[:], 1, 2)
		if h.Profile.Categories == nil {
			h.Profile.Categories = []postgis.NamedCount{}
		}
		if h.Profile.Sources == nil {
			h.Profile.Sources = []postgis.NamedCount{}
		}
	}
}

// peaks returns the indexes (plus offset) of the n largest non-zero counts, largest
// first, ties by index.
func peaks(counts []float64, offset, n int) []int {
	idx := make([]int, 0, len(counts))
	for i, c := range counts {
		if c > 0 {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(counts[b], counts[a]) })
	out := make([]int, 0, n)
	for _, i := range idx[:min(n, len(idx))] {
		out = append(out, i+offset)
	}
	return out
}

// confidence is a Gi* class' confidence in per cent.
func confidence(class int) int {
	switch abs(class) {
	case 3:
		return 99
	case 2:
		return 95
	case 1:
		return 90
	}
	return 0
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

func round(f float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(f*p) / p
}
