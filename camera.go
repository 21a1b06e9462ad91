package trygg

import (
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
// impact assessment). Which rules apply follows from the day of operation, not from
// the day of the decision (camera_law.go).

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

// Camera regimes: the rules in force on a day (RegimeOn), and, as a plain fact of the
// register, the rules in force on the day of the decision (Regime).
const (
	RegimePermit   = "permit"   // before 2025-04-01: IMY permit (tillstånd) where one was required
	RegimeWeighing = "weighing" // from 2025-04-01: documented weighing and DPIA
)

// PermitRegimeEnds is the first day without the permit requirement (Swedish date).
var PermitRegimeEnds = Date{time.Date(2025, time.April, 1, 0, 0, 0, 0, time.UTC)}

// Camera operators. Before 2025-04-01 an IMY permit was required of public authorities
// (municipalities among them) and of private operators performing a public task
// (PermitNeeded); the Police were exempt, private property owners, shops and other
// private operators needed none.
const (
	OperatorMunicipality      = "municipality"
	OperatorPublicAuthority   = "public-authority"    // another authority: region, Trafikverket, …
	OperatorPolice            = "police"              // exempt from the permit (since 2020)
	OperatorPrivatePublicTask = "private-public-task" // a private operator performing a public task
	OperatorPropertyOwner     = "property-owner"      // a private property owner
	OperatorShop              = "shop"                // a shop or other trader
	OperatorOther             = "other"               // another private operator, no public task
)

// CameraOperators are the operator kinds.
var CameraOperators = []string{OperatorMunicipality, OperatorPublicAuthority, OperatorPolice, OperatorPrivatePublicTask,
	OperatorPropertyOwner, OperatorShop, OperatorOther}

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
	RetentionDays    int      `json:"retention_days"`
	SignageChecked   *Date    `json:"signage_checked_on"`
	ReviewOn         *Date    `json:"review_on"`
	State            string   `json:"state"`
	DecisionOn       *Date    `json:"decision_on"`
	PermitRef        string   `json:"permit_ref"`        // IMY's reference (diarienummer)
	PermitConditions string   `json:"permit_conditions"` // hours, areas, …
	PermitExpires    *Date    `json:"permit_expires_on"`
	WeighingRef      string   `json:"weighing_ref"` // the documented weighing of need against privacy
	DPIARef          string   `json:"dpia_ref"`     // the data protection impact assessment
	CommitmentIDs    []string `json:"commitment_ids"`
	// The period the camera filmed (was active): from its first activation (or the day
	// given for a camera that ran before it was registered) to its decommissioning.
	OperatedFrom  *Date     `json:"operated_from"`
	OperatedUntil *Date     `json:"operated_until"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Regime is the regime in force on day d: the permit regime before 2025-04-01, the
// weighing regime from then; "" without a day.
func Regime(d *Date) string {
	switch {
	case d == nil || d.IsZero():
		return ""
	case d.Before(PermitRegimeEnds.Time):
		return RegimePermit
	}
	return RegimeWeighing
}

// Regime is the regime in force on the day of the camera's decision: a fact of the
// register, not the rules the camera runs under (those are the rules of the day of
// operation: LawOn).
func (c *Camera) Regime() string { return Regime(c.DecisionOn) }

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
	case c.PermitExpires != nil && (c.PermitExpires.Year() < 2000 || c.PermitExpires.Year() > 2100):
		return Errorf(EINVALID, "permit_expires_on", "permit_expires_on is not a day from 2000 to 2100")
	case c.OperatedFrom != nil && (c.OperatedFrom.Year() < 2000 || c.OperatedFrom.Year() > 2100):
		return Errorf(EINVALID, "operated_from", "operated_from is not a day from 2000 to 2100")
	case c.OperatedUntil != nil && c.OperatedFrom == nil:
		return Errorf(EINVALID, "operated_until", "operated_until without operated_from: the day the camera began to film")
	case c.OperatedUntil != nil && c.OperatedUntil.Before(c.OperatedFrom.Time):
		return Errorf(EINVALID, "operated_until", "the camera stopped filming before it began (operated_from)")
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

func commitmentLabel(cm Commitment) string {
	if t := []rune(cm.Text); len(t) > 0 {
		if len(t) > 80 {
			return string(t[:80]) + "…"
		}
		return string(t)
	}
	return cm.ID
}
