package tokenstore

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// MaxIDLength is the longest ID ValidateID accepts.
const MaxIDLength = 64

// NewID returns a new random record ID: 128 bits from crypto/rand as 32
// lowercase hexadecimal characters, safe in URLs, paths and secret names.
func NewID() string {
	var b [16]byte
	// crypto/rand.Read never returns an error (Go 1.24+); on older
	// toolchains a failure here means the system has no entropy source.
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("tokenstore: reading random bytes: %v", err))
	}
	return hex.EncodeToString(b[:])
}

// ValidateID reports whether id can name a record: 1 to MaxIDLength ASCII
// letters, digits, '-' or '_'. Such an ID cannot carry a path separator, a
// dot segment, percent-encoding or anything a backend would reinterpret.
// Errors wrap ErrInvalidToken.
func ValidateID(id string) error {
	if id == "" {
		return invalidf("empty ID")
	}
	if len(id) > MaxIDLength {
		return invalidf("ID longer than %d bytes", MaxIDLength)
	}
	for i := 0; i < len(id); i++ {
		if !idByte(id[i]) {
			return invalidf("ID has a character other than [A-Za-z0-9_-] at byte %d", i)
		}
	}
	return nil
}

func idByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidToken}, args...)...)
}
