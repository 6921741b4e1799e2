package deploy_test

import (
	"os"
	"os/exec"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// sdkFor maps an IAM action prefix to the SDK service package that calls it.
var sdkFor = map[string][]string{
	"dynamodb": {"dynamodb", "dynamodbstreams"}, // the DynamoDB client's types import streams'
	"kms":      {"kms"},
	"s3":       {"s3"},
	"sqs":      {"sqs"},
	"ses":      {"sesv2"},
	"states":   {"sfn"},
}

var actionRE = regexp.MustCompile(`^([a-z0-9-]+):[A-Za-z*]+$`)

// actions collects every IAM action string below a Policies node.
func actions(n *yaml.Node, out map[string]bool) {
	if n.Kind == yaml.ScalarNode {
		if m := actionRE.FindStringSubmatch(n.Value); m != nil {
			out[m[1]] = true
		}
	}
	for _, c := range n.Content {
		actions(c, out)
	}
}

// schemaPackage reports a service client's serialisation schemas, which
// AWS added to the SDK in September 2026 (dynamodb v1.69.0, sqs v1.49.0,
// sesv2 v1.75.0): built at package initialisation, they cost 0.2 to 0.7 ms
// per client at every cold start, about a fifth of a function's (make
// bench: notifier 2.73× → 2.27× of hello-world, accounts 2.57× → 2.10×).
// go.mod holds the clients at the releases before; upgrade one only when
// its schemas no longer cost a cold start (measure with BENCH=functions).
// DynamoDB Streams comes in through the attributevalue package and is
// small (0.06 ms).
func schemaPackage(dep string) bool {
	svc, ok := strings.CutPrefix(dep, "github.com/aws/aws-sdk-go-v2/service/")
	return ok && strings.HasSuffix(svc, "/schemas") && svc != "dynamodbstreams/schemas"
}

// Each function links only what it uses: the AWS SDK clients of the
// services its IAM policy lets it call, stripe-go only where it holds the
// Stripe keys, go-webauthn only in the passkeys function, and never the SDK's default credential chain (which links
// STS, SSO and sign-in clients; lambdaenv reads Lambda's variables).
func TestFunctionsLinkOnlyWhatTheyUse(t *testing.T) {
	tpl := load(t)
	entries, err := os.ReadDir(path.Join("..", "..", "functions"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		fn := e.Name()
		t.Run(fn, func(t *testing.T) {
			id := strings.ReplaceAll(strings.Title(strings.ReplaceAll(fn, "-", " ")), " ", "") + "Function" //nolint:staticcheck // ASCII names
			res, ok := tpl.Resources[id]
			if !ok {
				t.Fatalf("template.yaml has no %s for functions/%s", id, fn)
			}
			var props struct {
				Policies    yaml.Node `yaml:"Policies"`
				Environment struct {
					Variables map[string]yaml.Node `yaml:"Variables"`
				} `yaml:"Environment"`
			}
			if err := res.Properties.Decode(&props); err != nil {
				t.Fatal(err)
			}
			prefixes := map[string]bool{}
			actions(&props.Policies, prefixes)
			var allowed []string
			for p := range prefixes {
				allowed = append(allowed, sdkFor[p]...)
			}
			_, stripe := props.Environment.Variables["STRIPE_SECRET_KEY"]

			out, err := exec.Command("go", "list", "-deps", "github.com/ezscale/platform/functions/"+fn).Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			for _, dep := range strings.Fields(string(out)) {
				if svc, ok := strings.CutPrefix(dep, "github.com/aws/aws-sdk-go-v2/service/"); ok && !strings.Contains(svc, "/") && svc != "internal" {
					if !slices.Contains(allowed, svc) {
						t.Errorf("links the %s client, which its IAM policy does not allow (allowed: %v)", svc, allowed)
					}
				}
				if strings.HasPrefix(dep, "github.com/stripe/stripe-go/") && !stripe {
					t.Errorf("links %s without STRIPE_SECRET_KEY in its environment", dep)
				}
				if strings.HasPrefix(dep, "github.com/go-webauthn/") && fn != "passkeys" {
					t.Errorf("links %s: WebAuthn is the passkeys function's alone (its start-up cost)", dep)
				}
				if dep == "github.com/aws/aws-sdk-go-v2/config" {
					t.Errorf("links the SDK's default configuration chain")
				}
				if schemaPackage(dep) {
					t.Errorf("links %s: see schemaPackage", dep)
				}
			}
		})
	}
}
