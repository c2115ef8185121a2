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
	"github.com/tokenstore-go/tokenstore/refresh"
)

// metrics are the agent's Prometheus metrics. Labels are routes, status
// codes and results: never a user name, ID or token.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// newMetrics registers the agent's metrics: its requests, the counters of
// its token sources (refresh.Stats, read at each scrape) and of the cache.
func newMetrics(cs cache.Cache, sources func() refresh.Stats) *metrics {
	const ns = "tokenstore_agent"
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "requests_total",
			Help: "HTTP requests answered, by route and status code."}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route.",
			Buckets: []float64{.0001, .0005, .001, .005, .01, .05, .1, .5, 1, 5, 30}}, []string{"route"}),
	}
	m.reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	src := func(name, help string, get func(refresh.Stats) int64) {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: ns, Name: name, Help: help},
			func() float64 { return float64(get(sources())) }))
	}
	src("token_calls_total", "Calls of the Zoho token endpoint this agent made.", func(s refresh.Stats) int64 { return s.TokenCalls })
	src("refreshes_total", "New access tokens (or exchanged grants) this agent stored.", func(s refresh.Stats) int64 { return s.Refreshes })
	src("lease_waits_total", "Waits of a caller with no valid token while another agent held the refresh lease.", func(s refresh.Stats) int64 { return s.LeaseWaits })
	src("throttled_total", "Throttle answers of the token endpoint this agent recorded for the fleet.", func(s refresh.Stats) int64 { return s.Throttled })
	src("revoked_total", "Revoked refresh tokens this agent recorded for the fleet.", func(s refresh.Stats) int64 { return s.Revoked })
	src("dropped_total", "Token endpoint answers not stored: the lease had been taken over or the refresh token changed.", func(s refresh.Stats) int64 { return s.Dropped })
	src("expired_total", "Access tokens this agent expired for the fleet after a client reported them refused.", func(s refresh.Stats) int64 { return s.Expired })
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
