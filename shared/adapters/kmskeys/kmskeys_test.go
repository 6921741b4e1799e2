package kmskeys_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/ezscale/platform/shared/adapters/kmskeys"
	"github.com/ezscale/platform/shared/platform/envelope"
	"github.com/ezscale/platform/shared/testkit/moto"
)

func TestMain(m *testing.M) { moto.Main(m) }

// Envelope encryption with KMS (moto) wrapping the data keys.
func TestSealOpenWithKMS(t *testing.T) {
	ctx := context.Background()
	client := kms.NewFromConfig(moto.Config(t))
	newKey := func() string {
		out, err := client.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("test")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.KeyMetadata.Arn)
	}
	key := newKey()
	s := envelope.New(kmskeys.New(kmskeys.NewClient(moto.Config(t)), key))
	sealed, err := s.Seal(ctx, []byte("panel-password"), []byte("service:svc_1"))
	if err != nil {
		t.Fatal(err)
	}
	pt, err := s.Open(ctx, sealed, []byte("service:svc_1"))
	if err != nil || string(pt) != "panel-password" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	if _, err := s.Open(ctx, sealed, []byte("service:svc_2")); !errors.Is(err, envelope.ErrCorrupt) {
		t.Fatalf("wrong aad: %v", err)
	}
	// A data key wrapped under one KMS key is refused by a sealer bound to another.
	other := envelope.New(kmskeys.New(client, newKey()))
	if _, err := other.Open(ctx, sealed, []byte("service:svc_1")); err == nil {
		t.Fatal("a value sealed under another KMS key was opened")
	}
}
