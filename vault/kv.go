package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/hashicorp/vault/api"
)

// errCAS reports that a conditional write lost: on KV v2 Vault refused the
// cas parameter, on KV v1 a create-only write found the path taken. It never
// leaves the package; SaveToken retries on it and reports ErrConflict.
var errCAS = errors.New("check-and-set mismatch")

// kv is the part of a KV secrets engine the store uses. Paths are relative
// to the mount. Each method is exactly one HTTP request, except a
// create-only write on KV v1, which reads first (v1 has no check-and-set).
type kv interface {
	// read returns the data at p, or nil when p is absent, soft-deleted or
	// destroyed. ver is what write needs as cas to replace what was read:
	// 0 when p has no metadata.
	read(ctx context.Context, p string) (data map[string]any, ver int, err error)

	// write stores data at p if p is still at version cas (0: p must be
	// absent or have no metadata). A lost race is an error wrapping errCAS.
	// On KV v2 a write that lands becomes version cas+1.
	write(ctx context.Context, p string, data map[string]any, cas int) error

	// readVersion returns the data of version ver of p, or nil when that
	// version does not exist (any more). KV v1 keeps no versions: it
	// returns the current data, whatever ver.
	readVersion(ctx context.Context, p string, ver int) (map[string]any, error)

	// list returns the names directly below dir; sub-directories end in '/'.
	list(ctx context.Context, dir string) ([]string, error)

	// remove deletes p with all its versions and metadata. Removing an
	// absent path is not an error. It is unconditional: a version written
	// after the caller last read p goes too.
	remove(ctx context.Context, p string) error

	// destroy erases version ver of p and keeps p's metadata and any later
	// version, which makes it the one conditional delete KV v2 has: p then
	// reads as absent, unless another writer got there first. On KV v1 it
	// deletes p.
	destroy(ctx context.Context, p string, ver int) error

	// destroyUpTo erases versions 1 to ver of p (those pruned or never
	// written are ignored) and keeps p's metadata, so its version numbers
	// go on from where they were. On KV v1 it deletes p.
	destroyUpTo(ctx context.Context, p string, ver int) error
}

// kvV2 speaks to a KV version 2 mount: data/ for versions, metadata/ for
// listing and for deleting a path with all its versions.
type kvV2 struct {
	logical *api.Logical
	mount   string
}

func (k kvV2) read(ctx context.Context, p string) (map[string]any, int, error) {
	s, err := k.logical.ReadWithContext(ctx, k.mount+"/data/"+p)
	if err != nil || s == nil || s.Data == nil {
		return nil, 0, err
	}
	ver, err := metadataVersion(s.Data["metadata"])
	if err != nil {
		return nil, 0, err
	}
	// A soft-deleted or destroyed latest version has metadata but null data.
	data, _ := s.Data["data"].(map[string]any)
	return data, ver, nil
}

func (k kvV2) write(ctx context.Context, p string, data map[string]any, cas int) error {
	s, err := k.logical.WriteWithContext(ctx, k.mount+"/data/"+p, map[string]any{
		"data":    data,
		"options": map[string]any{"cas": cas},
	})
	if isCASError(err) {
		return fmt.Errorf("%w: %w", errCAS, err)
	}
	if err != nil {
		return err
	}
	// A KV v2 write answers with the new version's metadata; a KV v1 mount
	// would have stored our request body under ".../data/..." and answered
	// with nothing.
	if s == nil || s.Data["version"] == nil {
		return fmt.Errorf("mount %q did not answer as KV version 2 (is it KV version 1?)", k.mount)
	}
	return nil
}

func (k kvV2) readVersion(ctx context.Context, p string, ver int) (map[string]any, error) {
	s, err := k.logical.ReadWithDataWithContext(ctx, k.mount+"/data/"+p,
		map[string][]string{"version": {strconv.Itoa(ver)}})
	if err != nil || s == nil || s.Data == nil {
		return nil, err
	}
	data, _ := s.Data["data"].(map[string]any)
	return data, nil
}

func (k kvV2) list(ctx context.Context, dir string) ([]string, error) {
	return listKeys(ctx, k.logical, k.mount+"/metadata/"+dir)
}

func (k kvV2) remove(ctx context.Context, p string) error {
	_, err := k.logical.DeleteWithContext(ctx, k.mount+"/metadata/"+p)
	return err
}

func (k kvV2) destroy(ctx context.Context, p string, ver int) error {
	return k.destroyVersions(ctx, p, []int{ver})
}

func (k kvV2) destroyUpTo(ctx context.Context, p string, ver int) error {
	versions := make([]int, ver)
	for i := range versions {
		versions[i] = i + 1
	}
	return k.destroyVersions(ctx, p, versions)
}

func (k kvV2) destroyVersions(ctx context.Context, p string, versions []int) error {
	_, err := k.logical.WriteWithContext(ctx, k.mount+"/destroy/"+p, map[string]any{"versions": versions})
	return err
}

// kvV1 speaks to a KV version 1 mount, which keeps one unversioned value
// per path and has no check-and-set.
type kvV1 struct {
	logical *api.Logical
	mount   string
}

func (k kvV1) read(ctx context.Context, p string) (map[string]any, int, error) {
	s, err := k.logical.ReadWithContext(ctx, k.mount+"/"+p)
	if err != nil || s == nil || s.Data == nil {
		return nil, 0, err
	}
	// A present value has pseudo-version 1, so that an update (cas 1) is
	// told from a create (cas 0).
	return s.Data, 1, nil
}

// write emulates create-only (cas 0) by reading first. Between that read
// and the write another writer can still slip in: see the package doc.
func (k kvV1) write(ctx context.Context, p string, data map[string]any, cas int) error {
	if cas == 0 {
		old, _, err := k.read(ctx, p)
		if err != nil {
			return err
		}
		if old != nil {
			return fmt.Errorf("%w: path exists", errCAS)
		}
	}
	_, err := k.logical.WriteWithContext(ctx, k.mount+"/"+p, data)
	return err
}

func (k kvV1) readVersion(ctx context.Context, p string, _ int) (map[string]any, error) {
	data, _, err := k.read(ctx, p)
	return data, err
}

func (k kvV1) list(ctx context.Context, dir string) ([]string, error) {
	return listKeys(ctx, k.logical, k.mount+"/"+dir)
}

func (k kvV1) remove(ctx context.Context, p string) error {
	_, err := k.logical.DeleteWithContext(ctx, k.mount+"/"+p)
	return err
}

func (k kvV1) destroy(ctx context.Context, p string, _ int) error { return k.remove(ctx, p) }

func (k kvV1) destroyUpTo(ctx context.Context, p string, _ int) error { return k.remove(ctx, p) }

// listKeys sends one LIST request; an absent directory is an empty list.
func listKeys(ctx context.Context, logical *api.Logical, dir string) ([]string, error) {
	s, err := logical.ListWithContext(ctx, dir+"/")
	if err != nil || s == nil || s.Data == nil {
		return nil, err
	}
	raw, _ := s.Data["keys"].([]any)
	keys := make([]string, 0, len(raw))
	for _, v := range raw {
		if name, ok := v.(string); ok {
			keys = append(keys, name)
		}
	}
	return keys, nil
}

// metadataVersion reads "version" from a KV v2 read's metadata.
func metadataVersion(md any) (int, error) {
	m, _ := md.(map[string]any)
	switch v := m["version"].(type) {
	case json.Number:
		n, err := strconv.Atoi(v.String())
		if err == nil {
			return n, nil
		}
	case float64:
		return int(v), nil
	}
	return 0, errors.New("kv v2 read without a version in its metadata (is the mount KV version 1?)")
}

// isCASError reports whether err is Vault refusing a KV v2 cas parameter.
func isCASError(err error) bool {
	var re *api.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusBadRequest {
		return false
	}
	for _, e := range re.Errors {
		if strings.Contains(e, "check-and-set") {
			return true
		}
	}
	return false
}
