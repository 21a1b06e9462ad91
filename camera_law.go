package trygg

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Camera law by the day of operation (Kamerabevakningslagen 2018:1200 as amended on
// 2025-04-01). What a camera needs to film on a day is what the law in force that day
// asks, whatever the day of its decision and whatever permit it once had:
//
//   - from 2025-04-01: a documented weighing of the need against privacy
//     (intresseavvägning) and a data protection impact assessment (DPIA), for every
//     operator;
//   - before 2025-04-01: an IMY permit, valid that day, for public authorities and
//     private operators performing a public task filming a place the public has access
//     to (PermitNeeded); the Police were exempt, private property owners and shops
//     needed none. An expired permit matters only here.
//
// LawOn judges one day; MayOperate adds the register's own conditions (a decision, an
// approval, not decommissioned); PastViolation looks back at the days the camera filmed.

// PermitLastDay is the last day of the permit requirement (2025-03-31).
var PermitLastDay = Date{PermitRegimeEnds.AddDate(0, 0, -1)}

// Operation reason codes (OperationReason.Code).
const (
	OperateWeighing       = "weighing-dpia"     // may: weighing and DPIA (from 2025-04-01)
	OperatePermit         = "permit"            // may: a valid IMY permit (before 2025-04-01)
	OperatePoliceExempt   = "police-exempt"     // may: the Police needed no permit
	OperatePrivate        = "private-no-permit" // may: a private operator needed no permit
	OperateNotPublic      = "not-public-place"  // may: a place the public has no access to needed no permit
	OperateNoWeighing     = "weighing-missing"
	OperateNoDPIA         = "dpia-missing"
	OperateNoPermit       = "permit-missing"
	OperatePermitExpired  = "permit-expired"
	OperateNoDecision     = "no-decision"
	OperateNotApproved    = "not-approved"
	OperateDecommissioned = "decommissioned"
)

// OperationReason says why a camera may or may not film on a day: a stable code, the
// field at fault for a refusal, and the reason in Swedish (Text) and English (Detail).
type OperationReason struct {
	Code   string `json:"code"`
	Field  string `json:"field,omitempty"`
	Text   string `json:"text"`
	Detail string `json:"detail"`
}

// PermitNeeded says whether filming before 2025-04-01 needed an IMY permit: a public
// authority (a municipality or another) or a private operator performing a public
// task, filming a place the public has access to. The Police were exempt; private
// property owners, shops and other private operators needed none.
func (c *Camera) PermitNeeded() bool {
	return c.PublicAccess && slices.Contains([]string{OperatorMunicipality, OperatorPublicAuthority, OperatorPrivatePublicTask}, c.OperatorKind)
}

// RegimeOn is the regime in force on day d (Regime of d), whatever the decision.
func RegimeOn(d Date) string { return Regime(&d) }

func iso(d Date) string { return d.Format(time.DateOnly) }

// lawOn says whether the law in force on day d lets the camera film that day, and why.
func (c *Camera) lawOn(d Date) (bool, OperationReason) {
	day := iso(d)
	if RegimeOn(d) == RegimeWeighing {
		switch {
		case c.WeighingRef == "":
			return false, OperationReason{Code: OperateNoWeighing, Field: "weighing_ref",
				Text:   fmt.Sprintf("Den dokumenterade intresseavvägningen saknas. Från 2025-04-01 krävs den och en konsekvensbedömning (DPIA) för att filma, oavsett beslutsdatum och tillstånd (%s).", day),
				Detail: fmt.Sprintf("filming on %s, from 2025-04-01, needs a documented weighing of the need against privacy (weighing_ref), whatever the decision date or permit", day)}
		case c.DPIARef == "":
			return false, OperationReason{Code: OperateNoDPIA, Field: "dpia_ref",
				Text:   fmt.Sprintf("Konsekvensbedömningen (DPIA) saknas. Från 2025-04-01 krävs den och en dokumenterad intresseavvägning för att filma, oavsett beslutsdatum och tillstånd (%s).", day),
				Detail: fmt.Sprintf("filming on %s, from 2025-04-01, needs a data protection impact assessment (dpia_ref), whatever the decision date or permit", day)}
		}
		return true, OperationReason{Code: OperateWeighing,
			Text:   fmt.Sprintf("Får filma %s: dokumenterad intresseavvägning (%s) och konsekvensbedömning (%s), som reglerna från 2025-04-01 kräver.", day, c.WeighingRef, c.DPIARef),
			Detail: fmt.Sprintf("may film on %s: documented weighing (%s) and DPIA (%s), as the rules from 2025-04-01 ask", day, c.WeighingRef, c.DPIARef)}
	}
	if !c.PermitNeeded() {
		switch {
		case !c.PublicAccess:
			return true, OperationReason{Code: OperateNotPublic,
				Text:   fmt.Sprintf("Får filma %s: allmänheten har inte tillträde till platsen, så inget tillstånd från IMY krävdes före 2025-04-01.", day),
				Detail: fmt.Sprintf("may film on %s: the public has no access to the place, so no IMY permit was needed before 2025-04-01", day)}
		case c.OperatorKind == OperatorPolice:
			return true, OperationReason{Code: OperatePoliceExempt,
				Text:   fmt.Sprintf("Får filma %s: Polisen var undantagen från tillståndsplikten.", day),
				Detail: fmt.Sprintf("may film on %s: the Police were exempt from the permit", day)}
		}
		return true, OperationReason{Code: OperatePrivate,
			Text:   fmt.Sprintf("Får filma %s: enskilda (fastighetsägare, butiker) som inte utför en uppgift av allmänt intresse behövde inget tillstånd från IMY före 2025-04-01.", day),
			Detail: fmt.Sprintf("may film on %s: private operators (property owners, shops) not performing a public task needed no IMY permit before 2025-04-01", day)}
	}
	switch {
	case c.PermitRef == "":
		return false, OperationReason{Code: OperateNoPermit, Field: "permit_ref",
			Text:   fmt.Sprintf("Tillstånd från IMY saknas. Före 2025-04-01 behövde myndigheter och enskilda som utför en uppgift av allmänt intresse tillstånd för att filma en plats dit allmänheten har tillträde (%s).", day),
			Detail: fmt.Sprintf("filming on %s, before 2025-04-01, needed an IMY permit (permit_ref): public authorities and private operators performing a public task filming a place the public has access to", day)}
	case c.PermitExpires != nil && c.PermitExpires.Before(d.Time):
		return false, OperationReason{Code: OperatePermitExpired, Field: "permit_expires_on",
			Text:   fmt.Sprintf("IMY:s tillstånd %s gick ut %s; före 2025-04-01 krävdes ett gällande tillstånd (%s).", c.PermitRef, iso(*c.PermitExpires), day),
			Detail: fmt.Sprintf("IMY's permit %s expired on %s; filming on %s, before 2025-04-01, needed a valid permit", c.PermitRef, iso(*c.PermitExpires), day)}
	}
	return true, OperationReason{Code: OperatePermit,
		Text:   fmt.Sprintf("Får filma %s: IMY:s tillstånd %s gäller, som reglerna före 2025-04-01 kräver.", day, c.PermitRef),
		Detail: fmt.Sprintf("may film on %s: IMY's permit %s is valid, as the rules before 2025-04-01 ask", day, c.PermitRef)}
}

// LawOn says why the law in force on day d does not let the camera film that day
// (ECONFLICT with the field at fault), or nil.
func (c *Camera) LawOn(d Date) error {
	if ok, r := c.lawOn(d); !ok {
		return Errorf(ECONFLICT, r.Field, "%s", r.Detail)
	}
	return nil
}

// MayOperate says whether the camera may film on day d, and why: it is not
// decommissioned, has a decision, the law in force on d allows it (LawOn) and it is
// approved (approved, installed or active).
func (c *Camera) MayOperate(d Date) (bool, OperationReason) {
	if c.State == CameraDecommissioned {
		return false, OperationReason{Code: OperateDecommissioned, Field: "state", Text: "Kameran är avvecklad.", Detail: "the camera is decommissioned"}
	}
	if c.DecisionOn == nil || c.DecisionOn.IsZero() {
		return false, OperationReason{Code: OperateNoDecision, Field: "decision_on",
			Text: "Beslut saknas: fyll i dagen då kamerabevakningen beslutades.", Detail: "there is no decision: record decision_on, the day the camera was decided"}
	}
	ok, r := c.lawOn(d)
	if !ok {
		return false, r
	}
	if c.State == CameraProposed || c.State == CameraAssessed {
		return false, OperationReason{Code: OperateNotApproved, Field: "state",
			Text:   "Kameran är inte godkänd ännu. " + r.Text,
			Detail: "the camera is not approved yet; the law alone would allow it: " + r.Detail}
	}
	return true, r
}

// Approved says why the camera cannot be approved (or installed, or activated) on
// today, or nil: it needs a decision, and the law in force today must let it film
// (LawOn: from 2025-04-01 a documented weighing and a DPIA, whatever the decision's
// day and whatever permit it had).
func (c *Camera) Approved(today Date) error {
	if c.DecisionOn == nil || c.DecisionOn.IsZero() {
		return Errorf(ECONFLICT, "decision_on", "there is no decision: record decision_on, the day the camera was decided")
	}
	return c.LawOn(today)
}

// OutdoorsOnlyConflict says why an indoor camera may not answer one of commitments
// (one that allows outdoor cameras only), or nil.
func (c *Camera) OutdoorsOnlyConflict(commitments []Commitment) error {
	if !c.Indoor {
		return nil
	}
	for _, cm := range commitments {
		if cm.OutdoorsOnly {
			return Errorf(ECONFLICT, "indoor", "the camera films indoors, and commitment %q allows outdoor cameras only", commitmentLabel(cm))
		}
	}
	return nil
}

// CanTransition says why the camera may not move to state to on today, given the
// commitments it is linked to, or nil. The lifecycle runs proposed → assessed →
// approved → installed → active, one step at a time (active may step back to
// installed, a pause); any state but decommissioned may be decommissioned. Approval,
// installation and activation need the law in force today to let the camera film
// (Approved), and are refused for an indoor camera linked to a commitment that allows
// outdoor cameras only. Refusals are ECONFLICT with the field at fault.
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
			e.Message = fmt.Sprintf("a camera cannot be %s on %s: %s", to, iso(today), e.Message)
			return e
		}
		if err := c.OutdoorsOnlyConflict(commitments); err != nil {
			e := err.(*Error)
			e.Message = fmt.Sprintf("a camera cannot be %s: %s", to, e.Message)
			return e
		}
	}
	return nil
}

// Attention reasons.
const (
	AttentionPermitExpiring = "permit-expiring" // before 2025-04-01: a needed permit expiring within CameraPermitWarning days, or expired
	AttentionReviewOverdue  = "review-overdue"
	AttentionSignageNever   = "signage-never-checked"
	AttentionMayNotOperate  = "may-not-operate"         // an active camera the law in force today does not let film
	AttentionPastViolation  = "operated-without-permit" // filmed before 2025-04-01 without the permit it needed
)

// Attention is one reason a camera needs attention. Code is the operation reason's
// code for AttentionMayNotOperate.
type Attention struct {
	Reason string `json:"reason"`
	Code   string `json:"code,omitempty"`
	Detail string `json:"detail"`
	Due    *Date  `json:"due,omitempty"`
}

// PastViolation says whether the camera filmed, before 2025-04-01, without the IMY
// permit it needed then: over its operating period (OperatedFrom to OperatedUntil,
// cut at 2025-03-31) with no permit, or after its permit expired. Due is the first
// day filmed without a valid permit. This holds whatever the camera's state today.
func (c *Camera) PastViolation() *Attention {
	if c.OperatedFrom == nil || !c.OperatedFrom.Before(PermitRegimeEnds.Time) || !c.PermitNeeded() {
		return nil
	}
	last := PermitLastDay
	if c.OperatedUntil != nil && c.OperatedUntil.Before(last.Time) {
		last = *c.OperatedUntil
	}
	switch {
	case c.PermitRef == "":
		from := *c.OperatedFrom
		return &Attention{Reason: AttentionPastViolation, Due: &from,
			Detail: fmt.Sprintf("the camera filmed from %s to %s without the IMY permit it needed before 2025-04-01", iso(from), iso(last))}
	case c.PermitExpires != nil && c.PermitExpires.Before(last.Time):
		from := Date{c.PermitExpires.AddDate(0, 0, 1)}
		if from.Before(c.OperatedFrom.Time) {
			from = *c.OperatedFrom
		}
		return &Attention{Reason: AttentionPastViolation, Due: &from,
			Detail: fmt.Sprintf("the camera filmed from %s to %s after IMY's permit %s expired on %s", iso(from), iso(last), c.PermitRef, iso(*c.PermitExpires))}
	}
	return nil
}

// Attention lists what needs attention on today: a past violation (whatever the
// state); and, for a camera not decommissioned, an active camera that may not film
// today, a needed permit expiring within 60 days (or expired) while the permit
// requirement lasts (today before 2025-04-01, the permit expiring before
// 2025-03-31: later expiries no longer matter), a review date passed, signage never
// checked on a camera installed or active.
func (c *Camera) Attention(today Date) []Attention {
	var out []Attention
	if v := c.PastViolation(); v != nil {
		out = append(out, *v)
	}
	if c.State == CameraDecommissioned {
		return out
	}
	if c.State == CameraActive {
		if ok, r := c.MayOperate(today); !ok {
			out = append(out, Attention{Reason: AttentionMayNotOperate, Code: r.Code, Detail: r.Detail})
		}
	}
	if c.PermitExpires != nil && c.PermitNeeded() && RegimeOn(today) == RegimePermit && c.PermitExpires.Before(PermitLastDay.Time) {
		days := int(c.PermitExpires.Sub(today.Time).Hours() / 24)
		switch {
		case days < 0:
			out = append(out, Attention{Reason: AttentionPermitExpiring, Due: c.PermitExpires,
				Detail: fmt.Sprintf("the permit expired on %s", iso(*c.PermitExpires))})
		case days <= CameraPermitWarning:
			out = append(out, Attention{Reason: AttentionPermitExpiring, Due: c.PermitExpires,
				Detail: fmt.Sprintf("the permit expires on %s, in %d days", iso(*c.PermitExpires), days)})
		}
	}
	if c.ReviewOn != nil && c.ReviewOn.Before(today.Time) {
		out = append(out, Attention{Reason: AttentionReviewOverdue, Due: c.ReviewOn,
			Detail: fmt.Sprintf("the review was due on %s", iso(*c.ReviewOn))})
	}
	if c.SignageChecked == nil && (c.State == CameraInstalled || c.State == CameraActive) {
		out = append(out, Attention{Reason: AttentionSignageNever, Detail: "the signs have never been checked"})
	}
	return out
}
