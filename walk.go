package trygg

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Walk statuses.
const (
	WalkPlanned    = "planned"
	WalkDone       = "done"
	WalkFollowedUp = "followed-up"
)

// Walk is a safety walk (trygghetsvandring): residents, staff and police walk an area
// and note places that feel unsafe (or safe). Route is in WGS 84; RouteTimes, when the
// track had timestamps, holds one time per route point (stored as the M of a
// LINESTRINGM).
type Walk struct {
	ID           string         `json:"id"`
	Municipality string         `json:"municipality"`
	Title        string         `json:"title"`
	Area         orb.Polygon    `json:"-"`
	Route        orb.LineString `json:"-"`
	RouteTimes   []time.Time    `json:"-"`
	StartsAt     *time.Time     `json:"starts_at"`
	EndsAt       *time.Time     `json:"ends_at"`
	Dark         *bool          `json:"dark"`
	Organisers   []string       `json:"organisers"`
	Participants map[string]int `json:"participants"` // group → count; no personal data
	Status       string         `json:"status"`
	Notes        string         `json:"notes"`
	// CommitmentIDs are the commitments (of the walk's municipality) the walk counts
	// toward once done; nil on an update keeps them.
	CommitmentIDs []string  `json:"commitment_ids"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Validate checks a walk's own fields.
func (w *Walk) Validate() error {
	w.Title = strings.TrimSpace(w.Title)
	switch {
	case !ValidMunicipalityCode(w.Municipality):
		return Errorf(EINVALID, "municipality", "municipality %q is not an SCB code", w.Municipality)
	case w.Title == "":
		return Errorf(EINVALID, "title", "title is missing")
	case len([]rune(w.Title)) > 200:
		return Errorf(EINVALID, "title", "title is longer than 200 characters")
	case w.Status != WalkPlanned && w.Status != WalkDone && w.Status != WalkFollowedUp:
		return Errorf(EINVALID, "status", "status %q is not planned, done or followed-up", w.Status)
	case w.StartsAt != nil && w.EndsAt != nil && w.EndsAt.Before(*w.StartsAt):
		return Errorf(EINVALID, "ends_at", "the walk ends before it starts")
	case len(w.RouteTimes) > 0 && len(w.RouteTimes) != len(w.Route):
		return Errorf(EINVALID, "route", "the route has %d points but %d times", len(w.Route), len(w.RouteTimes))
	case len(w.Route) == 1:
		return Errorf(EINVALID, "route", "a route needs at least two points")
	}
	for g, n := range w.Participants {
		if strings.TrimSpace(g) == "" || n < 0 {
			return Errorf(EINVALID, "participants", "participants are group names with counts of 0 or more")
		}
	}
	for _, o := range w.Organisers {
		if strings.TrimSpace(o) == "" || len(o) > 200 {
			return Errorf(EINVALID, "organisers", "an organiser is a name of at most 200 characters")
		}
	}
	return CheckText("notes", w.Notes, 10000)
}

// Action statuses.
const (
	ActionOpen       = "open"
	ActionInProgress = "in_progress"
	ActionDone       = "done"
	ActionRejected   = "rejected"
)

// Action is an åtgärd: a fix from an observation (ReportID), a walk (WalkID), a hot area
// (HotspotID), a named place (PlaceID) or commitments (CommitmentIDs), owned by
// an organisation (OwnerOrg) or someone named in text ("Trafikverket",
// "fastighetsägare"), with a due date. Feedback (återkoppling) is what residents are
// told; it shows on the public report.
type Action struct {
	ID           string `json:"id"`
	Municipality string `json:"municipality"`
	ReportID     string `json:"report_id,omitempty"`
	WalkID       string `json:"walk_id,omitempty"`
	HotspotID    string `json:"hotspot_id,omitempty"` // a hot area of a saved hotspot run
	PlaceID      string `json:"place_id,omitempty"`   // a named place
	// CommitmentIDs are the commitments (of a medborgarlöfte) the action serves.
	CommitmentIDs []string `json:"commitment_ids"`
	Description   string   `json:"description"`
	OwnerOrg      string   `json:"owner_org,omitempty"`
	OwnerText     string   `json:"owner_text,omitempty"`
	DueOn         *Date    `json:"due_on"`
	// ExpectedEffect is what the action should change (förväntad effekt); FollowUpOn
	// when that is checked.
	ExpectedEffect string     `json:"expected_effect"`
	FollowUpOn     *Date      `json:"follow_up_on"`
	Status         string     `json:"status"`
	Feedback       string     `json:"feedback"`
	DoneAt         *time.Time `json:"done_at"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Validate checks an action's own fields.
func (a *Action) Validate() error {
	a.Description = strings.TrimSpace(a.Description)
	a.OwnerText = strings.TrimSpace(a.OwnerText)
	switch {
	case a.ReportID == "" && a.WalkID == "" && a.HotspotID == "" && a.PlaceID == "" && len(a.CommitmentIDs) == 0:
		return Errorf(EINVALID, "report_id", "an action hangs on an observation (report_id), a walk (walk_id), a hot area (hotspot_id), a place (place_id) or commitments (commitment_ids)")
	case a.Description == "":
		return Errorf(EINVALID, "description", "description is missing")
	case a.OwnerOrg == "" && a.OwnerText == "":
		return Errorf(EINVALID, "owner", "say who owns the action: owner_org (an organisation id) or owner_text")
	case a.Status != ActionOpen && a.Status != ActionInProgress && a.Status != ActionDone && a.Status != ActionRejected:
		return Errorf(EINVALID, "status", "status %q is not open, in_progress, done or rejected", a.Status)
	}
	if err := CheckText("description", a.Description, 2000); err != nil {
		return err
	}
	if err := CheckText("owner_text", a.OwnerText, 200); err != nil {
		return err
	}
	a.ExpectedEffect = strings.TrimSpace(a.ExpectedEffect)
	if err := CheckText("expected_effect", a.ExpectedEffect, 2000); err != nil {
		return err
	}
	return CheckText("feedback", a.Feedback, 2000)
}

// PublicAction is what the public sees of the latest action on a report: its status
// and the feedback (återkoppling) residents are given.
type PublicAction struct {
	Status   string `json:"status"`
	Feedback string `json:"feedback"`
}

// Date is a calendar day (YYYY-MM-DD in JSON).
type Date struct{ time.Time }

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	return Date{t}, err
}

// MarshalJSON writes "YYYY-MM-DD" (the embedded time.Time's MarshalJSON would
// otherwise win over MarshalText and write a timestamp).
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.Format(time.DateOnly) + `"`), nil }

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("a date is a string YYYY-MM-DD, not %s", b)
	}
	return d.UnmarshalText([]byte(s))
}

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.Format(time.DateOnly)), nil }

// UnmarshalText reads YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	t, err := time.Parse(time.DateOnly, string(b))
	if err != nil {
		return Errorf(EINVALID, "date", "%q is not a date such as 2026-12-01", b)
	}
	d.Time = t
	return nil
}

// Overdue reports whether the action's deadline (DueOn) has passed on today (a Swedish
// calendar day) while it is still open or in progress: done and rejected actions are
// never overdue.
func (a Action) Overdue(today Date) bool {
	return a.DueOn != nil && a.DueOn.Before(today.Time) && (a.Status == ActionOpen || a.Status == ActionInProgress)
}
