package api

import (
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus metrics, in a registry of its own (no globals, so
// tests and several servers in one process do not collide).
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	shed     *prometheus.CounterVec // by class of expensive work (shed.go)

	series sync.Map // seriesKey → series: the label lookups, done once per key
}

type seriesKey struct {
	method, route string
	status        int
}

type series struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

func newMetrics(pool *pgxpool.Pool) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_http_requests_total",
			Help: "HTTP requests by method, route template and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "trygg_http_request_duration_seconds",
			Help:    "HTTP request duration by method and route template.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route"}),
		shed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_shed_requests_total",
			Help: "Requests refused with 503 because their class of expensive work was at its limit.",
		}, []string{"class"}),
	}
	for _, c := range []string{classAnalyses, classLargePages, classColdTiles, classImports} {
		m.shed.WithLabelValues(c) // every class shows, at 0 until one is shed
	}
	m.registry.MustRegister(m.requests, m.duration, m.shed,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pool != nil {
		m.registry.MustRegister(poolCollector{pool})
	}
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
	default:
		method = "other" // clients choose methods: they must not choose the series
	}
	k := seriesKey{method, route, status}
	v, ok := m.series.Load(k)
	if !ok {
		v, _ = m.series.LoadOrStore(k, series{m.requests.WithLabelValues(method, route, itoa(status)),
			m.duration.WithLabelValues(method, route)})
	}
	sr := v.(series)
	sr.requests.Inc()
	sr.duration.Observe(d.Seconds())
}

// poolCollector reports pgxpool's statistics at scrape time.
type poolCollector struct{ pool *pgxpool.Pool }

var (
	poolTotal    = prometheus.NewDesc("trygg_db_pool_connections", "Connections in the pool.", nil, nil)
	poolIdle     = prometheus.NewDesc("trygg_db_pool_idle_connections", "Idle connections in the pool.", nil, nil)
	poolInUse    = prometheus.NewDesc("trygg_db_pool_acquired_connections", "Connections in use.", nil, nil)
	poolMax      = prometheus.NewDesc("trygg_db_pool_max_connections", "Largest size the pool may reach.", nil, nil)
	poolAcquires = prometheus.NewDesc("trygg_db_pool_acquires_total", "Connections acquired from the pool.", nil, nil)
	poolWaits    = prometheus.NewDesc("trygg_db_pool_empty_acquires_total", "Acquires that had to wait for a connection.", nil, nil)
	poolWait     = prometheus.NewDesc("trygg_db_pool_acquire_wait_seconds_total", "Time spent waiting for a connection.", nil, nil)
)

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolTotal, poolIdle, poolInUse, poolMax, poolAcquires, poolWaits, poolWait} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(poolTotal, prometheus.GaugeValue, float64(s.TotalConns()))
	ch <- prometheus.MustNewConstMetric(poolIdle, prometheus.GaugeValue, float64(s.IdleConns()))
	ch <- prometheus.MustNewConstMetric(poolInUse, prometheus.GaugeValue, float64(s.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(poolAcquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolWait, prometheus.CounterValue, s.AcquireDuration().Seconds())
}
