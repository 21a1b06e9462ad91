package api

import (
	"errors"
	"time"

	"github.com/trygg-gis/trygg/postgis"
)

// Rate is a number of events per window, e.g. 10 reports per 10 minutes.
type Rate struct {
	N      int
	Window time.Duration
}

// The rate-limit buckets: one kind of request each, limited per client address in
// PostgreSQL (postgis.Limit), so the limits hold across servers and restarts.
const (
	bucketReport      = "report"
	bucketConfirm     = "confirm"
	bucketConfirmOnce = "confirm-once" // one confirmation per address and report a day
	bucketHotspot     = "hotspot"
	bucketSearch      = "search"
	bucketPhoto       = "photo"
)

var limitMessages = map[string]string{
	bucketReport:      "too many reports from this address; try again later",
	bucketConfirm:     "too many confirmations from this address; try again later",
	bucketConfirmOnce: "this address has already confirmed this report",
	bucketHotspot:     "too many hotspot analyses from this address; try again later",
	bucketSearch:      "too many searches from this address; try again later",
	bucketPhoto:       "too many photo uploads from this address; try again later",
}

// limit is rate r of bucket for key, a client address. A zero Rate allows all.
func limit(bucket, key string, r Rate) postgis.Limit {
	return postgis.Limit{Bucket: bucket, Key: key, N: r.N, Window: r.Window}
}

// limited turns a refusal by a rate limit into 429 with Retry-After; other errors pass.
func limited(err error) error {
	var le *postgis.LimitError
	if errors.As(err, &le) {
		return tooMany(le.RetryAfter, limitMessages[le.Bucket])
	}
	return err
}
