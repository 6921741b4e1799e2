package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/shared/domain/outbox"
)

// outboxEntry lets outboxRecord embed outbox.Item beside our Item.
type outboxRecord struct {
	Item
	outboxData
}

// PendingOutbox implements outbox.Store, oldest first.
func (s *Orders) PendingOutbox(ctx context.Context, kind string, limit int32) ([]outbox.Item, error) {
	page, err := QueryPage[outboxRecord](ctx, s.t, Query{Index: GSI1, PK: "OUTBOX#PENDING#" + kind, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]outbox.Item, 0, len(page.Items))
	for _, r := range page.Items {
		// The index is sparse, but a copy may lag behind the publish (GSI
		// reads are eventually consistent; minidyn keeps the entry).
		if r.PublishedAt == nil && r.GSI1PK == "OUTBOX#PENDING#"+kind {
			out = append(out, r.outboxData.value())
		}
	}
	return out, nil
}

// ListOutbox implements outbox.Store: what happened about subject.
func (s *Orders) ListOutbox(ctx context.Context, subject string) ([]outbox.Item, error) {
	recs, err := QueryAll[outboxRecord](ctx, s.t, Query{Index: GSI2, PK: "OUTBOXFOR#" + subject}, 1000)
	if err != nil {
		return nil, err
	}
	out := make([]outbox.Item, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.outboxData.value())
	}
	return out, nil
}

func outboxUpdate(id, expr string, values map[string]types.AttributeValue) Op {
	return Op{func(t *Table) (types.TransactWriteItem, error) {
		return types.TransactWriteItem{Update: &types.Update{
			TableName: &t.name, Key: Key{PK: "OUTBOX#" + id, SK: "OUTBOX"}.av(),
			UpdateExpression: aws.String(expr), ConditionExpression: aws.String("attribute_exists(PK)"), ExpressionAttributeValues: values,
		}}, nil
	}}
}

// MarkPublished implements outbox.Store: the item leaves the pending partition.
func (s *Orders) MarkPublished(ctx context.Context, it outbox.Item, at time.Time) error {
	id := it.ID
	// Moved to another partition rather than removed from the index:
	// minidyn keeps index entries whose key attributes are removed.
	return s.t.Write(ctx, outboxUpdate(id, "SET published_at = :at, GSI1PK = :done",
		map[string]types.AttributeValue{":at": &types.AttributeValueMemberS{Value: at.UTC().Format(time.RFC3339Nano)}, ":done": &types.AttributeValueMemberS{Value: "OUTBOX#PUBLISHED"}}))
}

// MarkFailed implements outbox.Store.
func (s *Orders) MarkFailed(ctx context.Context, it outbox.Item, reason string, dead bool) error {
	values := map[string]types.AttributeValue{":e": &types.AttributeValueMemberS{Value: reason}, ":one": numAV(1)}
	expr := "SET last_error = :e ADD attempts :one"
	if dead {
		expr = "SET last_error = :e, GSI1PK = :dead ADD attempts :one"
		values[":dead"] = &types.AttributeValueMemberS{Value: "OUTBOX#DEAD"}
	}
	return s.t.Write(ctx, outboxUpdate(it.ID, expr, values))
}
