package postgis

import (
	"context"
	"errors"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/trygg-gis/trygg"
)

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func isUUID(s string) bool { return uuidRE.MatchString(s) }

const tokenColumns = `t.id, t.user_id, u.email, t.name, t.created_at, t.last_used_at, t.revoked_at,
	coalesce((SELECT array_agg(om.municipality_code ORDER BY om.municipality_code) FROM organisation_municipality om
	          WHERE om.organisation_id = u.organisation_id), '{}')`

func scanToken(row pgx.Row) (trygg.APIToken, error) {
	var t trygg.APIToken
	err := row.Scan(&t.ID, &t.UserID, &t.UserEmail, &t.Name, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt, &t.Municipalities)
	return t, err
}

// mayManage refuses a signed-in caller of another organisation than the user's: users
// and their tokens are managed within one organisation only, whatever municipalities
// the two serve in common (a police area's admin serves its kommuns' municipalities,
// but must never act as their moderators). Row-level security checks the same
// (trygg_manages, and users of other organisations are not even visible).
func mayManage(ctx context.Context, userOrg string) error {
	c := trygg.CallerFrom(ctx)
	if c == nil || c.User.ID == "" {
		return nil // operator tooling, connected as the owner
	}
	if c.User.Organisation.ID != userOrg {
		return trygg.Errorf(trygg.ENOTFOUND, "user_id", "no user of your organisation has that id")
	}
	return nil
}

// userOrgAndMunis returns the organisation of a user the caller sees and the
// municipalities it serves, or ENOTFOUND.
func userOrgAndMunis(ctx context.Context, tx pgx.Tx, userID, field string, enabledOnly bool) (string, []string, error) {
	var org string
	var munis []string
	err := tx.QueryRow(ctx, `
		SELECT u.organisation_id, coalesce((SELECT array_agg(municipality_code ORDER BY municipality_code)
		                 FROM organisation_municipality om WHERE om.organisation_id = u.organisation_id), '{}')
		FROM app_user u WHERE u.id = $1 AND (u.disabled_at IS NULL OR NOT $2)`, userID, enabledOnly).Scan(&org, &munis)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, trygg.Errorf(trygg.ENOTFOUND, field, "no user has id %q", userID)
	}
	if err != nil {
		return "", nil, wrap(err, "find user")
	}
	return org, munis, mayManage(ctx, org)
}

// CreateAPIToken stores the hash of a new API token for a user of the caller's
// organisation, and audits it.
func (db *DB) CreateAPIToken(ctx context.Context, userID, name string, tokenHash []byte) (trygg.APIToken, error) {
	var t trygg.APIToken
	if !isUUID(userID) {
		return t, trygg.Errorf(trygg.ENOTFOUND, "user_id", "no user has id %q", userID)
	}
	err := db.inTx(ctx, "create token", func(tx pgx.Tx) error {
		if _, _, err := userOrgAndMunis(ctx, tx, userID, "user_id", true); err != nil {
			return err
		}
		var err error
		t, err = scanToken(tx.QueryRow(ctx, `
			WITH t AS (INSERT INTO api_token (user_id, name, token_hash) VALUES ($1, $2, $3) RETURNING *)
			SELECT `+tokenColumns+` FROM t JOIN app_user u ON u.id = t.user_id`, userID, name, tokenHash))
		if err != nil {
			return wrap(err, "insert token")
		}
		return audit(ctx, tx, "token.create", "api_token", t.ID, t.Municipalities, nil, t)
	})
	return t, err
}

// RevokeAPIToken revokes a token of a user of the caller's organisation, and audits it. Revoking a revoked
// token changes nothing.
func (db *DB) RevokeAPIToken(ctx context.Context, id string) (trygg.APIToken, error) {
	var t trygg.APIToken
	if !isUUID(id) {
		return t, trygg.Errorf(trygg.ENOTFOUND, "id", "no token has id %q", id)
	}
	err := db.inTx(ctx, "revoke token", func(tx pgx.Tx) error {
		before, err := scanToken(tx.QueryRow(ctx, `SELECT `+tokenColumns+`
			FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE t.id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return trygg.Errorf(trygg.ENOTFOUND, "id", "no token has id %q", id)
		}
		if err != nil {
			return wrap(err, "find token")
		}
		if _, _, err := userOrgAndMunis(ctx, tx, before.UserID, "id", false); err != nil {
			return err
		}
		t, err = scanToken(tx.QueryRow(ctx, `
			WITH t AS (UPDATE api_token SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING *)
			SELECT `+tokenColumns+` FROM t JOIN app_user u ON u.id = t.user_id`, id))
		if errors.Is(err, pgx.ErrNoRows) { // already revoked: nothing changes
			t = before
			return nil
		}
		if err != nil {
			return wrap(err, "revoke token")
		}
		t.Municipalities = before.Municipalities
		return audit(ctx, tx, "token.revoke", "api_token", t.ID, t.Municipalities, before, t)
	})
	return t, err
}

// APITokens lists the tokens of the users of the caller's organisation, newest first.
func (db *DB) APITokens(ctx context.Context) ([]trygg.APIToken, error) {
	var ts []trygg.APIToken
	err := db.inTx(ctx, "list tokens", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+tokenColumns+`
			FROM api_token t JOIN app_user u ON u.id = t.user_id ORDER BY t.created_at DESC, t.id`)
		if err != nil {
			return wrap(err, "list tokens")
		}
		ts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.APIToken, error) { return scanToken(r) })
		return wrap(err, "list tokens")
	})
	return ts, err
}
