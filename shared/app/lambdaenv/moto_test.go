package lambdaenv_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ezscale/platform/shared/testkit/moto"
)

func TestMain(m *testing.M) { moto.Main(m) }

// putSecret stores a SecureString parameter in moto.
func putSecret(t *testing.T, cfg aws.Config, name, value string) {
	t.Helper()
	body := []byte(`{"Name":"` + name + `","Value":"` + value + `","Type":"SecureString","Overwrite":true}`)
	req, _ := http.NewRequest(http.MethodPost, *cfg.BaseEndpoint, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonSSM.PutParameter")
	creds, _ := cfg.Credentials.Retrieve(context.Background())
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "ssm", cfg.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("put %s: %v %v", name, res, err)
	}
	res.Body.Close()
}
