package provisioning_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/testkit/provisioningtest"
)

func TestResizeAtThePanel(t *testing.T) {
	ctx := context.Background()
	w := provisioningtest.New(t)
	vps := provision(t, w, "ord_vps")
	game := provision(t, w, "ord_game")
	vid, _ := strconv.Atoi(vps.PanelID)
	gid, _ := strconv.Atoi(game.PanelID)

	got, err := w.Engine.Resize(ctx, vps.ID, "pln_vps_big", "stf_1")
	if err != nil || got.PlanID != "pln_vps_big" || got.PlanName != "VPS Large" || got.Limits.MemoryMB != 16384 || w.VF.PackageOf(vid) != 2 {
		t.Fatalf("vps resize: %+v, %v; panel package %d", got, err, w.VF.PackageOf(vid))
	}
	if err := w.Engine.PlanChanged(ctx, "ord_game", "pln_game_big"); err != nil || w.Ptero.MemoryOf(gid) != 12288 {
		t.Fatalf("game resize from billing: %v; panel memory %d", err, w.Ptero.MemoryOf(gid))
	}
	// The same change again (a redelivered outbox item) does nothing new.
	before, _ := w.Store.ListLog(ctx, vps.ID)
	if _, err := w.Engine.Resize(ctx, vps.ID, "pln_vps_big", "system"); err != nil {
		t.Fatal(err)
	}
	if after, _ := w.Store.ListLog(ctx, vps.ID); len(after) != len(before) {
		t.Fatalf("a repeated resize called the panel again")
	}
	log, _ := w.Store.ListLog(ctx, vps.ID)
	if last := log[len(log)-1]; last.Action != "resize" || last.Actor != "stf_1" || last.Status != "ok" {
		t.Fatalf("log: %+v", last)
	}

	cases := []struct {
		name, svc, plan string
		want            apperr.Code
	}{
		{"OtherServiceType", vps.ID, "pln_game_big", apperr.Invalid},
		{"NoSuchPlan", vps.ID, "pln_nope", apperr.Invalid},
		{"NoSuchService", "svc_nope", "pln_vps", apperr.NotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := w.Engine.Resize(ctx, c.svc, c.plan, "stf_1"); !apperr.Is(err, c.want) {
				t.Fatalf("got %v, want %s", err, c.want)
			}
		})
	}
	t.Run("PanelFailsNothingRecorded", func(t *testing.T) {
		w.VF.FailNext(503, 503, 503, 503, 503, 503) // past the client's retries
		if _, err := w.Engine.Resize(ctx, vps.ID, "pln_vps", "stf_1"); !apperr.Is(err, apperr.Unavailable) {
			t.Fatalf("got %v", err)
		}
		if s, _ := w.Store.GetService(ctx, vps.ID); s.PlanID != "pln_vps_big" || w.VF.PackageOf(vid) != 2 {
			t.Fatalf("a failed resize changed the record: %+v", s)
		}
	})
	t.Run("WhileProvisioningWaits", func(t *testing.T) {
		svc, err := w.Engine.CreateService(ctx, "ord_game2")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Engine.Resize(ctx, svc.ID, "pln_game_big", "system"); !errors.Is(err, provisioning.ErrStillProvisioning) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("NeverProvisionedOrderIsNothingToDo", func(t *testing.T) {
		if err := w.Engine.PlanChanged(ctx, "ord_elsewhere", "pln_vps_big"); err != nil {
			t.Fatal(err)
		}
	})
}
