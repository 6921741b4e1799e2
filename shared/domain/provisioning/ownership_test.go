package provisioning_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/testkit/provisioningtest"
)

// When a panel's id no longer carries our reference (the panel was
// restored, rebuilt or reused ids), nothing is done to that resource: it is
// someone else's server. Every action refuses, and admins are alerted.
func TestActionsRefuseAResourceThatIsNoLongerOurs(t *testing.T) {
	ctx := context.Background()
	w := provisioningtest.New(t)
	vps := provision(t, w, "ord_vps")
	game := provision(t, w, "ord_game")
	vfID, _ := strconv.Atoi(vps.PanelID)
	ptID, _ := strconv.Atoi(game.PanelID)
	w.VF.Reassign(vfID, "ezs-svc_someone_else")
	w.Ptero.Reassign(ptID, "ezs-svc_someone_else")

	for _, s := range []*provisioning.Service{vps, game} {
		actions := map[string]func() error{
			"suspend":   func() error { _, err := w.Engine.Suspend(ctx, s.ID, "staff", "test"); return err },
			"terminate": func() error { _, err := w.Engine.Terminate(ctx, s.ID, "staff", "test"); return err },
			"power":     func() error { return w.Engine.Power(ctx, "usr_1", s.ID, provisioning.Stop, "usr_1") },
			"usage":     func() error { _, err := w.Engine.Usage(ctx, "usr_1", s.ID); return err },
			"login":     func() error { _, err := w.Engine.LoginURL(ctx, "usr_1", s.ID); return err },
		}
		if s == vps {
			actions["resize"] = func() error { _, err := w.Engine.Resize(ctx, s.ID, "pln_vps_big", "staff"); return err }
		}
		for name, act := range actions {
			err := act()
			if !apperr.Is(err, apperr.Conflict) || !errors.Is(err, provisioning.ErrNotOurs) {
				t.Errorf("%s %s: err = %v, want a conflict naming the mismatch", s.ServiceType, name, err)
			}
		}
		got, _ := w.Store.GetService(ctx, s.ID)
		if got.Status != provisioning.StatusActive || got.PlanID != s.PlanID {
			t.Errorf("%s changed on our side: %+v", s.ServiceType, got)
		}
	}
	if w.VF.Suspended(vfID) || w.VF.Servers() != 1 || w.Ptero.Servers() != 1 {
		t.Fatal("the other customer's server was acted on")
	}
	if w.VF.PackageOf(vfID) != 1 {
		t.Fatal("the other customer's server was resized")
	}
	alerts := 0
	for _, m := range w.Mail.Sent {
		if m.Kind == notify.AlertSecurity {
			alerts++
		}
	}
	if alerts == 0 {
		t.Fatal("admins were not alerted")
	}
}

// Staff suspension and termination tell the customer, with the reason.
func TestSuspendAndTerminateEmailTheCustomer(t *testing.T) {
	ctx := context.Background()
	w := provisioningtest.New(t)
	vps := provision(t, w, "ord_vps")
	s, err := w.Engine.Suspend(ctx, vps.ID, "staff", "Abuse report 123: outgoing spam.")
	if err != nil || s.SuspendReason != "Abuse report 123: outgoing spam." {
		t.Fatalf("suspend = %+v, %v", s, err)
	}
	if _, err := w.Engine.Unsuspend(ctx, vps.ID, "staff"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Engine.Terminate(ctx, vps.ID, "staff", "Requested by the customer."); err != nil {
		t.Fatal(err)
	}
	var kinds []notify.Kind
	for _, m := range w.Mail.Sent {
		if m.Kind == notify.ServiceSuspended || m.Kind == notify.ServiceTerminated {
			kinds = append(kinds, m.Kind)
			if m.To == "" || m.Data["reason"] == "" {
				t.Errorf("%s e-mail = %+v", m.Kind, m)
			}
		}
	}
	if len(kinds) != 2 {
		t.Fatalf("lifecycle e-mails = %v, want suspended and terminated", kinds)
	}
}

// A resource already gone at the panel is terminated here too (nothing to
// check it against, nothing to delete).
func TestTerminateWhatThePanelNoLongerHas(t *testing.T) {
	ctx := context.Background()
	w := provisioningtest.New(t)
	game := provision(t, w, "ord_game")
	if _, err := w.Engine.Terminate(ctx, game.ID, "staff", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Store.UpdateService(ctx, game.ID, func(s *provisioning.Service) error { s.Status = provisioning.StatusActive; return nil }); err != nil {
		t.Fatal(err)
	}
	if s, err := w.Engine.Terminate(ctx, game.ID, "staff", ""); err != nil || s.Status != provisioning.StatusTerminated {
		t.Fatalf("terminate of a server already gone = %+v, %v", s, err)
	}
}
