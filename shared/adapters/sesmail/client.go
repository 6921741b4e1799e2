package sesmail

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// NewClient is the SES v2 client for cfg, as API. It holds the client's
// method, not the client, so the binary keeps only the operation used
// (see dynamo.NewClient).
func NewClient(cfg aws.Config) API { return client(sesv2.NewFromConfig(cfg).SendEmail) }

type client func(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)

func (c client) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, o ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	return c(ctx, in, o...)
}
