package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore/memstore"
)

func TestRunMemstore(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, memstore.New(nil)); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{"1. saved", "2. found by user name", "3. found by refresh token",
		"same record true, refresh token kept true", "holds 1 token(s)", "token not found"} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "1000.at.") || strings.Contains(got, "1000.rt.") || strings.Contains(got, "1000.cs.") {
		t.Errorf("transcript shows a secret:\n%s", got)
	}
}

func TestUnknownStore(t *testing.T) {
	_, _, err := openStore(context.Background(), "redis")
	if err == nil || !strings.Contains(err.Error(), "memstore") {
		t.Fatalf("openStore(redis) error %v; want one listing the known stores", err)
	}
}

func TestUnconfiguredStores(t *testing.T) {
	for _, name := range []string{"awssm", "vault"} {
		for _, v := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "VAULT_ADDR"} {
			t.Setenv(v, "")
		}
		_, _, err := openStore(context.Background(), name)
		if err == nil || !strings.Contains(err.Error(), "not configured") {
			t.Errorf("openStore(%s) without configuration: error %v; want a clear 'not configured'", name, err)
		}
	}
}
