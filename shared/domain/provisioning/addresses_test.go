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
