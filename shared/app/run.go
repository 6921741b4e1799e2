package app

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

// RunHTTP is the whole main of an HTTP API Lambda function: build the
// platform from the environment (exiting with the reason if it cannot) and
// serve the function's routes from API Gateway HTTP API events.
func RunHTTP(function string) {
	p, _, err := FromEnvironment(context.Background(), function)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: cannot start: %v\n", function, err)
		os.Exit(1)
	}
	lambda.Start(p.LambdaHandler(function))
}
