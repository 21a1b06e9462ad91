package api

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/auth"
)

const (
	sessionCookie = "trygg_session"
	csrfHeader    = "X-CSRF-Token"
)

// authenticate finds the caller: a bearer API token (a bad one is 401 at once) or a
// session cookie (a stale one is ignored, so public pages still work; staff routes
// then answer 401). Cookie-authenticated unsafe requests must carry the session's CSRF
// token in X-CSRF-Token.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, token, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") || token == "" {
				s.fail(w, r, httpError(http.StatusUnauthorized, "Authorization", "use Authorization: Bearer TOKEN"))
				return
			}
			c, err := s.db.TokenCaller(ctx, auth.HashToken(strings.TrimSpace(token)))
			if err != nil {
				s.fail(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(trygg.NewContext(ctx, c)))
			return
		}
		cookie, err := r.Cookie(sessionCookie)
		if err != nil || cookie.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		c, err := s.db.SessionCaller(ctx, auth.HashToken(cookie.Value), s.opts.SessionIdle)
		if trygg.ErrorCode(err) == trygg.EUNAUTHORIZED {
			next.ServeHTTP(w, r) // public, as if there were no cookie
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !safeMethod(r.Method) {
			got := r.Header.Get(csrfHeader)
			if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(c.CSRFToken)) != 1 {
				s.fail(w, r, httpError(http.StatusForbidden, csrfHeader,
					"signed-in requests that change data must send the session's CSRF token in "+csrfHeader))
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(trygg.NewContext(ctx, c)))
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// staff wraps h so that only signed-in users with one of the roles reach it: 401 for
// the public, 403 for another role.
func (s *Server) staff(h handlerFunc, roles ...trygg.Role) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		c := trygg.CallerFrom(r.Context())
		if c == nil {
			return trygg.Errorf(trygg.EUNAUTHORIZED, "", "sign in first")
		}
		if len(roles) > 0 && !c.Can(roles...) {
			return trygg.Errorf(trygg.EFORBIDDEN, "", "the role %s may not do this", c.User.Role)
		}
		return h(w, r)
	})
}

type signIn struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type sessionBody struct {
	User      trygg.User `json:"user"`
	Via       string     `json:"via"`
	CSRFToken string     `json:"csrf_token,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

var errBadCredentials = trygg.Errorf(trygg.EUNAUTHORIZED, "", "wrong e-mail address or password")

// handleSignIn answers POST /api/v1/session: checks the password, limits guessing per
// account and per client address, and starts a server-side session in a cookie.
func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) error {
	var in signIn
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	email, err := trygg.NormalizeEmail(in.Email)
	if err != nil {
		return err
	}
	if in.Password == "" {
		return trygg.Errorf(trygg.EINVALID, "password", "the password is missing")
	}
	ctx := r.Context()
	ip := s.clientIP(r)
	byEmail, byIP, retryAt, err := s.db.LoginFailures(ctx, email, ip, s.opts.LoginWindow)
	if err != nil {
		return err
	}
	if byEmail >= s.opts.LoginFailures || byIP >= s.opts.LoginFailures {
		return tooMany(time.Until(retryAt), "too many failed sign-ins; wait and try again")
	}

	creds, err := s.db.Credentials(ctx, email)
	switch {
	case trygg.ErrorCode(err) == trygg.ENOTFOUND:
		auth.BurnTime(in.Password)
		err = errBadCredentials
	case err != nil:
		return err
	default:
		if verr := auth.VerifyPassword(creds.PasswordHash, in.Password); errors.Is(verr, auth.ErrMismatch) || creds.Disabled {
			err = errBadCredentials
		} else if verr != nil {
			return verr
		}
	}
	if err != nil {
		if rerr := s.db.RecordLoginFailure(ctx, email, ip); rerr != nil {
			return rerr
		}
		return err
	}
	if err := s.db.ClearLoginFailures(ctx, email); err != nil {
		return err
	}

	user, err := s.db.Principal(ctx, creds.UserID)
	if err != nil {
		return err
	}
	token, csrf := auth.NewToken(auth.SessionPrefix), auth.NewToken("")
	expires, err := s.db.CreateSession(ctx, auth.HashToken(token), creds.UserID, csrf, s.opts.SessionLifetime)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.opts.SecureCookies || r.TLS != nil,
	})
	return writeJSON(w, http.StatusCreated, "application/json",
		sessionBody{User: user, Via: "session", CSRFToken: csrf, ExpiresAt: &expires})
}

// handleSignOut answers DELETE /api/v1/session: the session ends and its cookie is
// cleared.
func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) error {
	c := trygg.CallerFrom(r.Context())
	cookie, err := r.Cookie(sessionCookie)
	if c.SessionID == "" || err != nil {
		return trygg.Errorf(trygg.EINVALID, "", "this request is not signed in with a session cookie")
	}
	if err := s.db.DeleteSession(r.Context(), auth.HashToken(cookie.Value)); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.opts.SecureCookies || r.TLS != nil})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleMe answers GET /api/v1/me: who the caller is, and the CSRF token to send with
// changes.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) error {
	c := trygg.CallerFrom(r.Context())
	body := sessionBody{User: c.User, Via: "token"}
	if c.SessionID != "" {
		body.Via, body.CSRFToken = "session", c.CSRFToken
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, "application/json", body)
}
