// Command notifier is the notification queue consumer (SQS → e-mail and
// Discord), reporting partial batch failures.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/app"
)

func main() {
	p, queue, err := app.FromEnvironment(context.Background(), "notifier")
	if err != nil {
		fmt.Fprintln(os.Stderr, "notifier: cannot start:", err)
		os.Exit(1)
	}
	var delayer app.Delayer // stays a nil interface when there is no queue
	if queue != nil {
		delayer = queue
	}
	lambda.Start(p.NotifierEntry(delayer))
}
