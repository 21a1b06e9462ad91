// Package documents renders the documents Lag (2023:196) om kommuners ansvar för
// brottsförebyggande arbete asks of a municipality: the lägesbild (situation picture)
// and the åtgärdsplan (action plan), as printable A4 HTML (html/template, print CSS), as
// PDF (go-pdf/fpdf with the embedded DejaVu Sans, so å, ä and ö are real glyphs) and the
// plan as CSV (package csvout: semicolons, a BOM, formula cells neutralised). The
// content is assembled by package api from the store; this package only lays it out,
// in Swedish, with dates as ÅÅÅÅ-MM-DD.
package documents

import (
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// Municipality names the document's municipality.
type Municipality struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// HotArea is one hot area of the lägesbild: from the hotspot analysis of the period.
type HotArea struct {
	Rank       int     `json:"rank"`
	Label      string  `json:"label"` // the gazetteer's name of its place, "" when none near
	Count      int     `json:"count"` // reports inside
	Score      float64 `json:"score"` // weighted reports inside
	Confidence int     `json:"confidence,omitempty"`
	Trend      string  `json:"trend,omitempty"` // up, down, none
	PeakHours  []int   `json:"peak_hours"`
	PeakDays   []int   `json:"peak_weekdays"`
}

// Hotspots is the lägesbild's hot-area section: the areas and a PNG map of them over
// the municipality (a data: URL, so the HTML and JSON carry it; the PDF embeds the
// bytes).
type Hotspots struct {
	Reports int       `json:"reports"` // reports in the analysis
	Areas   []HotArea `json:"areas"`
	Map     string    `json:"map"`
	MapPNG  []byte    `json:"-"`
}

// PromiseCommitment is one commitment of the current promise and its follow-up, without
// its activities' notes or authors.
type PromiseCommitment struct {
	Text         string         `json:"text"`
	Party        string         `json:"party"`
	FocusArea    string         `json:"focus_area,omitempty"`
	ActivityKind string         `json:"activity_kind"`
	Progress     trygg.Progress `json:"progress"`
	Activities   int            `json:"activities"`
}

// Promise is the current medborgarlöfte and its follow-up.
type Promise struct {
	Title       string              `json:"title"`
	PeriodStart trygg.Date          `json:"period_start"`
	PeriodEnd   trygg.Date          `json:"period_end"`
	Status      string              `json:"status"`
	Published   bool                `json:"published"`
	Commitments []PromiseCommitment `json:"commitments"`
}

// Lagesbild is the lägesbild: the municipality, the period, when it was made, and its
// sections under the keys the issue names.
type Lagesbild struct {
	Municipality Municipality                  `json:"municipality"`
	From         trygg.Date                    `json:"from"`
	To           trygg.Date                    `json:"to"`
	Previous     postgis.Period                `json:"previous_period"`
	GeneratedAt  time.Time                     `json:"generated_at"`
	Reports      postgis.LagesbildReports      `json:"reports"`
	Hotspots     Hotspots                      `json:"hotspots"`
	EST          postgis.LagesbildEST          `json:"est"`
	PoliceEvents postgis.LagesbildPoliceEvents `json:"police_events"`
	Dialogues    postgis.LagesbildDialogues    `json:"dialogues"`
	Walks        postgis.LagesbildWalks        `json:"walks"`
	Actions      postgis.LagesbildActions      `json:"actions"`
	Cameras      postgis.LagesbildCameras      `json:"cameras"`
	Promise      *Promise                      `json:"promise"` // null when the municipality has none

	Labels Labels `json:"-"`
}

// PlanGroup is one group of the åtgärdsplan: a commitment under its focus area, or the
// actions serving no commitment (Commitment "").
type PlanGroup struct {
	FocusArea    string               `json:"focus_area"`
	Promise      string               `json:"promise"`
	CommitmentID string               `json:"commitment_id"`
	Commitment   string               `json:"commitment"`
	Actions      []postgis.PlanAction `json:"actions"`
}

// Atgardsplan is the åtgärdsplan: the municipality's actions grouped by focus area and
// commitment, ungrouped last, with how many are overdue.
type Atgardsplan struct {
	Municipality Municipality `json:"municipality"`
	Today        trygg.Date   `json:"today"`
	GeneratedAt  time.Time    `json:"generated_at"`
	Actions      int          `json:"actions"`
	Overdue      int          `json:"overdue"`
	Groups       []PlanGroup  `json:"groups"`

	Labels Labels `json:"-"`
}

// NewAtgardsplan groups the store's rows (ordered by group) into the plan.
func NewAtgardsplan(m Municipality, today trygg.Date, now time.Time, rows []postgis.PlanAction, labels Labels) Atgardsplan {
	p := Atgardsplan{Municipality: m, Today: today, GeneratedAt: now, Groups: []PlanGroup{}, Labels: labels}
	seen := map[string]bool{}
	for _, r := range rows {
		if len(p.Groups) == 0 || p.Groups[len(p.Groups)-1].CommitmentID != r.CommitmentID {
			p.Groups = append(p.Groups, PlanGroup{FocusArea: r.FocusArea, Promise: r.PromiseTitle,
				CommitmentID: r.CommitmentID, Commitment: r.CommitmentText})
		}
		g := &p.Groups[len(p.Groups)-1]
		g.Actions = append(g.Actions, r)
		if !seen[r.ID] {
			seen[r.ID] = true
			p.Actions++
			if r.Overdue {
				p.Overdue++
			}
		}
	}
	return p
}
