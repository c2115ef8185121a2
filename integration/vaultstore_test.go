package integration_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

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
	for _, source := range []string{sourceGiven, sourceContainer} {
		t.Run(source, func(t *testing.T) {
			srv := vaultFrom(t, source)
			for _, version := range []int{2, 1} {
				t.Run(map[int]string{1: "KVv1", 2: "KVv2"}[version], func(t *testing.T) {
					f := newKVFixture(t, srv, version)
					t.Run("Conformance", func(t *testing.T) { conformance(t, f) })
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
	var mu sync.Mutex
	counters := map[tokenstore.Store]*counter{}
	h := storetest.Harness{
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
	if f.version == 1 {
		h.SkipConcurrency = v1Reason
	}
	storetest.RunConformance(t, h)
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
	{"DanglingIndexEntry", false, testDanglingEntry},
	{"StaleIndexEntry", false, testStaleEntry},
	{"CrashedDelete", false, testCrashedDelete},
	{"InsertInFlightRetired", true, testInsertInFlightRetired},
	{"CorruptRecord", false, testCorruptRecord},
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

// testCallBudget counts the HTTP requests of each operation, uncached.
func testCallBudget(t *testing.T, f *kvFixture) {
	s, c, _ := fresh(t, f)
	ctx := ctxT(t)
	a := mustSave(t, s, sample("a"))
	measure := func(name string, max int64, wantWrites bool, op func() error) {
		t.Helper()
		r0, w0 := c.reads.Load(), c.writes.Load()
		if err := op(); err != nil && !errors.Is(err, tokenstore.ErrNotFound) {
			t.Fatalf("%s: %v", name, err)
		}
		reads, writes := c.reads.Load()-r0, c.writes.Load()-w0
		t.Logf("%-45s %d requests (%d reads, %d writes)", name, reads+writes, reads, writes)
		if reads+writes > max {
			t.Errorf("%s: %d requests; want at most %d", name, reads+writes, max)
		}
		if !wantWrites && writes != 0 {
			t.Errorf("%s: %d writes; want none", name, writes)
		}
	}
	find := func(q tokenstore.Token) func() error {
		return func() error { _, err := s.FindToken(ctx, q); return err }
	}
	measure("FindTokenByID", 1, false, func() error { _, err := s.FindTokenByID(ctx, a.ID); return err })
	measure("FindToken by ID", 1, false, find(tokenstore.Token{ID: a.ID}))
	measure("FindToken by user name", 2, false, find(tokenstore.Token{UserName: a.UserName}))
	measure("FindToken by access token", 2, false, find(tokenstore.Token{AccessToken: a.AccessToken}))
	measure("FindToken by grant token", 2, false, find(tokenstore.Token{GrantToken: a.GrantToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret}))
	measure("FindToken by refresh token", 2, false, find(tokenstore.Token{RefreshToken: a.RefreshToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret}))
	measure("FindToken miss", 1, false, find(tokenstore.Token{UserName: "nobody"}))
	measure("SaveToken by user name, same keys", 3, true, func() error {
		return s.SaveToken(ctx, &tokenstore.Token{UserName: a.UserName, AccessToken: a.AccessToken, APIDomain: "https://x"})
	})
	measure("SaveToken by refresh token, same keys", 3, true, func() error {
		return s.SaveToken(ctx, &tokenstore.Token{RefreshToken: a.RefreshToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret, RedirectURL: "https://cb"})
	})
	measure("SaveToken by ID, same keys", 2, true, func() error {
		return s.SaveToken(ctx, &tokenstore.Token{ID: a.ID, AccessToken: a.AccessToken, Expiry: time.Now()})
	})
	// Not budgeted by the contract; logged for the package doc.
	measure("SaveToken new access token (hourly refresh)", 99, true, func() error {
		return s.SaveToken(ctx, &tokenstore.Token{UserName: a.UserName, AccessToken: "secret-at-next"})
	})
	measure("SaveToken insert, 4 keys", 99, true, func() error {
		tok := sample("b")
		return s.SaveToken(ctx, &tok)
	})
	measure("GetTokens, 2 records", 3, false, func() error { _, err := s.GetTokens(ctx); return err })
	measure("DeleteToken, 4 keys", 99, true, func() error { return s.DeleteToken(ctx, a.ID) })
	measure("DeleteTokens, 1 record", 99, true, func() error { return s.DeleteTokens(ctx) })
}

func testGetTokensParallelism(t *testing.T, f *kvFixture) {
	ns := "t" + randHex(4)
	o := f.opts(ns)
	o.ReadParallelism = 3
	s, c := f.store(t, o)
	t.Cleanup(func() { _ = s.DeleteTokens(context.Background()) })
	for i := range 12 {
		mustSave(t, s, sample(ns+"-"+string(rune('a'+i))))
	}
	r0, w0 := c.reads.Load(), c.writes.Load()
	c.peak.Store(0)
	got, err := s.GetTokens(ctxT(t))
	if err != nil || len(got) != 12 {
		t.Fatalf("GetTokens: %d records, %v; want 12", len(got), err)
	}
	if reads, writes := c.reads.Load()-r0, c.writes.Load()-w0; reads != 13 || writes != 0 {
		t.Errorf("GetTokens of 12 records: %d reads, %d writes; want 13 (one LIST, 12 GETs) and 0", reads, writes)
	}
	if p := c.peak.Load(); p > 3 {
		t.Errorf("GetTokens had %d requests in flight; want at most ReadParallelism 3", p)
	}
}

// recordWrite reports whether r writes the record path of the store with
// the given prefix.
func recordWrite(r *http.Request, prefix string) bool {
	return r.Method != http.MethodGet && strings.Contains(r.URL.Path, "/data/"+prefix+"/records/")
}

// testCASConflictRetried makes another process update the record between a
// save's read and its write: the write is refused, the save starts over,
// and both updates survive.
func testCASConflictRetried(t *testing.T, f *kvFixture) {
	a, ca, prefix := fresh(t, f)
	b, _ := f.store(t, f.opts(strings.TrimPrefix(prefix, f.base+"/")))
	base := mustSave(t, a, sample("cas"))
	var once sync.Once
	ca.setBefore(func(r *http.Request) {
		if recordWrite(r, prefix) {
			once.Do(func() {
				mustSave(t, b, tokenstore.Token{ID: base.ID, AccessToken: base.AccessToken, RedirectURL: "https://from-b"})
			})
		}
	})
	refused := ca.casRefused.Load()
	in := tokenstore.Token{UserName: base.UserName, AccessToken: base.AccessToken, APIDomain: "https://from-a"}
	if err := a.SaveToken(ctxT(t), &in); err != nil {
		t.Fatalf("SaveToken through a conflict: %v", err)
	}
	if got := ca.casRefused.Load() - refused; got != 1 {
		t.Errorf("Vault refused %d check-and-set writes; want 1", got)
	}
	got, err := a.FindTokenByID(ctxT(t), base.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.RedirectURL != "https://from-b" || got.APIDomain != "https://from-a" {
		t.Errorf("after the conflict: RedirectURL %q, APIDomain %q; want both updates", got.RedirectURL, got.APIDomain)
	}
}

// testCASConflictGivesUp: with one attempt allowed, a lost race is
// ErrConflict and the loser wrote no record.
func testCASConflictGivesUp(t *testing.T, f *kvFixture) {
	ns := "t" + randHex(4)
	o := f.opts(ns)
	o.MaxAttempts = 1
	a, ca := f.store(t, o)
	b, _ := f.store(t, f.opts(ns))
	t.Cleanup(func() { _ = b.DeleteTokens(context.Background()) })
	base := mustSave(t, b, sample("giveup"))
	ca.setBefore(func(r *http.Request) {
		if recordWrite(r, o.Prefix) {
			ca.setBefore(nil)
			mustSave(t, b, tokenstore.Token{ID: base.ID, AccessToken: base.AccessToken, RedirectURL: "https://from-b"})
		}
	})
	in := tokenstore.Token{UserName: base.UserName, AccessToken: base.AccessToken, APIDomain: "https://from-a"}
	err := a.SaveToken(ctxT(t), &in)
	if !errors.Is(err, tokenstore.ErrConflict) {
		t.Fatalf("SaveToken: got %v; want ErrConflict", err)
	}
	got, _ := b.FindTokenByID(ctxT(t), base.ID)
	if got.APIDomain == "https://from-a" || got.RedirectURL != "https://from-b" {
		t.Errorf("record after a lost race: APIDomain %q, RedirectURL %q; want only b's update", got.APIDomain, got.RedirectURL)
	}
}

// testConcurrentInsertMeets: another process inserts the same user between
// this save's miss and its index claim; the save joins that record.
func testConcurrentInsertMeets(t *testing.T, f *kvFixture) {
	a, ca, prefix := fresh(t, f)
	b, _ := f.store(t, f.opts(strings.TrimPrefix(prefix, f.base+"/")))
	tok := sample("meet")
	var once sync.Once
	ca.setBefore(func(r *http.Request) {
		if r.Method != http.MethodGet && strings.Contains(r.URL.Path, "/index/user_name/") {
			once.Do(func() {
				mustSave(t, b, tokenstore.Token{UserName: tok.UserName, AccessToken: "secret-at-b", RedirectURL: "https://from-b"})
			})
		}
	})
	in := tok
	if err := a.SaveToken(ctxT(t), &in); err != nil {
		t.Fatalf("SaveToken: %v", err)
	}
	all, err := a.GetTokens(ctxT(t))
	if err != nil || len(all) != 1 {
		t.Fatalf("GetTokens: %d records, %v; want 1", len(all), err)
	}
	if all[0].ID != in.ID || all[0].RedirectURL != "https://from-b" || all[0].AccessToken != tok.AccessToken {
		t.Errorf("record %v; want b's insert merged with a's save", all[0])
	}
}

// testSoftDeleted: a latest version soft-deleted or destroyed outside the
// store reads as not found, and saving the user again works.
func testSoftDeleted(t *testing.T, f *kvFixture) {
	s, c, prefix := fresh(t, f)
	ctx := ctxT(t)
	for _, how := range []string{"delete", "destroy"} {
		a := mustSave(t, s, sample(how))
		rec := prefix + "/records/" + a.ID
		var err error
		if how == "delete" {
			_, err = f.root.Logical().DeleteWithContext(ctx, f.mount+"/data/"+rec)
		} else {
			_, err = f.root.Logical().WriteWithContext(ctx, f.mount+"/destroy/"+rec, map[string]any{"versions": []int{1}})
		}
		if err != nil {
			t.Fatalf("%s latest version: %v", how, err)
		}
		w0 := c.writes.Load()
		if _, err := s.FindTokenByID(ctx, a.ID); !errors.Is(err, tokenstore.ErrNotFound) {
			t.Errorf("%s: FindTokenByID: got %v; want ErrNotFound", how, err)
		}
		if _, err := s.FindToken(ctx, tokenstore.Token{UserName: a.UserName}); !errors.Is(err, tokenstore.ErrNotFound) {
			t.Errorf("%s: FindToken: got %v; want ErrNotFound", how, err)
		}
		if all, err := s.GetTokens(ctx); err != nil || len(all) != 0 {
			t.Errorf("%s: GetTokens: %d records, %v; want none", how, len(all), err)
		}
		if w := c.writes.Load() - w0; w != 0 {
			t.Errorf("%s: reads made %d writes", how, w)
		}
		again := mustSave(t, s, sample(how))
		got, err := s.FindToken(ctx, tokenstore.Token{UserName: a.UserName})
		if err != nil || got.ID != again.ID {
			t.Errorf("%s: FindToken after saving again: %v, %v; want the new save", how, got, err)
		}
		if err := s.DeleteToken(ctx, again.ID); err != nil {
			t.Fatalf("DeleteToken: %v", err)
		}
	}
}

// secretsOf lists the secret values of tok and its user name, which no path
// and no leftover data may contain.
func secretsOf(tok tokenstore.Token) []string {
	return []string{tok.UserName, tok.ClientSecret, tok.RefreshToken, tok.AccessToken, tok.GrantToken}
}

// readAllVersions returns the data of every version of a store path still
// readable with the root token.
func (f *kvFixture) readAllVersions(t *testing.T, p string) []string {
	t.Helper()
	ctx := ctxT(t)
	if f.version == 1 {
		sec, err := f.root.Logical().ReadWithContext(ctx, f.mount+"/"+p)
		if err != nil || sec == nil {
			return nil
		}
		return []string{fmtData(sec.Data)}
	}
	md, err := f.root.Logical().ReadWithContext(ctx, f.mount+"/metadata/"+p)
	if err != nil || md == nil {
		return nil
	}
	versions, _ := md.Data["versions"].(map[string]any)
	var out []string
	for v := range versions {
		sec, err := f.root.Logical().ReadWithDataWithContext(ctx, f.mount+"/data/"+p, map[string][]string{"version": {v}})
		if err == nil && sec != nil && sec.Data["data"] != nil {
			out = append(out, fmtData(sec.Data["data"]))
		}
	}
	return out
}

func fmtData(v any) string {
	var b strings.Builder
	switch m := v.(type) {
	case map[string]any:
		for k, x := range m {
			b.WriteString(k + "=" + strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(toString(x), "\n", " "), "\t", " ")) + ";")
		}
	}
	return b.String()
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// testDeleteLeavesNothing: after several updates and a delete, no version
// of any path under the prefix holds a secret of the record, and the
// record's path has no metadata left.
func testDeleteLeavesNothing(t *testing.T, f *kvFixture) {
	s, _, prefix := fresh(t, f)
	ctx := ctxT(t)
	a := mustSave(t, s, sample("gone"))
	var secrets []string
	secrets = append(secrets, secretsOf(a)...)
	for i := range 3 {
		u := tokenstore.Token{ID: a.ID, AccessToken: "secret-at-gone-" + string(rune('0'+i))}
		mustSave(t, s, u)
		secrets = append(secrets, u.AccessToken)
	}
	if err := s.DeleteToken(ctx, a.ID); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	paths := f.walk(t, prefix+"/")
	for _, p := range paths {
		if strings.Contains(p, "/records/") {
			t.Errorf("record path %s survives DeleteToken", p)
		}
		for _, data := range f.readAllVersions(t, p) {
			for _, sec := range secrets {
				if strings.Contains(data, sec) {
					t.Errorf("path %s still holds a secret of the deleted record", p)
				}
			}
		}
	}
	t.Logf("after DeleteToken %d index paths remain as empty shells", len(paths))
}

// hostile returns values that must never reach a path.
func hostile(tag string) []string {
	return []string{
		"../../../" + tag, "a/b/" + tag, "%2e%2e%2f" + tag, "..%2F" + tag, "..",
		"nul\x00" + tag, "ユーザー@例え.jp-" + tag, "\u202e" + tag, strings.Repeat("x", 10<<10) + tag,
	}
}

// testPathSafety saves hostile user names and token values and checks that
// every path written is the prefix, a fixed directory and an ID or digest.
func testPathSafety(t *testing.T, f *kvFixture) {
	s, _, prefix := fresh(t, f)
	var secrets []string
	for i, v := range hostile(randHex(3)) {
		tok := sample(randHex(4))
		tok.UserName, tok.AccessToken, tok.RefreshToken = v, "at"+v, "rt"+v
		tok.ClientID = "cid/" + string(rune('a'+i))
		mustSave(t, s, tok)
		secrets = append(secrets, v)
	}
	top := f.walk(t, "")
	for _, p := range top {
		if !strings.HasPrefix(p, prefix+"/") && !strings.HasPrefix(p, f.base+"/") {
			t.Errorf("path %q outside the fixture's prefix", p)
		}
	}
	for _, p := range f.walk(t, prefix+"/") {
		rest := strings.TrimPrefix(p, prefix+"/")
		parts := strings.Split(rest, "/")
		ok := len(parts) == 2 && parts[0] == "records" && tokenstore.ValidateID(parts[1]) == nil ||
			len(parts) == 3 && parts[0] == "index" && len(parts[2]) == 64
		if !ok {
			t.Errorf("unexpected path %q under the prefix", p)
		}
		for _, sec := range secrets {
			if len(sec) > 2 && strings.Contains(p, sec) {
				t.Errorf("path %q holds user input", p)
			}
		}
	}
}

// testDanglingEntry: an index entry naming a record that was never written
// (a crash between the claim and the record write) reads as a miss and
// makes reads write nothing. The next save of that user waits a little for
// the insert to finish, then retires the dead ID (a late write of it fails)
// and makes a new record.
func testDanglingEntry(t *testing.T, f *kvFixture) {
	s, c, prefix := fresh(t, f)
	ctx := ctxT(t)
	tok := sample("dangling")
	ghost := tokenstore.NewID()
	f.rawWrite(t, indexPath(prefix, tokenstore.Key{Kind: tokenstore.KeyUserName, Value: tok.UserName}), map[string]any{"id": ghost})
	w0 := c.writes.Load()
	if _, err := s.FindToken(ctx, tokenstore.Token{UserName: tok.UserName}); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindToken through a dangling entry: got %v; want ErrNotFound", err)
	}
	if w := c.writes.Load() - w0; w != 0 {
		t.Errorf("FindToken made %d writes; want 0", w)
	}
	got := mustSave(t, s, tok)
	if got.ID == ghost {
		t.Errorf("save through a dangling entry wrote the dead ID %s", ghost)
	}
	for _, q := range []tokenstore.Token{{UserName: tok.UserName}, {AccessToken: tok.AccessToken}} {
		if found, err := s.FindToken(ctx, q); err != nil || found.ID != got.ID {
			t.Errorf("FindToken after repair: %v, %v", found, err)
		}
	}
	if _, err := s.FindTokenByID(ctx, ghost); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Errorf("FindTokenByID(retired ID): got %v; want ErrNotFound", err)
	}
	if f.version == 2 {
		lateInsert(t, f, prefix, ghost, tok.UserName)
	}
	if all, _ := s.GetTokens(ctx); len(all) != 1 {
		t.Errorf("GetTokens lists %d records; want 1", len(all))
	}
}

// lateInsert plays the writer that claimed an entry for id and now, late,
// tries its create-only record write: it must be refused.
func lateInsert(t *testing.T, f *kvFixture, prefix, id, user string) {
	t.Helper()
	enc, _ := tokenstore.EncodeRecord(tokenstore.Token{ID: id, UserName: user, AccessToken: "secret-at-late"})
	_, err := f.root.Logical().WriteWithContext(ctxT(t), f.mount+"/data/"+prefix+"/records/"+id,
		map[string]any{"data": map[string]any{"record": string(enc)}, "options": map[string]any{"cas": 0}})
	var re *api.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusBadRequest {
		t.Fatalf("late create of a retired ID: got %v; want a refused check-and-set", err)
	}
}

// testStaleEntry: an index entry naming a live record that no longer has
// the key is a miss, and the next save makes a new record and takes the
// entry over, leaving the other record alone.
func testStaleEntry(t *testing.T, f *kvFixture) {
	s, _, prefix := fresh(t, f)
	ctx := ctxT(t)
	other := mustSave(t, s, sample("other"))
	tok := sample("stale")
	f.rawWrite(t, indexPath(prefix, tokenstore.Key{Kind: tokenstore.KeyUserName, Value: tok.UserName}), map[string]any{"id": other.ID})
	if _, err := s.FindToken(ctx, tokenstore.Token{UserName: tok.UserName}); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindToken through a stale entry: got %v; want ErrNotFound (never the other record)", err)
	}
	got := mustSave(t, s, tok)
	if got.ID == other.ID {
		t.Fatal("save through a stale entry merged into the record the entry named")
	}
	if found, err := s.FindToken(ctx, tokenstore.Token{UserName: tok.UserName}); err != nil || found.ID != got.ID {
		t.Errorf("FindToken after repair: %v, %v", found, err)
	}
	if found, err := s.FindTokenByID(ctx, other.ID); err != nil || found != other {
		t.Errorf("other record changed: %v, %v", found, err)
	}
}

// testCrashedDelete: a DeleteToken that stopped after its tombstone leaves
// a record that reads as not found; a save of the user makes a new record,
// and DeleteToken of the old ID finishes the job.
func testCrashedDelete(t *testing.T, f *kvFixture) {
	s, _, prefix := fresh(t, f)
	ctx := ctxT(t)
	a := mustSave(t, s, sample("crash"))
	userRel := "user_name/" + tokenstore.Key{Kind: tokenstore.KeyUserName, Value: a.UserName}.Digest(nil)
	f.rawWrite(t, prefix+"/records/"+a.ID, map[string]any{"tombstone": userRel})
	if _, err := s.FindTokenByID(ctx, a.ID); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Errorf("FindTokenByID(tombstone): got %v; want ErrNotFound", err)
	}
	if _, err := s.FindToken(ctx, tokenstore.Token{UserName: a.UserName}); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Errorf("FindToken(tombstone): got %v; want ErrNotFound", err)
	}
	if all, _ := s.GetTokens(ctx); len(all) != 0 {
		t.Errorf("GetTokens lists %d records; want 0", len(all))
	}
	b := mustSave(t, s, sample("crash"))
	if b.ID == a.ID {
		t.Error("save after a crashed delete reused the deleted ID")
	}
	if err := s.DeleteToken(ctx, a.ID); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Errorf("DeleteToken(tombstone): got %v; want ErrNotFound", err)
	}
	if data := f.readAllVersions(t, prefix+"/records/"+a.ID); len(data) != 0 {
		t.Errorf("tombstoned record path still has %d versions after DeleteToken", len(data))
	}
	if found, err := s.FindToken(ctx, tokenstore.Token{UserName: a.UserName}); err != nil || found.ID != b.ID {
		t.Errorf("FindToken after finishing the delete: %v, %v; want the new record", found, err)
	}
}

// testInsertInFlightRetired: a save by ID that gives a record a user name
// whose entry names a record not yet written (an insert in flight) retires
// that ID first, so the in-flight insert cannot complete as a second record
// with the same user name.
func testInsertInFlightRetired(t *testing.T, f *kvFixture) {
	s, _, prefix := fresh(t, f)
	ctx := ctxT(t)
	x := mustSave(t, s, tokenstore.Token{AccessToken: "secret-at-x"})
	name := "user-inflight@example.com"
	ghost := tokenstore.NewID()
	f.rawWrite(t, indexPath(prefix, tokenstore.Key{Kind: tokenstore.KeyUserName, Value: name}), map[string]any{"id": ghost})
	mustSave(t, s, tokenstore.Token{ID: x.ID, UserName: name, AccessToken: "secret-at-x"})
	lateInsert(t, f, prefix, ghost, name)
	if found, err := s.FindToken(ctx, tokenstore.Token{UserName: name}); err != nil || found.ID != x.ID {
		t.Errorf("FindToken: %v, %v; want the renamed record", found, err)
	}
	if all, _ := s.GetTokens(ctx); len(all) != 1 {
		t.Errorf("GetTokens lists %d records; want 1", len(all))
	}
}

func testCorruptRecord(t *testing.T, f *kvFixture) {
	s, _, prefix := fresh(t, f)
	ctx := ctxT(t)
	id := tokenstore.NewID()
	f.rawWrite(t, prefix+"/records/"+id, map[string]any{"record": "{not json"})
	if _, err := s.FindTokenByID(ctx, id); !errors.Is(err, tokenstore.ErrCorrupt) {
		t.Errorf("FindTokenByID(corrupt): got %v; want ErrCorrupt", err)
	}
	if _, err := s.GetTokens(ctx); !errors.Is(err, tokenstore.ErrCorrupt) {
		t.Errorf("GetTokens with a corrupt record: got %v; want ErrCorrupt", err)
	}
	if err := s.DeleteToken(ctx, id); err != nil {
		t.Errorf("DeleteToken(corrupt): %v", err)
	}
	if _, err := s.FindTokenByID(ctx, id); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Errorf("FindTokenByID after deleting the corrupt record: got %v; want ErrNotFound", err)
	}
}

// testPolicyConfines: the store's token can do nothing outside its prefix,
// and a store configured outside it fails with Vault's permission error.
func testPolicyConfines(t *testing.T, f *kvFixture) {
	ctx := ctxT(t)
	t.Logf("policy:\n%s", f.policy)
	client, _ := f.client(t, f.token)
	for _, p := range []string{f.dataPath("elsewhere/x"), f.dataPath(f.base + "x/records/y"), "sys/mounts"} {
		if _, err := client.Logical().ReadWithContext(ctx, p); !isForbidden(err) {
			t.Errorf("read %s with the store token: got %v; want 403", p, err)
		}
	}
	outside, err := vault.New(client, &vault.Options{Mount: f.mount, KVVersion: f.version, Prefix: "elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	tok := sample("outside")
	err = outside.SaveToken(ctx, &tok)
	if !isForbidden(err) || !strings.HasPrefix(err.Error(), "vault: save token: ") {
		t.Errorf("SaveToken outside the prefix: got %v; want a wrapped 403", err)
	}
	for _, sec := range secretsOf(tok) {
		if strings.Contains(err.Error(), sec) {
			t.Errorf("error shows a secret or user name: %v", err)
		}
	}
}

func isForbidden(err error) bool {
	var re *api.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusForbidden
}
