package integration_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore/integration"
)

// TestFaultTransport checks each fault against a local server: whether the
// server saw the request, and what the caller got.
func TestFaultTransport(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()

	tests := []struct {
		fault      integration.Fault
		wantServed int64
		wantErr    error
	}{
		{integration.FailBefore, 0, integration.ErrFaultInjected},
		{integration.LoseAnswer, 1, integration.ErrFaultInjected},
		{integration.Stall, 0, context.DeadlineExceeded},
		{integration.ApplyThenStall, 1, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.fault.String(), func(t *testing.T) {
			ft := integration.NewFaultTransport(nil)
			client := &http.Client{Transport: ft}
			get := func() error {
				ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
				defer cancel()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
				resp, err := client.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				return err
			}
			ft.Inject(2, tt.fault, false)
			before := served.Load()
			if err := get(); err != nil {
				t.Fatalf("request 1: %v; want no fault", err)
			}
			if err := get(); !errors.Is(err, tt.wantErr) {
				t.Fatalf("request 2: got %v; want %v", err, tt.wantErr)
			}
			if err := get(); err != nil {
				t.Fatalf("request 3 (not sticky): %v; want no fault", err)
			}
			if got := served.Load() - before; got != 2+tt.wantServed {
				t.Fatalf("server saw %d requests; want %d", got, 2+tt.wantServed)
			}
			if ft.Requests() != 3 || ft.Faulted() != 1 {
				t.Fatalf("Requests %d, Faulted %d; want 3, 1", ft.Requests(), ft.Faulted())
			}
			ft.Inject(1, tt.fault, true)
			for i := range 2 {
				if err := get(); !errors.Is(err, tt.wantErr) {
					t.Fatalf("sticky request %d: got %v; want %v", i+1, err, tt.wantErr)
				}
			}
		})
	}
}
