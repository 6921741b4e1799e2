package provisioning_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/testkit/provisioningtest"
)

func sentKinds(w *provisioningtest.World) map[notify.Kind]int {
	out := map[notify.Kind]int{}
	for _, m := range w.Mail.Sent {
		out[m.Kind]++
	}
	return out
}

// A subscription the customer ended here ends its service at once.
func TestSubscriptionEndedByTheCustomerTerminates(t *testing.T) {
	ctx := context.Background()
	for _, how := range []string{"now", "period_end"} {
		t.Run(how, func(t *testing.T) {
			w := provisioningtest.New(t)
			vps := provision(t, w, "ord_vps")
			until, err := w.Engine.SubscriptionEnded(ctx, "ord_vps", how, 7*24*time.Hour)
			if err != nil || !until.IsZero() {
				t.Fatalf("ended = %v, %v", until, err)
			}
			got, _ := w.Store.GetService(ctx, vps.ID)
			if got.Status != provisioning.StatusTerminated || w.VF.Servers() != 0 || sentKinds(w)[notify.ServiceTerminated] != 1 {
				t.Fatalf("service %s, servers %d, mails %v", got.Status, w.VF.Servers(), sentKinds(w))
			}
			// Delivered again: nothing more happens.
			if _, err := w.Engine.SubscriptionEnded(ctx, "ord_vps", how, 0); err != nil || sentKinds(w)[notify.ServiceTerminated] != 1 {
				t.Fatalf("repeat: %v, mails %v", err, sentKinds(w))
			}
		})
	}
}

// An end decided at the gateway suspends; the grace then terminates unless
// staff unsuspended the service (undoing a mistake).
func TestSubscriptionEndedAtTheGatewaySuspendsThenTerminates(t *testing.T) {
	ctx := context.Background()
	w := provisioningtest.New(t)
	vps := provision(t, w, "ord_vps")
	game := provision(t, w, "ord_game")
	for _, order := range []string{"ord_vps", "ord_game"} {
		until, err := w.Engine.SubscriptionEnded(ctx, order, "gateway", 72*time.Hour)
		if err != nil || until.IsZero() {
			t.Fatalf("%s: ended = %v, %v", order, until, err)
		}
	}
	id, _ := strconv.Atoi(vps.PanelID)
	if s, _ := w.Store.GetService(ctx, vps.ID); s.Status != provisioning.StatusSuspended || !w.VF.Suspended(id) || s.SuspendReason == "" {
		t.Fatalf("after a gateway end: %+v", s)
	}
	if _, err := w.Engine.Unsuspend(ctx, game.ID, "staff"); err != nil { // the undo
		t.Fatal(err)
	}
	for _, order := range []string{"ord_vps", "ord_game"} {
		if err := w.Engine.GraceEnded(ctx, order); err != nil {
			t.Fatal(err)
		}
	}
	if s, _ := w.Store.GetService(ctx, vps.ID); s.Status != provisioning.StatusTerminated {
		t.Fatalf("vps after the grace: %s", s.Status)
	}
	if s, _ := w.Store.GetService(ctx, game.ID); s.Status != provisioning.StatusActive {
		t.Fatalf("the unsuspended game server after the grace: %s", s.Status)
	}
	if k := sentKinds(w); k[notify.ServiceSuspended] != 2 || k[notify.ServiceTerminated] != 1 {
		t.Fatalf("mails = %v", k)
	}
}

func TestSubscriptionEndedEdges(t *testing.T) {
	ctx := context.Background()
	w := provisioningtest.New(t)
	if _, err := w.Engine.SubscriptionEnded(ctx, "ord_nothing", "now", 0); err != nil {
		t.Fatalf("no service: %v", err)
	}
	if _, err := w.Engine.CreateService(ctx, "ord_game"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Engine.SubscriptionEnded(ctx, "ord_game", "now", 0); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("a service still being set up = %v, want unavailable (retried later)", err)
	}
}
