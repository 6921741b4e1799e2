package httpapi

import (
	"context"
	"net/http"

	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/domain/dunning"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Dunning reads and changes the dunning policy.
type Dunning interface {
	Policy(ctx context.Context) (*dunning.Policy, error)
	SetPolicy(ctx context.Context, p dunning.Policy, actor string) (*dunning.Policy, error)
}

type dunningHandlers struct{ Deps }

// policyView is the policy with the timeline it makes.
type policyView struct {
	*dunning.Policy
	Timeline []dunning.Step `json:"timeline"`
}

func (h dunningHandlers) service() (Dunning, error) {
	if h.Dunning == nil {
		return nil, apperr.New(apperr.Unavailable, "dunning settings are not served here")
	}
	return h.Dunning, nil
}

func (h dunningHandlers) get(w http.ResponseWriter, r *http.Request) error {
	d, err := h.service()
	if err != nil {
		return err
	}
	p, err := d.Policy(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, policyView{p, p.Timeline()})
	return nil
}

// put saves the policy over the version the caller read (field "version").
func (h dunningHandlers) put(w http.ResponseWriter, r *http.Request) error {
	d, err := h.service()
	if err != nil {
		return err
	}
	var in dunning.Policy
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	before, err := d.Policy(r.Context())
	if err != nil {
		return err
	}
	p, err := d.SetPolicy(r.Context(), in, principal(r).User.ID)
	if err != nil {
		return err
	}
	h.record(r, "settings.dunning", "settings", "dunning", before, p)
	httpx.JSON(w, http.StatusOK, policyView{p, p.Timeline()})
	return nil
}
