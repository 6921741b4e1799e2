// Package enhancesim simulates the Enhance control panel's "orchd" API
// for make dev and tests, as ../shared/apis (§4) documents it: a Bearer
// access token and a master organisation every path is scoped under;
// customer organisations, logins (409 when the e-mail exists), members
// with roles, plans with resources, subscriptions (soft delete, suspend,
// change of plan, resource usage), websites by domain, one-time SSO
// links; offset/limit pagination with {"items","total"}; errors as
// {"code","detail","message"}. Faults can be injected like the other
// simulators (statuses, latency, a hang, a malformed body, a lost reply),
// and the state survives restarts.
package enhancesim

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ezscale/platform/infra/simkit"
)

// Sim is one simulated Enhance cluster.
type Sim struct {
	Token  string
	Master string // the master organisation's id
	// Base is where SSO links point (the panel's own UI).
	Base string

	simkit.Faults

	mu     sync.Mutex
	st     state
	now    func() time.Time
	keeper simkit.Keeper[state]
}

// Plan is a hosting plan at the panel.
type Plan struct {
	ID        int        `json:"id"`
	Name      string     `json:"name"`
	PlanType  string     `json:"planType"`
	Resources []Resource `json:"resources"`
}

// Resource is a plan allowance (and, on a subscription, its usage).
type Resource struct {
	Name  string `json:"name"`
	Total *int64 `json:"total"` // nil: unlimited
	Usage int64  `json:"usage"`
}

type org struct {
	ID, ParentID, Name, Status      string
	OwnerEmail, OwnerID, OwnerLogin string
	SuspendedBy                     *string
	CreatedAt                       time.Time
}

type login struct{ ID, Email, Name, Password string }

type member struct {
	ID, OrgID, LoginID string
	Roles              []string
}

type subscription struct {
	ID            int
	OrgID         string
	PlanID        int
	FriendlyName  string
	Status        string // active, deleted
	SuspendedBy   *string
	DiskUsage     int64
	TransferUsage int64
	CreatedAt     time.Time
}

type website struct {
	ID, OrgID, Domain string
	SubscriptionID    int
	Status            string // active, disabled, deleted
	SuspendedBy       *string
	IP                string
	CreatedAt         time.Time
}

// state is what the state file holds; ids keep counting across restarts.
type state struct {
	Plans    []Plan          `json:"plans"`
	Orgs     []*org          `json:"orgs"`
	Logins   []*login        `json:"logins"`
	Members  []*member       `json:"members"`
	Subs     []*subscription `json:"subscriptions"`
	Websites []*website      `json:"websites"`
	Seq      int             `json:"seq"`
}

// New returns a simulator with plans (their ids as given).
func New(token, master, base string, plans ...Plan) *Sim {
	s := &Sim{Token: token, Master: master, Base: strings.TrimRight(base, "/"), now: time.Now}
	s.st.Plans = plans
	s.st.Orgs = []*org{{ID: master, Name: "EZSCALE", Status: "active", CreatedAt: s.now().UTC()}}
	return s
}

// Keep restores the state f saved last and saves every change from now
// on, before the change is answered. Plans stay as configured.
func (s *Sim) Keep(f simkit.StateFile) error {
	s.keeper = simkit.Keeper[state]{File: f, Mu: &s.mu, Name: "enhance",
		Get: func() state { return s.st },
		Set: func(st state) { st.Plans = s.st.Plans; s.st = st }}
	return s.keeper.Restore()
}

func (s *Sim) save() { s.keeper.Save() }

func (s *Sim) id() string {
	s.st.Seq++
	n := s.st.Seq
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", n*2654435761%(1<<32), n)
}

// Websites counts the websites that are not deleted (tests).
func (s *Sim) Websites() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, w := range s.st.Websites {
		if w.Status != "deleted" {
			n++
		}
	}
	return n
}

// Counts are how many customer orgs, logins, live subscriptions and live
// websites exist (tests check that retries made no twins).
func (s *Sim) Counts() (orgs, logins, subs, sites int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.st.Orgs {
		if o.ID != s.Master {
			orgs++
		}
	}
	for _, x := range s.st.Subs {
		if x.Status != "deleted" {
			subs++
		}
	}
	for _, w := range s.st.Websites {
		if w.Status != "deleted" {
			sites++
		}
	}
	return orgs, len(s.st.Logins), subs, sites
}

// SetUsage sets a subscription's disk and transfer use in bytes (tests
// and the demo).
func (s *Sim) SetUsage(subID int, disk, transfer int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.st.Subs {
		if x.ID == subID {
			x.DiskUsage, x.TransferUsage = disk, transfer
		}
	}
}

// Refs maps live subscription ids to their friendly names (our refs).
func (s *Sim) Refs() map[int]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int]string{}
	for _, x := range s.st.Subs {
		if x.Status != "deleted" {
			out[x.ID] = x.FriendlyName
		}
	}
	return out
}

// Rename gives a subscription another friendly name (tests: a panel
// whose ids were reused).
func (s *Sim) Rename(subID int, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.st.Subs {
		if x.ID == subID {
			x.FriendlyName = name
		}
	}
}

// httpError is Enhance's error model.
func httpError(w http.ResponseWriter, status int, code, detail string) {
	simkit.JSON(w, status, map[string]any{"code": code, "detail": detail, "message": http.StatusText(status)})
}

// Handler serves the API under /api.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, fn http.HandlerFunc) { mux.HandleFunc(pattern, s.guard(fn)) }
	h("GET /api/orgs/{org}", s.getOrg)
	h("GET /api/orgs/{org}/plans", s.listPlans)
	h("POST /api/orgs/{org}/customers", s.createCustomer)
	h("GET /api/orgs/{org}/customers", s.listCustomers)
	h("POST /api/logins", s.createLogin)
	h("GET /api/v2/orgs/{org}/customers/logins", s.listLogins)
	h("PUT /api/v2/logins/{login}/password", s.setPassword)
	h("POST /api/orgs/{org}/members", s.addMember)
	h("GET /api/orgs/{org}/members", s.listMembers)
	h("GET /api/orgs/{org}/members/{member}/sso", s.sso)
	h("POST /api/orgs/{org}/customers/{customer}/subscriptions", s.createSubscription)
	h("GET /api/orgs/{org}/subscriptions", s.listSubscriptions)
	h("GET /api/orgs/{org}/subscriptions/{sub}", s.getSubscription)
	h("PATCH /api/orgs/{org}/subscriptions/{sub}", s.patchSubscription)
	h("DELETE /api/orgs/{org}/subscriptions/{sub}", s.deleteSubscription)
	h("GET /api/orgs/{org}/subscriptions/{sub}/bandwidth", s.bandwidth)
	h("POST /api/orgs/{org}/websites", s.createWebsite)
	h("GET /api/orgs/{org}/websites", s.listWebsites)
	h("PATCH /api/orgs/{org}/websites/{site}", s.patchWebsite)
	h("DELETE /api/orgs/{org}/websites/{site}", s.deleteWebsite)
	mux.HandleFunc("GET /sso/{token}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprintf(w, "<!doctype html><title>Enhance</title><h1>Enhance control panel</h1><p>Signed in with one-time link %s.</p>", r.PathValue("token"))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		httpError(w, http.StatusNotFound, "not_found", "no such route")
	})
	return mux
}

// guard checks the token, applies faults and the JSON body check, and
// saves state changes before answering.
func (s *Sim) guard(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); tok != s.Token || s.Token == "" {
			httpError(w, http.StatusUnauthorized, "unauthorized", "invalid access token")
			return
		}
		simkit.Serve(w, r, s.Next(), func(w http.ResponseWriter, status int) {
			if status == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "1")
			}
			httpError(w, status, "simulated", "simulated failure")
		}, func(w http.ResponseWriter) {
			httpError(w, http.StatusBadRequest, "bad_request", "the request body is not valid JSON")
		}, simkit.Persisted(s.save, h))
	}
}

// SetPlans replaces the panel's plans (the local stack mirrors the
// catalog's hosting plans once they are seeded).
func (s *Sim) SetPlans(plans ...Plan) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Plans = plans
}
