package api

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// A gate of one slot and a queue of two: the second request waits and gets the slot
// when it is released; with the slot held, two more wait and are shed after the wait,
// and one beyond the queue is shed at once; each shed is a 503 with Retry-After.
func TestGate(t *testing.T) {
	shed := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "shed"}, []string{"class"})
	g := newGate(classAnalyses, 1, 200*time.Millisecond, shed)
	ctx := context.Background()

	release, err := g.enter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		r, err := g.enter(ctx)
		if err == nil {
			r()
		}
		got <- err
	}()
	time.Sleep(50 * time.Millisecond)
	release()
	release() // a second release is a no-op, not a second free slot
	if err := <-got; err != nil {
		t.Fatalf("a request waiting less than the wait: %v, want the slot", err)
	}

	release, _ = g.enter(ctx)
	defer release()
	waited := make(chan time.Duration, 2)
	for range 2 {
		go func() {
			start := time.Now()
			_, err := g.enter(ctx)
			if err == nil {
				t.Error("a queued request got a slot that was never released")
			}
			waited <- time.Since(start)
		}()
	}
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	_, err = g.enter(ctx) // the queue is full
	if d := time.Since(start); err == nil || d > 50*time.Millisecond {
		t.Errorf("beyond the queue: err %v after %v, want shed at once", err, d)
	}
	var se *statusError
	if !errors.As(err, &se) || se.status != http.StatusServiceUnavailable || se.retryAfter <= 0 {
		t.Errorf("shed as %#v, want a 503 with Retry-After", err)
	}
	for range 2 {
		if d := <-waited; d < 150*time.Millisecond {
			t.Errorf("a queued request was shed after %v, want after the wait (200ms)", d)
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(shed)
	mfs, err := reg.Gather()
	if err != nil || len(mfs) != 1 {
		t.Fatalf("gather: %v, %d families", err, len(mfs))
	}
	if n := mfs[0].GetMetric()[0].GetCounter().GetValue(); n != 3 {
		t.Errorf("shed counter %v, want 3", n)
	}
	if len(g.slots) != 1 {
		t.Errorf("%d slots taken, want 1 (the one held)", len(g.slots))
	}
}
