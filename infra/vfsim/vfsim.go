// Package vfsim simulates VirtFusion's Global API v1 (VPS) for make dev
// and tests, as ../shared/apis documents it: /api/v1 with a Bearer token
// (401 with an empty body), answers wrapped in "data", errors as an
// "errors" array (older endpoints: "msg"), 423 Locked while a server has
// an operation in progress, Laravel pagination (results, page), users
// found by their external relation (relStr), servers that are created
// unbuilt, then built from an OS template (commissioned after a few
// reads), power actions as queue items, traffic and live state. Faults
// can be injected like the Pterodactyl simulator's.
package vfsim

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/ezscale/platform/infra/simkit"
)

// Sim is one simulated VirtFusion control server.
type Sim struct {
	Token string
	// BuildPolls is how many reads of a server being built still say so.
	BuildPolls int
	// Packages and Templates are the ids that exist.
	Packages, Templates map[int]bool

	// Faults injects failures (see simkit).
	simkit.Faults

	mu      sync.Mutex
	users   []*user
	servers []*server
	seq     int
	keeper  simkit.Keeper[vfState]
}

// vfState is what the state file holds: ids keep counting up across
// restarts, as a real panel's do.
type vfState struct {
	Users   []*user   `json:"users"`
	Servers []*server `json:"servers"`
	Seq     int       `json:"seq"`
}

// Keep restores the state f saved last and saves every change to it from
// now on, before the change is answered.
func (s *Sim) Keep(f simkit.StateFile) error {
	s.keeper = simkit.Keeper[vfState]{File: f, Mu: &s.mu, Name: "virtfusion",
		Get: func() vfState { return vfState{Users: s.users, Servers: s.servers, Seq: s.seq} },
		Set: func(st vfState) { s.users, s.servers, s.seq = st.Users, st.Servers, st.Seq }}
	return s.keeper.Restore()
}

func (s *Sim) save() { s.keeper.Save() }

type user struct {
	ID            int
	RelStr, Name  string
	Email         string
	ExtRelationID int
}

type server struct {
	ID, OwnerID, PackageID, HypervisorID int
	UUID, Name, Hostname                 string
	Built, Building, Suspended           bool
	Power                                string
	Memory, CPUCores, Storage, Traffic   int
	IPv4, RootPassword                   string
	// Template is the OS installed last; Builds counts installs.
	Template, Builds int
	reads            int
	Created          time.Time
}

// New returns a simulator knowing packages 1–3 and templates 1–6.
func New(token string) *Sim {
	return &Sim{Token: token, BuildPolls: 2, Packages: map[int]bool{1: true, 2: true, 3: true}, Templates: map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true}}
}

// Servers returns how many servers exist.
func (s *Sim) Servers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.servers)
}

// RootPassword is the server's root password (tests compare it with what
// the customer was given).
func (s *Sim) RootPassword(id int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sv := s.find(id); sv != nil {
		return sv.RootPassword
	}
	return ""
}

// Installs is the template the server's last install used and how many
// installs it has had (0, 0 when there is no such server).
func (s *Sim) Installs(id int) (template, builds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sv := s.find(id); sv != nil {
		return sv.Template, sv.Builds
	}
	return 0, 0
}

// PackageOf is the server's package (0 when there is no such server).
func (s *Sim) PackageOf(id int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sv := s.find(id); sv != nil {
		return sv.PackageID
	}
	return 0
}

// Reassign gives server id another name, as when the panel is restored
// from a backup and the id now belongs to a server someone else ordered.
func (s *Sim) Reassign(id int, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sv := s.find(id); sv != nil {
		sv.Name = name
	}
}

// Refs maps every server's id to its name (our reference).
func (s *Sim) Refs() map[int]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int]string, len(s.servers))
	for _, sv := range s.servers {
		out[sv.ID] = sv.Name
	}
	return out
}

// Suspended reports whether server id is suspended.
func (s *Sim) Suspended(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv := s.find(id)
	return sv != nil && sv.Suspended
}

// Lock marks a server busy (the next suspend, build or power answers 423).
func (s *Sim) Lock(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sv := range s.servers {
		if sv.ID == id {
			sv.Building = true
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) { simkit.JSON(w, status, v) }

func writeErrors(w http.ResponseWriter, status int, msgs ...string) {
	writeJSON(w, status, map[string]any{"errors": msgs})
}

// Handler serves /api/v1/....
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, fn http.HandlerFunc) { mux.HandleFunc(pattern, s.guard(fn)) }
	h("GET /api/v1/connect", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"data": map[string]any{}})
	})
	h("GET /api/v1/users/{ext}/byExtRelation", s.userByRelation)
	h("POST /api/v1/users", s.createUser)
	h("POST /api/v1/servers", s.createServer)
	h("GET /api/v1/servers/user/{userId}", s.userServers)
	h("GET /api/v1/servers/{id}", s.onServer(s.getServer))
	h("POST /api/v1/servers/{id}/build", s.onServer(s.build))
	h("POST /api/v1/servers/{id}/suspend", s.suspend(true))
	h("POST /api/v1/servers/{id}/unsuspend", s.suspend(false))
	h("DELETE /api/v1/servers/{id}", s.deleteServer)
	h("POST /api/v1/servers/{id}/power/{action}", s.onServer(s.power))
	h("PUT /api/v1/servers/{id}/package/{packageId}", s.onServer(s.changePackage))
	h("POST /api/v1/servers/{id}/resetPassword", s.onServer(s.resetPassword))
	// "/servers/{id}/traffic" would clash with "/servers/user/{userId}" in
	// net/http's mux, so one pattern serves the server's sub-resources.
	h("GET /api/v1/servers/{id}/{what}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("what") != "traffic" {
			notFound(w, "resource")
			return
		}
		s.onServer(s.traffic)(w, r)
	})
	h("POST /api/v1/users/{ext}/serverAuthenticationTokens/{id}", s.onServer(s.loginToken))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 404, map[string]any{"msg": "not found"}) })
	return mux
}

func (s *Sim) guard(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+s.Token {
			w.WriteHeader(http.StatusUnauthorized) // VirtFusion: empty body
			return
		}
		simkit.Serve(w, r, s.Next(), func(w http.ResponseWriter, status int) {
			if status == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "2")
				writeErrors(w, status, "Too Many Attempts.")
				return
			}
			writeErrors(w, status, "simulated failure")
		}, func(w http.ResponseWriter) {
			writeErrors(w, http.StatusBadRequest, "The request body is not valid JSON.")
		}, simkit.Persisted(s.save, fn))
	}
}

func (s *Sim) newID() int { s.seq++; return s.seq }

func (u *user) data() map[string]any {
	return map[string]any{"id": u.ID, "extRelationId": u.ExtRelationID, "relStr": u.RelStr, "name": u.Name, "email": u.Email, "enabled": true}
}

func (sv *server) data() map[string]any {
	state := "complete"
	if !sv.Built {
		state = "queued"
	}
	var ipv4 []any
	if sv.IPv4 != "" {
		ipv4 = []any{map[string]any{"address": sv.IPv4, "gateway": "203.0.113.1", "netmask": "255.255.255.0"}}
	}
	return map[string]any{"id": sv.ID, "ownerId": sv.OwnerID, "hypervisorId": sv.HypervisorID, "name": sv.Name, "hostname": sv.Hostname, "uuid": sv.UUID,
		"state": state, "commissionStatus": boolInt(sv.Built), "suspended": sv.Suspended, "protected": false, "buildFailed": false, "built": sv.Built,
		"created": sv.Created.Format(time.RFC3339), "updated": sv.Created.Format(time.RFC3339),
		"settings": map[string]any{"resources": map[string]any{"memory": sv.Memory, "storage": sv.Storage, "traffic": sv.Traffic, "cpuCores": sv.CPUCores}},
		"network":  map[string]any{"interfaces": []any{map[string]any{"mac": "52:54:00:12:34:56", "ipv4": ipv4, "ipv6": []any{}}}},
		"owner":    map[string]any{"id": sv.OwnerID},
		"tasks":    map[string]any{"active": sv.Building}}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func pathInt(r *http.Request, name string) int {
	n, _ := strconv.Atoi(r.PathValue(name))
	return n
}

func (s *Sim) find(id int) *server {
	for _, sv := range s.servers {
		if sv.ID == id {
			return sv
		}
	}
	return nil
}

func notFound(w http.ResponseWriter, what string) {
	writeJSON(w, http.StatusNotFound, map[string]any{"msg": what + " not found"})
}

func locked(w http.ResponseWriter) {
	writeJSON(w, http.StatusLocked, map[string]any{"msg": "The server has an operation in progress."})
}

func ipFor(id int) string { return fmt.Sprintf("203.0.113.%d", 10+id%240) }
