package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// Index names. The table has two overloaded GSIs; Main is the base table.
const (
	Main = ""
	GSI1 = "GSI1"
	GSI2 = "GSI2"
)

// Query selects items of one partition, optionally by sort-key prefix.
type Query struct {
	Index    string // Main, GSI1 or GSI2
	PK       string
	SKPrefix string // empty: the whole partition
	Limit    int32  // page size; 0 means DynamoDB's 1 MB pages
	Reverse  bool   // descending sort key
	Cursor   string // opaque, from a previous page's Next
}

// Page is one page of results; Next is empty on the last page.
type Page[T any] struct {
	Items []T
	Next  string
}

// QueryPage runs one page of q, decoding items into T. Expired items are
// filtered out, so a page may hold fewer than Limit items.
func QueryPage[T any](ctx context.Context, t *Table, q Query) (Page[T], error) {
	pkName, skName := "PK", "SK"
	if q.Index != Main {
		pkName, skName = q.Index+"PK", q.Index+"SK"
	}
	in := &dynamodb.QueryInput{
		TableName:                &t.name,
		KeyConditionExpression:   aws.String("#pk = :pk"),
		FilterExpression:         aws.String("attribute_not_exists(#ttl) OR #ttl > :now"),
		ExpressionAttributeNames: map[string]string{"#pk": pkName, "#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":  &types.AttributeValueMemberS{Value: q.PK},
			":now": t.nowAV(),
		},
		ScanIndexForward: aws.Bool(!q.Reverse),
	}
	if q.Index != Main {
		in.IndexName = aws.String(q.Index)
	} else {
		in.ConsistentRead = aws.Bool(true)
	}
	if q.SKPrefix != "" {
		in.KeyConditionExpression = aws.String("#pk = :pk AND begins_with(#sk, :sk)")
		in.ExpressionAttributeNames["#sk"] = skName
		in.ExpressionAttributeValues[":sk"] = &types.AttributeValueMemberS{Value: q.SKPrefix}
	}
	if q.Limit > 0 {
		in.Limit = aws.Int32(q.Limit)
	}
	if q.Cursor != "" {
		start, err := decodeCursor(q.Cursor)
		if err != nil {
			return Page[T]{}, apperr.Wrap(err, apperr.Invalid, "the cursor is invalid")
		}
		in.ExclusiveStartKey = start
	}
	// Limit counts items read before the filter drops expired ones, so a
	// short page with more to read is topped up, within bounds.
	var items []map[string]types.AttributeValue
	for round := 0; ; round++ {
		out, err := t.api.Query(ctx, in)
		if err != nil {
			return Page[T]{}, classify(err, "query "+q.PK)
		}
		items = append(items, out.Items...)
		in.ExclusiveStartKey = out.LastEvaluatedKey
		if len(out.LastEvaluatedKey) == 0 || q.Limit == 0 || int32(len(items)) >= q.Limit || round == maxTopUps {
			break
		}
		in.Limit = aws.Int32(q.Limit - int32(len(items)))
	}
	page := Page[T]{Items: make([]T, 0, len(items))}
	if err := attributevalue.UnmarshalListOfMaps(items, &page.Items); err != nil {
		return Page[T]{}, fmt.Errorf("decode query %s: %w", q.PK, err)
	}
	if len(in.ExclusiveStartKey) > 0 {
		page.Next = encodeCursor(in.ExclusiveStartKey)
	}
	return page, nil
}

// maxTopUps bounds the extra reads one page may take.
const maxTopUps = 20

// QueryAll follows pages until the partition is exhausted or max items are
// read (max <= 0: no cap). Use only for partitions known to be small.
func QueryAll[T any](ctx context.Context, t *Table, q Query, max int) ([]T, error) {
	var all []T
	for {
		p, err := QueryPage[T](ctx, t, q)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
		if p.Next == "" || (max > 0 && len(all) >= max) {
			return all, nil
		}
		q.Cursor = p.Next
	}
}

// Cursors carry only key attributes, which are strings in this table.
func encodeCursor(k map[string]types.AttributeValue) string {
	m := make(map[string]string, len(k))
	for name, v := range k {
		if s, ok := v.(*types.AttributeValueMemberS); ok {
			m[name] = s.Value
		}
	}
	b, _ := json.Marshal(m)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(c string) (map[string]types.AttributeValue, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, fmt.Errorf("decode cursor: %w", err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil || len(m) == 0 {
		return nil, fmt.Errorf("decode cursor: malformed")
	}
	out := make(map[string]types.AttributeValue, len(m))
	for name, v := range m {
		switch name {
		case "PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK":
			out[name] = &types.AttributeValueMemberS{Value: v}
		default:
			return nil, fmt.Errorf("decode cursor: unexpected attribute %q", name)
		}
	}
	return out, nil
}
