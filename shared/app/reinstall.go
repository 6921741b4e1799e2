package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// handleReinstalls follows each reinstall until its panel is done: a check
// that finds it still installing writes the next check as a delayed
// outbox item, so the wait survives restarts and never counts as a
// failure.
func (p *Platform) handleReinstalls() {
	p.Outbox.Handle(provisioning.KindReinstallCheck, func(ctx context.Context, it outbox.Item) error {
		var c provisioning.ReinstallCheck
		if err := json.Unmarshal(it.Payload, &c); err != nil || c.Service == "" {
			return fmt.Errorf("reinstall check %s: unreadable payload (%v)", it.ID, err)
		}
		again, err := p.Provisioning.SettleReinstall(ctx, c)
		if err != nil || !again {
			return err
		}
		next, id, due := c.Next(p.Clock.Now(), p.ReinstallCheckEvery)
		later := outbox.New(id, provisioning.KindReinstallCheck, it.Subject, next, p.Clock.Now())
		later.NotBefore = &due
		err = p.OrderStore.Apply(ctx, orders.Change{Outbox: []outbox.Item{later}})
		if apperr.Is(err, apperr.Conflict) {
			return nil // written by an earlier delivery of this check
		}
		// Another pass learns when the new item falls due (where a
		// dispatcher runs in this process; on AWS the sweep runs it).
		p.Outbox.Kick()
		return err
	})
}
