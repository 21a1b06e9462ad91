package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/mail/mailtest"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

// TestServeSendsMail: trygg serve with TRYGG_SMTP_URL and TRYGG_MAIL_FROM runs the
// sender: a report with a contact e-mail gets its receipt, its links on
// TRYGG_PUBLIC_URL, from TRYGG_MAIL_FROM.
func TestServeSendsMail(t *testing.T) {
	owner, url := pgtest.Open(t)
	if err := demo.Load(context.Background(), owner, nil); err != nil {
		t.Fatal(err)
	}
	smtpSrv := mailtest.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs, out := &syncBuffer{}, &syncBuffer{}
	env := map[string]string{"DATABASE_URL": url, "TRYGG_ADDR": "127.0.0.1:0", "TRYGG_SMTP_URL": smtpSrv.URL(),
		"TRYGG_MAIL_FROM": "Trygg <no-reply@vara.example.se>", "TRYGG_PUBLIC_URL": "https://trygg.vara.example.se"}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"trygg", "serve"}, envOf(env), out, logs) }()
	base := "http://" + waitListening(t, logs, done)
	waitReady(t, base)

	resp, err := http.Post(base+"/api/v1/reports", "application/json", strings.NewReader(
		`{"location":{"type":"Point","coordinates":[13.1,58.26]},"category":"belysning","feeling":2,"lang":"en","contact":{"email":"anna@example.se"}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	ms := smtpSrv.Wait(1, 20*time.Second)
	if m := ms[0]; m.To[0] != "anna@example.se" || m.From != "no-reply@vara.example.se" ||
		!strings.HasPrefix(m.Subject(), "Thank you for your report") || !strings.Contains(m.Text, "https://trygg.vara.example.se/rapport/") {
		t.Errorf("receipt: to %v from %s %q\n%s", m.To, m.From, m.Subject(), m.Text)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return")
	}
	if !strings.Contains(logs.String(), "mail: sent") {
		t.Errorf("no log line of the mail: %s", logs)
	}
}
