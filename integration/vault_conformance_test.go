package integration_test

import (
	"context"
	"github.com/tokenstore-go/tokenstore/integration"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/storetest"
	"github.com/tokenstore-go/tokenstore/vault"
)

// v1Reason is why the multi-writer cases do not run on KV version 1; the
// vault package doc says the same.
const v1Reason = "KV version 1 has no check-and-set: several writers may duplicate or lose records (vault package doc, # Concurrency)"

// TestVault runs the conformance suite and the Vault-specific tests on KV
// version 2 and version 1, against the given server and a container. Each
// run mounts engines of its own and uses a token that holds only
// vault.Policy for its prefix.
func TestVault(t *testing.T) {
	for _, source := range []integration.Source{integration.Given, integration.Container} {
		t.Run(source.String(), func(t *testing.T) {
			srv := vaultFrom(t, source)
			for _, version := range []int{2, 1} {
				t.Run(map[int]string{1: "KVv1", 2: "KVv2"}[version], func(t *testing.T) {
					f := newKVFixture(t, srv, version)
					t.Run("Conformance", func(t *testing.T) { conformance(t, f) })
					t.Run("ConformancePepper", func(t *testing.T) { conformancePepper(t, f) })
					for _, c := range vaultCases {
						if c.v2Only && version == 1 {
							continue
						}
						t.Run(c.name, func(t *testing.T) { c.run(t, f) })
					}
				})
			}
		})
	}
}

func conformance(t *testing.T, f *kvFixture) {
	h := f.harness()
	if f.version == 1 {
		h.SkipConcurrency = v1Reason
	}
	storetest.RunConformance(t, h)
}

// conformancePepper checks that New refuses a short pepper and keeps a
// copy of the caller's (storetest.RunPepper), in a namespace of its own.
func conformancePepper(t *testing.T, f *kvFixture) {
	ns := "pepper" + randHex(4)
	storetest.RunPepper(t, func(t *testing.T, pepper []byte) (tokenstore.Store, error) {
		client, _ := f.client(t, f.token)
		o := f.opts(ns)
		o.Pepper = pepper
		return vault.New(client, o)
	})
}

// harness makes stores on the fixture's mount, each with its own request
// counter, so the suite can check that reads make no write.
func (f *kvFixture) harness() storetest.Harness {
	var mu sync.Mutex
	counters := map[tokenstore.Store]*counter{}
	return storetest.Harness{
		NewStore: func(t *testing.T, ns string) tokenstore.Store {
			s, c := f.store(t, f.opts(ns))
			mu.Lock()
			counters[s] = c
			mu.Unlock()
			return s
		},
		Writes: func(s tokenstore.Store) int64 {
			mu.Lock()
			defer mu.Unlock()
			return counters[s].writes.Load()
		},
	}
}

type vaultCase struct {
	name   string
	v2Only bool
	run    func(t *testing.T, f *kvFixture)
}

var vaultCases = []vaultCase{
	{"CallBudget", false, testCallBudget},
	{"GetTokensParallelism", false, testGetTokensParallelism},
	{"CASConflictRetried", true, testCASConflictRetried},
	{"CASConflictGivesUp", true, testCASConflictGivesUp},
	{"ConcurrentInsertMeets", true, testConcurrentInsertMeets},
	{"SoftDeletedReadsAsNotFound", true, testSoftDeleted},
	{"DeleteLeavesNoTokenMaterial", false, testDeleteLeavesNothing},
	{"PathsHoldNoSecrets", false, testPathSafety},
	{"NestedPrefixes", false, testNestedPrefixes},
	{"DanglingIndexEntry", false, testDanglingEntry},
	{"StaleIndexEntry", false, testStaleEntry},
	{"CrashedDelete", false, testCrashedDelete},
	{"InsertInFlightRetired", true, testInsertInFlightRetired},
	{"CorruptRecord", false, testCorruptRecord},
	{"CorruptRecordIsolated", false, testCorruptIsolated},
	{"LostAnswerNotReapplied", true, testLostAnswerNotReapplied},
	{"Linearizable", false, testLinearizable},
	{"PolicyConfinesToken", false, testPolicyConfines},
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func sample(tag string) tokenstore.Token {
	return tokenstore.Token{
		UserName:     "user-" + tag + "@example.com",
		ClientID:     "1000.client-" + tag,
		ClientSecret: "secret-cs-" + tag,
		RefreshToken: "secret-rt-" + tag,
		AccessToken:  "secret-at-" + tag,
		GrantToken:   "secret-gt-" + tag,
		Expiry:       time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		APIDomain:    "https://www.zohoapis.com",
	}
}

func mustSave(t *testing.T, s tokenstore.Store, tok tokenstore.Token) tokenstore.Token {
	t.Helper()
	if err := s.SaveToken(ctxT(t), &tok); err != nil {
		t.Fatalf("SaveToken: %v", err)
	}
	return tok
}

// fresh returns a store in a namespace of its own, and its counter.
func fresh(t *testing.T, f *kvFixture) (*vault.Store, *counter, string) {
	t.Helper()
	ns := "t" + randHex(4)
	s, c := f.store(t, f.opts(ns))
	t.Cleanup(func() { _ = s.DeleteTokens(context.Background()) })
	return s, c, f.base + "/" + ns
}
