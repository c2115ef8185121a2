package vault

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// faultKind is what the fake Vault does to a request picked by a faultPlan.
// The server has always read the whole request first.
//
// The api client resends a request after a connection error or a 5xx
// answer (api.Config.MaxRetries, 2 by default, waiting MinRetryWait, a
// second by default, first), so with resends on, a one-off faultUnavailable
// or faultDropBefore is invisible to the caller, and the resend of a
// faultLoseAnswer write reaches the server a second time. Go's own
// transport also resends, once and by itself, a GET whose reused
// connection is closed without an answer; PUT, POST and DELETE it never
// resends.
type faultKind int

const (
	faultNone faultKind = iota
	// faultUnavailable answers 503 without applying the request.
	faultUnavailable
	// faultDropBefore closes the connection without applying the request
	// or answering: a crash or reset before the server acted.
	faultDropBefore
	// faultStall holds the request, not applied, until the client gives up
	// (closes the connection, as it does when its context ends) or the
	// test ends.
	faultStall
	// faultLoseAnswer applies the request, then closes the connection
	// without answering: a reset or crash after the server acted.
	faultLoseAnswer
	// faultApplyStall applies the request, then holds the answer until the
	// client gives up: a lost answer that costs the caller its deadline.
	faultApplyStall
)

var faultKinds = []faultKind{faultUnavailable, faultDropBefore, faultStall, faultLoseAnswer, faultApplyStall}

func (k faultKind) String() string {
	return [...]string{"none", "unavailable", "drop-before", "stall", "lose-answer", "apply-stall"}[k]
}

// applies reports whether a request hit by the fault was applied.
func (k faultKind) applies() bool { return k == faultLoseAnswer || k == faultApplyStall }

// faultPlan picks the requests that get a fault: the at-th request that
// matches from the moment of inject (1-based), and, when sticky, every
// matching request after it.
type faultPlan struct {
	mu     sync.Mutex
	kind   faultKind
	at     int
	match  func(*http.Request) bool
	sticky bool
	seen   int // matching requests since inject
	fired  int // requests that got the fault
}

func (p *faultPlan) next(r *http.Request) faultKind {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.kind == faultNone || (p.match != nil && !p.match(r)) {
		return faultNone
	}
	p.seen++
	if p.seen == p.at || (p.sticky && p.seen > p.at) {
		p.fired++
		return p.kind
	}
	return faultNone
}

// inject plans kind for the at-th request from now that matches (nil:
// every request), and for every later one when sticky. It replaces any
// earlier plan.
func (f *fakeVault) inject(kind faultKind, at int, match func(*http.Request) bool, sticky bool) {
	f.faults.mu.Lock()
	defer f.faults.mu.Unlock()
	p := &f.faults
	p.kind, p.at, p.match, p.sticky, p.seen, p.fired = kind, at, match, sticky, 0, 0
}

// faulted returns how many requests got the planned fault.
func (f *fakeVault) faulted() int {
	f.faults.mu.Lock()
	defer f.faults.mu.Unlock()
	return f.faults.fired
}

// seen returns how many matching requests arrived since inject.
func (f *fakeVault) seen() int {
	f.faults.mu.Lock()
	defer f.faults.mu.Unlock()
	return f.faults.seen
}

// isWrite matches every request that may change something.
func isWrite(r *http.Request) bool { return r.Method != http.MethodGet && r.Method != "LIST" }

// TestFakeFaults checks what each fault does to one create-only write: a
// client that does not resend sees every fault; one that resends gets
// through a failure before the server applied the write, and after a lost
// answer its resend is refused, the write having landed.
func TestFakeFaults(t *testing.T) {
	tests := []struct {
		kind    faultKind
		resend  bool
		wantErr string // "" for success
	}{
		{faultUnavailable, false, "Code: 503"},
		{faultDropBefore, false, "EOF"},
		{faultStall, false, "context deadline exceeded"},
		{faultLoseAnswer, false, "EOF"},
		{faultApplyStall, false, "context deadline exceeded"},
		{faultUnavailable, true, ""},
		{faultDropBefore, true, ""},
		{faultLoseAnswer, true, "check-and-set parameter did not match the current version"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/resend=%v", tt.kind, tt.resend), func(t *testing.T) {
			t.Parallel()
			f := newFakeVault(t)
			c := f.client(t, func(cfg *api.Config) {
				cfg.MaxRetries = 0
				if tt.resend {
					cfg.MaxRetries = 2
				}
				cfg.MinRetryWait, cfg.MaxRetryWait = time.Millisecond, time.Millisecond
			})
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			// The fault hits the second write; the read is not counted.
			f.inject(tt.kind, 2, isWrite, false)
			if _, err := c.Logical().ReadWithContext(ctx, "secret/data/x"); err != nil {
				t.Fatal(err)
			}
			write := func() error {
				_, err := c.Logical().WriteWithContext(ctx, "secret/data/x",
					map[string]any{"data": map[string]any{"v": "1"}, "options": map[string]any{"cas": f.currentVersion("secret", "x")}})
				return err
			}
			if err := write(); err != nil {
				t.Fatalf("first write: %v", err)
			}
			err := write()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got %v; want success", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("got %v; want an error with %q", err, tt.wantErr)
			}
			if got := f.faulted(); got != 1 {
				t.Errorf("%d requests faulted; want 1", got)
			}
			want := 1
			if tt.kind.applies() || tt.resend {
				want = 2
			}
			if got := f.currentVersion("secret", "x"); got != want {
				t.Errorf("x is at version %d; want %d", got, want)
			}
		})
	}
}
