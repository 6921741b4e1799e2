package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// Limiter counts attempts in fixed windows, one counter item per key and
// window (PK=RATE#<key>#<window start>, expiring with the window), and
// failures in a row (PK=FAILS#<key>, expiring a day after the last one).
type Limiter struct{ t *Table }

// NewLimiter returns a limiter on t.
func NewLimiter(t *Table) *Limiter { return &Limiter{t: t} }

// boundedKey keeps keys made of caller input (an e-mail of any length)
// far below DynamoDB's 2,048-byte partition key limit.
func boundedKey(key string) string {
	if len(key) <= 200 {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return key[:64] + "~" + hex.EncodeToString(sum[:])
}

// Allow implements accounts.Limiter.
func (l *Limiter) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	now := l.t.clock.Now()
	start := now.Truncate(window)
	end := start.Add(window)
	ok, err := l.t.Count(ctx, Key{PK: fmt.Sprintf("RATE#%s#%d", boundedKey(key), start.Unix()), SK: "RATE"}, limit, end)
	if err != nil {
		return false, 0, err
	}
	return ok, end.Sub(now), nil
}

type failsRecord struct {
	Item
	Count int       `dynamodbav:"count"`
	Last  time.Time `dynamodbav:"last"`
}

func failsKey(key string) Key { return Key{PK: "FAILS#" + boundedKey(key), SK: "FAILS"} }

// failuresKept is how long a run of failures is remembered after the last.
const failuresKept = 24 * time.Hour

// Failures implements accounts.Throttle.
func (l *Limiter) Failures(ctx context.Context, key string) (int, time.Time, error) {
	var r failsRecord
	err := l.t.Get(ctx, failsKey(key), &r)
	if apperr.Is(err, apperr.NotFound) {
		return 0, time.Time{}, nil
	}
	return r.Count, r.Last, err
}

// Fail implements accounts.Throttle: one atomic ADD, so concurrent failures
// are all counted.
func (l *Limiter) Fail(ctx context.Context, key string) (int, error) {
	now := l.t.clock.Now()
	k := failsKey(key)
	out, err := l.t.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &l.t.name,
		Key:                      k.av(),
		UpdateExpression:         aws.String("ADD #c :one SET #last = :now, #ttl = :exp, #type = :type, #v = :one, #schema = :schema"),
		ExpressionAttributeNames: map[string]string{"#c": "count", "#last": "last", "#ttl": "ttl", "#type": "type", "#v": "version", "#schema": schemaAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": numAV(1), ":now": &types.AttributeValueMemberS{Value: now.UTC().Format(time.RFC3339Nano)},
			":exp":  &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(failuresKept).Unix(), 10)},
			":type": &types.AttributeValueMemberS{Value: "failures"}, ":schema": schemaAV,
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if err != nil {
		return 0, classify(err, "count failure "+k.PK)
	}
	n, _ := strconv.Atoi(out.Attributes["count"].(*types.AttributeValueMemberN).Value)
	return n, nil
}

// Clear implements accounts.Throttle.
func (l *Limiter) Clear(ctx context.Context, key string) error {
	_, err := l.t.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &l.t.name, Key: failsKey(key).av()})
	if err != nil {
		return classify(err, "clear failures")
	}
	return nil
}
