// Command accounts is the accounts API Lambda function (HTTP API payload v2): sign-up,
// sign-in, passkeys, the customer's orders, services and invoices. It takes
// payments and serves invoices (awsbilling wires what that needs), and it is
// the one function that speaks WebAuthn.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/adapters/webauthnrp"
	"github.com/ezscale/platform/shared/api/httpapi"
	"github.com/ezscale/platform/shared/app/awsbilling"
	"github.com/ezscale/platform/shared/app/lambdaenv"
)

func main() {
	env := lambdaenv.MustLoad(httpapi.FnAccounts)
	ad := lambdaenv.Must(awsbilling.Adapters(env))
	ad.Passkeys = webauthnrp.Offered(env.Config, env.Log)
	lambda.Start(env.Platform(ad).LambdaHandler(httpapi.FnAccounts))
}
