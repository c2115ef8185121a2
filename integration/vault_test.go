package integration_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore/integration"
)

func TestVaultGiven(t *testing.T) {
	client, srv := integration.VaultFrom(t, integration.Given)
	checkSource(t, srv, integration.Given)
	smokeVault(t, client)
}

func TestVaultContainer(t *testing.T) {
	client, srv := integration.VaultFrom(t, integration.Container)
	checkSource(t, srv, integration.Container)
	smokeVault(t, client)
}

// smokeVault writes and reads a KV v2 secret, and checks that a
// check-and-set write that expects a new key is refused for an existing one.
func smokeVault(t *testing.T, client *api.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	kv := client.KVv2("secret")
	path := integration.UniqueName(t)
	t.Cleanup(func() { _ = kv.DeleteMetadata(context.Background(), path) })

	if _, err := kv.Put(ctx, path, map[string]any{"access_token": "v1"}, api.WithCheckAndSet(0)); err != nil {
		t.Fatalf("put new key with cas=0: %v", err)
	}
	got, err := kv.Get(ctx, path)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.Data["access_token"] != "v1" {
		t.Errorf("get returned another value than was stored")
	}
	if got.VersionMetadata == nil || got.VersionMetadata.Version != 1 {
		t.Errorf("get: version metadata %+v; want version 1", got.VersionMetadata)
	}

	_, err = kv.Put(ctx, path, map[string]any{"access_token": "v2"}, api.WithCheckAndSet(0))
	var resp *api.ResponseError
	if !errors.As(err, &resp) || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("put existing key with cas=0: got %v; want a 400 response error", err)
	}
	got, err = kv.Get(ctx, path)
	if err != nil {
		t.Fatalf("get after refused write: %v", err)
	}
	if got.Data["access_token"] != "v1" {
		t.Errorf("refused check-and-set write changed the value")
	}
}
