package postgis

import (
	"regexp"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/trygg-gis/trygg"
)

// Refusals by the database name the field in plain words, never the constraint,
// relation or PostgreSQL's message.
func TestRefusalHidesConstraints(t *testing.T) {
	leak := regexp.MustCompile(`_check|_key|_fkey|_pkey|violates|constraint|relation|report_|lwgeom`)
	for _, tc := range []struct {
		code, constraint, field, wantCode string
	}{
		{"23514", "report_feeling_check", "feeling", trygg.EINVALID},
		{"23514", "walk_check", "body", trygg.EINVALID},
		{"23505", "place_name_key", "name", trygg.ECONFLICT},
		{"23503", "action_owner_org_fkey", "owner_org", trygg.EINVALID},
		{"23502", "", "title", trygg.EINVALID},
		{"22001", "", "name", trygg.EINVALID},
		{"XX000", "", "geometry", trygg.EINVALID},
		{"22023", "", "", trygg.EINVALID},
	} {
		pgErr := &pgconn.PgError{Code: tc.code, ConstraintName: tc.constraint, TableName: "report",
			Message: `new row for relation "report" violates check constraint "` + tc.constraint + `"`,
			Detail:  "Failing row contains (…).", Hint: "lwgeom_intersection"}
		err := refusal(pgErr, "report", tc.field)
		want := tc.field
		if want == "" {
			want = "body"
		}
		if trygg.ErrorCode(err) != tc.wantCode || trygg.ErrorField(err) != want {
			t.Errorf("%s: code %s field %q, want %s %q", tc.code, trygg.ErrorCode(err), trygg.ErrorField(err), tc.wantCode, want)
		}
		if msg := trygg.ErrorMessage(err); leak.MatchString(msg) || msg == "" {
			t.Errorf("%s: message %q names database internals", tc.code, msg)
		}
	}
}
