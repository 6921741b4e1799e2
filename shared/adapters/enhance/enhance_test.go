package enhance_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/enhancesim"
	"github.com/ezscale/platform/infra/simkit"
	"github.com/ezscale/platform/shared/adapters/enhance"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

const (
	token  = "enh-token"
	master = "00000000-0000-4000-8000-00000000beef"
)

func gb(n int64) *int64    { v := n << 30; return &v }
func count(n int64) *int64 { return &n }

func setup(t *testing.T, tok string) (*enhancesim.Sim, *enhance.Panel) {
	t.Helper()
	sim := enhancesim.New(token, master, "https://enhance.example.com",
		enhancesim.Plan{ID: 1, Name: "Starter", PlanType: "hosting", Resources: []enhancesim.Resource{{Name: "diskspace", Total: gb(10)}, {Name: "transfer", Total: gb(100)}, {Name: "websites", Total: count(1)}, {Name: "mailboxes", Total: count(5)}}},
		enhancesim.Plan{ID: 2, Name: "Business", PlanType: "hosting", Resources: []enhancesim.Resource{{Name: "diskspace", Total: gb(50)}, {Name: "websites", Total: nil}}})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, enhance.New(enhance.Config{BaseURL: srv.URL, Token: tok, OrgID: master, Timeout: 300 * time.Millisecond,
		Plans: map[string]int{"pln_web": 1, "pln_biz": 2, "pln_gone": 99}, Sleep: func(context.Context, time.Duration) error { return nil }})
}

func request(ref, domain string) provisioning.CreateRequest {
	return provisioning.CreateRequest{Ref: ref, Plan: "pln_web", Domain: domain,
		Owner: provisioning.Owner{CustomerID: "usr_01ABC", Email: "ada@example.com", Name: "Ada Lovelace"}}
}

func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	sim, p := setup(t, token)
	r, err := p.Create(ctx, request("ezs-svc_1", "ada.example.com"))
	if err != nil || r.Ref != "ezs-svc_1" || r.State != provisioning.Running || len(r.IPs) != 1 {
		t.Fatalf("create = %+v, %v", r, err)
	}
	if again, err := p.Create(ctx, request("ezs-svc_1", "ada.example.com")); err != nil || again.ID != r.ID {
		t.Fatalf("a repeated create made %+v, %v (first %s)", again, err, r.ID)
	}
	if orgs, logins, subs, sites := sim.Counts(); orgs != 1 || logins != 1 || subs != 1 || sites != 1 {
		t.Fatalf("%d orgs, %d logins, %d subscriptions, %d websites", orgs, logins, subs, sites)
	}
	// A second service of the same customer joins their organisation.
	second, err := p.Create(ctx, request("ezs-svc_2", "lovelace.example.org"))
	if err != nil || strings.Split(second.ID, "/")[0] != strings.Split(r.ID, "/")[0] {
		t.Fatalf("second = %+v, %v", second, err)
	}
	if err := p.Suspend(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if s, err := p.Status(ctx, r.ID); err != nil || s.State != provisioning.Suspended || s.Detail != "website disabled" {
		t.Fatalf("suspended: %+v, %v", s, err)
	}
	if err := p.Unsuspend(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if s, _ := p.Status(ctx, r.ID); s.State != provisioning.Running {
		t.Fatalf("unsuspended: %+v", s)
	}
	if err := p.Resize(ctx, r.ID, "pln_biz", provisioning.Limits{}); err != nil {
		t.Fatal(err)
	}
	if err := p.Resize(ctx, r.ID, "pln_unmapped", provisioning.Limits{}); !errors.Is(err, provisioning.ErrRejected) {
		t.Fatalf("unmapped plan: %v", err)
	}
	if err := p.Resize(ctx, r.ID, "pln_gone", provisioning.Limits{}); !errors.Is(err, provisioning.ErrRejected) || !strings.Contains(err.Error(), "planId") {
		t.Fatalf("a plan the panel does not have: %v", err)
	}
	link, err := p.LoginURL(ctx, r.ID, provisioning.Owner{})
	if err != nil || !strings.HasPrefix(link, "https://enhance.example.com/sso/") {
		t.Fatalf("sso = %q, %v", link, err)
	}
	if err := p.Terminate(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if err := p.Terminate(ctx, r.ID); err != nil {
		t.Fatalf("terminating twice: %v", err)
	}
	if _, err := p.Status(ctx, r.ID); !errors.Is(err, provisioning.ErrNotFound) {
		t.Fatalf("status after terminate: %v", err)
	}
	if sim.Websites() != 1 {
		t.Fatalf("%d websites left, want the second service's", sim.Websites())
	}
}

func TestUsageAndCredentials(t *testing.T) {
	ctx := context.Background()
	sim, p := setup(t, token)
	r, err := p.Create(ctx, request("ezs-u", "usage.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	sim.SetUsage(1, 3<<30, 7<<30)
	for id, ref := range sim.Refs() {
		if ref == "ezs-u" {
			sim.SetUsage(id, 3<<30, 7<<30)
		}
	}
	u, err := p.Usage(ctx, r.ID)
	if err != nil || u.DiskBytes != 3<<30 || u.NetworkTxBytes != 7<<30 || len(u.Quotas) != 4 {
		t.Fatalf("usage = %+v, %v", u, err)
	}
	if q := u.Quotas[2]; q.Name != "websites" || q.Used != 1 || q.Limit != 1 || q.Unit != "count" {
		t.Fatalf("websites quota = %+v", q)
	}
	c, err := p.Credentials(ctx, r.ID, request("", "").Owner)
	if err != nil || c.Username != "ada@example.com" || c.Password == "" || sim.Password("ada@example.com") != c.Password {
		t.Fatalf("credentials = %+v, %v", c, err)
	}
	// A second subscription keeps the login the customer already uses.
	second, err := p.Create(ctx, request("ezs-u2", "two.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	c2, err := p.Credentials(ctx, second.ID, request("", "").Owner)
	if err != nil || c2.Password != "" || c2.Note == "" || sim.Password("ada@example.com") != c.Password {
		t.Fatalf("second credentials reset the shared login: %+v, %v", c2, err)
	}
}

// A crash after any step leaves something behind; the next attempt adopts
// it, so there is exactly one of each.
func TestCrashAtEveryBoundary(t *testing.T) {
	// Create's calls in order: list customers, POST customer, list logins,
	// POST login, list members, POST member, list subscriptions, POST
	// subscription, list websites, POST website, then status reads.
	for lose := 0; lose < 10; lose++ {
		t.Run("LostReply"+string(rune('A'+lose)), func(t *testing.T) {
			ctx := context.Background()
			sim, p := setup(t, token)
			for range lose {
				sim.Push(simkit.Fault{})
			}
			sim.LoseNextReply()
			// A lost read is read again by the client; a lost POST fails
			// the attempt, and the next one must adopt what it made.
			_, first := p.Create(ctx, request("ezs-c", "crash.example.com"))
			if post := lose%2 == 1; post != (first != nil) {
				t.Fatalf("lost reply %d: first attempt %v", lose, first)
			}
			r, err := p.Create(ctx, request("ezs-c", "crash.example.com"))
			if err != nil || r.Ref != "ezs-c" {
				t.Fatalf("retry = %+v, %v", r, err)
			}
			if orgs, logins, subs, sites := sim.Counts(); orgs != 1 || logins != 1 || subs != 1 || sites != 1 {
				t.Fatalf("%d orgs, %d logins, %d subscriptions, %d websites", orgs, logins, subs, sites)
			}
		})
	}
}

func TestFailureModes(t *testing.T) {
	cases := []struct {
		name   string
		inject func(*enhancesim.Sim)
		want   error
	}{
		// Reads are tried three times (panelhttp), so a lasting fault is three.
		{"RateLimited", func(s *enhancesim.Sim) { s.FailNext(429, 429, 429) }, provisioning.ErrTransient},
		{"ServerError", func(s *enhancesim.Sim) { s.FailNext(500, 502, 503) }, provisioning.ErrTransient},
		{"Timeout", func(s *enhancesim.Sim) { s.HangNext(); s.HangNext(); s.HangNext() }, provisioning.ErrTransient},
		{"MalformedBody", func(s *enhancesim.Sim) { s.MalformNext() }, provisioning.ErrMalformed},
		{"PostFailsOnce", func(s *enhancesim.Sim) { s.Push(simkit.Fault{}); s.FailNext(503) }, provisioning.ErrTransient},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sim, p := setup(t, token)
			c.inject(sim)
			if _, err := p.Create(context.Background(), request("ezs-f", "f.example.com")); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if _, _, subs, _ := sim.Counts(); subs != 0 {
				t.Fatalf("%d subscriptions after a failed create", subs)
			}
		})
	}
	t.Run("BadToken", func(t *testing.T) {
		_, p := setup(t, "wrong")
		if _, err := p.Create(context.Background(), request("ezs-t", "t.example.com")); !errors.Is(err, provisioning.ErrRejected) || !strings.Contains(err.Error(), "credentials were refused") {
			t.Fatalf("bad token: %v", err)
		}
	})
	t.Run("DomainTakenElsewhere", func(t *testing.T) {
		_, p := setup(t, token)
		if _, err := p.Create(context.Background(), request("ezs-a", "taken.example.com")); err != nil {
			t.Fatal(err)
		}
		other := request("ezs-b", "taken.example.com")
		other.Owner = provisioning.Owner{CustomerID: "usr_02XYZ", Email: "grace@example.com", Name: "Grace Hopper"}
		_, err := p.Create(context.Background(), other)
		if !errors.Is(err, provisioning.ErrRejected) || !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("taken domain: %v", err)
		}
	})
	t.Run("UnmappedPlanAndNoDomain", func(t *testing.T) {
		_, p := setup(t, token)
		req := request("ezs-u", "u.example.com")
		req.Plan = "pln_other"
		if _, err := p.Create(context.Background(), req); !errors.Is(err, provisioning.ErrRejected) {
			t.Fatalf("unmapped: %v", err)
		}
		if _, err := p.Create(context.Background(), request("ezs-u", "")); !errors.Is(err, provisioning.ErrRejected) {
			t.Fatalf("no domain: %v", err)
		}
	})
	t.Run("NotOurIDs", func(t *testing.T) {
		_, p := setup(t, token)
		for _, id := range []string{"", "x", "org/0/site", "org/abc/site"} {
			if _, err := p.Status(context.Background(), id); !errors.Is(err, provisioning.ErrNotFound) {
				t.Errorf("%q: %v", id, err)
			}
		}
	})
	t.Run("StatusFaults", func(t *testing.T) {
		sim, p := setup(t, token)
		r, err := p.Create(context.Background(), request("ezs-s", "s.example.com"))
		if err != nil {
			t.Fatal(err)
		}
		sim.FailNext(http.StatusServiceUnavailable) // one passing fault is retried
		if s, err := p.Status(context.Background(), r.ID); err != nil || s.State != provisioning.Running {
			t.Fatalf("after one 503: %+v, %v", s, err)
		}
		sim.MalformNext()
		if _, err := p.Usage(context.Background(), r.ID); !errors.Is(err, provisioning.ErrMalformed) {
			t.Fatalf("malformed usage: %v", err)
		}
	})
}
