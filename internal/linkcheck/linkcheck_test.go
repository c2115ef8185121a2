// Package linkcheck holds TestLinkSeparation, which builds small programs
// that import one backend each and checks what their binaries link.
package linkcheck

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLinkSeparation builds a program that imports only awssm, one that
// imports only vault and one that imports only cache and memstore, and
// checks with `go version -m` (modules) and `go tool nm` (symbols) that
// each links its own backend and not the other: importing awssm brings in
// no Vault code, and importing vault no AWS SDK. Skipped with -short; it
// runs the go command (cached builds take a second or two each).
func TestLinkSeparation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs: skipped with -short")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	const (
		awsMod     = "github.com/aws/aws-sdk-go-v2"
		vaultMod   = "github.com/hashicorp/vault/api"
		awssmPkg   = "github.com/tokenstore-go/tokenstore/awssm."
		vaultPkg   = "github.com/tokenstore-go/tokenstore/vault."
		cachePkg   = "github.com/tokenstore-go/tokenstore/cache."
		memPkg     = "github.com/tokenstore-go/tokenstore/memstore."
		smithyMod  = "github.com/aws/smithy-go"
		hashicorps = "github.com/hashicorp/"
	)
	for _, tc := range []struct {
		prog      string
		want      []string // symbol prefixes the binary must have
		notMods   []string // modules it must not list
		notSymbol []string // symbol prefixes it must not have
	}{
		{"awssmonly", []string{awssmPkg}, []string{vaultMod, hashicorps}, []string{vaultPkg, hashicorps}},
		{"vaultonly", []string{vaultPkg}, []string{awsMod, smithyMod}, []string{awssmPkg, awsMod, smithyMod}},
		{"coreonly", []string{cachePkg, memPkg}, []string{awsMod, smithyMod, hashicorps}, []string{awssmPkg, vaultPkg, awsMod, hashicorps}},
	} {
		t.Run(tc.prog, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), tc.prog)
			run(t, goCmd, "build", "-o", bin, "./testdata/"+tc.prog)
			mods := run(t, goCmd, "version", "-m", bin)
			for _, m := range tc.notMods {
				if strings.Contains(mods, m) {
					t.Errorf("%s lists module %s:\n%s", tc.prog, m, mods)
				}
			}
			syms := run(t, goCmd, "tool", "nm", bin)
			for _, p := range tc.want {
				if !hasSymbol(syms, p) {
					t.Errorf("%s has no symbol %s*: the check would prove nothing", tc.prog, p)
				}
			}
			for _, p := range tc.notSymbol {
				if hasSymbol(syms, p) {
					t.Errorf("%s links symbols %s*", tc.prog, p)
				}
			}
		})
	}
}

// hasSymbol reports whether go tool nm output lists a symbol starting
// with prefix.
func hasSymbol(nm, prefix string) bool {
	for line := range strings.Lines(nm) {
		// "addr type name", or "U name" for an undefined symbol; a name
		// may hold spaces.
		var name string
		switch f := strings.Fields(line); {
		case len(f) >= 3:
			name = strings.Join(f[2:], " ")
		case len(f) == 2:
			name = f[1]
		}
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
