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
	Z, P    float64 // P adjusted (Benjamini–Hochberg) unless the query turns FDR off
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

// Hotspot is one ranked hotspot: a hot area (Gi*: contiguous hot cells) or a cluster
// (DBSCAN).
type Hotspot struct {
	Rank       int             `json:"rank"`
	Kind       string          `json:"kind"`           // area or cluster
	Cell       *postgis.Cell   `json:"cell,omitempty"` // an area's strongest cell (highest z)
	Cells      []postgis.Cell  `json:"cells,omitempty"`
	Polygon    orb.Polygon     `json:"-"`
	Score      float64         `json:"score"`                // the weighted reports inside (Value), what the ranking reads first
	Z          float64         `json:"z,omitempty"`          // of the strongest cell
	P          float64         `json:"p,omitempty"`          // of the strongest cell
	Class      int             `json:"class,omitempty"`      // the highest class of its cells
	Confidence int             `json:"confidence,omitempty"` // 90, 95 or 99 (%): the peak confidence
	Value      float64         `json:"value"`                // weighted count
	Count      int             `json:"count"`                // reports
	Pattern    string          `json:"pattern,omitempty"`    // the strongest cell's emerging pattern
	Trend      *Trend          `json:"trend,omitempty"`
	Series     []Period        `json:"series,omitempty"` // the area's reports per period, oldest first
	Profile    postgis.Profile `json:"profile"`
	PeakHours  []int           `json:"peak_hours"`    // the hours (Swedish time) with most reports, most first
	PeakDays   []int           `json:"peak_weekdays"` // 1 Monday … 7 Sunday, most first
}

// Result is an analysis' outcome.
type Result struct {
	Query    trygg.HotspotQuery
	Cells    []Cell // Gi*: every cell of the study area
	Band     Band   // Gi*: the distance band and how it was chosen
	Hotspots []Hotspot
	Periods  []time.Time
	Reports  int // reports in the analysis
	Took     time.Duration
	Steps    map[string]time.Duration // the time of each step: darkness, grid, band, gi, emerging, areas, polygons, profiles, clusters

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
	res.Band = chooseBand(res.Cells, q)
	res.Query.BandCells = res.Band.Cells
	t = res.step("band", t)
	band := res.Band.Metres
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

	as := hotAreas(res.Cells, q)
	t = res.step("areas", t)
	cellsOf := make([][]postgis.Cell, len(as))
	var all []postgis.Cell
	for k, a := range as {
		for _, i := range a.cells {
			cellsOf[k] = append(cellsOf[k], res.Cells[i].Cell)
		}
		all = append(all, cellsOf[k]...)
	}
	polys, err := db.HotspotAreaPolygons(ctx, q, cellsOf)
	if err != nil {
		return err
	}
	t = res.step("polygons", t)
	profiles, err := db.HotspotProfiles(ctx, q, keep, all)
	if err != nil {
		return err
	}
	res.step("profiles", t)
	for k, a := range as {
		c := res.Cells[a.strongest]
		cell := c.Cell
		h := Hotspot{Rank: k + 1, Kind: "area", Cell: &cell, Cells: cellsOf[k], Polygon: polys[k],
			Score: round(a.value, 3), Z: c.Z, P: c.P, Class: a.class, Confidence: confidence(a.class),
			Value: round(a.value, 3), Count: a.count, Pattern: c.Pattern}
		h.Profile = mergeProfiles(profiles, cellsOf[k])
		res.Hotspots = append(res.Hotspots, h)
	}
	trends(res)
	finish(res.Hotspots)
	return nil
}

// Band is the distance band of a Gi* analysis and how it was chosen.
type Band struct {
	Cells  float64 `json:"cells"`  // in cell sizes
	Metres float64 `json:"metres"` // Cells × the cell size
	// Method is "given" (the query's band), "moran-peak" (the first significant peak
	// of Global Moran's I z over increasing distances) or "fallback" (no such peak: the
	// shortest distance giving the cells FallbackNeighbours neighbours on average).
	Method string  `json:"method"`
	Curve  []BandZ `json:"curve,omitempty"` // the search: Moran's I z at each distance
}

// BandZ is Global Moran's I at one distance of the band search.
type BandZ struct {
	Cells      float64  `json:"cells"`
	Z          *float64 `json:"z"`          // null where Moran's I is undefined (no pairs, or no variance)
	Neighbours float64  `json:"neighbours"` // per cell on average
}

// The band search (incremental spatial autocorrelation, as ArcGIS' Optimized Hot Spot
// Analysis): distances from 1 cell in steps of BandStep up to trygg.MaxBandCells; a
// peak counts when its z is at least PeakZ (95 %, one-sided); without one, the shortest
// distance at which cells have FallbackNeighbours neighbours on average.
const (
	BandStep           = 0.5
	PeakZ              = 1.96
	FallbackNeighbours = 8
)

// chooseBand is q's band, or the searched one when q gives none.
func chooseBand(cells []Cell, q trygg.HotspotQuery) Band {
	if q.BandCells > 0 {
		return Band{Cells: q.BandCells, Metres: q.BandCells * q.CellM, Method: "given"}
	}
	fallback := Band{Cells: trygg.DefaultBandCells, Metres: trygg.DefaultBandCells * q.CellM, Method: "fallback"}
	if len(cells) < 4 || allEqual(cells) {
		return fallback
	}
	var steps, bands []float64
	for c := 1.0; c <= trygg.MaxBandCells+1e-9; c += BandStep {
		steps = append(steps, c)
		// A hair over: lattice neighbours lie at exactly these distances, up to rounding.
		bands = append(bands, c*q.CellM*(1+1e-9))
	}
	x, y, v := make([]float64, len(cells)), make([]float64, len(cells)), make([]float64, len(cells))
	for i, c := range cells {
		x[i], y[i], v[i] = c.X, c.Y, c.Value
	}
	ms, err := geo.IncrementalMoran(x, y, v, bands)
	if err != nil {
		return fallback
	}
	curve := make([]BandZ, len(ms))
	for k, m := range ms {
		curve[k] = BandZ{Cells: steps[k], Neighbours: round(m.Neighbours, 2)}
		if z := round(m.Z, 4); !math.IsNaN(z) && !math.IsInf(z, 0) {
			curve[k].Z = &z
		}
	}
	if k := geo.FirstPeak(ms, PeakZ); k >= 0 {
		return Band{Cells: steps[k], Metres: bands[k], Method: "moran-peak", Curve: curve}
	}
	fallback.Curve = curve
	for k, m := range ms {
		if m.Neighbours >= FallbackNeighbours {
			fallback.Cells, fallback.Metres = steps[k], bands[k]
			break
		}
	}
	return fallback
}

// area is a hot area: contiguous hot cells (indexes into the cells).
type area struct {
	cells     []int
	strongest int // the cell of highest z
	count     int
	value     float64
	class     int // the highest class of its cells
}

// hotAreas merges the contiguous hot cells (class > 0) into hot areas and ranks them:
// first every area with at least q.MinCount reports (the public sees no other), then
// by weighted reports, highest class, the z of the strongest cell and position; at
// most MaxHotspots. Cells are contiguous when they share an edge: a hexagon's six
// neighbours, a square's four (squares meeting at a corner only stay apart, so that
// each area's union is one polygon).
func hotAreas(cells []Cell, q trygg.HotspotQuery) []area {
	index := make(map[postgis.Cell]int, len(cells))
	for i, c := range cells {
		if c.Class > 0 {
			index[c.Cell] = i
		}
	}
	seen := make(map[int]bool, len(index))
	var out []area
	for i, c := range cells {
		if c.Class <= 0 || seen[i] {
			continue
		}
		a := area{strongest: i}
		stack := []int{i}
		seen[i] = true
		for len(stack) > 0 {
			k := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			a.cells = append(a.cells, k)
			for _, n := range edgeNeighbours(q.Grid, cells[k].Cell) {
				if j, ok := index[n]; ok && !seen[j] {
					seen[j] = true
					stack = append(stack, j)
				}
			}
		}
		slices.SortFunc(a.cells, func(x, y int) int {
			return cmp.Or(cmp.Compare(cells[x].I, cells[y].I), cmp.Compare(cells[x].J, cells[y].J))
		})
		for _, k := range a.cells {
			ck := cells[k]
			a.count += ck.Count
			a.value += ck.Value
			a.class = max(a.class, ck.Class)
			if ck.Z > cells[a.strongest].Z {
				a.strongest = k
			}
		}
		if q.Public && a.count < q.MinCount {
			continue // too few reports to show the public a place
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(x, y area) int {
		sx, sy := cells[x.strongest], cells[y.strongest]
		return cmp.Or(cmpBool(x.count >= q.MinCount, y.count >= q.MinCount), cmp.Compare(y.value, x.value),
			cmp.Compare(y.class, x.class), cmp.Compare(sy.Z, sx.Z), cmp.Compare(sx.I, sy.I), cmp.Compare(sx.J, sy.J))
	})
	return out[:min(len(out), MaxHotspots)]
}

// cmpBool orders true before false.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// edgeNeighbours are the cells that share an edge with c in PostGIS' numbering: a
// flat-topped hexagon's column neighbours are half a row up or down (odd columns lie
// half a row higher), a square's the four beside it.
func edgeNeighbours(grid string, c postgis.Cell) []postgis.Cell {
	i, j := c.I, c.J
	if grid == trygg.GridSquare {
		return []postgis.Cell{{I: i - 1, J: j}, {I: i + 1, J: j}, {I: i, J: j - 1}, {I: i, J: j + 1}}
	}
	d := -1 // even column: the neighbouring (odd) columns' cells at j and j − 1
	if i&1 == 1 {
		d = 1 // odd column: at j and j + 1
	}
	return []postgis.Cell{{I: i, J: j - 1}, {I: i, J: j + 1}, {I: i - 1, J: j}, {I: i + 1, J: j},
		{I: i - 1, J: j + d}, {I: i + 1, J: j + d}}
}

// mergeProfiles is the profile of an area: the sum of its cells' profiles (the
// categories as the top ones of its cells).
func mergeProfiles(ps map[postgis.Cell]*postgis.Profile, cells []postgis.Cell) postgis.Profile {
	var out postgis.Profile
	cats, srcs := map[string]int{}, map[string]int{}
	for _, c := range cells {
		p := ps[c]
		if p == nil {
			continue
		}
		for d := range p.HourWeekday {
			for h := range p.HourWeekday[d] {
				out.HourWeekday[d][h] += p.HourWeekday[d][h]
			}
		}
		for _, n := range p.Categories {
			cats[n.Name] += n.Count
		}
		for _, n := range p.Sources {
			srcs[n.Name] += n.Count
		}
	}
	named := func(m map[string]int) []postgis.NamedCount {
		out := make([]postgis.NamedCount, 0, len(m))
		for name, n := range m {
			out = append(out, postgis.NamedCount{Name: name, Count: n})
		}
		slices.SortFunc(out, func(a, b postgis.NamedCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name))
		})
		return out
	}
	out.Categories, out.Sources = named(cats), named(srcs)
	out.Categories = out.Categories[:min(len(out.Categories), maxCategories)]
	return out
}

// maxCategories is how many categories an area's profile names.
const maxCategories = 5

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
	if !q.NoFDR {
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
// periods: the study area's cells, and any other cell holding a report (a public
// position snapped just outside the boundary), as HotspotGrid returns them.
func periodGrid(ctx context.Context, db *postgis.DB, q trygg.HotspotQuery, keep *postgis.Keep, res *Result) ([]postgis.HotspotCell, error) {
	starts, pcs, err := db.HotspotPeriods(ctx, q, keep)
	if err != nil {
		return nil, err
	}
	res.Periods, res.periodCells = starts, pcs
	occupied := make([]postgis.Cell, 0, len(pcs))
	seen := map[postgis.Cell]bool{}
	for _, pc := range pcs {
		if !seen[pc.Cell] {
			seen[pc.Cell] = true
			occupied = append(occupied, pc.Cell)
		}
	}
	grid, err := db.HotspotGridCells(ctx, q, occupied)
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
		if err := stats(period, band, trygg.HotspotQuery{NoFDR: q.NoFDR}); err != nil {
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
// periods: the sums over all its cells.
func trends(res *Result) {
	if len(res.Periods) < 2 {
		return
	}
	of := map[postgis.Cell]int{} // cell → hotspot
	for k, h := range res.Hotspots {
		for _, c := range h.Cells {
			of[c] = k
		}
		s := make([]Period, len(res.Periods))
		for i, start := range res.Periods {
			s[i].Start = start
		}
		res.Hotspots[k].Series = s
	}
	for _, pc := range res.periodCells {
		k, ok := of[pc.Cell]
		if !ok {
			continue // a cell in no hotspot (there may be none at all)
		}
		if s := res.Hotspots[k].Series; pc.Period >= 0 && pc.Period < len(s) {
			s[pc.Period].Value += pc.Value
			s[pc.Period].Count += pc.Count
		}
	}
	for i := range res.Hotspots {
		h := &res.Hotspots[i]
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
