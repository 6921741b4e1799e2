package app_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

// Staff set a service's addresses over HTTP: the history follows and the
// change is audited; an address another live service holds is 409, a
// malformed one a field error, and neither changes anything.
func TestStaffSetServiceAddresses(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	svcs := dynamo.NewServices(e.p.Table)
	for i, ip := range []string{"203.0.113.5", "203.0.113.9"} {
		s := &provisioning.Service{ID: fmt.Sprintf("svc_ip_%d", i), OrderID: fmt.Sprintf("ord_ip_%d", i), CustomerID: "usr_x", Status: provisioning.StatusActive,
			PanelID: "1", ServiceType: catalog.VPS, CreatedAt: e.clock.Now()}
		s.SetIPs([]string{ip}, s.CreatedAt)
		if _, err := svcs.CreateService(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	resp, body := e.do("PUT", "/v1/admin/services/svc_ip_0/ips", `{"ips":["203.0.113.6","2001:db8::5"]}`, true)
	if resp.StatusCode != 200 || len(body["ip_history"].([]any)) != 3 {
		t.Fatalf("set: %d %v", resp.StatusCode, body)
	}
	if resp, body = e.do("PUT", "/v1/admin/services/svc_ip_0/ips", `{"ips":["203.0.113.9"]}`, true); resp.StatusCode != 409 {
		t.Fatalf("another service's address: %d %v", resp.StatusCode, body)
	}
	resp, body = e.do("PUT", "/v1/admin/services/svc_ip_0/ips", `{"ips":["203.0.113.6","not an ip"]}`, true)
	if _, fields := errorOf(body); resp.StatusCode != 400 || fields["ips[1]"] == nil {
		t.Fatalf("malformed: %d %v", resp.StatusCode, body)
	}
	if s, _ := svcs.GetService(ctx, "svc_ip_0"); len(s.IPs) != 2 || s.IPs[0] != "203.0.113.6" {
		t.Fatalf("after refusals: %v", s.IPs)
	}
	_, log := e.do("GET", "/v1/admin/audit?target=svc_ip_0", "", true)
	if entries := log["entries"].([]any); len(entries) != 1 || entries[0].(map[string]any)["action"] != "service.addresses" {
		t.Fatalf("audit %v", log)
	}
}
