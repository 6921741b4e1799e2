// Command dunning-task runs the dunning workflow's task states (decide the
// next step for an unpaid renewal; take it). A task's named error becomes
// the Lambda error type, which the workflow's Retry matches.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/app/awsnotify"
	"github.com/ezscale/platform/shared/app/entries"
	"github.com/ezscale/platform/shared/app/lambdaenv"
)

func main() {
	env := lambdaenv.MustLoad("dunning-task")
	ad := lambdaenv.Must(awsnotify.Adapters(env))
	lambda.Start(entries.DunningTask(env.Platform(ad)))
}
