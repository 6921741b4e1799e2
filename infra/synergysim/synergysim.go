// Package synergysim simulates SynergyCP's API for make dev and tests, as
// ../shared/apis (§3) documents it: the API key as the `key` query
// parameter; the body envelope {"error", "messages":[{"text"}], "data"}
// with errors reported in the body (some with HTTP 200, as the SDK reads
// only the body); Laravel pagination (page, per_page → data.{data,
// current_page, last_page, total}); clients found by billing id or
// e-mail; an inventory of servers (CPU, RAM, disks, location) found by
// their billing filters and `available=true`; provision, primary access
// suspend/unsuspend, release with a wipe, client keys for IPMI power, SSO
// and bandwidth usage in bits. Faults can be injected like the other
// simulators, and the state survives restarts.
package synergysim

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/ezscale/platform/infra/simkit"
)

// Server is one machine in the inventory.
type Server struct {
	ID       int    `json:"id"`
	SrvID    string `json:"srv_id"` // the label on the rack
	Nickname string `json:"nickname"`
	CPU      string `json:"cpu_billing"`   // e.g. "e3-1230v6"
	Mem      string `json:"mem_billing"`   // e.g. "32gb"
	Disks    string `json:"disks_billing"` // e.g. "2x480gb-ssd"
	Location string `json:"location"`
	// Assigned to a client, with our service id as its billing id.
	ClientID  int    `json:"client_id"`
	BillingID string `json:"billing_id"`
	PXE       string `json:"pxe_profile"`
	PortSpeed string `json:"port_speed"`
	Power     string `json:"power"` // on, off
	Active    bool   `json:"access_active"`
	Reason    string `json:"suspension_reason"`
	AccessID  int    `json:"access_id"`
	UsedBits  int64  `json:"used_bits"`
	MaxBits   int64  `json:"max_bits"`
	IP        string `json:"ip"`
	Wipes     int    `json:"wipes"`
	// VIP servers ignore automatic suspension and wipes (data.ignored).
	VIP bool `json:"vip"`
}

type client struct {
	ID                 int
	Email, First, Last string
	BillingID          string
	Keys               []string
}

type state struct {
	Servers []*Server `json:"servers"`
	Clients []*client `json:"clients"`
	Seq     int       `json:"seq"`
}

// Sim is one simulated SynergyCP installation.
type Sim struct {
	Key string
	// Base is where SSO links point (the client area).
	Base string
	// PXE lists the OS install profiles (billing ids) the installation has.
	PXE []string

	simkit.Faults

	mu     sync.Mutex
	st     state
	keeper simkit.Keeper[state]
}

// New returns a simulator with the inventory given (ids as given).
func New(key, base string, pxe []string, inventory ...Server) *Sim {
	s := &Sim{Key: key, Base: strings.TrimRight(base, "/"), PXE: pxe}
	for i := range inventory {
		sv := inventory[i]
		sv.Power = "off"
		s.st.Servers = append(s.st.Servers, &sv)
		s.st.Seq = max(s.st.Seq, sv.ID)
	}
	return s
}

// Keep restores the state f saved last and saves every change from now
// on, before the change is answered.
func (s *Sim) Keep(f simkit.StateFile) error {
	s.keeper = simkit.Keeper[state]{File: f, Mu: &s.mu, Name: "synergycp",
		Get: func() state { return s.st },
		Set: func(st state) { s.st = st }}
	return s.keeper.Restore()
}

func (s *Sim) save() { s.keeper.Save() }

func (s *Sim) next() int { s.st.Seq++; return s.st.Seq }

// Inventory returns a copy of every server (tests, the admin demo).
func (s *Sim) Inventory() []Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Server, 0, len(s.st.Servers))
	for _, sv := range s.st.Servers {
		out = append(out, *sv)
	}
	return out
}

// Assigned counts servers assigned to a client.
func (s *Sim) Assigned() int {
	n := 0
	for _, sv := range s.Inventory() {
		if sv.ClientID != 0 {
			n++
		}
	}
	return n
}

// Take assigns a server to someone else behind our back (tests: inventory
// that vanishes between offer and assignment).
func (s *Sim) Take(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sv := range s.st.Servers {
		if sv.ID == id {
			sv.ClientID, sv.BillingID = 999, "other-billing"
		}
	}
}

// SetUsage sets a server's traffic this cycle, in bits.
func (s *Sim) SetUsage(id int, used int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sv := range s.st.Servers {
		if sv.ID == id {
			sv.UsedBits = used
		}
	}
}

// ok writes the success envelope.
func ok(w http.ResponseWriter, data any) {
	simkit.JSON(w, http.StatusOK, map[string]any{"error": false, "messages": []any{}, "data": data})
}

// fail writes the error envelope with status (200 for errors the API
// reports only in the body).
func fail(w http.ResponseWriter, status int, text string) {
	simkit.JSON(w, status, map[string]any{"error": true, "messages": []map[string]string{{"text": text}}, "data": nil})
}

// Handler serves the API (paths appended to the API host, as the SDK
// does) and the SSO landing page.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, fn http.HandlerFunc) { mux.HandleFunc(pattern, s.guard(fn)) }
	h("GET /client", s.listClients)
	h("POST /client", s.createClient)
	h("POST /key", s.createKey)
	h("GET /server", s.listServers)
	h("GET /server/{id}", s.getServer)
	h("POST /server/provision", s.provision)
	h("PATCH /server/{id}", s.patchServer)
	h("GET /server/{id}/access", s.listAccess)
	h("PATCH /server/{id}/access/{access}", s.patchAccess)
	h("GET /server/{id}/control", s.listControls)
	h("POST /server/{id}/control/{control}/command", s.command)
	h("GET /entity", s.entities)
	mux.HandleFunc("GET /auth/sso", s.sso)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fail(w, http.StatusNotFound, "Route not found.") })
	return mux
}

// guard checks the integration key (or a client key), applies faults and
// the JSON body check, and saves changes before answering.
func (s *Sim) guard(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.known(r.URL.Query().Get("key")) {
			fail(w, http.StatusUnauthorized, "Unauthenticated.")
			return
		}
		simkit.Serve(w, r, s.Next(), func(w http.ResponseWriter, status int) {
			if status == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "1")
			}
			fail(w, status, fmt.Sprintf("simulated failure (HTTP %d)", status))
		}, func(w http.ResponseWriter) {
			fail(w, http.StatusBadRequest, "The request body is not valid JSON.")
		}, simkit.Persisted(s.save, h))
	}
}

func (s *Sim) known(key string) bool {
	if key == "" {
		return false
	}
	if key == s.Key {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clientOfKey(key) != nil
}

func (s *Sim) clientOfKey(key string) *client {
	for _, c := range s.st.Clients {
		for _, k := range c.Keys {
			if k == key {
				return c
			}
		}
	}
	return nil
}

func newKey() string { return strings.ToLower(rand.Text()) }

// sso is the browser landing page for a client key.
func (s *Sim) sso(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	c := s.clientOfKey(r.URL.Query().Get("key"))
	s.mu.Unlock()
	if c == nil {
		http.Error(w, "This link has expired.", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = fmt.Fprintf(w, "<!doctype html><title>SynergyCP</title><h1>SynergyCP client area</h1><p>Signed in as %s, viewing %s %s.</p>",
		c.Email, r.URL.Query().Get("view_type"), r.URL.Query().Get("view_id"))
}

// Refs maps assigned servers to their billing ids (the service numbers).
func (s *Sim) Refs() map[int]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int]string{}
	for _, sv := range s.st.Servers {
		if sv.BillingID != "" {
			out[sv.ID] = sv.BillingID
		}
	}
	return out
}
