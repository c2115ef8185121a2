package vault

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The KV engines of the fake Vault (fakevault_test.go), after
// vault-plugin-secrets-kv v0.25.0: path_data.go, path_metadata.go,
// path_destroy.go, path_delete.go and path_config.go for version 2, and
// passthrough.go for version 1. f.mu is held in every method.

// fakeMount is one KV engine.
type fakeMount struct {
	version int

	// The mount's config (KV v2): max_versions (0: the key's, else 10) and
	// cas_required.
	maxVersions int
	casRequired bool

	keys map[string]*fakeKey        // KV v2
	v1   map[string]json.RawMessage // KV v1: the stored JSON object
}

// fakeKey is the metadata of one KV v2 path and its versions.
type fakeKey struct {
	current, oldest int
	maxVersions     int
	casRequired     bool
	created         string
	updated         string
	versions        map[int]*fakeVersion // pruned versions are absent
}

type fakeVersion struct {
	data      json.RawMessage // nil once destroyed
	created   string
	deleted   string // deletion_time; "" when live
	destroyed bool
}

// fakeDefaultMaxVersions is what Vault keeps when neither the key nor the
// mount sets max_versions.
const fakeDefaultMaxVersions = 10

// fakeLeaseSeconds is the lease_duration of a KV v1 read on a dev server
// (its default TTL, 768 hours).
const fakeLeaseSeconds = 768 * 3600

// ---- KV version 2 ----

func (m *fakeMount) v2Handle(method, rest string, q url.Values, body []byte) fakeAnswer {
	kind, p, _ := strings.Cut(rest, "/")
	write := method == http.MethodPut || method == http.MethodPost
	switch {
	case kind == "config" && p == "" && method == http.MethodGet:
		return ansOK(http.StatusOK, map[string]any{
			"cas_required": m.casRequired, "delete_version_after": "0s", "max_versions": m.maxVersions}, 0)
	case kind == "config" && p == "" && write:
		return m.writeConfig(body)
	case kind == "data" && method == http.MethodGet:
		return m.read(p, q.Get("version"))
	case kind == "data" && write:
		return m.write(p, body)
	case kind == "data" && method == http.MethodDelete:
		m.softDelete(p, nil)
		return ansNoContent()
	case kind == "metadata" && method == "LIST":
		return ansList(slices.Sorted(maps.Keys(m.keys)), p)
	case kind == "metadata" && method == http.MethodGet:
		return m.readMetadata(p)
	case kind == "metadata" && write:
		return m.writeMetadata(p, body)
	case kind == "metadata" && method == http.MethodDelete:
		delete(m.keys, p)
		return ansNoContent()
	case (kind == "destroy" || kind == "delete" || kind == "undelete") && write:
		return m.versionsOp(kind, p, body)
	}
	return ansError(http.StatusMethodNotAllowed, "unsupported operation")
}

func (m *fakeMount) read(p, version string) fakeAnswer {
	k := m.keys[p]
	if k == nil {
		return ansNotFound()
	}
	ver := k.current
	if version != "" {
		n, err := strconv.Atoi(version)
		if err != nil {
			return ansError(http.StatusBadRequest, fmt.Sprintf(
				"Field validation failed: error converting input for field \"version\": cannot parse '' as int: strconv.ParseInt: parsing %q: invalid syntax", version))
		}
		if n > 0 {
			ver = n
		}
	}
	v := k.versions[ver]
	if v == nil {
		return ansNotFound()
	}
	md := map[string]any{
		"version": ver, "created_time": v.created, "deletion_time": v.deleted,
		"destroyed": v.destroyed, "custom_metadata": nil,
	}
	if v.deleted != "" || v.destroyed {
		a := ansOK(http.StatusNotFound, map[string]any{"data": nil, "metadata": md}, 0)
		a.body.(map[string]any)["mount_type"] = ""
		return a
	}
	return ansOK(http.StatusOK, map[string]any{"data": v.data, "metadata": md}, 0)
}

func (m *fakeMount) write(p string, body []byte) fakeAnswer {
	in, err := fakeDecode(body)
	if err != nil {
		return ansError(http.StatusBadRequest, "failed to parse JSON input: "+err.Error())
	}
	raw, present := in["data"]
	if !present {
		return ansError(http.StatusBadRequest, "no data provided")
	}
	if t := fakeJSONKind(raw); t != "object" && t != "null" {
		return ansError(http.StatusBadRequest, fmt.Sprintf("error converting input for field \"data\": '' expected a map, got '%s'", t))
	}
	k := m.keys[p]
	if k == nil {
		k = &fakeKey{versions: map[int]*fakeVersion{}}
	}
	var opts map[string]json.RawMessage
	_ = json.Unmarshal(in["options"], &opts)
	if casRaw, set := opts["cas"]; set {
		cas, ok := fakeWeakInt(casRaw)
		if !ok {
			return ansError(http.StatusBadRequest, "error parsing check-and-set parameter")
		}
		if cas != k.current {
			return ansError(http.StatusBadRequest, "check-and-set parameter did not match the current version")
		}
	} else if m.casRequired || k.casRequired {
		return ansError(http.StatusBadRequest, "check-and-set parameter required for this call")
	}
	t := vaultNow()
	if k.created == "" {
		k.created = t
	}
	k.updated = t
	k.current++
	k.versions[k.current] = &fakeVersion{data: append(json.RawMessage(nil), raw...), created: t}
	m.prune(k)
	m.keys[p] = k
	return ansOK(http.StatusOK, map[string]any{
		"version": k.current, "created_time": t, "deletion_time": "", "destroyed": false, "custom_metadata": nil}, 0)
}

// prune drops the versions beyond max_versions, as KeyMetadata.AddVersion
// does: the larger of the key's and the mount's setting counts.
func (m *fakeMount) prune(k *fakeKey) {
	limit := max(k.maxVersions, m.maxVersions)
	if limit == 0 {
		limit = fakeDefaultMaxVersions
	}
	if k.current-k.oldest < limit {
		return
	}
	last := k.current - limit
	for i := k.oldest; i <= last; i++ {
		delete(k.versions, i)
	}
	k.oldest = last + 1
}

// softDelete sets the deletion time of the given versions (nil: the
// latest) that are live.
func (m *fakeMount) softDelete(p string, versions []int) {
	k := m.keys[p]
	if k == nil {
		return
	}
	if versions == nil {
		versions = []int{k.current}
	}
	t := vaultNow()
	for _, n := range versions {
		if v := k.versions[n]; v != nil && !v.destroyed && v.deleted == "" {
			v.deleted = t
		}
	}
}

func (m *fakeMount) versionsOp(kind, p string, body []byte) fakeAnswer {
	in, err := fakeDecode(body)
	if err != nil {
		return ansError(http.StatusBadRequest, "failed to parse JSON input: "+err.Error())
	}
	var raw []json.RawMessage
	_ = json.Unmarshal(in["versions"], &raw)
	var versions []int
	for _, r := range raw {
		if n, ok := fakeWeakInt(r); ok {
			versions = append(versions, n)
		}
	}
	if len(versions) == 0 {
		return ansError(http.StatusBadRequest, "no version number provided")
	}
	k := m.keys[p]
	if k == nil {
		return ansNoContent()
	}
	for _, n := range versions {
		v := k.versions[n]
		if v == nil || v.destroyed {
			continue
		}
		switch kind {
		case "destroy":
			v.destroyed, v.data = true, nil
		case "delete":
			m.softDelete(p, []int{n})
		case "undelete":
			v.deleted = ""
		}
	}
	return ansNoContent()
}

func (m *fakeMount) readMetadata(p string) fakeAnswer {
	k := m.keys[p]
	if k == nil {
		return ansNotFound()
	}
	versions := map[string]any{}
	for n, v := range k.versions {
		versions[strconv.Itoa(n)] = map[string]any{
			"created_time": v.created, "deletion_time": v.deleted, "destroyed": v.destroyed,
			"created_by": nil, "deleted_by": nil,
		}
	}
	return ansOK(http.StatusOK, map[string]any{
		"versions": versions, "current_version": k.current, "oldest_version": k.oldest,
		"created_time": k.created, "updated_time": k.updated, "max_versions": k.maxVersions,
		"cas_required": k.casRequired, "delete_version_after": "0s", "custom_metadata": nil,
		"last_updated_by": nil,
	}, 0)
}

func (m *fakeMount) writeMetadata(p string, body []byte) fakeAnswer {
	in, err := fakeDecode(body)
	if err != nil {
		return ansError(http.StatusBadRequest, "failed to parse JSON input: "+err.Error())
	}
	mv, hasMax := in["max_versions"]
	cr, hasCAS := in["cas_required"]
	if !hasMax && !hasCAS {
		return ansNoContent()
	}
	k := m.keys[p]
	if k == nil {
		t := vaultNow()
		k = &fakeKey{versions: map[int]*fakeVersion{}, created: t, updated: t}
		m.keys[p] = k
	}
	if hasMax {
		k.maxVersions, _ = fakeWeakInt(mv)
	}
	if hasCAS {
		_ = json.Unmarshal(cr, &k.casRequired)
	}
	return ansNoContent()
}

func (m *fakeMount) writeConfig(body []byte) fakeAnswer {
	in, err := fakeDecode(body)
	if err != nil {
		return ansError(http.StatusBadRequest, "failed to parse JSON input: "+err.Error())
	}
	if mv, set := in["max_versions"]; set {
		m.maxVersions, _ = fakeWeakInt(mv)
	}
	if cr, set := in["cas_required"]; set {
		_ = json.Unmarshal(cr, &m.casRequired)
	}
	return ansNoContent()
}

// ---- KV version 1 ----

func (m *fakeMount) v1Handle(method, p string, body []byte) fakeAnswer {
	switch method {
	case http.MethodGet:
		v, ok := m.v1[p]
		if !ok {
			return ansNotFound()
		}
		return ansOK(http.StatusOK, v, fakeLeaseSeconds)
	case http.MethodPut, http.MethodPost:
		in, err := fakeDecode(body)
		if err != nil {
			return ansError(http.StatusBadRequest, "failed to parse JSON input: "+err.Error())
		}
		if len(in) == 0 {
			return ansError(http.StatusBadRequest, "missing data fields")
		}
		m.v1[p] = append(json.RawMessage(nil), bytes.TrimSpace(body)...)
		return ansNoContent()
	case http.MethodDelete:
		delete(m.v1, p)
		return ansNoContent()
	case "LIST":
		return ansList(slices.Sorted(maps.Keys(m.v1)), p)
	}
	return ansError(http.StatusMethodNotAllowed, "unsupported operation")
}

// list answers a LIST of dir among paths: the names directly below it,
// sub-directories ending in '/', sorted; nothing there is a 404.
func ansList(paths []string, dir string) fakeAnswer {
	if dir = strings.TrimSuffix(dir, "/"); dir != "" {
		dir += "/"
	}
	var keys []string
	for _, p := range paths {
		name, ok := strings.CutPrefix(p, dir)
		if !ok || name == "" {
			continue
		}
		if sub, _, nested := strings.Cut(name, "/"); nested {
			name = sub + "/"
		}
		if !slices.Contains(keys, name) {
			keys = append(keys, name)
		}
	}
	if len(keys) == 0 {
		return ansNotFound()
	}
	slices.Sort(keys)
	return ansOK(http.StatusOK, map[string]any{"keys": keys}, 0)
}

// fakeJSONKind names the JSON type of raw as Vault's messages do.
func fakeJSONKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "null"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "slice"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "float64"
}

// fakeWeakInt decodes an integer as mapstructure.WeakDecode does for the
// values Vault accepts here: a JSON integer or a string holding one.
func fakeWeakInt(raw json.RawMessage) (int, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(s)
	}
	n, err := strconv.Atoi(string(bytes.TrimSpace(raw)))
	return n, err == nil
}
