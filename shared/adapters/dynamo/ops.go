package dynamo

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Op is one write inside a transaction (or alone, through Table.Write).
type Op struct {
	build func(t *Table) (types.TransactWriteItem, error)
}

// absent is true when no live item exists: never written, or written with a
// TTL that has passed but not yet been swept by DynamoDB.
const absent = "(attribute_not_exists(PK) OR (attribute_exists(#ttl) AND #ttl <= :now))"

func (t *Table) nowAV() types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.clock.Now().Unix(), 10)}
}

// Create puts item only if no live item has its key — the uniqueness
// primitive (e-mail, slug, gateway ids, invoice numbers).
func Create(item any) Op {
	return Op{func(t *Table) (types.TransactWriteItem, error) {
		av, err := encode(item)
		if err != nil {
			return types.TransactWriteItem{}, err
		}
		return types.TransactWriteItem{Put: &types.Put{
			TableName:                 &t.name,
			Item:                      av,
			ConditionExpression:       aws.String(absent),
			ExpressionAttributeNames:  map[string]string{"#ttl": "ttl"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":now": t.nowAV()},
		}}, nil
	}}
}

// Replace puts item only if the stored item's version equals expected. The
// caller sets the item's Version to expected+1.
func Replace(item any, expected int64) Op {
	return Op{func(t *Table) (types.TransactWriteItem, error) {
		av, err := encode(item)
		if err != nil {
			return types.TransactWriteItem{}, err
		}
		return types.TransactWriteItem{Put: &types.Put{
			TableName:                 &t.name,
			Item:                      av,
			ConditionExpression:       aws.String("#v = :expected"),
			ExpressionAttributeNames:  map[string]string{"#v": "version"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":expected": numAV(expected)},
		}}, nil
	}}
}

// Delete removes the item at key if it exists and, when attr is not empty,
// its attribute attr equals value (e.g. a uniqueness item still owned by us).
func Delete(key Key, attr, value string) Op {
	return Op{func(t *Table) (types.TransactWriteItem, error) {
		d := &types.Delete{
			TableName:                &t.name,
			Key:                      key.av(),
			ConditionExpression:      aws.String("attribute_exists(PK)"),
			ExpressionAttributeNames: map[string]string{},
		}
		if attr != "" {
			d.ConditionExpression = aws.String("attribute_exists(PK) AND #a = :v")
			d.ExpressionAttributeNames["#a"] = attr
			d.ExpressionAttributeValues = map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: value}}
		} else {
			d.ExpressionAttributeNames = nil
		}
		return types.TransactWriteItem{Delete: d}, nil
	}}
}

// forget removes the item at key whether or not it exists (an index entry
// that may never have been written).
func forget(key Key) Op {
	return Op{func(t *Table) (types.TransactWriteItem, error) {
		return types.TransactWriteItem{Delete: &types.Delete{TableName: &t.name, Key: key.av()}}, nil
	}}
}

// DeleteVersioned removes the item at key only if its version is expected.
func DeleteVersioned(key Key, expected int64) Op {
	return Op{func(t *Table) (types.TransactWriteItem, error) {
		return types.TransactWriteItem{Delete: &types.Delete{
			TableName:                 &t.name,
			Key:                       key.av(),
			ConditionExpression:       aws.String("#v = :expected"),
			ExpressionAttributeNames:  map[string]string{"#v": "version"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":expected": numAV(expected)},
		}}, nil
	}}
}

// Add atomically adds delta to the numeric attribute attr of the item at
// key, provided the result stays within [min, max] — the counter primitive
// (stock, coupon uses). The item must exist. It also bumps the item's
// version, so a versioned replace based on an earlier read (an admin
// editing a plan while its stock moves) fails instead of undoing the add.
func Add(key Key, attr string, delta, min, max int64) Op {
	return Op{func(t *Table) (types.TransactWriteItem, error) {
		cond := "attribute_exists(PK) AND #a >= :lo AND #a <= :hi"
		// Bound the value before the add so the value after stays in range.
		lo, hi := min-delta, max-delta
		return types.TransactWriteItem{Update: &types.Update{
			TableName:                &t.name,
			Key:                      key.av(),
			UpdateExpression:         aws.String("ADD #a :d, #v :one"),
			ConditionExpression:      aws.String(cond),
			ExpressionAttributeNames: map[string]string{"#a": attr, "#v": "version"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":d": numAV(delta), ":lo": numAV(lo), ":hi": numAV(hi), ":one": numAV(1),
			},
		}}, nil
	}}
}

// encode marshals a record and stamps it with the layout it was written in.
func encode(item any) (map[string]types.AttributeValue, error) {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return nil, fmt.Errorf("encode item: %w", err)
	}
	av[schemaAttr] = schemaAV
	return av, nil
}

func numAV(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// Put writes item unconditionally (last writer wins). Use only for items
// with a single writer, such as admin settings.
func Put(item any) Op {
	return Op{func(t *Table) (types.TransactWriteItem, error) {
		av, err := encode(item)
		if err != nil {
			return types.TransactWriteItem{}, err
		}
		return types.TransactWriteItem{Put: &types.Put{TableName: &t.name, Item: av}}, nil
	}}
}

// Tally adds one to the numeric attribute attr of the item at key, creating
// the item on first use, unless it already reached limit (limit 0: no limit).
func Tally(key Key, attr, itemType string, limit int64) Op {
	return Op{func(t *Table) (types.TransactWriteItem, error) {
		u := &types.Update{
			TableName:                 &t.name,
			Key:                       key.av(),
			UpdateExpression:          aws.String("ADD #a :one SET #type = if_not_exists(#type, :type), #schema = :schema"),
			ExpressionAttributeNames:  map[string]string{"#a": attr, "#type": "type", "#schema": schemaAttr},
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": numAV(1), ":type": &types.AttributeValueMemberS{Value: itemType}, ":schema": schemaAV},
		}
		if limit > 0 {
			u.ConditionExpression = aws.String("attribute_not_exists(#a) OR #a < :limit")
			u.ExpressionAttributeValues[":limit"] = numAV(limit)
		}
		return types.TransactWriteItem{Update: u}, nil
	}}
}

// Unchanged fails the transaction unless the item at key still has version
// expected — for decisions taken on a read of it (a coupon's limits). It is
// an identity update rather than a ConditionCheck, which minidyn lacks; the
// effect on the transaction is the same.
func Unchanged(key Key, expected int64) Op {
	return Op{func(t *Table) (types.TransactWriteItem, error) {
		return types.TransactWriteItem{Update: &types.Update{
			TableName:                 &t.name,
			Key:                       key.av(),
			UpdateExpression:          aws.String("SET #v = :expected"),
			ConditionExpression:       aws.String("#v = :expected"),
			ExpressionAttributeNames:  map[string]string{"#v": "version"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":expected": numAV(expected)},
		}}, nil
	}}
}
