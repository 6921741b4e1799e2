package catalog

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/ids"
)

// Store persists plans.
type Store interface {
	// CreatePlan stores a new plan; apperr.Conflict (field "slug") when the
	// slug is taken.
	CreatePlan(ctx context.Context, p *Plan) error
	// GetPlan returns apperr.NotFound for an unknown id.
	GetPlan(ctx context.Context, id string) (*Plan, error)
	// UpdatePlan applies fn to the stored plan and writes it if the stored
	// version is unchanged; apperr.Conflict when the new slug is taken or
	// fn refuses. fn may run more than once.
	UpdatePlan(ctx context.Context, id string, fn func(*Plan) error) (*Plan, error)
	// DeletePlan removes the plan if its version is still version;
	// apperr.NotFound or apperr.Conflict otherwise.
	DeletePlan(ctx context.Context, id string, version int64) error
	// SetStock sets a plan's stock to to if it is still from (a checkout
	// reserving a unit meanwhile makes it refuse: apperr.Conflict).
	SetStock(ctx context.Context, id string, from, to int64) error
	// Generation names the catalog's current state as far as this store
	// can see: it changes with every plan edit anywhere and every plan
	// write (stock included) made through this store.
	Generation(ctx context.Context) (string, error)
	// ListPlans returns plans with the status (all statuses when empty) and
	// service type (all when empty), in any order.
	ListPlans(ctx context.Context, status Status, t ServiceType) ([]Plan, error)
}

// Service is the catalog's use cases.
type Service struct {
	store    Store
	clock    clock.Clock
	lowStock int64
	delivery Delivery
	public   publicCache
}

// Delivery names the panel instance that serves a plan at a location, or
// "" when none does (nothing is sold that cannot be delivered).
type Delivery interface {
	PanelFor(p *Plan, location string) string
}

// Undeliverable says why plan p cannot be sold at location, or "". With no
// location it asks whether any of the plan's locations (or, for a plan
// without locations, the plan at all) can be delivered. A nil d delivers
// nothing.
func Undeliverable(d Delivery, p *Plan, location string) string {
	if location == "" && len(p.Features.Locations) > 0 {
		if len(Deliverable(d, p)) > 0 {
			return ""
		}
		return fmt.Sprintf("%s is not available in any of its locations yet", p.Name)
	}
	if d != nil && d.PanelFor(p, location) != "" {
		return ""
	}
	if location != "" {
		return fmt.Sprintf("%s is not available in %s yet", p.Name, location)
	}
	return fmt.Sprintf("%s services are not available yet", strings.ReplaceAll(string(p.ServiceType), "_", " "))
}

// Deliverable lists the plan's locations a panel serves.
func Deliverable(d Delivery, p *Plan) []string {
	out := []string{}
	for _, l := range p.Features.Locations {
		if d != nil && d.PanelFor(p, l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// SetDelivery makes the public listing mark plans that cannot be
// delivered as unavailable. Without it every plan is listed as available
// (functions that do not know the panels; checkout still refuses them).
func (s *Service) SetDelivery(d Delivery) { s.delivery = d }

// NewService returns a Service; plans with stock at or below lowStock are
// shown as low in stock.
func NewService(store Store, clk clock.Clock, lowStock int64) *Service {
	return &Service{store: store, clock: clk, lowStock: lowStock}
}

// Create validates in and stores a new plan.
func (s *Service) Create(ctx context.Context, in PlanInput) (*Plan, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	p := &Plan{ID: ids.New("pln"), Version: 1, CreatedAt: now, UpdatedAt: now}
	in.applyTo(p)
	if err := s.store.CreatePlan(ctx, p); err != nil {
		return nil, fmt.Errorf("create plan %s: %w", in.Slug, err)
	}
	return p, nil
}

// Get returns a plan by id.
func (s *Service) Get(ctx context.Context, id string) (*Plan, error) {
	p, err := s.store.GetPlan(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get plan %s: %w", id, err)
	}
	return p, nil
}

// Replace overwrites plan id with in, provided the caller saw version.
// A stale version is an apperr.Conflict so two admins never silently
// overwrite each other.
func (s *Service) Replace(ctx context.Context, id string, version int64, in PlanInput) (*Plan, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	p, err := s.store.UpdatePlan(ctx, id, func(p *Plan) error {
		if p.Version != version {
			return apperr.New(apperr.Conflict, "the plan was changed by someone else (version %d, you sent %d); reload and try again", p.Version, version)
		}
		in.applyTo(p)
		p.UpdatedAt = s.clock.Now()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("replace plan %s: %w", id, err)
	}
	return p, nil
}

// Delete removes a plan the caller saw at version.
func (s *Service) Delete(ctx context.Context, id string, version int64) error {
	if err := s.store.DeletePlan(ctx, id, version); err != nil {
		return fmt.Errorf("delete plan %s: %w", id, err)
	}
	return nil
}

// List returns plans for admins, optionally filtered.
func (s *Service) List(ctx context.Context, status Status, t ServiceType) ([]Plan, error) {
	f := apperr.FieldErrors{}
	if status != "" && !slices.Contains(Statuses, status) {
		f.Add("status", "must be one of active, hidden, archived")
	}
	if t != "" && !t.Valid() {
		f.Add("service_type", "must be one of vps, dedicated, hosting, game_server")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	plans, err := s.store.ListPlans(ctx, status, t)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	SortForDisplay(plans)
	return plans, nil
}

func (in PlanInput) applyTo(p *Plan) {
	p.Slug = in.Slug
	p.Name = strings.TrimSpace(in.Name)
	p.Description = strings.TrimSpace(in.Description)
	p.ServiceType = in.ServiceType
	p.Prices = make(Prices, len(in.Prices))
	for cur, cycles := range in.Prices {
		p.Prices[cur] = maps.Clone(cycles)
	}
	p.Features = in.Features
	if p.Features.Locations == nil {
		p.Features.Locations = []string{}
	}
	if in.Stock != nil {
		v := *in.Stock
		p.Stock = &v
	} else {
		p.Stock = nil
	}
	p.Status = in.Status
	p.SortOrder = in.SortOrder
	p.Badge = in.Badge
	p.RequiresApproval = in.RequiresApproval
	p.Metering = in.Metering
	p.Metering.Overage = maps.Clone(in.Metering.Overage)
	p.GatewayPriceIDs = maps.Clone(in.GatewayPriceIDs)
	if p.GatewayPriceIDs == nil {
		p.GatewayPriceIDs = map[string]string{}
	}
}

// SortForDisplay orders plans as the pricing page shows them: by service
// type (VPS, dedicated, hosting, game servers), then sort order, then slug.
func SortForDisplay(plans []Plan) {
	slices.SortStableFunc(plans, func(a, b Plan) int {
		if c := cmp.Compare(slices.Index(ServiceTypes, a.ServiceType), slices.Index(ServiceTypes, b.ServiceType)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.SortOrder, b.SortOrder); c != 0 {
			return c
		}
		return cmp.Compare(a.Slug, b.Slug)
	})
}

// SetStock moves a plan's stock from what was read to what the inventory
// allows, unless a checkout moved it meanwhile (apperr.Conflict: read
// again).
func (s *Service) SetStock(ctx context.Context, id string, from, to int64) error {
	if to < 0 {
		to = 0
	}
	if err := s.store.SetStock(ctx, id, from, to); err != nil {
		return fmt.Errorf("set stock of %s: %w", id, err)
	}
	return nil
}
