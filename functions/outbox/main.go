// Command outbox publishes domain events: the table's stream wakes it when
// an outbox item is written, and a schedule sweeps whatever a failure left
// pending. Either way it runs every pending item's handler once. The sweep
// also makes dedicated plans' stock follow the panels' inventory.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/adapters/sfnflows"
	"github.com/ezscale/platform/shared/app/awsbilling"
	"github.com/ezscale/platform/shared/app/entries"
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
	lambda.Start(entries.Outbox(p))
}
