package cache

import (
	"errors"
	"fmt"

	"github.com/tokenstore-go/tokenstore"
)

// Cached ErrNotFound answers, made once so that a negative hit allocates
// nothing either.
var (
	errCachedNotFound     = fmt.Errorf("cache: find: cached answer: %w", tokenstore.ErrNotFound)
	errCachedNotFoundByID = fmt.Errorf("cache: find by id: cached answer: %w", tokenstore.ErrNotFound)
)

func cachedNotFound(op string) error {
	if op == opFindByID {
		return errCachedNotFoundByID
	}
	return errCachedNotFound
}

// failure reports whether err is a failure of the backend rather than an
// answer the contract defines (not found, invalid, duplicate, too large).
func failure(err error) bool {
	for _, answer := range []error{
		tokenstore.ErrNotFound, tokenstore.ErrInvalidToken,
		tokenstore.ErrDuplicate, tokenstore.ErrTooLarge,
	} {
		if errors.Is(err, answer) {
			return false
		}
	}
	return true
}

// report counts and reports a failed backend call.
func (s *Store) report(op string, kind tokenstore.KeyKind, err error) {
	if err != nil && failure(err) {
		s.ctr.errors.Add(1)
		s.emit(Event{Kind: EventError, Op: op, Key: kind, Err: err})
	}
}

// errOp is the operation's name as errors spell it.
func errOp(op string) string {
	switch op {
	case opFind:
		return "find"
	case opFindByID:
		return "find by id"
	case opSave:
		return "save"
	case opUpdate:
		return "update"
	case opDelete:
		return "delete"
	case opList:
		return "list"
	case opDeleteAll:
		return "delete all"
	}
	return op
}
