package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/trygg-gis/trygg/postgis"
)

// Store is what the worker needs of the database: postgis.DB.
type Store interface {
	SendNextMail(ctx context.Context, send func(context.Context, postgis.OutboxMail) postgis.MailOutcome) (bool, error)
	MailPending(ctx context.Context, keep time.Duration) (int64, error)
}

// Options tune the worker; zero fields take the defaults.
type Options struct {
	BaseURL     string        // the server's public URL, which links are built on (required)
	Domain      string        // the domain Message-IDs end in (the sender's)
	Poll        time.Duration // how often the outbox is looked at (5 s)
	Backoff     time.Duration // the wait after the first failure, doubled after each (1 min)
	MaxBackoff  time.Duration // the longest wait (6 h)
	MaxAttempts int           // attempts before giving up (12: about two days)
	SendTimeout time.Duration // one message, claim to commit (60 s)
	Keep        time.Duration // sent and given-up rows are deleted after this (30 days)
	MaxAge      time.Duration // a mail not sent this long after its change is given up (7 days): news that late is none
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Poll, 5*time.Second)
	def(&o.Backoff, time.Minute)
	def(&o.MaxBackoff, 6*time.Hour)
	def(&o.SendTimeout, time.Minute)
	def(&o.Keep, 30*24*time.Hour)
	def(&o.MaxAge, 7*24*time.Hour)
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 12
	}
	if o.Domain == "" {
		o.Domain = "trygg.invalid"
	}
	return o
}

// Worker sends the outbox's mails, one at a time, until its context ends.
type Worker struct {
	store  Store
	sender Sender
	opts   Options
	log    *slog.Logger
	wake   chan struct{}

	sent    prometheus.Counter
	failed  *prometheus.CounterVec
	dropped prometheus.Counter
	queued  prometheus.Gauge
}

// NewWorker returns a worker that sends store's mails through sender.
func NewWorker(store Store, sender Sender, log *slog.Logger, opts Options) *Worker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Worker{store: store, sender: sender, opts: opts.withDefaults(), log: log, wake: make(chan struct{}, 1),
		sent: prometheus.NewCounter(prometheus.CounterOpts{Name: "trygg_mail_sent_total",
			Help: "E-mails to reporters the SMTP server accepted."}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "trygg_mail_failed_total",
			Help: "Attempts to send an e-mail to a reporter that failed: retry (tried again later) or permanent (given up)."},
			[]string{"outcome"}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "trygg_mail_dropped_total",
			Help: "Queued e-mails not sent because the address was gone (erased, retention, unsubscribed)."}),
		queued: prometheus.NewGauge(prometheus.GaugeOpts{Name: "trygg_mail_queued",
			Help: "E-mails to reporters waiting in the outbox, as of the last poll."}),
	}
	w.failed.WithLabelValues("retry")
	w.failed.WithLabelValues("permanent")
	return w
}

// Collectors are the worker's metrics, for the server's registry.
func (w *Worker) Collectors() []prometheus.Collector {
	return []prometheus.Collector{w.sent, w.failed, w.dropped, w.queued}
}

// Wake makes the worker look at the outbox now rather than at its next poll.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends due mails until ctx ends. A message being sent when ctx ends is finished
// and its outcome recorded (within SendTimeout), so that shutting down does not cause
// a second copy.
func (w *Worker) Run(ctx context.Context) {
	w.log.Info("mail: sender started", "poll", w.opts.Poll.String())
	t := time.NewTicker(w.opts.Poll)
	defer t.Stop()
	lastCount := time.Time{}
	for {
		for ctx.Err() == nil {
			found, err := w.SendOne(ctx)
			if err != nil {
				w.log.Warn("mail: outbox", "err", err)
				break
			}
			if !found {
				break
			}
		}
		if time.Since(lastCount) > time.Minute || lastCount.IsZero() {
			if n, err := w.store.MailPending(ctx, w.opts.Keep); err == nil {
				w.queued.Set(float64(n))
				lastCount = time.Now()
			}
		}
		select {
		case <-ctx.Done():
			w.log.Info("mail: sender stopped")
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// SendOne sends the next due mail, if there is one, and records what became of it.
func (w *Worker) SendOne(ctx context.Context) (bool, error) {
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.opts.SendTimeout)
	defer cancel()
	return w.store.SendNextMail(c, w.handle)
}

// MessageID is the Message-ID of outbox row id: the same on every attempt, so that a
// copy sent again after a crash (accepted, not yet marked sent) is recognisable.
func MessageID(id int64, domain string) string {
	return fmt.Sprintf("trygg-mail-%d@%s", id, domain)
}

func (w *Worker) handle(ctx context.Context, m postgis.OutboxMail) postgis.MailOutcome {
	log := w.log.With("mail_id", m.ID, "kind", m.Kind, "report_id", m.ReportID, "attempt", m.Attempts+1)
	if m.Email == "" || m.Token == "" {
		w.dropped.Inc()
		log.Info("mail: not sent: the address is gone")
		return postgis.MailOutcome{Error: "no address (erased, retention or unsubscribed)", GiveUp: true}
	}
	if age := time.Since(m.CreatedAt); age > w.opts.MaxAge {
		w.failed.WithLabelValues("permanent").Inc()
		log.Warn("mail: given up: too old", "age", age.String())
		return postgis.MailOutcome{Error: "not sent within " + w.opts.MaxAge.String(), GiveUp: true}
	}
	r, err := Render(m, w.opts.BaseURL)
	if err != nil {
		w.failed.WithLabelValues("permanent").Inc()
		log.Error("mail: render", "err", err)
		return postgis.MailOutcome{Error: err.Error(), GiveUp: true}
	}
	err = w.sender.Send(ctx, Message{To: m.Email, MessageID: MessageID(m.ID, w.opts.Domain), Rendered: r})
	if err == nil {
		w.sent.Inc()
		log.Info("mail: sent")
		return postgis.MailOutcome{Sent: true}
	}
	var pe *PermanentError
	if errors.As(err, &pe) || m.Attempts+1 >= w.opts.MaxAttempts {
		w.failed.WithLabelValues("permanent").Inc()
		log.Warn("mail: given up", "err", err)
		return postgis.MailOutcome{Error: err.Error(), GiveUp: true}
	}
	retry := w.backoff(m.Attempts)
	w.failed.WithLabelValues("retry").Inc()
	log.Warn("mail: failed, trying again later", "err", err, "retry_in", retry.String())
	return postgis.MailOutcome{Error: err.Error(), RetryIn: retry}
}

// backoff is the wait after the (attempts+1)th failure: Backoff doubled per earlier
// failure, at most MaxBackoff, less up to a fifth at random so that mails queued
// together do not retry together.
func (w *Worker) backoff(attempts int) time.Duration {
	d := w.opts.Backoff
	for range attempts {
		d *= 2
		if d >= w.opts.MaxBackoff {
			d = w.opts.MaxBackoff
			break
		}
	}
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}
