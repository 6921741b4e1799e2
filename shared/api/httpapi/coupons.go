package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/platform/apperr"
)

type couponHandlers struct{ Deps }

func (h couponHandlers) list(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Coupons.List(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"coupons": list})
	return nil
}

func (h couponHandlers) create(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Code        string           `json:"code"`
		Description string           `json:"description"`
		Kind        coupons.Kind     `json:"kind"`
		PercentBP   int64            `json:"percent_bp"`
		AmountsOff  map[string]int64 `json:"amounts_off"`
		PlanIDs     []string         `json:"plan_ids"`
		MaxUses     int64            `json:"max_uses"`
		PerCustomer int64            `json:"per_customer"`
		ExpiresAt   *time.Time       `json:"expires_at"`
		TrialDays   int64            `json:"trial_days"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	c := coupons.Coupon{Code: in.Code, Description: in.Description, Kind: in.Kind, PercentBP: in.PercentBP, AmountsOff: in.AmountsOff,
		PlanIDs: in.PlanIDs, MaxUses: in.MaxUses, PerCustomer: in.PerCustomer, ExpiresAt: in.ExpiresAt, TrialDays: in.TrialDays}
	for i, id := range c.PlanIDs {
		if _, err := h.Catalog.Get(r.Context(), id); apperr.Is(err, apperr.NotFound) {
			return apperr.Validation(map[string]string{fmt.Sprintf("plan_ids[%d]", i): "no such plan"})
		} else if err != nil {
			return err
		}
	}
	out, err := h.Coupons.Create(r.Context(), c)
	if err != nil {
		return err
	}
	h.record(r, "coupon.create", "coupon", out.Code, nil, out)
	httpx.JSON(w, http.StatusCreated, out)
	return nil
}

func (h couponHandlers) update(w http.ResponseWriter, r *http.Request) error {
	var ch coupons.Changes
	if err := httpx.Decode(r, &ch); err != nil {
		return err
	}
	before, err := h.Coupons.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	out, err := h.Coupons.Update(r.Context(), before.Code, ch)
	if err != nil {
		return err
	}
	h.record(r, "coupon.update", "coupon", out.Code, before, out)
	httpx.JSON(w, http.StatusOK, out)
	return nil
}

// check quotes a coupon on a plan's price for the signed-in customer, the
// same validation checkout applies.
func (h couponHandlers) check(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Code     string        `json:"code"`
		PlanID   string        `json:"plan_id"`
		Cycle    catalog.Cycle `json:"cycle"`
		Currency string        `json:"currency"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	p, err := h.Catalog.Get(r.Context(), in.PlanID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && p.Status != catalog.Active) {
		return apperr.Validation(map[string]string{"plan_id": "no such plan on sale"})
	}
	if err != nil {
		return err
	}
	if !slices.Contains(catalog.Cycles, in.Cycle) {
		return apperr.Validation(map[string]string{"cycle": "must be monthly, quarterly, semi_annual or annual"})
	}
	amount, ok := p.Prices[in.Currency][in.Cycle]
	if !ok {
		return apperr.Validation(map[string]string{"currency": fmt.Sprintf("this plan has no %s price for the %s cycle", in.Currency, in.Cycle)})
	}
	_, q, err := h.Coupons.Check(r.Context(), in.Code, principal(r).User.ID, p.ID, in.Currency, amount)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, q)
	return nil
}
