package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// NewClient is the DynamoDB client for cfg, as API.
//
// It holds the client's methods, not the client: converting
// *dynamodb.Client itself to an interface would make the linker keep
// every one of its 59 operations with their serialisers, because
// text/template (linked for e-mail) calls methods by name through
// reflection, and the linker then keeps every exported method of every
// type that is ever an interface value. Those unused operations were
// megabytes of each binary and page faults at every cold start (make
// bench).
func NewClient(cfg aws.Config) API {
	c := dynamodb.NewFromConfig(cfg)
	return client{c.GetItem, c.PutItem, c.UpdateItem, c.DeleteItem, c.Query, c.TransactWriteItems}
}

type opts = func(*dynamodb.Options)

type client struct {
	get      func(context.Context, *dynamodb.GetItemInput, ...opts) (*dynamodb.GetItemOutput, error)
	put      func(context.Context, *dynamodb.PutItemInput, ...opts) (*dynamodb.PutItemOutput, error)
	update   func(context.Context, *dynamodb.UpdateItemInput, ...opts) (*dynamodb.UpdateItemOutput, error)
	del      func(context.Context, *dynamodb.DeleteItemInput, ...opts) (*dynamodb.DeleteItemOutput, error)
	query    func(context.Context, *dynamodb.QueryInput, ...opts) (*dynamodb.QueryOutput, error)
	transact func(context.Context, *dynamodb.TransactWriteItemsInput, ...opts) (*dynamodb.TransactWriteItemsOutput, error)
}

func (c client) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...opts) (*dynamodb.GetItemOutput, error) {
	return c.get(ctx, in, o...)
}

func (c client) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...opts) (*dynamodb.PutItemOutput, error) {
	return c.put(ctx, in, o...)
}

func (c client) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...opts) (*dynamodb.UpdateItemOutput, error) {
	return c.update(ctx, in, o...)
}

func (c client) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...opts) (*dynamodb.DeleteItemOutput, error) {
	return c.del(ctx, in, o...)
}

func (c client) Query(ctx context.Context, in *dynamodb.QueryInput, o ...opts) (*dynamodb.QueryOutput, error) {
	return c.query(ctx, in, o...)
}

func (c client) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...opts) (*dynamodb.TransactWriteItemsOutput, error) {
	return c.transact(ctx, in, o...)
}
