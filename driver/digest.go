package driver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/tokenstore-go/tokenstore"
)

// Digest returns a stable name for k that backends can put in secret names,
// paths and tags: 64 lowercase hex characters of HMAC-SHA256 keyed by pepper
// over the key's kind, client ID and value. It reveals no token value and no
// user name, and any input yields a name-safe result.
//
// Threat model: access, refresh and grant tokens are long random strings, so
// their digests cannot be reversed with or without a pepper. User names are
// often guessable e-mail addresses: with an empty pepper, anyone who can list
// names can confirm a guessed address by hashing it. A pepper (a secret of 32
// random bytes, the same for every instance sharing the store, kept outside
// the store) makes that impossible without the pepper. Changing the pepper
// orphans existing index entries, so records must be re-saved.
func Digest(k tokenstore.Key, pepper []byte) string {
	m := hmac.New(sha256.New, pepper)
	// Length-prefix the client ID so no (client ID, value) pair can be
	// shifted into another one with the same bytes.
	var hdr [1 + binary.MaxVarintLen64]byte
	hdr[0] = byte(k.Kind)
	n := binary.PutUvarint(hdr[1:], uint64(len(k.ClientID)))
	m.Write(hdr[:1+n])
	m.Write([]byte(k.ClientID))
	m.Write([]byte(k.Value))
	return hex.EncodeToString(m.Sum(nil))
}

// MinPepperLen is the shortest pepper a store accepts: 16 bytes, 128 bits.
// A shorter one is a typo or a placeholder more often than a key, and
// keys an HMAC an attacker could search; 32 random bytes is the advice.
const MinPepperLen = 16

// ClonePepper returns the copy of pepper that a store keeps, so that a
// caller that wipes or reuses its buffer after the store's New changes no
// index name (which would make lookups miss and saves insert duplicates).
// An empty pepper, meaning none, is nil; one shorter than MinPepperLen is
// an error that gives its length only.
func ClonePepper(pepper []byte) ([]byte, error) {
	switch {
	case len(pepper) == 0:
		return nil, nil
	case len(pepper) < MinPepperLen:
		return nil, fmt.Errorf("pepper of %d bytes: use at least %d (32 random bytes), or none", len(pepper), MinPepperLen)
	}
	return append([]byte(nil), pepper...), nil
}
