// Package mail sends the e-mails to reporters that the store's outbox holds
// (postgis.SendNextMail, migration 32): it renders each in the report's language (a
// text/plain part always, and an HTML part, right to left for Arabic), sends it over
// SMTP with github.com/wneessen/go-mail, and retries with exponential backoff.
package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// Kinds are the mails a reporter gets.
var Kinds = []string{"receipt", "published", "rejected", "planned", "done"}

// Rendered is a mail ready to send.
type Rendered struct {
	Subject        string
	Text           string // the text/plain part
	HTML           string // the text/html part
	FollowUpURL    string // the report's status page (a receipt's with the erasure token in the fragment)
	UnsubscribeURL string // GET shows a confirmation page, POST (RFC 8058 one-click too) unsubscribes
}

// view is what the templates see.
type view struct {
	T           texts
	Lang        string
	Lead        string
	Body        string
	BodyLabel   string
	Code        string
	Place       string
	Kommun      string
	FollowUp    string
	Secret      bool
	Unsubscribe string
}

var textTmpl = texttemplate.Must(texttemplate.New("text").Parse(`{{.T.Greeting}}

{{.Lead}}
{{if .Body}}
{{.BodyLabel}}: {{.Body}}
{{end}}
{{.T.Code}}: {{.Code}}
{{if .Place}}{{.T.Place}}: {{.Place}}
{{end}}{{.T.Kommun}}: {{.Kommun}}

{{.T.Link}}: {{.FollowUp}}
{{if .Secret}}{{.T.Secret}}
{{end}}
-- 
{{.T.Why}}
{{.T.Unsub}}: {{.Unsubscribe}}

{{.T.Sign}}
`))

var htmlTmpl = htmltemplate.Must(htmltemplate.New("html").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}" dir="{{.T.Dir}}">
<head><meta charset="utf-8"><title>{{.T.Sign}}</title></head>
<body dir="{{.T.Dir}}" style="font-family: sans-serif; line-height: 1.5; max-width: 40em">
<p>{{.T.Greeting}}</p>
<p>{{.Lead}}</p>
{{if .Body}}<p><strong>{{.BodyLabel}}:</strong> {{.Body}}</p>
{{end}}<p>{{.T.Code}}: <strong>{{.Code}}</strong><br>
{{if .Place}}{{.T.Place}}: {{.Place}}<br>
{{end}}{{.T.Kommun}}: {{.Kommun}}</p>
<p><a href="{{.FollowUp}}">{{.T.Link}}</a></p>
{{if .Secret}}<p><small>{{.T.Secret}}</small></p>
{{end}}<hr>
<p><small>{{.T.Why}} <a href="{{.Unsubscribe}}">{{.T.Unsub}}</a></small></p>
<p>{{.T.Sign}}</p>
</body>
</html>
`))

// Render renders m in its report's language. baseURL is the server's public URL
// (TRYGG_PUBLIC_URL) that the links are built on.
func Render(m postgis.OutboxMail, baseURL string) (Rendered, error) {
	t := textsOf(m.Lang)
	subject, ok := t.Subject[m.Kind]
	if !ok {
		return Rendered{}, fmt.Errorf("mail: unknown kind %q", m.Kind)
	}
	code := trygg.ShortCode(m.ReportID)
	if code == "" {
		return Rendered{}, fmt.Errorf("mail: report id %q is not a UUID", m.ReportID)
	}
	base := strings.TrimRight(baseURL, "/")
	v := view{T: t, Lang: m.Lang, Lead: t.Lead[m.Kind], Code: code, Place: m.PlaceLabel, Kommun: m.Municipality,
		FollowUp: base + "/rapport/" + m.ReportID, Body: strings.TrimSpace(m.Body),
		Unsubscribe: UnsubscribeURL(base, m.Token)}
	if _, ok := catalogue[m.Lang]; !ok {
		v.Lang = "sv"
	}
	switch m.Kind {
	case "rejected":
		v.BodyLabel = t.Reason
	case "done":
		v.BodyLabel = t.Feedback
	default:
		v.Body = ""
	}
	if m.Kind == "receipt" && m.Erasure != "" {
		// As the web's receipt links it (web/src/resident.js): the token in the fragment,
		// which browsers never send to the server.
		v.FollowUp += "#t=" + url.QueryEscape(m.Erasure)
		v.Secret = true
	}
	var text, html bytes.Buffer
	if err := textTmpl.Execute(&text, v); err != nil {
		return Rendered{}, fmt.Errorf("mail: render text: %w", err)
	}
	if err := htmlTmpl.Execute(&html, v); err != nil {
		return Rendered{}, fmt.Errorf("mail: render html: %w", err)
	}
	return Rendered{Subject: strings.ReplaceAll(subject, "{code}", code), Text: text.String(), HTML: html.String(),
		FollowUpURL: v.FollowUp, UnsubscribeURL: v.Unsubscribe}, nil
}

// UnsubscribePath is the route of the unsubscribe link.
const UnsubscribePath = "/api/v1/mail/unsubscribe"

// UnsubscribeURL is the unsubscribe link of token on the server at base.
func UnsubscribeURL(base, token string) string {
	return strings.TrimRight(base, "/") + UnsubscribePath + "?token=" + url.QueryEscape(token)
}

// Unsubscribe page states.
const (
	PageAsk     = "ask"     // GET: what the button does
	PageDone    = "done"    // POST: unsubscribed
	PageAlready = "already" // POST or GET: unsubscribed before
)

var pageTmpl = htmltemplate.Must(htmltemplate.New("page").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}" dir="{{.T.Dir}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.T.PageTitle}} – Trygg</title>
<style>body{font-family:system-ui,sans-serif;line-height:1.5;max-width:36em;margin:2em auto;padding:0 1em}
button{font:inherit;min-height:44px;padding:.5em 1.2em;cursor:pointer}</style></head>
<body>
<main>
<h1>{{.T.PageTitle}}</h1>
{{if eq .State "ask"}}<p>{{.T.PageAsk}}</p>
<form method="post" action="{{.Action}}"><button type="submit" data-testid="unsubscribe">{{.T.PageButton}}</button></form>
{{else if eq .State "done"}}<p role="status" data-testid="unsubscribed">{{.T.PageDone}}</p>
{{else}}<p role="status" data-testid="unsubscribed">{{.T.PageAlready}}</p>
{{end}}<p><a href="/">Trygg</a></p>
</main>
</body>
</html>
`))

// UnsubscribePage is the HTML page of the unsubscribe link in lang: the question and its
// button (state PageAsk, posting to action), or what was done.
func UnsubscribePage(lang, state, action string) ([]byte, error) {
	t := textsOf(lang)
	if _, ok := catalogue[lang]; !ok {
		lang = "sv"
	}
	var b bytes.Buffer
	err := pageTmpl.Execute(&b, struct {
		T                   texts
		Lang, State, Action string
	}{t, lang, state, action})
	return b.Bytes(), err
}
