package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// KindGraceEnded runs when the grace a gateway-side subscription end gave
// a suspended service has passed (a delayed outbox item).
const KindGraceEnded = "service.grace_ended"

// handleSubscriptionEnds makes services follow their subscriptions: the
// end billing records (orders.KindEnded) terminates or suspends the
// service, and a suspension schedules the termination after grace as a
// delayed outbox item, so both survive crashes and run once.
func (p *Platform) handleSubscriptionEnds(grace time.Duration) {
	p.Outbox.Handle(orders.KindEnded, func(ctx context.Context, it outbox.Item) error {
		var ev orders.Ended
		if err := json.Unmarshal(it.Payload, &ev); err != nil {
			return fmt.Errorf("ended item %s: %w", it.ID, err)
		}
		until, err := p.Provisioning.SubscriptionEnded(ctx, ev.OrderID, ev.How, grace)
		if err != nil || until.IsZero() {
			return err
		}
		later := outbox.New("grace-"+ev.SubscriptionID, KindGraceEnded, ev.OrderID, ev, p.Clock.Now())
		later.NotBefore = &until
		err = p.OrderStore.Apply(ctx, orders.Change{Outbox: []outbox.Item{later}})
		if apperr.Is(err, apperr.Conflict) {
			return nil // scheduled by an earlier attempt
		}
		return err
	})
	p.Outbox.Handle(KindGraceEnded, func(ctx context.Context, it outbox.Item) error {
		return p.Provisioning.GraceEnded(ctx, it.Subject)
	})
	// A paid renewal lifts a suspension for being overdue (only that kind).
	p.Outbox.Handle(orders.KindRenewalPaid, func(ctx context.Context, it outbox.Item) error {
		return p.Provisioning.RenewalPaid(ctx, it.Subject)
	})
}
