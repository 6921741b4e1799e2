package vfsim

import (
	"crypto/rand"
	"net/http"
	"strconv"
	"time"

	"github.com/ezscale/platform/infra/simkit"
)

var (
	body = simkit.Body
	str  = simkit.Str
	num  = simkit.Num
)

func (s *Sim) userByRelation(w http.ResponseWriter, r *http.Request) {
	ext := r.PathValue("ext")
	byStr := r.URL.Query().Get("relStr") == "true"
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if (byStr && u.RelStr == ext) || (!byStr && strconv.Itoa(u.ExtRelationID) == ext) {
			writeJSON(w, http.StatusOK, map[string]any{"data": u.data()})
			return
		}
	}
	notFound(w, "user")
}

func (s *Sim) createUser(w http.ResponseWriter, r *http.Request) {
	b := body(r)
	if str(b, "name") == "" || str(b, "email") == "" {
		writeErrors(w, http.StatusUnprocessableEntity, "The name and email fields are required.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ext, _ := num(b, "extRelationId")
	for _, u := range s.users {
		if (str(b, "relStr") != "" && u.RelStr == str(b, "relStr")) || (ext != 0 && u.ExtRelationID == ext) {
			writeErrors(w, http.StatusConflict, "A user with this external relation already exists.")
			return
		}
	}
	u := &user{ID: s.newID(), RelStr: str(b, "relStr"), Name: str(b, "name"), Email: str(b, "email"), ExtRelationID: ext}
	s.users = append(s.users, u)
	writeJSON(w, http.StatusCreated, map[string]any{"data": u.data()})
}

func (s *Sim) createServer(w http.ResponseWriter, r *http.Request) {
	b := body(r)
	pkg, okPkg := num(b, "packageId")
	uid, okUser := num(b, "userId")
	hv, okHv := num(b, "hypervisorId")
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []string
	if !okPkg || !s.Packages[pkg] {
		errs = append(errs, "The selected package id is invalid.")
	}
	owner := false
	for _, u := range s.users {
		owner = owner || u.ID == uid
	}
	if !okUser || !owner {
		errs = append(errs, "The selected user id is invalid.")
	}
	if !okHv {
		errs = append(errs, "The hypervisor id field is required.")
	}
	if len(errs) > 0 {
		writeErrors(w, http.StatusUnprocessableEntity, errs...)
		return
	}
	if r.URL.Query().Get("dryRun") == "true" {
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"dryRun": true}})
		return
	}
	mem, _ := num(b, "memory")
	cpu, _ := num(b, "cpuCores")
	disk, _ := num(b, "storage")
	traffic, _ := num(b, "traffic")
	id := s.newID()
	sv := &server{ID: id, OwnerID: uid, PackageID: pkg, HypervisorID: hv, UUID: strconv.Itoa(1_000_000 + id), Name: "", Power: "offline",
		Memory: mem, CPUCores: cpu, Storage: disk, Traffic: traffic, Created: time.Now().UTC()}
	s.servers = append(s.servers, sv)
	writeJSON(w, http.StatusCreated, map[string]any{"data": sv.data()})
}

func (s *Sim) userServers(w http.ResponseWriter, r *http.Request) {
	uid := pathInt(r, "userId")
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []any
	for _, sv := range s.servers {
		if sv.OwnerID == uid {
			out = append(out, sv.data())
		}
	}
	if out == nil {
		out = []any{}
	}
	// Laravel's paginator envelope, one page.
	writeJSON(w, http.StatusOK, map[string]any{"current_page": 1, "data": out, "from": 1, "last_page": 1, "per_page": 200, "to": len(out), "total": len(out)})
}

// onServer serves a request about the server in the path under the lock,
// or answers VirtFusion's 404.
func (s *Sim) onServer(fn func(w http.ResponseWriter, r *http.Request, sv *server)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		sv := s.find(pathInt(r, "id"))
		if sv == nil {
			notFound(w, "server")
			return
		}
		fn(w, r, sv)
	}
}

func (s *Sim) getServer(w http.ResponseWriter, r *http.Request, sv *server) {
	sv.reads++
	if sv.Building && sv.reads > s.BuildPolls {
		sv.Building, sv.Built, sv.Power, sv.IPv4 = false, true, "running", ipFor(sv.ID)
	}
	data := sv.data()
	if r.URL.Query().Get("remoteState") == "true" {
		data["remoteState"] = sv.remoteState()
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

// remoteState is the hypervisor's live view as VirtFusion relays it
// (libvirt units: memory in KiB), with made-up but plausible load.
func (sv *server) remoteState() map[string]any {
	if !sv.Built {
		return map[string]any{"state": "shutoff"}
	}
	memKiB := sv.Memory * 1024
	if memKiB == 0 {
		memKiB = 2 * 1024 * 1024
	}
	return map[string]any{"state": sv.Power, "cpu": 12.5,
		"memory": map[string]any{"actual": memKiB, "unused": memKiB / 2, "available": memKiB, "rss": memKiB / 2},
		"disk":   map[string]any{"vda": map[string]any{"rd.bytes": 1 << 30, "wr.bytes": 2 << 30}},
		"agent":  map[string]any{"fsinfo": []any{map[string]any{"mountpoint": "/", "used-bytes": 3 << 30, "total-bytes": 40 << 30}}}}
}

func (s *Sim) build(w http.ResponseWriter, r *http.Request, sv *server) {
	b := body(r)
	os, ok := num(b, "operatingSystemId")
	switch {
	case !ok || !s.Templates[os]:
		writeErrors(w, http.StatusUnprocessableEntity, "The selected operating system id is invalid.")
	case sv.Building:
		locked(w)
	default:
		sv.Name, sv.Hostname, sv.Building, sv.reads = str(b, "name"), str(b, "hostname"), true, 0
		// A reinstall's system has a password nobody has been told.
		sv.Template, sv.Builds, sv.RootPassword = os, sv.Builds+1, ""
		writeJSON(w, http.StatusOK, map[string]any{"data": sv.data()})
	}
}

func (s *Sim) suspend(on bool) http.HandlerFunc {
	return s.onServer(func(w http.ResponseWriter, _ *http.Request, sv *server) {
		switch {
		case sv.Building:
			locked(w)
		default:
			sv.Suspended = on
			if on {
				sv.Power = "offline"
			}
			w.WriteHeader(http.StatusNoContent)
		}
	})
}

func (s *Sim) deleteServer(w http.ResponseWriter, r *http.Request) {
	id := pathInt(r, "id")
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, sv := range s.servers {
		if sv.ID == id {
			s.servers = append(s.servers[:i], s.servers[i+1:]...)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	notFound(w, "server")
}

func (s *Sim) power(w http.ResponseWriter, r *http.Request, sv *server) {
	action := r.PathValue("action")
	next := map[string]string{"boot": "running", "restart": "running", "shutdown": "offline", "poweroff": "offline"}[action]
	switch {
	case next == "":
		writeErrors(w, http.StatusUnprocessableEntity, "Unknown power action.")
	case sv.Building || sv.Suspended || !sv.Built:
		locked(w)
	default:
		sv.Power = next
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"queueId": s.newID()}})
	}
}

func (s *Sim) changePackage(w http.ResponseWriter, r *http.Request, sv *server) {
	pkg := pathInt(r, "packageId")
	switch {
	case !s.Packages[pkg]:
		writeErrors(w, http.StatusUnprocessableEntity, "The selected package is invalid.")
	default:
		sv.PackageID = pkg
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Sim) traffic(w http.ResponseWriter, r *http.Request, sv *server) {
	now := time.Now().UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"monthly": []any{map[string]any{"month": 1, "start": start.Format(time.RFC3339),
		"end": start.AddDate(0, 1, 0).Format(time.RFC3339), "rx": int64(3) << 30, "tx": int64(5) << 30, "total": int64(8) << 30, "limit": sv.Traffic}}}})
}

func (s *Sim) loginToken(w http.ResponseWriter, _ *http.Request, _ *server) {
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"authentication": map[string]any{"tokens": map[string]any{"1": "tok1", "2": "tok2"},
		"endpoint": "/token_login", "endpoint_complete": "/token_login?token1=tok1&token2=tok2", "expiry": map[string]any{"ttl": 60}}}})
}

func (s *Sim) resetPassword(w http.ResponseWriter, r *http.Request, sv *server) {
	b := body(r)
	switch {
	case str(b, "user") != "root" && str(b, "user") != "Administrator":
		writeErrors(w, http.StatusUnprocessableEntity, "The selected user is invalid.")
	case sv.Building || !sv.Built:
		locked(w)
	default:
		sv.RootPassword = rand.Text()[:16]
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"queueId": s.newID(), "expectedPassword": sv.RootPassword}})
	}
}
