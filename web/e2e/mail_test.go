package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/trygg-gis/trygg/api"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/mail"
	"github.com/trygg-gis/trygg/mail/mailtest"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// TestMailBrowser: a resident reports in English with an e-mail address through the web
// form; the server's sender (mail on, an in-process SMTP server) mails the receipt in
// English; its follow-up link opens the status page as the reporter's ("Your report"),
// and its unsubscribe link asks, then stops the mails (mail.mjs). The SMTP server's
// messages are served to the script as JSON.
func TestMailBrowser(t *testing.T) {
	b := needBrowser(t)
	ctx := context.Background()
	owner, url := pgtest.Open(t)
	if err := demo.Load(ctx, owner, nil); err != nil {
		t.Fatal(err)
	}
	if err := demo.LoadGazetteer(ctx, owner, nil); err != nil {
		t.Fatal(err)
	}
	db := appDB(t, url, postgis.Options{Mail: true})
	smtpSrv := mailtest.Start(t)
	cfg, err := mail.ParseSMTP(smtpSrv.URL(), "Trygg Vara <no-reply@vara.example.se>")
	if err != nil {
		t.Fatal(err)
	}
	log := testLog(t)
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	worker := mail.NewWorker(db, mail.NewSMTP(cfg, log), log, mail.Options{BaseURL: base, Domain: cfg.Domain(), Poll: 200 * time.Millisecond})
	opts := api.DefaultOptions()
	opts.PublicURL, opts.Mail = base, worker
	srv.Config.Handler = api.New(db, log, opts)
	srv.Start()
	t.Cleanup(srv.Close)
	runCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	go worker.Run(runCtx)

	type message struct {
		To              []string `json:"to"`
		Subject         string   `json:"subject"`
		Text            string   `json:"text"`
		HTML            string   `json:"html"`
		ListUnsubscribe string   `json:"list_unsubscribe"`
	}
	inbox := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var out []message
		for _, m := range smtpSrv.Messages() {
			out = append(out, message{m.To, m.Subject(), m.Text, m.HTML, m.Header.Get("List-Unsubscribe")})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out) //nolint:errcheck
	}))
	t.Cleanup(inbox.Close)

	b.run(t, 3*time.Minute, "mail.mjs", []string{base, b.out, inbox.URL})
	// After unsubscribing, the report has no e-mail address and no mail waits.
	var n int
	if err := pgtest.Conn(t, url).QueryRow(ctx, `SELECT count(*) FROM report_contact WHERE email IS NOT NULL`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d contact e-mails left after unsubscribing (%v)", n, err)
	}
	if ms := smtpSrv.Messages(); len(ms) != 1 {
		t.Errorf("%d messages, want the receipt alone", len(ms))
	}
}
