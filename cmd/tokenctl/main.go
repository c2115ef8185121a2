// Command tokenctl inspects and manages the tokens a store of tokenstore
// holds, imports them from the Zoho SDKs' stores, and copies them between
// stores. See README.md for URLs, commands, exit codes and the secrets
// policy.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal the command finishes the record in hand and
		// stops; restoring the default handling lets a second Ctrl-C kill
		// the process at once.
		<-ctx.Done()
		stop()
	}()
	a := newApp(os.Stdin, os.Stdout, os.Stderr)
	code := a.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
