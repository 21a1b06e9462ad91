package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/mail"
	"github.com/trygg-gis/trygg/mail/mailtest"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

const mailBase = "https://trygg.example.se"

// newMailEnv is newEnv with mail on (postgis.Options.Mail, as TRYGG_SMTP_URL sets it)
// or off, and no report rate limit. No sender runs: tests start one with mailWorker.
func newMailEnv(t *testing.T, on bool) *env {
	return newEnv(t, func(o *api.Options, d *postgis.Options) {
		o.ReportRate = api.Rate{}
		o.PublicURL = mailBase
		d.Mail = on
	})
}

// mailWorker is a sender on a pool of its own, as a server (re)started with
// TRYGG_SMTP_URL would have, sending to smtpURL with short backoffs.
func (e *env) mailWorker(t *testing.T, smtpURL string) *mail.Worker {
	t.Helper()
	db, err := postgis.Open(context.Background(), e.url, postgis.Options{Role: postgis.AppRole, Mail: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	cfg, err := mail.ParseSMTP(smtpURL, "Trygg Vara <no-reply@vara.example.se>")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Timeout = 5 * time.Second
	return mail.NewWorker(db, mail.NewSMTP(cfg, nil), nil, mail.Options{BaseURL: mailBase, Domain: cfg.Domain(),
		Backoff: 300 * time.Millisecond, MaxBackoff: time.Second, MaxAttempts: 5})
}

// drain sends every due mail and returns how many it handled.
func drain(t *testing.T, w *mail.Worker) int {
	t.Helper()
	n := 0
	for {
		found, err := w.SendOne(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !found {
			return n
		}
		n++
	}
}

// outbox counts the outbox rows matching where, as the owner.
func (e *env) outbox(t *testing.T, where string, args ...any) int {
	t.Helper()
	var n int
	if err := pgtest.Conn(t, e.url).QueryRow(context.Background(), `SELECT count(*) FROM mail_outbox WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func withContact(email, lang string) string {
	s := `"description":"Mörk passage","contact":{"email":"` + email + `"}`
	if lang != "" {
		s += `,"lang":"` + lang + `"`
	}
	return report(s)
}

// byRecipient groups messages by their recipient, in order of arrival.
func byRecipient(ms []mailtest.Message) map[string][]mailtest.Message {
	out := map[string][]mailtest.Message{}
	for _, m := range ms {
		for _, to := range m.To {
			out[to] = append(out[to], m)
		}
	}
	return out
}

// TestMailSequence: a reporter with an e-mail address gets a receipt (the follow-up
// link with the erasure token, the short code), a notice when the report is published
// (also by bulk moderation) or rejected (with the reason), when an action is planned
// and when it is done (with the feedback), each in the report's language, with
// List-Unsubscribe, a Message-ID from the outbox row and no staff names or addresses.
// Every mail is queued with its change while no sender runs: a sender started
// afterwards on a new pool (a restart) sends each exactly once, and another after it
// finds nothing.
func TestMailSequence(t *testing.T) {
	e := newMailEnv(t, true)
	e.addUser(t, trygg.RoleModerator, "kommun-1470")
	e.addUser(t, trygg.RolePlanner, "kommun-1470")
	mod := e.signIn(t, "moderator@kommun-1470.demo.trygg.se")
	planner := e.signIn(t, "planner@kommun-1470.demo.trygg.se")
	public := e.client()
	smtpSrv := mailtest.Start(t)

	a := submit(t, public, withContact("anna@example.se", ""), "Idempotency-Key", "mail-a")
	if again := submit(t, public, withContact("anna@example.se", ""), "Idempotency-Key", "mail-a"); again.ID != a.ID || !a.ReceiptMailed || !again.ReceiptMailed {
		t.Fatalf("the replay: %+v, first %+v; want the same report, a receipt mailed", again, a)
	}
	b := submit(t, public, withContact("bo@example.se", "en"))
	c := submit(t, public, withContact("chadi@example.se", "ar"))
	d := submit(t, public, withContact("dahir@example.se", "so"))
	f := submit(t, public, withContact("fanni@example.se", "fi"))
	phoneOnly := submit(t, public, report(`"contact":{"phone":"070-123 45 67"}`))
	none := submit(t, public, report(``))
	if phoneOnly.ReceiptMailed || none.ReceiptMailed {
		t.Error("receipt_mailed without an e-mail address")
	}

	resp, body := mod.do(t, "POST", "/api/v1/reports/"+a.ID+"/moderation", map[string]string{"action": "publish"})
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = mod.do(t, "POST", "/api/v1/reports/"+a.ID+"/moderation", map[string]any{"action": "edit", "description": "Mörk passage vid skolan"})
	wantStatus(t, resp, body, http.StatusOK) // an edit is no new notice
	const reason = "Platsen ligger utanför kommunens mark."
	resp, body = mod.do(t, "POST", "/api/v1/reports/"+b.ID+"/moderation", map[string]string{"action": "reject", "reason": reason})
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = mod.do(t, "POST", "/api/v1/moderation/bulk", map[string]any{"action": "publish", "ids": []string{c.ID, phoneOnly.ID, none.ID}})
	wantStatus(t, resp, body, http.StatusOK)

	resp, body = planner.do(t, "POST", "/api/v1/actions", map[string]any{"report_id": a.ID,
		"description": "Byt armaturer längs gångvägen", "owner_text": "Gatuchef Greta Gatusson"})
	wantStatus(t, resp, body, http.StatusCreated)
	var act struct{ ID string }
	json.Unmarshal(body, &act) //nolint:errcheck
	resp, body = planner.do(t, "PATCH", "/api/v1/actions/"+act.ID, map[string]any{"status": "in_progress"})
	wantStatus(t, resp, body, http.StatusOK) // no new notice
	const feedback = "Nya lampor sitter uppe sedan i fredags."
	resp, body = planner.do(t, "PATCH", "/api/v1/actions/"+act.ID, map[string]any{"status": "done", "feedback": feedback})
	wantStatus(t, resp, body, http.StatusOK)

	// a: receipt, published, planned, done; b: receipt, rejected; c: receipt, published; d, f: receipt.
	if n := e.outbox(t, `sent_at IS NULL`); n != 10 {
		t.Fatalf("%d mails queued, want 10", n)
	}
	if n := e.outbox(t, `report_id = ANY($1::uuid[])`, []string{phoneOnly.ID, none.ID}); n != 0 {
		t.Errorf("%d mails queued for reports without an e-mail address", n)
	}

	// A sender (re)started after the changes sends each once; another finds nothing.
	sender := e.mailWorker(t, smtpSrv.URL())
	if n := drain(t, sender); n != 10 {
		t.Errorf("the sender handled %d mails, want 10", n)
	}
	if n := drain(t, e.mailWorker(t, smtpSrv.URL())); n != 0 {
		t.Errorf("a second sender handled %d mails, want 0", n)
	}
	ms := smtpSrv.Wait(10, 5*time.Second)
	time.Sleep(100 * time.Millisecond)
	if ms = smtpSrv.Messages(); len(ms) != 10 {
		t.Fatalf("%d messages, want 10", len(ms))
	}
	if n := e.outbox(t, `sent_at IS NOT NULL AND erasure IS NULL`); n != 10 {
		t.Errorf("%d mails marked sent without their erasure token, want 10", n)
	}

	got := byRecipient(ms)
	ids := map[string]bool{}
	for _, m := range ms {
		id := m.Header.Get("Message-Id")
		if !regexp.MustCompile(`^<trygg-mail-\d+@vara\.example\.se>$`).MatchString(id) || ids[id] {
			t.Errorf("Message-ID %q: want <trygg-mail-N@vara.example.se>, each once", id)
		}
		ids[id] = true
		if m.From != "no-reply@vara.example.se" || !strings.Contains(m.Header.Get("From"), "no-reply@vara.example.se") {
			t.Errorf("from %q / %q", m.From, m.Header.Get("From"))
		}
		if m.Text == "" || m.HTML == "" {
			t.Errorf("%q: text %d bytes, html %d bytes: want both parts", m.Subject(), len(m.Text), len(m.HTML))
		}
		lu := m.Header.Get("List-Unsubscribe")
		if !strings.HasPrefix(lu, "<"+mailBase+mail.UnsubscribePath+"?token=") || m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe %q, -Post %q", lu, m.Header.Get("List-Unsubscribe-Post"))
		}
		if !strings.Contains(m.Text, strings.Trim(lu, "<>")) {
			t.Errorf("%q: the body has no unsubscribe link %s", m.Subject(), lu)
		}
		// No other person's data: not the moderator's or planner's address, nor the
		// action's owner or description (staff text), nor another reporter's address.
		for _, bad := range []string{"demo.trygg.se", "Greta", "Byt armaturer", "moderator@", "planner@"} {
			if strings.Contains(string(m.Raw), bad) {
				t.Errorf("%q to %v holds %q", m.Subject(), m.To, bad)
			}
		}
		for _, other := range []string{"anna@", "bo@", "chadi@", "dahir@", "fanni@"} {
			if !strings.HasPrefix(m.To[0], other) && strings.Contains(string(m.Raw), other) {
				t.Errorf("the mail to %v names %s", m.To, other)
			}
		}
	}

	anna := got["anna@example.se"]
	if len(anna) != 4 {
		t.Fatalf("anna got %d mails, want 4 (receipt, published, planned, done)", len(anna))
	}
	code := trygg.ShortCode(a.ID)
	want := []struct{ subject, text string }{
		{"Tack för din rapport " + code, mailBase + "/rapport/" + a.ID + "#t=" + a.Erasure},
		{"Din rapport " + code + " är publicerad", mailBase + "/rapport/" + a.ID + "\n"},
		{"En åtgärd är planerad för din rapport " + code, "planerat en åtgärd"},
		{"Åtgärden för din rapport " + code + " är klar", "Återkoppling: " + feedback},
	}
	for i, w := range want {
		m := anna[i]
		if m.Subject() != w.subject || !strings.Contains(m.Text, w.text) || !strings.Contains(m.Text, "Din kod: "+code) {
			t.Errorf("anna's mail %d: subject %q, want %q; text containing %q:\n%s", i, m.Subject(), w.subject, w.text, m.Text)
		}
		if i > 0 && strings.Contains(m.Text, a.Erasure) {
			t.Errorf("anna's mail %d holds the erasure token", i)
		}
	}
	if !strings.Contains(anna[0].HTML, `href="`+mailBase+"/rapport/"+a.ID+"#t="+a.Erasure+`"`) || !strings.Contains(anna[0].HTML, `lang="sv" dir="ltr"`) {
		t.Errorf("the receipt's HTML:\n%s", anna[0].HTML)
	}

	bo := got["bo@example.se"]
	if len(bo) != 2 || bo[0].Subject() != "Thank you for your report "+trygg.ShortCode(b.ID) ||
		bo[1].Subject() != "Your report "+trygg.ShortCode(b.ID)+" will not be published" || !strings.Contains(bo[1].Text, "Reason: "+reason) {
		t.Errorf("bo (en, rejected): %d mails %v", len(bo), subjects(bo))
	}
	chadi := got["chadi@example.se"]
	if len(chadi) != 2 || chadi[0].Subject() != "شكرًا على بلاغك "+trygg.ShortCode(c.ID) ||
		!strings.Contains(chadi[0].HTML, `dir="rtl"`) || !strings.Contains(chadi[1].Subject(), "تم نشر بلاغك") {
		t.Errorf("chadi (ar, published in bulk): %v\n%s", subjects(chadi), chadi[0].HTML)
	}
	if dahir := got["dahir@example.se"]; len(dahir) != 1 || dahir[0].Subject() != "Waad ku mahadsan tahay warbixintaada "+trygg.ShortCode(d.ID) {
		t.Errorf("dahir (so): %v", subjects(dahir))
	}
	if fanni := got["fanni@example.se"]; len(fanni) != 1 || fanni[0].Subject() != "Kiitos ilmoituksestasi "+trygg.ShortCode(f.ID) {
		t.Errorf("fanni (fi): %v", subjects(fanni))
	}

	// The report keeps its language; a bad one is refused naming the field.
	var lang string
	if err := pgtest.Conn(t, e.url).QueryRow(context.Background(), `SELECT lang FROM report WHERE id = $1`, c.ID).Scan(&lang); err != nil || lang != "ar" {
		t.Errorf("report lang %q, %v; want ar", lang, err)
	}
	resp, body = public.post(t, "/api/v1/reports", "application/json", report(`"lang":"de"`))
	wantStatus(t, resp, body, http.StatusBadRequest)
	var p api.Problem
	if json.Unmarshal(body, &p); p.Field != "lang" {
		t.Errorf("lang de: %s", body)
	}

	// The metrics count what the sender did.
	srv := newEnvWithMail(t, e, sender)
	resp2, err := http.Get(srv + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	metrics, _ := io.ReadAll(resp2.Body)
	for _, name := range []string{"trygg_mail_sent_total 10\n", `trygg_mail_failed_total{outcome="retry"} 0`, "trygg_mail_queued"} {
		if !strings.Contains(string(metrics), name) {
			t.Errorf("/metrics has no %s", name)
		}
	}
}

// newEnvWithMail serves e's database with w's metrics and returns the server's URL.
func newEnvWithMail(t *testing.T, e *env, w *mail.Worker) string {
	t.Helper()
	db, err := postgis.Open(context.Background(), e.url, postgis.Options{Role: postgis.AppRole, Mail: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	o := api.DefaultOptions()
	o.Mail = w
	srv := httptest.NewServer(api.New(db, slog.New(slog.DiscardHandler), o))
	t.Cleanup(srv.Close)
	return srv.URL
}

func subjects(ms []mailtest.Message) []string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Subject())
	}
	return s
}

// TestMailOff: without TRYGG_SMTP_URL (postgis.Options.Mail off) nothing is queued,
// whatever happens to a report with an e-mail address; its language is kept all the same.
func TestMailOff(t *testing.T) {
	e := newMailEnv(t, false)
	e.addUser(t, trygg.RoleModerator, "kommun-1470")
	mod := e.signIn(t, "moderator@kommun-1470.demo.trygg.se")
	s := submit(t, e.client(), withContact("anna@example.se", "fi"))
	if s.ReceiptMailed {
		t.Error("receipt_mailed with mail off")
	}
	resp, body := mod.do(t, "POST", "/api/v1/reports/"+s.ID+"/moderation", map[string]string{"action": "reject", "reason": "Dubblett"})
	wantStatus(t, resp, body, http.StatusOK)
	if n := e.outbox(t, `true`); n != 0 {
		t.Errorf("%d mails queued with mail off", n)
	}
	var lang string
	if err := pgtest.Conn(t, e.url).QueryRow(context.Background(), `SELECT lang FROM report WHERE id = $1`, s.ID).Scan(&lang); err != nil || lang != "fi" {
		t.Errorf("lang %q, %v", lang, err)
	}
	// And trygg_app cannot queue one itself: the functions check their callers.
	app, err := postgis.Open(context.Background(), e.url, postgis.Options{Role: postgis.AppRole, Mail: true})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	var ok bool
	for _, q := range []string{`SELECT mail_report_moderated($1)`, `SELECT mail_report_submitted($1, 'sv', 'tre_guess')`} {
		if err := app.Pool().QueryRow(context.Background(), q, s.ID).Scan(&ok); err != nil || ok {
			t.Errorf("%s as trygg_app without scope: %v, %v; want false", q, ok, err)
		}
	}
	if _, err := app.Pool().Exec(context.Background(), `SELECT mail_enqueue($1, 'receipt', '', NULL)`, s.ID); err == nil {
		t.Error("trygg_app may call mail_enqueue")
	}
	if _, err := app.Pool().Exec(context.Background(), `SELECT count(*) FROM mail_outbox`); err == nil {
		t.Error("trygg_app may read mail_outbox")
	}
	if n := e.outbox(t, `true`); n != 0 {
		t.Errorf("%d mails queued by trygg_app's own calls", n)
	}
}

// TestMailRetry: with the SMTP server down, a mail is tried again with growing waits
// (attempts, next_attempt_at, last_error) and sent once when the server is back; a
// temporary refusal (451) is retried too, a permanent one (550) given up.
func TestMailRetry(t *testing.T) {
	e := newMailEnv(t, true)
	smtpSrv := mailtest.Start(t)
	w := e.mailWorker(t, smtpSrv.URL())
	smtpSrv.Stop()
	s := submit(t, e.client(), withContact("anna@example.se", ""))

	var attempts int
	var next time.Time
	var lastErr string
	state := func() {
		t.Helper()
		if err := pgtest.Conn(t, e.url).QueryRow(context.Background(), `SELECT attempts, next_attempt_at, coalesce(last_error, '')
			FROM mail_outbox WHERE report_id = $1`, s.ID).Scan(&attempts, &next, &lastErr); err != nil {
			t.Fatal(err)
		}
	}
	if n := drain(t, w); n != 1 {
		t.Fatalf("handled %d, want 1", n)
	}
	state()
	if attempts != 1 || !next.After(time.Now()) || lastErr == "" {
		t.Fatalf("after a failure: attempts %d, next %v, error %q", attempts, next, lastErr)
	}
	first := time.Until(next)
	if n := drain(t, w); n != 0 {
		t.Errorf("retried before its time: %d", n)
	}
	waitUntil(t, next)
	if n := drain(t, w); n != 1 {
		t.Fatalf("second attempt: handled %d", n)
	}
	state()
	if attempts != 2 || time.Until(next) <= first/2 {
		t.Errorf("after two failures: attempts %d, wait %v (first %v): want it to grow", attempts, time.Until(next), first)
	}

	smtpSrv.Restart()
	waitUntil(t, next)
	if n := drain(t, w); n != 1 {
		t.Fatalf("after the server came back: handled %d", n)
	}
	smtpSrv.Wait(1, 5*time.Second)
	if n := drain(t, w); n != 0 || len(smtpSrv.Messages()) != 1 {
		t.Errorf("sent %d times, handled %d more", len(smtpSrv.Messages()), n)
	}
	if n := e.outbox(t, `sent_at IS NOT NULL AND attempts = 3`); n != 1 {
		t.Errorf("not marked sent after 3 attempts")
	}

	// 451 is temporary, 550 permanent.
	smtpSrv.Refuse(&smtp.SMTPError{Code: 451, Message: "try later"})
	s2 := submit(t, e.client(), withContact("bo@example.se", ""))
	drain(t, w)
	if n := e.outbox(t, `report_id = $1 AND attempts = 1 AND failed_at IS NULL AND sent_at IS NULL`, s2.ID); n != 1 {
		t.Error("a 451 was not kept for another attempt")
	}
	smtpSrv.Refuse(&smtp.SMTPError{Code: 550, Message: "no such user"})
	s3 := submit(t, e.client(), withContact("nobody@example.se", ""))
	pgtest.Conn(t, e.url).Exec(context.Background(), `UPDATE mail_outbox SET next_attempt_at = now() WHERE report_id = $1`, s2.ID) //nolint:errcheck
	drain(t, w)
	if n := e.outbox(t, `report_id = ANY($1::uuid[]) AND failed_at IS NOT NULL AND last_error LIKE '%550%'`, []string{s2.ID, s3.ID}); n != 2 {
		t.Errorf("%d mails given up after a 550, want 2", n)
	}
	smtpSrv.Refuse(nil)
	time.Sleep(1200 * time.Millisecond)
	if n := drain(t, w); n != 0 {
		t.Errorf("given-up mails were tried again: %d", n)
	}
	if len(smtpSrv.Messages()) != 1 {
		t.Errorf("%d messages in all, want 1", len(smtpSrv.Messages()))
	}
}

func waitUntil(t *testing.T, at time.Time) {
	t.Helper()
	if d := time.Until(at) + 50*time.Millisecond; d > 0 {
		if d > 10*time.Second {
			t.Fatalf("waiting %v", d)
		}
		time.Sleep(d)
	}
}

// TestMailConcurrentSenders: two senders on two pools (two servers) drain one outbox
// together; each mail goes out once (FOR UPDATE SKIP LOCKED).
func TestMailConcurrentSenders(t *testing.T) {
	e := newMailEnv(t, true)
	smtpSrv := mailtest.Start(t)
	const n = 12
	for i := range n {
		submit(t, e.client(), withContact("r"+string(rune('a'+i))+"@example.se", ""))
	}
	w1, w2 := e.mailWorker(t, smtpSrv.URL()), e.mailWorker(t, smtpSrv.URL())
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, w := range []*mail.Worker{w1, w2} {
		wg.Add(1)
		go func() { defer wg.Done(); counts[i] = drainQuiet(w) }()
	}
	wg.Wait()
	if counts[0]+counts[1] != n {
		t.Errorf("handled %v, want %d in all", counts, n)
	}
	ms := smtpSrv.Wait(n, 5*time.Second)
	time.Sleep(100 * time.Millisecond)
	seen := map[string]bool{}
	for _, m := range smtpSrv.Messages() {
		if seen[m.To[0]] {
			t.Errorf("%s got two mails", m.To[0])
		}
		seen[m.To[0]] = true
	}
	if len(seen) != n || len(ms) != n {
		t.Errorf("%d recipients, %d messages; want %d", len(seen), len(ms), n)
	}
}

func drainQuiet(w *mail.Worker) int {
	n := 0
	for {
		found, err := w.SendOne(context.Background())
		if err != nil || !found {
			return n
		}
		n++
	}
}

// TestMailRunsAndStops: Run sends what is queued and stops with its context.
func TestMailRunsAndStops(t *testing.T) {
	e := newMailEnv(t, true)
	smtpSrv := mailtest.Start(t)
	w := e.mailWorker(t, smtpSrv.URL())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	submit(t, e.client(), withContact("anna@example.se", "en"))
	w.Wake()
	smtpSrv.Wait(1, 10*time.Second)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// TestMailErasureAndUnsubscribe: erasing a report deletes its queued mail; the
// unsubscribe link (GET asks, changes nothing; POST, also RFC 8058's one-click, stops the
// report's mails and deletes its contact e-mail) works for anyone holding it, and for
// nobody else.
func TestMailErasureAndUnsubscribe(t *testing.T) {
	e := newMailEnv(t, true)
	e.addUser(t, trygg.RoleModerator, "kommun-1470")
	e.addUser(t, trygg.RoleModerator, "kommun-1383")
	mod := e.signIn(t, "moderator@kommun-1470.demo.trygg.se")
	other := e.signIn(t, "moderator@kommun-1383.demo.trygg.se")
	public := e.client()
	smtpSrv := mailtest.Start(t)
	w := e.mailWorker(t, smtpSrv.URL())

	// Erasure takes the queued receipt with it.
	gone := submit(t, public, withContact("erika@example.se", ""))
	if n := e.outbox(t, `report_id = $1`, gone.ID); n != 1 {
		t.Fatalf("%d queued", n)
	}
	req, _ := http.NewRequest(http.MethodDelete, e.srv.URL+"/api/v1/reports/"+gone.ID, nil)
	req.Header.Set("Erasure-Token", gone.Erasure)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("erase: %v %v", resp, err)
	}
	if n := e.outbox(t, `report_id = $1`, gone.ID); n != 0 {
		t.Errorf("%d mails of an erased report left", n)
	}
	var subs int
	if err := pgtest.Conn(t, e.url).QueryRow(context.Background(), `SELECT count(*) FROM mail_subscription WHERE report_id = $1`, gone.ID).Scan(&subs); err != nil || subs != 0 {
		t.Errorf("%d unsubscribe tokens of an erased report left (%v)", subs, err)
	}

	// Contact data deleted by retention: the queued mail is dropped at send time.
	old := submit(t, public, withContact("olle@example.se", ""))
	if _, err := pgtest.Conn(t, e.url).Exec(context.Background(), `DELETE FROM report_contact WHERE report_id = $1`, old.ID); err != nil {
		t.Fatal(err)
	}

	s := submit(t, public, withContact("ulla@example.se", "en"))
	if n := drain(t, w); n != 2 {
		t.Fatalf("handled %d, want 2", n)
	}
	ms := smtpSrv.Wait(1, 5*time.Second)
	time.Sleep(100 * time.Millisecond)
	if ms = smtpSrv.Messages(); len(ms) != 1 || ms[0].To[0] != "ulla@example.se" {
		t.Fatalf("messages %v: want only ulla's receipt", ms)
	}
	if n := e.outbox(t, `report_id = $1 AND failed_at IS NOT NULL AND erasure IS NULL`, old.ID); n != 1 {
		t.Error("the mail without an address was not given up")
	}
	link := strings.Trim(ms[0].Header.Get("List-Unsubscribe"), "<>")
	u, err := url.Parse(link)
	if err != nil || u.Path != mail.UnsubscribePath || u.Query().Get("token") == "" {
		t.Fatalf("unsubscribe link %q", link)
	}
	path := u.RequestURI()

	// Nobody without the token: 404 for a wrong one, for the public and for staff.
	for _, c := range []*client{public, other, mod} {
		resp, body := c.do(t, http.MethodGet, mail.UnsubscribePath+"?token=0123456789abcdef", nil)
		wantStatus(t, resp, body, http.StatusNotFound)
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("wrong token: %s", ct)
		}
		resp, body = c.do(t, http.MethodPost, mail.UnsubscribePath, nil)
		wantStatus(t, resp, body, http.StatusNotFound)
	}

	// GET asks in the report's language and changes nothing.
	resp, body := public.do(t, http.MethodGet, path, nil)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), `<html lang="en"`) || !strings.Contains(string(body), `<form method="post"`) ||
		!strings.Contains(string(body), "Stop e-mails") || resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("GET unsubscribe: %s", body)
	}
	var email *string
	contact := func() {
		t.Helper()
		email = nil
		pgtest.Conn(t, e.url).QueryRow(context.Background(), `SELECT email FROM report_contact WHERE report_id = $1`, s.ID).Scan(&email) //nolint:errcheck
	}
	if contact(); email == nil {
		t.Fatal("GET removed the e-mail address")
	}

	// A mail client's one-click POST (RFC 8058) unsubscribes; so does the page's form
	// posted by a browser with a staff session (no CSRF token: the link is public).
	resp, body = public.post(t, path, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click")
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), "You will get no more messages") {
		t.Errorf("POST unsubscribe: %s", body)
	}
	if contact(); email != nil {
		t.Errorf("the e-mail address %q is still there", *email)
	}
	staffForm := *mod
	staffForm.csrf = ""
	resp, body = staffForm.post(t, path, "application/x-www-form-urlencoded", "")
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(string(body), "You already get no messages") {
		t.Errorf("second POST: %s", body)
	}

	// No more mails for the report.
	resp, body = mod.do(t, "POST", "/api/v1/reports/"+s.ID+"/moderation", map[string]string{"action": "publish"})
	wantStatus(t, resp, body, http.StatusOK)
	if n := e.outbox(t, `report_id = $1 AND sent_at IS NULL`, s.ID); n != 0 {
		t.Errorf("%d mails queued after unsubscribing", n)
	}
	if n := drain(t, w); n != 0 || len(smtpSrv.Messages()) != 1 {
		t.Errorf("sent after unsubscribing: %d handled, %d messages", n, len(smtpSrv.Messages()))
	}
}

// TestMailCrashWindow is the one window in which a mail goes out twice: the SMTP server
// accepted it and the process died before the transaction marking it sent committed.
// The row's lock dies with the connection, the next sender sends it again, and with the
// same Message-ID, so the copy is recognisable.
func TestMailCrashWindow(t *testing.T) {
	e := newMailEnv(t, true)
	smtpSrv := mailtest.Start(t)
	submit(t, e.client(), withContact("anna@example.se", ""))
	ctx := context.Background()
	db, err := postgis.Open(ctx, e.url, postgis.Options{Role: postgis.AppRole, Mail: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg, err := mail.ParseSMTP(smtpSrv.URL(), "no-reply@vara.example.se")
	if err != nil {
		t.Fatal(err)
	}
	sender := mail.NewSMTP(cfg, nil)
	owner := pgtest.Conn(t, e.url)
	_, err = db.SendNextMail(ctx, func(ctx context.Context, m postgis.OutboxMail) postgis.MailOutcome {
		r, err := mail.Render(m, mailBase)
		if err == nil {
			err = sender.Send(ctx, mail.Message{To: m.Email, MessageID: mail.MessageID(m.ID, cfg.Domain()), Rendered: r})
		}
		if err != nil {
			t.Error(err)
		}
		// The process dies: its connection, and the transaction, go.
		if _, err := owner.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND state = 'idle in transaction'`); err != nil {
			t.Error(err)
		}
		return postgis.MailOutcome{Sent: true}
	})
	if err == nil {
		t.Fatal("the mark committed on a dead connection")
	}
	if n := e.outbox(t, `sent_at IS NULL AND attempts = 0`); n != 1 {
		t.Fatalf("%d unsent rows after the crash, want 1", n)
	}
	if n := drain(t, e.mailWorker(t, smtpSrv.URL())); n != 1 {
		t.Fatalf("the next sender handled %d", n)
	}
	ms := smtpSrv.Wait(2, 5*time.Second)
	if len(ms) != 2 || ms[0].Header.Get("Message-Id") != ms[1].Header.Get("Message-Id") || ms[0].Subject() != ms[1].Subject() {
		t.Errorf("copies: %d, Message-IDs %q and %q", len(ms), ms[0].Header.Get("Message-Id"), ms[1].Header.Get("Message-Id"))
	}
	if n := drain(t, e.mailWorker(t, smtpSrv.URL())); n != 0 || e.outbox(t, `sent_at IS NOT NULL`) != 1 {
		t.Errorf("after the resend: %d more handled", n)
	}
}

// TestMailTooOld: a mail not sent within a week of its change (the sender was down) is
// given up rather than sent late, and forgets its erasure token.
func TestMailTooOld(t *testing.T) {
	e := newMailEnv(t, true)
	smtpSrv := mailtest.Start(t)
	s := submit(t, e.client(), withContact("anna@example.se", ""))
	pgtest.Exec(t, e.url, `UPDATE mail_outbox SET created_at = now() - interval '8 days'`)
	if n := drain(t, e.mailWorker(t, smtpSrv.URL())); n != 1 {
		t.Fatalf("handled %d", n)
	}
	if n := e.outbox(t, `report_id = $1 AND failed_at IS NOT NULL AND erasure IS NULL AND sent_at IS NULL`, s.ID); n != 1 || len(smtpSrv.Messages()) != 0 {
		t.Errorf("an old mail: given up %d, sent %d", n, len(smtpSrv.Messages()))
	}
}
