package memstore

import (
	"fmt"
	"log/slog"

	"github.com/tokenstore-go/tokenstore/internal/redact"
)

// Format implements fmt.Formatter: every verb prints "memstore.Backend",
// never the records, which hold secrets.
func (b *Backend) Format(f fmt.State, verb rune) { redact.Format(f, verb, "memstore.Backend") }

// LogValue implements slog.LogValuer like Format.
func (b *Backend) LogValue() slog.Value { return redact.LogValue("memstore.Backend") }

// String names the store and its namespace; it shows no record.
func (s *Store) String() string { return fmt.Sprintf("memstore.Store{Namespace:%q}", s.ns) }

// Format implements fmt.Formatter: every verb prints String, so none
// reaches the Backend's records.
func (s *Store) Format(f fmt.State, verb rune) { redact.Format(f, verb, s.String()) }

// LogValue implements slog.LogValuer like Format.
func (s *Store) LogValue() slog.Value { return redact.LogValue(s.String()) }
