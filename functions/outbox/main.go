// Command outbox publishes domain events: the table's stream wakes it when
// an outbox item is written, and a schedule sweeps whatever a failure left
// pending. Either way it runs every pending item's handler once. The sweep
// also makes dedicated plans' stock follow the panels' inventory.
package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/adapters/sfnflows"
	"github.com/ezscale/platform/shared/app/awsbilling"
	"github.com/ezscale/platform/shared/app/lambdaenv"
)

func main() {
	env := lambdaenv.MustLoad("outbox")
	ad := lambdaenv.Must(awsbilling.Adapters(env))
	p := env.Platform(ad)
	// Paid orders start the provisioning workflow (without one configured
	// they wait, listed on the order, until it is).
	if arn := env.Config.ProvisioningStateMachine; arn != "" {
		p.StartProvisioningWith(sfnflows.Flows{API: sfnflows.NewClient(env.AWS), StateMachine: arn}.Start)
	}
	lambda.Start(func(ctx context.Context, raw json.RawMessage) (map[string]int, error) {
		n, err := p.Outbox.Publish(ctx)
		if err != nil {
			return nil, fmt.Errorf("publish outbox: %w", err)
		}
		p.Log.InfoContext(ctx, "outbox published", "items", n)
		out := map[string]int{"published": n}
		// The 5-minute sweep also makes dedicated plans' stock follow the
		// panels' inventory (stream batches do not: they come per write).
		var ev struct {
			Sweep bool `json:"sweep"`
		}
		if json.Unmarshal(raw, &ev) == nil && ev.Sweep {
			changed, err := p.Provisioning.SyncStock(ctx, p.Catalog, p.Orders)
			if err != nil {
				p.Log.WarnContext(ctx, "stock sync", "err", err.Error())
			}
			out["stock_changed"] = changed
		}
		return out, nil
	})
}
