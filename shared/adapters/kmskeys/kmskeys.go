// Package kmskeys wraps envelope data keys with AWS KMS.
package kmskeys

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/ezscale/platform/shared/platform/envelope"
)

// API is the part of the KMS client used here.
type API interface {
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, opts ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, opts ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// Keys generates and unwraps data keys under one KMS key.
type Keys struct {
	api   API
	keyID string
}

var _ envelope.KeyWrapper = (*Keys)(nil)

// New returns Keys for the KMS key id, ARN or alias.
func New(api API, keyID string) *Keys { return &Keys{api: api, keyID: keyID} }

// GenerateDataKey implements envelope.KeyWrapper.
func (k *Keys) GenerateDataKey(ctx context.Context) ([]byte, []byte, error) {
	out, err := k.api.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
		KeyId:   aws.String(k.keyID),
		KeySpec: types.DataKeySpecAes256,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("kms generate data key: %w", err)
	}
	return out.Plaintext, out.CiphertextBlob, nil
}

// Unwrap implements envelope.KeyWrapper. KeyId is passed so a blob wrapped
// under another key is refused rather than silently accepted.
func (k *Keys) Unwrap(ctx context.Context, wrapped []byte) ([]byte, error) {
	out, err := k.api.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wrapped, KeyId: aws.String(k.keyID)})
	if err != nil {
		return nil, fmt.Errorf("kms decrypt: %w", err)
	}
	return out.Plaintext, nil
}

// Configured is KMS under keyID, or without one the local key file (tests,
// benchmarks and stages that have no KMS key).
func Configured(awsCfg aws.Config, keyID, localFile string) (envelope.KeyWrapper, error) {
	if keyID != "" {
		return New(NewClient(awsCfg), keyID), nil
	}
	return envelope.LoadOrCreateLocalKeys(localFile)
}
