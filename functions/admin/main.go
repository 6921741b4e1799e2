// Command admin is the admin API Lambda function (HTTP API payload v2).
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
	p, _, err := app.FromEnvironment(context.Background(), httpapi.FnAdmin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "admin: cannot start:", err)
		os.Exit(1)
	}
	lambda.Start(p.LambdaHandler(httpapi.FnAdmin))
}
