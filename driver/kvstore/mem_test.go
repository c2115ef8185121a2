package kvstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
	"github.com/tokenstore-go/tokenstore/driver/kvstore"
)

// fault is what memKV does to one call.
type fault int

const (
	none       fault = iota
	failBefore       // error, nothing applied
	loseAnswer       // applied, then an error as if the answer was lost
	stall            // nothing applied; blocks until the caller gives up
	applyStall       // applied; blocks until the caller gives up
)

func (f fault) String() string {
	return [...]string{"none", "fail before", "lose answer", "stall", "apply then stall"}[f]
}

var errInjected = errors.New("injected fault")

// memKV is a Backend in memory with the semantics the engine asks of a
// real one, counting calls and injecting a fault at call number at.
type memKV struct {
	mu      sync.Mutex
	rev     int
	records map[string]memRec
	entries map[string]kvstore.Entry
	scanned map[tokenstore.KeyKind]bool // kinds without lasting entries
	calls   int
	writes  int
	at      int // the call (1-based) that gets the fault; 0 for none
	fault   fault
	faulted bool
	jitter  bool // each call waits up to 100 µs before and after it applies
}

type memRec struct {
	rec kvstore.Rec
}

func newMemKV() *memKV {
	return &memKV{records: map[string]memRec{}, entries: map[string]kvstore.Entry{}, scanned: map[tokenstore.KeyKind]bool{}}
}

// do runs one call: apply (nil for reads) under the lock, with the fault
// planned for this call.
func (m *memKV) do(ctx context.Context, write bool, apply func() error) error {
	if m.jitter {
		time.Sleep(time.Duration(rand.IntN(100)) * time.Microsecond)
		defer time.Sleep(time.Duration(rand.IntN(100)) * time.Microsecond)
	}
	m.mu.Lock()
	m.calls++
	f := none
	if m.at != 0 && m.calls == m.at {
		f, m.faulted = m.fault, true
	}
	var err error
	if f != failBefore && f != stall {
		if write {
			m.writes++
		}
		err = apply()
	}
	m.mu.Unlock()
	switch f {
	case failBefore, loseAnswer:
		return fmt.Errorf("call %d: %w", m.at, errInjected)
	case stall, applyStall:
		<-ctx.Done()
		return ctx.Err()
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

func (m *memKV) next() string { m.rev++; return strconv.Itoa(m.rev) }

func (m *memKV) GetRecord(ctx context.Context, id string) (kvstore.Rec, error) {
	var r kvstore.Rec
	err := m.do(ctx, false, func() error { r = m.records[id].rec; return nil })
	return r, err
}

func (m *memKV) GetRecords(ctx context.Context, ids []string) ([]kvstore.Rec, error) {
	out := make([]kvstore.Rec, len(ids))
	err := m.do(ctx, false, func() error {
		for i, id := range ids {
			out[i] = m.records[id].rec
		}
		return nil
	})
	return out, err
}

func (m *memKV) PutRecord(ctx context.Context, id string, r kvstore.Rec, rev string) error {
	return m.do(ctx, true, func() error {
		if m.records[id].rec.Rev != rev {
			return kvstore.ErrStale
		}
		r.Rev = m.next()
		r.Body = append([]byte(nil), r.Body...)
		m.records[id] = memRec{rec: r}
		return nil
	})
}

func (m *memKV) PurgeRecord(ctx context.Context, id, _ string, _ bool) error {
	return m.do(ctx, true, func() error { delete(m.records, id); return nil })
}

func (m *memKV) ListRecords(ctx context.Context) ([]string, error) {
	var ids []string
	err := m.do(ctx, false, func() error {
		for id := range m.records {
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}

func (m *memKV) IndexName(k tokenstore.Key) (string, bool) {
	return k.Kind.String() + "/" + driver.Digest(k, nil), !m.scanned[k.Kind]
}

func (m *memKV) GetEntry(ctx context.Context, name string) (kvstore.Entry, error) {
	var e kvstore.Entry
	err := m.do(ctx, false, func() error { e = m.entries[name]; return nil })
	return e, err
}

func (m *memKV) PutEntry(ctx context.Context, name, target, rev string) error {
	return m.do(ctx, true, func() error {
		if m.entries[name].Rev != rev {
			return kvstore.ErrStale
		}
		m.entries[name] = kvstore.Entry{Target: target, Rev: m.next()}
		return nil
	})
}

// DropEntry leaves an empty shell with a new revision, as Vault's destroy
// does, so the engine's writes over a shell are exercised.
func (m *memKV) DropEntry(ctx context.Context, name, rev string) error {
	return m.do(ctx, true, func() error {
		if m.entries[name].Rev != rev {
			return kvstore.ErrStale
		}
		m.entries[name] = kvstore.Entry{Rev: m.next()}
		return nil
	})
}

func (m *memKV) Sweep(ctx context.Context, _ func(context.Context, string) error) error {
	return m.do(ctx, true, func() error { clear(m.entries); return nil })
}

// arm plans fault f for call number at, counted from now.
func (m *memKV) arm(at int, f fault) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.at, m.fault, m.faulted = m.calls+at, f, false
}

func (m *memKV) disarm() (faulted bool, calls int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	faulted = m.faulted
	m.at, m.fault = 0, none
	return faulted, m.calls
}

func (m *memKV) count() (calls, writes int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls, m.writes
}
