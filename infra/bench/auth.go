package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"time"

	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/passwords"
)

func pct(lat []time.Duration, p int) time.Duration {
	slices.Sort(lat)
	return lat[len(lat)*p/100].Round(10 * time.Microsecond)
}

// benchAuth prints sign-in latency with the production argon2id parameters
// and what session authentication adds to a request.
func benchAuth() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ezscale-bench-auth")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	clk := clock.NewFake(time.Now())
	p, _, _, err := platform(ctx, dir, clk, map[string]string{"COOKIE_SECURE": "false"})
	if err != nil {
		return err
	}
	if _, err := p.Accounts.CreateUser(ctx, accounts.NewUser{Email: "bench@example.com", Name: "Bench", Password: "correct horse battery staple", Role: accounts.Customer, Verified: true}); err != nil {
		return err
	}
	const logins = 40
	lat := make([]time.Duration, logins)
	var token string
	for i := range lat {
		start := time.Now()
		res, err := p.Accounts.Login(ctx, "bench@example.com", "correct horse battery staple", accounts.Meta{IP: fmt.Sprintf("192.0.2.%d", i)})
		if err != nil {
			return err
		}
		lat[i] = time.Since(start)
		token = res.Token
		clk.Advance(11 * time.Minute) // stay clear of the per-e-mail sign-in limit
	}
	d := passwords.Default
	fmt.Printf("Sign-in (argon2id m=%d MiB, t=%d, p=%d; %d sign-ins on this machine)\n", d.Memory/1024, d.Time, d.Threads, logins)
	fmt.Printf("  p50 %v   p99 %v\n", pct(lat, 50), pct(lat, 99))
	// A wrong password for a registered e-mail and for an unknown one must
	// not tell them apart: same status, same work, interleaved so drift
	// hits both alike.
	known, unknown := make([]time.Duration, logins), make([]time.Duration, logins)
	for i := range logins {
		for _, c := range []struct {
			email string
			into  []time.Duration
		}{{"bench@example.com", known}, {fmt.Sprintf("nobody%d@example.com", i), unknown}} {
			start := time.Now()
			_, err := p.Accounts.Login(ctx, c.email, "not the password at all", accounts.Meta{IP: fmt.Sprintf("198.51.100.%d", i)})
			c.into[i] = time.Since(start)
			if apperr.CodeOf(err) != apperr.Unauthorized {
				return fmt.Errorf("wrong password for %s: %v", c.email, err)
			}
		}
	}
	fmt.Printf("  wrong password, registered e-mail   p50 %v   p90 %v   (401)\n", pct(known, 50), pct(known, 90))
	fmt.Printf("  wrong password, unknown e-mail      p50 %v   p90 %v   (401)\n\n", pct(unknown, 50), pct(unknown, 90))

	h := p.Handler("")
	run := func(path string, withSession bool, want int) []time.Duration {
		out := make([]time.Duration, 2000)
		for i := range out {
			req := httptest.NewRequest("GET", path, nil)
			if withSession {
				req.AddCookie(&http.Cookie{Name: "ezs_session", Value: token})
			}
			rec := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(rec, req)
			out[i] = time.Since(start)
			if rec.Code != want {
				panic(fmt.Sprintf("%s: %d %s", path, rec.Code, rec.Body))
			}
		}
		return out
	}
	anon := run("/v1/me", false, 401)  // the same route and middleware, refused before any read
	authed := run("/v1/me", true, 200) // session + user reads, then the answer
	fmt.Println("Per-request authentication overhead (in process, embedded store, 2000 requests each)")
	fmt.Printf("  GET /v1/me (no cookie, 401)      p50 %v   p99 %v\n", pct(anon, 50), pct(anon, 99))
	fmt.Printf("  GET /v1/me (session cookie)      p50 %v   p99 %v\n", pct(authed, 50), pct(authed, 99))
	fmt.Printf("  authentication adds about        p50 %v   p99 %v (two consistent GetItems: session, user)\n\n", pct(authed, 50)-pct(anon, 50), pct(authed, 99)-pct(anon, 99))
	return nil
}
