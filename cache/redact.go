package cache

import (
	"fmt"
	"log/slog"

	"github.com/tokenstore-go/tokenstore/internal/redact"
)

// Format implements fmt.Formatter: every verb prints "cache.Store", never
// the cached records or the lookup keys in flight, which hold secrets.
func (s *Store) Format(f fmt.State, verb rune) { redact.Format(f, verb, "cache.Store") }

// LogValue implements slog.LogValuer like Format.
func (s *Store) LogValue() slog.Value { return redact.LogValue("cache.Store") }
