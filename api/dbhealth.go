package api

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/trygg-gis/trygg/postgis"
)

// dbHealth notices when the database cannot be reached and when it answers again, and
// logs each change once: while it is down every request that needs it answers 503
// (not logged as an error), and one line says so.
//
// A request that fails with a postgis.Unreachable error starts a probe (one at a
// time): a ping at once, so a single broken connection (a backend that was killed)
// logs nothing, then a ping every probeEvery until the database answers.
type dbHealth struct {
	db      *postgis.DB
	log     *slog.Logger
	probing atomic.Bool
	down    atomic.Bool
}

const probeEvery = 500 * time.Millisecond

// failed looks at a request's error.
func (h *dbHealth) failed(err error) {
	if !postgis.Unreachable(err) || !h.probing.CompareAndSwap(false, true) {
		return
	}
	go h.probe(err)
}

func (h *dbHealth) probe(cause error) {
	defer h.probing.Store(false)
	var since time.Time
	for !h.db.Closed() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := h.db.Ping(ctx)
		cancel()
		if err == nil {
			if h.down.Swap(false) {
				h.log.Info("database available again", "down_for", time.Since(since).Round(time.Millisecond).String())
			}
			return
		}
		if !postgis.Unreachable(err) && !h.down.Load() {
			return // slow or busy (the pool is full), not gone
		}
		if !h.down.Swap(true) {
			since = time.Now()
			h.log.Error("database unavailable", "error", cause.Error(), "ping", err.Error())
		}
		time.Sleep(probeEvery)
	}
}
