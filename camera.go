package trygg

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Camera surveillance (kamerabevakning, Kamerabevakningslagen 2018:1200). A camera
// site records where a camera films, who runs it and why, and the decision it runs
// under. Until 31 March 2025 public authorities needed a permit from IMY to film
// places the public has access to; from 1 April 2025 no permit is needed but the
// weighing of the need against privacy must be documented (with a data protection
// impact assessment). Which regime applies follows from the decision's date.

// Camera lifecycle states, in order.
const (
	CameraProposed       = "proposed"
	CameraAssessed       = "assessed"
	CameraApproved       = "approved"
	CameraInstalled      = "installed"
	CameraActive         = "active"
	CameraDecommissioned = "decommissioned"
)

// CameraStates are the states, in lifecycle order.
var CameraStates = []string{CameraProposed, CameraAssessed, CameraApproved, CameraInstalled, CameraActive, CameraDecommissioned}

// Camera regimes.
const (
	RegimePermit   = "permit"   // decided before 2025-04-01: IMY permit (tillstånd)
	RegimeWeighing = "weighing" // decided from 2025-04-01: documented weighing and DPIA
)

// PermitRegimeEnds is the first day without the permit requirement (Swedish date).
var PermitRegimeEnds = Date{time.Date(2025, time.April, 1, 0, 0, 0, 0, time.UTC)}

// Camera operators.
const (
	OperatorMunicipality  = "municipality"
	OperatorPolice        = "police"
	OperatorPropertyOwner = "property-owner"
	OperatorOther         = "other"
)

// CameraOperators are the operator kinds.
var CameraOperators = []string{OperatorMunicipality, OperatorPolice, OperatorPropertyOwner, OperatorOther}

// CameraPlaceTypes are the kinds of place a camera films.
var CameraPlaceTypes = []string{"school", "travel-centre", "square", "street", "park", "parking", "public-transport",
	"shop", "sports", "residential", "other"}

// Limits of a camera site.
const (
	MaxCameraRangeM     = 1000.0
	MaxCameraHeightM    = 100.0
	MaxCameraRetention  = 3650
	CameraPermitWarning = 60 // days before a permit's expiry the attention list shows it
)

// Camera is a camera site. Position is WGS 84; View is the area filmed: a sector
// computed from Bearing, FOV and Range (geo.Sector in SWEREF 99 TM) or a polygon drawn
// by hand (ViewDrawn). PublicView says whether the public sees View.
type Camera struct {
	ID           string      `json:"id"`
	Municipality string      `json:"municipality"`
	Name         string      `json:"name"`
	Position     orb.Point   `json:"-"`
	HeightM      *float64    `json:"height_m"`
	Bearing      *float64    `json:"bearing"` // degrees clockwise from north
	FOV          *float64    `json:"fov"`     // field-of-view angle, degrees
	RangeM       *float64    `json:"range_m"`
	View         orb.Polygon `json:"-"`
	ViewDrawn    bool        `json:"view_drawn"`
	PublicView   bool        `json:"public_view"`
	OperatorKind string      `json:"operator_kind"`
	OperatorName string      `json:"operator_name"`
	Purpose      string      `json:"purpose"`
	PlaceType    string      `json:"place_type"`
	PublicAccess bool        `json:"public_access"` // the public has access to the filmed area
	Indoor       bool        `json:"indoor"`
	Audio        bool        `json:"audio"`
	// Retention of recordings in days.
	RetentionDays    int       `json:"retention_days"`
	SignageChecked   *Date     `json:"signage_checked_on"`
	ReviewOn         *Date     `json:"review_on"`
	State            string    `json:"state"`
	DecisionOn       *Date     `json:"decision_on"`
	PermitRef        string    `json:"permit_ref"`        // IMY's reference (diarienummer)
	PermitConditions string    `json:"permit_conditions"` // hours, areas, …
	PermitExpires    *Date     `json:"permit_expires_on"`
	WeighingRef      string    `json:"weighing_ref"` // the documented weighing of need against privacy
	DPIARef          string    `json:"dpia_ref"`     // the data protection impact assessment
	CommitmentIDs    []string  `json:"commitment_ids"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Regime is the legal regime of a decision taken on day d: the permit regime before
// 2025-04-01, the weighing regime from then; "" without a decision.
func Regime(d *Date) string {
	switch {
	case d == nil || d.IsZero():
		return ""
	case d.Before(PermitRegimeEnds.Time):
		return RegimePermit
	}
	return RegimeWeighing
}

// Regime is the regime the camera's decision falls under.
func (c *Camera) Regime() string { return Regime(c.DecisionOn) }

// PermitRequired says whether the camera needs an IMY permit: under the permit regime,
// an operator other than the Police (exempt since 2020) filming a place the public has
// access to.
func (c *Camera) PermitRequired() bool {
	return c.Regime() == RegimePermit && c.PublicAccess && c.OperatorKind != OperatorPolice
}

// SwedishDay is the calendar day in Sweden at t.
func SwedishDay(t time.Time) Date {
	y, m, d := t.In(SwedishTime).Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

func finite(v *float64) bool { return v != nil && !math.IsNaN(*v) && !math.IsInf(*v, 0) }

// Validate checks a camera's own fields; it does not judge the lifecycle (CanTransition).
func (c *Camera) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	c.OperatorName = strings.TrimSpace(c.OperatorName)
	c.Purpose = strings.TrimSpace(c.Purpose)
	c.PermitRef = strings.TrimSpace(c.PermitRef)
	c.WeighingRef = strings.TrimSpace(c.WeighingRef)
	c.DPIARef = strings.TrimSpace(c.DPIARef)
	sector := c.Bearing != nil || c.FOV != nil || c.RangeM != nil
	switch {
	case !ValidMunicipalityCode(c.Municipality):
		return Errorf(EINVALID, "municipality", "municipality %q is not an SCB code", c.Municipality)
	case c.Name == "":
		return Errorf(EINVALID, "name", "name is missing")
	case len([]rune(c.Name)) > 200:
		return Errorf(EINVALID, "name", "name is longer than 200 characters")
	case !slices.Contains(CameraStates, c.State):
		return Errorf(EINVALID, "state", "state %q is not one of %s", c.State, strings.Join(CameraStates, ", "))
	case !slices.Contains(CameraOperators, c.OperatorKind):
		return Errorf(EINVALID, "operator_kind", "operator_kind %q is not one of %s", c.OperatorKind, strings.Join(CameraOperators, ", "))
	case c.OperatorName == "":
		return Errorf(EINVALID, "operator_name", "operator_name is missing: who runs the camera")
	case c.Purpose == "":
		return Errorf(EINVALID, "purpose", "purpose is missing: why the place is filmed")
	case !slices.Contains(CameraPlaceTypes, c.PlaceType):
		return Errorf(EINVALID, "place_type", "place_type %q is not one of %s", c.PlaceType, strings.Join(CameraPlaceTypes, ", "))
	case c.HeightM != nil && (!finite(c.HeightM) || *c.HeightM < 0 || *c.HeightM > MaxCameraHeightM):
		return Errorf(EINVALID, "height_m", "height_m is from 0 to %v metres", MaxCameraHeightM)
	case sector && c.ViewDrawn:
		return Errorf(EINVALID, "view", "give either bearing, fov and range_m or a view drawn by hand, not both")
	case sector && !(c.Bearing != nil && c.FOV != nil && c.RangeM != nil):
		return Errorf(EINVALID, "bearing", "a view sector needs bearing, fov and range_m together")
	case sector && (!finite(c.Bearing) || *c.Bearing < 0 || *c.Bearing > 360):
		return Errorf(EINVALID, "bearing", "bearing is 0 to 360 degrees, clockwise from north")
	case sector && (!finite(c.FOV) || *c.FOV <= 0 || *c.FOV > 360):
		return Errorf(EINVALID, "fov", "fov is more than 0 and at most 360 degrees")
	case sector && (!finite(c.RangeM) || *c.RangeM <= 0 || *c.RangeM > MaxCameraRangeM):
		return Errorf(EINVALID, "range_m", "range_m is more than 0 and at most %v metres", MaxCameraRangeM)
	case c.ViewDrawn && len(c.View) == 0:
		return Errorf(EINVALID, "view", "view_drawn without a view")
	case c.RetentionDays < 0 || c.RetentionDays > MaxCameraRetention:
		return Errorf(EINVALID, "retention_days", "retention_days is from 0 to %d", MaxCameraRetention)
	case c.DecisionOn != nil && (c.DecisionOn.Year() < 2000 || c.DecisionOn.Year() > 2100):
		return Errorf(EINVALID, "decision_on", "decision_on is not a day from 2000 to 2100")
	case c.PermitExpires != nil && c.DecisionOn != nil && c.PermitExpires.Before(c.DecisionOn.Time):
		return Errorf(EINVALID, "permit_expires_on", "the permit expires before it was decided")
	case c.Regime() == RegimeWeighing && (c.PermitRef != "" || c.PermitExpires != nil):
		return Errorf(EINVALID, "permit_ref", "a decision from %s falls under the weighing regime: no IMY permit is given, "+
			"record weighing_ref and dpia_ref instead", PermitRegimeEnds.Format(time.DateOnly))
	}
	for _, t := range []struct {
		field, v string
		max      int
	}{{"operator_name", c.OperatorName, 200}, {"purpose", c.Purpose, 2000}, {"permit_ref", c.PermitRef, 200},
		{"permit_conditions", c.PermitConditions, 2000}, {"weighing_ref", c.WeighingRef, 2000}, {"dpia_ref", c.DPIARef, 200}} {
		if err := CheckText(t.field, t.v, t.max); err != nil {
			return err
		}
	}
	if len(c.CommitmentIDs) > 50 {
		return Errorf(EINVALID, "commitment_ids", "a camera links at most 50 commitments")
	}
	return nil
}

// Approved says why the camera is not approved under its regime on today, or nil:
// a decision date; under the permit regime an IMY permit reference that has not
// expired (if one is required; otherwise, for the Police or a place the public has no
// access to, a documented weighing); under the weighing regime the weighing and a DPIA.
func (c *Camera) Approved(today Date) error {
	switch c.Regime() {
	case "":
		return Errorf(ECONFLICT, "decision_on", "there is no decision: record decision_on, the day the camera was decided")
	case RegimePermit:
		if !c.PermitRequired() {
			if c.WeighingRef == "" {
				return Errorf(ECONFLICT, "weighing_ref", "decided %s without a permit requirement (%s): record the documented weighing (weighing_ref)",
					c.DecisionOn.Format(time.DateOnly), permitExemption(c))
			}
			return nil
		}
		switch {
		case c.PermitRef == "":
			return Errorf(ECONFLICT, "permit_ref", "decided %s, before %s, under the permit regime: record IMY's permit reference (permit_ref)",
				c.DecisionOn.Format(time.DateOnly), PermitRegimeEnds.Format(time.DateOnly))
		case c.PermitExpires != nil && c.PermitExpires.Before(today.Time):
			return Errorf(ECONFLICT, "permit_expires_on", "IMY's permit %s expired on %s", c.PermitRef, c.PermitExpires.Format(time.DateOnly))
		}
		return nil
	}
	switch {
	case c.WeighingRef == "":
		return Errorf(ECONFLICT, "weighing_ref", "decided %s, from %s, under the weighing regime: record the documented weighing of the need against privacy (weighing_ref)",
			c.DecisionOn.Format(time.DateOnly), PermitRegimeEnds.Format(time.DateOnly))
	case c.DPIARef == "":
		return Errorf(ECONFLICT, "dpia_ref", "decided %s under the weighing regime: record the data protection impact assessment (dpia_ref)",
			c.DecisionOn.Format(time.DateOnly))
	}
	return nil
}

func permitExemption(c *Camera) string {
	if c.OperatorKind == OperatorPolice {
		return "the Police are exempt"
	}
	return "the public has no access to the filmed area"
}

// CanTransition says why the camera may not move to state to on today, given the
// commitments it is linked to, or nil. The lifecycle runs proposed → assessed →
// approved → installed → active, one step at a time (active may step back to
// installed, a pause); any state but decommissioned may be decommissioned. Approval,
// installation and activation need approval under the regime of the decision
// (Approved); activation of an indoor camera is refused when a linked commitment
// allows outdoor cameras only. Refusals are ECONFLICT with the field at fault.
func (c *Camera) CanTransition(to string, commitments []Commitment, today Date) error {
	from := c.State
	i, j := slices.Index(CameraStates, from), slices.Index(CameraStates, to)
	switch {
	case j < 0:
		return Errorf(EINVALID, "to", "state %q is not one of %s", to, strings.Join(CameraStates, ", "))
	case from == CameraDecommissioned:
		return Errorf(ECONFLICT, "to", "the camera is decommissioned")
	case to == from:
		return Errorf(ECONFLICT, "to", "the camera is already %s", to)
	case to == CameraDecommissioned:
		return nil
	case from == CameraActive && to == CameraInstalled:
		return nil
	case j != i+1:
		return Errorf(ECONFLICT, "to", "a camera goes from %s to %s, not to %s", from, CameraStates[i+1], to)
	}
	if to == CameraApproved || to == CameraInstalled || to == CameraActive {
		if err := c.Approved(today); err != nil {
			e := err.(*Error)
			e.Message = fmt.Sprintf("a camera cannot be %s without approval under its regime: %s", to, e.Message)
			return e
		}
	}
	if to == CameraActive && c.Indoor {
		for _, cm := range commitments {
			if cm.OutdoorsOnly {
				return Errorf(ECONFLICT, "indoor", "the camera films indoors, and commitment %q allows outdoor cameras only", commitmentLabel(cm))
			}
		}
	}
	return nil
}

func commitmentLabel(cm Commitment) string {
	if t := []rune(cm.Text); len(t) > 0 {
		if len(t) > 80 {
			return string(t[:80]) + "…"
		}
		return string(t)
	}
	return cm.ID
}

// Attention reasons.
const (
	AttentionPermitExpiring = "permit-expiring" // within CameraPermitWarning days, or expired
	AttentionReviewOverdue  = "review-overdue"
	AttentionSignageNever   = "signage-never-checked"
)

// Attention is one reason a camera needs attention.
type Attention struct {
	Reason string `json:"reason"`
	Detail string `json:"detail"`
	Due    *Date  `json:"due,omitempty"`
}

// Attention lists what needs attention on today: a permit expiring within 60 days (or
// expired) of a camera not decommissioned, a review date passed, signage never checked
// on a camera installed or active.
func (c *Camera) Attention(today Date) []Attention {
	var out []Attention
	if c.State == CameraDecommissioned {
		return nil
	}
	if c.PermitExpires != nil {
		days := int(c.PermitExpires.Sub(today.Time).Hours() / 24)
		switch {
		case days < 0:
			out = append(out, Attention{Reason: AttentionPermitExpiring, Due: c.PermitExpires,
				Detail: fmt.Sprintf("the permit expired on %s", c.PermitExpires.Format(time.DateOnly))})
		case days <= CameraPermitWarning:
			out = append(out, Attention{Reason: AttentionPermitExpiring, Due: c.PermitExpires,
				Detail: fmt.Sprintf("the permit expires on %s, in %d days", c.PermitExpires.Format(time.DateOnly), days)})
		}
	}
	if c.ReviewOn != nil && c.ReviewOn.Before(today.Time) {
		out = append(out, Attention{Reason: AttentionReviewOverdue, Due: c.ReviewOn,
			Detail: fmt.Sprintf("the review was due on %s", c.ReviewOn.Format(time.DateOnly))})
	}
	if c.SignageChecked == nil && (c.State == CameraInstalled || c.State == CameraActive) {
		out = append(out, Attention{Reason: AttentionSignageNever, Detail: "the signs have never been checked"})
	}
	return out
}
