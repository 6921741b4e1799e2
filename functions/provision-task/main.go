// Command provision-task runs the provisioning workflow's task states
// (record the service, activate it, mark it failed). A step's named error
// becomes the Lambda error type, which the workflow's Retry and Catch match.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/app/awsnotify"
	"github.com/ezscale/platform/shared/app/entries"
	"github.com/ezscale/platform/shared/app/lambdaenv"
)

func main() {
	env := lambdaenv.MustLoad("provision-task")
	ad := lambdaenv.Must(awsnotify.Adapters(env))
	lambda.Start(entries.ProvisionTask(env.Platform(ad)))
}
