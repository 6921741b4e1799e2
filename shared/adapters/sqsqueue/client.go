package sqsqueue

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// NewClient is the SQS client for cfg, as API. It holds the client's
// methods, not the client, so the binary keeps only the operations used
// (see dynamo.NewClient).
func NewClient(cfg aws.Config) API {
	c := sqs.NewFromConfig(cfg)
	return client{c.SendMessage, c.ChangeMessageVisibility}
}

type opts = func(*sqs.Options)

type client struct {
	send       func(context.Context, *sqs.SendMessageInput, ...opts) (*sqs.SendMessageOutput, error)
	visibility func(context.Context, *sqs.ChangeMessageVisibilityInput, ...opts) (*sqs.ChangeMessageVisibilityOutput, error)
}

func (c client) SendMessage(ctx context.Context, in *sqs.SendMessageInput, o ...opts) (*sqs.SendMessageOutput, error) {
	return c.send(ctx, in, o...)
}

func (c client) ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, o ...opts) (*sqs.ChangeMessageVisibilityOutput, error) {
	return c.visibility(ctx, in, o...)
}
