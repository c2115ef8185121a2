package kvstore

import (
	"context"
	"sync"
)

// locks serialises writers inside one process. With conditional writes it
// only saves round trips: goroutines saving the same lookup key take turns
// instead of losing races to each other. With Options.SingleWriter it is
// the only protection there is, and every write takes the same lock.
type locks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	ch      chan struct{}
	waiters int
}

// lock takes the lock named key, or gives up when ctx is done.
func (l *locks) lock(ctx context.Context, key string) (unlock func(), err error) {
	l.mu.Lock()
	if l.m == nil {
		l.m = make(map[string]*keyLock)
	}
	kl := l.m[key]
	if kl == nil {
		kl = &keyLock{ch: make(chan struct{}, 1)}
		l.m[key] = kl
	}
	kl.waiters++
	l.mu.Unlock()

	select {
	case kl.ch <- struct{}{}:
		return func() { <-kl.ch; l.release(key, kl) }, nil
	case <-ctx.Done():
		l.release(key, kl)
		return nil, ctx.Err()
	}
}

func (l *locks) release(key string, kl *keyLock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if kl.waiters--; kl.waiters == 0 {
		delete(l.m, key)
	}
}

// writeLock takes the in-process lock for a write whose lookup key is named
// key ("" when there is none: such a save inserts and needs no lock unless
// the backend has no conditional writes).
func (e *Engine) writeLock(ctx context.Context, key string) (func(), error) {
	switch {
	case e.o.SingleWriter:
		key = "all"
	case key == "":
		return func() {}, nil
	}
	return e.locks.lock(ctx, key)
}
