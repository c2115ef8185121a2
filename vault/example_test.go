package vault_test

import (
	"context"
	"fmt"
	"log"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/vault"
)

// A store on the KV version 2 engine at secret/, below apps/crm. The client
// is configured like the vault CLI: VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE.
func Example() {
	client, err := api.NewClient(api.DefaultConfig())
	if err != nil {
		log.Fatal(err)
	}
	store, err := vault.New(client, &vault.Options{Mount: "secret", Prefix: "apps/crm"})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	tok := tokenstore.Token{
		UserName:     "ann@example.com",
		ClientID:     "1000.EXAMPLE",
		ClientSecret: "client-secret",
		RefreshToken: "refresh-token",
		AccessToken:  "access-token",
	}
	if err := store.SaveToken(ctx, &tok); err != nil {
		log.Fatal(err)
	}
	found, err := store.FindToken(ctx, tokenstore.Token{UserName: "ann@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(found.ID == tok.ID)
}

// A KV version 1 engine at kv/. Only one process may write there; see the
// package doc.
func ExampleNew_kvVersion1() {
	client, err := api.NewClient(api.DefaultConfig())
	if err != nil {
		log.Fatal(err)
	}
	store, err := vault.New(client, &vault.Options{Mount: "kv", KVVersion: vault.KVv1, Prefix: "apps/crm"})
	if err != nil {
		log.Fatal(err)
	}
	_ = store
}

// The store of a Vault Enterprise namespace: set it on the client.
func ExampleNew_namespace() {
	client, err := api.NewClient(api.DefaultConfig())
	if err != nil {
		log.Fatal(err)
	}
	store, err := vault.New(client.WithNamespace("team-a"), nil)
	if err != nil {
		log.Fatal(err)
	}
	_ = store
}

// The policy to give the token of a store with these options.
func ExamplePolicy() {
	policy, err := vault.Policy(&vault.Options{Mount: "secret", Prefix: "apps/crm"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(policy)
	// Output:
	// # tokenstore on KV v2 mount "secret", prefix "apps/crm"
	// path "secret/data/apps/crm/*" {
	//   capabilities = ["create", "read", "update"]
	// }
	// path "secret/metadata/apps/crm/*" {
	//   capabilities = ["list", "delete"]
	// }
	// path "secret/destroy/apps/crm/*" {
	//   capabilities = ["update"]
	// }
}
