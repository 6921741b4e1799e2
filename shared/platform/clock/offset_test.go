package clock_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/platform/clock"
)

func TestOffsetMovesOnlyForward(t *testing.T) {
	o := clock.NewOffset(48 * time.Hour)
	if d := o.Now().Sub(time.Now().UTC()); d < 47*time.Hour || d > 49*time.Hour {
		t.Fatalf("a restored offset of 48h reads %s ahead", d)
	}
	hooks := 0
	o.OnAdvance(func() { hooks++ })
	for _, bad := range []time.Duration{0, -time.Hour} {
		if err := o.Advance(bad); !errors.Is(err, clock.ErrBackwards) {
			t.Fatalf("Advance(%s) = %v", bad, err)
		}
	}
	if err := o.Advance(24 * time.Hour); err != nil || o.By() != 72*time.Hour || hooks != 1 {
		t.Fatalf("advance: %v, by %s, %d hooks", err, o.By(), hooks)
	}
	if clock.NewOffset(-time.Hour).By() != 0 {
		t.Fatal("a negative restored offset is not zero")
	}
}

// A sleep of days ends when the clock is moved on by that much; a
// smaller move leaves it sleeping, and ctx still cancels it.
func TestOffsetSleepFollowsAdvances(t *testing.T) {
	o := clock.NewOffset(0)
	done := make(chan error, 1)
	go func() { done <- o.Sleep(context.Background(), 72*time.Hour) }()
	// A day at a time until it wakes: never before three days have passed.
	for woke := false; !woke; {
		select {
		case err := <-done:
			if err != nil || o.By() < 72*time.Hour {
				t.Fatalf("woke after %s: %v", o.By(), err)
			}
			woke = true
		case <-time.After(20 * time.Millisecond):
			if o.By() > 30*24*time.Hour {
				t.Fatal("a month of advances did not end a three-day sleep")
			}
			_ = o.Advance(24 * time.Hour)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- o.Sleep(ctx, 72*time.Hour) }()
	_ = o.Advance(time.Hour)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled sleep: %v", err)
	}
}
