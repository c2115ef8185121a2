package memstore

import (
	"fmt"
	"log/slog"

	"github.com/tokenstore-go/tokenstore/internal/redact"
)

// Format implements fmt.Formatter: every verb prints "memstore.Shared",
// never the records, which hold secrets.
func (b *Shared) Format(f fmt.State, verb rune) { redact.Format(f, verb, "memstore.Shared") }

// LogValue implements slog.LogValuer like Format.
func (b *Shared) LogValue() slog.Value { return redact.LogValue("memstore.Shared") }

// String names the store and its namespace; it shows no record.
func (s *Store) String() string { return fmt.Sprintf("memstore.Store{Namespace:%q}", s.ns) }

// Format implements fmt.Formatter: every verb prints String, so none
// reaches the Shared's records.
func (s *Store) Format(f fmt.State, verb rune) { redact.Format(f, verb, s.String()) }

// LogValue implements slog.LogValuer like Format.
func (s *Store) LogValue() slog.Value { return redact.LogValue(s.String()) }
