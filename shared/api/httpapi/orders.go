package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// OutboxReader lists the domain events recorded about a subject.
type OutboxReader interface {
	ListOutbox(ctx context.Context, subject string) ([]outbox.Item, error)
}

type orderHandlers struct{ Deps }

func (h orderHandlers) quote(w http.ResponseWriter, r *http.Request) error {
	var in orders.Input
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	o, err := h.Checkout.Quote(r.Context(), principal(r).User.ID, in)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, o)
	return nil
}

func (h orderHandlers) checkout(w http.ResponseWriter, r *http.Request) error {
	var in orders.Input
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	o, err := h.Checkout.Checkout(r.Context(), principal(r).User.ID, in)
	if err != nil {
		return err
	}
	h.record(r, "order.create", "order", o.ID, nil, map[string]any{"plan_id": o.PlanID, "cycle": o.Cycle, "currency": o.Currency, "total": o.Total, "coupon": o.CouponCode})
	httpx.JSON(w, http.StatusCreated, o)
	return nil
}

func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

func (h orderHandlers) myList(w http.ResponseWriter, r *http.Request) error {
	list, next, err := h.Checkout.List(r.Context(), principal(r).User.ID, r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"orders": nonNil(list), "next_cursor": next})
	return nil
}

// myGet shows the caller's own order; anyone else's is "not found".
func (h orderHandlers) myGet(w http.ResponseWriter, r *http.Request) error {
	o, err := h.Checkout.Get(r.Context(), r.PathValue("id"))
	if err == nil && o.CustomerID != principal(r).User.ID {
		err = apperr.New(apperr.NotFound, "order %s not found", r.PathValue("id"))
	}
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, o)
	return nil
}

func (h orderHandlers) mySubscriptions(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Checkout.Subscriptions(r.Context(), principal(r).User.ID)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"subscriptions": nonNil(list)})
	return nil
}

func (h orderHandlers) customerSubscriptions(w http.ResponseWriter, r *http.Request) error {
	list, err := h.OrderDesk.Subscriptions(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"subscriptions": nonNil(list)})
	return nil
}

// myPayNow pays a past-due subscription's open invoice; the subscription
// turns active when the gateway's webhook confirms, so 202.
func (h orderHandlers) myPayNow(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		PaymentMethod string `json:"payment_method"` // empty: the default card
	}
	if r.ContentLength != 0 {
		if err := httpx.Decode(r, &in); err != nil {
			return err
		}
	}
	invoice, err := h.Checkout.PayNow(r.Context(), principal(r).User.ID, r.PathValue("id"), in.PaymentMethod)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusAccepted, map[string]any{"invoice_id": invoice})
	return nil
}

// myPayInvoice pays one unpaid invoice (a renewal or a late fee) by the
// id our invoice will have once it is paid.
func (h orderHandlers) myPayInvoice(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		PaymentMethod string `json:"payment_method"` // empty: the default card
	}
	if r.ContentLength != 0 {
		if err := httpx.Decode(r, &in); err != nil {
			return err
		}
	}
	if err := h.Checkout.PayInvoice(r.Context(), principal(r).User.ID, r.PathValue("id"), in.PaymentMethod); err != nil {
		return err
	}
	httpx.JSON(w, http.StatusAccepted, map[string]any{"invoice_id": r.PathValue("id")})
	return nil
}

func (h orderHandlers) myPayments(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Checkout.Payments(r.Context(), principal(r).User.ID)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"payments": nonNil(list), "balance": orders.Balance(list)})
	return nil
}

// maxWebhookBytes is far above any gateway's event (they are a few KB).
const maxWebhookBytes = 512 << 10

// webhook applies an event of the named gateway, verified by that
// gateway. Forged, altered and stale deliveries get 400 and leave no
// trace; anything we fail to record gets 500 so the gateway delivers it
// again.
func (h orderHandlers) webhook(name, verification string) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBytes+1))
		if err != nil {
			return apperr.Wrap(err, apperr.Invalid, "could not read the request body")
		}
		if len(body) > maxWebhookBytes {
			return apperr.New(apperr.PayloadTooLarge, "webhook body too large")
		}
		d := gateway.Delivery{Body: body, Header: map[string]string{}}
		for k, v := range r.Header {
			// Behind API Gateway the Lambda proxy splits every header
			// it does not know as single-valued at its commas, so
			// Stripe-Signature "t=…,v1=…" arrives as two values: joined
			// again, it is the header as sent.
			if len(v) > 0 {
				d.Header[strings.ToLower(k)] = strings.Join(v, ",")
			}
		}
		ev, err := h.Webhooks.HandleWebhook(r.Context(), name, d)
		if errors.Is(err, gateway.ErrSignature) {
			return apperr.Wrap(err, apperr.Invalid, verification+" does not verify (forged, altered or too old)")
		}
		if err != nil {
			return err
		}
		h.Log.InfoContext(r.Context(), "webhook applied", "gateway", name, "event", ev.ID, "type", ev.Type)
		httpx.JSON(w, http.StatusOK, map[string]any{"received": true})
		return nil
	}
}

func (h orderHandlers) adminList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if c := q.Get("customer"); c != "" {
		if q.Get("status") != "" {
			return apperr.Validation(map[string]string{"status": "cannot be combined with customer (a customer's orders are listed in every status)"})
		}
		list, next, err := h.OrderDesk.List(r.Context(), c, q.Get("cursor"))
		if err != nil {
			return err
		}
		httpx.JSON(w, http.StatusOK, map[string]any{"orders": nonNil(list), "next_cursor": next})
		return nil
	}
	status := orders.Status(q.Get("status"))
	if status == "" {
		status = orders.Paid
	}
	switch status {
	case orders.Pending, orders.AwaitingApproval, orders.Paid, orders.Expired, orders.Cancelled:
	default:
		return apperr.Validation(map[string]string{"status": "must be pending, awaiting_approval, paid, expired or cancelled"})
	}
	list, next, err := h.OrderDesk.ListAll(r.Context(), status, q.Get("cursor"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"orders": nonNil(list), "next_cursor": next})
	return nil
}

// adminGet shows an order with the domain events it caused (e.g. the
// provisioning request and whether something has consumed it yet).
func (h orderHandlers) adminGet(w http.ResponseWriter, r *http.Request) error {
	o, err := h.OrderDesk.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	events, err := h.Outbox.ListOutbox(r.Context(), o.ID)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"order": o, "events": nonNil(events)})
	return nil
}

func (h orderHandlers) approve(w http.ResponseWriter, r *http.Request) error {
	o, err := h.OrderDesk.Approve(r.Context(), r.PathValue("id"), principal(r).User.ID)
	if err != nil {
		return err
	}
	h.record(r, "order.approve", "order", o.ID, nil, nil)
	httpx.JSON(w, http.StatusOK, o)
	return nil
}

func (h orderHandlers) cancel(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if len(in.Reason) > 500 {
		return apperr.Validation(map[string]string{"reason": "must be at most 500 characters"})
	}
	o, err := h.OrderDesk.Cancel(r.Context(), r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	h.record(r, "order.cancel", "order", o.ID, nil, in)
	httpx.JSON(w, http.StatusOK, o)
	return nil
}

func (h orderHandlers) adminPayments(w http.ResponseWriter, r *http.Request) error {
	list, err := h.OrderDesk.Payments(r.Context(), r.URL.Query().Get("customer"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"payments": nonNil(list)})
	return nil
}

func (h orderHandlers) myCancel(w http.ResponseWriter, r *http.Request) error {
	// Someone else's subscription is "not found" whatever the body says.
	if _, err := h.Checkout.Subscription(r.Context(), principal(r).User.ID, r.PathValue("id")); err != nil {
		return err
	}
	var in orders.CancelRequest
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	sub, err := h.Checkout.CancelSubscription(r.Context(), principal(r).User.ID, r.PathValue("id"), in, "customer")
	if err != nil {
		return err
	}
	h.record(r, "subscription.cancel", "subscription", sub.ID, nil, in)
	httpx.JSON(w, http.StatusOK, sub)
	return nil
}

func (h orderHandlers) myResume(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.Checkout.ResumeSubscription(r.Context(), principal(r).User.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	h.record(r, "subscription.resume", "subscription", sub.ID, nil, nil)
	httpx.JSON(w, http.StatusOK, sub)
	return nil
}

func (h orderHandlers) adminCancelSubscription(w http.ResponseWriter, r *http.Request) error {
	var in orders.CancelRequest
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	sub, err := h.OrderDesk.CancelSubscription(r.Context(), "", r.PathValue("id"), in, principal(r).User.ID)
	if err != nil {
		return err
	}
	h.record(r, "subscription.cancel", "subscription", sub.ID, nil, in)
	httpx.JSON(w, http.StatusOK, sub)
	return nil
}

func (h orderHandlers) cancellations(w http.ResponseWriter, r *http.Request) error {
	list, err := h.OrderDesk.Cancellations(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"cancellations": nonNil(list)})
	return nil
}

func (h orderHandlers) refund(w http.ResponseWriter, r *http.Request) error {
	var in orders.RefundRequest
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	p, err := h.OrderDesk.RefundPayment(r.Context(), r.PathValue("id"), in, principal(r).User.ID)
	if err != nil {
		return err
	}
	h.record(r, "payment.refund", "payment", r.PathValue("id"), nil, map[string]any{"amount": p.Amount, "currency": p.Currency, "refund": p.ID, "reason": in.Reason})
	httpx.JSON(w, http.StatusCreated, p)
	return nil
}

func (h orderHandlers) myPaymentMethods(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Checkout.PaymentMethods(r.Context(), principal(r).User.ID)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"payment_methods": nonNil(list), "gateways": h.Checkout.Gateways()})
	return nil
}

func (h orderHandlers) setupPaymentMethod(w http.ResponseWriter, r *http.Request) error {
	url, err := h.Checkout.SetupPaymentMethod(r.Context(), principal(r).User.ID)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, map[string]string{"url": url})
	return nil
}

func (h orderHandlers) defaultPaymentMethod(w http.ResponseWriter, r *http.Request) error {
	if err := h.Checkout.SetDefaultPaymentMethod(r.Context(), principal(r).User.ID, r.PathValue("id")); err != nil {
		return err
	}
	h.record(r, "payment_method.default", "payment_method", r.PathValue("id"), nil, nil)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h orderHandlers) removePaymentMethod(w http.ResponseWriter, r *http.Request) error {
	if err := h.Checkout.RemovePaymentMethod(r.Context(), principal(r).User.ID, r.PathValue("id")); err != nil {
		return err
	}
	h.record(r, "payment_method.remove", "payment_method", r.PathValue("id"), nil, nil)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type changeInput struct {
	PlanID        string `json:"plan_id"`
	ProrationDate int64  `json:"proration_date"` // unix seconds, from the preview
}

func (h orderHandlers) previewChange(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.Checkout.Subscription(r.Context(), principal(r).User.ID, r.PathValue("id")); err != nil {
		return err
	}
	var in changeInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	ch, err := h.Checkout.PreviewChange(r.Context(), principal(r).User.ID, r.PathValue("id"), in.PlanID)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, ch)
	return nil
}

// abandonChange takes back a change waiting for the buyer's consent at the
// gateway (they turned it down there): its charge is refunded.
func (h orderHandlers) abandonChange(w http.ResponseWriter, r *http.Request) error {
	sub, err := h.Checkout.AbandonChange(r.Context(), principal(r).User.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	h.record(r, "subscription.change_abandoned", "subscription", sub.ID, nil, nil)
	httpx.JSON(w, http.StatusOK, sub)
	return nil
}

func (h orderHandlers) changePlan(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.Checkout.Subscription(r.Context(), principal(r).User.ID, r.PathValue("id")); err != nil {
		return err
	}
	var in changeInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.ProrationDate == 0 {
		return apperr.Validation(map[string]string{"proration_date": "is required: confirm the proration_date of a preview"})
	}
	ch, err := h.Checkout.ChangePlan(r.Context(), principal(r).User.ID, r.PathValue("id"), in.PlanID, time.Unix(in.ProrationDate, 0).UTC())
	if err != nil {
		return err
	}
	h.record(r, "subscription.change", "subscription", ch.SubscriptionID, map[string]string{"plan_id": ch.FromPlanID}, map[string]any{"plan_id": ch.ToPlanID, "total": ch.Proration.Total})
	httpx.JSON(w, http.StatusOK, ch)
	return nil
}
