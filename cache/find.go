package cache

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/tokenstore-go/tokenstore"
)

// Cached ErrNotFound answers, made once so that a negative hit allocates
// nothing either.
var (
	errCachedNotFound     = fmt.Errorf("cache: find: cached answer: %w", tokenstore.ErrNotFound)
	errCachedNotFoundByID = fmt.Errorf("cache: find by id: cached answer: %w", tokenstore.ErrNotFound)
)

func cachedNotFound(op string) error {
	if op == opFindByID {
		return errCachedNotFoundByID
	}
	return errCachedNotFound
}

// FindToken returns the record matching q under the lookup rules: from
// memory when it holds a fresh one, else from the backend, in one backend
// call however many callers miss on the same key at once.
func (s *Store) FindToken(ctx context.Context, q tokenstore.Token) (tokenstore.Token, error) {
	k, err := tokenstore.Lookup(q)
	if err != nil {
		return tokenstore.Token{}, fmt.Errorf("cache: find: %w", err)
	}
	e, h, err := s.hit(ctx, opFind, k)
	switch {
	case e != nil:
		return e.answer(opFind)
	case err != nil:
		return tokenstore.Token{}, err
	}
	return s.miss(ctx, opFind, k, q, h)
}

// FindTokenByID returns the record with the given ID, as FindToken does.
func (s *Store) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	// No entry is ever cached under an invalid ID (see cacheable), so the
	// ID is checked only on a miss.
	k := tokenstore.Key{Kind: tokenstore.KeyID, Value: id}
	e, h, err := s.hit(ctx, opFindByID, k)
	switch {
	case e != nil:
		return e.answer(opFindByID)
	case err != nil:
		return tokenstore.Token{}, err
	}
	return s.miss(ctx, opFindByID, k, tokenstore.Token{ID: id}, h)
}

// hit is the hot path, which must not allocate: it returns the entry that
// answers k now, counted and reported, or nil and k's hash for miss, or
// the context's error. The query and the record are not passed through it,
// to spare copying them.
func (s *Store) hit(ctx context.Context, op string, k tokenstore.Key) (*entry, uint64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("cache: %s: %w", errOp(op), err)
	}
	e, h := s.get(k)
	if e == nil || !e.answers(k, s.mono()) {
		return nil, h, nil
	}
	if !e.visited.Load() {
		e.visited.Store(true)
	}
	s.hot[h%numCounters].hits.Add(1)
	s.emit(Event{Kind: EventHit, Op: op, Key: k.Kind})
	return e, h, nil
}

// answer returns what e says to a find.
func (e *entry) answer(op string) (tokenstore.Token, error) {
	if e.neg {
		return tokenstore.Token{}, cachedNotFound(op)
	}
	return e.tok, nil
}

// miss counts and reports a miss and loads k.
func (s *Store) miss(ctx context.Context, op string, k tokenstore.Key, q tokenstore.Token, h uint64) (tokenstore.Token, error) {
	if op == opFindByID {
		if err := tokenstore.ValidateID(q.ID); err != nil {
			return tokenstore.Token{}, fmt.Errorf("cache: find by id: %w", err)
		}
	}
	s.hot[h%numCounters].misses.Add(1)
	s.emit(Event{Kind: EventMiss, Op: op, Key: k.Kind})
	return s.load(ctx, op, k, q)
}

// lookupFresh returns the entry that answers k at now, or nil.
func (s *Store) lookupFresh(k tokenstore.Key, now int64) *entry {
	if e, _ := s.get(k); e != nil && e.answers(k, now) {
		return e
	}
	return nil
}

// loadResult is what one backend find gives every caller that waited for it.
type loadResult struct {
	tok      tokenstore.Token
	err      error
	loaded   bool // a backend call was made (not answered from memory)
	panicked any  // the backend's panic value, re-raised in every caller
}

// load waits, bounded by ctx, for the one backend find in flight for k,
// starting it if there is none.
func (s *Store) load(ctx context.Context, op string, k tokenstore.Key, q tokenstore.Token) (tokenstore.Token, error) {
	var ran bool // this caller's function made the backend call
	ch := s.group.DoChan(flightKey(k), func() (any, error) {
		r := s.fetch(ctx, op, k, q)
		ran = r.loaded
		return r, nil
	})
	s.waiting.Add(1)
	defer s.waiting.Add(-1)
	select {
	case <-ctx.Done():
		return tokenstore.Token{}, fmt.Errorf("cache: %s: %w", errOp(op), ctx.Err())
	case res := <-ch:
		r := res.Val.(*loadResult)
		if !ran {
			s.ctr.coalesced.Add(1)
			s.emit(Event{Kind: EventCoalesced, Op: op, Key: k.Kind})
		}
		if r.panicked != nil {
			panic(r.panicked)
		}
		return s.answer(op, k, r)
	}
}

// fetch makes the backend find for k, detached from the cancellation of
// the caller that happened to start it, and caches the result.
func (s *Store) fetch(ctx context.Context, op string, k tokenstore.Key, q tokenstore.Token) *loadResult {
	at := s.now()
	// A caller that missed just before another load filled k finds it here.
	if e := s.lookupFresh(k, s.rel(at)); e != nil {
		if e.neg {
			return &loadResult{err: cachedNotFound(op)}
		}
		return &loadResult{tok: e.tok}
	}
	start := s.begin()
	lctx, cancel := s.loadContext(ctx)
	defer cancel()
	r := &loadResult{loaded: true}
	r.tok, r.err, r.panicked = s.call(lctx, op, q)
	took := s.now().Sub(at)
	evicted := s.finishLoad(k, start, at, r.tok, r.err)

	s.ctr.loads.Add(1)
	s.emit(Event{Kind: EventLoad, Op: op, Key: k.Kind, Duration: took, Err: r.err})
	s.report(op, k.Kind, r.err)
	s.emitEvictions(evicted)
	return r
}

// call makes the backend find, turning a panic into a value so that the
// bookkeeping still runs.
func (s *Store) call(ctx context.Context, op string, q tokenstore.Token) (tok tokenstore.Token, err error, panicked any) {
	defer func() {
		if panicked = recover(); panicked != nil {
			err = errors.New("cache: backend panicked")
		}
	}()
	if op == opFindByID {
		tok, err = s.next.FindTokenByID(ctx, q.ID)
	} else {
		tok, err = s.next.FindToken(ctx, q)
	}
	return tok, err, nil
}

func (s *Store) loadContext(ctx context.Context) (context.Context, context.CancelFunc) {
	lctx := context.WithoutCancel(ctx)
	if s.cfg.loadTimeout > 0 {
		return context.WithTimeout(lctx, s.cfg.loadTimeout)
	}
	return lctx, func() {}
}

// answer turns a load's result into one caller's answer, serving a stale
// value instead of a backend failure when StaleIfError allows.
func (s *Store) answer(op string, k tokenstore.Key, r *loadResult) (tokenstore.Token, error) {
	if r.err == nil || s.cfg.staleIfError <= 0 || !failure(r.err) {
		return r.tok, r.err
	}
	e, _ := s.get(k)
	if e == nil || e.neg || s.mono() >= e.keep || !k.Matches(e.tok) {
		return r.tok, r.err
	}
	s.ctr.stale.Add(1)
	s.emit(Event{Kind: EventStale, Op: op, Key: k.Kind, Err: r.err})
	return e.tok, nil
}

// failure reports whether err is a failure of the backend rather than an
// answer the contract defines (not found, invalid, duplicate, too large).
func failure(err error) bool {
	for _, answer := range []error{
		tokenstore.ErrNotFound, tokenstore.ErrInvalidToken,
		tokenstore.ErrDuplicate, tokenstore.ErrTooLarge,
	} {
		if errors.Is(err, answer) {
			return false
		}
	}
	return true
}

// report counts and reports a failed backend call.
func (s *Store) report(op string, kind tokenstore.KeyKind, err error) {
	if err != nil && failure(err) {
		s.ctr.errors.Add(1)
		s.emit(Event{Kind: EventError, Op: op, Key: kind, Err: err})
	}
}

func (s *Store) emitEvictions(n int) {
	for range n {
		s.emit(Event{Kind: EventEvict})
	}
}

// flightKey is the singleflight key for k: kind, length-prefixed client ID,
// value, so that no two keys share one. It lives only in memory.
func flightKey(k tokenstore.Key) string {
	var n [binary.MaxVarintLen64]byte
	var b strings.Builder
	b.Grow(1 + len(n) + len(k.ClientID) + len(k.Value))
	b.WriteByte(byte(k.Kind))
	b.Write(n[:binary.PutUvarint(n[:], uint64(len(k.ClientID)))])
	b.WriteString(k.ClientID)
	b.WriteString(k.Value)
	return b.String()
}

// errOp is the operation's name as errors spell it.
func errOp(op string) string {
	switch op {
	case opFind:
		return "find"
	case opFindByID:
		return "find by id"
	case opSave:
		return "save"
	case opDelete:
		return "delete"
	case opList:
		return "list"
	case opDeleteAll:
		return "delete all"
	}
	return op
}
