package integration_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/vault"
)

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
	if !isForbidden(err) || !strings.HasPrefix(err.Error(), "vault: save: ") {
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

// testNestedPrefixes: stores whose prefixes lie below another store's,
// even inside its records and index directories, stay apart from it.
func testNestedPrefixes(t *testing.T, f *kvFixture) {
	ctx := ctxT(t)
	outer := "n" + randHex(3)
	var stores []*vault.Store
	var ids []string
	for i, ns := range []string{outer, outer + "/records", outer + "/index/user_name", outer + "/records/x"} {
		s, _ := f.store(t, f.opts(ns))
		t.Cleanup(func() { _ = s.DeleteTokens(context.Background()) })
		tok := mustSave(t, s, sample(fmt.Sprintf("nested-%d", i)))
		stores, ids = append(stores, s), append(ids, tok.ID)
	}
	all, err := stores[0].GetTokens(ctx)
	if err != nil || len(all) != 1 || all[0].ID != ids[0] {
		t.Fatalf("outer GetTokens: %v, %v; want only its own record", all, err)
	}
	if err := stores[0].DeleteTokens(ctx); err != nil {
		t.Fatal(err)
	}
	for i, s := range stores[1:] {
		if _, err := s.FindTokenByID(ctx, ids[i+1]); err != nil {
			t.Errorf("inner store %d lost its record to the outer DeleteTokens: %v", i+1, err)
		}
	}
}
