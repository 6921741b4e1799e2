// Command accounts is the customer accounts API Lambda function (HTTP API payload v2).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/httpapi"
)

func main() {
	p, _, err := app.FromEnvironment(context.Background(), httpapi.FnAccounts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "accounts: cannot start:", err)
		os.Exit(1)
	}
	lambda.Start(p.LambdaHandler(httpapi.FnAccounts))
}
