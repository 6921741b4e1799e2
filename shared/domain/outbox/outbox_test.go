package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/clock"
)

func TestDispatcher(t *testing.T) {
	ctx := context.Background()
	api := minidyn.NewClient()
	if err := dynamo.EnsureTable(ctx, api, "ezscale"); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	store := dynamo.NewOrders(dynamo.New(api, "ezscale", clk))
	now := clk.Now()
	items := []outbox.Item{
		outbox.New("ok-1", "works", "ord_1", map[string]int{"n": 1}, now),
		outbox.New("bad-1", "breaks", "ord_1", nil, now),
		outbox.New("later-1", "no.consumer.yet", "ord_1", nil, now),
	}
	if err := store.Apply(ctx, orders.Change{Outbox: items}); err != nil {
		t.Fatal(err)
	}
	d := outbox.NewDispatcher(store, clk, slog.New(slog.DiscardHandler))
	d.MaxAttempts = 3
	var mu sync.Mutex // handlers run concurrently
	calls := map[string]int{}
	var dead []string
	count := func(id string) { mu.Lock(); calls[id]++; mu.Unlock() }
	d.OnDead = func(_ context.Context, it outbox.Item, _ error) { mu.Lock(); dead = append(dead, it.ID); mu.Unlock() }
	d.Handle("works", func(_ context.Context, it outbox.Item) error { count(it.ID); return nil })
	d.Handle("breaks", func(_ context.Context, it outbox.Item) error { count(it.ID); return errors.New("panel down") })
	// Plenty of published items must not hide pending ones.
	var many []outbox.Item
	for i := range 120 {
		many = append(many, outbox.New(fmt.Sprintf("ok-many-%03d", i), "works", "ord_2", nil, now))
	}
	for i := 0; i < len(many); i += 10 {
		if err := store.Apply(ctx, orders.Change{Outbox: many[i : i+10]}); err != nil {
			t.Fatal(err)
		}
	}
	for range 5 {
		if _, err := d.Publish(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(calls) != 122 {
		t.Fatalf("%d items handled, want 122", len(calls))
	}
	if calls["ok-1"] != 1 || calls["bad-1"] != 3 || len(dead) != 1 || dead[0] != "bad-1" {
		t.Fatalf("calls %v, dead %v: want one success, three attempts, one dead report", calls, dead)
	}
	got, err := store.ListOutbox(ctx, "ord_1")
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]string{}
	for _, it := range got {
		state[it.ID] = "pending"
		if it.PublishedAt != nil {
			state[it.ID] = "published"
		}
		if it.LastError != "" {
			state[it.ID] += " (" + it.LastError + ")"
		}
	}
	want := map[string]string{"ok-1": "published", "bad-1": "pending (panel down)", "later-1": "pending"}
	for k, v := range want {
		if state[k] != v {
			t.Errorf("%s: %q, want %q", k, state[k], v)
		}
	}
}

// Subjects run side by side; one subject's items run in order, and a
// failure holds back that subject's later items (they may depend on it).
func TestDispatcherRunsSubjectsConcurrentlyAndEachInOrder(t *testing.T) {
	ctx := context.Background()
	api := minidyn.NewClient()
	if err := dynamo.EnsureTable(ctx, api, "ezscale"); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	store := dynamo.NewOrders(dynamo.New(api, "ezscale", clk))
	var items []outbox.Item
	for i := range 3 {
		for _, subject := range []string{"ord_a", "ord_b", "ord_c"} {
			items = append(items, outbox.New(fmt.Sprintf("%s-%d", subject, i), "renew", subject, nil, clk.Now().Add(time.Duration(i)*time.Second)))
		}
	}
	items = append(items, outbox.New("ord_d-0", "renew", "ord_d", nil, clk.Now()), outbox.New("ord_d-1", "renew", "ord_d", nil, clk.Now().Add(time.Second)))
	for _, it := range items {
		if err := store.Apply(ctx, orders.Change{Outbox: []outbox.Item{it}}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second) // the pending index orders by write time
	}
	d := outbox.NewDispatcher(store, clk, slog.New(slog.DiscardHandler))
	d.Workers = 3
	var mu sync.Mutex
	seen := map[string][]string{}
	running, most := 0, 0
	// The first item of a, b and c each wait until all three are running:
	// with one worker the publish would never get past the first.
	together := make(chan struct{})
	var arrived sync.WaitGroup
	arrived.Add(3)
	go func() { arrived.Wait(); close(together) }()
	d.Handle("renew", func(_ context.Context, it outbox.Item) error {
		mu.Lock()
		running++
		most = max(most, running)
		seen[it.Subject] = append(seen[it.Subject], it.ID)
		mu.Unlock()
		defer func() { mu.Lock(); running--; mu.Unlock() }()
		if strings.HasSuffix(it.ID, "-0") && it.Subject != "ord_d" {
			arrived.Done()
			select {
			case <-together:
			case <-time.After(10 * time.Second):
				return errors.New("the other subjects never ran alongside")
			}
		}
		if it.ID == "ord_d-0" {
			return errors.New("panel down")
		}
		return nil
	})
	n, err := d.Publish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 9 || most < 3 || most > 3 {
		t.Errorf("published %d (want 9), at most %d at once (want 3)", n, most)
	}
	for _, subject := range []string{"ord_a", "ord_b", "ord_c"} {
		want := []string{subject + "-0", subject + "-1", subject + "-2"}
		if !slices.Equal(seen[subject], want) {
			t.Errorf("%s ran %v, want %v", subject, seen[subject], want)
		}
	}
	if !slices.Equal(seen["ord_d"], []string{"ord_d-0"}) {
		t.Errorf("ord_d ran %v: its second item must wait for the first", seen["ord_d"])
	}
}

// Run wakes for a delayed item when it falls due, not at its next
// interval (an hour here), and leaves it alone before then.
func TestRunWakesForADelayedItem(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	api := minidyn.NewClient()
	if err := dynamo.EnsureTable(ctx, api, "ezscale"); err != nil {
		t.Fatal(err)
	}
	clk := clock.System{}
	store := dynamo.NewOrders(dynamo.New(api, "ezscale", clk))
	due := clk.Now().Add(300 * time.Millisecond)
	it := outbox.New("later", "works", "ord_1", nil, clk.Now())
	it.NotBefore = &due
	if err := store.Apply(ctx, orders.Change{Outbox: []outbox.Item{it}}); err != nil {
		t.Fatal(err)
	}
	d := outbox.NewDispatcher(store, clk, slog.New(slog.DiscardHandler))
	ran := make(chan time.Time, 1)
	d.Handle("works", func(context.Context, outbox.Item) error { ran <- time.Now(); return nil })
	go d.Run(ctx, time.Hour)
	select {
	case at := <-ran:
		if at.Before(due) {
			t.Fatalf("ran %s before it was due", due.Sub(at))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the delayed item did not run when it fell due")
	}
}
