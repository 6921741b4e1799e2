// Command accounts is the accounts API Lambda function (HTTP API payload v2): sign-up,
// sign-in, profile, second factors, the customer's orders, services and
// invoices. It takes payments and serves invoices (awsbilling wires what
// that needs). Passkeys are the passkeys function's.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/api/httpapi"
	"github.com/ezscale/platform/shared/app/awsbilling"
	"github.com/ezscale/platform/shared/app/lambdaenv"
)

func main() {
	env := lambdaenv.MustLoad(httpapi.FnAccounts)
	ad := lambdaenv.Must(awsbilling.Adapters(env))
	lambda.Start(env.Platform(ad).LambdaHandler(httpapi.FnAccounts))
}
