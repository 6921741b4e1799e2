// Command outbox publishes domain events: the table's stream wakes it when
// an outbox item is written, and a schedule sweeps whatever a failure left
// pending. Either way it runs every pending item's handler once.
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
	lambda.Start(func(ctx context.Context, _ json.RawMessage) (map[string]int, error) {
		n, err := p.Outbox.Publish(ctx)
		if err != nil {
			return nil, fmt.Errorf("publish outbox: %w", err)
		}
		p.Log.InfoContext(ctx, "outbox published", "items", n)
		return map[string]int{"published": n}, nil
	})
}
