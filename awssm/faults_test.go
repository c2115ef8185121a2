package awssm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
	"github.com/tokenstore-go/tokenstore/driver"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// The fault test plays every fault of smClient at every call of each write
// operation, over the fake, and checks what the contract promises after an
// uncertain outcome (doc.go, "Deadlines, uncertain outcomes and unreadable
// records"): the operation returns soon after its context ends; the record it
// does not touch is intact and found by every key; what a lookup finds holds
// the key; no user name has two records; the record it changes is in its old
// state or its new one; and the same operation retried by a healthy store
// succeeds, leaving what a successful run leaves, with no wait on any clock:
// what the fault left is repaired by the retry itself.

// smFaultBound is how long after its context ends a faulted operation may
// return: the documented 100 ms, with room for the race detector.
const smFaultBound = 250 * time.Millisecond

// smFaultedWrite is one write operation of the fault test on records a, b.
type smFaultedWrite struct {
	name string
	run  func(ctx context.Context, s tokenstore.Store, a tokenstore.Token) error
	// want is record a after a successful run; ok false: a is gone. For
	// the insert, it is the record inserted.
	want func(a tokenstore.Token) (tokenstore.Token, bool)
	// all marks DeleteTokens, which removes b too.
	all bool
}

var smFaultedWrites = []smFaultedWrite{
	{name: "Insert", run: func(ctx context.Context, s tokenstore.Store, a tokenstore.Token) error {
		c := smFullToken(a.ID, 3)
		return s.SaveToken(ctx, &c)
	}, want: func(a tokenstore.Token) (tokenstore.Token, bool) { return smFullToken(a.ID, 3), true }},
	{name: "UpdateSameKeys", run: func(ctx context.Context, s tokenstore.Store, a tokenstore.Token) error {
		u := tokenstore.Token{UserName: a.UserName, AccessToken: a.AccessToken + "-new"}
		return s.SaveToken(ctx, &u)
	}, want: func(a tokenstore.Token) (tokenstore.Token, bool) { a.AccessToken += "-new"; return a, true }},
	{name: "UpdateToken", run: func(ctx context.Context, s tokenstore.Store, a tokenstore.Token) error {
		_, err := s.(tokenstore.Updater).UpdateToken(ctx, a.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
			r.Token.AccessToken = a.AccessToken + "-upd"
			return r, nil
		})
		return err
	}, want: func(a tokenstore.Token) (tokenstore.Token, bool) { a.AccessToken += "-upd"; return a, true }},
	{name: "UpdateKeyChange", run: func(ctx context.Context, s tokenstore.Store, a tokenstore.Token) error {
		u := tokenstore.Token{ID: a.ID, UserName: "moved-" + a.UserName, RefreshToken: a.RefreshToken + "-new", GrantToken: a.GrantToken + "-new"}
		return s.SaveToken(ctx, &u)
	}, want: func(a tokenstore.Token) (tokenstore.Token, bool) {
		a.UserName, a.RefreshToken, a.GrantToken = "moved-"+a.UserName, a.RefreshToken+"-new", a.GrantToken+"-new"
		return a, true
	}},
	{name: "DeleteToken", run: func(ctx context.Context, s tokenstore.Store, a tokenstore.Token) error {
		return s.DeleteToken(ctx, a.ID)
	}, want: func(tokenstore.Token) (tokenstore.Token, bool) { return tokenstore.Token{}, false }},
	{name: "DeleteTokens", all: true, run: func(ctx context.Context, s tokenstore.Store, _ tokenstore.Token) error {
		return s.DeleteTokens(ctx)
	}, want: func(tokenstore.Token) (tokenstore.Token, bool) { return tokenstore.Token{}, false }},
}

// smFullToken is a record with every lookup key set.
func smFullToken(tag string, i int) tokenstore.Token {
	return tokenstore.Token{
		UserName: fmt.Sprintf("user-%d-%s@example.com", i, tag), ClientID: "1000.client", ClientSecret: "secret-cs",
		RefreshToken: fmt.Sprintf("secret-rt-%d-%s", i, tag), AccessToken: fmt.Sprintf("secret-at-%d-%s", i, tag),
		GrantToken: fmt.Sprintf("secret-gt-%d-%s", i, tag), APIDomain: "https://www.zohoapis.com",
	}
}

func TestWritesUnderFaults(t *testing.T) {
	for _, mode := range smModes {
		for _, op := range smFaultedWrites {
			t.Run(mode.name+"/"+op.name, func(t *testing.T) {
				t.Parallel()
				calls := smFaultRun(t, mode.opts, op, smNoFault, 0)
				for _, fault := range smFaults {
					for n := int64(1); n <= calls; n++ {
						t.Run(fmt.Sprintf("%s@%d", fault, n), func(t *testing.T) {
							t.Parallel()
							smFaultRun(t, mode.opts, op, fault, n)
						})
					}
				}
			})
		}
	}
}

// smFaultRun seeds records a and b on a fresh fake, runs op with fault at
// its n-th call, checks the state, and returns how many calls op made.
func smFaultRun(t *testing.T, opts awssm.Options, op smFaultedWrite, fault smFault, n int64) int64 {
	ctx := context.Background()
	srv := newSMServer()
	newStore := func(c *smClient) *awssm.Store {
		o := opts
		o.Prefix, o.Pepper = "faults/", smPepper
		o.RetryDelay, o.MaxRetryDelay, o.MaxAttempts = time.Millisecond, 2*time.Millisecond, 4
		s, err := awssm.New(c, &o)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	clean := newStore(newSMClient(srv))
	a, b := smFullToken("a", 1), smFullToken("b", 2)
	for _, p := range []*tokenstore.Token{&a, &b} {
		if err := clean.SaveToken(ctx, p); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	faulty := newSMClient(srv)
	opCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var mu sync.Mutex
	var expired time.Time
	faulty.failWhen(func(i int64, _ string) smFault {
		if i != n {
			return smNoFault
		}
		if fault == smStall || fault == smApplyThenStall {
			// The call hangs until the caller's deadline: let that pass
			// now instead of waiting for it.
			mu.Lock()
			expired = time.Now()
			mu.Unlock()
			cancel()
		}
		return fault
	})
	err := op.run(opCtx, newStore(faulty), a)
	returned := time.Now()
	if fault == smNoFault {
		if err != nil {
			t.Fatalf("%s without faults: %v", op.name, err)
		}
		return faulty.count()
	}
	mu.Lock()
	if !expired.IsZero() && returned.Sub(expired) > smFaultBound {
		t.Errorf("returned %v after its context ended; want within %v", returned.Sub(expired), smFaultBound)
	}
	mu.Unlock()
	if err == nil {
		// The fault hit a best-effort call after the write (the release of
		// an index entry the record no longer holds): it leaves a stale
		// entry, a miss for readers, and the save stands.
		t.Logf("%s succeeded through %s@%d", op.name, fault, n)
	}
	if err != nil && smSecretIn(err, a, b) {
		t.Errorf("error shows a secret: %v", err)
	}
	if !op.all {
		storetest.WantFound(t, context.Background(), clean, b, "bystander")
	}
	storetest.WantCoherent(t, context.Background(), clean)
	got, gerr := clean.FindTokenByID(ctx, a.ID)
	want, wantOK := op.want(a)
	switch {
	case op.name == "Insert" || op.all:
	case errors.Is(gerr, tokenstore.ErrNotFound):
		if wantOK {
			t.Errorf("record a lost")
		}
	case gerr != nil:
		t.Errorf("FindTokenByID(a): %v", gerr)
	case !got.Equal(a) && !(wantOK && got.Equal(want)):
		t.Errorf("record a is %v; want %v or %v", got, a, want)
	}
	// A healthy store retries the operation.
	err = op.run(ctx, clean, a)
	if op.name == "DeleteToken" && errors.Is(err, tokenstore.ErrNotFound) {
		err = nil
	}
	if err != nil {
		t.Fatalf("retry: %v; want success", err)
	}
	storetest.WantCoherent(t, context.Background(), clean)
	all, err := clean.GetTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case op.all:
		// Nothing of the namespace is left but records pending deletion.
		out, err := srv.ListSecrets(ctx, &sm.ListSecretsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 0 || len(out.SecretList) != 0 {
			t.Errorf("after the retried DeleteTokens, %d records and %d secrets; want none", len(all), len(out.SecretList))
		}
	case op.name == "Insert":
		storetest.WantFound(t, context.Background(), clean, want, "inserted")
		if len(all) != 3 {
			t.Errorf("after the retried insert, %d records; want 3", len(all))
		}
	case wantOK:
		want.ID = a.ID
		storetest.WantFound(t, context.Background(), clean, want, "updated")
	default:
		if len(all) != 1 {
			t.Errorf("after the retried delete, %d records; want 1", len(all))
		}
		for _, k := range driver.Keys(a) {
			if _, err := clean.FindToken(ctx, driver.Query(k)); !errors.Is(err, tokenstore.ErrNotFound) {
				t.Errorf("FindToken by %v after the delete: %v; want ErrNotFound", k.Kind, err)
			}
		}
	}
	return 0
}

// smSecretIn reports whether err's message shows a user name or secret of
// any of toks.
func smSecretIn(err error, toks ...tokenstore.Token) bool {
	for _, t := range toks {
		for _, v := range []string{t.UserName, t.ClientSecret, t.RefreshToken, t.AccessToken, t.GrantToken} {
			if v != "" && strings.Contains(err.Error(), v) {
				return true
			}
		}
	}
	return false
}
