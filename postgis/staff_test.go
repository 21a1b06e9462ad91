package postgis_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/auth"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// staffPassword is the password of every user the staff tests create; staffHash is its
// argon2id hash, computed once per process because argon2id is slow under -race.
const staffPassword = "correct horse battery staple"

var staffHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(staffPassword)
	if err != nil {
		panic(err)
	}
	return h
})

// staffFixture is a fresh database with the demo municipalities, police areas,
// organisations and staff users, seen through the owner store (superuser, bypasses
// row-level security) and the app store (trygg_app, as the server connects).
type staffFixture struct {
	owner, app *postgis.DB
	url        string
	sql        *pgx.Conn // the owner's, for checks and set-up in SQL
}

// newStaffFixture loads the demo data. With viaDemo the users come from
// demo.LoadUsers (23 argon2id hashes); otherwise the same users are made with
// CreateUser and the one shared hash, which is much faster.
func newStaffFixture(t *testing.T, viaDemo bool) *staffFixture {
	t.Helper()
	ctx := context.Background()
	owner, url := pgtest.Open(t)
	if err := demo.Load(ctx, owner, nil); err != nil {
		t.Fatalf("demo.Load: %v", err)
	}
	if viaDemo {
		if err := demo.LoadUsers(ctx, owner, nil); err != nil {
			t.Fatalf("demo.LoadUsers: %v", err)
		}
	} else {
		for _, o := range demo.Organisations() {
			if err := owner.UpsertOrganisation(ctx, o); err != nil {
				t.Fatalf("UpsertOrganisation(%s): %v", o.ID, err)
			}
			for _, r := range trygg.Roles {
				if !trygg.RoleAllowed(o.Kind, r) {
					continue
				}
				if _, err := owner.CreateUser(ctx, demo.DemoEmail(r, o.ID), r, o.ID, staffHash(), true); err != nil {
					t.Fatalf("CreateUser(%s): %v", demo.DemoEmail(r, o.ID), err)
				}
			}
		}
	}
	f := &staffFixture{owner: owner, app: pgtest.App(t, url), url: url, sql: pgtest.Conn(t, url)}
	if n := f.count(t, `SELECT count(*) FROM app_user`); n != 23 {
		t.Fatalf("the demo has %d users, want 23", n)
	}
	return f
}

// user returns the demo user with this role in this organisation, as the owner sees it
// (with its municipalities).
func (f *staffFixture) user(t *testing.T, role trygg.Role, org string) trygg.User {
	t.Helper()
	u, err := f.owner.UserByEmail(context.Background(), demo.DemoEmail(role, org))
	if err != nil {
		t.Fatalf("UserByEmail(%s): %v", demo.DemoEmail(role, org), err)
	}
	return u
}

// as returns a context whose caller is the demo user with this role in this
// organisation.
func (f *staffFixture) as(t *testing.T, role trygg.Role, org string) context.Context {
	t.Helper()
	u := f.user(t, role, org)
	return trygg.NewContext(context.Background(), &trygg.Caller{User: u})
}

// newUser creates a user with the shared password hash, by the operator.
func (f *staffFixture) newUser(t *testing.T, email string, role trygg.Role, org string) trygg.User {
	t.Helper()
	u, err := f.owner.CreateUser(staffCLI("setup"), email, role, org, staffHash(), false)
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

// count runs a query of one integer as the owner.
func (f *staffFixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.sql.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// exec runs a statement as the owner.
func (f *staffFixture) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := f.sql.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// appConn connects to the database as trygg_app with plain pgx, past the store, with
// trygg.municipalities and trygg.user_id set for the session ("" leaves them unset).
func (f *staffFixture) appConn(t *testing.T, munis, userID string) *pgx.Conn {
	t.Helper()
	conn := pgtest.Conn(t, f.url+" user="+postgis.AppRole)
	ctx := context.Background()
	if munis != "" {
		if _, err := conn.Exec(ctx, `SET trygg.municipalities = '`+munis+`'`); err != nil {
			t.Fatalf("set trygg.municipalities: %v", err)
		}
	}
	if userID != "" {
		if _, err := conn.Exec(ctx, `SELECT set_config('trygg.user_id', $1, false)`, userID); err != nil {
			t.Fatalf("set trygg.user_id: %v", err)
		}
	}
	return conn
}

// staffCLI is the context of the command line run by NAME: no user, actor "cli:NAME".
func staffCLI(name string) context.Context {
	return trygg.NewContext(context.Background(), &trygg.Caller{Actor: "cli:" + name})
}

// staffWantCode reports an error unless err has the code (and field, if not empty);
// code "" wants no error.
func staffWantCode(t *testing.T, what string, err error, code, field string) {
	t.Helper()
	if got := trygg.ErrorCode(err); got != code {
		t.Errorf("%s: got error %v (code %q), want code %q", what, err, got, code)
	} else if field != "" && trygg.ErrorField(err) != field {
		t.Errorf("%s: got field %q (%v), want field %q", what, trygg.ErrorField(err), err, field)
	}
}

// sqlState returns the SQLSTATE of a PostgreSQL error, or "".
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

func staffEmails(us []trygg.User) []string {
	var es []string
	for _, u := range us {
		es = append(es, u.Email)
	}
	return es
}

func tokenNames(ts []trygg.APIToken) []string {
	var ns []string
	for _, t := range ts {
		ns = append(ns, t.Name)
	}
	return ns
}

func auditIDs(es []trygg.AuditEntry) []int64 {
	var ids []int64
	for _, e := range es {
		ids = append(ids, e.ID)
	}
	return ids
}

// newTokenHash returns a new API token and its hash.
func newTokenHash() (string, []byte) {
	s := auth.NewToken(auth.APITokenPrefix)
	return s, auth.HashToken(s)
}

// TestStaffIsolation checks that a caller from one municipality gets none of another's
// users, tokens or audit entries from the store, with no check outside the database,
// and that row-level security holds for SQL that bypasses the store.
func TestStaffIsolation(t *testing.T) {
	t.Parallel()
	f := newStaffFixture(t, true)
	ctx := context.Background()
	varaAdmin := f.user(t, trygg.RoleAdmin, "kommun-1470")
	vara := trygg.NewContext(ctx, &trygg.Caller{User: varaAdmin})
	varbergAdmin := f.user(t, trygg.RoleAdmin, "kommun-1383")
	varberg := trygg.NewContext(ctx, &trygg.Caller{User: varbergAdmin})
	varaPlanner := f.user(t, trygg.RolePlanner, "kommun-1470")
	varbergPlanner := f.user(t, trygg.RolePlanner, "kommun-1383")

	// Varberg's admin writes (through the owner store): audit entries of 1383 only.
	_, h := newTokenHash()
	varbergTok, err := f.owner.CreateAPIToken(varberg, varbergPlanner.ID, "Varberg QGIS", h)
	if err != nil {
		t.Fatalf("CreateAPIToken(Varberg): %v", err)
	}
	if err := f.owner.SetPassword(varberg, varbergPlanner.ID, staffHash()); err != nil {
		t.Fatalf("SetPassword(Varberg): %v", err)
	}
	_, h = newTokenHash()
	if _, err := f.owner.CreateAPIToken(vara, varaPlanner.ID, "Vara QGIS", h); err != nil {
		t.Fatalf("CreateAPIToken(Vara): %v", err)
	}
	log1383, err := f.owner.AuditLog(ctx, trygg.AuditFilter{Municipality: "1383", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	byVarberg := 0
	for _, e := range log1383 {
		if e.Actor == varbergAdmin.Email {
			byVarberg++
		}
	}
	if byVarberg != 2 {
		t.Fatalf("the owner sees %d entries of 1383 by %s, want 2 (the log must hold B's rows for this test)",
			byVarberg, varbergAdmin.Email)
	}

	t.Run("users", func(t *testing.T) {
		us, err := f.app.Users(vara)
		if err != nil {
			t.Fatal(err)
		}
		// Only Vara's own organisation: not the police area, although it serves Vara.
		want := []string{
			demo.DemoEmail(trygg.RoleAdmin, "kommun-1470"),
			demo.DemoEmail(trygg.RoleModerator, "kommun-1470"),
			demo.DemoEmail(trygg.RolePlanner, "kommun-1470"),
		}
		if got := staffEmails(us); !slices.Equal(got, want) {
			t.Errorf("Users() as the Vara admin: got %v, want %v", got, want)
		}
		for _, u := range us {
			if !slices.Contains(u.Municipalities, "1470") {
				t.Errorf("Users() as the Vara admin: got %s serving %v, want only users serving 1470", u.Email, u.Municipalities)
			}
		}
		// Varberg's admin sees Varberg's users and none of Vara's.
		us, err = f.app.Users(varberg)
		if err != nil {
			t.Fatal(err)
		}
		want = []string{
			demo.DemoEmail(trygg.RoleAdmin, "kommun-1383"),
			demo.DemoEmail(trygg.RoleModerator, "kommun-1383"),
			demo.DemoEmail(trygg.RolePlanner, "kommun-1383"),
		}
		if got := staffEmails(us); !slices.Equal(got, want) {
			t.Errorf("Users() as the Varberg admin: got %v, want %v", got, want)
		}
	})

	t.Run("user by id", func(t *testing.T) {
		for _, tc := range []struct {
			role trygg.Role
			org  string
			want string
		}{
			{trygg.RolePlanner, "kommun-1470", ""},
			{trygg.RolePolice, "lpo-vastra-skaraborg", trygg.ENOTFOUND}, // serves Vara, but another organisation
			{trygg.RoleAdmin, "lpo-vastra-skaraborg", trygg.ENOTFOUND},
			{trygg.RoleAdmin, "kommun-1383", trygg.ENOTFOUND},
			{trygg.RolePlanner, "kommun-1383", trygg.ENOTFOUND},
			{trygg.RolePolice, "lpo-varberg", trygg.ENOTFOUND},
			{trygg.RoleAdmin, "kommun-1494", trygg.ENOTFOUND}, // served by Vara's police area, not by Vara
		} {
			u := f.user(t, tc.role, tc.org)
			got, err := f.app.User(vara, u.ID)
			staffWantCode(t, "User("+u.Email+") as the Vara admin", err, tc.want, "")
			if tc.want == "" && got.Email != u.Email {
				t.Errorf("User(%s) as the Vara admin: got %q, want %q", u.ID, got.Email, u.Email)
			}
			_, err = f.app.UserByEmail(vara, u.Email)
			staffWantCode(t, "UserByEmail("+u.Email+") as the Vara admin", err, tc.want, "")
		}
	})

	t.Run("audit log", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			filter trygg.AuditFilter
		}{
			{"municipality 1383", trygg.AuditFilter{Municipality: "1383", Limit: 1000}},
			{"Varberg's token", trygg.AuditFilter{EntityID: varbergTok.ID}},
			{"Varberg's planner", trygg.AuditFilter{Entity: "user", EntityID: varbergPlanner.ID}},
		} {
			es, err := f.app.AuditLog(vara, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != 0 {
				t.Errorf("AuditLog(%s) as the Vara admin: got %d entries (%+v), want none", tc.name, len(es), es[0])
			}
		}
		all, err := f.app.AuditLog(vara, trygg.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		want := f.count(t, `SELECT count(*) FROM audit_log WHERE '1470' = ANY (municipalities)`)
		if len(all) != want {
			t.Errorf("AuditLog() as the Vara admin: got %d entries, want the %d touching 1470", len(all), want)
		}
		for _, e := range all {
			if !slices.Contains(e.Municipalities, "1470") {
				t.Errorf("AuditLog() as the Vara admin: got entry %d touching %v", e.ID, e.Municipalities)
			}
		}
		// The other side sees its own rows, so the empty answers above are isolation.
		es, err := f.app.AuditLog(varberg, trygg.AuditFilter{Municipality: "1383", Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != len(log1383) {
			t.Errorf("AuditLog(municipality 1383) as the Varberg admin: got %d entries, want %d", len(es), len(log1383))
		}
	})

	t.Run("tokens", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			ctx  context.Context
			want []string
		}{
			{"Vara admin", vara, []string{"Vara QGIS"}},
			{"Varberg admin", varberg, []string{"Varberg QGIS"}},
		} {
			ts, err := f.app.APITokens(tc.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := tokenNames(ts); !slices.Equal(got, tc.want) {
				t.Errorf("APITokens() as the %s: got %v, want %v", tc.name, got, tc.want)
			}
		}
	})

	t.Run("public", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			ctx  context.Context
		}{
			{"no caller", ctx},
			{"caller without a user", staffCLI("eve")},
		} {
			us, err := f.app.Users(tc.ctx)
			if err != nil || len(us) != 0 {
				t.Errorf("Users() with %s: got %v, %v, want none", tc.name, staffEmails(us), err)
			}
			ts, err := f.app.APITokens(tc.ctx)
			if err != nil || len(ts) != 0 {
				t.Errorf("APITokens() with %s: got %v, %v, want none", tc.name, tokenNames(ts), err)
			}
			es, err := f.app.AuditLog(tc.ctx, trygg.AuditFilter{Limit: 1000})
			if err != nil || len(es) != 0 {
				t.Errorf("AuditLog() with %s: got %d entries, %v, want none", tc.name, len(es), err)
			}
			_, err = f.app.User(tc.ctx, varaAdmin.ID)
			staffWantCode(t, "User() with "+tc.name, err, trygg.ENOTFOUND, "")
		}
	})

	t.Run("raw SQL as trygg_app", func(t *testing.T) {
		conn := f.appConn(t, "", "")
		var who string
		var bypass, super bool
		if err := conn.QueryRow(ctx, `SELECT current_user, rolbypassrls, rolsuper FROM pg_roles WHERE rolname = current_user`).
			Scan(&who, &bypass, &super); err != nil {
			t.Fatal(err)
		}
		if who != postgis.AppRole || bypass || super {
			t.Fatalf("connected as %s with rolbypassrls %v, rolsuper %v; want %s, false, false", who, bypass, super, postgis.AppRole)
		}

		queries := []struct {
			sql   string
			arg   any
			scope int // rows trygg_app sees with trygg.municipalities = '1470'
		}{
			{`SELECT count(*) FROM app_user WHERE $1::text IS NULL`, nil, 3},
			{`SELECT count(*) FROM app_user WHERE organisation_id = $1`, "lpo-vastra-skaraborg", 0},
			{`SELECT count(*) FROM app_user WHERE organisation_id = $1`, "kommun-1383", 0},
			{`SELECT count(*) FROM app_user WHERE id = $1`, varbergAdmin.ID, 0},
			{`SELECT count(*) FROM api_token WHERE $1::text IS NULL`, nil, 1},
			{`SELECT count(*) FROM api_token WHERE user_id = $1`, varbergPlanner.ID, 0},
			{`SELECT count(*) FROM audit_log WHERE $1::text IS NULL`, nil,
				f.count(t, `SELECT count(*) FROM audit_log WHERE '1470' = ANY (municipalities)`)},
			{`SELECT count(*) FROM audit_log WHERE $1 = ANY (municipalities)`, "1383", 0},
		}
		run := func(t *testing.T, c *pgx.Conn, sql string, arg any) int {
			t.Helper()
			var n int
			if err := c.QueryRow(ctx, sql, arg).Scan(&n); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
			return n
		}
		for _, q := range queries {
			if got := run(t, conn, q.sql, q.arg); got != 0 {
				t.Errorf("%s [%v] as trygg_app without scope: got %d rows, want 0", q.sql, q.arg, got)
			}
		}
		if _, err := conn.Exec(ctx, `SET trygg.municipalities = '1470'; SET trygg.organisation_id = 'kommun-1470'`); err != nil {
			t.Fatal(err)
		}
		for _, q := range queries {
			got := run(t, conn, q.sql, q.arg)
			if got != q.scope {
				t.Errorf("%s [%v] as trygg_app with trygg.municipalities = '1470': got %d rows, want %d", q.sql, q.arg, got, q.scope)
			}
			if owner := run(t, f.sql, q.sql, q.arg); owner <= got {
				t.Errorf("%s [%v]: the owner sees %d rows, want more than trygg_app's %d (the hidden rows must exist)",
					q.sql, q.arg, owner, got)
			}
		}

		// Ways around row-level security that trygg_app must not have.
		for _, escape := range []struct{ set, sql string }{
			{`SET row_security = off`, `SELECT count(*) FROM app_user`},
			{``, `SET ROLE postgres`},
			{``, `ALTER TABLE app_user DISABLE ROW LEVEL SECURITY`},
			{``, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`},
			{``, `SELECT count(*) FROM pg_authid`},
		} {
			if escape.set != "" {
				if _, err := conn.Exec(ctx, escape.set); err != nil {
					t.Fatalf("%s: %v", escape.set, err)
				}
			}
			_, err := conn.Exec(ctx, escape.sql)
			if got := sqlState(err); got != "42501" {
				t.Errorf("%s; %s as trygg_app: got %v (SQLSTATE %q), want insufficient_privilege (42501)",
					escape.set, escape.sql, err, got)
			}
			if _, err := conn.Exec(ctx, `RESET row_security`); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestStaffAuditEntries checks what the store's writes record: actor, action, entity,
// municipalities and before/after, never a password or token hash.
func TestStaffAuditEntries(t *testing.T) {
	t.Parallel()
	f := newStaffFixture(t, false)
	ctx := context.Background()
	admin := f.user(t, trygg.RoleAdmin, "kommun-1470")
	vara := trygg.NewContext(ctx, &trygg.Caller{User: admin})
	planner := f.user(t, trygg.RolePlanner, "kommun-1470")
	police := f.user(t, trygg.RolePolice, "lpo-vastra-skaraborg")
	cli := staffCLI("alice")

	var secrets []string // every token and hash made; none may be in the log
	secrets = append(secrets, staffHash())
	secret1, hash1 := newTokenHash()
	secret2, hash2 := newTokenHash()
	for _, h := range [][]byte{hash1, hash2} {
		secrets = append(secrets, hex.EncodeToString(h), base64.StdEncoding.EncodeToString(h), base64.RawStdEncoding.EncodeToString(h))
	}
	secrets = append(secrets, secret1, secret2)
	hash2b, err := auth.HashPassword("another password, 29 characters")
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, hash2b)

	var newUser trygg.User
	var tok1 trygg.APIToken
	cases := []struct {
		name      string
		do        func() (entity, id string, err error)
		actor     string
		actorID   string
		action    string
		munis     []string
		before    bool
		after     bool
		afterJSON func(t *testing.T, raw []byte) // checks the after JSON
	}{
		{
			name: "user created by the command line",
			do: func() (string, string, error) {
				var err error
				newUser, err = f.owner.CreateUser(cli, "New.Planner@Kommun-1470.Example.SE", trygg.RolePlanner, "kommun-1470", staffHash(), false)
				return "user", newUser.ID, err
			},
			actor: "cli:alice", action: "user.create", munis: []string{"1470"}, after: true,
			afterJSON: func(t *testing.T, raw []byte) {
				var u trygg.User
				if err := json.Unmarshal(raw, &u); err != nil {
					t.Fatal(err)
				}
				if u.ID != newUser.ID || u.Email != "new.planner@kommun-1470.example.se" || u.Role != trygg.RolePlanner ||
					u.Organisation.ID != "kommun-1470" || !slices.Equal(u.Municipalities, []string{"1470"}) {
					t.Errorf("after: got %+v, want the new user %+v", u, newUser)
				}
			},
		},
		{
			name: "user created with no caller",
			do: func() (string, string, error) {
				u, err := f.owner.CreateUser(ctx, "police2@lpo-vastra-skaraborg.example.se", trygg.RolePolice, "lpo-vastra-skaraborg", staffHash(), false)
				return "user", u.ID, err
			},
			actor: "system", action: "user.create", munis: []string{"1470", "1494"}, after: true,
		},
		{
			name: "token created by an admin through the app store",
			do: func() (string, string, error) {
				var err error
				tok1, err = f.app.CreateAPIToken(vara, planner.ID, "QGIS", hash1)
				return "api_token", tok1.ID, err
			},
			actor: admin.Email, actorID: admin.ID, action: "token.create", munis: []string{"1470"}, after: true,
			afterJSON: func(t *testing.T, raw []byte) {
				var tok trygg.APIToken
				if err := json.Unmarshal(raw, &tok); err != nil {
					t.Fatal(err)
				}
				if tok.ID != tok1.ID || tok.UserID != planner.ID || tok.Name != "QGIS" || tok.RevokedAt != nil {
					t.Errorf("after: got %+v, want the new token %+v", tok, tok1)
				}
			},
		},
		{
			name: "token revoked by an admin through the app store",
			do: func() (string, string, error) {
				tok, err := f.app.RevokeAPIToken(vara, tok1.ID)
				return "api_token", tok.ID, err
			},
			actor: admin.Email, actorID: admin.ID, action: "token.revoke", munis: []string{"1470"}, before: true, after: true,
			afterJSON: func(t *testing.T, raw []byte) {
				var tok trygg.APIToken
				if err := json.Unmarshal(raw, &tok); err != nil {
					t.Fatal(err)
				}
				if tok.ID != tok1.ID || tok.RevokedAt == nil {
					t.Errorf("after: got %+v, want token %s revoked", tok, tok1.ID)
				}
			},
		},
		{
			name: "token created by the command line",
			do: func() (string, string, error) {
				tok, err := f.owner.CreateAPIToken(cli, police.ID, "Police GIS", hash2)
				return "api_token", tok.ID, err
			},
			actor: "cli:alice", action: "token.create", munis: []string{"1470", "1494"}, after: true,
		},
		{
			name: "password set by the command line",
			do: func() (string, string, error) {
				return "user", planner.ID, f.owner.SetPassword(cli, planner.ID, hash2b)
			},
			actor: "cli:alice", action: "user.set_password", munis: []string{"1470"},
		},
		{
			name: "password set by an admin through the app store",
			do: func() (string, string, error) {
				return "user", newUser.ID, f.app.SetPassword(vara, newUser.ID, hash2b)
			},
			actor: admin.Email, actorID: admin.ID, action: "user.set_password", munis: []string{"1470"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			entries := f.count(t, `SELECT count(*) FROM audit_log`)
			entity, id, err := tc.do()
			if err != nil {
				t.Fatal(err)
			}
			if n := f.count(t, `SELECT count(*) FROM audit_log`); n != entries+1 {
				t.Errorf("the write added %d audit entries, want 1", n-entries)
			}
			es, err := f.owner.AuditLog(ctx, trygg.AuditFilter{Entity: entity, EntityID: id, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != 1 {
				t.Fatalf("got %d audit entries for %s %s, want 1", len(es), entity, id)
			}
			e := es[0]
			if e.Actor != tc.actor || e.ActorID != tc.actorID || e.Action != tc.action || e.Entity != entity ||
				e.EntityID != id || !slices.Equal(e.Municipalities, tc.munis) {
				t.Errorf("got entry {actor %q, actor_id %q, action %q, entity %q, entity_id %q, municipalities %v}, "+
					"want {%q, %q, %q, %q, %q, %v}", e.Actor, e.ActorID, e.Action, e.Entity, e.EntityID, e.Municipalities,
					tc.actor, tc.actorID, tc.action, entity, id, tc.munis)
			}
			if time.Since(e.At) > time.Minute || time.Since(e.At) < -time.Minute {
				t.Errorf("got at %v, want about now", e.At)
			}
			if (e.Before != nil) != tc.before || (e.After != nil) != tc.after {
				t.Errorf("got before %s, after %s; want before %v, after %v", e.Before, e.After, tc.before, tc.after)
			}
			for _, v := range []any{e.Before, e.After} {
				raw, _ := v.(json.RawMessage)
				for _, s := range append(slices.Clone(secrets), "argon2id", "password", "hash") {
					if strings.Contains(string(raw), s) {
						t.Errorf("an entry's before/after %s contains %q, want no password or token hash", raw, s)
					}
				}
			}
			if tc.afterJSON != nil {
				raw, _ := e.After.(json.RawMessage)
				tc.afterJSON(t, raw)
			}
		})
	}

	t.Run("no secret anywhere in the log", func(t *testing.T) {
		for _, s := range append(secrets, "$argon2id$") {
			if n := f.count(t, `SELECT count(*) FROM audit_log
				WHERE strpos(concat(actor, entity_id, before::text, after::text), $1) > 0`, s); n != 0 {
				t.Errorf("got %d audit entries containing %q, want none", n, s)
			}
		}
	})

	t.Run("revoking twice writes nothing", func(t *testing.T) {
		entries := f.count(t, `SELECT count(*) FROM audit_log`)
		if _, err := f.app.RevokeAPIToken(vara, tok1.ID); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, `SELECT count(*) FROM audit_log`); n != entries {
			t.Errorf("revoking a revoked token added %d audit entries, want 0", n-entries)
		}
	})
}

// TestStaffAuditAppendOnly checks that the audit log cannot be changed or emptied,
// and that trygg_app cannot forge entries outside its scope or as another user.
func TestStaffAuditAppendOnly(t *testing.T) {
	t.Parallel()
	f := newStaffFixture(t, false)
	ctx := context.Background()
	admin := f.user(t, trygg.RoleAdmin, "kommun-1470")
	other := f.user(t, trygg.RoleAdmin, "kommun-1383")
	entries := f.count(t, `SELECT count(*) FROM audit_log`)
	digest := func() int {
		return f.count(t, `SELECT hashtext(string_agg(concat_ws('|', id, at, actor_id, actor, action, entity, entity_id,
			municipalities, before, after), ';' ORDER BY id)) FROM audit_log`)
	}
	before := digest()

	app := f.appConn(t, "1470", admin.ID)
	for _, sql := range []string{
		`UPDATE audit_log SET actor = 'nobody'`,
		`UPDATE audit_log SET after = NULL WHERE '1470' = ANY (municipalities)`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)`,
		`TRUNCATE audit_log`,
	} {
		_, err := app.Exec(ctx, sql)
		if got := sqlState(err); got != "42501" {
			t.Errorf("%s as trygg_app: got %v (SQLSTATE %q), want permission denied (42501)", sql, err, got)
		}
		// Not even the owner may: the trigger refuses.
		_, err = f.sql.Exec(ctx, sql)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s as the owner: got %v, want the append-only trigger's error", sql, err)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log`); n != entries {
		t.Errorf("got %d audit entries after the attempts, want %d", n, entries)
	}
	if got := digest(); got != before {
		t.Errorf("the audit log changed (digest %d, want %d)", got, before)
	}

	// Inserts as trygg_app with the scope 1470 and the Vara admin's user id.
	for _, tc := range []struct {
		name    string
		actorID any
		munis   []string
		ok      bool
	}{
		{"own entry", admin.ID, []string{"1470"}, true},
		{"own entry touching no municipality", admin.ID, []string{}, true},
		{"another municipality", admin.ID, []string{"1383"}, false},
		{"wider than the scope", admin.ID, []string{"1470", "1494"}, false},
		{"as another user", other.ID, []string{"1470"}, false},
		{"without an actor id", nil, []string{"1470"}, false},
	} {
		_, err := app.Exec(ctx, `INSERT INTO audit_log (actor_id, actor, action, entity, entity_id, municipalities)
			VALUES ($1, 'forger', 'user.create', 'user', 'x', $2)`, tc.actorID, tc.munis)
		if tc.ok && err != nil {
			t.Errorf("insert %s as trygg_app: got %v, want it allowed", tc.name, err)
		}
		if !tc.ok && sqlState(err) != "42501" {
			t.Errorf("insert %s as trygg_app: got %v (SQLSTATE %q), want refused by row-level security (42501)",
				tc.name, err, sqlState(err))
		}
	}
}

// TestStaffAuditFilters checks AuditLog's filters and keyset paging against the whole
// log.
func TestStaffAuditFilters(t *testing.T) {
	t.Parallel()
	f := newStaffFixture(t, false)
	ctx := context.Background()
	vara := f.as(t, trygg.RoleAdmin, "kommun-1470")
	planner := f.user(t, trygg.RolePlanner, "kommun-1470")
	var toks []trygg.APIToken
	for i := range 3 {
		_, h := newTokenHash()
		tok, err := f.owner.CreateAPIToken(vara, planner.ID, fmt.Sprintf("token %d", i), h)
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, tok)
	}
	if _, err := f.owner.RevokeAPIToken(vara, toks[0].ID); err != nil {
		t.Fatal(err)
	}

	all, err := f.owner.AuditLog(ctx, trygg.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log`); len(all) != n || n != 23+4 {
		t.Fatalf("AuditLog(limit 1000): got %d entries, want all %d (23 users, 3 tokens, 1 revocation)", len(all), n)
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID >= all[i-1].ID {
			t.Fatalf("AuditLog: got ids %v, want newest (largest) first", auditIDs(all))
		}
	}
	// Times to filter by: the 10th and 20th newest entries.
	t1, t2 := all[19].At, all[9].At
	if !t1.Before(t2) {
		t.Fatalf("entries %d and %d share the time %v", all[19].ID, all[9].ID, t1)
	}

	cases := []struct {
		name   string
		filter trygg.AuditFilter
		want   func(e trygg.AuditEntry) bool
		limit  int // how many of the matching entries, newest first, are returned
	}{
		{"everything", trygg.AuditFilter{}, func(trygg.AuditEntry) bool { return true }, 100},
		{"limit over 1000 is 100", trygg.AuditFilter{Limit: 5000}, func(trygg.AuditEntry) bool { return true }, 100},
		{"limit 5", trygg.AuditFilter{Limit: 5}, func(trygg.AuditEntry) bool { return true }, 5},
		{"entity user", trygg.AuditFilter{Entity: "user"},
			func(e trygg.AuditEntry) bool { return e.Entity == "user" }, 100},
		{"entity api_token", trygg.AuditFilter{Entity: "api_token"},
			func(e trygg.AuditEntry) bool { return e.Entity == "api_token" }, 100},
		{"entity and id", trygg.AuditFilter{Entity: "api_token", EntityID: toks[0].ID},
			func(e trygg.AuditEntry) bool { return e.EntityID == toks[0].ID }, 100},
		{"id of another entity", trygg.AuditFilter{Entity: "user", EntityID: toks[0].ID},
			func(trygg.AuditEntry) bool { return false }, 100},
		{"entity id only", trygg.AuditFilter{EntityID: planner.ID},
			func(e trygg.AuditEntry) bool { return e.EntityID == planner.ID }, 100},
		{"municipality 1494", trygg.AuditFilter{Municipality: "1494"},
			func(e trygg.AuditEntry) bool { return slices.Contains(e.Municipalities, "1494") }, 100},
		{"from", trygg.AuditFilter{From: t1},
			func(e trygg.AuditEntry) bool { return !e.At.Before(t1) }, 100},
		{"to", trygg.AuditFilter{To: t1},
			func(e trygg.AuditEntry) bool { return e.At.Before(t1) }, 100},
		{"from and to", trygg.AuditFilter{From: t1, To: t2},
			func(e trygg.AuditEntry) bool { return !e.At.Before(t1) && e.At.Before(t2) }, 100},
		{"before id", trygg.AuditFilter{BeforeID: all[4].ID},
			func(e trygg.AuditEntry) bool { return e.ID < all[4].ID }, 100},
		{"entity user, before id, limit 3", trygg.AuditFilter{Entity: "user", BeforeID: all[10].ID, Limit: 3},
			func(e trygg.AuditEntry) bool { return e.Entity == "user" && e.ID < all[10].ID }, 3},
		{"future", trygg.AuditFilter{From: time.Now().Add(time.Hour)},
			func(trygg.AuditEntry) bool { return false }, 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var want []int64
			for _, e := range all {
				if tc.want(e) && len(want) < tc.limit {
					want = append(want, e.ID)
				}
			}
			es, err := f.owner.AuditLog(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := auditIDs(es); !slices.Equal(got, want) {
				t.Errorf("AuditLog(%s): got ids %v, want %v", tc.name, got, want)
			}
		})
	}

	t.Run("paging", func(t *testing.T) {
		var got []int64
		page := trygg.AuditFilter{Limit: 7}
		for pages := 0; ; pages++ {
			if pages > len(all) {
				t.Fatalf("paging does not end: got ids %v", got)
			}
			es, err := f.owner.AuditLog(ctx, page)
			if err != nil {
				t.Fatal(err)
			}
			if len(es) == 0 {
				break
			}
			if len(es) > 7 {
				t.Errorf("got a page of %d entries, want at most 7", len(es))
			}
			got = append(got, auditIDs(es)...)
			page.BeforeID = es[len(es)-1].ID
		}
		if want := auditIDs(all); !slices.Equal(got, want) {
			t.Errorf("paged ids: got %v, want %v", got, want)
		}
	})

	t.Run("filters with row-level security", func(t *testing.T) {
		es, err := f.app.AuditLog(vara, trygg.AuditFilter{Entity: "user", Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var want []int64
		for _, e := range all {
			if e.Entity == "user" && slices.Contains(e.Municipalities, "1470") {
				want = append(want, e.ID)
			}
		}
		if got := auditIDs(es); !slices.Equal(got, want) {
			t.Errorf("AuditLog(entity user) as the Vara admin: got ids %v, want %v", got, want)
		}
	})
}

// TestStaffTokens checks that tokens are made and revoked within one organisation only, in the store
// and in the database, and the life of a token: use, revocation, scope.
func TestStaffTokens(t *testing.T) {
	t.Parallel()
	f := newStaffFixture(t, false)
	ctx := context.Background()
	varaAdmin := f.user(t, trygg.RoleAdmin, "kommun-1470")
	planner := f.user(t, trygg.RolePlanner, "kommun-1470")
	police := f.user(t, trygg.RolePolice, "lpo-vastra-skaraborg")
	varbergPlanner := f.user(t, trygg.RolePlanner, "kommun-1383")
	tokensAndLog := func() [2]int {
		return [2]int{f.count(t, `SELECT count(*) FROM api_token`), f.count(t, `SELECT count(*) FROM audit_log`)}
	}

	t.Run("create", func(t *testing.T) {
		for _, tc := range []struct {
			makerRole trygg.Role
			makerOrg  string
			user      string
			want      string
		}{
			{trygg.RoleAdmin, "kommun-1470", planner.ID, ""},
			{trygg.RoleAdmin, "kommun-1470", varaAdmin.ID, ""},
			// Tokens are made within one organisation only, whatever the two serve in common.
			{trygg.RoleAdmin, "kommun-1470", police.ID, trygg.ENOTFOUND},
			{trygg.RoleAdmin, "kommun-1470", f.user(t, trygg.RoleAdmin, "lpo-vastra-skaraborg").ID, trygg.ENOTFOUND},
			{trygg.RoleAdmin, "kommun-1494", police.ID, trygg.ENOTFOUND},
			{trygg.RoleAdmin, "lpo-vastra-skaraborg", police.ID, ""},
			// The police area serves Vara, but must never act as Vara's staff.
			{trygg.RoleAdmin, "lpo-vastra-skaraborg", planner.ID, trygg.ENOTFOUND},
			{trygg.RoleAdmin, "lpo-vastra-skaraborg", varaAdmin.ID, trygg.ENOTFOUND},
			{trygg.RoleAdmin, "lpo-vastra-skaraborg", varbergPlanner.ID, trygg.ENOTFOUND},
			{trygg.RoleAdmin, "kommun-1470", varbergPlanner.ID, trygg.ENOTFOUND},
			{trygg.RoleAdmin, "kommun-1470", "0b8a9a53-5a7e-4c4e-9d1e-2f1f8f3c0c11", trygg.ENOTFOUND},
			{trygg.RoleAdmin, "kommun-1470", "42", trygg.ENOTFOUND},
			{trygg.RoleAdmin, "kommun-1470", "", trygg.ENOTFOUND},
			{trygg.RoleAdmin, "kommun-1470", "' OR true --", trygg.ENOTFOUND},
		} {
			maker := demo.DemoEmail(tc.makerRole, tc.makerOrg)
			what := fmt.Sprintf("CreateAPIToken(user %q) by %s", tc.user, maker)
			was := tokensAndLog()
			secret, h := newTokenHash()
			tok, err := f.app.CreateAPIToken(f.as(t, tc.makerRole, tc.makerOrg), tc.user, "made by "+maker, h)
			staffWantCode(t, what, err, tc.want, "")
			now := tokensAndLog()
			if tc.want != "" {
				if now != was {
					t.Errorf("%s: got %d tokens and %d audit entries after the refusal, want %d and %d",
						what, now[0], now[1], was[0], was[1])
				}
				continue
			}
			if now != [2]int{was[0] + 1, was[1] + 1} {
				t.Errorf("%s: got %v tokens and audit entries, want one more of each than %v", what, now, was)
			}
			c, err := f.app.TokenCaller(ctx, auth.HashToken(secret))
			if err != nil {
				t.Errorf("%s: TokenCaller: %v", what, err)
			} else if c.User.ID != tc.user || c.TokenID != tok.ID {
				t.Errorf("%s: TokenCaller: got user %s token %s, want %s, %s", what, c.User.ID, c.TokenID, tc.user, tok.ID)
			}
		}
	})

	t.Run("insert in SQL as trygg_app", func(t *testing.T) {
		conn := f.appConn(t, "1470", varaAdmin.ID)
		if _, err := conn.Exec(ctx, `SET trygg.organisation_id = 'kommun-1470'`); err != nil {
			t.Fatal(err)
		}
		was := tokensAndLog()
		_, err := conn.Exec(ctx, `INSERT INTO api_token (user_id, name, token_hash) VALUES ($1, 'wider', $2)`,
			police.ID, auth.HashToken("police"))
		if sqlState(err) != "42501" {
			t.Errorf("INSERT INTO api_token for %s with trygg.municipalities = '1470': got %v (SQLSTATE %q), "+
				"want refused by row-level security (42501)", police.Email, err, sqlState(err))
		}
		if now := tokensAndLog(); now != was {
			t.Errorf("got %v tokens and audit entries after the refusal, want %v", now, was)
		}
		// The same insert for a user within the scope is allowed: the refusal is the scope.
		if _, err := conn.Exec(ctx, `INSERT INTO api_token (user_id, name, token_hash) VALUES ($1, 'within', $2)`,
			planner.ID, auth.HashToken("planner")); err != nil {
			t.Errorf("INSERT INTO api_token for %s with trygg.municipalities = '1470': %v", planner.Email, err)
		}
		// Another organisation's token is neither seen nor revoked in SQL.
		var id string
		if err := f.sql.QueryRow(ctx, `INSERT INTO api_token (user_id, name, token_hash) VALUES ($1, 'police', $2) RETURNING id`,
			police.ID, auth.HashToken("police by the owner")).Scan(&id); err != nil {
			t.Fatal(err)
		}
		for _, q := range []struct {
			sql  string
			want int
		}{
			{`SELECT count(*) FROM api_token WHERE id = $1`, 0},
			{`SELECT count(*) FROM (SELECT id FROM api_token WHERE id = $1 FOR UPDATE) t`, 0},
			{`WITH u AS (UPDATE api_token SET revoked_at = now() WHERE id = $1 RETURNING id) SELECT count(*) FROM u`, 0},
		} {
			var n int
			if err := conn.QueryRow(ctx, q.sql, id).Scan(&n); err != nil || n != q.want {
				t.Errorf("%s for %s's token with trygg.municipalities = '1470': got %d rows, %v; want %d",
					q.sql, police.Email, n, err, q.want)
			}
		}
		if n := f.count(t, `SELECT count(*) FROM api_token WHERE id = $1 AND revoked_at IS NULL`, id); n != 1 {
			t.Errorf("%s's token is revoked after trygg_app's UPDATE, want it untouched", police.Email)
		}
	})

	t.Run("life", func(t *testing.T) {
		vara := f.as(t, trygg.RoleAdmin, "kommun-1470")
		secret, h := newTokenHash()
		tok, err := f.app.CreateAPIToken(vara, planner.ID, "QGIS at the planning office", h)
		if err != nil {
			t.Fatal(err)
		}
		if tok.UserID != planner.ID || tok.UserEmail != planner.Email || tok.Name != "QGIS at the planning office" ||
			!slices.Equal(tok.Municipalities, []string{"1470"}) || tok.RevokedAt != nil || tok.LastUsedAt != nil ||
			time.Since(tok.CreatedAt) > time.Minute {
			t.Errorf("CreateAPIToken: got %+v, want a fresh unused token of %s in 1470", tok, planner.Email)
		}

		c, err := f.app.TokenCaller(ctx, auth.HashToken(secret))
		if err != nil {
			t.Fatalf("TokenCaller: %v", err)
		}
		if c.User.ID != planner.ID || c.User.Email != planner.Email || c.User.Role != trygg.RolePlanner ||
			c.User.Organisation.ID != "kommun-1470" || !slices.Equal(c.User.Municipalities, []string{"1470"}) ||
			c.TokenID != tok.ID || c.SessionID != "" {
			t.Errorf("TokenCaller: got %+v, want %s (municipalities [1470]) with token %s", c, planner.Email, tok.ID)
		}
		var lastUsed *time.Time
		if err := f.sql.QueryRow(ctx, `SELECT last_used_at FROM api_token WHERE id = $1`, tok.ID).Scan(&lastUsed); err != nil {
			t.Fatal(err)
		}
		if lastUsed == nil || time.Since(*lastUsed) > time.Minute {
			t.Errorf("last_used_at after use: got %v, want about now", lastUsed)
		}

		_, err = f.app.TokenCaller(ctx, auth.HashToken(secret+"x"))
		staffWantCode(t, "TokenCaller(unknown token)", err, trygg.EUNAUTHORIZED, "")

		revoked, err := f.app.RevokeAPIToken(vara, tok.ID)
		if err != nil {
			t.Fatalf("RevokeAPIToken: %v", err)
		}
		if revoked.RevokedAt == nil || revoked.ID != tok.ID {
			t.Errorf("RevokeAPIToken: got %+v, want token %s revoked", revoked, tok.ID)
		}
		_, err = f.app.TokenCaller(ctx, auth.HashToken(secret))
		staffWantCode(t, "TokenCaller after revocation", err, trygg.EUNAUTHORIZED, "")

		again, err := f.app.RevokeAPIToken(vara, tok.ID)
		if err != nil {
			t.Errorf("RevokeAPIToken again: %v", err)
		} else if again.RevokedAt == nil || !again.RevokedAt.Equal(*revoked.RevokedAt) {
			t.Errorf("RevokeAPIToken again: got revoked_at %v, want the first %v", again.RevokedAt, revoked.RevokedAt)
		}
		if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'token.revoke' AND entity_id = $1`, tok.ID); n != 1 {
			t.Errorf("got %d token.revoke entries, want 1", n)
		}
	})

	t.Run("revoke", func(t *testing.T) {
		vara := f.as(t, trygg.RoleAdmin, "kommun-1470")
		varberg := f.as(t, trygg.RoleAdmin, "kommun-1383")
		_, h := newTokenHash()
		varbergTok, err := f.owner.CreateAPIToken(varberg, varbergPlanner.ID, "Varberg", h)
		if err != nil {
			t.Fatal(err)
		}
		_, h = newTokenHash()
		policeTok, err := f.owner.CreateAPIToken(staffCLI("bob"), police.ID, "Police", h)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			id   string
			want []string // acceptable codes
		}{
			{"a Varberg token", varbergTok.ID, []string{trygg.ENOTFOUND}},
			// The police area's token: another organisation, although it serves Vara.
			{"the police area's token", policeTok.ID, []string{trygg.ENOTFOUND}},
			{"an unknown uuid", "0b8a9a53-5a7e-4c4e-9d1e-2f1f8f3c0c11", []string{trygg.ENOTFOUND}},
			{"a number", "42", []string{trygg.ENOTFOUND}},
			{"empty", "", []string{trygg.ENOTFOUND}},
			{"a uuid without dashes", strings.ReplaceAll(varbergTok.ID, "-", "x"), []string{trygg.ENOTFOUND}},
			{"SQL", "' OR true --", []string{trygg.ENOTFOUND}},
		} {
			was := tokensAndLog()
			_, err := f.app.RevokeAPIToken(vara, tc.id)
			if !slices.Contains(tc.want, trygg.ErrorCode(err)) {
				t.Errorf("RevokeAPIToken(%s) as the Vara admin: got error %v (code %q), want code %v",
					tc.name, err, trygg.ErrorCode(err), tc.want)
			}
			if now := tokensAndLog(); now != was {
				t.Errorf("RevokeAPIToken(%s): got %v tokens and audit entries after the refusal, want %v", tc.name, now, was)
			}
		}
		if n := f.count(t, `SELECT count(*) FROM api_token WHERE id = ANY ($1) AND revoked_at IS NOT NULL`,
			[]string{varbergTok.ID, policeTok.ID}); n != 0 {
			t.Errorf("got %d of the refused tokens revoked, want 0", n)
		}
	})
}

// TestStaffSessions checks session checks: idle and absolute expiry, sign-out, disabled
// users (for tokens too) and password changes.
func TestStaffSessions(t *testing.T) {
	t.Parallel()
	f := newStaffFixture(t, false)
	ctx := context.Background()
	const idle, lifetime = 8 * time.Hour, 12 * time.Hour
	vara := f.as(t, trygg.RoleAdmin, "kommun-1470")
	n := 0
	// start makes a user of its own and signs it in.
	start := func(t *testing.T) (trygg.User, []byte) {
		t.Helper()
		n++
		u := f.newUser(t, fmt.Sprintf("session%d@kommun-1470.example.se", n), trygg.RolePlanner, "kommun-1470")
		hash := auth.HashToken(auth.NewToken(auth.SessionPrefix))
		csrf := auth.NewToken("")
		expires, err := f.app.CreateSession(ctx, hash, u.ID, csrf, lifetime)
		if err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
		if d := time.Until(expires) - lifetime; d > time.Minute || d < -time.Minute {
			t.Errorf("CreateSession: got expiry %v, want in %v", expires, lifetime)
		}
		c, err := f.app.SessionCaller(ctx, hash, idle)
		if err != nil {
			t.Fatalf("SessionCaller of a new session: %v", err)
		}
		if c.User.ID != u.ID || c.User.Email != u.Email || c.User.Role != trygg.RolePlanner ||
			c.User.Organisation.ID != "kommun-1470" || !slices.Equal(c.User.Municipalities, []string{"1470"}) ||
			c.CSRFToken != csrf || c.SessionID != hex.EncodeToString(hash) || c.TokenID != "" {
			t.Errorf("SessionCaller: got %+v, want %s with CSRF token %s and session %x", c, u.Email, csrf, hash)
		}
		return u, hash
	}

	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, u trygg.User, hash []byte)
		want  string
	}{
		{"fresh", func(*testing.T, trygg.User, []byte) {}, ""},
		{"idle 7h", func(t *testing.T, _ trygg.User, hash []byte) {
			f.exec(t, `UPDATE session SET last_seen_at = now() - interval '7 hours' WHERE token_hash = $1`, hash)
		}, ""},
		{"idle 9h", func(t *testing.T, _ trygg.User, hash []byte) {
			f.exec(t, `UPDATE session SET last_seen_at = now() - interval '9 hours' WHERE token_hash = $1`, hash)
		}, trygg.EUNAUTHORIZED},
		{"expired", func(t *testing.T, _ trygg.User, hash []byte) {
			f.exec(t, `UPDATE session SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, hash)
		}, trygg.EUNAUTHORIZED},
		{"signed out", func(t *testing.T, _ trygg.User, hash []byte) {
			if err := f.app.DeleteSession(ctx, hash); err != nil {
				t.Fatal(err)
			}
		}, trygg.EUNAUTHORIZED},
		{"user disabled", func(t *testing.T, u trygg.User, _ []byte) {
			f.exec(t, `UPDATE app_user SET disabled_at = now() WHERE id = $1`, u.ID)
		}, trygg.EUNAUTHORIZED},
		{"password set by the command line", func(t *testing.T, u trygg.User, _ []byte) {
			if err := f.owner.SetPassword(staffCLI("alice"), u.ID, staffHash()); err != nil {
				t.Fatal(err)
			}
		}, trygg.EUNAUTHORIZED},
		{"password set by an admin", func(t *testing.T, u trygg.User, _ []byte) {
			if err := f.app.SetPassword(vara, u.ID, staffHash()); err != nil {
				t.Fatal(err)
			}
		}, trygg.EUNAUTHORIZED},
		{"another user's password set", func(t *testing.T, _ trygg.User, _ []byte) {
			if err := f.app.SetPassword(vara, f.user(t, trygg.RolePlanner, "kommun-1470").ID, staffHash()); err != nil {
				t.Fatal(err)
			}
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, hash := start(t)
			tc.spoil(t, u, hash)
			c, err := f.app.SessionCaller(ctx, hash, idle)
			staffWantCode(t, "SessionCaller after "+tc.name, err, tc.want, "")
			if tc.want == "" && (err != nil || c.User.ID != u.ID) {
				t.Errorf("SessionCaller after %s: got %+v, want %s", tc.name, c, u.Email)
			}
			if tc.want != "" && c != nil {
				t.Errorf("SessionCaller after %s: got caller %+v, want nil", tc.name, c)
			}
		})
	}

	t.Run("use refreshes last_seen_at", func(t *testing.T) {
		_, hash := start(t)
		f.exec(t, `UPDATE session SET last_seen_at = now() - interval '7 hours' WHERE token_hash = $1`, hash)
		if _, err := f.app.SessionCaller(ctx, hash, idle); err != nil {
			t.Fatal(err)
		}
		if ago := f.count(t, `SELECT extract(epoch FROM now() - last_seen_at)::int FROM session WHERE token_hash = $1`, hash); ago > 60 {
			t.Errorf("last_seen_at after use: got %d s ago, want now", ago)
		}
	})

	t.Run("password change ends only the user's sessions", func(t *testing.T) {
		u, hash := start(t)
		other, otherHash := start(t)
		if _, err := f.app.CreateSession(ctx, auth.HashToken(auth.NewToken(auth.SessionPrefix)), u.ID, "csrf", lifetime); err != nil {
			t.Fatal(err)
		}
		if err := f.app.SetPassword(vara, u.ID, staffHash()); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, `SELECT count(*) FROM session WHERE user_id = $1`, u.ID); n != 0 {
			t.Errorf("got %d sessions of %s after SetPassword, want 0", n, u.Email)
		}
		if _, err := f.app.SessionCaller(ctx, otherHash, idle); err != nil {
			t.Errorf("SessionCaller of %s after %s's password change: %v", other.Email, u.Email, err)
		}
		_, err := f.app.SessionCaller(ctx, hash, idle)
		staffWantCode(t, "SessionCaller after SetPassword", err, trygg.EUNAUTHORIZED, "")
		// A user the admin does not see is not found, and nothing is ended.
		varberg := f.user(t, trygg.RolePlanner, "kommun-1383")
		err = f.app.SetPassword(vara, varberg.ID, staffHash())
		staffWantCode(t, "SetPassword(Varberg user) as the Vara admin", err, trygg.ENOTFOUND, "")
	})

	t.Run("unknown session", func(t *testing.T) {
		_, err := f.app.SessionCaller(ctx, auth.HashToken(auth.NewToken(auth.SessionPrefix)), idle)
		staffWantCode(t, "SessionCaller(unknown)", err, trygg.EUNAUTHORIZED, "")
	})

	t.Run("disabled user", func(t *testing.T) {
		u, hash := start(t)
		secret, h := newTokenHash()
		if _, err := f.app.CreateAPIToken(vara, u.ID, "before", h); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.TokenCaller(ctx, auth.HashToken(secret)); err != nil {
			t.Fatalf("TokenCaller before disabling: %v", err)
		}
		f.exec(t, `UPDATE app_user SET disabled_at = now() WHERE id = $1`, u.ID)
		_, err := f.app.SessionCaller(ctx, hash, idle)
		staffWantCode(t, "SessionCaller of a disabled user", err, trygg.EUNAUTHORIZED, "")
		_, err = f.app.TokenCaller(ctx, auth.HashToken(secret))
		staffWantCode(t, "TokenCaller of a disabled user", err, trygg.EUNAUTHORIZED, "")
		_, err = f.app.Principal(ctx, u.ID)
		staffWantCode(t, "Principal of a disabled user", err, trygg.EUNAUTHORIZED, "")
		_, h = newTokenHash()
		_, err = f.app.CreateAPIToken(vara, u.ID, "after", h)
		staffWantCode(t, "CreateAPIToken for a disabled user", err, trygg.ENOTFOUND, "")
	})
}

// TestStaffSignInData checks what sign-in reads before anyone is signed in:
// credentials and failed attempts.
func TestStaffSignInData(t *testing.T) {
	t.Parallel()
	f := newStaffFixture(t, false)
	ctx := context.Background()
	planner := f.user(t, trygg.RolePlanner, "kommun-1470")

	t.Run("credentials", func(t *testing.T) {
		email := demo.DemoEmail(trygg.RolePlanner, "kommun-1470")
		for _, c := range []struct {
			name string
			ctx  context.Context
		}{
			{"the public", ctx},
			{"a Varberg admin", f.as(t, trygg.RoleAdmin, "kommun-1383")},
			{"the command line", staffCLI("alice")},
		} {
			for _, e := range []string{email, strings.ToUpper(email), "  " + strings.ToUpper(email[:1]) + email[1:] + " "} {
				got, err := f.app.Credentials(c.ctx, e)
				if err != nil || got.UserID != planner.ID || got.PasswordHash != staffHash() || got.Disabled {
					t.Errorf("Credentials(%q) as trygg_app with %s: got %+v, %v, want user %s with its hash, enabled",
						e, c.name, got, err, planner.ID)
				}
			}
			for _, e := range []string{"nobody@kommun-1470.demo.trygg.se", ""} {
				_, err := f.app.Credentials(c.ctx, e)
				staffWantCode(t, fmt.Sprintf("Credentials(%q) with %s", e, c.name), err, trygg.ENOTFOUND, "")
			}
		}
		got, err := f.app.Credentials(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		if err := auth.VerifyPassword(got.PasswordHash, staffPassword); err != nil {
			t.Errorf("VerifyPassword(stored hash): %v", err)
		}
		u := f.newUser(t, "disabled@kommun-1470.example.se", trygg.RolePlanner, "kommun-1470")
		f.exec(t, `UPDATE app_user SET disabled_at = now() WHERE id = $1`, u.ID)
		if got, err := f.app.Credentials(ctx, u.Email); err != nil || got.UserID != u.ID || !got.Disabled {
			t.Errorf("Credentials(%s) of a disabled user: got %+v, %v, want it disabled", u.Email, got, err)
		}
	})

	t.Run("failures", func(t *testing.T) {
		const (
			a, b, c  = "a@example.se", "b@example.se", "c@example.se"
			ip1, ip2 = "192.0.2.1", "192.0.2.2"
			window   = 15 * time.Minute
		)
		insert := func(email, ip string, ago time.Duration) time.Time {
			var at time.Time
			if err := f.sql.QueryRow(ctx, `INSERT INTO login_failure (email, ip, at) VALUES ($1, $2::inet, now() - $3::interval)
				RETURNING at`, email, ip, ago).Scan(&at); err != nil {
				t.Fatal(err)
			}
			return at
		}
		a10 := insert(a, ip1, 10*time.Minute)
		insert(a, ip1, 5*time.Minute)
		a20 := insert(a, ip2, 20*time.Minute) // outside the window
		b12 := insert(b, ip1, 12*time.Minute)
		insert(a, ip1, 48*time.Hour) // forgotten at the next failure
		if err := f.app.RecordLoginFailure(ctx, b, ip2); err != nil {
			t.Fatal(err)
		}
		if err := f.app.RecordLoginFailure(ctx, c, ""); err != nil {
			t.Fatal(err)
		}
		var b0 time.Time
		if err := f.sql.QueryRow(ctx, `SELECT at FROM login_failure WHERE email = $1 AND ip = $2`, b, ip2).Scan(&b0); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, `SELECT count(*) FROM login_failure WHERE at < now() - interval '1 day'`); n != 0 {
			t.Errorf("got %d failures older than a day after RecordLoginFailure, want 0", n)
		}
		if n := f.count(t, `SELECT count(*) FROM login_failure`); n != 6 {
			t.Errorf("got %d failures, want 6", n)
		}

		for _, tc := range []struct {
			name          string
			email, ip     string
			window        time.Duration
			byEmail, byIP int
			retryAt       time.Time
		}{
			{"email and address", a, ip1, window, 2, 3, a10.Add(window)},
			{"email, no address", a, "", window, 2, 0, a10.Add(window)},
			{"address only", "nobody@example.se", ip1, window, 0, 3, b12.Add(window)},
			{"newest decides", b, ip2, window, 2, 1, b0.Add(window)},
			{"wider window", a, ip2, 30 * time.Minute, 3, 2, a20.Add(30 * time.Minute)},
			{"no address recorded", c, "", window, 1, 0, time.Time{}}, // set below
			{"nothing", "nobody@example.se", "198.51.100.7", window, 0, 0, time.Time{}},
		} {
			if tc.name == "no address recorded" {
				if err := f.sql.QueryRow(ctx, `SELECT at FROM login_failure WHERE email = $1`, c).Scan(&tc.retryAt); err != nil {
					t.Fatal(err)
				}
				tc.retryAt = tc.retryAt.Add(window)
			}
			byEmail, byIP, retryAt, err := f.app.LoginFailures(ctx, tc.email, tc.ip, tc.window)
			if err != nil || byEmail != tc.byEmail || byIP != tc.byIP || !retryAt.Equal(tc.retryAt) {
				t.Errorf("LoginFailures(%s: %q, %q, %v): got %d, %d, %v, %v; want %d, %d, %v",
					tc.name, tc.email, tc.ip, tc.window, byEmail, byIP, retryAt, err, tc.byEmail, tc.byIP, tc.retryAt)
			}
		}

		if err := f.app.ClearLoginFailures(ctx, a); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			email, ip     string
			byEmail, byIP int
			retryAt       time.Time
		}{
			{a, ip1, 0, 1, b12.Add(window)},
			{b, "", 2, 0, b12.Add(window)},
		} {
			byEmail, byIP, retryAt, err := f.app.LoginFailures(ctx, tc.email, tc.ip, window)
			if err != nil || byEmail != tc.byEmail || byIP != tc.byIP || !retryAt.Equal(tc.retryAt) {
				t.Errorf("LoginFailures(%q, %q) after ClearLoginFailures(%s): got %d, %d, %v, %v; want %d, %d, %v",
					tc.email, tc.ip, a, byEmail, byIP, retryAt, err, tc.byEmail, tc.byIP, tc.retryAt)
			}
		}
		if n := f.count(t, `SELECT count(*) FROM login_failure WHERE email = $1`, a); n != 0 {
			t.Errorf("got %d failures of %s after ClearLoginFailures, want 0", n, a)
		}
	})
}

// TestStaffCreateUserErrors checks CreateUser's refusals, which write nothing.
func TestStaffCreateUserErrors(t *testing.T) {
	t.Parallel()
	f := newStaffFixture(t, false)
	cli := staffCLI("alice")
	usersAndLog := func() [2]int {
		return [2]int{f.count(t, `SELECT count(*) FROM app_user`), f.count(t, `SELECT count(*) FROM audit_log`)}
	}
	for _, tc := range []struct {
		name        string
		email       string
		role        trygg.Role
		org         string
		code, field string
	}{
		{"police in a municipality", "p@example.se", trygg.RolePolice, "kommun-1470", trygg.EINVALID, "role"},
		{"planner in a police area", "p@example.se", trygg.RolePlanner, "lpo-vastra-skaraborg", trygg.EINVALID, "role"},
		{"moderator in a police area", "p@example.se", trygg.RoleModerator, "lpo-varberg", trygg.EINVALID, "role"},
		{"unknown role", "p@example.se", trygg.Role("chief"), "kommun-1470", trygg.EINVALID, "role"},
		{"empty role", "p@example.se", "", "kommun-1470", trygg.EINVALID, "role"},
		{"unknown organisation", "p@example.se", trygg.RoleAdmin, "kommun-9999", trygg.EINVALID, "org"},
		{"empty organisation", "p@example.se", trygg.RoleAdmin, "", trygg.EINVALID, "org"},
		{"not an address", "not-an-email", trygg.RoleAdmin, "kommun-1470", trygg.EINVALID, "email"},
		{"no domain dot", "p@example", trygg.RoleAdmin, "kommun-1470", trygg.EINVALID, "email"},
		{"display name", "P <p@example.se>", trygg.RoleAdmin, "kommun-1470", trygg.EINVALID, "email"},
		{"empty email", "", trygg.RoleAdmin, "kommun-1470", trygg.EINVALID, "email"},
		{"duplicate, other case", strings.ToUpper(demo.DemoEmail(trygg.RolePlanner, "kommun-1470")), trygg.RoleAdmin,
			"kommun-1383", trygg.ECONFLICT, "email"},
		{"duplicate, spaces", " " + demo.DemoEmail(trygg.RolePolice, "lpo-varberg") + " ", trygg.RolePolice,
			"lpo-varberg", trygg.ECONFLICT, "email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			was := usersAndLog()
			u, err := f.owner.CreateUser(cli, tc.email, tc.role, tc.org, staffHash(), false)
			staffWantCode(t, fmt.Sprintf("CreateUser(%q, %q, %q)", tc.email, tc.role, tc.org), err, tc.code, tc.field)
			if u.ID != "" {
				t.Errorf("got user %+v, want none", u)
			}
			if now := usersAndLog(); now != was {
				t.Errorf("got %v users and audit entries after the refusal, want %v", now, was)
			}
		})
	}

	t.Run("accepted", func(t *testing.T) {
		u, err := f.owner.CreateUser(cli, "  Ny.Admin@Varberg.Example.SE ", trygg.RoleAdmin, "lpo-varberg", staffHash(), false)
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "ny.admin@varberg.example.se" || u.Role != trygg.RoleAdmin || u.Organisation.ID != "lpo-varberg" ||
			u.Organisation.Kind != trygg.OrgPoliceArea || !slices.Equal(u.Municipalities, []string{"1383"}) || u.Demo || u.Disabled {
			t.Errorf("CreateUser: got %+v, want an enabled admin ny.admin@varberg.example.se of lpo-varberg serving [1383]", u)
		}
	})
}
