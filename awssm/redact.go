package awssm

import (
	"fmt"
	"log/slog"

	"github.com/tokenstore-go/tokenstore/internal/redact"
)

// Format implements fmt.Formatter: Options as %+v would print them, with
// Pepper shown only as "[redacted]" when set.
func (o Options) Format(f fmt.State, verb rune) { redact.Format(f, verb, redact.Struct(o, "Pepper")) }

// LogValue implements slog.LogValuer like Format.
func (o Options) LogValue() slog.Value { return redact.LogValue(redact.Struct(o, "Pepper")) }

// MarshalJSON implements json.Marshaler: Options as encoding/json would
// write them, with Pepper as "[redacted]" when set.
func (o Options) MarshalJSON() ([]byte, error) {
	type plain Options
	return redact.JSON(plain(o), "Pepper")
}

// String names the store and its prefix; it shows neither the pepper nor
// the client.
func (s *Store) String() string { return fmt.Sprintf("awssm.Store{Prefix:%q}", s.opts.Prefix) }

// Format implements fmt.Formatter: every verb prints String.
func (s *Store) Format(f fmt.State, verb rune) { redact.Format(f, verb, s.String()) }

// LogValue implements slog.LogValuer like Format.
func (s *Store) LogValue() slog.Value { return redact.LogValue(s.String()) }
