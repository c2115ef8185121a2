package awssm

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// A tombstone is the record secret's value while the record is
// being deleted, and after a save retired an ID no record was written at:
// {"tokenstore":"deleted","n":"<nonce>","index":["index/<digest>",...]},
// the engine's tombstone. It is written by compare-and-swap (or create),
// so a concurrent update either lands before the delete or fails and
// retries, and restoring the secret (by this package, to reuse its name, or
// by hand) never brings back a deleted record unnoticed. Index lists the
// entries a delete that stopped half-way still has to drop. The deleted
// record stays in the AWSPREVIOUS version for manual recovery.
type tombstone struct {
	Tokenstore string   `json:"tokenstore"`
	N          string   `json:"n"`
	Index      []string `json:"index,omitempty"`
}

func tombstoneValue(index []string) string {
	b, _ := json.Marshal(tombstone{Tokenstore: "deleted", N: nonce(), Index: index}) // cannot fail: strings only
	return string(b)
}

// decodeTombstone returns the tombstone v holds, if it is one.
func decodeTombstone(v string) (tombstone, bool) {
	var m tombstone
	ok := strings.HasPrefix(v, `{"tokenstore":`) && json.Unmarshal([]byte(v), &m) == nil && m.Tokenstore == "deleted"
	return m, ok
}

// stamped returns the value that writes the record encoded as body over an
// existing version: body with a random nonce added to its envelope (a
// field driver.DecodeRecord ignores). Writers that read the same
// version ask for the same next version ID (see put), and Secrets Manager
// takes two such requests with the same value as one; with the nonce no
// two values are the same, so exactly one writer wins and the other reads
// again. Without it, two UpdateToken calls making the same change would
// both report success for one write.
func stamped(body []byte) (string, error) {
	v := string(body[:len(body)-1]) + `,"awssm_nonce":"` + nonce() + `"}`
	if len(v) > driver.MaxRecordSize {
		return "", fmt.Errorf("%w: encoded record is %d bytes, limit %d", tokenstore.ErrTooLarge, len(v), driver.MaxRecordSize)
	}
	return v, nil
}
