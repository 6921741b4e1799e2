// Command hello is the yardstick of make bench's cold starts: the smallest
// aws-lambda-go function, built the same way as ours.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, map[string]any) (string, error) { return "hello", nil })
}
