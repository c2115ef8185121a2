package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

// The cases of the read-modify-write capability, run for stores that offer
// it (see supportsUpdate).

// update calls UpdateToken on s, which the case knows is an Updater.
func update(e *env, s tokenstore.Store, id string, fn func(tokenstore.Record) (tokenstore.Record, error)) (tokenstore.Record, error) {
	return s.(tokenstore.Updater).UpdateToken(e.ctx, id, fn)
}

// counterMeta is the metadata entry the cases count in.
const counterMeta = "storetest.counter"

func counter(m tokenstore.Meta) int {
	n, _ := strconv.Atoi(string(m[counterMeta]))
	return n
}

func withCounter(m tokenstore.Meta, n int) tokenstore.Meta {
	m = m.Clone()
	if m == nil {
		m = tokenstore.Meta{}
	}
	m[counterMeta] = json.RawMessage(strconv.Itoa(n))
	return m
}

var updateCases = []testCase{
	{"UpdateToken/ChangesTokenAndMeta", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		newAT := "secret-at-updated-" + e.tag
		got, err := update(e, e.s, a.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
			r.Token.AccessToken = newAT
			r.Meta = withCounter(r.Meta, 1)
			return r, nil
		})
		if err != nil {
			t.Fatalf("UpdateToken: %v", err)
		}
		want := a
		want.AccessToken = newAT
		wantToken(t, "UpdateToken result", got.Token, want)
		if counter(got.Meta) != 1 {
			t.Fatalf("UpdateToken result meta %v; want the counter at 1", got.Meta)
		}
		wantToken(t, "FindTokenByID after UpdateToken", find(t, e, e.peer(t), tokenstore.Token{ID: a.ID}), want)
		wantToken(t, "FindToken by the new access token", find(t, e, e.peer(t), tokenstore.Token{AccessToken: newAT}), want)
		_, err = e.peer(t).FindToken(e.ctx, tokenstore.Token{AccessToken: a.AccessToken})
		wantErr(t, "FindToken by the old access token", err, tokenstore.ErrNotFound, a)
	}, false},
	{"UpdateToken/MetaSurvivesSaveAndStaysOutOfTokens", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		if _, err := update(e, e.s, a.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
			r.Meta = withCounter(r.Meta, 7)
			return r, nil
		}); err != nil {
			t.Fatalf("UpdateToken: %v", err)
		}
		// A save by user name merges into the record and keeps its meta.
		save(t, e, e.peer(t), tokenstore.Token{UserName: a.UserName, AccessToken: "secret-at-saved-" + e.tag})
		got, err := update(e, e.peer(t), a.ID, func(r tokenstore.Record) (tokenstore.Record, error) { return r, nil })
		if err != nil || counter(got.Meta) != 7 {
			t.Fatalf("after SaveToken: meta %v, %v; want the counter still at 7", got.Meta, err)
		}
		if got.Token.AccessToken != "secret-at-saved-"+e.tag {
			t.Fatalf("UpdateToken read %v; want the saved access token", got.Token)
		}
		wantToken(t, "GetTokens", list(t, e, e.s)[0], got.Token)
	}, false},
	{"UpdateToken/UnchangedWritesNothing", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		before := writes(e, e.s)
		calls := 0
		got, err := update(e, e.s, a.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
			calls++
			return r, nil
		})
		if err != nil || calls != 1 {
			t.Fatalf("UpdateToken(identity): %v after %d calls of fn; want success after 1", err, calls)
		}
		wantToken(t, "UpdateToken(identity) result", got.Token, a)
		if w := writes(e, e.s); w != before {
			t.Fatalf("UpdateToken that changed nothing made %d writes; want 0", w-before)
		}
	}, false},
	{"UpdateToken/RefusedWritesNothing", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		b := save(t, e, e.s, e.token(2))
		errMine := errors.New("storetest: the caller's own error")
		for _, c := range []struct {
			name string
			fn   func(r tokenstore.Record) (tokenstore.Record, error)
			want error
		}{
			{"fn error", func(r tokenstore.Record) (tokenstore.Record, error) { return r, errMine }, errMine},
			{"new ID", func(r tokenstore.Record) (tokenstore.Record, error) { r.Token.ID += "x"; return r, nil }, tokenstore.ErrInvalidToken},
			{"no token", func(r tokenstore.Record) (tokenstore.Record, error) {
				r.Token.AccessToken, r.Token.RefreshToken, r.Token.GrantToken = "", "", ""
				return r, nil
			}, tokenstore.ErrInvalidToken},
			{"bad meta", func(r tokenstore.Record) (tokenstore.Record, error) {
				r.Meta = tokenstore.Meta{"x": json.RawMessage("{")}
				return r, nil
			}, tokenstore.ErrInvalidToken},
			{"another's user name", func(r tokenstore.Record) (tokenstore.Record, error) {
				r.Token.UserName = b.UserName
				return r, nil
			}, tokenstore.ErrDuplicate},
		} {
			_, err := update(e, e.s, a.ID, c.fn)
			wantErr(t, "UpdateToken("+c.name+")", err, c.want, a, b)
			wantToken(t, "record after UpdateToken("+c.name+")", find(t, e, e.s, tokenstore.Token{ID: a.ID}), a)
		}
	}, false},
	{"UpdateToken/MissingAndInvalid", func(t *testing.T, e *env) {
		called := false
		fn := func(r tokenstore.Record) (tokenstore.Record, error) { called = true; return r, nil }
		_, err := update(e, e.s, "missing-"+e.tag, fn)
		wantErr(t, "UpdateToken(missing)", err, tokenstore.ErrNotFound)
		_, err = update(e, e.s, "../"+e.tag, fn)
		wantErr(t, "UpdateToken(invalid ID)", err, tokenstore.ErrInvalidToken)
		if called {
			t.Fatal("UpdateToken called fn for a record that does not exist")
		}
		ctx, cancel := context.WithCancel(e.ctx)
		cancel()
		a := save(t, e, e.s, e.token(1))
		_, err = e.s.(tokenstore.Updater).UpdateToken(ctx, a.ID, fn)
		wantErr(t, "UpdateToken(cancelled)", err, context.Canceled)
	}, false},
	{"UpdateToken/ConcurrentNoLostUpdate", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		const perWriter = 3
		stores := []tokenstore.Store{e.s, e.peer(t)}
		var wg sync.WaitGroup
		errs := make(chan error, len(stores)*writersPerStore/4*perWriter)
		for _, s := range stores {
			for range writersPerStore / 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range perWriter {
						_, err := updateRetrying(e, s, a.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
							r.Meta = withCounter(r.Meta, counter(r.Meta)+1)
							return r, nil
						})
						if err != nil {
							errs <- err
						}
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("UpdateToken: %v", err)
		}
		got, err := update(e, e.s, a.ID, func(r tokenstore.Record) (tokenstore.Record, error) { return r, nil })
		want := len(stores) * writersPerStore / 4 * perWriter
		if err != nil || counter(got.Meta) != want {
			t.Fatalf("counter %d, %v; want %d: an increment was lost", counter(got.Meta), err, want)
		}
		wantToken(t, "record after the increments", got.Token, a)
	}, true},
}

// updateRetrying retries ErrConflict, which a store returns only when it
// wrote nothing.
func updateRetrying(e *env, s tokenstore.Store, id string, fn func(tokenstore.Record) (tokenstore.Record, error)) (tokenstore.Record, error) {
	var (
		r   tokenstore.Record
		err error
	)
	for range maxRetries {
		if r, err = update(e, s, id, fn); !errors.Is(err, tokenstore.ErrConflict) {
			break
		}
	}
	return r, err
}

// writes returns the harness's write count of s, or 0 without one.
func writes(e *env, s tokenstore.Store) int64 {
	if e.h.Writes == nil {
		return 0
	}
	return e.h.Writes(s)
}

// supportsUpdate reports whether the stores h makes can read-modify-write:
// they implement tokenstore.Updater and do not refuse it with
// errors.ErrUnsupported (as a cache in front of a store without it does).
func supportsUpdate(t *testing.T, h Harness) bool {
	t.Helper()
	s, ok := h.NewStore(t, "probe"+randHex(5)).(tokenstore.Updater)
	if !ok {
		return false
	}
	_, err := s.UpdateToken(context.Background(), "probe", func(r tokenstore.Record) (tokenstore.Record, error) { return r, nil })
	return !errors.Is(err, errors.ErrUnsupported)
}
