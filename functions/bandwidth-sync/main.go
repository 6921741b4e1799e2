// Command bandwidth-sync meters traffic from ElastiFlow on an EventBridge
// schedule (hourly): it measures today so far and closes the days before,
// warns customers at their thresholds and bills closed cycles' overage.
// It runs one at a time (reserved concurrency 1); a run cut short is
// repeated by the next, which replaces the same day items.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

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
	lambda.Start(func(ctx context.Context, _ json.RawMessage) (map[string]any, error) {
		rep, err := bwsync.Run(ctx, p, src)
		open := len(rep.Failed)
		// An embedded-metric line: the "day stays open" alarm watches it.
		emf, _ := json.Marshal(map[string]any{"_aws": map[string]any{"Timestamp": time.Now().UnixMilli(), "CloudWatchMetrics": []any{
			map[string]any{"Namespace": "EZSCALE/Bandwidth", "Dimensions": [][]string{{"Stage"}}, "Metrics": []any{map[string]any{"Name": "OpenDays", "Unit": "Count"}}}}},
			"Stage": env.Config.Stage, "OpenDays": open})
		fmt.Fprintln(os.Stdout, string(emf))
		p.Log.InfoContext(ctx, "bandwidth sync", "days", rep.Days, "closed", rep.Closed, "failed", rep.Failed, "services", rep.Services, "alerts", rep.Alerts, "billed", rep.Billed)
		out := map[string]any{"days": rep.Days, "closed": rep.Closed, "failed": rep.Failed, "services": rep.Services, "alerts": rep.Alerts, "billed": rep.Billed}
		if err != nil {
			return out, fmt.Errorf("bandwidth sync: %w", err)
		}
		return out, nil
	})
}
