package trygg

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Parties of a commitment or an activity.
const (
	PartyPolice       = "police"
	PartyMunicipality = "municipality"
	PartyJoint        = "joint"
	PartyOther        = "other"
)

// Parties are the parties, in order.
var Parties = []string{PartyPolice, PartyMunicipality, PartyJoint, PartyOther}

// Focus areas of a promise and its commitments.
const (
	FocusTraffic              = "traffic"
	FocusDrugs                = "drugs"
	FocusUnsafePlaces         = "unsafe-places"
	FocusRelationshipViolence = "relationship-violence" // våld i nära relation (and honour-related violence)
	FocusVandalism            = "vandalism"
	FocusYouth                = "youth"
)

// FocusAreas are the focus areas, in order.
var FocusAreas = []string{FocusTraffic, FocusDrugs, FocusUnsafePlaces, FocusRelationshipViolence, FocusVandalism, FocusYouth}

// Activity kinds.
const (
	KindFootPatrol         = "foot-patrol"
	KindTrafficControl     = "traffic-control"
	KindVehicleInspection  = "vehicle-inspection"
	KindDrugIntervention   = "drug-intervention"
	KindSchoolVisit        = "school-visit"
	KindYouthCentreVisit   = "youth-centre-visit"
	KindSafetyWalk         = "safety-walk"
	KindDialogueMeeting    = "dialogue-meeting"
	KindCameraSurveillance = "camera-surveillance"
	KindLighting           = "lighting"
	KindInformation        = "information-campaign"
	KindConcernTalk        = "concern-talk"
	KindMeeting            = "meeting"
	KindNeighbourhoodWatch = "neighbourhood-watch" // grannsamverkan
	KindOther              = "other"
)

// ActivityKinds are the activity kinds, in order.
var ActivityKinds = []string{KindFootPatrol, KindTrafficControl, KindVehicleInspection, KindDrugIntervention,
	KindSchoolVisit, KindYouthCentreVisit, KindSafetyWalk, KindDialogueMeeting, KindCameraSurveillance,
	KindLighting, KindInformation, KindConcernTalk, KindMeeting, KindNeighbourhoodWatch, KindOther}

// Promise statuses.
const (
	PromiseDraft  = "draft"  // being written
	PromiseActive = "active" // signed, running
	PromiseEnded  = "ended"  // the period is over and followed up
)

// Progress statuses.
const (
	ProgressNotStarted = "not-started"
	ProgressOnTrack    = "on-track"
	ProgressBehind     = "behind"
	ProgressDone       = "done"    // a commitment without a count, marked done
	ProgressMet        = "met"     // a count commitment that reached its target
	ProgressNotMet     = "not-met" // the period is over and the commitment was not met (or not done)
)

// Kinds of work that count toward commitments (WorkItem.Kind).
const (
	WorkActivity = "activity"
	WorkWalk     = "walk"
	WorkDialogue = "dialogue"
	WorkCamera   = "camera"
	WorkAction   = "action"
)

// WorkItem is one piece of work that counts toward a commitment in a follow-up: an
// activity, a walk marked done, a dialogue held, a camera site in service, an action
// done. Until is the last day a camera was in service (nil: still is).
type WorkItem struct {
	Kind  string `json:"kind"`
	ID    string `json:"id"`
	Date  Date   `json:"date"`
	Until *Date  `json:"until,omitempty"`
	Count int    `json:"count"`
	Title string `json:"title"`
	Link  string `json:"link,omitempty"`
}

// Signatory is one who signed a promise, as the public document names them.
type Signatory struct {
	Name         string `json:"name"`
	Title        string `json:"title"`
	Organisation string `json:"organisation"`
}

// Promise is a medborgarlöfte: a municipality and its local police area(s), sometimes
// with other parties, promise residents commitments for a period, from a lägesbild.
// Published promises have a public follow-up.
type Promise struct {
	ID           string       `json:"id"`
	Municipality string       `json:"municipality"`
	Title        string       `json:"title"`
	PoliceAreas  []string     `json:"police_areas"`  // police_area ids
	OtherParties []string     `json:"other_parties"` // "Region Hallands lokala nämnd i Varberg"
	PeriodStart  Date         `json:"period_start"`
	PeriodEnd    Date         `json:"period_end"`
	SignedOn     *Date        `json:"signed_on"`
	Signatories  []Signatory  `json:"signatories"`
	FocusAreas   []string     `json:"focus_areas"`
	Summary      string       `json:"summary"`   // the promise in its own words
	Situation    string       `json:"situation"` // the lägesbild it starts from
	Status       string       `json:"status"`
	Published    bool         `json:"published"`
	Commitments  []Commitment `json:"commitments,omitempty"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// Validate checks a promise's own fields (not its commitments).
func (p *Promise) Validate() error {
	p.Title = strings.TrimSpace(p.Title)
	switch {
	case !ValidMunicipalityCode(p.Municipality):
		return Errorf(EINVALID, "municipality", "municipality %q is not an SCB code", p.Municipality)
	case p.Title == "":
		return Errorf(EINVALID, "title", "title is missing")
	case len([]rune(p.Title)) > 200:
		return Errorf(EINVALID, "title", "title is longer than 200 characters")
	case p.PeriodStart.IsZero():
		return Errorf(EINVALID, "period_start", "period_start is missing")
	case p.PeriodEnd.IsZero():
		return Errorf(EINVALID, "period_end", "period_end is missing")
	case p.PeriodStart.Year() < 2000 || p.PeriodStart.Year() > 2100:
		return Errorf(EINVALID, "period_start", "period_start %s is not a day from 2000 to 2100", p.PeriodStart.Format(time.DateOnly))
	case p.PeriodEnd.Before(p.PeriodStart.Time):
		return Errorf(EINVALID, "period_end", "the period ends (%s) before it starts (%s)",
			p.PeriodEnd.Format(time.DateOnly), p.PeriodStart.Format(time.DateOnly))
	case p.PeriodEnd.Sub(p.PeriodStart.Time) > 6*366*24*time.Hour:
		return Errorf(EINVALID, "period_end", "a period is at most six years")
	case p.SignedOn != nil && (p.SignedOn.Year() < 2000 || p.SignedOn.After(p.PeriodEnd.Time)):
		return Errorf(EINVALID, "signed_on", "signed_on is not a day from 2000 to the end of the period")
	case p.Status != PromiseDraft && p.Status != PromiseActive && p.Status != PromiseEnded:
		return Errorf(EINVALID, "status", "status %q is not draft, active or ended", p.Status)
	case p.Published && p.Status == PromiseDraft:
		return Errorf(EINVALID, "published", "a draft cannot be published")
	}
	for i, a := range p.PoliceAreas {
		if strings.TrimSpace(a) == "" || len(a) > 100 {
			return Errorf(EINVALID, fmt.Sprintf("police_areas[%d]", i), "a police area is the id of one, such as lpo-varberg")
		}
	}
	for i, o := range p.OtherParties {
		if p.OtherParties[i] = strings.TrimSpace(o); p.OtherParties[i] == "" || len([]rune(o)) > 200 {
			return Errorf(EINVALID, fmt.Sprintf("other_parties[%d]", i), "a party is a name of 1 to 200 characters")
		}
	}
	for i, s := range p.Signatories {
		f := fmt.Sprintf("signatories[%d]", i)
		if strings.TrimSpace(s.Name) == "" {
			return Errorf(EINVALID, f+".name", "a signatory's name is missing")
		}
		for _, t := range []struct{ field, v string }{{"name", s.Name}, {"title", s.Title}, {"organisation", s.Organisation}} {
			if err := CheckText(f+"."+t.field, t.v, 200); err != nil {
				return err
			}
		}
	}
	for i, a := range p.FocusAreas {
		if err := CheckFocusArea(fmt.Sprintf("focus_areas[%d]", i), a); err != nil {
			return err
		}
	}
	if err := CheckText("summary", p.Summary, 10000); err != nil {
		return err
	}
	return CheckText("situation", p.Situation, 10000)
}

// CheckFocusArea refuses a focus area that is not one of FocusAreas.
func CheckFocusArea(field, v string) error {
	if !slices.Contains(FocusAreas, v) {
		return Errorf(EINVALID, field, "focus area %q is not one of %s", v, strings.Join(FocusAreas, ", "))
	}
	return nil
}

// CheckParty refuses a party that is not one of Parties.
func CheckParty(field, v string) error {
	if !slices.Contains(Parties, v) {
		return Errorf(EINVALID, field, "party %q is not one of %s", v, strings.Join(Parties, ", "))
	}
	return nil
}

// CheckActivityKind refuses a kind that is not one of ActivityKinds.
func CheckActivityKind(field, v string) error {
	if !slices.Contains(ActivityKinds, v) {
		return Errorf(EINVALID, field, "activity kind %q is not one of %s", v, strings.Join(ActivityKinds, ", "))
	}
	return nil
}

// CommitmentPlace is a place a commitment names: a geometry of its own (Point,
// LineString or Polygon, WGS 84) or a named place (PlaceID, table place), or both; or
// an entry of the gazetteer (GazetteerID), whose name and point the store copies.
type CommitmentPlace struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	PlaceID     string       `json:"place_id,omitempty"`
	GazetteerID int64        `json:"gazetteer_id,omitempty"`
	Geometry    orb.Geometry `json:"-"`
}

// Commitment is one promise within a medborgarlöfte: a party commits to activities of
// a kind in a focus area, with a target that is a count within the promise's period
// (Target) or, without one, done or not done (Done).
type Commitment struct {
	ID           string            `json:"id"`
	PromiseID    string            `json:"promise_id"`
	Municipality string            `json:"municipality"`
	Position     int               `json:"position"`
	Party        string            `json:"party"`
	PartyName    string            `json:"party_name,omitempty"` // for other: who
	FocusArea    string            `json:"focus_area,omitempty"` // "" spans the promise's focus areas
	ActivityKind string            `json:"activity_kind"`
	Text         string            `json:"text"`
	Target       *int              `json:"target"` // nil: done / not done
	Done         bool              `json:"done"`
	DoneReason   string            `json:"done_reason"`   // why it is done without linked work
	OutdoorsOnly bool              `json:"outdoors_only"` // a rule the commitment imposes (Vara's cameras)
	Places       []CommitmentPlace `json:"places"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
}

// Validate checks a commitment's own fields.
func (c *Commitment) Validate() error {
	c.Text = strings.TrimSpace(c.Text)
	c.PartyName = strings.TrimSpace(c.PartyName)
	if err := CheckParty("party", c.Party); err != nil {
		return err
	}
	if c.FocusArea != "" {
		if err := CheckFocusArea("focus_area", c.FocusArea); err != nil {
			return err
		}
	}
	if err := CheckActivityKind("activity_kind", c.ActivityKind); err != nil {
		return err
	}
	switch {
	case c.Party == PartyOther && c.PartyName == "":
		return Errorf(EINVALID, "party_name", "name the party (party_name) when it is other")
	case c.Text == "":
		return Errorf(EINVALID, "text", "text is missing")
	case c.Target != nil && (*c.Target < 1 || *c.Target > 100000):
		return Errorf(EINVALID, "target", "target is a count from 1 to 100000, or null for done / not done")
	case c.Position < 0:
		return Errorf(EINVALID, "position", "position is 0 or more")
	}
	for i, p := range c.Places {
		f := fmt.Sprintf("places[%d]", i)
		if p.Geometry == nil && p.PlaceID == "" && p.GazetteerID == 0 {
			return Errorf(EINVALID, f, "a place is a geometry, a place_id or a gazetteer_id")
		}
		if err := CheckText(f+".name", p.Name, 200); err != nil {
			return err
		}
		if err := checkActivityGeometry(f+".geometry", p.Geometry); err != nil {
			return err
		}
	}
	if err := CheckText("party_name", c.PartyName, 200); err != nil {
		return err
	}
	c.DoneReason = strings.TrimSpace(c.DoneReason)
	if err := CheckText("done_reason", c.DoneReason, 2000); err != nil {
		return err
	}
	return CheckText("text", c.Text, 4000)
}

// Activity is something done (or planned) toward commitments: a patrol, a control, a
// school visit, a walk, a lighting fix. Each counts toward the commitments it links
// (CommitmentIDs) when it starts within their promise's period, by now.
type Activity struct {
	ID              string       `json:"id"`
	Municipality    string       `json:"municipality"`
	Kind            string       `json:"kind"`
	Party           string       `json:"party"`
	StartsAt        time.Time    `json:"starts_at"`
	DurationMinutes int          `json:"duration_minutes"`
	Count           int          `json:"count"` // how many it counts for (1 when 0: one activity)
	Geometry        orb.Geometry `json:"-"`     // Point, LineString or Polygon; nil for none
	PlaceID         string       `json:"place_id,omitempty"`
	Notes           string       `json:"notes"`
	CommitmentIDs   []string     `json:"commitment_ids"`
	CreatedBy       string       `json:"created_by,omitempty"`
	CreatedAt       time.Time    `json:"created_at"`
	UpdatedAt       time.Time    `json:"updated_at"`
}

// MaxActivityMinutes is the longest activity (a week).
const MaxActivityMinutes = 7 * 24 * 60

// MaxActivityCount is the most one activity entry counts for.
const MaxActivityCount = 10000

// Validate checks an activity's own fields.
func (a *Activity) Validate() error {
	if err := CheckActivityKind("kind", a.Kind); err != nil {
		return err
	}
	if err := CheckParty("party", a.Party); err != nil {
		return err
	}
	switch {
	case a.Municipality != "" && !ValidMunicipalityCode(a.Municipality):
		return Errorf(EINVALID, "municipality", "municipality %q is not an SCB code", a.Municipality)
	case a.StartsAt.IsZero():
		return Errorf(EINVALID, "starts_at", "starts_at is missing")
	case a.StartsAt.Year() < 2000 || a.StartsAt.Year() > 2100:
		return Errorf(EINVALID, "starts_at", "starts_at is not a time from 2000 to 2100")
	case a.DurationMinutes < 0 || a.DurationMinutes > MaxActivityMinutes:
		return Errorf(EINVALID, "duration_minutes", "duration_minutes is from 0 to %d (a week)", MaxActivityMinutes)
	case a.Count < 0 || a.Count > MaxActivityCount:
		return Errorf(EINVALID, "count", "count is from 1 to %d: how many the activity counts for", MaxActivityCount)
	case len(a.CommitmentIDs) > 50:
		return Errorf(EINVALID, "commitment_ids", "an activity links at most 50 commitments")
	}
	for i, id := range a.CommitmentIDs {
		if strings.TrimSpace(id) == "" {
			return Errorf(EINVALID, fmt.Sprintf("commitment_ids[%d]", i), "a commitment id is missing")
		}
	}
	if err := checkActivityGeometry("geometry", a.Geometry); err != nil {
		return err
	}
	return CheckText("notes", a.Notes, 10000)
}

func checkActivityGeometry(field string, g orb.Geometry) error {
	switch g.(type) {
	case nil, orb.Point, orb.LineString, orb.Polygon:
		return nil
	}
	return Errorf(EINVALID, field+".type", "a place is a Point, a LineString or a Polygon, not a %s", g.GeoJSONType())
}

// Progress is how far a commitment has come: achieved against its target, and against
// the pace the part of the period that has passed asks for.
type Progress struct {
	Target        *int    `json:"target"`          // nil: done / not done
	Achieved      int     `json:"achieved"`        // activities within the period, by today
	Done          bool    `json:"done"`            // marked done (commitments without a count)
	Expected      float64 `json:"expected"`        // target × elapsed share; 0 without a target
	ExpectedByNow int     `json:"expected_by_now"` // whole activities the pace asks for by today
	ElapsedDays   int     `json:"elapsed_days"`    // days of the period up to and including today
	PeriodDays    int     `json:"period_days"`     // days of the period, both ends included
	ElapsedShare  float64 `json:"elapsed_share"`   // ElapsedDays / PeriodDays
	Status        string  `json:"status"`          // not-started, on-track, behind, met, done, not-met
}

// dayNumber is the day's number counted in whole days since 1970-01-01 (UTC), so leap
// days count and time zones and clock changes do not.
func dayNumber(d Date) int {
	y, m, day := d.Date()
	return int(time.Date(y, m, day, 12, 0, 0, 0, time.UTC).Unix() / 86400)
}

// ProgressOf computes the progress of c with achieved work (and, for a commitment
// without a count, done) in the period from periodStart to periodEnd (both days
// included), as of today.
//
// With a target the pace expected by today is target × elapsed share of the period,
// where the elapsed days are those from periodStart up to and including today: the
// commitment is met once achieved reaches the target; after the period it is met or
// not met, nothing else; while the period runs it is on track while achieved is at
// least the whole part of the expected pace, behind otherwise, and not started while
// nothing is achieved and nothing is expected yet (before the period, or early in it).
// Without a target it is done when marked done (and only then); otherwise not met
// once the period is over, on track while something is achieved and the period runs,
// not started while nothing is.
func ProgressOf(c Commitment, achieved int, done bool, periodStart, periodEnd Date, today Date) Progress {
	p := Progress{Target: c.Target, Achieved: achieved, Done: done}
	start, end, now := dayNumber(periodStart), dayNumber(periodEnd), dayNumber(today)
	p.PeriodDays = max(end-start+1, 1)
	p.ElapsedDays = min(max(now-start+1, 0), p.PeriodDays)
	p.ElapsedShare = float64(p.ElapsedDays) / float64(p.PeriodDays)
	over := now > end
	if c.Target == nil {
		switch {
		case done:
			p.Status = ProgressDone
		case over:
			p.Status = ProgressNotMet
		case achieved > 0:
			p.Status = ProgressOnTrack
		default:
			p.Status = ProgressNotStarted
		}
		return p
	}
	target := *c.Target
	p.Expected = float64(target) * p.ElapsedShare
	p.ExpectedByNow = target * p.ElapsedDays / p.PeriodDays // exact in integers
	switch {
	case achieved >= target:
		p.Status = ProgressMet
	case over:
		p.Status = ProgressNotMet
	case achieved == 0 && p.ExpectedByNow == 0:
		p.Status = ProgressNotStarted
	case achieved >= p.ExpectedByNow:
		p.Status = ProgressOnTrack
	default:
		p.Status = ProgressBehind
	}
	return p
}

// Today is the calendar day in Sweden at t.
func Today(t time.Time) Date {
	y, m, d := t.In(SwedishTime).Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}
