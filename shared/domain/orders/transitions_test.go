package orders

import (
	"testing"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Every pair of order statuses: the allowed moves happen, every other is
// refused with Conflict and leaves the order as it was.
func TestOrderTransitions(t *testing.T) {
	allowed := map[[2]Status]bool{
		{Pending, AwaitingApproval}: true, {Pending, Paid}: true, {Pending, Expired}: true, {Pending, Cancelled}: true,
		{Expired, AwaitingApproval}: true, {Expired, Paid}: true,
		{AwaitingApproval, Paid}: true,
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			o := &Order{Status: from}
			err := o.moveTo(to)
			switch {
			case allowed[[2]Status{from, to}] && (err != nil || o.Status != to):
				t.Errorf("%s → %s: %v (status %s), want allowed", from, to, err, o.Status)
			case !allowed[[2]Status{from, to}] && (!apperr.Is(err, apperr.Conflict) || o.Status != from):
				t.Errorf("%s → %s: %v (status %s), want refused with Conflict", from, to, err, o.Status)
			}
		}
	}
}

// Every pair of subscription statuses: a live subscription may go
// anywhere its gateway takes it, repeat its status, or be cancelled;
// nothing leaves cancelled.
func TestSubscriptionTransitions(t *testing.T) {
	for _, from := range SubscriptionStatuses {
		for _, to := range SubscriptionStatuses {
			sub := &Subscription{Status: from}
			err := sub.moveTo(to)
			want := from != gateway.SubCancelled || to == gateway.SubCancelled
			switch {
			case want && (err != nil || sub.Status != to):
				t.Errorf("%s → %s: %v, want allowed", from, to, err)
			case !want && (!apperr.Is(err, apperr.Conflict) || sub.Status != from):
				t.Errorf("%s → %s: %v (status %s), want refused with Conflict", from, to, err, sub.Status)
			}
		}
	}
	fresh := &Subscription{}
	if err := fresh.moveTo(gateway.SubTrialing); err != nil || fresh.Status != gateway.SubTrialing {
		t.Fatalf("a new subscription starting trialing: %v", err)
	}
}
