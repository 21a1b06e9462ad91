// Package patrol plans a shift's foot patrol at hot areas and named places, as hot-spot
// policing does it: a few places (default 3, at most 8) where problems occur at the
// hours of the shift, stops of about a quarter of an hour (the Koper curve: 10–16
// minutes), not the same place again too soon, in an order a patrol cannot predict
// among equally pressing places, walked as a short route.
//
// The rules, in order:
//
//  1. Candidates (Params.Source): by default ("hotspots") the hot areas of an analysis
//     of the municipality (package hotspot, the staff's view, on the default grid),
//     narrowed to the focus categories when given; with "places" the municipality's
//     saved places instead. A plan for a commitment (commitment_id) adds the places the
//     commitment names (decided at VEST meetings: named places, lines, polygons) either
//     way. A place's reports are those within its polygon, or within PlaceBufferM of its
//     point or line, of the analysis' report set, with its weights and its time of a
//     report (postgis.PlaceActivities).
//  2. Activity: how much of a candidate's problem falls in the shift's hours (Swedish
//     time). Its reports' profile counts reports by weekday and hour; activity is
//     0.7 × the share of its reports in the shift's exact weekday-hours plus 0.3 × the
//     share in the shift's hours of day on any weekday (reports are few per weekday-hour;
//     the second term keeps a place busy every evening active on an evening it happens
//     to have had no report). A candidate with activity 0 is not a problem during the
//     shift and is dropped: one whose reports are all at night is never chosen for a
//     day shift.
//  3. Spread: a place with a stop of another saved plan (planned, or recorded) within
//     the gap (default 2 hours) before the shift starts, during it, or within the gap
//     after it ends is skipped. The same place is the same target key (a named place
//     containing the stop, else the hot area or the commitment's place) or a stop
//     within SpreadRadiusM.
//  4. Rank: priority = the candidate's weighted reports (Value) × activity: the
//     weighted reports it has in the shift's hours, comparable between hot areas and
//     places. A commitment's places rank before the rest (a plan for a commitment keeps
//     it where it is active); the other candidates fill the remaining stops. Equals
//     (priorities within EqualWithin of the highest of their group) are shuffled with
//     the plan's seed, so the order among them is unpredictable yet the plan can be
//     reproduced from its saved seed.
//  5. One stop per place: in rank order, a candidate within MinApartM of a stop already
//     chosen, or whose point lies in its area (or whose area holds it), or named after
//     the same named place, is the same place and is dropped (the weaker of the two).
//  6. The first Stops places are ordered as a walking route from the start point
//     (geo.WalkingOrder: nearest neighbour, 2-opt and Or-opt; an open path, no return to
//     the start), walking distance the straight line in SWEREF 99 TM times the detour
//     factor (default 1.3), at the walking speed (default 5 km/h). Arrival at a stop is
//     the departure from the one before plus the walk; departure is arrival plus the
//     dwell (default 15 minutes). Unless the plan is packed (back to back), the shift's
//     spare time is spread evenly before each stop and after the last, in whole
//     minutes, so the visits spread over the shift: eight hours with three stops of an
//     hour's walking and standing in all visit at about 10, 12 and 14.
//  7. The plan fits the shift: while the last departure is after the shift's end, the
//     stop of lowest rank is dropped and the route planned again; the plan's notes say
//     so.
//
// A plan without stops says why (NoStops): the start lies more than StartOutsideM
// outside the municipality, there are no reports, no candidates, none active in the
// shift's hours, all visited by other plans, or none fits the shift.
//
// A stop is named by its place: a commitment's place or a saved place by its name; a
// hot area by the saved place containing it, else the nearest named place within
// NameWithinM, else "Område nära …" the nearest within NearWithinM, else by its rank.
package patrol

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/geo"
	"github.com/trygg-gis/trygg/hotspot"
)

// Bounds and defaults of a plan.
const (
	MinStops, MaxStops, DefaultStops       = 1, 8, 3
	MinDwell, MaxDwell, DefaultDwell       = 5, 60, 15 // minutes
	MaxGapMinutes, DefaultGapMinutes       = 24 * 60, 120
	MinSpeedKmh, MaxSpeedKmh, DefaultSpeed = 1, 20, 5.0
	MaxDetour                              = 3.0
	MaxShift                               = 12 * time.Hour
	DoseWeeks                              = 8 // the weeks the patrol dose is counted over

	// SpreadRadiusM is how near an earlier stop is the same place.
	SpreadRadiusM = 150.0
	// MinApartM is how far apart two stops of a plan are at least.
	MinApartM = 150.0
	// PlaceBufferM is how near a named point or line a report is at the place.
	PlaceBufferM = 100.0
	// NameWithinM is how near a named place a hot area takes its name; NearWithinM how
	// near it is "Område nära" it.
	NameWithinM, NearWithinM = 200.0, 1000.0
	// StartOutsideM is how far outside the municipality a start may lie.
	StartOutsideM = 5000.0
	// EqualWithin is how close priorities are to be equals (shuffled by the seed).
	EqualWithin = 0.05
	// HourShareWeight is the weight of the hour-of-day share in the activity.
	HourShareWeight = 0.3
)

// Params are what a plan is asked for; Normalize fills in the defaults.
type Params struct {
	Municipality string    `json:"municipality"`
	ShiftStart   time.Time `json:"shift_start"`
	ShiftEnd     time.Time `json:"shift_end"`
	Stops        int       `json:"stops"`
	DwellMinutes int       `json:"dwell_minutes"`
	Start        orb.Point `json:"start"` // longitude, latitude
	Categories   []string  `json:"categories,omitempty"`
	CommitmentID string    `json:"commitment_id,omitempty"`
	GapMinutes   int       `json:"gap_minutes"`
	SpeedKmh     float64   `json:"speed_kmh"`
	Detour       float64   `json:"detour"`
	Packed       bool      `json:"packed"` // stops back to back from the shift's start, not spread over it
	Source       string    `json:"source"` // SourceHotspots or SourcePlaces
	Seed         int64     `json:"seed"`
}

// The candidates of a plan (Params.Source).
const (
	SourceHotspots = "hotspots" // hot areas of the analysis (and the commitment's places)
	SourcePlaces   = "places"   // named places only: saved places (and the commitment's places)
)

// Why a plan has no stops (postgis.NoStops' codes).
const (
	NoStopStartOutside = "start_outside" // the start lies outside the municipality
	NoStopNoReports    = "no_reports"    // no reports to plan from
	NoStopNoCandidates = "no_candidates" // no hot area and no named place
	NoStopNoneActive   = "none_active"   // none active in the shift's hours
	NoStopAllVisited   = "all_visited"   // the active ones are visited by other plans
	NoStopDoesNotFit   = "does_not_fit"  // no stop fits the shift
)

// Candidate kinds.
const (
	KindArea       = "area"       // a hot area of the analysis
	KindCommitment = "commitment" // a place the plan's commitment names
	KindPlace      = "place"      // a saved place
)

// Normalize fills in defaults (a zero seed becomes a random one).
func (p *Params) Normalize() {
	if p.Stops == 0 {
		p.Stops = DefaultStops
	}
	if p.DwellMinutes == 0 {
		p.DwellMinutes = DefaultDwell
	}
	if p.GapMinutes == 0 {
		p.GapMinutes = DefaultGapMinutes
	}
	if p.SpeedKmh == 0 {
		p.SpeedKmh = DefaultSpeed
	}
	if p.Source == "" {
		p.Source = SourceHotspots
	}
	if p.Detour == 0 {
		p.Detour = geo.DefaultDetour
	}
	for p.Seed == 0 {
		p.Seed = rand.Int64N(1 << 53) // exact in JSON numbers
	}
}

// Check validates normalized parameters; each error names its field.
func (p *Params) Check() error {
	switch {
	case p.Municipality == "":
		return trygg.Errorf(trygg.EINVALID, "municipality", "municipality is missing")
	case !trygg.ValidMunicipalityCode(p.Municipality):
		return trygg.Errorf(trygg.EINVALID, "municipality", "municipality %q is not an SCB code", p.Municipality)
	case p.ShiftStart.IsZero():
		return trygg.Errorf(trygg.EINVALID, "shift_start", "shift_start is missing")
	case p.ShiftEnd.IsZero():
		return trygg.Errorf(trygg.EINVALID, "shift_end", "shift_end is missing")
	case !p.ShiftEnd.After(p.ShiftStart):
		return trygg.Errorf(trygg.EINVALID, "shift_end", "the shift ends (%s) before it starts (%s)",
			p.ShiftEnd.Format(time.RFC3339), p.ShiftStart.Format(time.RFC3339))
	case p.ShiftEnd.Sub(p.ShiftStart) > MaxShift:
		return trygg.Errorf(trygg.EINVALID, "shift_end", "a shift is at most 12 hours, this one %s", p.ShiftEnd.Sub(p.ShiftStart))
	case p.ShiftStart.Year() < 2000 || p.ShiftStart.Year() > 2100:
		return trygg.Errorf(trygg.EINVALID, "shift_start", "shift_start is not a time from 2000 to 2100")
	case p.Stops < MinStops || p.Stops > MaxStops:
		return trygg.Errorf(trygg.EINVALID, "stops", "stops %d is outside %d–%d", p.Stops, MinStops, MaxStops)
	case p.DwellMinutes < MinDwell || p.DwellMinutes > MaxDwell:
		return trygg.Errorf(trygg.EINVALID, "dwell_minutes", "dwell_minutes %d is outside %d–%d", p.DwellMinutes, MinDwell, MaxDwell)
	case p.GapMinutes < 0 || p.GapMinutes > MaxGapMinutes:
		return trygg.Errorf(trygg.EINVALID, "gap_minutes", "gap_minutes %d is outside 0–%d", p.GapMinutes, MaxGapMinutes)
	case !(p.SpeedKmh >= MinSpeedKmh && p.SpeedKmh <= MaxSpeedKmh):
		return trygg.Errorf(trygg.EINVALID, "speed_kmh", "speed_kmh %v is outside %d–%d", p.SpeedKmh, MinSpeedKmh, MaxSpeedKmh)
	case !(p.Detour >= 1 && p.Detour <= MaxDetour):
		return trygg.Errorf(trygg.EINVALID, "detour", "detour %v is outside 1–%v", p.Detour, MaxDetour)
	case p.Source != SourceHotspots && p.Source != SourcePlaces:
		return trygg.Errorf(trygg.EINVALID, "source", "source %q is not %s or %s", p.Source, SourceHotspots, SourcePlaces)
	case p.Seed < 0 || p.Seed >= 1<<53:
		return trygg.Errorf(trygg.EINVALID, "seed", "seed is a whole number from 1 to 2^53")
	}
	if math.IsNaN(p.Start[0]) || math.IsNaN(p.Start[1]) || p.Start == (orb.Point{}) {
		return trygg.Errorf(trygg.EINVALID, "start", "start is missing: a GeoJSON Point [longitude, latitude]")
	}
	if err := trygg.CheckInSweden(p.Start, "start", "start", "GeoJSON positions are [longitude, latitude]"); err != nil {
		return err
	}
	return nil
}

// Candidate is a hot area or a named place as a possible stop.
type Candidate struct {
	Key      string // the place across plans: "place:<id>", "commitment-place:<id>", "cell:<grid>:<size>:<i>:<j>" or "cluster:<x>:<y>"
	Kind     string // KindArea, KindCommitment or KindPlace
	Name     string // what the officer reads: the place's name, or the area's (see the package doc)
	PlaceID  string
	Place    string          // the named place it is at or named after ("place:<id>", "commitment-place:<id>"), "" for none
	Tier     int             // 0 for the commitment's places, which rank first; 1 for the rest
	Hotspot  hotspot.Hotspot // the analysis' numbers; for a place its reports' (Value, Count, Profile, peaks)
	Polygon  orb.Polygon     // the area of the stop, longitude/latitude; nil for a point or a line
	Point    orb.Point       // where to walk to, longitude/latitude
	XY       geo.Point2      // the same in SWEREF 99 TM
	Activity float64
	Priority float64
}

// Visit is a stop of another plan at a place, for the spread rule.
type Visit struct {
	Key      string
	XY       geo.Point2
	From, To time.Time // planned or recorded
}

// Stop is a planned stop.
type Stop struct {
	Candidate
	Seq                int
	Arrival, Departure time.Time
	WalkM, WalkMinutes float64 // from the previous stop (or the start)
}

// Activity is the share of a profile's reports in the shift's hours: HourShareWeight of
// the share in its hours of day on any weekday, the rest in its exact weekday-hours
// (profile: 0 Monday … 6 Sunday by hour, Swedish time; counts, or reports' shares of
// their slots as hotspot profiles hold them). Every hour the shift touches counts whole.
func Activity[N int | float64](profile [7][24]N, start, end time.Time) float64 {
	var total N
	var byHour [24]N
	for d := range 7 {
		for h := range 24 {
			total += profile[d][h]
			byHour[h] += profile[d][h]
		}
	}
	if total == 0 || !end.After(start) {
		return 0
	}
	type slot struct{ d, h int }
	slots := map[slot]bool{}
	hours := map[int]bool{}
	t := start.In(trygg.SwedishTime).Truncate(time.Hour)
	for ; t.Before(end); t = t.Add(time.Hour) {
		l := t.In(trygg.SwedishTime)
		slots[slot{(int(l.Weekday()) + 6) % 7, l.Hour()}] = true
		hours[l.Hour()] = true
	}
	var exact, hourly N
	for s := range slots {
		exact += profile[s.d][s.h]
	}
	for h := range hours {
		hourly += byHour[h]
	}
	return (1-HourShareWeight)*float64(exact)/float64(total) + HourShareWeight*float64(hourly)/float64(total)
}

// Choose applies rules 2–5: the active candidates not visited within the gap, ranked,
// one per place, at most p.Stops of them (with priority and activity set). Notes say
// what was left out and why; when none is left, why is the reason (a NoStop… code).
func Choose(cands []Candidate, visits []Visit, p Params) (chosen []Candidate, notes []string, why string) {
	gap := time.Duration(p.GapMinutes) * time.Minute
	from, to := p.ShiftStart.Add(-gap), p.ShiftEnd.Add(gap)
	var active []Candidate
	inactive, spread := 0, 0
	for _, c := range cands {
		c.Activity = Activity(c.Hotspot.Profile.HourWeekday, p.ShiftStart, p.ShiftEnd)
		if c.Activity <= 0 {
			inactive++
			if c.Kind == KindCommitment {
				notes = append(notes, fmt.Sprintf("Åtagandets plats %s har inga rapporter under passets timmar och togs inte med", c.Name))
			}
			continue
		}
		if visited(c, visits, from, to) {
			spread++
			continue
		}
		c.Priority = c.Hotspot.Value * c.Activity
		active = append(active, c)
	}
	if inactive > 0 {
		notes = append(notes, fmt.Sprintf("%d platser utan rapporter under passets timmar togs inte med", inactive))
	}
	if spread > 0 {
		notes = append(notes, fmt.Sprintf("%d platser hade ett patrullstopp inom %d minuter från passet och togs inte med", spread, p.GapMinutes))
	}
	ranked := Rank(active, p.Seed)
	near := 0
	seen := map[string]bool{}
	for _, c := range ranked {
		if len(chosen) == p.Stops {
			break
		}
		if seen[c.Key] || slices.ContainsFunc(chosen, func(o Candidate) bool { return samePlace(o, c) }) {
			near++
			continue
		}
		seen[c.Key] = true
		chosen = append(chosen, c)
	}
	if near > 0 {
		notes = append(notes, fmt.Sprintf("%d kandidater låg inom %g m från ett starkare stopp eller i samma område och togs inte med", near, MinApartM))
	}
	switch {
	case len(chosen) > 0:
		if len(chosen) < p.Stops {
			notes = append(notes, fmt.Sprintf("%d av %d stopp: bara %d aktiva platser återstår", len(chosen), p.Stops, len(chosen)))
		}
	case len(cands) == 0:
		why = NoStopNoCandidates
	case len(active) == 0 && spread > 0:
		why = NoStopAllVisited
	default:
		why = NoStopNoneActive
	}
	return chosen, notes, why
}

// samePlace is rule 5: b is within MinApartM of a, or in a's area, or a in b's, or
// both are at (or named after) one named place.
func samePlace(a, b Candidate) bool {
	if a.Place != "" && a.Place == b.Place {
		return true
	}
	if math.Hypot(a.XY.X-b.XY.X, a.XY.Y-b.XY.Y) < MinApartM {
		return true
	}
	return len(a.Polygon) > 0 && planar.PolygonContains(a.Polygon, b.Point) ||
		len(b.Polygon) > 0 && planar.PolygonContains(b.Polygon, a.Point)
}

func visited(c Candidate, visits []Visit, from, to time.Time) bool {
	for _, v := range visits {
		if v.To.Before(from) || v.From.After(to) {
			continue
		}
		if v.Key == c.Key || math.Hypot(v.XY.X-c.XY.X, v.XY.Y-c.XY.Y) <= SpreadRadiusM {
			return true
		}
	}
	return false
}

// Rank orders candidates by tier (the commitment's places first), then priority,
// highest first; candidates of a tier within EqualWithin of the first of their group
// are equals, shuffled with seed (the same seed, the same order).
func Rank(cands []Candidate, seed int64) []Candidate {
	out := slices.Clone(cands)
	slices.SortStableFunc(out, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(a.Tier, b.Tier), cmp.Compare(b.Priority, a.Priority), cmp.Compare(a.Key, b.Key))
	})
	r := rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
	for i := 0; i < len(out); {
		j := i + 1
		for j < len(out) && out[j].Tier == out[i].Tier && out[j].Priority >= out[i].Priority*(1-EqualWithin) {
			j++
		}
		group := out[i:j]
		r.Shuffle(len(group), func(a, b int) { group[a], group[b] = group[b], group[a] })
		i = j
	}
	return out
}

// Schedule applies rules 6 and 7: orders the chosen candidates as a walking route from
// start and times each stop from the shift's start; stops of lowest rank (tier, then
// priority) are dropped while the last one would end after the shift. It returns the stops, the
// route's walking metres and notes.
func Schedule(start geo.Point2, chosen []Candidate, p Params) ([]Stop, float64, []string) {
	var notes []string
	keep := slices.Clone(chosen)
	for {
		stops, metres := schedule(start, keep, p)
		if len(stops) == 0 || !stops[len(stops)-1].Departure.After(p.ShiftEnd) {
			if dropped := len(chosen) - len(keep); dropped > 0 {
				notes = append(notes, fmt.Sprintf("%d av %d stopp ryms i passet: gång och %d minuter på varje plats skulle sluta efter %s",
					len(keep), len(chosen), p.DwellMinutes, p.ShiftEnd.In(trygg.SwedishTime).Format("15:04")))
			}
			return stops, metres, notes
		}
		lowest := 0
		for i, c := range keep {
			if c.Tier > keep[lowest].Tier || c.Tier == keep[lowest].Tier && c.Priority < keep[lowest].Priority {
				lowest = i
			}
		}
		keep = slices.Delete(keep, lowest, lowest+1)
	}
}

func schedule(start geo.Point2, cands []Candidate, p Params) ([]Stop, float64) {
	pts := make([]geo.Point2, len(cands))
	for i, c := range cands {
		pts[i] = c.XY
	}
	order, metres := geo.WalkingOrder(start, pts, p.Detour)
	speed := p.SpeedKmh * 1000 / 60 // metres per minute
	dwell := time.Duration(p.DwellMinutes) * time.Minute
	at, t := start, p.ShiftStart
	stops := make([]Stop, len(order))
	for k, i := range order {
		leg := math.Hypot(pts[i].X-at.X, pts[i].Y-at.Y) * p.Detour
		minutes := leg / speed
		arrival := t.Add(time.Duration(math.Round(minutes*60)) * time.Second)
		stops[k] = Stop{Candidate: cands[i], Seq: k + 1, Arrival: arrival, Departure: arrival.Add(dwell),
			WalkM: leg, WalkMinutes: minutes}
		at, t = pts[i], arrival.Add(dwell)
	}
	if n := len(stops); n > 0 && !p.Packed && !stops[n-1].Departure.After(p.ShiftEnd) {
		wait := (p.ShiftEnd.Sub(stops[n-1].Departure) / time.Duration(n+1)).Truncate(time.Minute)
		for k := range stops {
			stops[k].Arrival = stops[k].Arrival.Add(time.Duration(k+1) * wait)
			stops[k].Departure = stops[k].Departure.Add(time.Duration(k+1) * wait)
		}
	}
	return stops, metres
}

// ShiftPeaks are the hours of the shift (Swedish time) in which the profile has most
// reports, at most n, most first (ties by the shift's order): why a stop was chosen.
func ShiftPeaks[N int | float64](profile [7][24]N, start, end time.Time, n int) []int {
	var byHour [24]N
	for d := range 7 {
		for h := range 24 {
			byHour[h] += profile[d][h]
		}
	}
	var hours []int
	for t := start.In(trygg.SwedishTime).Truncate(time.Hour); t.Before(end); t = t.Add(time.Hour) {
		if h := t.In(trygg.SwedishTime).Hour(); byHour[h] > 0 && !slices.Contains(hours, h) {
			hours = append(hours, h)
		}
	}
	slices.SortStableFunc(hours, func(a, b int) int { return cmp.Compare(byHour[b], byHour[a]) })
	return hours[:min(n, len(hours))]
}

// Peaks are the n hours of day (0–23) and weekdays (1 Monday … 7 Sunday) with most
// reports in profile, most first, ties by hour or day.
func Peaks[N int | float64](profile [7][24]N, nHours, nDays int) (hours, days []int) {
	var byHour [24]N
	var byDay [7]N
	for d := range 7 {
		for h := range 24 {
			byHour[h] += profile[d][h]
			byDay[d] += profile[d][h]
		}
	}
	top := func(counts []N, offset, n int) []int {
		var idx []int
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
	return top(byHour[:], 0, nHours), top(byDay[:], 1, nDays)
}

// Key is a hotspot's target key: its cell (grid, size, i, j) or, for a cluster, its
// point in SWEREF 99 TM rounded to 100 m.
func Key(h hotspot.Hotspot, q trygg.HotspotQuery, xy geo.Point2) string {
	if h.Cell != nil {
		return fmt.Sprintf("cell:%s:%g:%d:%d", q.Grid, q.CellM, h.Cell.I, h.Cell.J)
	}
	return fmt.Sprintf("cluster:%d:%d", int(math.Round(xy.X/100)), int(math.Round(xy.Y/100)))
}
