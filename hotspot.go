package trygg

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Hotspot analysis: which places and times stand out. The grid and the aggregation are
// SQL (postgis/hotspots.go), the statistics pure Go (geo: Gi*, Benjamini–Hochberg,
// Mann–Kendall, darkness); package hotspot runs one analysis from a HotspotQuery.

// Hotspot methods, grids and periods.
const (
	MethodGi     = "gi"
	MethodDBSCAN = "dbscan"

	GridHex    = "hex"
	GridSquare = "square"

	StudyReports = "reports" // the cells within a distance band of the reports' concave hull
	StudyAll     = "all"     // every cell of the municipality or bbox

	PeriodWeek    = "week"
	PeriodMonth   = "month"
	PeriodQuarter = "quarter"
)

// Bounds and defaults of a HotspotQuery.
const (
	MinCellM, MaxCellM, DefaultCellM = 50, 1000, 200
	MinEpsM, MaxEpsM, DefaultEpsM    = 10, 1000, 100
	MinPointsMin, MinPointsMax       = 2, 1000
	DefaultMinPoints                 = 5
	DefaultBandCells                 = 1.5 // the study area's buffer when the band is searched
	MaxBandCells                     = 10
	DefaultHalfLifeDays              = 365
	DefaultMinCount                  = 5 // public: a cell with fewer reports shows no class
)

// FeelingWeights weight a report by its feeling (1 very unsafe … 4 safe): very unsafe
// counts most, a place that feels safe not at all.
var FeelingWeights = map[int]float64{1: 1, 2: 0.7, 3: 0.3, 4: 0}

// DefaultSourceWeights weight a report by its source. Police events never enter cell
// values (area precision), nor do other area-precision reports.
var DefaultSourceWeights = map[string]float64{
	SourceResident: 1, SourceWalk: 1, SourceDialogue: 1, SourceEST: 1, SourcePolice: 1, SourceSurvey: 1,
}

// HourRange is a time of day in Swedish time: hours From up to (not including) To; it
// wraps past midnight when To <= From (22–06 is the night).
type HourRange struct{ From, To int }

// Contains reports whether hour h (0–23) lies in the range.
func (r HourRange) Contains(h int) bool {
	if r.From < r.To {
		return h >= r.From && h < r.To
	}
	return h >= r.From || h < r.To
}

// HotspotQuery is one analysis: where, how, and which reports.
//
// A report's time of day and weekday are its slots (see ReportTime): its observed
// hour, else the times people named (When), never when it was made. Hours and Days
// count each report with the share of its slots inside them, Dark with the share of
// its slots in darkness at the place on its date; a report without a time is left out
// of them (and of the hour × weekday profiles) but counts without them. When keeps the
// reports that named one of its values or whose observed slot lies in one. The
// report's date (From, To, Months, Period and the recency decay) is its observed time,
// else when it was reported.
type HotspotQuery struct {
	Municipality string     // SCB code; or
	BBox         *orb.Bound // a box in longitude/latitude
	Method       string     // MethodGi (default) or MethodDBSCAN
	Grid         string     // GridHex (default) or GridSquare
	CellM        float64    // cell size in metres (hexagons: across the flats, the distance between neighbours' centres)
	BandCells    float64    // Gi* neighbours: centres within this many cell sizes, self included; 0: searched (incremental spatial autocorrelation)
	NoFDR        bool       // classes from raw p-values; by default from Benjamini–Hochberg adjusted ones (false discovery rate)
	StudyArea    string     // StudyReports (default) or StudyAll
	EpsM         float64    // DBSCAN: neighbourhood radius in metres
	MinPoints    int        // DBSCAN: reports for a core point

	HalfLifeDays  float64            // recency decay; 0 for none
	SourceWeights map[string]float64 // nil: DefaultSourceWeights
	Categories    []string
	Sources       []string
	From, To      *time.Time
	When          []string   // any of Times: named it, or observed in it
	Hours         *HourRange // Swedish hours of the report's slots
	Days          string     // "", "weekday", "weekend": weekdays of the report's slots
	Months        []int      // 1–12 of the report's date (a season is its months)
	Dark          *bool      // true: slots between sunset and sunrise at the place; false: daylight
	Period        string     // emerging hot spots per week, month or quarter; "" for none

	Public   bool      // the public's view: published reports at their public positions, MinCount applies
	MinCount int       // public: cells and clusters with fewer reports show no class
	At       time.Time // reference time for the recency decay: To, else now
}

// Normalize fills in the defaults.
func (q *HotspotQuery) Normalize(now time.Time) {
	if q.Method == "" {
		q.Method = MethodGi
	}
	if q.Grid == "" {
		q.Grid = GridHex
	}
	if q.CellM == 0 {
		q.CellM = DefaultCellM
	}
	if q.StudyArea == "" {
		q.StudyArea = StudyReports
	}
	if q.EpsM == 0 {
		q.EpsM = DefaultEpsM
	}
	if q.MinPoints == 0 {
		q.MinPoints = DefaultMinPoints
	}
	if q.SourceWeights == nil {
		q.SourceWeights = DefaultSourceWeights
	}
	if q.MinCount == 0 {
		q.MinCount = DefaultMinCount
	}
	if q.At.IsZero() {
		q.At = now
		if q.To != nil && q.To.Before(now) {
			q.At = *q.To
		}
	}
}

// Check validates a normalized query; each error names its parameter.
func (q *HotspotQuery) Check(cats []Category) error {
	if (q.Municipality == "") == (q.BBox == nil) {
		return Errorf(EINVALID, "municipality", "give a municipality or a bbox (not both)")
	}
	if b := q.BBox; b != nil {
		if b.Min[0] >= b.Max[0] || b.Min[1] >= b.Max[1] {
			return Errorf(EINVALID, "bbox", "bbox must be minlon,minlat,maxlon,maxlat with min below max")
		}
		if err := CheckInSweden(b.ToPolygon(), "bbox", "bbox", "bbox is minlon,minlat,maxlon,maxlat"); err != nil {
			return Errorf(EINVALID, "bbox", "%s", ErrorMessage(err))
		}
		// At most about 100 × 100 km: a larger analysis belongs to a batch job.
		if (b.Max[0]-b.Min[0])*math.Cos(b.Min[1]*math.Pi/180)*111 > 200 || (b.Max[1]-b.Min[1])*111 > 200 {
			return Errorf(EINVALID, "bbox", "bbox spans more than 200 km")
		}
	}
	if q.Method != MethodGi && q.Method != MethodDBSCAN {
		return Errorf(EINVALID, "method", "method %q is not gi or dbscan", q.Method)
	}
	if q.Grid != GridHex && q.Grid != GridSquare {
		return Errorf(EINVALID, "grid", "grid %q is not hex or square", q.Grid)
	}
	if !(q.CellM >= MinCellM && q.CellM <= MaxCellM) {
		return Errorf(EINVALID, "cell", "cell size %v m is outside %d–%d m", q.CellM, MinCellM, MaxCellM)
	}
	if q.BandCells != 0 && !(q.BandCells >= 1 && q.BandCells <= MaxBandCells) {
		return Errorf(EINVALID, "band", "band %v cell sizes is outside 1–%d (or 0: searched)", q.BandCells, MaxBandCells)
	}
	if q.StudyArea != StudyReports && q.StudyArea != StudyAll {
		return Errorf(EINVALID, "study_area", "study_area %q is not reports or all", q.StudyArea)
	}
	if !(q.EpsM >= MinEpsM && q.EpsM <= MaxEpsM) {
		return Errorf(EINVALID, "eps", "eps %v m is outside %d–%d m", q.EpsM, MinEpsM, MaxEpsM)
	}
	if q.MinPoints < MinPointsMin || q.MinPoints > MinPointsMax {
		return Errorf(EINVALID, "min_points", "min_points %d is outside %d–%d", q.MinPoints, MinPointsMin, MinPointsMax)
	}
	if !(q.HalfLifeDays >= 0 && q.HalfLifeDays <= 36500) {
		return Errorf(EINVALID, "half_life", "half-life %v days is outside 0–36500", q.HalfLifeDays)
	}
	for s, w := range q.SourceWeights {
		if !slices.Contains(Sources, s) || s == SourcePoliceEvent {
			return Errorf(EINVALID, "source_weights", "no weighted source %q", s)
		}
		if !(w >= 0 && w <= 100) {
			return Errorf(EINVALID, "source_weights", "weight %v of %s is outside 0–100", w, s)
		}
	}
	for _, c := range q.Categories {
		if err := CheckCategory(c, cats); err != nil {
			return Errorf(EINVALID, "category", "no category %q", c)
		}
	}
	for _, s := range q.Sources {
		if !slices.Contains(Sources, s) || s == SourcePoliceEvent {
			return Errorf(EINVALID, "source", "source %q is not one of the point sources", s)
		}
	}
	if q.From != nil && q.To != nil && q.From.After(*q.To) {
		return Errorf(EINVALID, "to", "to (%s) is before from (%s)", q.To.Format(time.DateOnly), q.From.Format(time.DateOnly))
	}
	for _, w := range q.When {
		if !ValidWhen(w) {
			return Errorf(EINVALID, "when", "when %q is not one of %s", w, strings.Join(Times, ", "))
		}
	}
	if h := q.Hours; h != nil && (h.From < 0 || h.From > 23 || h.To < 0 || h.To > 24 || h.From == h.To) {
		return Errorf(EINVALID, "hours", "hours must be FROM-TO with hours 0–24 that differ")
	}
	if q.Days != "" && q.Days != "weekday" && q.Days != "weekend" {
		return Errorf(EINVALID, "days", "days %q is not weekday or weekend", q.Days)
	}
	for _, m := range q.Months {
		if m < 1 || m > 12 {
			return Errorf(EINVALID, "months", "month %d is not 1–12", m)
		}
	}
	switch q.Period {
	case "", PeriodWeek, PeriodMonth, PeriodQuarter:
	default:
		return Errorf(EINVALID, "period", "period %q is not week, month or quarter", q.Period)
	}
	if q.MinCount < 1 || q.MinCount > 1000 {
		return Errorf(EINVALID, "min_count", "min_count %d is outside 1–1000", q.MinCount)
	}
	return nil
}

// Seasons are the months of each season (meteorological, northern hemisphere).
var Seasons = map[string][]int{
	"winter": {12, 1, 2}, "spring": {3, 4, 5}, "summer": {6, 7, 8}, "autumn": {9, 10, 11},
}
