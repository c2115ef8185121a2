package main

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tokenstore-go/tokenstore/cache"
)

// metrics are the agent's Prometheus metrics. Labels are routes, status
// codes and results: never a user name, ID or token.
type metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	tokenCalls *prometheus.CounterVec
	leaseWaits prometheus.Counter
	throttled  prometheus.Counter
	revoked    prometheus.Counter
	expired    prometheus.Counter
}

func newMetrics(cs *cache.Store) *metrics {
	const ns = "tokenstore_agent"
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "requests_total",
			Help: "HTTP requests answered, by route and status code."}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route.",
			Buckets: []float64{.0001, .0005, .001, .005, .01, .05, .1, .5, 1, 5, 30}}, []string{"route"}),
		tokenCalls: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "token_calls_total",
			Help: "Calls of the Zoho token endpoint this agent made, by HTTP status class (or error)."}, []string{"result"}),
		leaseWaits: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "lease_waits_total",
			Help: "Token requests that found the token expired and got the one another agent's refresh stored."}),
		throttled: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "throttled_total",
			Help: "Token requests answered 429: the token endpoint throttles the record's refresh token."}),
		revoked: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "revoked_total",
			Help: "Token requests answered 409 revoked: the record's refresh token was revoked."}),
		expired: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "expired_total",
			Help: "Access tokens expired for the fleet after a client reported them refused."}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.tokenCalls, m.leaseWaits, m.throttled, m.revoked, m.expired,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if cs != nil {
		stat := func(name, help string, get func(cache.Stats) uint64) {
			m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: ns, Subsystem: "cache", Name: name, Help: help},
				func() float64 { return float64(get(cs.Stats())) }))
		}
		stat("hits_total", "Finds answered from the cache.", func(s cache.Stats) uint64 { return s.Hits })
		stat("misses_total", "Finds the cache could not answer.", func(s cache.Stats) uint64 { return s.Misses })
		stat("loads_total", "Finds the cache made of the store.", func(s cache.Stats) uint64 { return s.Loads })
		stat("errors_total", "Store calls through the cache that failed.", func(s cache.Stats) uint64 { return s.Errors })
	}
	return m
}

// handler serves the metrics in Prometheus's text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// observe counts every request by route and status.
func (s *server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := routeOf(r)
		s.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		took := time.Since(start)
		s.metrics.duration.WithLabelValues(route).Observe(took.Seconds())
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "request", slog.String("route", route), slog.Int("status", sw.status), slog.Duration("took", took))
	})
}

// routeOf names the route a request matched, for labels and logs: the
// mux pattern, never the path (it may hold an ID).
func routeOf(r *http.Request) string {
	if r.Pattern == "" {
		return "none"
	}
	return r.Pattern
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}
