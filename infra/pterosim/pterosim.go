// Package pterosim simulates the Pterodactyl Panel v1 API (application
// and client) for make dev and tests, as ../shared/apis documents it:
// Bearer keys with the ptla_/ptlc_ prefixes (an application key on a
// client endpoint is 403), the {"object","attributes"} envelope, list
// pagination under meta.pagination, filter[...] queries, the errors array
// (422 per failed rule with meta.source_field and meta.rule, unique
// external_id on users and servers), per-minute rate limits answering 429
// with Retry-After, and servers that install for a while before they are
// ready. Faults can be injected: statuses, latency, a hang, a malformed
// body, and a create whose response is lost after the server was made.
package pterosim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ezscale/platform/infra/simkit"
)

// Sim is one simulated panel.
type Sim struct {
	AppKey, ClientKey string
	// AppLimit and ClientLimit are requests per minute per key (the
	// panel's defaults: 240 and 720).
	AppLimit, ClientLimit int
	// InstallPolls is how many reads of a new server still say
	// "installing".
	InstallPolls int

	// Faults injects failures (see simkit): statuses (429 answers with
	// the rate-limit body), latency, hangs, malformed bodies, lost replies.
	simkit.Faults

	mu      sync.Mutex
	users   []*user
	servers []*server
	seq     int
	windows map[string][]time.Time
	now     func() time.Time
	keeper  simkit.Keeper[pteroState]
}

// pteroState is what the state file holds: ids keep counting up across
// restarts, as a real panel's do.
type pteroState struct {
	Users   []*user   `json:"users"`
	Servers []*server `json:"servers"`
	Seq     int       `json:"seq"`
}

// Keep restores the state f saved last and saves every change to it from
// now on, before the change is answered. Limits come back as float64, as
// decoding the request bodies made them.
func (s *Sim) Keep(f simkit.StateFile) error {
	s.keeper = simkit.Keeper[pteroState]{File: f, Mu: &s.mu, Name: "pterodactyl",
		Get: func() pteroState { return pteroState{Users: s.users, Servers: s.servers, Seq: s.seq} },
		Set: func(st pteroState) {
			for _, sv := range st.Servers {
				sv.Limits, _ = simkit.Floats(sv.Limits).(map[string]any)
				sv.FeatureLimits, _ = simkit.Floats(sv.FeatureLimits).(map[string]any)
			}
			s.users, s.servers, s.seq = st.Users, st.Servers, st.Seq
		}}
	return s.keeper.Restore()
}

func (s *Sim) save() { s.keeper.Save() }

type user struct {
	ID                                             int
	ExternalID, UUID, Username, Email, First, Last string
	Password                                       string
}

type server struct {
	ID                                 int
	ExternalID, UUID, Identifier, Name string
	User, Egg, Location                int
	Status                             string // "", installing, suspended
	Power                              string // running, offline
	Limits, FeatureLimits              map[string]any
	Reinstalls                         int
	reads                              int
	Created                            time.Time
}

// New returns a simulator with the panel's default limits.
func New(appKey, clientKey string) *Sim {
	return &Sim{AppKey: appKey, ClientKey: clientKey, AppLimit: 240, ClientLimit: 720, InstallPolls: 2, windows: map[string][]time.Time{}, now: time.Now}
}

// Reinstalls counts the reinstalls of the server with external id ext.
func (s *Sim) Reinstalls(ext string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sv := range s.servers {
		if sv.ExternalID == ext {
			return sv.Reinstalls
		}
	}
	return 0
}

// Password is the panel password of the user with external id ext.
func (s *Sim) Password(ext string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.ExternalID == ext {
			return u.Password
		}
	}
	return ""
}

// MemoryOf is the server's memory limit in MiB (0 when there is no such
// server).
func (s *Sim) MemoryOf(id int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sv := range s.servers {
		if sv.ID == id {
			m, _ := sv.Limits["memory"].(float64)
			return int(m)
		}
	}
	return 0
}

// Reassign gives server id another external id, as when the panel is
// restored from a backup and the id now belongs to someone else's server.
func (s *Sim) Reassign(id int, externalID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sv := range s.servers {
		if sv.ID == id {
			sv.ExternalID = externalID
		}
	}
}

// Refs maps every server's id to its external id (our reference).
func (s *Sim) Refs() map[int]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int]string, len(s.servers))
	for _, sv := range s.servers {
		out[sv.ID] = sv.ExternalID
	}
	return out
}

// Servers returns how many servers exist (tests assert "exactly one").
func (s *Sim) Servers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.servers)
}

type apiError struct {
	Code, Detail, Field, Rule string
}

func writeErrors(w http.ResponseWriter, status int, errs ...apiError) {
	out := make([]map[string]any, 0, len(errs))
	for _, e := range errs {
		m := map[string]any{"code": e.Code, "status": strconv.Itoa(status), "detail": e.Detail}
		if e.Field != "" {
			m["meta"] = map[string]string{"source_field": e.Field, "rule": e.Rule}
		}
		out = append(out, m)
	}
	writeJSON(w, status, map[string]any{"errors": out})
}

func writeJSON(w http.ResponseWriter, status int, v any) { simkit.JSON(w, status, v) }

func notFound(w http.ResponseWriter) {
	writeErrors(w, http.StatusNotFound, apiError{Code: "NotFoundHttpException", Detail: "The requested resource could not be found on the server."})
}

// Handler serves /api/application/... and /api/client/....
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	app := func(pattern string, h http.HandlerFunc) { mux.HandleFunc(pattern, s.guard("application", h)) }
	cli := func(pattern string, h http.HandlerFunc) { mux.HandleFunc(pattern, s.guard("client", h)) }
	app("GET /api/application/users", s.listUsers)
	app("GET /api/application/users/external/{ext}", s.userByExternal)
	app("POST /api/application/users", s.createUser)
	app("PATCH /api/application/users/{id}", s.updateUser)
	app("GET /api/application/servers", s.listServers)
	app("POST /api/application/servers", s.createServer)
	app("GET /api/application/servers/external/{ext}", s.serverByExternal)
	app("GET /api/application/servers/{id}", s.getServer)
	app("POST /api/application/servers/{id}/suspend", s.suspend(true))
	app("POST /api/application/servers/{id}/unsuspend", s.suspend(false))
	app("PATCH /api/application/servers/{id}/build", s.build)
	app("POST /api/application/servers/{id}/reinstall", s.reinstall)
	app("DELETE /api/application/servers/{id}", s.deleteServer)
	cli("POST /api/client/servers/{identifier}/power", s.power)
	cli("GET /api/client/servers/{identifier}/resources", s.resources)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { notFound(w) })
	return mux
}

// guard applies auth, the rate limit, faults and the JSON body check.
func (s *Sim) guard(api string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		switch {
		case api == "application" && key == s.AppKey, api == "client" && key == s.ClientKey:
		case api == "client" && key == s.AppKey:
			writeErrors(w, http.StatusForbidden, apiError{Code: "AccessDeniedHttpException", Detail: "You are attempting to use an application API key on an endpoint that requires a client API key."})
			return
		default:
			writeErrors(w, http.StatusUnauthorized, apiError{Code: "AuthenticationException", Detail: "Unauthenticated."})
			return
		}
		f := s.Next()
		s.mu.Lock()
		limit := s.AppLimit
		if api == "client" {
			limit = s.ClientLimit
		}
		now := s.now()
		win := s.windows[key][:0]
		for _, t := range s.windows[key] {
			if now.Sub(t) < time.Minute {
				win = append(win, t)
			}
		}
		limited := len(win) >= limit
		if !limited {
			win = append(win, now)
		}
		s.windows[key] = win
		s.mu.Unlock()
		if limited {
			f.Status = http.StatusTooManyRequests
		}
		simkit.Serve(w, r, f, func(w http.ResponseWriter, status int) {
			if status == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "1")
				writeErrors(w, status, apiError{Code: "TooManyRequestsHttpException", Detail: "Too Many Attempts."})
				return
			}
			writeErrors(w, status, apiError{Code: "HttpException", Detail: "simulated failure"})
		}, func(w http.ResponseWriter) {
			writeErrors(w, http.StatusBadRequest, apiError{Code: "BadRequestHttpException", Detail: "The JSON data passed in the request appears to be malformed."})
		}, simkit.Persisted(s.save, h))
	}
}

func (s *Sim) newID() int { s.seq++; return s.seq }

func uuid(n int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", n*2654435761%(1<<32), n) }
