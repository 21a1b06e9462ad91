package api

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate is a number of events per window, e.g. 10 reports per 10 minutes.
type Rate struct {
	N      int
	Window time.Duration
}

// limiter keeps a token bucket per key (a client address): N events at once, refilled
// evenly over Window. Buckets idle for a window are dropped. A zero Rate allows all.
type limiter struct {
	rate    Rate
	mu      sync.Mutex
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(r Rate) *limiter { return &limiter{rate: r, buckets: map[string]*bucket{}} }

// allow takes one event for key; when none is left it says how long to wait.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l == nil || l.rate.N <= 0 || l.rate.Window <= 0 {
		return true, 0
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.sweep) > l.rate.Window {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > l.rate.Window {
				delete(l.buckets, k)
			}
		}
		l.sweep = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Every(l.rate.Window/time.Duration(l.rate.N)), l.rate.N)}
		l.buckets[key] = b
	}
	b.seen = now
	res := b.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}
