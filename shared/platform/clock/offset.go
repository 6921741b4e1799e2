package clock

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Offset is the wall clock moved forward by an offset that only grows:
// the local stack's clock, which people and tests move forward (POST
// /dev/clock) to watch days of billing and dunning pass in a minute.
// Sleep follows it, so a wait of three days ends when the clock is moved
// three days on. It is safe for concurrent use.
type Offset struct {
	mu    sync.Mutex
	by    time.Duration
	moved chan struct{} // closed and replaced on every advance
	hooks []func()
}

// ErrBackwards refuses a move that is not forward: stored periods, due
// dates and claims assume time never runs back.
var ErrBackwards = errors.New("the clock only moves forward")

// NewOffset returns the wall clock moved forward by by (what an earlier
// run advanced it by); a negative by counts as zero.
func NewOffset(by time.Duration) *Offset {
	return &Offset{by: max(by, 0), moved: make(chan struct{})}
}

// Now returns the wall clock plus the offset, in UTC.
func (o *Offset) Now() time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	return time.Now().UTC().Add(o.by)
}

// By returns how far the clock has been moved.
func (o *Offset) By() time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.by
}

// OnAdvance runs f after every advance (outside the clock's lock).
func (o *Offset) OnAdvance(f func()) {
	o.mu.Lock()
	o.hooks = append(o.hooks, f)
	o.mu.Unlock()
}

// Advance moves the clock forward by d, wakes every Sleep and runs the
// hooks.
func (o *Offset) Advance(d time.Duration) error {
	if d <= 0 {
		return ErrBackwards
	}
	o.mu.Lock()
	o.by += d
	close(o.moved)
	o.moved = make(chan struct{})
	hooks := append([]func(){}, o.hooks...)
	o.mu.Unlock()
	for _, f := range hooks {
		f()
	}
	return nil
}

// Sleep returns once the clock reads d later than when it was called
// (by waiting or by being advanced), or with ctx's error.
func (o *Offset) Sleep(ctx context.Context, d time.Duration) error {
	return o.SleepUntil(ctx, o.Now().Add(d))
}

// SleepUntil returns once the clock reads until or later (by waiting or by
// being advanced), or with ctx's error. Unlike a Sleep for the time left,
// an advance made between reading the clock and calling it is not lost.
func (o *Offset) SleepUntil(ctx context.Context, until time.Time) error {
	for {
		o.mu.Lock()
		left, moved := until.Sub(time.Now().UTC().Add(o.by)), o.moved
		o.mu.Unlock()
		if left <= 0 {
			return nil
		}
		t := time.NewTimer(left)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-moved:
		case <-t.C:
		}
		t.Stop()
	}
}
