package provisioning_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/testkit/provisioningtest"
)

// A game server is reached at its primary allocation's address and port:
// the service keeps both, and the welcome e-mail gives the port too.
func TestGameServersKeepTheirAddressAndPort(t *testing.T) {
	w := provisioningtest.New(t)
	s := provision(t, w, "ord_game")
	if !slices.Equal(s.IPs, []string{"198.51.100.20"}) || len(s.Addresses) != 1 || !strings.HasPrefix(s.Addresses[0], "198.51.100.20:") {
		t.Fatalf("ips %v addresses %v", s.IPs, s.Addresses)
	}
	stored, err := w.Store.GetService(context.Background(), s.ID)
	if err != nil || !slices.Equal(stored.Addresses, s.Addresses) {
		t.Fatalf("stored %v, %v", stored, err)
	}
	welcomed := false
	for _, m := range w.Mail.Sent {
		if m.Kind == notify.ServiceProvisioned {
			welcomed = true
			if m.Data["ip_address"] != s.Addresses[0] {
				t.Fatalf("welcome e-mail gives %v, want %s", m.Data["ip_address"], s.Addresses[0])
			}
		}
	}
	if !welcomed {
		t.Fatal("no welcome e-mail")
	}
	if vps := provision(t, w, "ord_vps"); len(vps.Addresses) != 0 || len(vps.IPs) == 0 {
		t.Fatalf("a VPS has its IPs and no ports: %v %v", vps.IPs, vps.Addresses)
	}
}

// Staff give a service its addresses: the history closes the old ones and
// opens the new ones at that moment; an address another live service
// holds, a malformed one or a repeat is refused and nothing changes.
func TestStaffSetAddressesKeepTheHistory(t *testing.T) {
	w := provisioningtest.New(t)
	ctx := context.Background()
	a := provision(t, w, "ord_vps")
	b := provision(t, w, "ord_game")
	old := a.IPs[0]
	s, err := w.Engine.SetAddresses(ctx, a.ID, []string{"2001:DB8::0:1", " 203.0.113.200"}, "usr_staff")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.IPs, []string{"2001:db8::1", "203.0.113.200"}) {
		t.Fatalf("ips %v", s.IPs)
	}
	var closed, opened int
	for _, h := range s.IPHistory {
		switch {
		case h.IP == old && h.To != nil:
			closed++
		case h.To == nil && (h.IP == "2001:db8::1" || h.IP == "203.0.113.200"):
			opened++
		}
	}
	if closed != 1 || opened != 2 {
		t.Fatalf("history %+v", s.IPHistory)
	}
	for _, bad := range [][]string{{b.IPs[0]}, {"300.1.1.1"}, {"203.0.113.7", "203.0.113.7"}} {
		if _, err := w.Engine.SetAddresses(ctx, a.ID, bad, "usr_staff"); err == nil {
			t.Fatalf("%v accepted", bad)
		}
	}
	if got, _ := w.Store.GetService(ctx, a.ID); !slices.Equal(got.IPs, s.IPs) {
		t.Fatalf("a refused change changed %v", got.IPs)
	}
}
