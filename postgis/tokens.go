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

// mayManage refuses a signed-in caller who does not serve every one of munis: a token
// must not reach further than its maker. (Row-level security checks the same.)
func mayManage(ctx context.Context, munis []string) error {
	c := trygg.CallerFrom(ctx)
	if c == nil || c.User.ID == "" {
		return nil // operator tooling, connected as the owner
	}
	for _, m := range munis {
		if !c.Serves(m) {
			return trygg.Errorf(trygg.EFORBIDDEN, "user_id", "the user also serves municipality %s, which you do not", m)
		}
	}
	return nil
}

// CreateAPIToken stores the hash of a new API token for a user the caller sees, and
// audits it.
func (db *DB) CreateAPIToken(ctx context.Context, userID, name string, tokenHash []byte) (trygg.APIToken, error) {
	var t trygg.APIToken
	if !isUUID(userID) {
		return t, trygg.Errorf(trygg.ENOTFOUND, "user_id", "no user has id %q", userID)
	}
	err := db.inTx(ctx, "create token", func(tx pgx.Tx) error {
		var munis []string
		err := tx.QueryRow(ctx, `
			SELECT coalesce((SELECT array_agg(municipality_code ORDER BY municipality_code) FROM organisation_municipality om
			                 WHERE om.organisation_id = u.organisation_id), '{}')
			FROM app_user u WHERE u.id = $1 AND u.disabled_at IS NULL`, userID).Scan(&munis)
		if errors.Is(err, pgx.ErrNoRows) {
			return trygg.Errorf(trygg.ENOTFOUND, "user_id", "no user has id %q", userID)
		}
		if err != nil {
			return wrap(err, "find token user")
		}
		if err := mayManage(ctx, munis); err != nil {
			return err
		}
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

// RevokeAPIToken revokes a token the caller sees, and audits it. Revoking a revoked
// token changes nothing.
func (db *DB) RevokeAPIToken(ctx context.Context, id string) (trygg.APIToken, error) {
	var t trygg.APIToken
	if !isUUID(id) {
		return t, trygg.Errorf(trygg.ENOTFOUND, "id", "no token has id %q", id)
	}
	err := db.inTx(ctx, "revoke token", func(tx pgx.Tx) error {
		// Read without FOR UPDATE: that would apply the update policy and hide a token
		// the caller sees but may not manage, which deserves 403, not 404.
		before, err := scanToken(tx.QueryRow(ctx, `SELECT `+tokenColumns+`
			FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE t.id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return trygg.Errorf(trygg.ENOTFOUND, "id", "no token has id %q", id)
		}
		if err != nil {
			return wrap(err, "find token")
		}
		if err := mayManage(ctx, before.Municipalities); err != nil {
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

// APITokens lists the tokens of the users the caller sees, newest first.
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
