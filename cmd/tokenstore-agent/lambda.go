package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// The Lambda Extensions API (2020-01-01), as the AWS documentation and the
// Lambda Runtime Interface Emulator (internal/lambda/rapi) define it.
const (
	extensionAPI    = "/2020-01-01/extension"
	hdrExtName      = "Lambda-Extension-Name"
	hdrExtID        = "Lambda-Extension-Identifier"
	hdrExtErrorType = "Lambda-Extension-Function-Error-Type"
	// shutdownMargin is kept back from SHUTDOWN's deadline, so that the
	// process has exited when Lambda's deadline comes.
	shutdownMargin = 100 * time.Millisecond
)

// extensionEvent is what /extension/event/next returns.
type extensionEvent struct {
	EventType      string `json:"eventType"`
	DeadlineMs     int64  `json:"deadlineMs"`
	ShutdownReason string `json:"shutdownReason"`
}

// extensionClient talks to the Extensions API at AWS_LAMBDA_RUNTIME_API.
type extensionClient struct {
	base string // http://host:port/2020-01-01/extension
	http *http.Client
	id   string // Lambda-Extension-Identifier, after register
}

func newExtensionClient(runtimeAPI string) *extensionClient {
	// No timeout: event/next blocks until the next event, and the process
	// is frozen between invokes anyway.
	return &extensionClient{base: "http://" + runtimeAPI + extensionAPI, http: &http.Client{}}
}

// extensionName is the name Lambda knows the extension by: its file name
// in /opt/extensions.
func extensionName() string { return filepath.Base(os.Args[0]) }

// register registers for INVOKE and SHUTDOWN events.
func (c *extensionClient) register(ctx context.Context) error {
	body := []byte(`{"events":["INVOKE","SHUTDOWN"]}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/register", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set(hdrExtName, extensionName())
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("extension register: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("extension register: %s: %s", resp.Status, snippet(resp.Body))
	}
	c.id = resp.Header.Get(hdrExtID)
	if c.id == "" {
		return errors.New("extension register: no " + hdrExtID + " in the answer")
	}
	return nil
}

// next blocks until the next event.
func (c *extensionClient) next(ctx context.Context) (extensionEvent, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/event/next", nil)
	if err != nil {
		return extensionEvent{}, err
	}
	req.Header.Set(hdrExtID, c.id)
	resp, err := c.http.Do(req)
	if err != nil {
		return extensionEvent{}, fmt.Errorf("extension next event: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return extensionEvent{}, fmt.Errorf("extension next event: %s: %s", resp.Status, snippet(resp.Body))
	}
	var ev extensionEvent
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&ev); err != nil {
		return extensionEvent{}, fmt.Errorf("extension next event: %w", err)
	}
	return ev, nil
}

// initError tells Lambda the extension could not start; Lambda then fails
// the init phase with this error type.
func (c *extensionClient) initError(ctx context.Context, cause error) error {
	msg, _ := json.Marshal(map[string]string{"errorMessage": cause.Error(), "errorType": "Extension.ConfigError"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/init/error", bytes.NewReader(msg))
	if err != nil {
		return err
	}
	req.Header.Set(hdrExtID, c.id)
	req.Header.Set(hdrExtErrorType, "Extension.ConfigError")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func snippet(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, 512))
	return string(bytes.TrimSpace(b))
}

// reportInitError registers (an extension must, to report) and reports
// cause as an init error. Best effort: the process exits anyway.
func reportInitError(ctx context.Context, runtimeAPI string, cause error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c := newExtensionClient(runtimeAPI)
	if c.register(ctx) == nil {
		_ = c.initError(ctx, cause)
	}
}

// runLambda runs as a Lambda extension: it listens, registers, and serves
// through INVOKE events until SHUTDOWN (or SIGTERM), then drains within
// SHUTDOWN's deadline and returns.
//
// Lambda ends the init phase once every extension has asked for its next
// event, so the API listens before the first next: the function's first
// request finds it ready.
func (a *agent) runLambda(ctx context.Context) error {
	if err := a.start(ctx); err != nil {
		reportInitError(ctx, a.cfg.lambdaAPI, err)
		return err
	}
	c := newExtensionClient(a.cfg.lambdaAPI)
	if err := c.register(ctx); err != nil {
		a.stop(context.Background())
		return err
	}
	a.log.Info("extension registered", "name", extensionName(), "start_to_registered_ms", float64(time.Since(started).Microseconds())/1000)
	deadline := time.Now().Add(a.cfg.drainTimeout)
	for {
		ev, err := c.next(ctx)
		if ctx.Err() != nil {
			a.log.Info("signal: draining")
			break
		}
		if err != nil {
			a.stop(context.Background())
			return err
		}
		if ev.EventType == "SHUTDOWN" {
			a.log.Info("shutdown event", "reason", ev.ShutdownReason)
			if ev.DeadlineMs > 0 {
				deadline = time.UnixMilli(ev.DeadlineMs).Add(-shutdownMargin)
			}
			break
		}
	}
	dctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	return a.stop(dctx)
}
