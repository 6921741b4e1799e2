// Command accounts is the accounts API Lambda function (HTTP API payload v2): sign-up,
// sign-in, the customer's orders, services and invoices. It uses the table,
// KMS (sealed secrets), and the notification queue and blob bucket.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/adapters/invoicepdf"
	"github.com/ezscale/platform/shared/adapters/kmskeys"
	"github.com/ezscale/platform/shared/adapters/stripegw"
	"github.com/ezscale/platform/shared/api/httpapi"
	"github.com/ezscale/platform/shared/app/awsnotify"
	"github.com/ezscale/platform/shared/app/lambdaenv"
)

func main() {
	env := lambdaenv.MustLoad(httpapi.FnAccounts)
	ad := lambdaenv.Must(lambdaenv.Adapters(env))
	ad.Keys = lambdaenv.Must(kmskeys.Configured(env.AWS, env.Config.KMSKeyID, env.Config.LocalKeyFile))
	ad.Gateway = stripegw.Configured(env.Config, ad.HTTP)
	ad.PDF = invoicepdf.Configured(env.Config)
	awsnotify.Wire(env, &ad)
	lambda.Start(env.Platform(ad).LambdaHandler(httpapi.FnAccounts))
}
