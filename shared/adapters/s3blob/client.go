package s3blob

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// NewClient is the S3 client for cfg, as API, holding the client's
// methods like the other adapters' NewClient (see dynamo.NewClient). For
// S3 alone it saves nothing yet: s3.New makes its client an interface
// value itself (for S3 Express sessions), so every S3 operation stays
// linked wherever blobs are. optFns adjust the client (path-style
// addressing for an emulator).
func NewClient(cfg aws.Config, optFns ...func(*s3.Options)) API {
	c := s3.NewFromConfig(cfg, optFns...)
	return client{c.PutObject, c.GetObject}
}

type opts = func(*s3.Options)

type client struct {
	put func(context.Context, *s3.PutObjectInput, ...opts) (*s3.PutObjectOutput, error)
	get func(context.Context, *s3.GetObjectInput, ...opts) (*s3.GetObjectOutput, error)
}

func (c client) PutObject(ctx context.Context, in *s3.PutObjectInput, o ...opts) (*s3.PutObjectOutput, error) {
	return c.put(ctx, in, o...)
}

func (c client) GetObject(ctx context.Context, in *s3.GetObjectInput, o ...opts) (*s3.GetObjectOutput, error) {
	return c.get(ctx, in, o...)
}
