package orders

import (
	"slices"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// orderMoves is every status change an order may make; any other is
// refused. Paid and cancelled are final; an expired checkout may still be
// paid (a delayed payment method: the money is real, so the order is).
var orderMoves = map[Status][]Status{
	Pending:          {AwaitingApproval, Paid, Expired, Cancelled},
	Expired:          {AwaitingApproval, Paid},
	AwaitingApproval: {Paid},
}

// Statuses lists every order status.
var Statuses = []Status{Pending, AwaitingApproval, Paid, Expired, Cancelled}

// CanMove reports whether an order in s may move to to.
func (s Status) CanMove(to Status) bool { return slices.Contains(orderMoves[s], to) }

// moveTo changes the order's status, refusing a move the table does not
// allow.
func (o *Order) moveTo(to Status) error {
	if !o.Status.CanMove(to) {
		return apperr.New(apperr.Conflict, "an order cannot go from %s to %s", o.Status, to)
	}
	o.Status = to
	return nil
}

// subscriptionMoves: a live subscription follows its gateway in any
// direction (a paused one resumes, a past-due one is paid); cancelled is
// final.
var subscriptionMoves = map[gateway.SubscriptionStatus][]gateway.SubscriptionStatus{
	gateway.SubIncomplete: {gateway.SubTrialing, gateway.SubActive, gateway.SubPastDue, gateway.SubPaused, gateway.SubCancelled},
	gateway.SubTrialing:   {gateway.SubIncomplete, gateway.SubActive, gateway.SubPastDue, gateway.SubPaused, gateway.SubCancelled},
	gateway.SubActive:     {gateway.SubIncomplete, gateway.SubTrialing, gateway.SubPastDue, gateway.SubPaused, gateway.SubCancelled},
	gateway.SubPastDue:    {gateway.SubIncomplete, gateway.SubTrialing, gateway.SubActive, gateway.SubPaused, gateway.SubCancelled},
	gateway.SubPaused:     {gateway.SubIncomplete, gateway.SubTrialing, gateway.SubActive, gateway.SubPastDue, gateway.SubCancelled},
}

// SubscriptionStatuses lists every subscription status.
var SubscriptionStatuses = []gateway.SubscriptionStatus{gateway.SubIncomplete, gateway.SubTrialing, gateway.SubActive, gateway.SubPastDue, gateway.SubPaused, gateway.SubCancelled}

// CanMoveSubscription reports whether a subscription in from may move to to.
func CanMoveSubscription(from, to gateway.SubscriptionStatus) bool {
	return slices.Contains(subscriptionMoves[from], to)
}

// moveTo changes the subscription's status; staying put is allowed (the
// gateway repeats a status with a new period), leaving cancelled is not. A
// subscription first seen starts in whatever status the gateway reports.
func (sub *Subscription) moveTo(to gateway.SubscriptionStatus) error {
	if sub.Status != "" && to != sub.Status && !CanMoveSubscription(sub.Status, to) {
		return apperr.New(apperr.Conflict, "a subscription cannot go from %s to %s", sub.Status, to)
	}
	sub.Status = to
	return nil
}
