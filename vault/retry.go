package vault

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/tokenstore-go/tokenstore"
)

// backoff waits before attempt+1: a uniformly random time up to
// delay·2^(attempt-1), capped at maxDelay ("full jitter"), so writers that
// collided spread out instead of colliding again.
func (s *Store) backoff(ctx context.Context, attempt int) error {
	d := s.delay
	for i := 1; i < attempt && d < s.maxDelay; i++ {
		d *= 2
	}
	d = min(d, s.maxDelay)
	return s.sleep(ctx, rand.N(d)+1)
}

// locks serializes writers inside one process. On KV v2 it only saves
// round trips: goroutines saving the same lookup key take turns instead of
// losing check-and-set races to each other. On KV v1 it is the only
// protection there is, and every write takes the same lock.
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
// key ("" when there is none: such a save inserts and needs no lock on v2).
func (s *Store) writeLock(ctx context.Context, key string) (func(), error) {
	switch {
	case s.v1:
		key = "all"
	case key == "":
		return func() {}, nil
	}
	return s.locks.lock(ctx, key)
}

// withRetry runs f until it returns something other than errRetry, backing
// off between attempts; after maxAttempts it reports tokenstore.ErrConflict.
func (s *Store) withRetry(ctx context.Context, f func() error) error {
	for attempt := 1; ; attempt++ {
		err := f()
		switch {
		case !errors.Is(err, errRetry):
			return err
		case attempt >= s.maxAttempts:
			return fmt.Errorf("%w: gave up after %d attempts", tokenstore.ErrConflict, attempt)
		}
		if err := s.backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// forEach calls f for 0..n-1 with at most Options.ReadParallelism calls
// running at once. It stops starting calls after the first error, which it
// returns.
func (s *Store) forEach(ctx context.Context, n int, f func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, s.parallel)
	var wg sync.WaitGroup
	for i := 0; i < n && ctx.Err() == nil; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := f(ctx, i); err != nil {
				cancel(err)
			}
		}()
	}
	wg.Wait()
	return context.Cause(ctx)
}
