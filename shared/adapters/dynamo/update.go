package dynamo

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// Versioned is implemented by records that embed Item.
type Versioned interface {
	version() *int64
}

func (i *Item) version() *int64 { return &i.Version }

// maxAttempts bounds optimistic-locking retries: contention beyond this is
// reported as a Conflict rather than spinning.
const maxAttempts = 5

// Update reads the record at key, lets fn change it and writes it back only
// if nobody wrote in between, retrying (with jittered backoff) when someone
// did. fn may run several times and must be free of side effects; it may
// return an error to abort. Extra ops (uniqueness items, counters) run in
// the same transaction and are rebuilt on each attempt by fn's caller.
func Update[T any, PT interface {
	*T
	Versioned
}](ctx context.Context, t *Table, key Key, fn func(PT) ([]Op, error)) (PT, error) {
	for attempt := 1; ; attempt++ {
		var rec T
		p := PT(&rec)
		if err := t.Get(ctx, key, p); err != nil {
			return nil, err
		}
		v := p.version()
		expected := *v
		extra, err := fn(p)
		if err != nil {
			return nil, err
		}
		*v = expected + 1
		err = t.Transact(ctx, append([]Op{Replace(p, expected)}, extra...)...)
		if err == nil {
			return p, nil
		}
		if !apperr.Is(err, apperr.Conflict) || attempt == maxAttempts || !onlyFirstFailed(err) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(attempt*attempt)*5*time.Millisecond + time.Duration(rand.IntN(10))*time.Millisecond):
		}
	}
}

// onlyFirstFailed reports whether a conflict came from the version check
// alone (retryable) rather than from an extra op such as a uniqueness item
// (a real conflict the caller must see).
func onlyFirstFailed(err error) bool {
	if c, ok := errors.AsType[*TxConflict](err); ok {
		return len(c.Failed) == 1 && c.Failed[0] == 0
	}
	return true
}
