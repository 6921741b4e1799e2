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
	"github.com/ezscale/platform/shared/domain/dunning"
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
	// Failed renewals start dunning, one execution per unpaid invoice.
	if arn := env.Config.DunningStateMachine; arn != "" {
		flows := sfnflows.Flows{API: sfnflows.NewClient(env.AWS), StateMachine: arn}
		p.StartDunningWith(func(ctx context.Context, name string, u dunning.Unpaid) error {
			return flows.StartWith(ctx, name, map[string]any{"case": u})
		})
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
			Sweep        bool `json:"sweep"`
			DunningSweep bool `json:"dunning_sweep"`
		}
		_ = json.Unmarshal(raw, &ev) // a stream batch is not a schedule's input
		if ev.Sweep {
			changed, err := p.Provisioning.SyncStock(ctx, p.Catalog, p.Orders)
			if err != nil {
				p.Log.WarnContext(ctx, "stock sync", "err", err.Error())
			}
			out["stock_changed"] = changed
		}
		// Daily: every unpaid renewal has its dunning execution.
		if ev.DunningSweep {
			unpaid, err := p.SweepDunning(ctx)
			if err != nil {
				return out, fmt.Errorf("dunning sweep: %w", err)
			}
			out["unpaid_renewals"] = unpaid
		}
		return out, nil
	})
}
