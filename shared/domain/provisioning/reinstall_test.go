package provisioning_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/provisioningtest"
)

// settle runs the reinstall's checks as the outbox would, until one says
// it is done; it returns how many ran.
func settle(t *testing.T, w *provisioningtest.World, s *provisioning.Service) int {
	t.Helper()
	c := provisioning.ReinstallCheck{Service: s.ID, Version: s.Version, Since: w.Engine.Clock.Now()}
	for n := 1; n <= 10; n++ {
		again, err := w.Engine.SettleReinstall(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		if !again {
			return n
		}
		c, _, _ = c.Next(w.Engine.Clock.Now(), time.Minute)
	}
	t.Fatal("the reinstall never settled")
	return 0
}

func mailKinds(w *provisioningtest.World, prefix string) []notify.Kind {
	var out []notify.Kind
	for _, m := range w.Mail.Sent {
		if strings.HasPrefix(m.Key, prefix) {
			out = append(out, m.Kind)
		}
	}
	return out
}

// Reinstalling a VPS installs the chosen system with our ref kept, drops
// the old root password at once, refuses power and a second reinstall
// while the panel installs, then issues and e-mails the new login once.
func TestReinstallIssuesANewLogin(t *testing.T) {
	ctx := context.Background()
	w := provisioningtest.New(t)
	s := provision(t, w, "ord_vps")
	server, _ := strconv.Atoi(s.PanelID)

	for _, bad := range []struct {
		name, os, field string
		kind            apperr.Code
	}{
		{"not an OS we sell", "windows-95", "os", apperr.Invalid},
		{"no OS", "", "os", apperr.Invalid},
		{"an OS the panel has no template for", "rocky-9", "", apperr.Conflict},
	} {
		_, err := w.Engine.Reinstall(ctx, "usr_1", s.ID, bad.os, "usr_1")
		var ae *apperr.Error
		if !apperr.Is(err, bad.kind) || !errors.As(err, &ae) || (bad.field != "" && ae.Fields[bad.field] == "") {
			t.Fatalf("%s: %v", bad.name, err)
		}
		if got, _ := w.Store.GetService(ctx, s.ID); got.Stage != "" || !got.HasCredentials {
			t.Fatalf("%s left the service half-changed: %+v", bad.name, got)
		}
	}
	if _, err := w.Engine.Reinstall(ctx, "usr_2", s.ID, "debian-12", "usr_2"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("someone else's service: %v", err)
	}
	if _, builds := w.VF.Installs(server); builds != 1 {
		t.Fatalf("refused reinstalls reached the panel: %d installs", builds)
	}

	got, err := w.Engine.Reinstall(ctx, "usr_1", s.ID, "debian-12", "usr_1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Stage != provisioning.StageReinstalling || got.HasCredentials {
		t.Fatalf("after the request: %+v", got)
	}
	if tpl, builds := w.VF.Installs(server); tpl != 3 || builds != 2 {
		t.Fatalf("panel installs: template %d, %d installs", tpl, builds)
	}
	if err := w.Engine.Power(ctx, "usr_1", s.ID, provisioning.Restart, "usr_1"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("power while reinstalling: %v", err)
	}
	if _, err := w.Engine.Reinstall(ctx, "usr_1", s.ID, "debian-12", "usr_1"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a second reinstall while installing: %v", err)
	}

	if n := settle(t, w, got); n < 2 {
		t.Fatalf("settled after %d check(s); the simulator builds for two reads", n)
	}
	after, _ := w.Store.GetService(ctx, s.ID)
	if after.Stage != "" || !after.HasCredentials {
		t.Fatalf("after the install: %+v", after)
	}
	c, err := w.Engine.RevealCredentials(ctx, "usr_1", s.ID, "usr_1")
	if err != nil || c.Password == "" || c.Password != w.VF.RootPassword(server) {
		t.Fatalf("new login %+v (%v), panel has %q", c, err, w.VF.RootPassword(server))
	}
	if kinds := mailKinds(w, "reinstalled:"); !slices.Equal(kinds, []notify.Kind{notify.ServiceProvisioned}) {
		t.Fatalf("reinstall mail: %v", kinds)
	}
	// A check delivered again after it settled does nothing.
	again, err := w.Engine.SettleReinstall(ctx, provisioning.ReinstallCheck{Service: s.ID, Version: got.Version})
	if err != nil || again || len(mailKinds(w, "reinstalled:")) != 1 {
		t.Fatalf("repeat: %v %v", again, err)
	}
	if err := w.Engine.Power(ctx, "usr_1", s.ID, provisioning.Restart, "usr_1"); err != nil {
		t.Fatalf("power after the reinstall: %v", err)
	}
}

// A game server reinstalls its game: no OS is taken, and the panel login
// the customer has is kept.
func TestReinstallGameServerKeepsTheLogin(t *testing.T) {
	ctx := context.Background()
	w := provisioningtest.New(t)
	s := provision(t, w, "ord_game")
	before, err := w.Engine.RevealCredentials(ctx, "usr_1", s.ID, "usr_1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Engine.Reinstall(ctx, "usr_1", s.ID, "debian-12", "usr_1"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("an OS for a game server: %v", err)
	}
	got, err := w.Engine.Reinstall(ctx, "usr_1", s.ID, "", "usr_1")
	if err != nil || !got.HasCredentials || w.Ptero.Reinstalls(s.Ref) != 1 {
		t.Fatalf("reinstall: %+v %v (panel reinstalls %d)", got, err, w.Ptero.Reinstalls(s.Ref))
	}
	settle(t, w, got)
	after, err := w.Engine.RevealCredentials(ctx, "usr_1", s.ID, "usr_1")
	if err != nil || *after != *before {
		t.Fatalf("login changed: %+v → %+v (%v)", before, after, err)
	}
}

// An install that outlasts the patience ends the wait: the stage clears
// with a note, staff are alerted and the customer is told, once.
func TestReinstallThatNeverFinishesAlerts(t *testing.T) {
	ctx := context.Background()
	w := provisioningtest.New(t)
	s := provision(t, w, "ord_vps")
	got, err := w.Engine.Reinstall(ctx, "usr_1", s.ID, "debian-12", "usr_1")
	if err != nil {
		t.Fatal(err)
	}
	// The simulator builds for two reads: both checks find it installing.
	c := provisioning.ReinstallCheck{Service: s.ID, Version: got.Version, Since: w.Engine.Clock.Now()}
	if again, err := w.Engine.SettleReinstall(ctx, c); err != nil || !again {
		t.Fatalf("first check: %v %v", again, err)
	}
	w.Engine.Clock.(*clock.Fake).Advance(provisioning.ReinstallPatience + time.Minute)
	if again, err := w.Engine.SettleReinstall(ctx, c); err != nil || again {
		t.Fatalf("after the patience: %v %v", again, err)
	}
	after, _ := w.Store.GetService(ctx, s.ID)
	if after.Stage != "" || !strings.HasPrefix(after.Note, "reinstall:") || after.Status != provisioning.StatusActive {
		t.Fatalf("after: %+v", after)
	}
	if d := mailKinds(w, "reinstall-delayed:"); len(d) != 1 || len(mailKinds(w, "reinstall-stuck:")) != 1 {
		t.Fatalf("customer %v, staff %v", d, mailKinds(w, "reinstall-stuck:"))
	}
}
