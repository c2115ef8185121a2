package cache

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/tokenstore-go/tokenstore"
)

// lookupFresh returns the entry that answers k at now, or nil.
func (s *Store) lookupFresh(k tokenstore.Key, now int64) *entry {
	if e := s.get(&k); e != nil && now < e.fresh {
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
	ch := s.group.DoChan(flightKey(k, s.gen.Load()), func() (any, error) {
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
		return s.orStale(op, k, r)
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
	c := s.begin(false)
	lctx, cancel := s.loadContext(ctx)
	defer cancel()
	r := &loadResult{loaded: true}
	r.tok, r.err, r.panicked = s.call(lctx, op, q)
	took := s.now().Sub(at)
	evicted := s.finishLoad(k, c, at, r.tok, r.err)

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

// orStale turns a load's result into one caller's answer, serving a stale
// value instead of a backend failure when StaleIfError allows.
func (s *Store) orStale(op string, k tokenstore.Key, r *loadResult) (tokenstore.Token, error) {
	if r.err == nil || s.cfg.staleIfError <= 0 || !failure(r.err) {
		return r.tok, r.err
	}
	e := s.get(&k)
	if e == nil || e.neg || s.mono() >= e.keep {
		return r.tok, r.err
	}
	s.ctr.stale.Add(1)
	s.emit(Event{Kind: EventStale, Op: op, Key: k.Kind, Err: r.err})
	return e.tok, nil
}

// flightKey is the singleflight key for k among the loads begun after
// the gen-th backend call ended: kind, gen in 8 bytes, length-prefixed client ID,
// value, so that no two keys share one. It lives only in memory.
func flightKey(k tokenstore.Key, gen uint64) string {
	var n [binary.MaxVarintLen64]byte
	var b strings.Builder
	b.Grow(9 + len(n) + len(k.ClientID) + len(k.Value))
	b.WriteByte(byte(k.Kind))
	b.Write(binary.BigEndian.AppendUint64(n[:0], gen))
	b.Write(n[:binary.PutUvarint(n[:], uint64(len(k.ClientID)))])
	b.WriteString(k.ClientID)
	b.WriteString(k.Value)
	return b.String()
}
