package api

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Classes of expensive work, each under its own concurrency limit (gate): the label of
// trygg_shed_requests_total and of the Options' limits.
const (
	classAnalyses   = "analyses"    // hotspot analyses: GET /hotspots, /hotspots/cells, POST /hotspot-runs
	classLargePages = "large_pages" // OGC pages of more than largePage features, and CSV
	classColdTiles  = "cold_tiles"  // tile builds below zoom coldTileZoom
	classImports    = "imports"     // walk route and observation imports, EST and dialogue lists
	classPhotos     = "photos"      // decoding, scaling and encoding an uploaded photo (no connection held)
)

// Limits of expensive work: how many of each class run at once. Zero means the
// default, which scales with GOMAXPROCS; see DefaultLimits.
type Limits struct {
	Analyses   int
	LargePages int
	ColdTiles  int
	Imports    int
	Photos     int // photo uploads decoded at once (CPU and up to ~200 MB each); not in Sum
	// QueueWait is how long a request waits for a slot before it is shed with 503;
	// at most twice the class's limit wait at once, the rest are shed at once.
	QueueWait time.Duration
}

// DefaultLimits are the limits for this machine: max(2, GOMAXPROCS) analyses and cold
// tiles, half as many large pages, one import; the queue waits 500 ms. On 2 cores they
// take at most 6 of the 8 connections of the default pool, leaving the rest to cheap
// requests.
func DefaultLimits() Limits {
	n := runtime.GOMAXPROCS(0)
	return Limits{Analyses: max(2, n), LargePages: max(1, n/2), ColdTiles: max(2, n), Imports: 1,
		Photos: max(1, n/2), QueueWait: 500 * time.Millisecond}
}

// Sum is the most connections expensive work holds at once (each holds one).
func (l Limits) Sum() int { return l.Analyses + l.LargePages + l.ColdTiles + l.Imports }

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	for _, p := range []struct{ v, d *int }{{&l.Analyses, &d.Analyses}, {&l.LargePages, &d.LargePages},
		{&l.ColdTiles, &d.ColdTiles}, {&l.Imports, &d.Imports}, {&l.Photos, &d.Photos}} {
		if *p.v <= 0 {
			*p.v = *p.d
		}
	}
	if l.QueueWait <= 0 {
		l.QueueWait = d.QueueWait
	}
	return l
}

// shedRetryAfter is the Retry-After of a shed request.
const shedRetryAfter = 2 * time.Second

// gate is a concurrency limit for one class of expensive work with a short queue: a
// request takes a free slot, or waits up to wait for one if fewer than maxQueue are
// waiting already; otherwise it is shed (503 with Retry-After) at once. Nothing waits
// longer than wait, so an overloaded server answers within a second instead of
// letting requests pile up on the database pool until their deadlines pass.
type gate struct {
	class    string
	slots    chan struct{}
	queued   atomic.Int64
	maxQueue int64
	wait     time.Duration
	shed     prometheus.Counter
}

func newGate(class string, limit int, wait time.Duration, shed *prometheus.CounterVec) *gate {
	return &gate{class: class, slots: make(chan struct{}, limit), maxQueue: int64(2 * limit), wait: wait,
		shed: shed.WithLabelValues(class)}
}

// enter takes a slot; the caller must call release when the expensive part is done
// (before writing a large answer to the client, which may read slowly). release may
// be called more than once (deferred, and early).
func (g *gate) enter(ctx context.Context) (release func(), err error) {
	release = sync.OnceFunc(func() { <-g.slots })
	select {
	case g.slots <- struct{}{}:
		return release, nil
	default:
	}
	if g.queued.Add(1) > g.maxQueue {
		g.queued.Add(-1)
		return nil, g.refuse()
	}
	defer g.queued.Add(-1)
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, g.refuse()
	case <-ctx.Done():
		return nil, g.refuse()
	}
}

func (g *gate) refuse() error {
	g.shed.Inc()
	return &statusError{status: http.StatusServiceUnavailable, retryAfter: shedRetryAfter,
		msg: "the server is busy with other " + describe[g.class] + "; try again in a moment"}
}

var describe = map[string]string{
	classAnalyses:   "hotspot analyses",
	classLargePages: "large pages",
	classColdTiles:  "tiles",
	classImports:    "imports",
	classPhotos:     "photo uploads",
}

// gates are the server's limits of expensive work, one gate per class.
type gates struct {
	analyses, largePages, coldTiles, imports, photos *gate
}

func newGates(l Limits, m *metrics) gates {
	l = l.withDefaults()
	return gates{
		analyses:   newGate(classAnalyses, l.Analyses, l.QueueWait, m.shed),
		largePages: newGate(classLargePages, l.LargePages, l.QueueWait, m.shed),
		coldTiles:  newGate(classColdTiles, l.ColdTiles, l.QueueWait, m.shed),
		imports:    newGate(classImports, l.Imports, l.QueueWait, m.shed),
		photos:     newGate(classPhotos, l.Photos, photoQueueWait(l.QueueWait), m.shed),
	}
}

// photoQueueWait is how long a photo upload waits for its turn: a photo takes a second
// or two to decode and scale, and its upload took longer, so it waits longer than the
// other classes' wait before it is shed.
func photoQueueWait(d time.Duration) time.Duration { return max(d, 5*time.Second) }
