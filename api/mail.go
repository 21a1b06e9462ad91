package api

import (
	"net/http"

	"github.com/trygg-gis/trygg/mail"
)

// handleUnsubscribe answers the unsubscribe link of a mail to a reporter
// (mail.UnsubscribePath?token=…): GET shows, in the report's language, what the button
// does (it changes nothing, so a link scanner that follows it unsubscribes no one);
// POST, the button or a mail client's RFC 8058 one-click POST, stops the report's
// mails and deletes its contact e-mail. An unknown token is 404.
func (s *Server) handleUnsubscribe(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	apply := r.Method == http.MethodPost
	lang, already, err := s.db.Unsubscribe(r.Context(), token, apply)
	if err != nil {
		return err
	}
	state := mail.PageAsk
	switch {
	case already:
		state = mail.PageAlready
	case apply:
		state = mail.PageDone
	}
	b, err := mail.UnsubscribePage(lang, state, r.URL.RequestURI())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
	return writeBytes(w, http.StatusOK, "text/html; charset=utf-8", b)
}

// wakeMail wakes the mail sender (Options.Mail) after every unsafe request, so that a
// mail its change queued goes out now rather than at the next poll.
func (s *Server) wakeMail(next http.Handler) http.Handler {
	if s.opts.Mail == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions {
			s.opts.Mail.Wake()
		}
	})
}

// withoutSession serves path as the public: the unsubscribe link's token is all it
// needs, so the session cookie of a signed-in staff member who is also a reporter (sent
// with the page's own form) must not make it a staff request that needs a CSRF token.
func withoutSession(path string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == path && r.Header.Get("Cookie") != "" {
				r = r.Clone(r.Context())
				r.Header.Del("Cookie")
			}
			next.ServeHTTP(w, r)
		})
	}
}
