package lambdaenv_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ezscale/platform/shared/app/lambdaenv"
	"github.com/ezscale/platform/shared/testkit/moto"
)

func base(t *testing.T) map[string]string {
	return map[string]string{
		"LOCAL_KEY_FILE": filepath.Join(t.TempDir(), "k"), "AWS_REGION": "eu-west-1",
		"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
	}
}

// A function refuses to start, naming the setting, when its environment is bad.
func TestLoadRefusesBadEnvironment(t *testing.T) {
	for _, tt := range []struct {
		name    string
		env     map[string]string
		wantVar string
	}{
		{"BadStage", map[string]string{"STAGE": "qa"}, "STAGE"},
		{"ProdNeedsKMS", map[string]string{"STAGE": "prod", "KMS_KEY_ID": ""}, "KMS_KEY_ID"},
		{"NoRegion", map[string]string{"AWS_REGION": ""}, "AWS_REGION"},
		{"NoCredentials", map[string]string{"AWS_SECRET_ACCESS_KEY": ""}, "AWS_SECRET_ACCESS_KEY"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := base(t)
			for k, v := range tt.env {
				env[k] = v
			}
			_, err := lambdaenv.Load("catalog", env)
			if err == nil || !strings.Contains(err.Error(), tt.wantVar) {
				t.Fatalf("err = %v, want one naming %s", err, tt.wantVar)
			}
		})
	}
	t.Run("BadPanels", func(t *testing.T) {
		env := base(t)
		env["PANELS"] = "{"
		e, err := lambdaenv.Load("admin", env)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lambdaenv.Adapters(e); err == nil || !strings.Contains(err.Error(), "PANELS") {
			t.Fatalf("err = %v, want one naming PANELS", err)
		}
	})
}

// The AWS settings are Lambda's: region, the role's session credentials,
// and an emulator's endpoint when AWS_ENDPOINT_URL names one.
func TestAWSConfigFromLambdaVariables(t *testing.T) {
	env := base(t)
	env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:5000"
	e, err := lambdaenv.Load("admin", env)
	if err != nil {
		t.Fatal(err)
	}
	if e.AWS.Region != "eu-west-1" || aws.ToString(e.AWS.BaseEndpoint) != "http://127.0.0.1:5000" {
		t.Fatalf("region %q endpoint %q", e.AWS.Region, aws.ToString(e.AWS.BaseEndpoint))
	}
	creds, err := e.AWS.Credentials.Retrieve(t.Context())
	if err != nil || creds.AccessKeyID != "AKID" || creds.SecretAccessKey != "secret" || creds.SessionToken != "token" {
		t.Fatalf("credentials %+v, %v", creds, err)
	}
	ad, err := lambdaenv.Adapters(e)
	if err != nil || ad.DynamoDB == nil || ad.HTTP == nil || ad.HTTP.Timeout == 0 {
		t.Fatalf("adapters %+v, %v", ad, err)
	}
	if p := e.Platform(ad); p.Catalog == nil || p.Config.Stage != "local" {
		t.Fatalf("platform not wired: %+v", p.Config)
	}
}

// Secrets written ssm:<name> are read from Parameter Store when the
// function starts; one that is missing stops it, naming the variable.
func TestLoadReadsSecretsFromParameterStore(t *testing.T) {
	cfg := moto.Config(t)
	putSecret(t, cfg, "/ezscale/prod/stripe-secret-key", "sk_live_from_ssm")
	env := base(t)
	env["AWS_ENDPOINT_URL"], env["AWS_REGION"] = *cfg.BaseEndpoint, cfg.Region
	env["STRIPE_SECRET_KEY"] = "ssm:/ezscale/prod/stripe-secret-key"
	env["STRIPE_WEBHOOK_SECRET"] = "whsec_literal" // a literal value still works
	e, err := lambdaenv.Load("catalog", env)
	if err != nil {
		t.Fatal(err)
	}
	if e.Config.StripeSecretKey != "sk_live_from_ssm" {
		t.Fatalf("STRIPE_SECRET_KEY = %q", e.Config.StripeSecretKey)
	}
	env["IMAP_PASSWORD"] = "ssm:/ezscale/prod/missing"
	if _, err := lambdaenv.Load("mail-poll", env); err == nil || !strings.Contains(err.Error(), "IMAP_PASSWORD (SSM parameter /ezscale/prod/missing)") {
		t.Fatalf("err = %v", err)
	}
}
