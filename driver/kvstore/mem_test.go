package kvstore_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
	"github.com/tokenstore-go/tokenstore/driver/kvstore"
)

// memKV is a Backend in memory with the semantics the engine asks of a
// real one. Faults come from storetest's Injector around it.
type memKV struct {
	mu      sync.Mutex
	rev     int
	records map[string]kvstore.Rec
	entries map[string]kvstore.Entry
	scanned bool // access tokens have no lasting entries, as on awssm
	jitter  bool // each call waits up to 100 µs before and after it applies
}

func newMemKV(scanned bool) *memKV {
	return &memKV{records: map[string]kvstore.Rec{}, entries: map[string]kvstore.Entry{}, scanned: scanned, jitter: true}
}

// do runs one call: apply under the lock, unless ctx has ended, as a
// client does not send a request whose context is done.
func (m *memKV) do(ctx context.Context, apply func() error) error {
	if m.jitter {
		time.Sleep(time.Duration(rand.IntN(100)) * time.Microsecond)
		defer time.Sleep(time.Duration(rand.IntN(100)) * time.Microsecond)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return apply()
}

func (m *memKV) next() string { m.rev++; return strconv.Itoa(m.rev) }

func (m *memKV) GetRecord(ctx context.Context, id string) (kvstore.Rec, error) {
	var r kvstore.Rec
	err := m.do(ctx, func() error { r = m.records[id]; return nil })
	return r, err
}

func (m *memKV) GetRecords(ctx context.Context, ids []string) ([]kvstore.Rec, error) {
	out := make([]kvstore.Rec, len(ids))
	err := m.do(ctx, func() error {
		for i, id := range ids {
			out[i] = m.records[id]
		}
		return nil
	})
	return out, err
}

func (m *memKV) PutRecord(ctx context.Context, id string, r kvstore.Rec, rev string) error {
	return m.do(ctx, func() error {
		if m.records[id].Rev != rev {
			return kvstore.ErrStale
		}
		r.Rev = m.next()
		r.Body = append([]byte(nil), r.Body...)
		m.records[id] = r
		return nil
	})
}

// PurgeRecord leaves a shell with a revision of its own, as Vault keeps a
// purged path's metadata: revisions never come back (the Backend doc).
func (m *memKV) PurgeRecord(ctx context.Context, id, _ string, _ bool) error {
	return m.do(ctx, func() error {
		if _, ok := m.records[id]; ok {
			m.records[id] = kvstore.Rec{State: kvstore.Absent, Rev: m.next()}
		}
		return nil
	})
}

func (m *memKV) ListRecords(ctx context.Context) ([]string, error) {
	var ids []string
	err := m.do(ctx, func() error {
		for id, r := range m.records {
			if r.State != kvstore.Absent {
				ids = append(ids, id)
			}
		}
		return nil
	})
	return ids, err
}

func (m *memKV) IndexName(k tokenstore.Key) (string, bool) {
	return k.Kind.String() + "/" + driver.Digest(k, nil), !(m.scanned && k.Kind == tokenstore.KeyAccessToken)
}

func (m *memKV) GetEntry(ctx context.Context, name string) (kvstore.Entry, error) {
	var e kvstore.Entry
	err := m.do(ctx, func() error { e = m.entries[name]; return nil })
	return e, err
}

func (m *memKV) PutEntry(ctx context.Context, name, target, rev string) error {
	return m.do(ctx, func() error {
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
	return m.do(ctx, func() error {
		if m.entries[name].Rev != rev {
			return kvstore.ErrStale
		}
		m.entries[name] = kvstore.Entry{Rev: m.next()}
		return nil
	})
}

func (m *memKV) Sweep(ctx context.Context, _ func(context.Context, string) error) error {
	return m.do(ctx, func() error { clear(m.entries); return nil })
}
