package kvstore

import "errors"

func isStale(err error) bool { return errors.Is(err, ErrStale) }
