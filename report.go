package trygg

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// Report sources, statuses and precisions.
const (
	SourceResident    = "resident"
	SourceWalk        = "walk"
	SourceDialogue    = "dialogue"
	SourceEST         = "est"
	SourcePolice      = "police"
	SourcePoliceEvent = "police-event"
	SourceSurvey      = "survey"

	StatusReceived  = "received"
	StatusPublished = "published"
	StatusRejected  = "rejected"
	StatusResolved  = "resolved"

	PrecisionExact       = "exact"
	PrecisionApproximate = "approximate"
	PrecisionArea        = "area"
)

var (
	// Sources lists every report source.
	Sources = []string{SourceResident, SourceWalk, SourceDialogue, SourceEST, SourcePolice, SourcePoliceEvent, SourceSurvey}
	// Statuses lists every report status.
	Statuses = []string{StatusReceived, StatusPublished, StatusRejected, StatusResolved}
	// Times are the values of Report.When: times of day (day 06–18, evening 18–22,
	// night 22–06) and kinds of day.
	Times = []string{"day", "evening", "night", "weekday", "weekend"}
)

// Category is an entry of the report taxonomy (see migrations/00003_reports.sql).
type Category struct {
	Code    string `json:"code"`
	LabelSV string `json:"label_sv"`
	LabelEN string `json:"label_en"`
	Group   string `json:"group"`
	Icon    string `json:"icon"`
}

// Contact is a reporter's private contact data; it is never public and is deleted
// after the retention period.
type Contact struct {
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Report is a place where someone feels unsafe (or safe). Location is a Point or a
// Polygon (an area up to 1 km²) in WGS 84. Description is the text as written;
// PublicDescription is what the public sees (contact details masked, or a moderator's
// edit).
type Report struct {
	ID                string         `json:"id"`
	Municipality      string         `json:"municipality"`
	Location          orb.Geometry   `json:"-"`
	Category          string         `json:"category"`
	Feeling           int            `json:"feeling"`
	When              []string       `json:"when"`
	Description       string         `json:"description"`
	PublicDescription string         `json:"public_description"`
	Source            string         `json:"source"`
	Precision         string         `json:"precision"`
	Status            string         `json:"status"`
	RejectReason      string         `json:"reject_reason,omitempty"`
	ObservedAt        *time.Time     `json:"observed_at"`
	CreatedAt         time.Time      `json:"created_at"`
	UpdatedAt         time.Time      `json:"updated_at"`
	Confirmations     int            `json:"confirmations"`
	Contact           *Contact       `json:"contact,omitempty"`
	History           []StatusChange `json:"history,omitempty"`
}

// StatusChange is one entry of a report's status history.
type StatusChange struct {
	Status string    `json:"status"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Note   string    `json:"note,omitempty"`
}

// Limits of a report.
const (
	MaxDescription   = 2000      // characters
	MaxAreaM2        = 1_000_000 // a Polygon report covers at most 1 km²
	MaxPolygonPoints = 500
)

// NormalizeWhen checks and sorts a list of times, dropping repeats.
func NormalizeWhen(when []string) ([]string, error) {
	out := make([]string, 0, len(when))
	for _, w := range when {
		w = strings.ToLower(strings.TrimSpace(w))
		if !slices.Contains(Times, w) {
			return nil, Errorf(EINVALID, "when", "%q is not one of %s", w, strings.Join(Times, ", "))
		}
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(Times, a) - slices.Index(Times, b) })
	return out, nil
}

// CheckText checks a free text: at most max characters, valid UTF-8, and no control
// characters but line breaks and tabs.
func CheckText(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return Errorf(EINVALID, field, "%s is not valid UTF-8", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return Errorf(EINVALID, field, "%s has %d characters, at most %d are allowed", field, n, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return Errorf(EINVALID, field, "%s contains the control character U+%04X", field, r)
		}
	}
	return nil
}

var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{4,20}$`)

// Validate checks contact data, normalizing the e-mail address.
func (c *Contact) Validate() error {
	c.Phone = strings.TrimSpace(c.Phone)
	if c.Email == "" && c.Phone == "" {
		return Errorf(EINVALID, "contact", "give an e-mail address or a phone number, or leave contact out")
	}
	if c.Email != "" {
		e, err := NormalizeEmail(c.Email)
		if err != nil {
			return Errorf(EINVALID, "contact.email", "%q is not an e-mail address", c.Email)
		}
		c.Email = e
	}
	if c.Phone != "" {
		digits := 0
		for _, r := range c.Phone {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if !phoneRE.MatchString(c.Phone) || digits < 6 || digits > 15 {
			return Errorf(EINVALID, "contact.phone", "%q is not a phone number", c.Phone)
		}
	}
	return nil
}

var (
	emailInText = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	phoneInText = regexp.MustCompile(`(?:\+|\b0)[0-9](?:[ \-]?[0-9]){5,13}\b`)
)

// MaskContacts replaces e-mail addresses and phone numbers in free text, for public
// display.
func MaskContacts(s string) string {
	s = emailInText.ReplaceAllString(s, "[e-post dold]")
	return phoneInText.ReplaceAllString(s, "[telefonnummer dolt]")
}
