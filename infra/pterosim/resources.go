package pterosim

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ezscale/platform/infra/simkit"
)

var (
	body = simkit.Body
	str  = simkit.Str
	num  = simkit.Num
)

func (u *user) item() map[string]any {
	var ext any
	if u.ExternalID != "" {
		ext = u.ExternalID
	}
	return map[string]any{"object": "user", "attributes": map[string]any{"id": u.ID, "external_id": ext, "uuid": u.UUID, "username": u.Username,
		"email": u.Email, "first_name": u.First, "last_name": u.Last, "language": "en", "root_admin": false, "2fa": false,
		"created_at": "2026-11-26T00:00:00+00:00", "updated_at": "2026-11-26T00:00:00+00:00"}}
}

func (sv *server) item() map[string]any {
	var status, ext any
	if sv.Status != "" {
		status = sv.Status
	}
	if sv.ExternalID != "" {
		ext = sv.ExternalID
	}
	return map[string]any{"object": "server", "attributes": map[string]any{"id": sv.ID, "external_id": ext, "uuid": sv.UUID, "identifier": sv.Identifier,
		"name": sv.Name, "description": "", "status": status, "suspended": sv.Status == "suspended", "limits": sv.Limits, "feature_limits": sv.FeatureLimits,
		"user": sv.User, "node": 1, "allocation": sv.ID, "nest": 1, "egg": sv.Egg,
		"container":  map[string]any{"startup_command": "", "image": "", "installed": boolToInt(sv.Status != "installing"), "environment": map[string]any{}},
		"created_at": sv.Created.Format("2006-01-02T15:04:05+00:00"), "updated_at": sv.Created.Format("2006-01-02T15:04:05+00:00")}}
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// list pages items like the panel: ?page=&per_page= (default 50).
func list(w http.ResponseWriter, r *http.Request, items []map[string]any) {
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if per <= 0 || per > 100 {
		per = 50
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page <= 0 {
		page = 1
	}
	total := len(items)
	pages := max((total+per-1)/per, 1)
	from, to := min((page-1)*per, total), min(page*per, total)
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": items[from:to],
		"meta": map[string]any{"pagination": map[string]any{"total": total, "count": to - from, "per_page": per, "current_page": page, "total_pages": pages, "links": map[string]any{}}}})
}

func (s *Sim) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	var out []map[string]any
	for _, u := range s.users {
		if (q.Get("filter[email]") == "" || u.Email == q.Get("filter[email]")) && (q.Get("filter[external_id]") == "" || u.ExternalID == q.Get("filter[external_id]")) {
			out = append(out, u.item())
		}
	}
	s.mu.Unlock()
	list(w, r, out)
}

// userByExternal answers ?include=servers like the panel: the user's
// servers under attributes.relationships.
func (s *Sim) userByExternal(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.ExternalID != r.PathValue("ext") {
			continue
		}
		item := u.item()
		if slices.Contains(strings.Split(r.URL.Query().Get("include"), ","), "servers") {
			owned := []map[string]any{}
			for _, sv := range s.servers {
				if sv.User == u.ID {
					owned = append(owned, sv.item())
				}
			}
			item["attributes"].(map[string]any)["relationships"] = map[string]any{"servers": map[string]any{"object": "list", "data": owned}}
		}
		writeJSON(w, http.StatusOK, item)
		return
	}
	notFound(w)
}

// updateUser is PATCH /users/{id}: the panel validates the whole user
// (email, username and names required, still unique), password optional.
func (s *Sim) updateUser(w http.ResponseWriter, r *http.Request) {
	b := body(r)
	id, _ := strconv.Atoi(r.PathValue("id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	var target *user
	for _, u := range s.users {
		if u.ID == id {
			target = u
		}
	}
	if target == nil {
		notFound(w)
		return
	}
	var errs []apiError
	for _, f := range []string{"email", "username", "first_name", "last_name"} {
		if str(b, f) == "" {
			errs = append(errs, apiError{Code: "ValidationException", Detail: "The " + strings.ReplaceAll(f, "_", " ") + " field is required.", Field: f, Rule: "required"})
		}
	}
	for _, u := range s.users {
		if u != target && (u.Email == str(b, "email") || u.Username == str(b, "username")) {
			errs = append(errs, apiError{Code: "ValidationException", Detail: "The email or username has already been taken.", Field: "email", Rule: "unique"})
		}
	}
	if p := str(b, "password"); p != "" && len(p) < 8 {
		errs = append(errs, apiError{Code: "ValidationException", Detail: "The password must be at least 8 characters.", Field: "password", Rule: "min"})
	}
	if len(errs) > 0 {
		writeErrors(w, http.StatusUnprocessableEntity, errs...)
		return
	}
	target.Email, target.Username, target.First, target.Last = str(b, "email"), str(b, "username"), str(b, "first_name"), str(b, "last_name")
	if p := str(b, "password"); p != "" {
		target.Password = p
	}
	writeJSON(w, http.StatusOK, target.item())
}

func (s *Sim) createUser(w http.ResponseWriter, r *http.Request) {
	b := body(r)
	var errs []apiError
	for _, f := range []string{"email", "username", "first_name", "last_name"} {
		if str(b, f) == "" {
			errs = append(errs, apiError{Code: "ValidationException", Detail: "The " + strings.ReplaceAll(f, "_", " ") + " field is required.", Field: f, Rule: "required"})
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Email == str(b, "email") {
			errs = append(errs, apiError{Code: "ValidationException", Detail: "The email has already been taken.", Field: "email", Rule: "unique"})
		}
		if u.Username == str(b, "username") {
			errs = append(errs, apiError{Code: "ValidationException", Detail: "The username has already been taken.", Field: "username", Rule: "unique"})
		}
		if ext := str(b, "external_id"); ext != "" && u.ExternalID == ext {
			errs = append(errs, apiError{Code: "ValidationException", Detail: "The external id has already been taken.", Field: "external_id", Rule: "unique"})
		}
	}
	if len(errs) > 0 {
		writeErrors(w, http.StatusUnprocessableEntity, errs...)
		return
	}
	id := s.newID()
	u := &user{ID: id, ExternalID: str(b, "external_id"), UUID: uuid(id), Username: str(b, "username"), Email: str(b, "email"), First: str(b, "first_name"), Last: str(b, "last_name"), Password: str(b, "password")}
	s.users = append(s.users, u)
	writeJSON(w, http.StatusCreated, u.item())
}

func (s *Sim) listServers(w http.ResponseWriter, r *http.Request) {
	ext := r.URL.Query().Get("filter[external_id]")
	s.mu.Lock()
	var out []map[string]any
	for _, sv := range s.servers {
		if ext == "" || sv.ExternalID == ext {
			out = append(out, sv.item())
		}
	}
	s.mu.Unlock()
	list(w, r, out)
}

// read returns the server and advances a pending install (callers hold mu).
func (s *Sim) read(match func(*server) bool) *server {
	for _, sv := range s.servers {
		if match(sv) {
			sv.reads++
			if sv.Status == "installing" && sv.reads > s.InstallPolls {
				sv.Status, sv.Power = "", "running"
			}
			return sv
		}
	}
	return nil
}

func (s *Sim) getServer(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	if sv := s.read(func(sv *server) bool { return sv.ID == id }); sv != nil {
		writeJSON(w, http.StatusOK, sv.itemWith(r.URL.Query().Get("include")))
		return
	}
	notFound(w)
}

// itemWith is item with the relationships ?include= asks for (only
// allocations here): Pterodactyl nests them under
// attributes.relationships as lists of allocation objects.
func (sv *server) itemWith(include string) map[string]any {
	it := sv.item()
	if slices.Contains(strings.Split(include, ","), "allocations") {
		a := sv.allocation()
		it["attributes"].(map[string]any)["relationships"] = map[string]any{"allocations": map[string]any{"object": "list", "data": []any{
			map[string]any{"object": "allocation", "attributes": map[string]any{"id": a.ID, "ip": a.IP, "ip_alias": nil, "alias": nil, "port": a.Port, "notes": nil, "assigned": true}},
		}}}
	}
	return it
}

type allocation struct {
	ID   int
	IP   string
	Port int
}

// allocation is the server's primary allocation: one per server, on the
// node's public address, ports from 25565 up.
func (sv *server) allocation() allocation {
	return allocation{ID: sv.ID, IP: "198.51.100.20", Port: 25564 + sv.ID}
}

func (s *Sim) serverByExternal(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sv := s.read(func(sv *server) bool { return sv.ExternalID == r.PathValue("ext") }); sv != nil {
		writeJSON(w, http.StatusOK, sv.item())
		return
	}
	notFound(w)
}

func (s *Sim) createServer(w http.ResponseWriter, r *http.Request) {
	b := body(r)
	var errs []apiError
	required := func(field string, ok bool) {
		if !ok {
			errs = append(errs, apiError{Code: "ValidationException", Detail: "The " + strings.ReplaceAll(field, "_", " ") + " field is required.", Field: field, Rule: "required"})
		}
	}
	uid, okUser := num(b, "user")
	egg, okEgg := num(b, "egg")
	limits, okLimits := b["limits"].(map[string]any)
	feature, okFeature := b["feature_limits"].(map[string]any)
	_, okEnv := b["environment"].(map[string]any)
	deploy, okDeploy := b["deploy"].(map[string]any)
	_, okAlloc := b["allocation"].(map[string]any)
	required("name", str(b, "name") != "")
	required("user", okUser)
	required("egg", okEgg)
	required("limits", okLimits)
	required("feature_limits", okFeature)
	required("environment", okEnv)
	required("allocation.default", okDeploy || okAlloc)
	location := 0
	if okDeploy {
		if locs, _ := deploy["locations"].([]any); len(locs) > 0 {
			f, _ := locs[0].(float64)
			location = int(f)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	owner := false
	for _, u := range s.users {
		owner = owner || u.ID == uid
	}
	if okUser && !owner {
		errs = append(errs, apiError{Code: "ValidationException", Detail: "The selected user is invalid.", Field: "user", Rule: "exists"})
	}
	ext := str(b, "external_id")
	for _, sv := range s.servers {
		if ext != "" && sv.ExternalID == ext {
			errs = append(errs, apiError{Code: "ValidationException", Detail: "The external id has already been taken.", Field: "external_id", Rule: "unique"})
		}
	}
	if len(errs) > 0 {
		writeErrors(w, http.StatusUnprocessableEntity, errs...)
		return
	}
	id := s.newID()
	u := uuid(id)
	sv := &server{ID: id, ExternalID: ext, UUID: u, Identifier: u[:8], Name: str(b, "name"), User: uid, Egg: egg, Location: location, Status: "installing",
		Power: "offline", Limits: limits, FeatureLimits: feature, Created: s.now().UTC()}
	s.servers = append(s.servers, sv)
	writeJSON(w, http.StatusCreated, sv.item())
}

func (s *Sim) suspend(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		s.mu.Lock()
		defer s.mu.Unlock()
		sv := s.read(func(sv *server) bool { return sv.ID == id })
		if sv == nil {
			notFound(w)
			return
		}
		switch {
		case on:
			sv.Status, sv.Power = "suspended", "offline"
		case sv.Status == "suspended":
			sv.Status = ""
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// reinstall runs the egg's install script again (the server reads
// "installing" for a while); a suspended or installing server is refused.
func (s *Sim) reinstall(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	sv := s.read(func(sv *server) bool { return sv.ID == id })
	switch {
	case sv == nil:
		notFound(w)
	case sv.Status == "suspended" || sv.Status == "installing":
		writeErrors(w, http.StatusConflict, apiError{Code: "ConflictHttpException", Detail: fmt.Sprintf("This server is %s.", sv.Status)})
	default:
		sv.Status, sv.Power, sv.reads, sv.Reinstalls = "installing", "offline", 0, sv.Reinstalls+1
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Sim) build(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	b := body(r)
	limits, ok := b["limits"].(map[string]any)
	_, okFeature := b["feature_limits"].(map[string]any)
	_, okAlloc := num(b, "allocation")
	if !ok || !okFeature || !okAlloc {
		writeErrors(w, http.StatusUnprocessableEntity, apiError{Code: "ValidationException", Detail: "The allocation, limits and feature limits fields are required.", Field: "limits", Rule: "required"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sv := s.read(func(sv *server) bool { return sv.ID == id })
	if sv == nil {
		notFound(w)
		return
	}
	sv.Limits = limits
	writeJSON(w, http.StatusOK, sv.item())
}

func (s *Sim) deleteServer(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, sv := range s.servers {
		if sv.ID == id {
			s.servers = append(s.servers[:i], s.servers[i+1:]...)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	notFound(w)
}

func (s *Sim) byIdentifier(id string) *server {
	for _, sv := range s.servers {
		if sv.Identifier == id || sv.UUID == id {
			return sv
		}
	}
	return nil
}

func (s *Sim) power(w http.ResponseWriter, r *http.Request) {
	signal := str(body(r), "signal")
	s.mu.Lock()
	defer s.mu.Unlock()
	sv := s.byIdentifier(r.PathValue("identifier"))
	switch {
	case sv == nil:
		notFound(w)
	case signal != "start" && signal != "stop" && signal != "restart" && signal != "kill":
		writeErrors(w, http.StatusUnprocessableEntity, apiError{Code: "ValidationException", Detail: "The selected signal is invalid.", Field: "signal", Rule: "in"})
	case sv.Status == "suspended" || sv.Status == "installing":
		writeErrors(w, http.StatusConflict, apiError{Code: "ConflictHttpException", Detail: fmt.Sprintf("This server is %s.", sv.Status)})
	default:
		sv.Power = map[string]string{"start": "running", "restart": "running", "stop": "offline", "kill": "offline"}[signal]
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Sim) resources(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv := s.byIdentifier(r.PathValue("identifier"))
	if sv == nil {
		notFound(w)
		return
	}
	busy := sv.Power == "running"
	mem, cpu := int64(0), 0.0
	if busy {
		mem, cpu = 512<<20, 12.5
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "stats", "attributes": map[string]any{"current_state": sv.Power, "is_suspended": sv.Status == "suspended",
		"resources": map[string]any{"memory_bytes": mem, "cpu_absolute": cpu, "disk_bytes": int64(1) << 30, "network_rx_bytes": int64(123456), "network_tx_bytes": int64(654321), "uptime": 3600000}}})
}
