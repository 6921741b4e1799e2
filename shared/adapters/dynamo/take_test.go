package dynamo_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/dynamotest"
)

func TestTakeIsSingleUse(t *testing.T) {
	clk := clock.NewFake(t0)
	dynamotest.Run(t, clk, func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		tok := map[string]any{"PK": "TOKEN#abc", "SK": "TOKEN", "purpose": "reset", "user": "u1", "ttl": t0.Add(time.Hour).Unix(), "version": 1, "type": "token"}
		if err := tbl.Write(ctx, dynamo.Create(tok)); err != nil {
			t.Fatal(err)
		}
		key := dynamo.Key{PK: "TOKEN#abc", SK: "TOKEN"}
		var out struct {
			User string `dynamodbav:"user"`
		}
		if err := tbl.Take(ctx, key, "purpose", "verify", &out); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("wrong purpose: %v", err)
		}
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				var o struct {
					User string `dynamodbav:"user"`
				}
				if err := tbl.Take(ctx, key, "purpose", "reset", &o); err == nil && o.User == "u1" {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d takers won, want 1", wins.Load())
		}
		// An expired token cannot be taken.
		tok["PK"] = "TOKEN#old"
		tok["ttl"] = t0.Add(-time.Second).Unix()
		_ = tbl.Write(ctx, dynamo.Put(tok))
		if err := tbl.Take(ctx, dynamo.Key{PK: "TOKEN#old", SK: "TOKEN"}, "purpose", "reset", &out); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("expired: %v", err)
		}
	})
}

func TestCountStopsAtLimit(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		key := dynamo.Key{PK: "RATE#login:1.2.3.4#1", SK: "RATE"}
		var ok atomic.Int32
		var wg sync.WaitGroup
		for range 12 {
			wg.Go(func() {
				allowed, err := tbl.Count(ctx, key, 5, t0.Add(time.Minute))
				if err != nil {
					t.Error(err)
				}
				if allowed {
					ok.Add(1)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 5 {
			t.Fatalf("%d allowed, want 5", ok.Load())
		}
	})
}
