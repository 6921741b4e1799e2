package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

// A service whose setup failed is ended in one staff action: the
// subscription is cancelled now, the payment refunded in full, the
// service record terminated; a second click refunds nothing more.
func TestFailedServiceIsCancelledWithARefund(t *testing.T) {
	s := newShop(t)
	ctx := context.Background()
	o, charge := s.paidVPS(t)
	svc := &provisioning.Service{ID: provisioning.ServiceID(o.ID), OrderID: o.ID, CustomerID: o.CustomerID, PlanID: o.PlanID, PlanName: o.PlanName,
		ServiceType: o.ServiceType, Ref: "ezs-" + provisioning.ServiceID(o.ID), IPs: []string{}, Status: provisioning.StatusFailed, Note: "Panel.Rejected: no",
		CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if _, err := s.p.Services.CreateService(ctx, svc); err != nil {
		t.Fatal(err)
	}
	path := "/v1/admin/services/" + svc.ID + "/cancel-refund"
	resp, body := s.do("POST", path, "", true)
	refunds, _ := body["refunds"].([]any)
	if resp.StatusCode != 200 || len(refunds) != 1 || refunds[0].(map[string]any)["amount"] != float64(charge.Amount) {
		t.Fatalf("cancel with refund: %d %v", resp.StatusCode, body)
	}
	s.eventually("the subscription cancelled and the service terminated", func() bool {
		subs, _ := s.p.Orders.Subscriptions(ctx, o.CustomerID)
		got, _ := s.p.Services.GetService(ctx, svc.ID)
		return len(subs) == 1 && subs[0].Status == gateway.SubCancelled && got.Status == provisioning.StatusTerminated
	})
	pay, err := s.p.OrderStore.GetPayment(ctx, charge.ID)
	if err != nil || pay.Refunded != charge.Amount {
		t.Fatalf("payment after: %+v, %v", pay, err)
	}
	// Terminated now: the action is for failed services only.
	if resp, _ := s.do("POST", path, "", true); resp.StatusCode != 409 {
		t.Fatalf("again: %d", resp.StatusCode)
	}
	if again, err := s.p.Orders.CancelAndRefund(ctx, o.ID, "stf_1"); err != nil || len(again.Refunds) != 0 {
		t.Fatalf("repeating refunded something: %+v, %v", again, err)
	}
}
