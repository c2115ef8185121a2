package vault

import (
	"testing"
)

func TestPolicy(t *testing.T) {
	tests := []struct {
		name string
		opts *Options
		want string
	}{
		{"defaults", nil, `# tokenstore on KV v2 mount "secret", prefix "tokenstore"
path "secret/data/tokenstore/*" {
  capabilities = ["create", "read", "update"]
}
path "secret/metadata/tokenstore/*" {
  capabilities = ["list", "delete"]
}
path "secret/destroy/tokenstore/*" {
  capabilities = ["update"]
}
`},
		{"v1", &Options{Mount: "kv", KVVersion: KVv1, Prefix: "/apps/crm/"}, `# tokenstore on KV v1 mount "kv", prefix "apps/crm"
path "kv/apps/crm/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Policy(tt.opts)
			if err != nil || got != tt.want {
				t.Errorf("Policy = %q, %v;\nwant %q", got, err, tt.want)
			}
		})
	}
	if _, err := Policy(&Options{Prefix: "../x"}); err == nil {
		t.Error("Policy with an escaping prefix: got no error")
	}
}
