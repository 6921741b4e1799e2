package pterodactyl_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/pterosim"
	"github.com/ezscale/platform/infra/simkit"
	"github.com/ezscale/platform/shared/adapters/pterodactyl"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

const (
	appKey    = "ptla_0123456789abcdef0123456789abcdef0123456789ab"
	clientKey = "ptlc_0123456789abcdef0123456789abcdef0123456789ab"
)

func setup(t *testing.T) (*pterosim.Sim, *pterodactyl.Panel, *httptest.Server) {
	t.Helper()
	sim := pterosim.New(appKey, clientKey)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	p := pterodactyl.New(pterodactyl.Config{BaseURL: srv.URL, AppKey: appKey, ClientKey: clientKey, Timeout: 300 * time.Millisecond,
		Eggs:      map[string]pterodactyl.Egg{"Minecraft": {ID: 1, DockerImage: "ghcr.io/pterodactyl/yolks:java_21", Startup: "java -jar server.jar", Environment: map[string]string{"SERVER_JARFILE": "server.jar"}}},
		Locations: map[string]int{"Dallas, US": 1}, Sleep: func(context.Context, time.Duration) error { return nil }})
	return sim, p, srv
}

func request(ref string) provisioning.CreateRequest {
	return provisioning.CreateRequest{Ref: ref, Owner: provisioning.Owner{CustomerID: "usr_01ABC", Email: "ada@example.com", Name: "Ada Lovelace"},
		Name: "mc1", Game: "Minecraft", Location: "Dallas, US", Limits: provisioning.Limits{CPUCores: 2, MemoryMB: 4096, DiskGB: 40, Backups: 2}}
}

func kind(err error) string {
	for _, k := range []error{provisioning.ErrTransient, provisioning.ErrRejected, provisioning.ErrMalformed, provisioning.ErrNotFound} {
		if errors.Is(err, k) {
			return k.Error()
		}
	}
	if err == nil {
		return "ok"
	}
	return "other: " + err.Error()
}

func TestLifecycle(t *testing.T) {
	sim, p, srv := setup(t)
	ctx := context.Background()
	r, err := p.Create(ctx, request("ezs-svc_1"))
	if err != nil || r.State != provisioning.Building || r.Ref != "ezs-svc_1" {
		t.Fatalf("create = %+v, %v", r, err)
	}
	again, err := p.Create(ctx, request("ezs-svc_1"))
	if err != nil || again.ID != r.ID || sim.Servers() != 1 {
		t.Fatalf("second create = %+v, %v; %d servers", again, err, sim.Servers())
	}
	state := provisioning.Building
	for range 5 {
		got, err := p.Status(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		state = got.State
	}
	if state != provisioning.Running {
		t.Fatalf("after polling: %s", state)
	}
	if err := p.Power(ctx, r.ID, provisioning.Restart); err != nil {
		t.Fatalf("power: %v", err)
	}
	u, err := p.Usage(ctx, r.ID)
	if err != nil || u.MemoryBytes == 0 || u.NetworkTxBytes == 0 {
		t.Fatalf("usage = %+v, %v", u, err)
	}
	if err := p.Resize(ctx, r.ID, "pln_big", provisioning.Limits{CPUCores: 4, MemoryMB: 8192, DiskGB: 80}); err != nil {
		t.Fatalf("resize: %v", err)
	}
	if err := p.Suspend(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := p.Status(ctx, r.ID); got.State != provisioning.Suspended {
		t.Fatalf("suspended: %+v", got)
	}
	if err := p.Power(ctx, r.ID, provisioning.Start); kind(err) != provisioning.ErrRejected.Error() {
		t.Fatalf("starting a suspended server: %v", err)
	}
	if err := p.Unsuspend(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if url, err := p.LoginURL(ctx, r.ID, provisioning.Owner{}); err != nil || !strings.HasPrefix(url, srv.URL+"/server/") {
		t.Fatalf("login url = %q, %v", url, err)
	}
	if err := p.Terminate(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if err := p.Terminate(ctx, r.ID); err != nil {
		t.Fatalf("terminating twice: %v", err)
	}
	if _, err := p.Status(ctx, r.ID); kind(err) != provisioning.ErrNotFound.Error() {
		t.Fatalf("status after terminate: %v", err)
	}
}

// A create whose answer is lost still made the server; the retry adopts it.
func TestLostCreateReplyIsAdopted(t *testing.T) {
	sim, p, _ := setup(t)
	ctx := context.Background()
	if _, err := p.Create(ctx, request("ezs-warm")); err != nil { // the user exists from here on
		t.Fatal(err)
	}
	// The server lookup and the user lookup answer; the create's reply is lost.
	sim.SlowNext(0)
	sim.SlowNext(0)
	sim.LoseNextReply()
	_, err := p.Create(ctx, request("ezs-svc_2"))
	if kind(err) != provisioning.ErrTransient.Error() {
		t.Fatalf("lost reply: %v", err)
	}
	if sim.Servers() != 2 {
		t.Fatalf("%d servers: the lost create should have made one", sim.Servers())
	}
	r, err := p.Create(ctx, request("ezs-svc_2"))
	if err != nil || r.Ref != "ezs-svc_2" || sim.Servers() != 2 {
		t.Fatalf("retry = %+v, %v; %d servers", r, err, sim.Servers())
	}
}

func TestFailureModes(t *testing.T) {
	cases := []struct {
		name   string
		inject func(*pterosim.Sim)
		want   error
		check  func(t *testing.T, err error)
	}{
		// Reads are tried three times (panelhttp), so a lasting fault is three.
		{"RateLimited", func(s *pterosim.Sim) { s.FailNext(429, 429, 429) }, provisioning.ErrTransient, func(t *testing.T, err error) {
			var pe *provisioning.PanelError
			if !errors.As(err, &pe) || pe.RetryAfter != 1 {
				t.Errorf("retry after: %+v", pe)
			}
		}},
		{"ServerError", func(s *pterosim.Sim) { s.FailNext(500, 500, 500) }, provisioning.ErrTransient, nil},
		{"BadGateway", func(s *pterosim.Sim) { s.FailNext(502, 502, 502) }, provisioning.ErrTransient, nil},
		{"Timeout", func(s *pterosim.Sim) { s.HangNext(); s.HangNext(); s.HangNext() }, provisioning.ErrTransient, nil},
		{"Slow", func(s *pterosim.Sim) { s.SlowNext(time.Second); s.SlowNext(time.Second); s.SlowNext(time.Second) }, provisioning.ErrTransient, nil},
		{"MalformedBody", func(s *pterosim.Sim) { s.MalformNext() }, provisioning.ErrMalformed, nil},
		{"Forbidden", func(s *pterosim.Sim) { s.FailNext(http.StatusForbidden) }, provisioning.ErrRejected, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sim, p, _ := setup(t)
			c.inject(sim)
			_, err := p.Create(context.Background(), request("ezs-"+c.name))
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if c.check != nil {
				c.check(t, err)
			}
			if sim.Servers() != 0 {
				t.Fatalf("%d servers after a failed first call", sim.Servers())
			}
		})
	}
	t.Run("RateLimitWindow", func(t *testing.T) {
		sim, p, _ := setup(t)
		sim.AppLimit = 3
		var err error
		for range 4 {
			_, err = p.Status(context.Background(), "999")
		}
		if !errors.Is(err, provisioning.ErrTransient) {
			t.Fatalf("fourth call in a minute with a limit of 3: %v", err)
		}
	})
	t.Run("ValidationFromThePanel", func(t *testing.T) {
		_, p, _ := setup(t)
		req := request("ezs-v")
		req.Name = ""
		_, err := p.Create(context.Background(), req)
		if !errors.Is(err, provisioning.ErrRejected) || !strings.Contains(err.Error(), "name: required") {
			t.Fatalf("422: %v", err)
		}
	})
	t.Run("UnknownGame", func(t *testing.T) {
		_, p, _ := setup(t)
		req := request("ezs-g")
		req.Game = "Chess"
		if _, err := p.Create(context.Background(), req); !errors.Is(err, provisioning.ErrRejected) {
			t.Fatalf("unknown game: %v", err)
		}
	})
	t.Run("WrongKeyKind", func(t *testing.T) {
		sim := pterosim.New(appKey, clientKey)
		srv := httptest.NewServer(sim.Handler())
		defer srv.Close()
		p := pterodactyl.New(pterodactyl.Config{BaseURL: srv.URL, AppKey: appKey, ClientKey: appKey, Eggs: map[string]pterodactyl.Egg{"Minecraft": {ID: 1}},
			Locations: map[string]int{"Dallas, US": 1}})
		r, err := p.Create(context.Background(), request("ezs-k"))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Power(context.Background(), r.ID, provisioning.Start); !errors.Is(err, provisioning.ErrRejected) || !strings.Contains(err.Error(), "403") {
			t.Fatalf("application key on the client API: %v", err)
		}
	})
}

func TestCredentials(t *testing.T) {
	ctx := context.Background()
	sim, p, _ := setup(t)
	owner := request("").Owner
	first, err := p.Create(ctx, request("ezs-c1"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.Credentials(ctx, first.ID, owner)
	if err != nil || c.Username != owner.Email || len(c.Password) < 20 || sim.Password(owner.CustomerID) != c.Password {
		t.Fatalf("first server: %+v, %v (panel has %q)", c, err, sim.Password(owner.CustomerID))
	}
	second, err := p.Create(ctx, request("ezs-c2"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := p.Credentials(ctx, second.ID, owner)
	if err != nil || again.Password != "" || again.Note == "" || sim.Password(owner.CustomerID) != c.Password {
		t.Fatalf("second server reset the shared login: %+v, %v", again, err)
	}
	faults := []struct {
		name   string
		inject func(*pterosim.Sim)
		want   string
	}{
		{"RateLimited", func(s *pterosim.Sim) { s.FailNext(429, 429, 429) }, provisioning.ErrTransient.Error()},
		{"ServerError", func(s *pterosim.Sim) { s.FailNext(502, 502, 502) }, provisioning.ErrTransient.Error()},
		{"Timeout", func(s *pterosim.Sim) { s.HangNext(); s.HangNext(); s.HangNext() }, provisioning.ErrTransient.Error()},
		{"MalformedBody", func(s *pterosim.Sim) { s.MalformNext() }, provisioning.ErrMalformed.Error()},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			f.inject(sim)
			if _, err := p.Credentials(ctx, first.ID, owner); kind(err) != f.want {
				t.Fatalf("got %v, want %s", err, f.want)
			}
		})
	}
	if _, err := p.Credentials(ctx, first.ID, provisioning.Owner{CustomerID: "usr_nobody"}); kind(err) != provisioning.ErrNotFound.Error() {
		t.Fatalf("unknown user: %v", err)
	}
	// A new login whose lookup answers but whose password update fails:
	// nothing is issued, and the retry issues it.
	req := request("ezs-c3")
	req.Owner = provisioning.Owner{CustomerID: "usr_02DEF", Email: "grace@example.com", Name: "Grace Hopper"}
	third, err := p.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	sim.Push(simkit.Fault{}, simkit.Fault{Status: http.StatusInternalServerError})
	if _, err := p.Credentials(ctx, third.ID, req.Owner); kind(err) != provisioning.ErrTransient.Error() {
		t.Fatalf("failed update: %v", err)
	}
	if c, err := p.Credentials(ctx, third.ID, req.Owner); err != nil || c.Password == "" || sim.Password("usr_02DEF") != c.Password {
		t.Fatalf("retry: %+v, %v", c, err)
	}
}

// A reinstall runs the egg's install again (the server reads Building
// until it is done) and keeps the panel login; it is a POST, so one
// failure is the answer, and a server already installing is refused.
func TestReinstall(t *testing.T) {
	sim, p, _ := setup(t)
	ctx := context.Background()
	r, err := p.Create(ctx, request("ezs-svc_r"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Reinstall(ctx, r.ID, provisioning.ReinstallRequest{Ref: "ezs-svc_r"}); !errors.Is(err, provisioning.ErrRejected) {
		t.Fatalf("while installing: %v", err)
	}
	for range 5 {
		if _, err := p.Status(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, inject := range []func(){func() { sim.FailNext(500) }, func() { sim.FailNext(429) }, sim.HangNext} {
		inject()
		if _, err := p.Reinstall(ctx, r.ID, provisioning.ReinstallRequest{Ref: "ezs-svc_r"}); !errors.Is(err, provisioning.ErrTransient) || sim.Reinstalls("ezs-svc_r") != 0 {
			t.Fatalf("fault: %v, %d reinstalls", err, sim.Reinstalls("ezs-svc_r"))
		}
	}
	got, err := p.Reinstall(ctx, r.ID, provisioning.ReinstallRequest{Ref: "ezs-svc_r"})
	if err != nil || got.NewLogin || sim.Reinstalls("ezs-svc_r") != 1 {
		t.Fatalf("reinstall: %+v %v", got, err)
	}
	if s, err := p.Status(ctx, r.ID); err != nil || s.State != provisioning.Building {
		t.Fatalf("after: %+v %v", s, err)
	}
	if _, err := p.Reinstall(ctx, "999", provisioning.ReinstallRequest{}); !errors.Is(err, provisioning.ErrNotFound) {
		t.Fatalf("unknown server: %v", err)
	}
}
