package postgis

import (
	"encoding/json"
	"time"

	"github.com/paulmach/orb"
)

// Types of the hotspot analysis' store side: the grid and the aggregations
// (hotspots.go) and saved runs and named places (hotspot_runs.go).

// Cell is a grid cell's index: i and j as PostGIS' ST_HexagonGrid and ST_SquareGrid
// number them (ST_Hexagon(size, i, j) and ST_Square(size, i, j) with origin 0 0 in
// EPSG:3006).
type Cell struct{ I, J int }

// HotspotCell is one cell of the grid over the analysed area with the weighted value
// and the count of its reports (both 0 for an empty cell).
type HotspotCell struct {
	Cell
	X, Y  float64 // the cell's centre, EPSG:3006
	Value float64
	Count int
}

// ReportTime is a report's point (longitude, latitude), date (its observed time, else
// when it was made) and slots (trygg.ReportTime; Hours within the query's hour filter),
// for the darkness filter in Go.
type ReportTime struct {
	ID       string
	Lon, Lat float64
	At       time.Time
	Observed bool // At is the observed moment; else only its date is known
	Hours    int  // hour mask of the report's slots inside the hour filter; 0 without a time
}

// Keep limits an analysis' report set to IDs (the darkness filter's outcome), each
// counting only with its slots in the hours of Hours (an hour mask per id, in step with
// IDs; nil: all of its slots). A nil *Keep keeps every report.
type Keep struct {
	IDs   []string
	Hours []int32
}

// KeepIDs keeps the reports ids whole.
func KeepIDs(ids ...string) *Keep {
	if ids == nil {
		ids = []string{}
	}
	return &Keep{IDs: ids}
}

// HotspotPeriodCell is the value and count of one cell's reports in one period.
type HotspotPeriodCell struct {
	Cell
	Period int // index into the periods' starts
	Value  float64
	Count  int
}

// NamedCount is a category or source and how many reports have it.
type NamedCount struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Profile is when and what: reports by weekday (0 Monday … 6 Sunday) and hour (0–23,
// Swedish time), each report spread evenly over its slots (an observed report is 1 in
// its slot, one named for nights 1/56 in each night hour of the week; under an hour,
// day or darkness filter only its slots inside it), the reports without a time (not in
// HourWeekday), and the most common categories and sources, most first.
type Profile struct {
	HourWeekday [7][24]float64 `json:"hour_weekday"`
	UnknownTime int            `json:"unknown_time"`
	Categories  []NamedCount   `json:"categories"`
	Sources     []NamedCount   `json:"sources"`
}

// HotspotCluster is one DBSCAN cluster of reports.
type HotspotCluster struct {
	Polygon orb.Polygon // the reports' convex hull buffered by eps/2, longitude/latitude
	Count   int
	Value   float64 // weighted
	Profile
}

// HotspotRun is a saved analysis: its query, cells and hotspots.
type HotspotRun struct {
	ID           string          `json:"id"`
	Municipality string          `json:"municipality"`
	Name         string          `json:"name"`
	Method       string          `json:"method"`
	Public       bool            `json:"public"` // computed from the public's view; shown to the public
	Query        json.RawMessage `json:"query"`  // the parameters used
	CreatedBy    string          `json:"created_by,omitempty"`
	CreatedAt    time.Time       `json:"created_at"`
	Cells        []RunCell       `json:"-"`
	Hotspots     []RunHotspot    `json:"hotspots,omitempty"`
}

// RunCell is a cell of a saved Gi* run.
type RunCell struct {
	Cell
	Polygon orb.Polygon // longitude/latitude
	Value   float64
	Count   int
	Z, P    float64
	Class   int // -3 … 3 (geo.GiClass); 0 where suppressed
}

// RunHotspot is a hotspot of a saved run, in rank order.
type RunHotspot struct {
	ID      string          `json:"id"`
	Rank    int             `json:"rank"`
	Polygon orb.Polygon     `json:"-"` // longitude/latitude
	Score   float64         `json:"score"`
	Z       float64         `json:"z"`
	Value   float64         `json:"value"`
	Count   int             `json:"count"`
	Pattern string          `json:"pattern,omitempty"`
	Stats   json.RawMessage `json:"stats,omitempty"` // everything else the API showed
}

// Place is a named place ("Resecentrum") that commitments and patrols link to, often
// kept from a hotspot.
type Place struct {
	ID           string      `json:"id"`
	Municipality string      `json:"municipality"`
	Name         string      `json:"name"`
	Polygon      orb.Polygon `json:"-"` // longitude/latitude
	HotspotID    string      `json:"hotspot_id,omitempty"`
	CreatedAt    time.Time   `json:"created_at"`
}
