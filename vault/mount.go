package vault

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore/internal/urlparam"
)

// CheckMount asks the server what is mounted at mount and returns its KV
// version. It fails, with an error matching tokenstore.ErrBadURL that
// names the client's address (VAULT_ADDR) and the mount, when nothing is
// mounted there, the engine is not KV, or want (KVv1 or KVv2; 0 for any)
// is not its version. New makes no request and so cannot see any of
// these: a missing mount or a KV v2 mount used as version 1 then reads as
// an empty store, and writes fail.
//
// It reads sys/mounts/<mount>, which root and operator tokens may read.
// A token refused that (one holding only Policy, say) reads
// sys/internal/ui/mounts/<mount> instead, as the vault CLI's kv commands
// do: Vault answers it for any token that its policies grant some path
// below the mount, and answers "permission denied" alike whether the mount
// is missing or the token may use nothing in it, so as not to reveal which
// mounts exist. Both are single reads, never writes.
func CheckMount(ctx context.Context, client *api.Client, mount string, want int) (int, error) {
	mount = strings.Trim(mount, "/")
	where := fmt.Sprintf("%q at %s (VAULT_ADDR)", mount, client.Address())
	info, err := readMount(ctx, client, "sys/mounts/"+mount)
	var re *api.ResponseError
	switch {
	case errors.As(err, &re) && re.StatusCode == http.StatusBadRequest:
		// "No secret engine mount at <mount>/": only root-capable tokens
		// get this far.
		return 0, urlparam.Errorf("no mount %s", where)
	case errors.As(err, &re) && re.StatusCode == http.StatusForbidden:
		info, err = readMount(ctx, client, "sys/internal/ui/mounts/"+mount)
		if errors.As(err, &re) && re.StatusCode == http.StatusForbidden {
			hint := "VAULT_TOKEN's policies grant no path below it"
			if client.Token() == "" {
				hint = "VAULT_TOKEN is not set"
			}
			return 0, urlparam.Errorf("no mount %s that this token may use: it does not exist, or %s", where, hint)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("check mount %s: %w", where, err)
	}
	if info.Type != "kv" && info.Type != "generic" {
		return 0, urlparam.Errorf("mount %s is a %q engine, not KV", where, info.Type)
	}
	v := KVv1
	if info.Options["version"] == "2" {
		v = KVv2
	}
	if want != 0 && want != v {
		return 0, urlparam.Errorf("mount %s is KV version %d, not %d: use kv=%d", where, v, want, v)
	}
	return v, nil
}

// mountInfo is the part of a mount's description CheckMount reads.
type mountInfo struct {
	Type    string
	Options map[string]string
}

func readMount(ctx context.Context, client *api.Client, path string) (mountInfo, error) {
	s, err := client.Logical().ReadWithContext(ctx, path)
	if err != nil {
		return mountInfo{}, err
	}
	if s == nil || s.Data == nil {
		return mountInfo{}, fmt.Errorf("%s: empty answer", path)
	}
	var m mountInfo
	m.Type, _ = s.Data["type"].(string)
	if opts, ok := s.Data["options"].(map[string]any); ok {
		m.Options = make(map[string]string, len(opts))
		for k, v := range opts {
			m.Options[k], _ = v.(string)
		}
	}
	return m, nil
}
