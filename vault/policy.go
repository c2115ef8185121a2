package vault

import (
	"fmt"
	"strings"
)

// Policy returns the Vault ACL policy, in HCL, that grants a Store with
// these options exactly what it needs and nothing else: its prefix on its
// mount. A token holding only this policy runs every operation; the
// integration tests run the conformance suite with such a token.
//
// On KV version 2 that is create, read and update on data/ (writes are
// check-and-set writes), list and delete on metadata/ (listing, and
// removing paths whole in DeleteTokens and an access token's entry), and
// update on destroy/ (dropping an index entry's version, and a deleted
// record's versions). On KV version 1 it is the five
// capabilities on the prefix itself.
func Policy(opts *Options) (string, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	mount, err := cleanPath("mount", orDefault(o.Mount, DefaultMount))
	if err != nil {
		return "", err
	}
	prefix, err := cleanPath("prefix", orDefault(o.Prefix, DefaultPrefix))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	rule := func(path string, caps ...string) {
		fmt.Fprintf(&b, "path %q {\n  capabilities = [\"%s\"]\n}\n", path, strings.Join(caps, `", "`))
	}
	switch o.KVVersion {
	case 0, KVv2:
		fmt.Fprintf(&b, "# tokenstore on KV v2 mount %q, prefix %q\n", mount, prefix)
		rule(mount+"/data/"+prefix+"/*", "create", "read", "update")
		rule(mount+"/metadata/"+prefix+"/*", "list", "delete")
		rule(mount+"/destroy/"+prefix+"/*", "update")
	case KVv1:
		fmt.Fprintf(&b, "# tokenstore on KV v1 mount %q, prefix %q\n", mount, prefix)
		rule(mount+"/"+prefix+"/*", "create", "read", "update", "delete", "list")
	default:
		return "", fmt.Errorf("vault: policy: KV version %d, want %d or %d", o.KVVersion, KVv1, KVv2)
	}
	return b.String(), nil
}
