package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// Environment variables tokenctl reads besides the AWS and Vault ones.
const (
	envStore      = "TOKENSTORE_URL"
	envPepper     = "TOKENSTORE_PEPPER"
	envPepperFile = "TOKENSTORE_PEPPER_FILE"
)

// app is one run of tokenctl: its streams, flags and collaborators. Tests
// run it in-process with their own streams and HTTP client.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	// httpClient, when set, carries every request to a store (tests count
	// requests with it).
	httpClient *http.Client
	now        func() time.Time

	storeURL   string
	pepperFile string
	output     string
	noProgress bool
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now}
}

// run executes the command line args and returns the exit code.
func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var e *exitErr
	usage := !errors.As(err, &e)
	if usage {
		// Only cobra's own parsing (unknown command, flag or argument
		// count) returns untyped errors: every RunE wraps its own.
		e = &exitErr{code: exitUsage, err: err}
	}
	if e.err != nil {
		fmt.Fprintf(a.stderr, "tokenctl: %v\n", e.err)
	}
	if usage {
		fmt.Fprintln(a.stderr, "Run 'tokenctl --help' for usage.")
	}
	return e.code
}

const rootLong = `tokenctl inspects the OAuth tokens a store of tokenstore holds, deletes them,
imports them from the Zoho SDKs' stores (FileStore CSV, DBStore on MySQL or
MariaDB, the Kaizen #192 SQLite store, tokenctl's own export) and copies them
between stores. Nothing caches: every command sees what the store holds.

Stores are URLs (--store, or TOKENSTORE_URL):
  mem://                          in-process memory; empty at start (for --dry-run and tests)
  awssm://<prefix>?region=R       AWS Secrets Manager; credentials, region and
                                  endpoint from the AWS environment (AWS_REGION,
                                  AWS_ENDPOINT_URL, AWS_PROFILE, roles ...).
                                  More: kms-key=ID, force-delete=true, recovery-window=DAYS
  vault://<mount>/<prefix>?kv=2   HashiCorp Vault KV; kv=1|2 must match the mount,
                                  which is checked first (default: its version);
                                  VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE and the
                                  vault CLI's other variables
Unknown, repeated, empty or ';'-joined URL parameters are errors.

The pepper keying the index names must be the one your applications use:
--pepper-file FILE, TOKENSTORE_PEPPER_FILE or TOKENSTORE_PEPPER, holding the
bytes as hex or base64 (standard or URL alphabet, padding optional; surrounding
whitespace ignored).

Secrets (client secret, refresh, access and grant tokens) are never printed,
logged or put in an error, except by 'get --reveal' and 'export'.

` + exitCodesHelp

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "tokenctl",
		Short:         "Inspect, import and copy Zoho OAuth tokens in tokenstore's stores",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
		Example: `  export TOKENSTORE_URL='vault://secret/apps/crm'
  tokenctl list
  tokenctl get --user alice@example.com
  tokenctl import --dry-run tokens.csv
  tokenctl copy --from vault://secret/apps/crm --to 'awssm://crm/prod/?region=eu-west-1'`,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitErr{code: exitUsage, err: err}
	})
	pf := root.PersistentFlags()
	pf.StringVarP(&a.storeURL, "store", "s", os.Getenv(envStore), "store URL (default $"+envStore+")")
	pf.StringVar(&a.pepperFile, "pepper-file", "", "file holding the index pepper as hex or base64 (default $"+envPepperFile+", or $"+envPepper+" itself)")
	pf.StringVarP(&a.output, "output", "o", "table", "output format: table or json")
	pf.BoolVar(&a.noProgress, "no-progress", false, "never show a progress bar (it shows only when stderr is a terminal)")
	root.AddCommand(a.listCmd(), a.getCmd(), a.deleteCmd(), a.deleteAllCmd(),
		a.importCmd(), a.exportCmd(), a.copyCmd())
	return root
}

// checkOutput validates --output.
func (a *app) checkOutput() error {
	if a.output != "table" && a.output != "json" {
		return usagef("--output %q: want table or json", a.output)
	}
	return nil
}

// isTerminal reports whether w or r is a terminal.
func isTerminal(f any) bool {
	if fd, ok := f.(interface{ Fd() uintptr }); ok {
		return term.IsTerminal(int(fd.Fd()))
	}
	return false
}

// warnf prints a warning on stderr.
func (a *app) warnf(format string, args ...any) {
	fmt.Fprintf(a.stderr, "tokenctl: warning: "+format+"\n", args...)
}
