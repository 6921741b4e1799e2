// Command catalog is the catalog API Lambda function (HTTP API payload v2):
// the public plan listing, health and the OpenAPI document. It reads the
// table and nothing else, so it links no other AWS client.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/api/httpapi"
	"github.com/ezscale/platform/shared/api/openapi"
	"github.com/ezscale/platform/shared/app/lambdaenv"
)

func main() {
	env := lambdaenv.MustLoad(httpapi.FnCatalog)
	ad := lambdaenv.Must(lambdaenv.Adapters(env))
	p := env.Platform(ad)
	p.OpenAPI = openapi.JSON
	lambda.Start(p.LambdaHandler(httpapi.FnCatalog))
}
