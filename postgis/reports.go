package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"
	"github.com/trygg-gis/trygg"
)

// Categories returns the report taxonomy, read once and kept.
func (db *DB) Categories(ctx context.Context) ([]trygg.Category, error) {
	db.catOnce.Do(func() {
		rows, err := db.pool.Query(ctx, `SELECT code, label_sv, label_en, grp, icon FROM category ORDER BY sort`)
		if err != nil {
			db.catErr = wrap(err, "read categories")
			return
		}
		db.categories, db.catErr = pgx.CollectRows(rows, pgx.RowToStructByPos[trygg.Category])
		db.catErr = wrap(db.catErr, "read categories")
	})
	if db.catErr != nil {
		err := db.catErr
		db.catOnce = sync.Once{} // try again next time
		return nil, err
	}
	return db.categories, nil
}

// Submission is a new report with what storing it needs besides the report itself.
type Submission struct {
	Report         trygg.Report // ID, Location, Category, Feeling, When, texts, Source, Precision, Status, ObservedAt, Contact
	ErasureHash    []byte
	ErasureToken   string  // kept with the idempotency key, for a replayed answer
	IdempotencyKey string  // "" for none
	RequestHash    []byte  // what the key was first used for
	SnapMetres     float64 // public positions of points snap to cells of this size
	// Demographics are the reporter's optional age band and gender: stored apart from
	// the report, read only in aggregate (DemographicsStats).
	Demographics trygg.Demographics

	// Limit, if on, is the client's rate limit, taken in the same round trip; a
	// replay of a stored idempotency key takes nothing, and a report that is not
	// stored gives its request back. Refused: *LimitError.
	Limit Limit
}

// Submitted is what the store says of a stored submission.
type Submitted struct {
	ID           string
	Municipality string
	Status       string
	CreatedAt    time.Time
	ErasureToken string
	Replayed     bool    // an earlier submission with the same idempotency key
	PlaceLabel   *string // the report's place label (place_label, as the insert trigger gave it)
	MailQueued   bool    // a receipt is queued for the reporter's e-mail address (mail on, an address given)
}

// SubmitReport stores a report in one statement (one round trip, one transaction, the
// rate limit check in s.Limit riding along in the same pipeline): the municipality is the one covering the position; none is EUNPROCESSABLE on location.
// The report, its first status, its contact data and the idempotency key commit
// together. A key already used returns the first report (Replayed); used for another
// request, EUNPROCESSABLE on Idempotency-Key.
func (db *DB) SubmitReport(ctx context.Context, s Submission) (Submitted, error) {
	r := s.Report
	var out Submitted
	g, err := wkb.Marshal(r.Location)
	if err != nil {
		return out, trygg.Errorf(trygg.EINVALID, "location", "cannot encode the location: %v", err)
	}
	var email, phone, key, actor *string
	var actorID *string
	if r.Contact != nil {
		email, phone = nonEmpty(r.Contact.Email), nonEmpty(r.Contact.Phone)
	}
	key = nonEmpty(s.IdempotencyKey)
	name := "public"
	if c := trygg.CallerFrom(ctx); c != nil && c.User.ID != "" {
		actorID, name = &c.User.ID, c.User.Email
	} else if c != nil && c.Actor != "" {
		name = c.Actor
	}
	actor = &name
	var checks []rateCheck
	if l := s.Limit; l.on() {
		checks = []rateCheck{{l, `SELECT report_rate_check($1, $2, $3, $4, $5)`, []any{l.Bucket, l.Key, l.N, l.Window, key}}}
	}
	// mail_report_submitted (migration 32), in the same statement and so the same
	// transaction, sets the report's language and queues its receipt (when mail is on
	// and it has a contact e-mail); a replay does neither, and says whether the first did.
	lang := r.Lang
	if lang == "" {
		lang = trygg.DefaultLang
	}
	err = db.limited(ctx, checks, `SELECT id, municipality_code, status, created_at, erasure, replayed,
			place_label(ST_SetSRID(ST_GeomFromWKB($2), 4326)),
			CASE WHEN replayed THEN mail_receipt_queued(id, erasure) ELSE mail_report_submitted(id, $24, $18) END
		FROM submit_report($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
			$21, $22, $23)`,
		[]any{r.ID, g, r.Category, r.Feeling, r.When, r.Description, r.PublicDescription, r.Source, r.Precision, r.Status,
			r.ObservedAt, s.ErasureHash, email, phone, s.SnapMetres, key, s.RequestHash, s.ErasureToken, actorID, *actor,
			nilIfNone(r.Categories), nonEmpty(s.Demographics.AgeBand), nonEmpty(s.Demographics.Gender), lang},
		func(row pgx.Row) error {
			var queued *bool
			err := row.Scan(&out.ID, &out.Municipality, &out.Status, &out.CreatedAt, &out.ErasureToken, &out.Replayed, &out.PlaceLabel, &queued)
			out.MailQueued = queued != nil && *queued
			return err
		})
	if isLimit(err) {
		return out, err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "TR001":
			return out, trygg.Errorf(trygg.EUNPROCESSABLE, "location", "the place is outside every municipality that uses Trygg")
		case "TR002":
			return out, trygg.Errorf(trygg.EUNPROCESSABLE, "Idempotency-Key", "this Idempotency-Key was used for a different request")
		case "23503":
			if pgErr.ConstraintName == "report_categories_fkey" {
				return out, trygg.Errorf(trygg.EINVALID, "categories", "unknown category in %q", r.Categories)
			}
			return out, trygg.Errorf(trygg.EINVALID, "category", "unknown category %q", r.Category)
		case "23514", "22023", "XX000":
			if strings.Contains(pgErr.ConstraintName, "public_description") {
				return out, trygg.Errorf(trygg.EINVALID, "description", "with its e-mail addresses and phone numbers hidden for the public, "+
					"the description is longer than %d characters: shorten it", trygg.MaxDescription)
			}
			return out, refusal(pgErr, "report", constraintField(pgErr.ConstraintName))
		case "23505":
			if pgErr.ConstraintName == "report_pkey" {
				return out, trygg.Errorf(trygg.ECONFLICT, "id", "a report with this id exists")
			}
		}
	}
	return out, wrap(err, "submit report")
}

func constraintField(name string) string {
	for _, f := range []string{"categories", "geom", "feeling", "times", "description", "source", "precision", "status", "email", "phone"} {
		if strings.Contains(name, f) {
			switch f {
			case "geom":
				return "location"
			case "times":
				return "when"
			case "email", "phone":
				return "contact." + f
			}
			return f
		}
	}
	return "body"
}

// nilIfNone is a list as a parameter: NULL for none.
func nilIfNone(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

const reportColumns = `r.id, r.municipality_code, ST_AsBinary(r.geom), r.category, r.feeling, r.times,
	r.description, r.public_description, r.source, r.precision, r.status, coalesce(r.reject_reason, ''),
	r.observed_at, r.created_at, r.updated_at,
	(SELECT count(*) FROM report_confirmation c WHERE c.report_id = r.id), r.place_label, r.categories`

func scanReport(row pgx.Row, extra ...any) (trygg.Report, error) {
	var r trygg.Report
	var g []byte
	dest := append([]any{&r.ID, &r.Municipality, &g, &r.Category, &r.Feeling, &r.When, &r.Description,
		&r.PublicDescription, &r.Source, &r.Precision, &r.Status, &r.RejectReason, &r.ObservedAt,
		&r.CreatedAt, &r.UpdatedAt, &r.Confirmations, &r.PlaceLabel, &r.Categories}, extra...)
	if err := row.Scan(dest...); err != nil {
		return r, err
	}
	loc, err := wkb.Unmarshal(g)
	if err != nil {
		return r, fmt.Errorf("decode location of %s: %w", r.ID, err)
	}
	r.Location = loc
	return r, nil
}

// Report returns a report the caller's staff scope covers, with its contact data and
// status history, or ENOTFOUND.
func (db *DB) Report(ctx context.Context, id string) (trygg.Report, error) {
	var r trygg.Report
	if !isUUID(id) {
		return r, trygg.Errorf(trygg.ENOTFOUND, "id", "no report has id %q", id)
	}
	err := db.inTx(ctx, "read report", func(tx pgx.Tx) error {
		var email, phone *string
		var err error
		r, err = scanReport(tx.QueryRow(ctx, `SELECT `+reportColumns+`, c.email, c.phone
			FROM report r LEFT JOIN report_contact c ON c.report_id = r.id WHERE r.id = $1`, id), &email, &phone)
		if errors.Is(err, pgx.ErrNoRows) {
			return trygg.Errorf(trygg.ENOTFOUND, "id", "no report has id %q", id)
		}
		if err != nil {
			return wrap(err, "read report")
		}
		if email != nil || phone != nil {
			r.Contact = &trygg.Contact{Email: deref(email), Phone: deref(phone)}
		}
		rows, err := tx.Query(ctx, `SELECT status, at, actor, coalesce(note, '') FROM report_status
			WHERE report_id = $1 ORDER BY at, id`, id)
		if err != nil {
			return wrap(err, "read report history")
		}
		r.History, err = pgx.CollectRows(rows, pgx.RowToStructByPos[trygg.StatusChange])
		if err != nil {
			return wrap(err, "read report history")
		}
		one := []trygg.Report{r}
		err = staffPhotos(ctx, tx, one)
		r = one[0]
		return err
	})
	return r, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

const publicColumns = `r.id, r.municipality_code, ST_AsBinary(r.geom), r.category, r.feeling, r.times,
	r.description, r.description, r.source, r.precision, r.status, '', r.observed_at, r.created_at, r.updated_at,
	r.confirmations, r.place_label, r.categories, r.action_status, r.action_feedback, r.precision_m`

// scanPublicReport reads a row of publicColumns: the report, the status and feedback
// of its latest action, if it has one, and the public grid of a snapped point. The
// public view has already left out staff sources' free text and coarsened their times.
func scanPublicReport(row pgx.Row) (trygg.Report, error) {
	var status, feedback *string
	var grid *float64
	r, err := scanReport(row, &status, &feedback, &grid)
	r.PrecisionM = grid
	if status != nil {
		r.Action = &trygg.PublicAction{Status: *status, Feedback: deref(feedback)}
	}
	return r, err
}

// PublicReport returns a published report as the public sees it (coarsened position,
// masked text, no contact data), or ENOTFOUND.
func (db *DB) PublicReport(ctx context.Context, id string) (trygg.Report, error) {
	if !isUUID(id) {
		return trygg.Report{}, trygg.Errorf(trygg.ENOTFOUND, "id", "no report has id %q", id)
	}
	r, err := scanPublicReport(db.pool.QueryRow(ctx, `SELECT `+publicColumns+` FROM public_report r WHERE r.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, trygg.Errorf(trygg.ENOTFOUND, "id", "no published report has id %q", id)
	}
	if err != nil {
		return r, wrap(err, "read public report")
	}
	one := []trygg.Report{r}
	err = db.fillPublicPhotos(ctx, one)
	return one[0], err
}

// PublicFilter selects public reports.
type PublicFilter struct {
	Municipality string
	Near         *orb.Point // with RadiusM: within this distance
	RadiusM      float64
	Categories   []string
	Statuses     []string
	IDs          []string
	Open311      []string  // "open", "closed": closed is resolved or its latest action done
	From, To     time.Time // created_at
	Limit        int
}

// PublicReports returns published reports as the public sees them, nearest first when
// Near is set and newest first otherwise.
func (db *DB) PublicReports(ctx context.Context, f PublicFilter) ([]trygg.Report, error) {
	q, args := publicReportsSQL(f)
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, wrap(err, "list public reports")
	}
	rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.Report, error) { return scanPublicReport(r) })
	if err != nil {
		return nil, wrap(err, "list public reports")
	}
	return rs, db.fillPublicPhotos(ctx, rs)
}

// withinMetres is the SQL condition that geometry col (SRID 4326) lies within radius
// metres of point pt, whose latitude is lat (SQL expressions all). The cast to geography
// hides the column from its GiST index, so a box first: the point expanded by at least
// the radius (a degree of latitude is more than 110 km, one of longitude more than
// 110 km × cos(latitude)), which the index answers; then the exact geodesic distance.
func withinMetres(col, pt, lat, radius string) string {
	return fmt.Sprintf("(%[1]s && ST_Expand(%[2]s, %[4]s / (110000 * greatest(cos(radians(%[3]s)), 0.01)), %[4]s / 110000.0) "+
		"AND ST_DWithin(%[1]s::geography, %[2]s::geography, %[4]s))", col, pt, lat, radius)
}

// publicReportsSQL is PublicReports' statement for f and its arguments.
func publicReportsSQL(f PublicFilter) (string, []any) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	order := "r.created_at DESC, r.id"
	if f.Municipality != "" {
		where = append(where, "r.municipality_code = "+arg(f.Municipality))
	}
	if f.Near != nil {
		lat := arg(f.Near[1])
		p := fmt.Sprintf("ST_SetSRID(ST_MakePoint(%s, %s), 4326)", arg(f.Near[0]), lat)
		radius := arg(f.RadiusM)
		where = append(where, withinMetres("r.geom", p, lat, radius))
		order = fmt.Sprintf("r.geom <-> %s, r.id", p)
	}
	if len(f.Categories) > 0 {
		where = append(where, "r.categories && "+arg(f.Categories)+"::text[]")
	}
	if len(f.Statuses) > 0 {
		where = append(where, "r.status = ANY("+arg(f.Statuses)+")")
	}
	if len(f.Open311) > 0 {
		where = append(where, "(CASE WHEN r.status = 'resolved' OR r.action_status = 'done' THEN 'closed' ELSE 'open' END) = ANY("+arg(f.Open311)+")")
	}
	if len(f.IDs) > 0 {
		where = append(where, "r.id = ANY("+arg(f.IDs)+"::uuid[])")
	}
	if !f.From.IsZero() {
		where = append(where, "r.created_at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "r.created_at <= "+arg(f.To))
	}
	q := `SELECT ` + publicColumns + ` FROM public_report r`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q += fmt.Sprintf(" ORDER BY %s LIMIT %d", order, limit)
	return q, args
}

// ModerationQueue returns received reports in the caller's municipalities, oldest
// first.
func (db *DB) ModerationQueue(ctx context.Context, limit int) ([]trygg.Report, error) {
	var rs []trygg.Report
	err := db.inTx(ctx, "read moderation queue", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+reportColumns+` FROM scoped_report r
			WHERE r.status = 'received' ORDER BY r.created_at, r.id LIMIT $1`, limit)
		if err != nil {
			return wrap(err, "read moderation queue")
		}
		rs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (trygg.Report, error) { return scanReport(r) })
		if err != nil {
			return wrap(err, "read moderation queue")
		}
		return staffPhotos(ctx, tx, rs)
	})
	return rs, err
}

// Moderation is a moderator's decision on a report.
type Moderation struct {
	Action      string // publish, reject, edit, resolve
	Reason      string // for reject (shown to staff), or a note
	Description *string
	Category    *string
	Categories  []string // nil: unchanged (a new Category alone moves to the front of them)
}

// Moderate applies a decision to a report in the caller's scope: publish, reject (with
// a reason), resolve, or edit the public text or category (the original text stays
// for staff). It records the status history and the audit log.
func (db *DB) Moderate(ctx context.Context, id string, m Moderation) (trygg.Report, error) {
	if !isUUID(id) {
		return trygg.Report{}, trygg.Errorf(trygg.ENOTFOUND, "id", "no report has id %q", id)
	}
	err := db.inTx(ctx, "moderate report", func(tx pgx.Tx) error { return moderateTx(ctx, tx, id, m) })
	if err != nil {
		return trygg.Report{}, err
	}
	return db.Report(ctx, id)
}

// moderateTx is one report's decision in tx: the single and the bulk path share it, so
// each report gets the same checks, status history and audit entry.
func moderateTx(ctx context.Context, tx pgx.Tx, id string, m Moderation) error {
	{
		before, err := scanReport(tx.QueryRow(ctx, `SELECT `+reportColumns+` FROM report r WHERE r.id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return trygg.Errorf(trygg.ENOTFOUND, "id", "no report has id %q", id)
		}
		if err != nil {
			return wrap(err, "read report")
		}
		// A police area serves the municipality but moderates nothing for it: moderation
		// is the kommun's own (no role of one organisation acts for another).
		if c := trygg.CallerFrom(ctx); c != nil && c.User.ID != "" &&
			(c.User.Organisation.Kind != trygg.OrgMunicipality || !c.Serves(before.Municipality)) {
			return trygg.Errorf(trygg.EFORBIDDEN, "id", "reports are moderated by staff of municipality %s", before.Municipality)
		}
		// Planners publish (and moderate) staff's own reports, EST incidents and
		// police-sourced ones; residents' reports are the moderators'.
		if c := trygg.CallerFrom(ctx); c.Can(trygg.RolePlanner) && !trygg.StaffSourced(before.Source) {
			return trygg.Errorf(trygg.EFORBIDDEN, "id", "a planner moderates EST incidents and police reports; %s reports are moderated by moderators", before.Source)
		}
		status := before.Status
		switch m.Action {
		case "publish":
			status = trygg.StatusPublished
		case "reject":
			status = trygg.StatusRejected
		case "resolve":
			status = trygg.StatusResolved
		}
		var reason *string
		if m.Action == "reject" {
			reason = &m.Reason
		}
		_, err = tx.Exec(ctx, `UPDATE report SET status = $2, reject_reason = coalesce($3, reject_reason),
				public_description = coalesce($4, public_description), category = coalesce($5, category),
				categories = coalesce($6, categories), updated_at = now()
			WHERE id = $1`, id, status, reason, m.Description, m.Category, nilIfNone(m.Categories))
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23503" {
			if pgErr.ConstraintName == "report_categories_fkey" && m.Categories != nil {
				return trygg.Errorf(trygg.EINVALID, "categories", "unknown category in %q", m.Categories)
			}
			return trygg.Errorf(trygg.EINVALID, "category", "unknown category %q", deref(m.Category))
		}
		if err != nil {
			return wrap(err, "moderate report")
		}
		c := trygg.CallerFrom(ctx)
		var actorID *string
		actor := "system"
		if c != nil && c.User.ID != "" {
			actorID, actor = &c.User.ID, c.User.Email
		}
		if status != before.Status || m.Action == "edit" {
			if _, err := tx.Exec(ctx, `INSERT INTO report_status (report_id, status, actor_id, actor, note)
				VALUES ($1, $2, $3, $4, nullif($5, ''))`, id, status, actorID, actor, m.Reason); err != nil {
				return wrap(err, "record status")
			}
		}
		if status != before.Status && (status == trygg.StatusPublished || status == trygg.StatusRejected) {
			if err := queueMail(ctx, tx, `SELECT mail_report_moderated($1)`, id); err != nil {
				return err
			}
		}
		after, err := scanReport(tx.QueryRow(ctx, `SELECT `+reportColumns+` FROM report r WHERE r.id = $1`, id))
		if err != nil {
			return wrap(err, "read report")
		}
		return audit(ctx, tx, "report."+m.Action, "report", id, []string{before.Municipality}, auditView(before), auditView(after))
	}
}

// auditView is what the audit log keeps of a report: no contact data.
func auditView(r trygg.Report) map[string]any {
	return map[string]any{"status": r.Status, "category": r.Category, "categories": r.Categories, "public_description": r.PublicDescription,
		"reject_reason": r.RejectReason}
}

// ConfirmReport adds a "me too" to a public report and returns its count, or ENOTFOUND.
// limits are taken in the same round trip (refused: *LimitError).
func (db *DB) ConfirmReport(ctx context.Context, id string, limits ...Limit) (int, error) {
	if !isUUID(id) {
		return 0, trygg.Errorf(trygg.ENOTFOUND, "id", "no report has id %q", id)
	}
	var n *int
	err := db.limited(ctx, rateChecks(limits), `SELECT confirm_report($1)`, []any{id}, func(row pgx.Row) error { return row.Scan(&n) })
	if isLimit(err) {
		return 0, err
	}
	if err != nil {
		return 0, wrap(err, "confirm report")
	}
	if n == nil {
		return 0, trygg.Errorf(trygg.ENOTFOUND, "id", "no published report has id %q", id)
	}
	return *n, nil
}

// EraseReport deletes a report and its personal data given the hash of its erasure
// token, and redacts the audit log's copies of its text in the same transaction
// (erase_report, migration 00015); a wrong token or unknown id is ENOTFOUND.
func (db *DB) EraseReport(ctx context.Context, id string, erasureHash []byte) error {
	if !isUUID(id) {
		return trygg.Errorf(trygg.ENOTFOUND, "id", "no report has id %q", id)
	}
	var ok bool
	if err := db.pool.QueryRow(ctx, `SELECT erase_report($1, $2)`, id, erasureHash).Scan(&ok); err != nil {
		return wrap(err, "erase report")
	}
	if !ok {
		return trygg.Errorf(trygg.ENOTFOUND, "id", "no report with this id and erasure token")
	}
	return nil
}

// Retention deletes contact data older than contactAge (and expired idempotency keys
// and sign-in failures) and returns how many contact records went.
func (db *DB) Retention(ctx context.Context, contactAge time.Duration) (int64, error) {
	var n int64
	err := db.pool.QueryRow(ctx, `SELECT retention($1::interval)`, contactAge).Scan(&n)
	return n, wrap(err, "retention")
}

// ReporterStatus is what the holder of a report's erasure token may see of it before
// it is public.
type ReporterStatus struct {
	ID           string             `json:"id"`
	Municipality string             `json:"municipality"`
	Status       string             `json:"status"`
	CreatedAt    time.Time          `json:"created_at"`
	UpdatedAt    time.Time          `json:"updated_at"`
	PlaceLabel   *string            `json:"place_label"`
	Categories   []string           `json:"categories"`
	Geometry     json.RawMessage    `json:"geometry,omitempty"` // GeoJSON of the public (coarsened) position
	ShortCode    string             `json:"short_code"`         // trygg.ShortCode
	Steps        []trygg.ReportStep `json:"steps"`
	Photos       []trygg.Photo      `json:"photos"`
}

// ReportForReporter returns the status of a report given the hash of its erasure
// token, or ENOTFOUND.
func (db *DB) ReportForReporter(ctx context.Context, id string, erasureHash []byte) (ReporterStatus, error) {
	var s ReporterStatus
	if !isUUID(id) {
		return s, trygg.Errorf(trygg.ENOTFOUND, "id", "no report has id %q", id)
	}
	var g []byte
	err := db.pool.QueryRow(ctx, `SELECT id, municipality_code, status, created_at, updated_at, place_label, categories,
			ST_AsBinary(public_geom)
		FROM report_for_reporter($1, $2)`, id, erasureHash).Scan(&s.ID, &s.Municipality, &s.Status, &s.CreatedAt, &s.UpdatedAt,
		&s.PlaceLabel, &s.Categories, &g)
	s.ShortCode = trygg.ShortCode(s.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, trygg.Errorf(trygg.ENOTFOUND, "id", "no report with this id and erasure token")
	}
	if err != nil {
		return s, wrap(err, "read report for reporter")
	}
	if loc, err := wkb.Unmarshal(g); err == nil {
		s.Geometry, _ = json.Marshal(geojson.NewGeometry(loc))
	}
	photos, err := db.PublicPhotos(ctx, []string{s.ID}, erasureHash)
	s.Photos = photos[s.ID]
	return s, err
}

// ReportIDByCode returns the id of the report whose short code (trygg.ShortCode) is
// code: ENOTFOUND for none, ECONFLICT when two reports share it (the link still works).
func (db *DB) ReportIDByCode(ctx context.Context, code string) (string, error) {
	first, last, err := trygg.ParseShortCode(code)
	if err != nil {
		return "", err
	}
	rows, err := db.pool.Query(ctx, `SELECT id::text FROM report_ids_in_range($1::uuid, $2::uuid) AS id`, first, last)
	if err != nil {
		return "", wrap(err, "find report by code")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", wrap(err, "find report by code")
	}
	switch len(ids) {
	case 0:
		return "", trygg.Errorf(trygg.ENOTFOUND, "code", "no report has the code %s", code)
	case 1:
		return ids[0], nil
	}
	return "", trygg.Errorf(trygg.ECONFLICT, "code", "two reports share the code %s: use the follow-up link", code)
}

// ReportSteps returns the days of a report's steps (trygg.ReportStep) for its status
// page: a public report's for anyone, and with the hash of its erasure token (else nil)
// the reporter's own, with a rejection's reason. None for a report one may not see.
func (db *DB) ReportSteps(ctx context.Context, id string, erasureHash []byte) ([]trygg.ReportStep, error) {
	if !isUUID(id) {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT step, day, coalesce(reason, '') FROM report_steps($1, $2)`, id, erasureHash)
	if err != nil {
		return nil, wrap(err, "read report steps")
	}
	steps, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (trygg.ReportStep, error) {
		var s trygg.ReportStep
		err := row.Scan(&s.Step, &s.Date.Time, &s.Reason)
		return s, err
	})
	return steps, wrap(err, "read report steps")
}
