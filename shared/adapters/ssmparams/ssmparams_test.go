package ssmparams

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ezscale/platform/shared/testkit/moto"
)

func TestMain(m *testing.M) { moto.Main(m) }

// Against moto: values written as ssm:<name> are read, decrypted, once per
// parameter however many variables name it; a missing one is an error
// naming the variable and the parameter, and changes nothing.
func TestResolveReadsSecureStrings(t *testing.T) {
	ctx := context.Background()
	c := New(moto.Config(t), nil)
	for name, value := range map[string]string{"/ezscale/test/stripe-secret-key": "sk_live_abc", "/ezscale/test/imap-password": "p@ss word"} {
		var out map[string]any
		if err := c.call(ctx, "PutParameter", map[string]any{"Name": name, "Value": value, "Type": "SecureString", "Overwrite": true}, &out); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"STRIPE_SECRET_KEY": "ssm:/ezscale/test/stripe-secret-key", "IMAP_PASSWORD": "ssm:/ezscale/test/imap-password",
		"ALSO_STRIPE": "ssm:/ezscale/test/stripe-secret-key", "STAGE": "prod"}
	if err := Resolve(ctx, c, env); err != nil {
		t.Fatal(err)
	}
	if env["STRIPE_SECRET_KEY"] != "sk_live_abc" || env["ALSO_STRIPE"] != "sk_live_abc" || env["IMAP_PASSWORD"] != "p@ss word" || env["STAGE"] != "prod" {
		t.Fatalf("env %v", env)
	}
	bad := map[string]string{"PAYPAL_SECRET": "ssm:/ezscale/test/nope", "STRIPE_SECRET_KEY": "ssm:/ezscale/test/stripe-secret-key"}
	err := Resolve(ctx, c, bad)
	if err == nil || !strings.Contains(err.Error(), "PAYPAL_SECRET (SSM parameter /ezscale/test/nope)") {
		t.Fatalf("err = %v", err)
	}
	if bad["STRIPE_SECRET_KEY"] != "ssm:/ezscale/test/stripe-secret-key" {
		t.Fatal("a failed resolve changed the environment")
	}
}

// Throttling and 5xx are retried (a read is idempotent); other refusals,
// malformed answers and timeouts are errors, never empty secrets.
func TestFailuresAreErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answers []func(http.ResponseWriter)
		ok      bool
	}{
		{"503 then fine", []func(http.ResponseWriter){status(503, "{}"), fine}, true},
		{"throttled then fine", []func(http.ResponseWriter){status(400, `{"__type":"ThrottlingException"}`), fine}, true},
		{"always 500", []func(http.ResponseWriter){status(500, "{}"), status(500, "{}"), status(500, "{}")}, false},
		{"access denied", []func(http.ResponseWriter){status(400, `{"__type":"AccessDeniedException"}`)}, false},
		{"malformed", []func(http.ResponseWriter){status(200, `{"Parameters":`)}, false},
		{"stalls", []func(http.ResponseWriter){func(http.ResponseWriter) { time.Sleep(300 * time.Millisecond) }}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("X-Amz-Target") != "AmazonSSM.GetParameters" || !strings.Contains(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256") {
					t.Errorf("unsigned or wrong call: %v", r.Header)
				}
				i := int(n.Add(1)) - 1
				tc.answers[min(i, len(tc.answers)-1)](w)
			}))
			defer srv.Close()
			cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), BaseEndpoint: aws.String(srv.URL)}
			c := New(cfg, &http.Client{Timeout: 100 * time.Millisecond})
			env := map[string]string{"K": "ssm:/p"}
			err := Resolve(context.Background(), c, env)
			if tc.ok != (err == nil) || (tc.ok && env["K"] != "v") || (!tc.ok && env["K"] != "ssm:/p") {
				t.Fatalf("err %v env %v", err, env)
			}
		})
	}
}

func status(code int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) { w.WriteHeader(code); _, _ = w.Write([]byte(body)) }
}

func fine(w http.ResponseWriter) {
	_, _ = w.Write([]byte(`{"Parameters":[{"Name":"/p","Value":"v"}],"InvalidParameters":[]}`))
}
