package virtfusion_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/simkit"
	"github.com/ezscale/platform/infra/vfsim"
	"github.com/ezscale/platform/shared/adapters/virtfusion"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

const token = "vf-test-token"

func setup(t *testing.T, tok string) (*vfsim.Sim, *virtfusion.Panel) {
	t.Helper()
	sim := vfsim.New(token)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, virtfusion.New(virtfusion.Config{BaseURL: srv.URL, Token: tok, Timeout: 300 * time.Millisecond,
		Packages: map[string]int{"pln_small": 1, "pln_big": 2, "pln_gone": 99}, Hypervisors: map[string]int{"Dallas, US": 1},
		Templates: map[string]int{"debian-12": 3, "plan9": 42}, Sleep: func(context.Context, time.Duration) error { return nil }})
}

func request(ref string) provisioning.CreateRequest {
	return provisioning.CreateRequest{Ref: ref, Plan: "pln_small", Owner: provisioning.Owner{CustomerID: "usr_01ABC", Email: "ada@example.com", Name: "Ada Lovelace"},
		Hostname: "web1.example.com", Location: "Dallas, US", OS: "debian-12", Limits: provisioning.Limits{CPUCores: 2, MemoryMB: 4096, DiskGB: 80, BandwidthGB: 4000}}
}

func TestLifecycle(t *testing.T) {
	sim, p := setup(t, token)
	ctx := context.Background()
	r, err := p.Create(ctx, request("ezs-svc_1"))
	if err != nil || r.State != provisioning.Building || r.Ref != "ezs-svc_1" {
		t.Fatalf("create = %+v, %v", r, err)
	}
	if again, err := p.Create(ctx, request("ezs-svc_1")); err != nil || again.ID != r.ID || sim.Servers() != 1 {
		t.Fatalf("second create = %+v, %v; %d servers", again, err, sim.Servers())
	}
	var got *provisioning.Resource
	for range 4 {
		if got, err = p.Status(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	if got.State != provisioning.Running || len(got.IPs) != 1 {
		t.Fatalf("after building: %+v", got)
	}
	if err := p.Power(ctx, r.ID, provisioning.Restart); err != nil {
		t.Fatalf("power: %v", err)
	}
	if u, err := p.Usage(ctx, r.ID); err != nil || u.NetworkTxBytes == 0 || u.CPUPercent <= 0 || u.MemoryBytes != 2<<30 || u.DiskBytes != 3<<30 {
		t.Fatalf("usage = %+v, %v", u, err)
	}
	if err := p.Resize(ctx, r.ID, "pln_big", provisioning.Limits{}); err != nil {
		t.Fatalf("resize: %v", err)
	}
	if err := p.Resize(ctx, r.ID, "pln_gone", provisioning.Limits{}); !errors.Is(err, provisioning.ErrRejected) {
		t.Fatalf("resize to a package the panel lacks: %v", err)
	}
	if err := p.Suspend(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := p.Status(ctx, r.ID); got.State != provisioning.Suspended {
		t.Fatalf("suspended: %+v", got)
	}
	if err := p.Unsuspend(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if u, err := p.LoginURL(ctx, r.ID, request("").Owner); err != nil || !strings.Contains(u, "/token_login?token1=") {
		t.Fatalf("login = %q, %v", u, err)
	}
	if err := p.Terminate(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if err := p.Terminate(ctx, r.ID); err != nil {
		t.Fatalf("terminating twice: %v", err)
	}
}

// A create or build whose answer is lost is adopted by the retry: exactly
// one server, built under our name.
func TestLostRepliesAreAdopted(t *testing.T) {
	for _, c := range []struct {
		name string
		skip int // requests answered before the lost one: user lookup, server list (+ create)
	}{{"CreateReplyLost", 2}, {"BuildReplyLost", 3}} {
		t.Run(c.name, func(t *testing.T) {
			sim, p := setup(t, token)
			ctx := context.Background()
			if _, err := p.Create(ctx, request("ezs-warm")); err != nil { // the user exists from here on
				t.Fatal(err)
			}
			for range c.skip {
				sim.SlowNext(0)
			}
			sim.LoseNextReply()
			if _, err := p.Create(ctx, request("ezs-svc_2")); !errors.Is(err, provisioning.ErrTransient) {
				t.Fatalf("lost reply: %v", err)
			}
			r, err := p.Create(ctx, request("ezs-svc_2"))
			if err != nil || r.Ref != "ezs-svc_2" || sim.Servers() != 2 {
				t.Fatalf("retry = %+v, %v; %d servers", r, err, sim.Servers())
			}
		})
	}
}

func TestFailureModes(t *testing.T) {
	cases := []struct {
		name   string
		inject func(*vfsim.Sim)
		want   error
	}{
		// Reads are tried three times (panelhttp), so a lasting fault is three.
		{"RateLimited", func(s *vfsim.Sim) { s.FailNext(429, 429, 429) }, provisioning.ErrTransient},
		{"ServerError", func(s *vfsim.Sim) { s.FailNext(500, 502, 503) }, provisioning.ErrTransient},
		{"Timeout", func(s *vfsim.Sim) { s.HangNext(); s.HangNext(); s.HangNext() }, provisioning.ErrTransient},
		{"MalformedBody", func(s *vfsim.Sim) { s.MalformNext() }, provisioning.ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sim, p := setup(t, token)
			c.inject(sim)
			if _, err := p.Create(context.Background(), request("ezs-"+c.name)); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if sim.Servers() != 0 {
				t.Fatalf("%d servers after a failed first call", sim.Servers())
			}
		})
	}
	t.Run("RetryAfter", func(t *testing.T) {
		sim, p := setup(t, token)
		sim.FailNext(429, 429, 429)
		_, err := p.Create(context.Background(), request("ezs-r"))
		var pe *provisioning.PanelError
		if !errors.As(err, &pe) || pe.RetryAfter != 2 {
			t.Fatalf("retry after: %v", err)
		}
	})
	t.Run("BadToken", func(t *testing.T) {
		_, p := setup(t, "wrong")
		_, err := p.Create(context.Background(), request("ezs-t"))
		if !errors.Is(err, provisioning.ErrRejected) || !strings.Contains(err.Error(), "credentials were refused") {
			t.Fatalf("bad token: %v", err)
		}
	})
	t.Run("LockedIsTransient", func(t *testing.T) {
		sim, p := setup(t, token)
		r, err := p.Create(context.Background(), request("ezs-l"))
		if err != nil {
			t.Fatal(err)
		}
		id, _ := strconv.Atoi(r.ID)
		sim.Lock(id)
		if err := p.Suspend(context.Background(), r.ID); !errors.Is(err, provisioning.ErrTransient) || !strings.Contains(err.Error(), "423") {
			t.Fatalf("suspend while locked: %v", err)
		}
	})
	t.Run("PanelRejectsTemplate", func(t *testing.T) {
		sim, p := setup(t, token)
		req := request("ezs-os")
		req.OS = "plan9"
		if _, err := p.Create(context.Background(), req); !errors.Is(err, provisioning.ErrRejected) || !strings.Contains(err.Error(), "operating system") {
			t.Fatalf("bad template: %v", err)
		}
		_ = sim
	})
	t.Run("UnconfiguredOS", func(t *testing.T) {
		_, p := setup(t, token)
		req := request("ezs-os2")
		req.OS = "windows-95"
		if _, err := p.Create(context.Background(), req); !errors.Is(err, provisioning.ErrRejected) {
			t.Fatalf("unconfigured os: %v", err)
		}
	})
}

// built makes a server and reads it until it is commissioned.
func built(t *testing.T, p *virtfusion.Panel, ref string) string {
	t.Helper()
	r, err := p.Create(context.Background(), request(ref))
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if _, err := p.Status(context.Background(), r.ID); err != nil {
			t.Fatal(err)
		}
	}
	return r.ID
}

func TestCredentials(t *testing.T) {
	ctx := context.Background()
	sim, p := setup(t, token)
	r, err := p.Create(ctx, request("ezs-c0"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Credentials(ctx, r.ID, provisioning.Owner{}); !errors.Is(err, provisioning.ErrTransient) {
		t.Fatalf("credentials while building: %v", err)
	}
	id := built(t, p, "ezs-c1")
	c, err := p.Credentials(ctx, id, provisioning.Owner{})
	n, _ := strconv.Atoi(id)
	if err != nil || c.Username != "root" || c.Password == "" || c.Password != sim.RootPassword(n) {
		t.Fatalf("credentials = %+v, %v (panel has %q)", c, err, sim.RootPassword(n))
	}
	faults := []struct {
		name   string
		inject func(*vfsim.Sim)
		want   error
	}{
		{"RateLimited", func(s *vfsim.Sim) { s.FailNext(http.StatusTooManyRequests) }, provisioning.ErrTransient},
		{"ServerError", func(s *vfsim.Sim) { s.FailNext(http.StatusBadGateway) }, provisioning.ErrTransient},
		{"Timeout", func(s *vfsim.Sim) { s.HangNext() }, provisioning.ErrTransient},
		{"MalformedBody", func(s *vfsim.Sim) { s.MalformNext() }, provisioning.ErrMalformed},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			f.inject(sim)
			if _, err := p.Credentials(ctx, id, provisioning.Owner{}); !errors.Is(err, f.want) {
				t.Fatalf("got %v, want %v", err, f.want)
			}
		})
	}
	if _, err := p.Credentials(ctx, "999", provisioning.Owner{}); !errors.Is(err, provisioning.ErrNotFound) {
		t.Fatalf("unknown server: %v", err)
	}
}

func TestUsageFailureModes(t *testing.T) {
	ctx := context.Background()
	sim, p := setup(t, token)
	id := built(t, p, "ezs-u1")
	cases := []struct {
		name   string
		inject func()
		want   error
	}{
		{"LiveStateRateLimited", func() { sim.FailNext(429, 429, 429) }, provisioning.ErrTransient},
		{"TrafficFails", func() { sim.Push(simkit.Fault{}); sim.FailNext(500, 500, 500) }, provisioning.ErrTransient},
		{"LiveStateMalformed", func() { sim.MalformNext() }, provisioning.ErrMalformed},
		{"TrafficTimesOut", func() {
			sim.Push(simkit.Fault{}, simkit.Fault{Hang: true}, simkit.Fault{Hang: true}, simkit.Fault{Hang: true})
		}, provisioning.ErrTransient},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.inject()
			if _, err := p.Usage(ctx, id); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

// A passing fault on a read is retried, and shows in the call summary.
func TestTransientReadsAreRetriedOnce(t *testing.T) {
	sim, p := setup(t, token)
	ctx, taken := provisioning.WithExchanges(context.Background())
	sim.FailNext(http.StatusServiceUnavailable)
	if _, err := p.Create(ctx, request("ezs-once")); err != nil || sim.Servers() != 1 {
		t.Fatalf("create after one 503 on the user lookup: %v, %d servers", err, sim.Servers())
	}
	calls := taken()
	if len(calls) < 2 || !strings.Contains(calls[0], "→ 503") || !strings.Contains(calls[1], "(attempt 2)") {
		t.Fatalf("calls = %q", calls)
	}
	for _, c := range calls {
		if strings.Contains(c, "?") {
			t.Fatalf("a query reached the log: %q", c)
		}
	}
}

// A reinstall is the build call again with our ref as the name; it is a
// POST, so one failure is the answer (never retried), and an OS without a
// template is refused before any call.
func TestReinstall(t *testing.T) {
	ctx := context.Background()
	sim, p := setup(t, token)
	id := built(t, p, "ezs-r1")
	n, _ := strconv.Atoi(id)
	req := provisioning.ReinstallRequest{Ref: "ezs-r1", Hostname: "web1.example.com", OS: "debian-12"}
	for _, f := range []struct {
		name   string
		inject func(*vfsim.Sim)
		want   error
	}{
		{"RateLimited", func(s *vfsim.Sim) { s.FailNext(http.StatusTooManyRequests) }, provisioning.ErrTransient},
		{"ServerError", func(s *vfsim.Sim) { s.FailNext(http.StatusBadGateway) }, provisioning.ErrTransient},
		{"Timeout", func(s *vfsim.Sim) { s.HangNext() }, provisioning.ErrTransient},
	} {
		t.Run(f.name, func(t *testing.T) {
			f.inject(sim)
			if _, err := p.Reinstall(ctx, id, req); !errors.Is(err, f.want) {
				t.Fatalf("got %v, want %v", err, f.want)
			}
			if _, builds := sim.Installs(n); builds != 1 {
				t.Fatalf("a failed reinstall was retried into %d installs", builds)
			}
		})
	}
	if _, err := p.Reinstall(ctx, id, provisioning.ReinstallRequest{Ref: "ezs-r1", OS: "windows-95"}); !errors.Is(err, provisioning.ErrRejected) {
		t.Fatalf("unknown OS: %v", err)
	}
	got, err := p.Reinstall(ctx, id, req)
	if err != nil || !got.NewLogin {
		t.Fatalf("reinstall: %+v %v", got, err)
	}
	r, err := p.Status(ctx, id)
	if tpl, builds := sim.Installs(n); err != nil || r.State != provisioning.Building || r.Ref != "ezs-r1" || tpl != 3 || builds != 2 || sim.RootPassword(n) != "" {
		t.Fatalf("after: %+v %v, template %d, %d installs", r, err, tpl, builds)
	}
	if _, err := p.Reinstall(ctx, "999", req); !errors.Is(err, provisioning.ErrNotFound) {
		t.Fatalf("unknown server: %v", err)
	}
}
