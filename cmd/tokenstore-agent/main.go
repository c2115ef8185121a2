// Command tokenstore-agent serves Zoho OAuth tokens to local processes in
// any language over HTTP on loopback: the six TokenStore operations of the
// Zoho SDKs (so an SDK's TokenStore is a thin HTTP client), and valid
// access tokens through a fleet refresh, one token endpoint call per
// expiry across every agent sharing the store.
//
// It runs as a local process, as a container sidecar (/healthz, /readyz,
// SIGTERM drains) or as an AWS Lambda extension (when
// AWS_LAMBDA_RUNTIME_API is set). The HTTP API is in API.md; the store, the
// header token, the addresses and the refresh timing also come from the
// environment (see -h), as Lambda starts an extension without arguments.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// started is when the process began, for the start→ready figure.
var started = time.Now()

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stderr))
}

// run is the whole program; it returns the exit code: 0 after a clean
// stop, 1 on failure, 2 on a configuration error.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, errUsage) && getenv(envLambdaAPI) != "" {
		// In Lambda nobody reads the exit code: report it to the runtime.
		reportInitError(ctx, getenv(envLambdaAPI), err)
	}
	if err != nil {
		fmt.Fprintf(stderr, "tokenstore-agent: %v\n", err)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	log := newLogger(stderr, cfg.logLevel)
	a, err := newAgent(ctx, cfg, log)
	if err != nil {
		log.Error("start failed", "err", err.Error())
		if cfg.lambdaAPI != "" {
			reportInitError(ctx, cfg.lambdaAPI, err)
		}
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	if cfg.lambdaAPI != "" {
		err = a.runLambda(ctx)
	} else {
		err = a.runProcess(ctx)
	}
	if err != nil {
		log.Error("stopped", "err", err.Error())
		return 1
	}
	return 0
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// runProcess serves until SIGTERM or SIGINT, then drains.
func (a *agent) runProcess(ctx context.Context) error {
	if err := a.start(ctx); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		a.log.Info("signal: draining", "timeout", a.cfg.drainTimeout.String())
	case err := <-a.failed:
		a.stop(context.Background())
		return err
	}
	dctx, cancel := context.WithTimeout(context.Background(), a.cfg.drainTimeout)
	defer cancel()
	return a.stop(dctx)
}
