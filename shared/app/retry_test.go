package app_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

// A staff retry is recorded with its outbox item in one write; the outbox
// starts the new execution, and when the workflow service is down the
// item stays pending and starts it on a later pass. (The retry used to
// start the execution inside the request: a failure there left the
// service pending with no execution coming and no way to retry again.)
func TestStaffRetryStartsThroughTheOutbox(t *testing.T) {
	e := newEnvOver(t, nil, func(api dynamo.API) dynamo.API { return api }, provisioning.ByType(map[catalog.ServiceType]provisioning.Panel{catalog.VPS: billingOnlyPanel{name: "vps"}}))
	ctx := context.Background()
	var (
		mu     sync.Mutex
		starts []string
		down   = true
	)
	e.p.StartProvisioningWith(func(_ context.Context, orderID, name string) error {
		mu.Lock()
		defer mu.Unlock()
		starts = append(starts, orderID+" "+name)
		if down {
			return errors.New("states: service unavailable")
		}
		return nil
	})
	id := provisioning.ServiceID("ord_retry")
	if _, err := e.p.Services.CreateService(ctx, &provisioning.Service{ID: id, OrderID: "ord_retry", CustomerID: "usr_x", PlanID: "vps-1",
		ServiceType: catalog.VPS, Panel: "virtfusion", Status: provisioning.StatusFailed, Note: "panel refused"}); err != nil {
		t.Fatal(err)
	}

	resp, got := e.do("POST", "/v1/admin/services/"+id+"/retry", "", true)
	if resp.StatusCode != 200 || got["status"] != string(provisioning.StatusPending) {
		t.Fatalf("retry: %d %v", resp.StatusCode, got)
	}
	if resp, _ := e.do("POST", "/v1/admin/services/"+id+"/retry", "", true); resp.StatusCode != 409 {
		t.Fatalf("a pending service was retried again: %d", resp.StatusCode)
	}
	if n, err := e.p.Outbox.Publish(ctx); err != nil || n != 0 {
		t.Fatalf("with the workflow service down: published %d, %v", n, err)
	}
	mu.Lock()
	down = false
	mu.Unlock()
	if n, err := e.p.Outbox.Publish(ctx); err != nil || n != 1 {
		t.Fatalf("published %d, %v", n, err)
	}
	if n, _ := e.p.Outbox.Publish(ctx); n != 0 {
		t.Fatalf("published again: %d", n)
	}
	mu.Lock()
	defer mu.Unlock()
	want := "ord_retry provision-ord_retry-retry-1"
	if len(starts) != 2 || starts[0] != want || starts[1] != want {
		t.Fatalf("starts %q, want %q twice", starts, want)
	}
}
