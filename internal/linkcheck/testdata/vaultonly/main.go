// Command vaultonly uses the vault store alone, for TestLinkSeparation.
package main

import (
	"fmt"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore/vault"
)

func main() {
	c, err := api.NewClient(api.DefaultConfig())
	if err != nil {
		panic(err)
	}
	s, err := vault.New(c, nil)
	fmt.Println(s, err)
}
