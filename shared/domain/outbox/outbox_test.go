package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	calls := map[string]int{}
	var dead []string
	d.OnDead = func(_ context.Context, it outbox.Item, _ error) { dead = append(dead, it.ID) }
	d.Handle("works", func(_ context.Context, it outbox.Item) error { calls[it.ID]++; return nil })
	d.Handle("breaks", func(_ context.Context, it outbox.Item) error { calls[it.ID]++; return errors.New("panel down") })
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
