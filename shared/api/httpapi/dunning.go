package httpapi

import (
	"context"
	"net/http"
	"time"

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

// PastDueDesk is staff's view of unpaid renewals and their actions.
type PastDueDesk interface {
	PastDue(ctx context.Context) ([]dunning.PastDue, error)
	PauseDunning(ctx context.Context, invoiceID, actor string) (*dunning.PastDue, error)
	ResumeDunning(ctx context.Context, invoiceID, actor string) (*dunning.PastDue, error)
	HoldDunning(ctx context.Context, customerID string, until time.Time, reason, actor string) (*dunning.Hold, error)
	ReleaseDunningHold(ctx context.Context, customerID string) error
	DunningHold(ctx context.Context, customerID string) (*dunning.Hold, error)
}

func (h dunningHandlers) desk() (PastDueDesk, error) {
	if h.PastDue == nil {
		return nil, apperr.New(apperr.Unavailable, "dunning is not served here")
	}
	return h.PastDue, nil
}

func (h dunningHandlers) list(w http.ResponseWriter, r *http.Request) error {
	d, err := h.desk()
	if err != nil {
		return err
	}
	list, err := d.PastDue(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"past_due": list})
	return nil
}

// pause and resume stop and restart one run; audited.
func (h dunningHandlers) pause(resume bool) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		d, err := h.desk()
		if err != nil {
			return err
		}
		id, actor := r.PathValue("invoice"), principal(r).User.ID
		act, action := d.PauseDunning, "dunning.pause"
		if resume {
			act, action = d.ResumeDunning, "dunning.resume"
		}
		c, err := act(r.Context(), id, actor)
		if err != nil {
			return err
		}
		h.record(r, action, "invoice", id, nil, map[string]string{"order_id": c.OrderID})
		httpx.JSON(w, http.StatusOK, c)
		return nil
	}
}

func (h dunningHandlers) getHold(w http.ResponseWriter, r *http.Request) error {
	d, err := h.desk()
	if err != nil {
		return err
	}
	hold, err := d.DunningHold(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"hold": hold})
	return nil
}

func (h dunningHandlers) putHold(w http.ResponseWriter, r *http.Request) error {
	d, err := h.desk()
	if err != nil {
		return err
	}
	var in struct {
		Until  time.Time `json:"until"`
		Reason string    `json:"reason"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	id := r.PathValue("id")
	before, err := d.DunningHold(r.Context(), id)
	if err != nil {
		return err
	}
	hold, err := d.HoldDunning(r.Context(), id, in.Until, in.Reason, principal(r).User.ID)
	if err != nil {
		return err
	}
	h.record(r, "dunning.hold", "customer", id, before, hold)
	httpx.JSON(w, http.StatusOK, map[string]any{"hold": hold})
	return nil
}

func (h dunningHandlers) deleteHold(w http.ResponseWriter, r *http.Request) error {
	d, err := h.desk()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	before, err := d.DunningHold(r.Context(), id)
	if err != nil {
		return err
	}
	if err := d.ReleaseDunningHold(r.Context(), id); err != nil {
		return err
	}
	h.record(r, "dunning.hold_released", "customer", id, before, nil)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
