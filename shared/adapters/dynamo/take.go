package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// Take deletes the live item at key whose attribute attr equals value and
// decodes what it held into out — the single-use primitive (verification
// and reset tokens). apperr.NotFound when no such live item exists, so two
// concurrent takers never both succeed.
func (t *Table) Take(ctx context.Context, key Key, attr, value string, out any) error {
	res, err := t.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                &t.name,
		Key:                      key.av(),
		ConditionExpression:      aws.String("attribute_exists(PK) AND #a = :v AND (attribute_not_exists(#ttl) OR #ttl > :now)"),
		ExpressionAttributeNames: map[string]string{"#a": attr, "#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":v": &types.AttributeValueMemberS{Value: value}, ":now": t.nowAV(),
		},
		ReturnValues: types.ReturnValueAllOld,
	})
	if err != nil {
		err = classify(err, "take "+key.PK)
		if apperr.Is(err, apperr.Conflict) {
			return apperr.New(apperr.NotFound, "not found")
		}
		return err
	}
	if err := attributevalue.UnmarshalMap(res.Attributes, out); err != nil {
		return fmt.Errorf("decode %s: %w", key.PK, err)
	}
	return nil
}

// Count adds one to the counter at key unless it already reached limit,
// creating it (with an expiry) on first use — the rate-limit primitive.
// It returns false when the limit is reached.
func (t *Table) Count(ctx context.Context, key Key, limit int, expires time.Time) (bool, error) {
	_, err := t.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &t.name,
		Key:                      key.av(),
		UpdateExpression:         aws.String("ADD #c :one SET #ttl = if_not_exists(#ttl, :exp), #type = if_not_exists(#type, :type), #schema = :schema"),
		ConditionExpression:      aws.String("attribute_not_exists(#c) OR #c < :limit"),
		ExpressionAttributeNames: map[string]string{"#c": "count", "#ttl": "ttl", "#type": "type", "#schema": schemaAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": numAV(1), ":limit": numAV(int64(limit)),
			":exp":  &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
			":type": &types.AttributeValueMemberS{Value: "counter"}, ":schema": schemaAV,
		},
	})
	if err == nil {
		return true, nil
	}
	err = classify(err, "count "+key.PK)
	if apperr.Is(err, apperr.Conflict) {
		return false, nil
	}
	return false, err
}

// Next adds one to the sequence at key and returns it (1 first): numbers
// are unique, and one taken by a write that then failed is simply unused.
func (t *Table) Next(ctx context.Context, key Key) (int64, error) {
	out, err := t.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &t.name,
		Key:                      key.av(),
		UpdateExpression:         aws.String("ADD #s :one SET #type = if_not_exists(#type, :type), #schema = :schema, #v = if_not_exists(#v, :one)"),
		ExpressionAttributeNames: map[string]string{"#s": "seq", "#type": "type", "#schema": schemaAttr, "#v": "version"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": numAV(1), ":type": &types.AttributeValueMemberS{Value: "counter"}, ":schema": schemaAV,
		},
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, classify(err, "next "+key.PK)
	}
	var n int64
	if v, ok := out.Attributes["seq"].(*types.AttributeValueMemberN); ok {
		n, err = strconv.ParseInt(v.Value, 10, 64)
	}
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("next %s: the store answered no number", key.PK)
	}
	return n, nil
}
