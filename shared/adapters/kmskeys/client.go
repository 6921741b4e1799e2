package kmskeys

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// NewClient is the KMS client for cfg, as API. It holds the client's
// methods, not the client, so the binary keeps only the operations used
// (see dynamo.NewClient).
func NewClient(cfg aws.Config) API {
	c := kms.NewFromConfig(cfg)
	return client{c.GenerateDataKey, c.Decrypt}
}

type opts = func(*kms.Options)

type client struct {
	generate func(context.Context, *kms.GenerateDataKeyInput, ...opts) (*kms.GenerateDataKeyOutput, error)
	decrypt  func(context.Context, *kms.DecryptInput, ...opts) (*kms.DecryptOutput, error)
}

func (c client) GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, o ...opts) (*kms.GenerateDataKeyOutput, error) {
	return c.generate(ctx, in, o...)
}

func (c client) Decrypt(ctx context.Context, in *kms.DecryptInput, o ...opts) (*kms.DecryptOutput, error) {
	return c.decrypt(ctx, in, o...)
}
