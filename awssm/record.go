package awssm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

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

// A record secret's value is the record as driver.EncodeRecordMeta
// wrote it, with a random write nonce. Writers that read the same version
// ask for the same next version ID (see put), and Secrets Manager takes two
// such requests with the same value as one; with the nonce no two values
// are the same, so exactly one writer wins and the other reads again.
// Without it, two UpdateToken calls making the same change would both
// report success for one write.
//
// The nonce must cost no byte of the record's budget: a record may be
// driver.MaxRecordSize bytes, which is also the most a secret value holds
// (maxValue). So a record is framed one of two ways:
//
//   - JSON, {"v":1,"token":{...},"meta":{...},"awssm_nonce":"<16 hex>"}:
//     the envelope with one more member, which the codec ignores, so that
//     every version of this package reads it. It adds jsonNonceLen bytes
//     and is used whenever the result fits in a secret value.
//   - Compact, for the records in the last jsonNonceLen bytes below the
//     limit: "ts1:<16 hex>:" and then the record without recordHead, the
//     22 bytes every record of envelope version 1 starts with, which the
//     reader puts back. The 21-byte head replaces those 22 bytes, so the
//     value is one byte shorter than the record. Versions of this package
//     from before this frame read such a record as corrupt; they could not
//     store it either.
const (
	recordHead   = `{"v":1,"token":{"id":"`
	compactTag   = "ts1:"
	compactHead  = len(compactTag) + nonceLen + 1 // tag, nonce, ':'
	jsonNonceLen = len(`,"awssm_nonce":""`) + nonceLen
)

// Every record the codec accepts fits in a secret value once framed.
const _ = uint(maxValue - (driver.MaxRecordSize - len(recordHead) + compactHead))

// stamped returns the value that writes the record encoded as body: body
// framed with a fresh nonce, never longer than maxValue for a body the
// codec produced (driver.MaxRecordSize at most).
func stamped(body []byte) (string, error) {
	n := nonce()
	if len(body)+jsonNonceLen <= maxValue {
		return string(body[:len(body)-1]) + `,"awssm_nonce":"` + n + `"}`, nil
	}
	rest, ok := bytes.CutPrefix(body, []byte(recordHead))
	if !ok || compactHead+len(rest) > maxValue {
		// Only a codec this package does not know the envelope of gets
		// here; TestFramesEveryCodecRecord keeps them in step.
		return "", fmt.Errorf("record of %d bytes in an envelope this package cannot frame", len(body))
	}
	return compactTag + n + ":" + string(rest), nil
}

// unframed returns the record a Live record secret's value holds, as
// stamped framed it (or as written before nonces existed: the record
// itself).
func unframed(v string) []byte {
	if strings.HasPrefix(v, compactTag) && len(v) >= compactHead && v[compactHead-1] == ':' {
		return []byte(recordHead + v[compactHead:])
	}
	return []byte(v)
}
