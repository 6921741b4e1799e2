package stack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/testkit/session"
)

// A paid renewal lifts a suspension for being overdue, and only that: a
// staff suspension for something else stays through a paid renewal; an
// overdue one ends when the customer pays the declined renewal, and the
// customer is told.
func TestPayingTheRenewalLiftsAnOverdueSuspension(t *testing.T) {
	st, base := openStack(t)
	ctx := context.Background()
	svc := buyVPS(t, st, base, "owed.example.com")
	sub, err := st.Platform.OrderStore.GetSubscription(ctx, orders.SubscriptionID(svc.OrderID))
	if err != nil {
		t.Fatal(err)
	}
	admin, err := session.SignIn(base, st.DemoAdmin.Email, st.DemoAdmin.Password, st.DemoAdmin.TOTPSecret, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	c, err := session.SignIn(base, st.DemoCustomer.Email, st.DemoCustomer.Password, "", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	do := func(cl *session.Client, path string, body any, want int) {
		t.Helper()
		if code, raw, _ := cl.Do("POST", path, body); code != want {
			t.Fatalf("%s: %d %s", path, code, raw)
		}
	}
	payments := func() int {
		list, _ := st.Platform.OrderStore.ListPayments(ctx, svc.CustomerID)
		return len(list)
	}

	do(admin, "/v1/admin/services/"+svc.ID+"/suspend", map[string]any{"reason": "Abuse report 42."}, 200)
	before := payments()
	if err := st.Stripe.Renew(sub.GatewayID, false); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); payments() == before; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the renewal never reached the ledger")
		}
	}
	// The renewal's own item has run (it is published) and left the
	// staff suspension alone.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		items, _ := st.Platform.OrderStore.ListOutbox(ctx, svc.OrderID)
		ran := false
		for _, it := range items {
			ran = ran || (it.Kind == orders.KindRenewalPaid && it.PublishedAt != nil)
		}
		if ran {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the renewal's item never ran")
		}
	}
	if s, _ := st.Platform.Services.GetService(ctx, svc.ID); s.Status != provisioning.StatusSuspended {
		t.Fatalf("a staff suspension was lifted by a paid renewal: %+v", s)
	}
	do(admin, "/v1/admin/services/"+svc.ID+"/unsuspend", nil, 200)

	do(admin, "/v1/admin/services/"+svc.ID+"/suspend", map[string]any{"reason": "The renewal is unpaid.", "overdue": true}, 200)
	if s, _ := st.Platform.Services.GetService(ctx, svc.ID); s.SuspendCode != provisioning.SuspendOverdue {
		t.Fatalf("suspended for being overdue: %+v", s)
	}
	if err := st.Stripe.Renew(sub.GatewayID, true); err != nil {
		t.Fatal(err)
	}
	waitSub := func(status string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if s, err := st.Platform.OrderStore.GetSubscription(ctx, sub.ID); err == nil && string(s.Status) == status {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the subscription never became %s", status)
			}
		}
	}
	waitSub("past_due")
	do(c, "/v1/me/subscriptions/"+sub.ID+"/pay", nil, 202)
	s := waitFor(t, st, svc.ID, func(s *provisioning.Service) bool { return s.Status == provisioning.StatusActive })
	if s.SuspendCode != "" || s.SuspendReason != "" {
		t.Fatalf("after payment: %+v", s)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(lastMailTo(t, st, "is running again"), "owed.example.com"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the customer was not told the service is back")
		}
	}
}
