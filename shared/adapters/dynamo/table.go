// Package dynamo is the single-table DynamoDB adapter. Table holds the
// generic operations (conditional writes, transactions, optimistic locking,
// queries that treat expired items as absent); the per-entity files map
// domain types onto items. docs/access-patterns.md lists every key shape.
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/ids"
)

// API is the part of the DynamoDB client the store uses. The real client,
// the embedded emulator and test wrappers all satisfy it.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Item is the attribute set every stored item has. Entity records embed it.
// TTL is epoch seconds; zero means the item never expires. Version counts
// writes for optimistic locking.
type Item struct {
	PK      string `dynamodbav:"PK"`
	SK      string `dynamodbav:"SK"`
	GSI1PK  string `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK  string `dynamodbav:"GSI1SK,omitempty"`
	GSI2PK  string `dynamodbav:"GSI2PK,omitempty"`
	GSI2SK  string `dynamodbav:"GSI2SK,omitempty"`
	Type    string `dynamodbav:"type"`
	TTL     int64  `dynamodbav:"ttl,omitempty"`
	Version int64  `dynamodbav:"version"`
}

// Key addresses one item.
type Key struct{ PK, SK string }

func (k Key) av() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: k.PK},
		"SK": &types.AttributeValueMemberS{Value: k.SK},
	}
}

// Table is one DynamoDB table.
type Table struct {
	api   API
	name  string
	clock clock.Clock
	// planWrites counts writes this process made to plan items (edits and
	// stock moves), so a catalog listing cached here is dropped at once.
	planWrites atomic.Int64
}

// New returns a Table named name reached through api.
func New(api API, name string, clk clock.Clock) *Table {
	return &Table{api: api, name: name, clock: clk}
}

// Name returns the table's name.
func (t *Table) Name() string { return t.name }

// Get reads the item at key into out with a strongly consistent read.
// It returns apperr.NotFound when the item is absent or its TTL has passed
// (DynamoDB deletes expired items up to days late; readers must not see them).
func (t *Table) Get(ctx context.Context, key Key, out any) error {
	res, err := t.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &t.name,
		Key:            key.av(),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return classify(err, "get "+key.PK)
	}
	if len(res.Item) == 0 || t.expired(res.Item) {
		return apperr.New(apperr.NotFound, "not found")
	}
	if err := attributevalue.UnmarshalMap(res.Item, out); err != nil {
		return fmt.Errorf("decode %s/%s: %w", key.PK, key.SK, err)
	}
	return nil
}

func (t *Table) expired(item map[string]types.AttributeValue) bool {
	n, ok := item["ttl"].(*types.AttributeValueMemberN)
	if !ok {
		return false
	}
	ttl, err := strconv.ParseInt(n.Value, 10, 64)
	return err == nil && ttl > 0 && ttl <= t.clock.Now().Unix()
}

// Transact writes all ops atomically. When a condition fails it returns an
// apperr.Conflict wrapping a *TxConflict that says which op failed.
func (t *Table) Transact(ctx context.Context, ops ...Op) error {
	if len(ops) == 0 {
		return nil
	}
	items := make([]types.TransactWriteItem, 0, len(ops))
	for i, op := range ops {
		it, err := op.build(t)
		if err != nil {
			return fmt.Errorf("transaction op %d: %w", i, err)
		}
		items = append(items, it)
	}
	_, err := t.api.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	// Counted after the call, whatever it answered (a lost reply may
	// still have committed): a needless refresh costs one query.
	if slices.ContainsFunc(items, writesPlan) {
		t.planWrites.Add(1)
	}
	if err != nil {
		return classify(err, "transaction")
	}
	return nil
}

// writesPlan is true for a put, update or delete of a plan item.
func writesPlan(it types.TransactWriteItem) bool {
	var key map[string]types.AttributeValue
	switch {
	case it.Put != nil:
		key = it.Put.Item
	case it.Update != nil:
		key = it.Update.Key
	case it.Delete != nil:
		key = it.Delete.Key
	}
	pk, ok := key["PK"].(*types.AttributeValueMemberS)
	return ok && strings.HasPrefix(pk.Value, "PLAN#")
}

// Write performs a single op (one PutItem/DeleteItem/UpdateItem call).
func (t *Table) Write(ctx context.Context, op Op) error {
	it, err := op.build(t)
	if err != nil {
		return err
	}
	switch {
	case it.Put != nil && it.Put.ConditionExpression != nil, it.Update != nil:
		// A conditional put or an update retried after a lost reply would
		// fail the condition its first attempt met, or apply twice: as a
		// one-item transaction its client token makes the SDK's retries
		// (and DynamoDB's answer to them) idempotent.
		_, err = t.api.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{it},
			ClientRequestToken: aws.String(ids.New("w"))})
		if tc, ok := errors.AsType[*types.TransactionCanceledException](err); ok && len(tc.CancellationReasons) == 1 &&
			deref(tc.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
			err = &types.ConditionalCheckFailedException{Message: tc.Message}
		}
	case it.Put != nil:
		_, err = t.api.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: it.Put.TableName, Item: it.Put.Item,
			ExpressionAttributeNames:  it.Put.ExpressionAttributeNames,
			ExpressionAttributeValues: it.Put.ExpressionAttributeValues,
		})
	case it.Delete != nil:
		_, err = t.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName: it.Delete.TableName, Key: it.Delete.Key,
			ConditionExpression:       it.Delete.ConditionExpression,
			ExpressionAttributeNames:  it.Delete.ExpressionAttributeNames,
			ExpressionAttributeValues: it.Delete.ExpressionAttributeValues,
		})
	default:
		return errors.New("dynamo: a condition check cannot be written alone")
	}
	if writesPlan(it) {
		t.planWrites.Add(1)
	}
	if err != nil {
		return classify(err, "write")
	}
	return nil
}
