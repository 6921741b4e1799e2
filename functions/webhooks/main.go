// Command webhooks is the payment gateways' webhook endpoint Lambda function
// (HTTP API payload v2): it verifies each delivery and records it together
// with its state change and outbox items. It uses the table and KMS; the
// outbox function carries out the effects.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/adapters/kmskeys"
	"github.com/ezscale/platform/shared/api/httpapi"
	"github.com/ezscale/platform/shared/app/gateways"
	"github.com/ezscale/platform/shared/app/lambdaenv"
)

func main() {
	env := lambdaenv.MustLoad(httpapi.FnWebhooks)
	ad := lambdaenv.Must(lambdaenv.Adapters(env))
	ad.Keys = lambdaenv.Must(kmskeys.Configured(env.AWS, env.Config.KMSKeyID, env.Config.LocalKeyFile))
	ad.Gateways = lambdaenv.Must(gateways.Configured(env.Config, ad.HTTP))
	lambda.Start(env.Platform(ad).LambdaHandler(httpapi.FnWebhooks))
}
