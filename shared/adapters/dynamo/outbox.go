package dynamo

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/shared/domain/outbox"
)

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

// outboxNames are the attributes the outbox updates name.
var outboxNames = map[string]string{"#pub": "published_at", "#err": "last_error", "#n": "attempts"}

func outboxUpdate(id, expr string, values map[string]types.AttributeValue) Op {
	names := map[string]string{} // DynamoDB refuses names the expression does not use
	for k, v := range outboxNames {
		if strings.Contains(expr, k+" ") {
			names[k] = v
		}
	}
	return Op{func(t *Table) (types.TransactWriteItem, error) {
		return types.TransactWriteItem{Update: &types.Update{
			TableName: &t.name, Key: Key{PK: "OUTBOX#" + id, SK: "OUTBOX"}.av(),
			UpdateExpression: aws.String(expr), ConditionExpression: aws.String("attribute_exists(PK)"), ExpressionAttributeValues: values,
			ExpressionAttributeNames: names,
		}}, nil
	}}
}

// MarkPublished implements outbox.Store: the item leaves the pending partition.
func (s *Orders) MarkPublished(ctx context.Context, it outbox.Item, at time.Time) error {
	id := it.ID
	// Moved to another partition rather than removed from the index:
	// minidyn keeps index entries whose key attributes are removed.
	return s.t.Write(ctx, outboxUpdate(id, "SET #pub = :at, GSI1PK = :done",
		map[string]types.AttributeValue{":at": &types.AttributeValueMemberS{Value: at.UTC().Format(time.RFC3339Nano)}, ":done": &types.AttributeValueMemberS{Value: "OUTBOX#PUBLISHED"}}))
}

// MarkFailed implements outbox.Store.
func (s *Orders) MarkFailed(ctx context.Context, it outbox.Item, reason string, dead bool) error {
	values := map[string]types.AttributeValue{":e": &types.AttributeValueMemberS{Value: reason}, ":one": numAV(1)}
	expr := "SET #err = :e ADD #n :one"
	if dead {
		expr = "SET #err = :e, GSI1PK = :dead ADD #n :one"
		values[":dead"] = &types.AttributeValueMemberS{Value: "OUTBOX#DEAD"}
	}
	return s.t.Write(ctx, outboxUpdate(it.ID, expr, values))
}
