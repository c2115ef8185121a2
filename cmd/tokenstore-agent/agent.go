package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/net/netutil"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/refresh"
	"github.com/tokenstore-go/tokenstore/zoho"
)

// agent is one running tokenstore-agent: the API server, its listener and
// the metrics listener.
type agent struct {
	cfg      *config
	log      *slog.Logger
	srv      *server
	uncached tokenstore.Store // the store behind the cache, for readiness
	api      *http.Server
	metrics  *http.Server
	addr     net.Addr      // where the API listens, once started
	maddr    net.Addr      // where the metrics are served, if they are
	failed   chan error    // a listener stopped serving
	draining atomic.Bool   // SIGTERM or SHUTDOWN seen: not ready any more
	probed   atomic.Int64  // when the store last answered /readyz (unix ns)
	ready    time.Duration // process start → API listening
}

// probeID is read by /readyz: no record has it, so a healthy store answers
// not found.
const probeID = "tokenstore-agent-readiness-probe"

func newAgent(ctx context.Context, cfg *config, log *slog.Logger) (*agent, error) {
	uncached, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	store, cs, err := withCache(uncached, cfg.cache)
	if err != nil {
		return nil, err
	}
	if _, ok := store.(tokenstore.Updater); !ok {
		return nil, usagef("store %q cannot read-modify-write; token sources need it", redactURL(cfg.store))
	}
	endpoint, err := endpointFor(cfg.accountsURL, cfg.dc)
	if err != nil {
		return nil, err
	}
	client := &http.Client{
		Timeout: cfg.requestTimeout,
		// The token endpoint does not redirect; following one would send
		// the client secret elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	opts := refresh.Options{HTTPClient: client, Skew: cfg.refreshSkew, MinInterval: cfg.minInterval,
		AllowAPIDomains: cfg.allowDomains, Logger: log}
	srcs := newSources(store, opts, endpoint, cfg.maxSources)
	if _, err := refresh.New(store, tokenstore.Token{ID: probeID}, zoho.US.Endpoint(), &opts); err != nil {
		return nil, usagef("%v", err) // the options, checked once at start
	}
	a := &agent{cfg: cfg, log: log, uncached: uncached, failed: make(chan error, 2)}
	a.srv = &server{
		store:   store,
		sources: srcs,
		log:     log,
		metrics: newMetrics(cs, srcs.stats),
		token:   sha256.Sum256(cfg.token),
		allowed: cfg.allowDomains,
		timeout: cfg.requestTimeout,
		ready:   a.readiness,
	}
	return a, nil
}

// readyFor is how long a store's answer to /readyz counts: probes come
// every few seconds, and each read of Secrets Manager is billed.
const readyFor = 10 * time.Second

// readiness: serving, and the store answered within readyFor.
func (a *agent) readiness(ctx context.Context) error {
	if a.draining.Load() {
		return errors.New("draining")
	}
	if time.Since(time.Unix(0, a.probed.Load())) < readyFor {
		return nil
	}
	if _, err := a.uncached.FindTokenByID(ctx, probeID); err != nil && !errors.Is(err, tokenstore.ErrNotFound) {
		return err
	}
	a.probed.Store(time.Now().UnixNano())
	return nil
}

// start listens on the API (and metrics) address and serves in the
// background.
func (a *agent) start(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	a.addr = ln.Addr()
	a.api = &http.Server{
		Handler:           a.srv.handler(),
		ReadHeaderTimeout: a.cfg.readHeaderTimeout,
		ReadTimeout:       a.cfg.readTimeout,
		// A token request may wait for a refresh up to requestTimeout.
		WriteTimeout:   a.cfg.requestTimeout + 5*time.Second,
		IdleTimeout:    time.Minute,
		MaxHeaderBytes: 16 << 10,
		ErrorLog:       slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
		BaseContext:    func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	go a.serve(a.api, netutil.LimitListener(ln, a.cfg.maxConns))
	if a.cfg.metricsAddr != "" {
		mln, err := net.Listen("tcp", a.cfg.metricsAddr)
		if err != nil {
			_ = a.api.Close()
			return fmt.Errorf("listen (metrics): %w", err)
		}
		a.maddr = mln.Addr()
		a.metrics = &http.Server{Handler: a.srv.metrics.handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
		go a.serve(a.metrics, mln)
		a.log.Info("metrics", "addr", mln.Addr().String())
	}
	a.ready = time.Since(started)
	a.log.Info("ready", "addr", a.addr.String(), "store", redactURL(a.cfg.store), "cache", a.cfg.cache,
		"lambda", a.cfg.lambdaAPI != "", "start_to_ready_ms", float64(a.ready.Microseconds())/1000)
	return nil
}

func (a *agent) serve(s *http.Server, ln net.Listener) {
	if err := s.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.failed <- err
	}
}

// stop drains: no new connections, requests in flight finish until ctx
// ends; then whatever is left is cut.
func (a *agent) stop(ctx context.Context) error {
	a.draining.Store(true)
	var err error
	if a.api != nil {
		if err = a.api.Shutdown(ctx); err != nil {
			_ = a.api.Close()
			err = fmt.Errorf("drain: %w", err)
		}
	}
	if a.metrics != nil {
		_ = a.metrics.Close()
	}
	if err == nil {
		a.log.Info("drained")
	}
	return err
}
