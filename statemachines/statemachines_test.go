package statemachines_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/ezscale/platform/infra/local/asl"
	"github.com/ezscale/platform/shared/testkit/moto"
	"github.com/ezscale/platform/statemachines"
)

func TestMain(m *testing.M) { moto.Main(m) }

// Every definition, with its placeholders filled as the template fills
// them, passes our strict loader and is stored by Step Functions' API as
// moto serves it. (moto stores definitions without validating them; the
// behaviour is checked by infra/local/asl's differential test against
// aws-local-stepfunctions.)
func TestDefinitionsLoadIntoMoto(t *testing.T) {
	client := sfn.NewFromConfig(moto.Config(t))
	subst := map[string]string{
		"ProvisionTaskArn": "arn:aws:lambda:us-east-1:123456789012:function:provision-task",
		"PanelQueueUrl":    "https://sqs.us-east-1.amazonaws.com/123456789012/panel",
		"DunningTaskArn":   "arn:aws:lambda:us-east-1:123456789012:function:dunning-task",
	}
	files, err := fs.Glob(statemachines.FS, "*.asl.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no definitions: %v", err)
	}
	for _, f := range files {
		raw, err := fs.ReadFile(statemachines.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		def := string(raw)
		for k, v := range subst {
			def = strings.ReplaceAll(def, "${"+k+"}", v)
		}
		if _, err := asl.Load([]byte(def), nil); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := strings.TrimSuffix(f, ".asl.json")
		out, err := client.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
			Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::123456789012:role/sfn"),
		})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		got, err := client.DescribeStateMachine(context.Background(), &sfn.DescribeStateMachineInput{StateMachineArn: out.StateMachineArn})
		if err != nil || aws.ToString(got.Definition) != def {
			t.Fatalf("%s: stored definition differs (%v)", f, err)
		}
	}
}
