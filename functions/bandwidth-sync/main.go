// Command bandwidth-sync meters traffic from ElastiFlow on an EventBridge
// schedule (hourly): it measures today so far and closes the days before,
// warns customers at their thresholds and bills closed cycles' overage.
// It runs one at a time (reserved concurrency 1); a run cut short is
// repeated by the next, which replaces the same day items.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/app/awsbilling"
	"github.com/ezscale/platform/shared/app/bwsync"
	"github.com/ezscale/platform/shared/app/lambdaenv"
)

func main() {
	env := lambdaenv.MustLoad("bandwidth-sync")
	// Overage goes onto the subscription's next invoice at its gateway;
	// alerts and overage e-mails are notifications: sealed, queued.
	ad := lambdaenv.Must(awsbilling.Adapters(env))
	p := env.Platform(ad)
	src := lambdaenv.Must(bwsync.Source(p, nil))
	lambda.Start(bwsync.Handler(p, src, os.Stdout)) // embedded metrics go to the log
}
