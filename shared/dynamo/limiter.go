package dynamo

import (
	"context"
	"fmt"
	"time"
)

// Limiter counts attempts in fixed windows, one counter item per key and
// window (PK=RATE#<key>#<window start>, expiring with the window).
type Limiter struct{ t *Table }

// NewLimiter returns a limiter on t.
func NewLimiter(t *Table) *Limiter { return &Limiter{t: t} }

// Allow implements accounts.Limiter.
func (l *Limiter) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	now := l.t.clock.Now()
	start := now.Truncate(window)
	end := start.Add(window)
	ok, err := l.t.Count(ctx, Key{PK: fmt.Sprintf("RATE#%s#%d", key, start.Unix()), SK: "RATE"}, limit, end)
	if err != nil {
		return false, 0, err
	}
	return ok, end.Sub(now), nil
}
