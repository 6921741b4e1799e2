// Command passkeys is the passkey API Lambda function (HTTP API payload v2):
// WebAuthn registration and sign-in. It is its own function so that only
// these rare ceremonies pay go-webauthn's start-up; it needs the table and
// nothing else (sessions are hashed tokens, passkeys public keys).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/adapters/webauthnrp"
	"github.com/ezscale/platform/shared/api/httpapi"
	"github.com/ezscale/platform/shared/app/lambdaenv"
)

func main() {
	env := lambdaenv.MustLoad(httpapi.FnPasskeys)
	ad := lambdaenv.Must(lambdaenv.Adapters(env))
	ad.Passkeys = webauthnrp.Offered(env.Config, env.Log)
	lambda.Start(env.Platform(ad).LambdaHandler(httpapi.FnPasskeys))
}
