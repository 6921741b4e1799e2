package provisioning

import (
	"context"
	"fmt"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Catalog is the plans as stock sync reads and moves them.
type Catalog interface {
	List(ctx context.Context, status catalog.Status, t catalog.ServiceType) ([]catalog.Plan, error)
	SetStock(ctx context.Context, id string, from, to int64) error
}

// Reservations count the units checkouts reserved that no service holds
// yet (open checkouts, orders awaiting approval).
type Reservations interface {
	Reserved(ctx context.Context, planID string) (int64, error)
}

// SyncStock makes the stock of every plan whose panel allocates hardware
// follow the inventory: free machines exactly like the plan's, at its
// locations, less the units sold and not yet on a machine. The plan's
// stock is read first and moved only if no checkout changed it since, so
// a reservation is never undone; a plan without a stock limit is left
// alone. It returns how many plans changed.
func (e *Engine) SyncStock(ctx context.Context, plans Catalog, held Reservations) (int, error) {
	list, err := plans.List(ctx, catalog.Active, catalog.Dedicated)
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, p := range list {
		if p.Stock == nil {
			continue
		}
		free, ok, err := e.freeExact(ctx, &p)
		if err != nil {
			return changed, fmt.Errorf("inventory for %s: %w", p.Slug, err)
		}
		if !ok {
			continue
		}
		reserved, err := held.Reserved(ctx, p.ID)
		if err != nil {
			return changed, err
		}
		waiting, err := e.waitingForMachine(ctx, p.ID)
		if err != nil {
			return changed, err
		}
		target := max(0, free-reserved-waiting)
		if target == *p.Stock {
			continue
		}
		switch err := plans.SetStock(ctx, p.ID, *p.Stock, target); {
		case apperr.Is(err, apperr.Conflict): // a checkout moved it: the next sync sees it
		case err != nil:
			return changed, err
		default:
			changed++
			e.Log.InfoContext(ctx, "plan stock follows the inventory", "plan", p.Slug, "from", *p.Stock, "to", target, "free", free, "reserved", reserved+waiting)
		}
	}
	return changed, nil
}

// freeExact counts free machines exactly like p's at its locations; ok is
// false when p's panel keeps no inventory.
func (e *Engine) freeExact(ctx context.Context, p *catalog.Plan) (int64, bool, error) {
	locations := p.Features.Locations
	if len(locations) == 0 {
		locations = []string{""}
	}
	var n int64
	seen, inventory := map[string]bool{}, false
	for _, loc := range locations {
		panel, ok := e.Panels.For(p, loc)
		if !ok {
			continue
		}
		alloc, ok := panel.(HardwareAllocator)
		if !ok {
			return 0, false, nil
		}
		inventory = true
		list, err := alloc.Candidates(ctx, CreateRequest{Plan: p.ID, Location: loc})
		if err != nil {
			return 0, false, err
		}
		for _, h := range list {
			if h.Exact && h.Free && !seen[panel.Name()+"/"+h.ID] {
				seen[panel.Name()+"/"+h.ID] = true
				n++
			}
		}
	}
	return n, inventory, nil
}

// waitingForMachine counts the plan's services being set up that hold no
// machine yet (paid; the machine is taken when provisioning chooses one).
func (e *Engine) waitingForMachine(ctx context.Context, planID string) (int64, error) {
	list, err := e.Store.ListServices(ctx, "")
	if err != nil {
		return 0, err
	}
	var n int64
	for _, s := range list {
		if s.PlanID == planID && (s.Status == StatusPending || s.Status == StatusProvisioning) && s.Hardware == "" && s.PanelID == "" {
			n++
		}
	}
	return n, nil
}
