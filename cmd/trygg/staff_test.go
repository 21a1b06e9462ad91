package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/trygg-gis/trygg/postgis/pgtest"
)

func TestUserAndTokenCommands(t *testing.T) {
	url := pgtest.URL(t)
	env := envOf(map[string]string{"DATABASE_URL": url, "USER": "ops"})
	ctx := context.Background()
	runOK := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, append([]string{"trygg"}, args...), env, &out, io.Discard); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}

	out := runOK("demo")
	if n := strings.Count(out, ".demo.trygg.se"); n != 23 {
		t.Errorf("demo printed %d accounts, want 23 (3 roles × 5 municipalities + 2 × 4 police areas):\n%s", n, out)
	}
	if !strings.Contains(out, "FOR DEMONSTRATION ONLY") {
		t.Error("demo accounts are not marked as demo only")
	}
	if again := runOK("demo"); strings.Contains(again, ".demo.trygg.se") {
		t.Errorf("second demo load printed passwords again:\n%s", again)
	}

	out = runOK("user", "add", "--email", "Anna.Svensson@Vara.se", "--role", "planner", "--org", "kommun-1470")
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "added anna.svensson@vara.se (planner, Vara kommun; municipalities 1470)") {
		t.Fatalf("user add output:\n%s", out)
	}

	saved := stdin
	defer func() { stdin = saved }()
	stdin = strings.NewReader("ett långt nytt lösenord\n")
	out = runOK("user", "passwd", "--email", "anna.svensson@vara.se", "--password-stdin")
	if strings.Contains(out, "password:") || !strings.Contains(out, "sessions have ended") {
		t.Errorf("passwd with stdin: %s", out)
	}

	out = runOK("token", "create", "--user", "anna.svensson@vara.se", "--name", "QGIS")
	tok := regexp.MustCompile(`\btrt_[A-Za-z0-9_-]{43}\b`).FindString(out)
	id := regexp.MustCompile(`token ([0-9a-f-]{36})`).FindStringSubmatch(out)
	if tok == "" || id == nil {
		t.Fatalf("token create output:\n%s", out)
	}
	if out := runOK("token", "revoke", id[1]); !strings.Contains(out, "revoked token "+id[1]) {
		t.Errorf("token revoke: %s", out)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"user", "add", "--email", "x@vara.se", "--role", "police", "--org", "kommun-1470"}, `role "police" is not for a municipality organisation`},
		{[]string{"user", "add", "--email", "x@vara.se", "--role", "planner", "--org", "kommun-9999"}, `no organisation has id "kommun-9999"`},
		{[]string{"user", "add", "--email", "ANNA.svensson@vara.se", "--role", "planner", "--org", "kommun-1470"}, "already exists"},
		{[]string{"user", "add", "--email", "not-an-address", "--role", "planner", "--org", "kommun-1470"}, "is not an e-mail address"},
		{[]string{"user", "add", "--email", "x@vara.se"}, "--role and --org are required"},
		{[]string{"user", "passwd", "--email", "nobody@vara.se"}, "no such user"},
		{[]string{"user", "frobnicate"}, "usage: trygg user"},
		{[]string{"token", "create", "--user", "nobody@vara.se", "--name", "x"}, "no such user"},
		{[]string{"token", "revoke", "not-a-uuid"}, "no token has id"},
		{[]string{"token", "revoke"}, "usage: trygg token revoke ID"},
	} {
		err := run(ctx, append([]string{"trygg"}, tc.args...), env, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
	stdin = strings.NewReader("short\n")
	if err := run(ctx, []string{"trygg", "user", "passwd", "--email", "anna.svensson@vara.se", "--password-stdin"}, env, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "at least 12") {
		t.Errorf("short password: got %v", err)
	}

	// The audit log names the operator.
	rows := pgtest.Strings(t, url, `SELECT actor || ' ' || action FROM audit_log WHERE actor LIKE 'cli:%' ORDER BY id`)
	want := []string{"cli:ops user.create", "cli:ops user.set_password", "cli:ops token.create", "cli:ops token.revoke"}
	if got := rows[len(rows)-len(want):]; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("audit log tail %v, want %v", got, want)
	}

	// Retention from the command line.
	pgtest.Exec(t, url, `INSERT INTO report (id, municipality_code, geom, public_geom, category, feeling, source, precision, status)
		VALUES ('6f1c0d1e-0000-4000-8000-000000000001', '1470', ST_SetSRID(ST_MakePoint(13.1, 58.26), 4326),
		        ST_SetSRID(ST_MakePoint(13.1, 58.26), 4326), 'belysning', 2, 'resident', 'exact', 'received');
		INSERT INTO report_contact (report_id, email, created_at)
		VALUES ('6f1c0d1e-0000-4000-8000-000000000001', 'old@example.org', now() - interval '100 days')`)
	if out := runOK("maintenance", "retention"); !strings.Contains(out, "deleted the contact data of 1 reports older than 2160h") {
		t.Errorf("retention: %q", out)
	}

	// A production server refuses to start while demo accounts exist.
	err := run(ctx, []string{"trygg", "serve"}, envOf(map[string]string{"DATABASE_URL": url, "TRYGG_ENV": "production", "TRYGG_ADDR": "127.0.0.1:0"}), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "23 demo accounts") {
		t.Errorf("production with demo accounts: got %v", err)
	}
}
