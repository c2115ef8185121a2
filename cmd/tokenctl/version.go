package main

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// version describes this build for --version: the module version ("devel"
// when built from a checkout), the commit when Go recorded one, and the Go
// release, e.g. "v1.2.0 (commit 9808ff0a1b2c, go1.26.8)".
func version() string {
	v, extra := "devel", []string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		var rev, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = ", modified"
				}
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			extra = append(extra, "commit "+rev+dirty)
		}
	}
	extra = append(extra, runtime.Version())
	return v + " (" + strings.Join(extra, ", ") + ")"
}
