package dynamo_test

import (
	"context"
	"testing"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/dynamotest"
)

// Failures and publication update single attributes in place; the
// record must read them back under the names it stores.
func TestOutboxSettlesInPlace(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		st := dynamo.NewOrders(tbl)
		it := outbox.New("ob_1", "provision", "ord_1", map[string]string{"a": "b"}, t0)
		if err := st.Apply(ctx, orders.Change{Outbox: []outbox.Item{it}}); err != nil {
			t.Fatal(err)
		}
		if err := st.MarkFailed(ctx, it, "panel down", false); err != nil {
			t.Fatal(err)
		}
		pending, err := st.PendingOutbox(ctx, "provision", 10)
		if err != nil || len(pending) != 1 || pending[0].Attempts != 1 || pending[0].LastError != "panel down" {
			t.Fatalf("after a failure: %+v, %v", pending, err)
		}
		if err := st.MarkPublished(ctx, it, t0); err != nil {
			t.Fatal(err)
		}
		items, err := st.ListOutbox(ctx, "ord_1")
		if err != nil || len(items) != 1 || items[0].PublishedAt == nil || !items[0].PublishedAt.Equal(t0) {
			t.Fatalf("after publishing: %+v, %v", items, err)
		}
		if pending, _ := st.PendingOutbox(ctx, "provision", 10); len(pending) != 0 {
			t.Errorf("still pending: %+v", pending)
		}
	})
}
