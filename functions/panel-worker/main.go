// Command panel-worker consumes the panel queue: each message is one panel
// call the provisioning workflow waits for; the worker answers its task
// token with the result or the named error (entries.PanelWorker).
package main

import (
	"errors"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/adapters/kmskeys"
	"github.com/ezscale/platform/shared/adapters/sfnflows"
	"github.com/ezscale/platform/shared/app/entries"
	"github.com/ezscale/platform/shared/app/lambdaenv"
)

func main() {
	env := lambdaenv.MustLoad("panel-worker")
	if env.Config.ProvisioningStateMachine == "" {
		lambdaenv.Must(0, errors.New("PROVISIONING_STATE_MACHINE_ARN is required"))
	}
	ad := lambdaenv.Must(lambdaenv.Adapters(env))
	ad.Keys = lambdaenv.Must(kmskeys.Configured(env.AWS, env.Config.KMSKeyID, env.Config.LocalKeyFile))
	flows := sfnflows.Flows{API: sfnflows.NewClient(env.AWS), StateMachine: env.Config.ProvisioningStateMachine}
	lambda.Start(entries.PanelWorker(env.Platform(ad), flows))
}
