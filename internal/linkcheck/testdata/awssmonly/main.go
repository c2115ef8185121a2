// Command awssmonly uses the awssm store alone, for TestLinkSeparation.
package main

import (
	"context"
	"fmt"

	"github.com/tokenstore-go/tokenstore/awssm"
)

func main() {
	s, err := awssm.FromEnv(context.Background(), nil)
	fmt.Println(s, err)
}
