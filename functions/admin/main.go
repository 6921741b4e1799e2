// Command admin is the admin API Lambda function (HTTP API payload v2): the staff
// console's routes. It refunds, invoices and changes subscriptions
// (awsbilling wires what that needs). A staff retry of failed provisioning
// is an outbox item; the outbox function starts the new execution.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/adapters/sfnflows"
	"github.com/ezscale/platform/shared/api/httpapi"
	"github.com/ezscale/platform/shared/app/awsbilling"
	"github.com/ezscale/platform/shared/app/lambdaenv"
)

func main() {
	env := lambdaenv.MustLoad(httpapi.FnAdmin)
	ad := lambdaenv.Must(awsbilling.Adapters(env))
	p := env.Platform(ad)
	// Staff's hardware choice answers the provisioning workflow's wait.
	p.Provisioning.Tokens = sfnflows.Flows{API: sfnflows.NewClient(env.AWS)}
	lambda.Start(p.LambdaHandler(httpapi.FnAdmin))
}
