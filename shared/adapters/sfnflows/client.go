package sfnflows

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// NewClient is the Step Functions client for cfg, as API. It holds the
// client's methods, not the client, so the binary keeps only the
// operations used (see dynamo.NewClient).
func NewClient(cfg aws.Config) API {
	c := sfn.NewFromConfig(cfg)
	return client{c.StartExecution, c.SendTaskSuccess, c.SendTaskFailure}
}

type opts = func(*sfn.Options)

type client struct {
	start   func(context.Context, *sfn.StartExecutionInput, ...opts) (*sfn.StartExecutionOutput, error)
	success func(context.Context, *sfn.SendTaskSuccessInput, ...opts) (*sfn.SendTaskSuccessOutput, error)
	failure func(context.Context, *sfn.SendTaskFailureInput, ...opts) (*sfn.SendTaskFailureOutput, error)
}

func (c client) StartExecution(ctx context.Context, in *sfn.StartExecutionInput, o ...opts) (*sfn.StartExecutionOutput, error) {
	return c.start(ctx, in, o...)
}

func (c client) SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, o ...opts) (*sfn.SendTaskSuccessOutput, error) {
	return c.success(ctx, in, o...)
}

func (c client) SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, o ...opts) (*sfn.SendTaskFailureOutput, error) {
	return c.failure(ctx, in, o...)
}
