package integration_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
)

// smFixture is a store in a fresh namespace over a counting client.
type smFixture struct {
	s      *awssm.Store
	prefix string // normalised, as the store's secret names start
	c      *smCalls
	ctx    context.Context
}

func newSMFixture(t *testing.T, name string, opts *awssm.Options) *smFixture {
	t.Helper()
	c := newSMCalls()
	var o awssm.Options
	if opts != nil {
		o = *opts
	}
	o.Prefix = "tokenstore-it/" + smRunID + "/" + name + "/"
	if o.Pepper == nil {
		o.Pepper = smPepper
	}
	s, err := awssm.New(smCountingClient(t, c), &o)
	if err != nil {
		t.Fatalf("awssm.New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(func() {
		defer cancel()
		if err := s.DeleteTokens(context.Background()); err != nil {
			t.Errorf("cleanup: DeleteTokens: %v", err)
		}
	})
	return &smFixture{s: s, prefix: o.Prefix, c: c, ctx: ctx}
}

// count runs f and returns the calls and writes it made.
func (f *smFixture) count(fn func()) (all, writes int64, byOp map[string]int64) {
	before := f.c.snapshot()
	fn()
	byOp = make(map[string]int64)
	for op, n := range f.c.snapshot() {
		if d := n - before[op]; d > 0 {
			byOp[op] = d
			all += d
			if !smIsRead(op) {
				writes += d
			}
		}
	}
	return all, writes, byOp
}

func smToken(i int) tokenstore.Token {
	return tokenstore.Token{
		UserName:     fmt.Sprintf("user-%d@example.com", i),
		ClientID:     "1000.client",
		ClientSecret: "secret-cs",
		RefreshToken: fmt.Sprintf("secret-rt-%d", i),
		AccessToken:  fmt.Sprintf("secret-at-%d", i),
		GrantToken:   fmt.Sprintf("secret-gt-%d", i),
		Expiry:       time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		APIDomain:    "https://www.zohoapis.com",
	}
}

func smSave(t *testing.T, f *smFixture, tok tokenstore.Token) tokenstore.Token {
	t.Helper()
	if err := f.s.SaveToken(f.ctx, &tok); err != nil {
		t.Fatalf("SaveToken: %v", err)
	}
	return tok
}

func smOps(byOp map[string]int64) string {
	var parts []string
	for op, n := range byOp {
		parts = append(parts, fmt.Sprintf("%s×%d", op, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// TestAWSSMCallBudget checks the calls each operation makes, uncached,
// against the budget of the awssm documentation, and logs them (run with
// -v to see the table BENCHMARKS.md quotes).
func TestAWSSMCallBudget(t *testing.T) {
	f := newSMFixture(t, "budget", &awssm.Options{ForceDelete: true})
	a := smSave(t, f, smToken(1))
	smSave(t, f, smToken(2))

	type budget struct {
		name           string
		maxCalls, maxW int64
		run            func() error
	}
	miss := smToken(99)
	n := 0
	next := func() string { n++; return fmt.Sprintf("secret-at-new-%d", n) }
	cases := []budget{
		{"FindTokenByID", 1, 0, func() error { _, err := f.s.FindTokenByID(f.ctx, a.ID); return err }},
		{"FindToken by ID", 1, 0, func() error { _, err := f.s.FindToken(f.ctx, tokenstore.Token{ID: a.ID}); return err }},
		{"FindToken by user name", 2, 0, func() error { _, err := f.s.FindToken(f.ctx, tokenstore.Token{UserName: a.UserName}); return err }},
		{"FindToken by grant token", 2, 0, func() error {
			_, err := f.s.FindToken(f.ctx, tokenstore.Token{GrantToken: a.GrantToken, ClientID: a.ClientID, ClientSecret: "x"})
			return err
		}},
		{"FindToken by refresh token", 2, 0, func() error {
			_, err := f.s.FindToken(f.ctx, tokenstore.Token{RefreshToken: a.RefreshToken, ClientID: a.ClientID, ClientSecret: "x"})
			return err
		}},
		{"FindToken miss by user name", 2, 0, func() error {
			_, err := f.s.FindToken(f.ctx, tokenstore.Token{UserName: miss.UserName})
			return smIgnoreNotFound(err)
		}},
		{"FindToken by access token (scan, N=2)", 2, 0, func() error {
			_, err := f.s.FindToken(f.ctx, tokenstore.Token{AccessToken: a.AccessToken})
			return err
		}},
		{"GetTokens (N=2)", 2, 0, func() error { _, err := f.s.GetTokens(f.ctx); return err }},
		{"SaveToken by ID, keys unchanged", 4, 2, func() error {
			return f.s.SaveToken(f.ctx, &tokenstore.Token{ID: a.ID, AccessToken: next()})
		}},
		{"SaveToken by user name, keys unchanged", 4, 2, func() error {
			return f.s.SaveToken(f.ctx, &tokenstore.Token{UserName: a.UserName, AccessToken: next(), Expiry: time.Now()})
		}},
		{"SaveToken by refresh token, keys unchanged", 4, 2, func() error {
			return f.s.SaveToken(f.ctx, &tokenstore.Token{RefreshToken: a.RefreshToken, ClientID: a.ClientID, ClientSecret: "x", AccessToken: next()})
		}},
		{"SaveToken by grant token, keys unchanged", 4, 2, func() error {
			return f.s.SaveToken(f.ctx, &tokenstore.Token{GrantToken: a.GrantToken, ClientID: a.ClientID, ClientSecret: "x", AccessToken: next()})
		}},
		// Not budgeted by the contract; logged for BENCHMARKS.md.
		{"SaveToken insert, 4 keys", 99, 99, func() error { tok := smToken(50); return f.s.SaveToken(f.ctx, &tok) }},
		{"SaveToken by user name, new refresh token", 99, 99, func() error {
			return f.s.SaveToken(f.ctx, &tokenstore.Token{UserName: a.UserName, RefreshToken: "secret-rt-" + next(), ClientID: a.ClientID, ClientSecret: "x"})
		}},
		{"UpdateToken, keys unchanged", 99, 99, func() error {
			_, err := f.s.UpdateToken(f.ctx, a.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
				r.Token.AccessToken = next()
				return r, nil
			})
			return err
		}},
		{"DeleteToken, 4 keys", 99, 99, func() error {
			b := smToken(50)
			b2, _ := f.s.FindToken(f.ctx, tokenstore.Token{UserName: b.UserName})
			return f.s.DeleteToken(f.ctx, b2.ID)
		}},
		{"FindTokenByID + SaveToken unchanged record", 3, 0, func() error {
			cur, err := f.s.FindTokenByID(f.ctx, a.ID)
			if err != nil {
				return err
			}
			return f.s.SaveToken(f.ctx, &tokenstore.Token{UserName: a.UserName, AccessToken: cur.AccessToken})
		}},
	}
	for _, c := range cases {
		all, w, byOp := f.count(func() {
			if err := c.run(); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		})
		t.Logf("%-45s %d calls, %d writes: %s", c.name, all, w, smOps(byOp))
		if all > c.maxCalls || w > c.maxW {
			t.Errorf("%s: got %d calls, %d writes; want at most %d and %d", c.name, all, w, c.maxCalls, c.maxW)
		}
	}
}

func smIgnoreNotFound(err error) error {
	if errors.Is(err, tokenstore.ErrNotFound) {
		return nil
	}
	return err
}

// TestAWSSMListBudget checks GetTokens and the access-token scan at batch
// edges: at most ceil(N/20) + 1 calls for N records.
func TestAWSSMListBudget(t *testing.T) {
	f := newSMFixture(t, "listbudget", &awssm.Options{ForceDelete: true})
	saved := 0
	for _, n := range []int{0, 1, 20, 21, 41} {
		for ; saved < n; saved++ {
			smSave(t, f, smToken(saved))
		}
		want := int64((n+19)/20 + 1)
		var got []tokenstore.Token
		all, w, byOp := f.count(func() {
			var err error
			if got, err = f.s.GetTokens(f.ctx); err != nil {
				t.Fatalf("GetTokens: %v", err)
			}
		})
		t.Logf("GetTokens N=%-3d %d calls, %d writes: %s", n, all, w, smOps(byOp))
		if len(got) != n || all > want || w != 0 {
			t.Errorf("GetTokens over %d records: %d records, %d calls, %d writes; want %d, at most %d, 0", n, len(got), all, w, n, want)
		}
		if n == 0 {
			continue
		}
		last := got[len(got)-1] // the highest ID: the scan reads every batch
		all, w, byOp = f.count(func() {
			if _, err := f.s.FindToken(f.ctx, tokenstore.Token{AccessToken: last.AccessToken}); err != nil {
				t.Fatalf("FindToken by access token: %v", err)
			}
		})
		t.Logf("FindToken by access token N=%-3d %d calls, %d writes: %s", n, all, w, smOps(byOp))
		if all > want || w != 0 {
			t.Errorf("access-token scan over %d records: %d calls, %d writes; want at most %d, 0", n, all, w, want)
		}
	}
}

// TestAWSSMSecretsPerToken counts the secrets full records take: the
// record and an index secret per user name and refresh token; grant tokens
// go into the namespace's shared grants shards, like IDs into its catalog.
// Hourly access-token refreshes create and delete none.
func TestAWSSMSecretsPerToken(t *testing.T) {
	const users = 5
	f := newSMFixture(t, "pertoken", &awssm.Options{ForceDelete: true})
	var saved []tokenstore.Token
	for i := range users {
		saved = append(saved, smSave(t, f, smToken(i)))
	}
	perToken, shared := smCountSecrets(t, f)
	t.Logf("%d full records: %d secrets of their own, %d shared shards", users, perToken, shared)
	if perToken != 3*users || shared < 2 || shared > 2*users {
		t.Fatalf("%d full records take %d secrets of their own and %d shards; want %d and 2 to %d",
			users, perToken, shared, 3*users, 2*users)
	}
	a := saved[0]
	all, w, byOp := f.count(func() {
		for i := range 3 {
			smSave(t, f, tokenstore.Token{UserName: a.UserName, AccessToken: fmt.Sprintf("secret-at-h%d", i)})
		}
	})
	t.Logf("3 access-token refreshes: %d calls, %d writes: %s", all, w, smOps(byOp))
	if p, s := smCountSecrets(t, f); byOp["CreateSecret"] != 0 || byOp["DeleteSecret"] != 0 || p != perToken || s != shared {
		t.Fatalf("access-token refreshes created or deleted secrets: %s", smOps(byOp))
	}
	// Every record is still found by its grant token, in two calls.
	for _, tok := range saved {
		var got tokenstore.Token
		all, _, byOp := f.count(func() {
			var err error
			got, err = f.s.FindToken(f.ctx, tokenstore.Token{GrantToken: tok.GrantToken, ClientID: tok.ClientID, ClientSecret: "x"})
			if err != nil {
				t.Fatalf("FindToken by grant token: %v", err)
			}
		})
		if got.ID != tok.ID || all > 2 {
			t.Fatalf("FindToken by grant token: record %s in %d calls (%s); want %s in at most 2", got.ID, all, smOps(byOp), tok.ID)
		}
	}
}

// smCountSecrets counts the secrets under the fixture's prefix: those
// of single records (records and index secrets) and the shared shards.
func smCountSecrets(t *testing.T, f *smFixture) (perToken, shared int) {
	t.Helper()
	in := &secretsmanager.ListSecretsInput{
		Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{f.prefix}}},
	}
	p := secretsmanager.NewListSecretsPaginator(smRaw(t), in)
	for p.HasMorePages() {
		page, err := p.NextPage(f.ctx)
		if err != nil {
			t.Fatalf("ListSecrets: %v", err)
		}
		for _, e := range page.SecretList {
			rest := strings.TrimPrefix(aws.ToString(e.Name), f.prefix)
			if strings.HasPrefix(rest, "catalog/") || strings.HasPrefix(rest, "grants/") {
				shared++
			} else {
				perToken++
			}
		}
	}
	return perToken, shared
}
