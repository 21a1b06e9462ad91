package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one mail to one recipient.
type Message struct {
	To        string
	MessageID string // without the angle brackets
	Rendered
}

// Sender sends a message; the worker depends on this alone, so tests may put any SMTP
// server behind it.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// PermanentError is a refusal that trying again will not change (an SMTP 5xx reply),
// as opposed to a server that is down or busy.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// SMTPConfig is where and how mail is sent: TRYGG_SMTP_URL and TRYGG_MAIL_FROM.
type SMTPConfig struct {
	Host     string
	Port     int
	Implicit bool // smtps://: TLS from the first byte; else STARTTLS when the server offers it
	User     string
	Password string
	From     *mail.Address
	Timeout  time.Duration // of one connection and send; 0 is 30 s
}

// ParseSMTP reads an SMTP URL (smtp://[user:password@]host[:port], STARTTLS when the
// server offers it, port 587 by default; smtps:// for implicit TLS, port 465) and the
// sender's address ("Trygg <no-reply@kommun.se>").
func ParseSMTP(rawURL, from string) (SMTPConfig, error) {
	var c SMTPConfig
	u, err := url.Parse(rawURL)
	if err != nil {
		return c, fmt.Errorf("not a URL: %v", err)
	}
	switch u.Scheme {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Port, c.Implicit = 465, true
	default:
		return c, errors.New("want smtp://host[:port] (STARTTLS when offered) or smtps://host[:port] (implicit TLS)")
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return c, errors.New("an SMTP URL has no path, query or fragment")
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return c, errors.New("the SMTP URL names no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return c, fmt.Errorf("bad port %q", p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.User = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	if strings.TrimSpace(from) == "" {
		return c, errors.New("TRYGG_MAIL_FROM is not set: the sender's address, such as Trygg <no-reply@kommun.se>")
	}
	if c.From, err = mail.ParseAddress(from); err != nil {
		return c, fmt.Errorf("TRYGG_MAIL_FROM %q is not an address: %v", from, err)
	}
	return c, nil
}

// Domain is the domain of the sender's address, which Message-IDs end in.
func (c SMTPConfig) Domain() string {
	_, d, _ := strings.Cut(c.From.Address, "@")
	return d
}

// SMTP sends with go-mail, one connection per message (mail to reporters is rare).
type SMTP struct {
	cfg SMTPConfig
	log *slog.Logger
}

// NewSMTP returns a sender for cfg.
func NewSMTP(cfg SMTPConfig, log *slog.Logger) *SMTP {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &SMTP{cfg: cfg, log: log}
}

func (s *SMTP) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12})}
	if s.cfg.Implicit {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.cfg.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.User), gomail.WithPassword(s.cfg.Password))
	}
	if d := s.cfg.Domain(); d != "" {
		opts = append(opts, gomail.WithHELO(d))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// build makes the go-mail message: a text/plain part, an HTML alternative, the
// Message-ID, and List-Unsubscribe with RFC 8058's one-click POST when the link is https.
func (s *SMTP) build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	msg.FromMailAddress(s.cfg.From)
	if err := msg.To(m.To); err != nil {
		return nil, &PermanentError{fmt.Errorf("recipient %q: %w", m.To, err)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDate()
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated") // RFC 3834: no auto-replies
	if m.UnsubscribeURL != "" {
		if strings.HasPrefix(m.UnsubscribeURL, "https://") {
			if err := msg.SetListUnsubscribeOneClick(m.UnsubscribeURL); err != nil {
				return nil, err
			}
		} else {
			msg.SetListUnsubscribe(m.UnsubscribeURL)
		}
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return msg, nil
}

// Send sends m. The message counts as sent once the server accepted its data: an error
// closing the connection afterwards is only logged, so that it is not sent again. A
// refusal with an SMTP 5xx code is a *PermanentError.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	conn, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("connect to %s:%d: %w", s.cfg.Host, s.cfg.Port, err)
	}
	err = c.SendWithSMTPClient(conn, msg)
	if cerr := c.CloseWithSMTPClient(conn); cerr != nil && err == nil {
		s.log.Warn("mail: closing the SMTP connection after sending", "message_id", m.MessageID, "err", cerr)
	}
	if err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			return &PermanentError{err}
		}
		return err
	}
	return nil
}
