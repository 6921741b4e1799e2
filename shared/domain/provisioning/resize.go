package provisioning

import (
	"context"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// ErrStillProvisioning: the service is being built; a resize waits for it
// (callers retry later).
var ErrStillProvisioning = apperr.New(apperr.Unavailable, "the service is still being set up; the change is applied once it is active")

// Resize moves a service to another plan of its type: the panel first,
// then our record (plan, limits). Plan changes from billing and staff's
// "modify" both land here. It is safe to repeat: panels set the package
// or limits absolutely, and a service already on the plan is left alone.
// A service without anything at its panel (failed, terminated) just
// records the plan, so a retried provisioning builds the new size.
func (e *Engine) Resize(ctx context.Context, id, planID, actor string) (*Service, error) {
	ctx = collecting(ctx)
	s, err := e.Store.GetService(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := e.Plans.Get(ctx, planID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.Validation(map[string]string{"plan_id": "no such plan"})
	}
	if err != nil {
		return nil, err
	}
	if p.ServiceType != s.ServiceType {
		return nil, apperr.Validation(map[string]string{"plan_id": "must be a " + string(s.ServiceType) + " plan"})
	}
	if s.PlanID == p.ID {
		return s, nil
	}
	limits := planLimits(p)
	switch s.Status {
	case StatusPending, StatusProvisioning:
		return nil, ErrStillProvisioning
	case StatusActive, StatusSuspended:
		panel, ok := e.Panels.Named(s.Panel)
		if !ok {
			return nil, apperr.New(apperr.Unavailable, "the control panel of this service (%s) is not configured here", s.Panel)
		}
		rz, ok := panel.(Resizer)
		if !ok {
			return nil, cannot("plan changes")
		}
		if to := e.Panels.Routes.PanelFor(p, s.Location); to != s.Panel {
			return nil, apperr.New(apperr.Conflict, "%s is served by another control panel (%s); moving there needs a migration, not a plan change", p.Name, to)
		}
		if err := e.ours(ctx, s, panel, "resize", actor); err != nil {
			return nil, err
		}
		err := rz.Resize(ctx, s.PanelID, p.ID, limits)
		e.logCall(ctx, s.ID, "resize", map[string]any{"from": s.PlanID, "to": p.ID, "limits": limits}, nil, err, actor)
		if err != nil {
			return nil, panelErr(err)
		}
	default:
		e.logCall(ctx, s.ID, "resize", map[string]any{"from": s.PlanID, "to": p.ID, "recorded_only": s.Status}, nil, nil, actor)
	}
	return e.Store.UpdateService(ctx, id, func(s *Service) error {
		s.PlanID, s.PlanName, s.Limits, s.UpdatedAt = p.ID, p.Name, limits, e.Clock.Now()
		return nil
	})
}

// planLimits are what a plan gives a service.
func planLimits(p *catalog.Plan) Limits {
	f := p.Features
	return Limits{CPUCores: f.CPUCores, MemoryMB: f.RAMMB, DiskGB: f.DiskGB, BandwidthGB: f.BandwidthGB, Backups: 1, Databases: 1}
}

// PlanChanged applies a billing plan change to the order's service (the
// outbox's service.resize item). An order that never became a service
// (not provisioned yet by design, e.g. awaiting staff) has nothing to do.
func (e *Engine) PlanChanged(ctx context.Context, orderID, toPlanID string) error {
	_, err := e.Resize(ctx, ServiceID(orderID), toPlanID, "system")
	if apperr.Is(err, apperr.NotFound) {
		if _, gerr := e.Store.GetService(ctx, ServiceID(orderID)); apperr.Is(gerr, apperr.NotFound) {
			return nil
		}
	}
	return err
}
