package postgis_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/demo"
	"github.com/trygg-gis/trygg/postgis"
	"github.com/trygg-gis/trygg/postgis/pgtest"
)

func limitFixture(t *testing.T) (app *postgis.DB, url string) {
	t.Helper()
	owner, url := pgtest.Open(t)
	if err := demo.Load(context.Background(), owner, nil); err != nil {
		t.Fatal(err)
	}
	return pgtest.App(t, url), url
}

func refused(t *testing.T, err error, bucket string) *postgis.LimitError {
	t.Helper()
	var le *postgis.LimitError
	if !errors.As(err, &le) {
		t.Fatalf("got %v, want a refusal by %s", err, bucket)
	}
	if le.Bucket != bucket {
		t.Errorf("refused by %q, want %q", le.Bucket, bucket)
	}
	return le
}

// TestTake: a limit of N per window lets N through at once, then refuses with the time
// until the next is refilled (window/N); time passing refills it. Keys and buckets are
// separate, and a zero limit is none.
func TestTake(t *testing.T) {
	app, url := limitFixture(t)
	ctx := context.Background()
	l := postgis.Limit{Bucket: "b", Key: "192.0.2.1", N: 3, Window: time.Hour}
	for i := range 3 {
		if err := app.Take(ctx, l); err != nil {
			t.Fatalf("take %d: %v", i+1, err)
		}
	}
	le := refused(t, app.Take(ctx, l), "b")
	if le.RetryAfter < 19*time.Minute || le.RetryAfter > 20*time.Minute {
		t.Errorf("retry after %v, want just under 20m", le.RetryAfter)
	}
	other, bucket := l, l
	other.Key, bucket.Bucket = "192.0.2.2", "c"
	for _, l := range []postgis.Limit{other, bucket, {Bucket: "b", Key: l.Key}, {Bucket: "b", Key: l.Key, N: 3}} {
		if err := app.Take(ctx, l); err != nil {
			t.Errorf("take %+v: %v", l, err)
		}
	}
	// 20 minutes later there is one more.
	pgtest.Exec(t, url, `UPDATE rate_limit SET tat = tat - interval '20 minutes' WHERE bucket = 'b'`)
	if err := app.Take(ctx, l); err != nil {
		t.Errorf("take after 20 minutes: %v", err)
	}
	refused(t, app.Take(ctx, l), "b")
}

// TestTakeConcurrent: 40 requests at once against a limit of 10 let exactly 10 through.
func TestTakeConcurrent(t *testing.T) {
	app, _ := limitFixture(t)
	l := postgis.Limit{Bucket: "b", Key: "192.0.2.1", N: 10, Window: time.Hour}
	var mu sync.Mutex
	var ok, no int
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			err := app.Take(context.Background(), l)
			var le *postgis.LimitError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.As(err, &le):
				no++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok != 10 || no != 30 {
		t.Errorf("%d allowed, %d refused; want 10 and 30", ok, no)
	}
}

// TestTakeAllOrNone: when one of several limits refuses, none is taken.
func TestTakeAllOrNone(t *testing.T) {
	app, _ := limitFixture(t)
	ctx := context.Background()
	wide := postgis.Limit{Bucket: "wide", Key: "k", N: 2, Window: time.Hour}
	once := postgis.Limit{Bucket: "once", Key: "k", N: 1, Window: time.Hour}
	if err := app.Take(ctx, wide, once); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		refused(t, app.Take(ctx, wide, once), "once")
	}
	if err := app.Take(ctx, wide); err != nil {
		t.Errorf("the refusals took from wide: %v", err)
	}
	refused(t, app.Take(ctx, wide), "wide")
}

// TestSubmitReportLimit: the limit rides with the submission; only stored reports
// count (a replay or a report outside every municipality takes nothing), and a refused
// one is not stored.
func TestSubmitReportLimit(t *testing.T) {
	app, url := limitFixture(t)
	ctx := context.Background()
	l := postgis.Limit{Bucket: "report", Key: "192.0.2.1", N: 2, Window: time.Hour}
	sub := func(p orb.Point, key string) (postgis.Submitted, error) {
		return app.SubmitReport(ctx, postgis.Submission{
			Report: trygg.Report{ID: uuid.NewString(), Location: p, Category: "belysning", Feeling: 2,
				Source: trygg.SourceResident, Precision: "exact", Status: trygg.StatusReceived},
			ErasureHash: []byte("h"), ErasureToken: "t", IdempotencyKey: key, RequestHash: []byte("r"), Limit: l,
		})
	}
	vara, stockholm := orb.Point{13.1, 58.26}, orb.Point{18.07, 59.33}
	if _, err := sub(stockholm, ""); trygg.ErrorCode(err) != trygg.EUNPROCESSABLE {
		t.Fatalf("outside: %v, want unprocessable", err)
	}
	first, err := sub(vara, "k-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sub(vara, ""); err != nil {
		t.Fatalf("second report: %v", err)
	}
	refused(t, func() error { _, err := sub(vara, ""); return err }(), "report")
	again, err := sub(vara, "k-1")
	if err != nil || !again.Replayed || again.ID != first.ID {
		t.Errorf("replay at the limit: %+v, %v; want the first report", again, err)
	}
	if n := pgtest.Strings(t, url, `SELECT count(*)::text FROM report`)[0]; n != "2" {
		t.Errorf("%s reports stored, want 2", n)
	}
}

// TestRateLimitSweep: rate_take now and then deletes the rows of buckets that are full
// again, and the server's role cannot touch the table but through the functions.
func TestRateLimitSweep(t *testing.T) {
	app, url := limitFixture(t)
	pgtest.Exec(t, url, `INSERT INTO rate_limit (bucket, key, tat) SELECT 'old', convert_to(i::text, 'UTF8'), now() - interval '1 minute' FROM generate_series(1, 100) i`)
	// 1 in 512 calls sweeps: 10000 calls miss every time with a chance of e^-19.
	pgtest.Exec(t, url, `SELECT count(*) FROM generate_series(1, 10000) i, rate_take('new', i::text, 10, interval '1 hour')`)
	if n := pgtest.Strings(t, url, `SELECT count(*)::text FROM rate_limit WHERE bucket = 'old'`)[0]; n != "0" {
		t.Errorf("%s stale rows left, want 0", n)
	}
	if n := pgtest.Strings(t, url, `SELECT count(*)::text FROM rate_limit WHERE bucket = 'new'`)[0]; n != "10000" {
		t.Errorf("%s live rows, want 10000", n)
	}
	for _, sql := range []string{`DELETE FROM rate_limit`, `SELECT secret FROM rate_limit_secret`} {
		if _, err := app.Pool().Exec(context.Background(), sql); err == nil {
			t.Errorf("trygg_app may %s", sql)
		}
	}
	// Client addresses are not stored, only their keyed hashes.
	if n := pgtest.Strings(t, url, `SELECT count(*)::text FROM rate_limit WHERE key IN (SELECT convert_to(i::text, 'UTF8') FROM generate_series(1, 10000) i)`)[0]; n != "0" {
		t.Errorf("%s rows keyed by the plain address", n)
	}
}
