package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// searchDatabase counts, as the owner (no row-level security), the rows of every table
// in the public schema with a text, character, JSON or array column that holds needle.
func searchDatabase(t *testing.T, conn *pgx.Conn, needle string) map[string]int {
	t.Helper()
	ctx := context.Background()
	rows, err := conn.Query(ctx, `
		SELECT c.table_name, c.column_name FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
		  AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')
		ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	type column struct{ table, name string }
	var cols []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.table, &c.name); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	if rows.Err() != nil || len(cols) < 50 {
		t.Fatalf("columns to search: %d (%v)", len(cols), rows.Err())
	}
	hits := map[string]int{}
	for _, c := range cols {
		var n int
		sql := `SELECT count(*) FROM ` + pgx.Identifier{c.table}.Sanitize() + ` WHERE ` +
			pgx.Identifier{c.name}.Sanitize() + `::text LIKE '%' || $1 || '%'`
		if err := conn.QueryRow(ctx, sql, needle).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if n > 0 {
			hits[c.table+"."+c.name] = n
		}
	}
	return hits
}

// TestErasureIsTotal: a resident's report, with contact data and an Idempotency-Key,
// edited, noted, rejected and published by a moderator, then erased with its erasure
// token, leaves nothing of its text or contact anywhere in the database (every text,
// JSON and array column of every table, searched as the owner), the audit log's
// entries included: they stay, with their status and category, and "[raderad]" for the
// text. The audit log still refuses UPDATE and DELETE by trygg_app and by the owner.
func TestErasureIsTotal(t *testing.T) {
	e := newEnv(t, func(o *api.Options, _ *postgis.Options) { o.ReportRate = api.Rate{} })
	e.addUser(t, trygg.RoleModerator, "kommun-1470")
	public := e.client()
	mod := e.signIn(t, "moderator@kommun-1470.demo.trygg.se")
	owner := pgtest.Conn(t, e.url)
	ctx := context.Background()

	original := "Mörk gång bakom skolan, Anna Andersson bor på Storgatan 5"
	edited := "Mörk gång bakom skolan (Anna Andersson, Storgatan 5, redigerad av moderator)"
	email, phone := "anna.andersson@example.se", "070-987 65 43"
	needles := []string{"Anna Andersson", "Storgatan 5", "Mörk gång bakom skolan", email, phone}
	s := submit(t, public, report(`"description":"`+original+`","contact":{"email":"`+email+`","phone":"`+phone+`"}`),
		"Idempotency-Key", "erasure-test-1")
	other := submit(t, public, report(`"description":"Trasig lampa vid torget"`))
	needles = append(needles, s.Erasure) // kept with the Idempotency-Key for a replay

	for _, m := range []map[string]any{
		{"action": "edit", "description": edited, "reason": "Tog bort att Anna Andersson bor på Storgatan 5"},
		{"action": "reject", "reason": "Namnger Anna Andersson"},
		{"action": "publish"},
		{"action": "edit", "category": "gangvag"},
	} {
		resp, body := mod.do(t, "POST", "/api/v1/reports/"+s.ID+"/moderation", m)
		wantStatus(t, resp, body, http.StatusOK)
	}
	resp, body := public.post(t, "/api/v1/reports/"+s.ID+"/confirm", "application/json", "")
	wantStatus(t, resp, body, http.StatusCreated)
	resp, body = mod.do(t, "POST", "/api/v1/reports/"+other.ID+"/moderation", map[string]any{"action": "publish"})
	wantStatus(t, resp, body, http.StatusOK)

	// Before the erasure, the search finds each piece where it was copied.
	for _, n := range needles {
		if hits := searchDatabase(t, owner, n); len(hits) == 0 {
			t.Fatalf("before erasure, %q is nowhere: the search does not work", n)
		}
	}
	hits := searchDatabase(t, owner, "Anna Andersson")
	for _, where := range []string{"report.description", "report.public_description", "report.reject_reason",
		"report_status.note", "audit_log.before", "audit_log.after"} {
		if hits[where] == 0 {
			t.Errorf("before erasure, %q is not in %s (hits %v)", "Anna Andersson", where, hits)
		}
	}
	if hits := searchDatabase(t, owner, email); hits["report_contact.email"] != 1 {
		t.Errorf("before erasure, the contact e-mail is in %v", hits)
	}
	if hits := searchDatabase(t, owner, s.Erasure); hits["idempotency_key.erasure"] != 1 {
		t.Errorf("before erasure, the erasure token is in %v", hits)
	}
	auditBefore := pgtest.Strings(t, e.url, `SELECT count(*)::text FROM audit_log WHERE entity = 'report' AND entity_id = $1`, s.ID)[0]
	if auditBefore != "4" {
		t.Fatalf("%s audit entries for the report, want 4", auditBefore)
	}

	// A wrong token erases nothing; the right one erases all.
	req, _ := http.NewRequest(http.MethodDelete, e.srv.URL+"/api/v1/reports/"+s.ID, nil)
	req.Header.Set("Erasure-Token", other.Erasure)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("erase with another report's token: %v %v", resp, err)
	}
	if hits := searchDatabase(t, owner, "Anna Andersson"); len(hits) == 0 {
		t.Fatal("a refused erasure removed the text")
	}
	req.Header.Set("Erasure-Token", s.Erasure)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("erase: %v %v", resp, err)
	}

	for _, n := range needles {
		if hits := searchDatabase(t, owner, n); len(hits) > 0 {
			t.Errorf("after erasure, %q is still in %v", n, hits)
		}
	}
	// The audit entries stay, with what is not personal.
	got := pgtest.Strings(t, e.url, `SELECT action || ' ' || coalesce(before->>'status', '-') || '>' || coalesce(after->>'status', '-') ||
			' ' || coalesce(after->>'category', '-') || ' ' || coalesce(after->>'public_description', '-') || ' ' || coalesce(nullif(after->>'reject_reason', ''), '""')
		FROM audit_log WHERE entity = 'report' AND entity_id = $1 ORDER BY id`, s.ID)
	want := []string{
		"report.edit received>received belysning [raderad] \"\"",
		"report.reject received>rejected belysning [raderad] [raderad]",
		"report.publish rejected>published belysning [raderad] [raderad]",
		"report.edit published>published gangvag [raderad] [raderad]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit entries after erasure:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The other report and its audit entry are untouched.
	if n := pgtest.Strings(t, e.url, `SELECT count(*)::text FROM audit_log WHERE entity_id = $1 AND after->>'public_description' = 'Trasig lampa vid torget'`, other.ID)[0]; n != "1" {
		t.Errorf("the other report's audit entry: %s with its text, want 1", n)
	}

	// Append-only still: trygg_app may neither change the log nor call the redaction.
	app := pgtest.Conn(t, e.url+" user="+postgis.AppRole)
	for _, sql := range []string{
		`UPDATE audit_log SET after = NULL WHERE entity_id = '` + other.ID + `'`,
		`DELETE FROM audit_log WHERE entity_id = '` + other.ID + `'`,
		`SELECT audit_log_redact_report('` + other.ID + `')`,
		`SELECT audit_log_redact_report('` + s.ID + `')`,
		`ALTER TABLE audit_log DISABLE TRIGGER audit_log_redaction`,
	} {
		_, err := app.Exec(ctx, sql)
		if got := sqlState(err); got != "42501" {
			t.Errorf("%s as trygg_app: got %v (SQLSTATE %q), want insufficient_privilege", sql, err, got)
		}
	}
	// Nor may the owner outside the redaction function, not even with the setting for
	// another entity, and the redaction refuses a report that is not erased.
	for _, tc := range []struct{ set, sql string }{
		{``, `UPDATE audit_log SET after = NULL WHERE entity_id = '` + other.ID + `'`},
		{``, `UPDATE audit_log SET after = NULL WHERE false`},
		{``, `DELETE FROM audit_log WHERE entity_id = '` + other.ID + `'`},
		{``, `TRUNCATE audit_log`},
		{`report:` + s.ID, `UPDATE audit_log SET after = NULL WHERE entity_id = '` + other.ID + `'`},
		{`report:` + other.ID, `UPDATE audit_log SET actor = 'nobody' WHERE entity_id = '` + other.ID + `'`},
		{`report:` + other.ID, `DELETE FROM audit_log WHERE entity_id = '` + other.ID + `'`},
		{``, `SELECT audit_log_redact_report('` + other.ID + `')`},
	} {
		tx, err := owner.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if tc.set != "" {
			if _, err := tx.Exec(ctx, `SELECT set_config('trygg.audit_redaction', $1, true)`, tc.set); err != nil {
				t.Fatal(err)
			}
		}
		_, err = tx.Exec(ctx, tc.sql)
		tx.Rollback(ctx) //nolint:errcheck
		if err == nil || !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "not erased") {
			t.Errorf("%s as the owner (trygg.audit_redaction %q): got %v, want a refusal", tc.sql, tc.set, err)
		}
	}
	if n := pgtest.Strings(t, e.url, `SELECT count(*)::text FROM audit_log WHERE entity_id = $1 AND after->>'public_description' = 'Trasig lampa vid torget'`, other.ID)[0]; n != "1" {
		t.Errorf("the other report's audit entry after the attempts: %s with its text, want 1", n)
	}
}

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}
