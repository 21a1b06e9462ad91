package postgis_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/trygg-gis/trygg"
	"github.com/trygg-gis/trygg/postgis"
)

// Unreachable tells a database that went away (503, logged once) from one that was
// slow, a caller that hung up, and real failures.
func TestUnreachable(t *testing.T) {
	// A port nothing listens on: a connection refused, as when PostgreSQL is down.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, refused := postgis.Open(context.Background(), "postgres://trygg@"+addr+"/trygg?sslmode=disable&connect_timeout=5", postgis.Options{})
	if refused == nil {
		t.Fatal("Open on a closed port succeeded")
	}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", refused, true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"cannot connect now", fmt.Errorf("begin: %w", &pgconn.PgError{Code: "57P03"}), true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"broken connection", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"closed conn", pgconn.ErrConnClosed, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"statement timeout", &pgconn.PgError{Code: "57014"}, false},
		{"deadline", context.DeadlineExceeded, false},
		{"client hung up", fmt.Errorf("acquire: %w", context.Canceled), false},
		{"a bug", errors.New("postgis: scan: wrong type"), false},
		{"nil", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := postgis.Unreachable(tc.err); got != tc.want {
				t.Errorf("Unreachable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
	if code := trygg.ErrorCode(postgis.WrapForTest(refused)); code != trygg.EUNAVAILABLE {
		t.Errorf("a refused connection is %q, want %q", code, trygg.EUNAVAILABLE)
	}
}
