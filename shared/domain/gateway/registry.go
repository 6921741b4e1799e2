package gateway

import (
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Registry is the payment gateways configured, by name. Every order,
// subscription, payment and card names the gateway that owns it, and every
// call about it goes to that one; new orders go to the gateway the
// customer chose, the first registered when they did not.
type Registry struct {
	list   []Gateway
	byName map[string]Gateway
}

// NewRegistry registers gs; a later gateway with a name taken is ignored.
func NewRegistry(gs ...Gateway) *Registry {
	r := &Registry{byName: map[string]Gateway{}}
	for _, g := range gs {
		if g == nil || r.byName[g.Name()] != nil {
			continue
		}
		r.list = append(r.list, g)
		r.byName[g.Name()] = g
	}
	if len(r.list) == 0 {
		r.Add(Unconfigured{Provider: "stripe"})
	}
	return r
}

// Add registers g unless its name is taken.
func (r *Registry) Add(g Gateway) {
	if r.byName[g.Name()] == nil {
		r.list = append(r.list, g)
		r.byName[g.Name()] = g
	}
}

// Get is the gateway called name: NotFound when none is registered, so a
// record naming a gateway this installation does not run fails clearly.
func (r *Registry) Get(name string) (Gateway, error) {
	if g := r.byName[name]; g != nil {
		return g, nil
	}
	return nil, apperr.New(apperr.NotFound, "no payment gateway %q is configured here", name)
}

// Default is the first gateway registered.
func (r *Registry) Default() Gateway { return r.list[0] }

// Names are the gateways registered, in order.
func (r *Registry) Names() []string {
	out := make([]string, len(r.list))
	for i, g := range r.list {
		out[i] = g.Name()
	}
	return out
}
