package postgis

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/trygg-gis/trygg"
)

// The outbox of e-mails to reporters (migration 32). Changes queue their mails in their
// own transaction through SECURITY DEFINER functions that write a row only when the
// session has mail on (Options.Mail) and the report has a contact e-mail; a sender
// (package mail) takes them one at a time with SendNextMail.

// queueMail runs one of the mail_* queueing functions in the change's transaction.
func queueMail(ctx context.Context, tx pgx.Tx, sql string, args ...any) error {
	var queued bool
	return wrap(tx.QueryRow(ctx, sql, args...).Scan(&queued), "queue mail")
}

// OutboxMail is a queued mail with what rendering it needs.
type OutboxMail struct {
	ID           int64
	ReportID     string
	Kind         string // receipt, published, rejected, planned, done
	Lang         string // the report's language (trygg.Languages)
	Body         string // the moderator's reason (rejected) or the action's feedback (done)
	Erasure      string // a receipt's erasure token, for the follow-up link
	Attempts     int    // attempts before this one
	CreatedAt    time.Time
	Email        string // the reporter's address read now; "" when it is gone
	Token        string // the unsubscribe token; "" once unsubscribed
	Municipality string // the municipality's name
	PlaceLabel   string // "vid Vara resecentrum", or ""
}

// MailOutcome is what became of one attempt to send an OutboxMail.
type MailOutcome struct {
	Sent    bool
	Error   string        // why not
	RetryIn time.Duration // when to try again, unless GiveUp
	GiveUp  bool          // a permanent refusal, too many attempts, no address
}

// SendNextMail claims the next due mail (FOR UPDATE SKIP LOCKED, so senders in other
// processes take other rows), calls send with it while holding the row's lock, and
// records send's outcome in the same transaction: a mail marked sent is never sent
// again, and one whose mark did not commit (the process died after the SMTP server
// accepted it) is sent again. It returns false when no mail was due.
func (db *DB) SendNextMail(ctx context.Context, send func(context.Context, OutboxMail) MailOutcome) (bool, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return false, wrap(err, "begin mail")
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	var m OutboxMail
	var erasure, email, token, place *string
	err = tx.QueryRow(ctx, `SELECT id, report_id::text, kind, lang, body, erasure, attempts, created_at,
			email, token, municipality, place_label FROM mail_claim()`).
		Scan(&m.ID, &m.ReportID, &m.Kind, &m.Lang, &m.Body, &erasure, &m.Attempts, &m.CreatedAt,
			&email, &token, &m.Municipality, &place)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, wrap(err, "claim mail")
	}
	m.Erasure, m.Email, m.Token, m.PlaceLabel = deref(erasure), deref(email), deref(token), deref(place)
	out := send(ctx, m)
	var ok bool
	if out.Sent {
		err = tx.QueryRow(ctx, `SELECT mail_sent($1)`, m.ID).Scan(&ok)
	} else {
		err = tx.QueryRow(ctx, `SELECT mail_failed($1, $2, $3::interval, $4)`, m.ID, out.Error, out.RetryIn, out.GiveUp).Scan(&ok)
	}
	if err != nil {
		return true, wrap(err, "mark mail")
	}
	return true, wrap(tx.Commit(ctx), "commit mail")
}

// MailPending returns how many mails wait to be sent, and deletes sent and given-up
// rows older than keep.
func (db *DB) MailPending(ctx context.Context, keep time.Duration) (int64, error) {
	var n int64
	err := db.pool.QueryRow(ctx, `SELECT mail_pending($1::interval)`, keep).Scan(&n)
	return n, wrap(err, "count pending mail")
}

// Unsubscribe finds the report of an unsubscribe token (from a mail) and, with apply,
// stops its mails: unsent ones are deleted and the contact e-mail goes. It returns the
// report's language and whether it was already unsubscribed; ENOTFOUND for an unknown
// token (or a report since erased).
func (db *DB) Unsubscribe(ctx context.Context, token string, apply bool) (lang string, already bool, err error) {
	if token == "" || len(token) > 100 {
		return "", false, trygg.Errorf(trygg.ENOTFOUND, "token", "this unsubscribe link is not valid")
	}
	err = db.pool.QueryRow(ctx, `SELECT lang, already FROM mail_unsubscribe($1, $2)`, token, apply).Scan(&lang, &already)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, trygg.Errorf(trygg.ENOTFOUND, "token", "this unsubscribe link is not valid (the report may have been erased)")
	}
	return lang, already, wrap(err, "unsubscribe")
}
