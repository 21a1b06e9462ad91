package mail

import (
	"strings"
	"testing"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

const testID = "0b9f7c5e-1d2a-4c3b-9e8f-7a6b5c4d3e2f"

// Every language has every text, and every kind renders in it with the code, the links
// and, for a rejection and a done action, the reason or the feedback.
func TestRenderEveryLanguage(t *testing.T) {
	if len(catalogue) != len(trygg.Languages) {
		t.Errorf("%d languages of mail, want %v", len(catalogue), trygg.Languages)
	}
	for _, lang := range trygg.Languages {
		tx, ok := catalogue[lang]
		if !ok {
			t.Errorf("no mail texts in %s", lang)
			continue
		}
		for _, s := range []string{tx.Greeting, tx.Reason, tx.Feedback, tx.Code, tx.Place, tx.Kommun, tx.Link, tx.Secret,
			tx.Why, tx.Unsub, tx.Sign, tx.PageTitle, tx.PageAsk, tx.PageButton, tx.PageDone, tx.PageAlready} {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: an empty text", lang)
			}
		}
		for _, kind := range Kinds {
			if !strings.Contains(tx.Subject[kind], "{code}") || tx.Lead[kind] == "" {
				t.Errorf("%s %s: subject %q (want {code}), lead %q", lang, kind, tx.Subject[kind], tx.Lead[kind])
			}
			m := postgis.OutboxMail{ID: 7, ReportID: testID, Kind: kind, Lang: lang, Body: "Texten <b>här</b>",
				Erasure: "tre_abc-_DEF", Token: "tok123", Municipality: "Vara", PlaceLabel: "vid Vara resecentrum"}
			r, err := Render(m, "https://trygg.example.se/")
			if err != nil {
				t.Fatalf("%s %s: %v", lang, kind, err)
			}
			code := trygg.ShortCode(testID)
			if !strings.Contains(r.Subject, code) || !strings.Contains(r.Text, code) || !strings.Contains(r.HTML, code) {
				t.Errorf("%s %s: no code %s", lang, kind, code)
			}
			follow := "https://trygg.example.se/rapport/" + testID
			if kind == "receipt" {
				follow += "#t=tre_abc-_DEF"
			}
			if r.FollowUpURL != follow || !strings.Contains(r.Text, follow+"\n") || !strings.Contains(r.HTML, `href="`+follow+`"`) {
				t.Errorf("%s %s: follow-up %q, want %q", lang, kind, r.FollowUpURL, follow)
			}
			if kind != "receipt" && strings.Contains(r.Text+r.HTML, "tre_") {
				t.Errorf("%s %s: the erasure token outside the receipt", lang, kind)
			}
			if r.UnsubscribeURL != "https://trygg.example.se/api/v1/mail/unsubscribe?token=tok123" || !strings.Contains(r.Text, r.UnsubscribeURL) {
				t.Errorf("%s %s: unsubscribe %q", lang, kind, r.UnsubscribeURL)
			}
			withBody := kind == "rejected" || kind == "done"
			if strings.Contains(r.Text, "Texten <b>här</b>") != withBody {
				t.Errorf("%s %s: body shown %v, want %v", lang, kind, !withBody, withBody)
			}
			if withBody && !strings.Contains(r.HTML, "Texten &lt;b&gt;här&lt;/b&gt;") {
				t.Errorf("%s %s: the HTML does not escape the body:\n%s", lang, kind, r.HTML)
			}
			dir := `dir="ltr"`
			if lang == "ar" {
				dir = `dir="rtl"`
			}
			if !strings.Contains(r.HTML, `<html lang="`+lang+`" `+dir+`>`) {
				t.Errorf("%s %s: want %s on the html element", lang, kind, dir)
			}
			if !strings.Contains(r.Text, "vid Vara resecentrum") || !strings.Contains(r.Text, "Vara") {
				t.Errorf("%s %s: no place", lang, kind)
			}
		}
		for _, state := range []string{PageAsk, PageDone, PageAlready} {
			b, err := UnsubscribePage(lang, state, "/api/v1/mail/unsubscribe?token=x&y")
			if err != nil || !strings.Contains(string(b), `lang="`+lang+`"`) || !strings.Contains(string(b), tx.PageTitle) {
				t.Errorf("%s page %s: %v\n%s", lang, state, err, b)
			}
			if (state == PageAsk) != strings.Contains(string(b), `action="/api/v1/mail/unsubscribe?token=x&amp;y"`) {
				t.Errorf("%s page %s: the form", lang, state)
			}
		}
	}
	if _, err := Render(postgis.OutboxMail{ReportID: testID, Kind: "spam", Lang: "sv"}, "https://x"); err == nil {
		t.Error("an unknown kind rendered")
	}
	// An unknown language falls back to Swedish.
	r, err := Render(postgis.OutboxMail{ReportID: testID, Kind: "published", Lang: "de", Token: "t"}, "https://x")
	if err != nil || !strings.HasPrefix(r.Subject, "Din rapport") || !strings.Contains(r.HTML, `lang="sv"`) {
		t.Errorf("lang de: %q %v", r.Subject, err)
	}
}

func TestParseSMTP(t *testing.T) {
	c, err := ParseSMTP("smtp://mail.example.se", "Trygg <no-reply@vara.se>")
	if err != nil || c.Host != "mail.example.se" || c.Port != 587 || c.Implicit || c.User != "" || c.Domain() != "vara.se" || c.From.Name != "Trygg" {
		t.Errorf("smtp: %+v %v", c, err)
	}
	c, err = ParseSMTP("smtps://u%40x:p%3Aw@mail.example.se", "no-reply@vara.se")
	if err != nil || c.Port != 465 || !c.Implicit || c.User != "u@x" || c.Password != "p:w" {
		t.Errorf("smtps: %+v %v", c, err)
	}
	c, err = ParseSMTP("smtp://127.0.0.1:2525", "a@b.se")
	if err != nil || c.Port != 2525 || c.Host != "127.0.0.1" {
		t.Errorf("port: %+v %v", c, err)
	}
	for _, bad := range [][2]string{{"http://mail.example.se", "a@b.se"}, {"smtp://", "a@b.se"}, {"smtp://h:99999", "a@b.se"},
		{"smtp://h/path", "a@b.se"}, {"smtp://h?x=1", "a@b.se"}, {"smtp://h", ""}, {"smtp://h", "not an address"}, {"::", "a@b.se"}} {
		if _, err := ParseSMTP(bad[0], bad[1]); err == nil {
			t.Errorf("ParseSMTP(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func TestBackoff(t *testing.T) {
	w := NewWorker(nil, nil, nil, Options{Backoff: time.Minute, MaxBackoff: time.Hour})
	prev := time.Duration(0)
	for a := range 10 {
		d := w.backoff(a)
		want := min(time.Minute<<a, time.Hour)
		if d > want || d < want*4/5 {
			t.Errorf("backoff after %d failures: %v, want %v less at most a fifth", a+1, d, want)
		}
		if a < 6 && d <= prev {
			t.Errorf("backoff did not grow: %v after %v", d, prev)
		}
		prev = d
	}
	if id := MessageID(42, "vara.se"); id != "trygg-mail-42@vara.se" {
		t.Errorf("MessageID %q", id)
	}
}
