package synergycp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/simkit"
	"github.com/ezscale/platform/infra/synergysim"
	"github.com/ezscale/platform/shared/adapters/synergycp"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

const key = "scp-key"

func setup(t *testing.T, k string) (*synergysim.Sim, *synergycp.Panel, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	sim := synergysim.New(key, base, []string{"debian-12-pxe"},
		synergysim.Server{ID: 101, SrvID: "DAL-101", CPU: "e-2236", Mem: "32gb", Disks: "2x480gb-ssd", Location: "Dallas, US"},
		synergysim.Server{ID: 102, SrvID: "DAL-102", CPU: "e-2236", Mem: "32gb", Disks: "2x480gb-ssd", Location: "Dallas, US"},
		synergysim.Server{ID: 103, SrvID: "DAL-103", CPU: "e-2288g", Mem: "64gb", Disks: "2x1tb-nvme", Location: "Dallas, US"},
		synergysim.Server{ID: 201, SrvID: "FRA-201", CPU: "e-2236", Mem: "32gb", Disks: "2x480gb-ssd", Location: "Frankfurt, DE"},
		synergysim.Server{ID: 104, SrvID: "DAL-104", CPU: "e-2236", Mem: "32gb", Disks: "2x480gb-ssd", Location: "Dallas, US", VIP: true})
	srv.Config.Handler = sim.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return sim, synergycp.New(synergycp.Config{BaseURL: base, Key: k, Timeout: 300 * time.Millisecond,
		Specs: map[string]synergycp.Spec{"pln_e2236": {CPU: "e-2236", Mem: "32gb", Disks: "2x480gb-ssd"}, "pln_big": {CPU: "e-2388g", Mem: "128gb", Disks: "2x2tb-nvme"}},
		PXE:   map[string]string{"debian-12": "debian-12-pxe", "rocky-9": "rocky-9-pxe"}, PortSpeed: "1gbps",
		Sleep: func(context.Context, time.Duration) error { return nil }}), base
}

func request(number int64, hw string) provisioning.CreateRequest {
	return provisioning.CreateRequest{Ref: "ezs-svc_1", Plan: "pln_e2236", Number: number, Hardware: hw, Hostname: "metal1.example.com", OS: "debian-12",
		Location: "Dallas, US", Owner: provisioning.Owner{CustomerID: "usr_01ABC", Email: "ada@example.com", Name: "Ada Lovelace"}, Limits: provisioning.Limits{BandwidthGB: 20000}}
}

func TestCandidatesAndLifecycle(t *testing.T) {
	ctx := context.Background()
	sim, p, base := setup(t, key)
	list, err := p.Candidates(ctx, request(1, ""))
	if err != nil || len(list) != 4 || !list[0].Exact || list[3].Exact || list[3].Label != "DAL-103" {
		t.Fatalf("candidates = %+v, %v", list, err)
	}
	r, err := p.Create(ctx, request(7, list[0].ID))
	if err != nil || r.Ref != "7" || r.State != provisioning.Running || len(r.IPs) != 1 || sim.Assigned() != 1 {
		t.Fatalf("create = %+v, %v", r, err)
	}
	if again, err := p.Create(ctx, request(7, list[1].ID)); err != nil || again.ID != r.ID || sim.Assigned() != 1 {
		t.Fatalf("a repeat made another server: %+v, %v", again, err)
	}
	if m, err := p.Machine(ctx, r.ID); err != nil || m.Free || m.Holder != "7" {
		t.Fatalf("machine = %+v, %v", m, err)
	}
	for _, a := range []provisioning.Power{provisioning.Stop, provisioning.Start, provisioning.Restart} {
		if err := p.Power(ctx, r.ID, a); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	sim.SetUsage(101, 8e9)
	if u, err := p.Usage(ctx, r.ID); err != nil || u.Power != provisioning.PowerRunning || u.NetworkTxBytes != 1e9 || u.Quotas[0].Limit != 20000e9 {
		t.Fatalf("usage = %+v, %v", u, err)
	}
	link, err := p.LoginURL(ctx, r.ID, provisioning.Owner{})
	if err != nil || !strings.HasPrefix(link, base+"/auth/sso?key=") {
		t.Fatalf("sso = %q, %v", link, err)
	}
	if res, err := http.Get(link); err != nil || res.StatusCode != 200 {
		t.Fatalf("sso page: %v %v", res, err)
	}
	if err := p.Suspend(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if s, _ := p.Status(ctx, r.ID); s.State != provisioning.Suspended {
		t.Fatalf("suspended: %+v", s)
	}
	if err := p.Power(ctx, r.ID, provisioning.Start); !errors.Is(err, provisioning.ErrRejected) {
		t.Fatalf("power while suspended: %v", err)
	}
	if err := p.Unsuspend(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if err := p.Terminate(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Status(ctx, r.ID); !errors.Is(err, provisioning.ErrNotFound) || sim.Assigned() != 0 {
		t.Fatalf("after release: %v, %d assigned", err, sim.Assigned())
	}
	if err := p.Terminate(ctx, r.ID); err != nil {
		t.Fatalf("releasing twice: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	ctx := context.Background()
	for name, c := range map[string]struct {
		req  provisioning.CreateRequest
		prep func(*synergysim.Sim)
		want string
	}{
		"NoNumber":      {request(0, "101"), nil, "no number"},
		"NoMachine":     {request(3, ""), nil, "no machine has been chosen"},
		"OSNotOffered":  {func() provisioning.CreateRequest { r := request(3, "101"); r.OS = "plan9"; return r }(), nil, "not offered"},
		"OSNotAtPanel":  {func() provisioning.CreateRequest { r := request(3, "101"); r.OS = "rocky-9"; return r }(), nil, "PXE profile"},
		"Taken":         {request(3, "101"), func(s *synergysim.Sim) { s.Take(101) }, "no longer free"},
		"UnknownServer": {request(3, "999"), nil, "No query results"},
	} {
		t.Run(name, func(t *testing.T) {
			sim, p, _ := setup(t, key)
			if c.prep != nil {
				c.prep(sim)
			}
			_, err := p.Create(ctx, c.req)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			if name != "Taken" && sim.Assigned() != 0 {
				t.Fatalf("%d assigned after a refusal", sim.Assigned())
			}
		})
	}
	t.Run("VIPIgnoresAutomaticActions", func(t *testing.T) {
		_, p, _ := setup(t, key)
		r, err := p.Create(ctx, request(9, "104"))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Suspend(ctx, r.ID); !errors.Is(err, provisioning.ErrRejected) || !strings.Contains(err.Error(), "VIP") {
			t.Fatalf("suspend: %v", err)
		}
		if err := p.Terminate(ctx, r.ID); !errors.Is(err, provisioning.ErrRejected) {
			t.Fatalf("terminate: %v", err)
		}
	})
	t.Run("BadKey", func(t *testing.T) {
		_, p, _ := setup(t, "wrong")
		_, err := p.Candidates(ctx, request(1, ""))
		if !errors.Is(err, provisioning.ErrRejected) || strings.Contains(err.Error(), "wrong") {
			t.Fatalf("bad key: %v", err)
		}
	})
}

// A lost reply at any step of a create: the next attempt adopts the
// server by its billing id, so exactly one is provisioned.
func TestCrashAtEveryBoundary(t *testing.T) {
	// Create's calls: server by billing id, machine, client by billing id,
	// client by e-mail, POST client, POST provision, then status reads.
	for lose := range 6 {
		t.Run(string(rune('A'+lose)), func(t *testing.T) {
			ctx := context.Background()
			sim, p, _ := setup(t, key)
			for range lose {
				sim.Push(simkit.Fault{})
			}
			sim.LoseNextReply()
			_, _ = p.Create(ctx, request(11, "101"))
			r, err := p.Create(ctx, request(11, "101"))
			if err != nil || r.Ref != "11" || sim.Assigned() != 1 {
				t.Fatalf("retry = %+v, %v; %d assigned", r, err, sim.Assigned())
			}
			clients := 0
			for _, s := range sim.Inventory() {
				if s.ClientID != 0 {
					clients++
				}
			}
			if clients != 1 {
				t.Fatalf("%d servers with a client", clients)
			}
		})
	}
}

func TestFailureModes(t *testing.T) {
	cases := []struct {
		name   string
		inject func(*synergysim.Sim)
		want   error
	}{
		{"RateLimited", func(s *synergysim.Sim) { s.FailNext(429, 429, 429) }, provisioning.ErrTransient},
		{"ServerError", func(s *synergysim.Sim) { s.FailNext(500, 502, 503) }, provisioning.ErrTransient},
		{"Timeout", func(s *synergysim.Sim) { s.HangNext(); s.HangNext(); s.HangNext() }, provisioning.ErrTransient},
		{"Malformed", func(s *synergysim.Sim) { s.MalformNext() }, provisioning.ErrMalformed},
		{"ProvisionFailsOnce", func(s *synergysim.Sim) {
			s.Push(simkit.Fault{}, simkit.Fault{}, simkit.Fault{}, simkit.Fault{}, simkit.Fault{})
			s.FailNext(503)
		}, provisioning.ErrTransient},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sim, p, _ := setup(t, key)
			c.inject(sim)
			if _, err := p.Create(context.Background(), request(5, "101")); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if sim.Assigned() != 0 {
				t.Fatalf("%d assigned after a failed create", sim.Assigned())
			}
		})
	}
}
