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
			Sweep bool `json:"sweep"`
			Daily bool `json:"daily"`
		}
		_ = json.Unmarshal(raw, &ev) // a stream batch is not a schedule's input
		if ev.Sweep {
			changed, err := p.Provisioning.SyncStock(ctx, p.Catalog, p.Orders)
			if err != nil {
				p.Log.WarnContext(ctx, "stock sync", "err", err.Error())
			}
			out["stock_changed"] = changed
		}
		// The lifecycle schedule: the dunning backstop, renewal reminders,
		// expiring-card notices, unpaid late fees and ticket auto-close.
		if ev.Daily {
			d, err := p.RunDaily(ctx)
			out["unpaid_renewals"], out["renewal_reminders"], out["card_notices"], out["fee_reminders"] = d.UnpaidRenewals, d.RenewalReminders, d.CardNotices, d.FeeReminders
			out["tickets_closed"] = d.TicketsClosed
			p.Log.InfoContext(ctx, "daily lifecycle run", "unpaid_renewals", d.UnpaidRenewals, "renewal_reminders", d.RenewalReminders,
				"card_notices", d.CardNotices, "fee_reminders", d.FeeReminders, "tickets_closed", d.TicketsClosed, "failed", d.Failed)
			if err != nil {
				return out, err
			}
		}
		return out, nil
	})
}
