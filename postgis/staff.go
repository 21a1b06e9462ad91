package postgis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/trygg-gis/trygg"
)

// UpsertOrganisation stores an organisation (operator tooling: demo data, CLI).
func (db *DB) UpsertOrganisation(ctx context.Context, o trygg.Organisation) error {
	var muni, pa *string
	switch o.Kind {
	case trygg.OrgMunicipality:
		muni = &o.MunicipalityCode
	case trygg.OrgPoliceArea:
		pa = &o.PoliceAreaID
	default:
		return trygg.Errorf(trygg.EINVALID, "kind", "organisation kind %q is not municipality or police_area", o.Kind)
	}
	_, err := db.pool.Exec(ctx, `
		INSERT INTO organisation (id, kind, name, municipality_code, police_area_id) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name,
			municipality_code = EXCLUDED.municipality_code, police_area_id = EXCLUDED.police_area_id`,
		o.ID, o.Kind, o.Name, muni, pa)
	return wrap(err, "upsert organisation")
}

const userColumns = `u.id, u.email, u.role, o.id, o.kind, o.name, coalesce(o.municipality_code, ''),
	coalesce(o.police_area_id, ''),
	coalesce((SELECT array_agg(om.municipality_code ORDER BY om.municipality_code)
	          FROM organisation_municipality om WHERE om.organisation_id = o.id), '{}'),
	u.demo, u.created_at, u.disabled_at IS NOT NULL`

func scanUser(row pgx.Row) (trygg.User, error) {
	var u trygg.User
	o := &u.Organisation
	err := row.Scan(&u.ID, &u.Email, &u.Role, &o.ID, &o.Kind, &o.Name, &o.MunicipalityCode, &o.PoliceAreaID,
		&u.Municipalities, &u.Demo, &u.CreatedAt, &u.Disabled)
	return u, err
}

// CreateUser adds a staff user with an argon2id password hash. The role must suit the
// organisation's kind. The write is audited.
func (db *DB) CreateUser(ctx context.Context, email string, role trygg.Role, orgID, passwordHash string, demo bool) (trygg.User, error) {
	var u trygg.User
	email, err := trygg.NormalizeEmail(email)
	if err != nil {
		return u, err
	}
	err = db.inTx(ctx, "create user", func(tx pgx.Tx) error {
		if err := mayManage(ctx, orgID); err != nil {
			return trygg.Errorf(trygg.EFORBIDDEN, "org", "users are added only to your own organisation")
		}
		var kind string
		if err := tx.QueryRow(ctx, `SELECT kind FROM organisation WHERE id = $1`, orgID).Scan(&kind); errors.Is(err, pgx.ErrNoRows) {
			return trygg.Errorf(trygg.EINVALID, "org", "no organisation has id %q", orgID)
		} else if err != nil {
			return wrap(err, "find organisation")
		}
		if !trygg.RoleAllowed(kind, role) {
			return trygg.Errorf(trygg.EINVALID, "role", "role %q is not for a %s organisation", role, kind)
		}
		var id string
		err := tx.QueryRow(ctx, `
			INSERT INTO app_user (email, password_hash, role, organisation_id, demo) VALUES ($1, $2, $3, $4, $5)
			RETURNING id`, email, passwordHash, role, orgID, demo).Scan(&id)
		if isUniqueViolation(err, "app_user_email_key") {
			return trygg.Errorf(trygg.ECONFLICT, "email", "a user with e-mail %s already exists", email)
		}
		if err != nil {
			return wrap(err, "insert user")
		}
		if u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+`
			FROM app_user u JOIN organisation o ON o.id = u.organisation_id WHERE u.id = $1`, id)); err != nil {
			return wrap(err, "read user")
		}
		return audit(ctx, tx, "user.create", "user", u.ID, u.Municipalities, nil, u)
	})
	return u, err
}

// UserByEmail returns the user with this e-mail address among those the caller sees
// (the users of its organisation, and itself).
func (db *DB) UserByEmail(ctx context.Context, email string) (trygg.User, error) {
	return db.user(ctx, `u.email = lower(btrim($1))`, email)
}

// User returns the user with this id among those the caller sees, or ENOTFOUND.
func (db *DB) User(ctx context.Context, id string) (trygg.User, error) {
	if !isUUID(id) {
		return trygg.User{}, trygg.Errorf(trygg.ENOTFOUND, "id", "no user has id %q", id)
	}
	return db.user(ctx, `u.id = $1`, id)
}

func (db *DB) user(ctx context.Context, where string, arg any) (trygg.User, error) {
	var u trygg.User
	err := db.inTx(ctx, "read user", func(tx pgx.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+`
			FROM app_user u JOIN organisation o ON o.id = u.organisation_id WHERE `+where, arg))
		if errors.Is(err, pgx.ErrNoRows) {
			return trygg.Errorf(trygg.ENOTFOUND, "user", "no such user: %v", arg)
		}
		return wrap(err, "read user")
	})
	return u, err
}

// Users lists the users of the caller's organisation, by e-mail.
func (db *DB) Users(ctx context.Context) ([]trygg.User, error) {
	var us []trygg.User
	err := db.inTx(ctx, "list users", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+userColumns+`
			FROM app_user u JOIN organisation o ON o.id = u.organisation_id ORDER BY u.email`)
		if err != nil {
			return wrap(err, "list users")
		}
		us, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.User, error) { return scanUser(r) })
		return wrap(err, "list users")
	})
	return us, err
}

// SetPassword replaces a user's password hash, ends all the user's sessions, and
// audits the change (without the hash).
func (db *DB) SetPassword(ctx context.Context, userID, passwordHash string) error {
	return db.inTx(ctx, "set password", func(tx pgx.Tx) error {
		_, munis, err := userOrgAndMunis(ctx, tx, userID, "user", false)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE app_user SET password_hash = $2, updated_at = now() WHERE id = $1`,
			userID, passwordHash); err != nil {
			return wrap(err, "set password")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM session WHERE user_id = $1`, userID); err != nil {
			return wrap(err, "end sessions")
		}
		return audit(ctx, tx, "user.set_password", "user", userID, munis, nil, nil)
	})
}

// DemoUsers counts enabled demo users.
func (db *DB) DemoUsers(ctx context.Context) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM app_user WHERE demo AND disabled_at IS NULL`).Scan(&n)
	return n, wrap(err, "count demo users")
}

// Credentials are what sign-in needs to know of a user, found by e-mail whatever the
// caller's scope.
type Credentials struct {
	UserID       string
	PasswordHash string
	Disabled     bool
}

// Credentials returns the sign-in data of the user with this e-mail, or ENOTFOUND.
func (db *DB) Credentials(ctx context.Context, email string) (Credentials, error) {
	var c Credentials
	err := db.pool.QueryRow(ctx, `SELECT id, password_hash, disabled FROM auth_user($1)`, email).
		Scan(&c.UserID, &c.PasswordHash, &c.Disabled)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, trygg.Errorf(trygg.ENOTFOUND, "email", "no such user")
	}
	return c, wrap(err, "find credentials")
}

const principalColumns = `p.id, p.email, p.role, p.organisation_id, p.organisation_kind, p.organisation_name,
	p.municipalities, p.demo`

func scanPrincipal(row pgx.Row, extra ...any) (trygg.User, error) {
	var u trygg.User
	o := &u.Organisation
	dest := append([]any{&u.ID, &u.Email, &u.Role, &o.ID, &o.Kind, &o.Name, &u.Municipalities, &u.Demo}, extra...)
	err := row.Scan(dest...)
	return u, err
}

// errUnauthenticated is returned for a session or token that is unknown, expired,
// revoked, or whose user is disabled.
var errUnauthenticated = trygg.Errorf(trygg.EUNAUTHORIZED, "", "not signed in, or the session or token has expired")

// SessionCaller returns the caller of a session token's hash, when the session exists,
// was used within idle and is not past its absolute expiry.
func (db *DB) SessionCaller(ctx context.Context, tokenHash []byte, idle time.Duration) (*trygg.Caller, error) {
	c := &trygg.Caller{SessionID: fmt.Sprintf("%x", tokenHash)}
	var expires time.Time
	u, err := scanPrincipal(db.pool.QueryRow(ctx, `SELECT `+principalColumns+`, s.csrf_token, s.expires_at
		FROM auth_session($1, $2) s, auth_principal(s.user_id) p`, tokenHash, idle), &c.CSRFToken, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errUnauthenticated
	}
	if err != nil {
		return nil, wrap(err, "check session")
	}
	c.User = u
	return c, nil
}

// TokenCaller returns the caller of an API token's hash, unless it is unknown or
// revoked.
func (db *DB) TokenCaller(ctx context.Context, tokenHash []byte) (*trygg.Caller, error) {
	c := &trygg.Caller{}
	u, err := scanPrincipal(db.pool.QueryRow(ctx, `SELECT `+principalColumns+`, t.token_id
		FROM auth_token($1) t, auth_principal(t.user_id) p`, tokenHash), &c.TokenID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errUnauthenticated
	}
	if err != nil {
		return nil, wrap(err, "check token")
	}
	c.User = u
	return c, nil
}

// Principal returns a signed-in user's description for a new session.
func (db *DB) Principal(ctx context.Context, userID string) (trygg.User, error) {
	u, err := scanPrincipal(db.pool.QueryRow(ctx, `SELECT `+principalColumns+` FROM auth_principal($1) p`, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, errUnauthenticated
	}
	return u, wrap(err, "read principal")
}

// CreateSession stores a new session under the hash of its token.
func (db *DB) CreateSession(ctx context.Context, tokenHash []byte, userID, csrf string, lifetime time.Duration) (time.Time, error) {
	var expires time.Time
	err := db.pool.QueryRow(ctx, `
		INSERT INTO session (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, now() + $4::interval)
		RETURNING expires_at`, tokenHash, userID, csrf, lifetime).Scan(&expires)
	return expires, wrap(err, "create session")
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, tokenHash []byte) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM session WHERE token_hash = $1`, tokenHash)
	return wrap(err, "delete session")
}

// LoginFailures counts failed sign-ins within window for the e-mail address and for
// the IP address, and returns when the oldest of those counted leaves the window.
func (db *DB) LoginFailures(ctx context.Context, email, ip string, window time.Duration) (byEmail, byIP int, retryAt time.Time, err error) {
	var oldestEmail, oldestIP *time.Time
	err = db.pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE email = $1), count(*) FILTER (WHERE ip = $2::inet),
		       min(at) FILTER (WHERE email = $1), min(at) FILTER (WHERE ip = $2::inet)
		FROM login_failure WHERE at > now() - $3::interval AND (email = $1 OR ip = $2::inet)`,
		email, nullIP(ip), window).Scan(&byEmail, &byIP, &oldestEmail, &oldestIP)
	for _, t := range []*time.Time{oldestEmail, oldestIP} {
		if t != nil && t.Add(window).After(retryAt) {
			retryAt = t.Add(window)
		}
	}
	return byEmail, byIP, retryAt, wrap(err, "count sign-in failures")
}

// RecordLoginFailure notes a failed sign-in, and forgets failures older than a day.
func (db *DB) RecordLoginFailure(ctx context.Context, email, ip string) error {
	_, err := db.pool.Exec(ctx, `
		WITH old AS (DELETE FROM login_failure WHERE at < now() - interval '1 day')
		INSERT INTO login_failure (email, ip) VALUES ($1, $2::inet)`, email, nullIP(ip))
	return wrap(err, "record sign-in failure")
}

// ClearLoginFailures forgets the failures of an e-mail address after a good sign-in.
func (db *DB) ClearLoginFailures(ctx context.Context, email string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM login_failure WHERE email = $1`, email)
	return wrap(err, "clear sign-in failures")
}

func nullIP(ip string) *string {
	if ip == "" {
		return nil
	}
	return &ip
}
