package sfnflows_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/ezscale/platform/shared/adapters/sfnflows"
	"github.com/ezscale/platform/shared/testkit/moto"
)

func TestMain(m *testing.M) { moto.Main(m) }

// Against moto's Step Functions: a second start under the same name is a
// no-op, and answering a token nobody waits for is not an error.
func TestStartIsIdempotentAndStaleTokensAreIgnored(t *testing.T) {
	client := sfn.NewFromConfig(moto.Config(t))
	ctx := context.Background()
	sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("provisioning-" + strings.ReplaceAll(t.Name(), "/", "-")),
		Definition: aws.String(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":600,"End":true}}}`), RoleArn: aws.String("arn:aws:iam::123456789012:role/sfn")})
	if err != nil {
		t.Fatal(err)
	}
	f := sfnflows.Flows{API: sfnflows.NewClient(moto.Config(t)), StateMachine: aws.ToString(sm.StateMachineArn)}
	for range 2 {
		if err := f.Start(ctx, "ord_1", "provision-ord_1"); err != nil {
			t.Fatal(err)
		}
	}
	list, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn})
	if err != nil || len(list.Executions) != 1 {
		t.Fatalf("executions = %d, %v", len(list.Executions), err)
	}
	if err := f.Succeed(ctx, "not-a-token", map[string]string{"ok": "1"}); err != nil {
		t.Fatalf("stale token: %v", err)
	}
	if err := f.Fail(ctx, "not-a-token", "Panel.Rejected", "no"); err != nil {
		t.Fatalf("stale token: %v", err)
	}
}
