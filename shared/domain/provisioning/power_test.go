package provisioning_test

import (
	"context"
	"testing"

	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/testkit/provisioningtest"
)

func TestPowerStateOf(t *testing.T) {
	for word, want := range map[string]provisioning.PowerState{
		"running": provisioning.PowerRunning, "offline": provisioning.PowerStopped, "shut off": provisioning.PowerStopped,
		"Shutoff": provisioning.PowerStopped, "starting": provisioning.PowerStarting, "stopping": provisioning.PowerStopping,
		"paused": provisioning.PowerUnknown, "": provisioning.PowerUnknown,
	} {
		if got := provisioning.PowerStateOf(word); got != want {
			t.Errorf("PowerStateOf(%q) = %s, want %s", word, got, want)
		}
	}
}

// A power action shows at once in the service's usage (the cached usage
// is dropped), on both panels.
func TestUsageShowsThePowerState(t *testing.T) {
	ctx := context.Background()
	w := provisioningtest.New(t)
	for _, order := range []string{"ord_vps", "ord_game"} {
		s := provision(t, w, order)
		state := func() provisioning.PowerState {
			t.Helper()
			u, err := w.Engine.Usage(ctx, "usr_1", s.ID)
			if err != nil {
				t.Fatal(err)
			}
			return u.Power
		}
		if got := state(); got != provisioning.PowerRunning {
			t.Fatalf("%s after provisioning: %s", order, got)
		}
		for _, step := range []struct {
			a    provisioning.Power
			want provisioning.PowerState
		}{{provisioning.Stop, provisioning.PowerStopped}, {provisioning.Start, provisioning.PowerRunning}} {
			if err := w.Engine.Power(ctx, "usr_1", s.ID, step.a, "usr_1"); err != nil {
				t.Fatal(err)
			}
			if got := state(); got != step.want {
				t.Fatalf("%s after %s: %s, want %s", order, step.a, got, step.want)
			}
		}
	}
}
