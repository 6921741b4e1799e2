// Command dunning-task runs the dunning workflow's task states (decide the
// next step for an unpaid renewal; take it). A task's named error becomes
// the Lambda error type, which the workflow's Retry matches.
package main

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/ezscale/platform/shared/adapters/kmskeys"
	"github.com/ezscale/platform/shared/app/awsnotify"
	"github.com/ezscale/platform/shared/app/lambdaenv"
	"github.com/ezscale/platform/shared/domain/dunning"
)

func main() {
	env := lambdaenv.MustLoad("dunning-task")
	ad := lambdaenv.Must(lambdaenv.Adapters(env))
	ad.Keys = lambdaenv.Must(kmskeys.Configured(env.AWS, env.Config.KMSKeyID, env.Config.LocalKeyFile))
	awsnotify.Wire(env, &ad)
	p := env.Platform(ad)
	lambda.Start(func(ctx context.Context, in map[string]any) (map[string]any, error) {
		out, err := p.DunningTasks.Task(ctx, in)
		var te *dunning.TaskError
		if errors.As(err, &te) {
			return nil, messages.InvokeResponse_Error{Type: te.Name, Message: te.Cause}
		}
		return out, err
	})
}
