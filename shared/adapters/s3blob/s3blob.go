// Package s3blob stores blobs (attachments, invoice PDFs) in Amazon S3.
package s3blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// API is the part of the S3 client used here.
type API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// Store keeps blobs in one bucket (server-side encrypted by the bucket's
// default KMS key, set in template.yaml).
type Store struct {
	api    API
	bucket string
}

// New returns a store for bucket.
func New(api API, bucket string) *Store { return &Store{api: api, bucket: bucket} }

// Put writes a blob.
func (s *Store) Put(ctx context.Context, key, contentType string, data []byte) error {
	_, err := s.api.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(key), Body: bytes.NewReader(data),
		ContentType: aws.String(contentType), ContentLength: aws.Int64(int64(len(data))),
	})
	if err != nil {
		return fmt.Errorf("s3 put %s: %w", key, err)
	}
	return nil
}

// Get reads a blob; apperr.NotFound when absent.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	out, err := s.api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if _, ok := errors.AsType[*types.NoSuchKey](err); ok {
		return nil, apperr.New(apperr.NotFound, "blob %s not found", key)
	}
	if err != nil {
		return nil, fmt.Errorf("s3 get %s: %w", key, err)
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}
