// Command provision-task runs the provisioning workflow's task states
// (record the service, activate it, mark it failed). A step's named error
// becomes the Lambda error type, which the workflow's Retry and Catch match.
package main

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/ezscale/platform/shared/adapters/kmskeys"
	"github.com/ezscale/platform/shared/app/awsnotify"
	"github.com/ezscale/platform/shared/app/lambdaenv"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

func main() {
	env := lambdaenv.MustLoad("provision-task")
	ad := lambdaenv.Must(lambdaenv.Adapters(env))
	ad.Keys = lambdaenv.Must(kmskeys.Configured(env.AWS, env.Config.KMSKeyID, env.Config.LocalKeyFile))
	awsnotify.Wire(env, &ad)
	p := env.Platform(ad)
	steps := provisioning.Steps{Engine: p.Provisioning}
	lambda.Start(func(ctx context.Context, in map[string]any) (map[string]any, error) {
		out, err := steps.Task(ctx, in)
		var se *provisioning.StepError
		if errors.As(err, &se) {
			return nil, messages.InvokeResponse_Error{Type: se.Name, Message: se.Cause}
		}
		return out, err
	})
}
