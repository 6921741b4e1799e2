package provisioning

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ezscale/platform/shared/domain/catalog"
)

// Route says which panel instance serves a service type's plans: all of
// them, the plans it names (slug or id), the locations it names, or both.
// Routes hold no secrets, so the public catalog can know what is
// deliverable without the panels' keys.
type Route struct {
	Panel       string              `json:"panel"`
	ServiceType catalog.ServiceType `json:"service_type"`
	Plans       []string            `json:"plans,omitempty"`
	Locations   []string            `json:"locations,omitempty"`
}

// specificity ranks routes: a plan-and-location route beats a plan route,
// which beats a location route, which beats a whole-type route.
func (r Route) specificity() int {
	n := 0
	if len(r.Plans) > 0 {
		n += 2
	}
	if len(r.Locations) > 0 {
		n++
	}
	return n
}

func (r Route) matches(p *catalog.Plan, location string) bool {
	if r.ServiceType != p.ServiceType {
		return false
	}
	if len(r.Plans) > 0 && !slices.Contains(r.Plans, p.Slug) && !slices.Contains(r.Plans, p.ID) {
		return false
	}
	return len(r.Locations) == 0 || slices.Contains(r.Locations, location)
}

// overlaps reports whether some plan and location would match both.
func overlaps(a, b []string) bool {
	return len(a) == 0 || len(b) == 0 || slices.ContainsFunc(a, func(x string) bool { return slices.Contains(b, x) })
}

// Routes is a checked routing table.
type Routes struct{ list []Route }

// NewRoutes checks routes: each names a panel and a service type, and no
// two equally specific routes can match the same plan and location (that
// would make the choice of panel an accident of order).
func NewRoutes(list []Route) (*Routes, error) {
	for i, r := range list {
		if strings.TrimSpace(r.Panel) == "" {
			return nil, fmt.Errorf("route %d: panel is required", i+1)
		}
		if !r.ServiceType.Valid() {
			return nil, fmt.Errorf("route %d (%s): service_type must be one of vps, dedicated, hosting, game_server", i+1, r.Panel)
		}
		for _, o := range list[:i] {
			if o.ServiceType == r.ServiceType && o.specificity() == r.specificity() && overlaps(o.Plans, r.Plans) && overlaps(o.Locations, r.Locations) {
				return nil, fmt.Errorf("routes %s and %s both serve the same %s plans and locations; name plans or locations to tell them apart", o.Panel, r.Panel, r.ServiceType)
			}
		}
	}
	return &Routes{list: slices.Clone(list)}, nil
}

// PanelFor names the instance that serves plan p at location ("" when
// none does).
func (rs *Routes) PanelFor(p *catalog.Plan, location string) string {
	if rs == nil {
		return ""
	}
	best, name := -1, ""
	for _, r := range rs.list {
		if r.matches(p, location) && r.specificity() > best {
			best, name = r.specificity(), r.Panel
		}
	}
	return name
}

// Panels names every instance the routes use, sorted.
func (rs *Routes) Panels() []string {
	if rs == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, r := range rs.list {
		seen[r.Panel] = true
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// List returns the routes.
func (rs *Routes) List() []Route {
	if rs == nil {
		return nil
	}
	return slices.Clone(rs.list)
}

// Registry is the configured panel instances and the routes to them.
type Registry struct {
	Routes *Routes
	panels map[string]Panel
}

// NewRegistry checks that every route names a configured instance and
// every instance has a distinct name.
func NewRegistry(routes *Routes, panels ...Panel) (*Registry, error) {
	r := &Registry{Routes: routes, panels: map[string]Panel{}}
	for _, p := range panels {
		if _, dup := r.panels[p.Name()]; dup {
			return nil, fmt.Errorf("two panel instances are named %q", p.Name())
		}
		r.panels[p.Name()] = p
	}
	for _, n := range routes.Panels() {
		if _, ok := r.panels[n]; !ok {
			return nil, fmt.Errorf("a route names panel %q, which is not configured", n)
		}
	}
	return r, nil
}

// Named returns the instance called name (the one a service records).
func (r *Registry) Named(name string) (Panel, bool) {
	if r == nil {
		return nil, false
	}
	p, ok := r.panels[name]
	return p, ok
}

// For returns the instance that serves plan p at location.
func (r *Registry) For(p *catalog.Plan, location string) (Panel, bool) {
	if r == nil {
		return nil, false
	}
	return r.Named(r.Routes.PanelFor(p, location))
}

// Swap replaces the instance with p's name (tests wrap panels this way).
func (r *Registry) Swap(p Panel) { r.panels[p.Name()] = p }

// All returns the instances sorted by name.
func (r *Registry) All() []Panel {
	if r == nil {
		return nil
	}
	out := make([]Panel, 0, len(r.panels))
	for _, p := range r.panels {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// ByType is a registry in which each panel serves its whole service type
// (tests and benchmarks; a deployment names its routes).
func ByType(m map[catalog.ServiceType]Panel) *Registry {
	r := &Registry{panels: map[string]Panel{}}
	var routes []Route
	for t, p := range m {
		r.panels[p.Name()] = p
		routes = append(routes, Route{Panel: p.Name(), ServiceType: t})
	}
	r.Routes = &Routes{list: routes}
	return r
}
