package trygg

import (
	"context"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// Role is what a staff user may do.
type Role string

// Roles. Not signed in is the public, which has no role.
const (
	RoleAdmin     Role = "admin"     // everything, in the organisation's municipalities
	RolePlanner   Role = "planner"   // municipal safety coordinator
	RolePolice    Role = "police"    // local police area staff
	RoleModerator Role = "moderator" // reviews resident reports
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RolePlanner, RolePolice, RoleModerator}

// Organisation kinds.
const (
	OrgMunicipality = "municipality" // a kommun's administration
	OrgPoliceArea   = "police_area"  // a lokalpolisområde
)

// Organisation is a municipality administration or a police area; each user belongs to
// one, and serves its municipalities.
type Organisation struct {
	ID               string `json:"id"`
	Kind             string `json:"kind"`
	Name             string `json:"name"`
	MunicipalityCode string `json:"municipality,omitempty"`
	PoliceAreaID     string `json:"police_area,omitempty"`
}

// RoleAllowed reports whether a user of an organisation of this kind may have role r:
// police only in a police area, planners and moderators only in a municipality.
func RoleAllowed(kind string, r Role) bool {
	switch r {
	case RoleAdmin:
		return kind == OrgMunicipality || kind == OrgPoliceArea
	case RolePolice:
		return kind == OrgPoliceArea
	case RolePlanner, RoleModerator:
		return kind == OrgMunicipality
	}
	return false
}

// User is a staff member. Municipalities are those the organisation serves.
type User struct {
	ID             string       `json:"id"`
	Email          string       `json:"email"`
	Role           Role         `json:"role"`
	Organisation   Organisation `json:"organisation"`
	Municipalities []string     `json:"municipalities"`
	Demo           bool         `json:"demo,omitempty"`
	CreatedAt      time.Time    `json:"created_at,omitzero"`
	Disabled       bool         `json:"disabled,omitempty"`
}

// NormalizeEmail returns the address trimmed and lowercased, or an EINVALID error.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e || !strings.Contains(e[strings.LastIndex(e, "@")+1:], ".") {
		return "", Errorf(EINVALID, "email", "%q is not an e-mail address", email)
	}
	return e, nil
}

// MinPasswordLength is the shortest password accepted (NIST SP 800-63B: at least 8;
// staff accounts reach residents' data, so more).
const MinPasswordLength = 12

// ValidatePassword checks a new password.
func ValidatePassword(p string) error {
	if n := len([]rune(p)); n < MinPasswordLength {
		return Errorf(EINVALID, "password", "the password has %d characters, at least %d are needed", n, MinPasswordLength)
	}
	if len(p) > 1024 {
		return Errorf(EINVALID, "password", "the password is longer than 1024 bytes")
	}
	return nil
}

// Caller is who makes a request: a signed-in user (by session or API token), or nil
// for the public.
type Caller struct {
	User      User
	SessionID string // hash of the session token, hex, when signed in by cookie
	CSRFToken string // the session's CSRF token
	TokenID   string // the API token's id, when signed in by bearer token
	Actor     string // for the audit log when there is no user: "cli:NAME"
}

// Can reports whether the caller has one of the roles.
func (c *Caller) Can(roles ...Role) bool {
	return c != nil && c.User.ID != "" && slices.Contains(roles, c.User.Role)
}

// Serves reports whether the caller serves the municipality.
func (c *Caller) Serves(code string) bool {
	return c != nil && slices.Contains(c.User.Municipalities, code)
}

type callerKey struct{}

// NewContext returns ctx carrying the caller. The store reads it to set row-level
// security for every query.
func NewContext(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller in ctx, or nil for the public.
func CallerFrom(ctx context.Context) *Caller {
	c, _ := ctx.Value(callerKey{}).(*Caller)
	return c
}

// AuditEntry is one record of the audit log.
type AuditEntry struct {
	ID             int64     `json:"id"`
	At             time.Time `json:"at"`
	ActorID        string    `json:"actor_id,omitempty"`
	Actor          string    `json:"actor"`
	Action         string    `json:"action"`
	Entity         string    `json:"entity"`
	EntityID       string    `json:"entity_id"`
	Municipalities []string  `json:"municipalities"`
	Before         any       `json:"before"`
	After          any       `json:"after"`
}

// AuditFilter selects audit entries. Zero fields select everything the caller sees.
type AuditFilter struct {
	Entity       string
	EntityID     string
	Municipality string
	From, To     time.Time
	Limit        int
	BeforeID     int64 // keyset paging: entries with a smaller id
}

// APIToken describes a bearer token for machine clients; the secret is shown once, at
// creation, and only its hash is stored.
type APIToken struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	UserEmail  string     `json:"user_email"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	// Municipalities the token reaches: its user's.
	Municipalities []string `json:"municipalities"`
}
