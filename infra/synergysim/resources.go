package synergysim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ezscale/platform/infra/simkit"
)

// paginate answers a Laravel page: data.{data, current_page, last_page,
// total}, per_page defaulting to 15.
func paginate[T any](w http.ResponseWriter, r *http.Request, all []T) {
	q := r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per <= 0 {
		per = 15
	}
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page <= 0 {
		page = 1
	}
	last := max(1, (len(all)+per-1)/per)
	from := min(len(all), (page-1)*per)
	to := min(len(all), from+per)
	ok(w, map[string]any{"data": all[from:to], "current_page": page, "last_page": last, "total": len(all), "per_page": per})
}

func clientView(c *client) map[string]any {
	return map[string]any{"id": c.ID, "email": c.Email, "first": c.First, "last": c.Last, "billing": map[string]any{"id": c.BillingID}}
}

func (s *Sim) listClients(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	out := []map[string]any{}
	for _, c := range s.st.Clients {
		if (q.Get("billing_id") == "" || c.BillingID == q.Get("billing_id")) && (q.Get("email") == "" || strings.EqualFold(c.Email, q.Get("email"))) {
			out = append(out, clientView(c))
		}
	}
	paginate(w, r, out)
}

func (s *Sim) createClient(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := simkit.Body(r)
	email := strings.ToLower(simkit.Str(b, "email"))
	if !strings.Contains(email, "@") || simkit.Str(b, "first") == "" {
		fail(w, http.StatusUnprocessableEntity, "The email and first fields are required.")
		return
	}
	for _, c := range s.st.Clients {
		if c.Email == email {
			fail(w, http.StatusUnprocessableEntity, "The email has already been taken.")
			return
		}
	}
	c := &client{ID: s.next(), Email: email, First: simkit.Str(b, "first"), Last: simkit.Str(b, "last"), BillingID: simkit.Str(b, "billing_id")}
	s.st.Clients = append(s.st.Clients, c)
	ok(w, clientView(c))
}

// createKey issues a client-scoped key (POST key {owner_id, owner_type}).
func (s *Sim) createKey(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := simkit.Body(r)
	id, _ := simkit.Num(b, "owner_id")
	for _, c := range s.st.Clients {
		if c.ID == id && simkit.Str(b, "owner_type") == "client" {
			k := newKey()
			c.Keys = append(c.Keys, k)
			ok(w, map[string]any{"key": k})
			return
		}
	}
	fail(w, http.StatusUnprocessableEntity, "The owner does not exist.")
}

func (s *Sim) serverView(sv *Server) map[string]any {
	var billing any
	if sv.BillingID != "" {
		billing = map[string]any{"id": sv.BillingID, "max_bandwidth": sv.MaxBits}
	}
	return map[string]any{"id": sv.ID, "srv_id": sv.SrvID, "nickname": sv.Nickname, "cpu": map[string]any{"billing_id": sv.CPU},
		"mem": map[string]any{"billing_id": sv.Mem}, "disks": []map[string]any{{"billing_id": sv.Disks}}, "group": map[string]any{"name": sv.Location},
		"billing": billing, "client": map[string]any{"id": sv.ClientID}, "available": sv.ClientID == 0,
		"access": map[string]any{"id": sv.AccessID, "is_active": sv.Active, "suspension_reason": sv.Reason},
		"usage":  map[string]any{"used": sv.UsedBits, "max": sv.MaxBits}, "power": sv.Power, "pxe_profile": map[string]any{"billing_id": sv.PXE},
		"ipmi": map[string]any{"ip": "10.99.0." + strconv.Itoa(sv.ID%250)}, "switch": map[string]any{"port": map[string]any{"id": sv.ID}}}
}

func (s *Sim) server(w http.ResponseWriter, r *http.Request) *Server {
	id, _ := strconv.Atoi(r.PathValue("id"))
	for _, sv := range s.st.Servers {
		if sv.ID == id {
			return sv
		}
	}
	fail(w, http.StatusNotFound, "No query results for model [Server] "+r.PathValue("id"))
	return nil
}

// listServers filters by billing id, availability and the hardware
// billing ids (the location filter is ours: inferred, not in the SDK).
func (s *Sim) listServers(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	disks := q["disks_billing[]"]
	out := []map[string]any{}
	for _, sv := range s.st.Servers {
		switch {
		case q.Get("billing_id") != "" && sv.BillingID != q.Get("billing_id"),
			q.Get("available") == "true" && sv.ClientID != 0,
			q.Get("cpu_billing") != "" && sv.CPU != q.Get("cpu_billing"),
			q.Get("mem_billing") != "" && sv.Mem != q.Get("mem_billing"),
			len(disks) > 0 && !slices.Contains(disks, sv.Disks),
			q.Get("location") != "" && sv.Location != q.Get("location"):
			continue
		}
		out = append(out, s.serverView(sv))
	}
	paginate(w, r, out)
}

func (s *Sim) getServer(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sv := s.server(w, r); sv != nil {
		ok(w, s.serverView(sv))
	}
}

// provision assigns a free server to a client with our billing id and
// starts the OS install. A server in use is refused in the body (HTTP
// 200), as the installation reports it.
func (s *Sim) provision(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := simkit.Body(r)
	cid, _ := simkit.Num(b, "client_id")
	sid, _ := simkit.Num(b, "server_id")
	billing, _ := b["billing"].(map[string]any)
	billingID := simkit.Str(billing, "id")
	var c *client
	for _, x := range s.st.Clients {
		if x.ID == cid {
			c = x
		}
	}
	var sv *Server
	for _, x := range s.st.Servers {
		if x.ID == sid {
			sv = x
		}
	}
	switch {
	case c == nil || sv == nil:
		fail(w, http.StatusUnprocessableEntity, "The selected client or server is invalid.")
		return
	case billingID == "":
		fail(w, http.StatusUnprocessableEntity, "The billing.id field is required.")
		return
	case sv.ClientID != 0:
		fail(w, http.StatusOK, "Server "+sv.SrvID+" is already in use.")
		return
	case !slices.Contains(s.PXE, simkit.Str(b, "pxe_profile_billing")):
		fail(w, http.StatusOK, "The PXE profile "+simkit.Str(b, "pxe_profile_billing")+" does not exist.")
		return
	}
	sv.ClientID, sv.BillingID, sv.Nickname, sv.PXE = c.ID, billingID, simkit.Str(b, "nickname"), simkit.Str(b, "pxe_profile_billing")
	sv.PortSpeed, sv.Power, sv.Active, sv.Reason, sv.AccessID = simkit.Str(b, "port_speed_billing"), "on", true, "", s.next()
	if mb, ok := simkit.Num(billing, "max_bandwidth"); ok {
		sv.MaxBits = int64(mb)
	}
	sv.IP = "198.51.100." + strconv.Itoa(10+sv.ID%200)
	ok(w, map[string]any{"server": s.serverView(sv)})
}

// patchServer releases a server with a wipe (it returns to inventory);
// a VIP server ignores an automatic wipe.
func (s *Sim) patchServer(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv := s.server(w, r)
	if sv == nil {
		return
	}
	b := simkit.Body(r)
	if simkit.Str(b, "wiped") != "1" {
		fail(w, http.StatusUnprocessableEntity, "Nothing to change.")
		return
	}
	if sv.VIP && b["auto"] == true {
		ok(w, map[string]any{"ignored": true})
		return
	}
	*sv = Server{ID: sv.ID, SrvID: sv.SrvID, CPU: sv.CPU, Mem: sv.Mem, Disks: sv.Disks, Location: sv.Location, Power: "off", Wipes: sv.Wipes + 1}
	ok(w, s.serverView(sv))
}

func (s *Sim) listAccess(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv := s.server(w, r)
	if sv == nil {
		return
	}
	out := []map[string]any{}
	if sv.ClientID != 0 {
		out = append(out, map[string]any{"id": sv.AccessID, "is_primary": true, "is_active": sv.Active, "client": map[string]any{"id": sv.ClientID},
			"suspension_reason": sv.Reason, "pxe": true, "ipmi": true, "switch": true})
	}
	paginate(w, r, out)
}

func (s *Sim) patchAccess(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv := s.server(w, r)
	if sv == nil {
		return
	}
	if strconv.Itoa(sv.AccessID) != r.PathValue("access") || sv.ClientID == 0 {
		fail(w, http.StatusNotFound, "No query results for model [ServerAccess] "+r.PathValue("access"))
		return
	}
	b := simkit.Body(r)
	active, isBool := b["is_active"].(bool)
	if !isBool {
		fail(w, http.StatusUnprocessableEntity, "The is_active field must be true or false.")
		return
	}
	if !active && sv.VIP && b["auto"] == true {
		ok(w, map[string]any{"ignored": true})
		return
	}
	sv.Active, sv.Reason = active, ""
	if !active {
		sv.Reason = simkit.Str(b, "suspension_reason")
	}
	ok(w, map[string]any{"id": sv.AccessID, "is_active": sv.Active})
}

// listControls answers the server's IPMI controls to its client's key.
func (s *Sim) listControls(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv := s.server(w, r)
	if sv == nil {
		return
	}
	c := s.clientOfKey(r.URL.Query().Get("key"))
	if c == nil || c.ID != sv.ClientID {
		fail(w, http.StatusForbidden, "This action is unauthorized.")
		return
	}
	ok(w, map[string]any{"data": []map[string]any{{"id": sv.ID*10 + 1, "type": "ipmi"}}})
}

func (s *Sim) command(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sv := s.server(w, r)
	if sv == nil {
		return
	}
	c := s.clientOfKey(r.URL.Query().Get("key"))
	if c == nil || c.ID != sv.ClientID || r.PathValue("control") != strconv.Itoa(sv.ID*10+1) {
		fail(w, http.StatusForbidden, "This action is unauthorized.")
		return
	}
	if !sv.Active {
		fail(w, http.StatusOK, "Access to this server is suspended.")
		return
	}
	switch p := simkit.Str(simkit.Body(r), "power"); p {
	case "on", "reset":
		sv.Power = "on"
	case "off", "soft":
		sv.Power = "off"
	default:
		fail(w, http.StatusUnprocessableEntity, "The power field must be on, off, reset or soft.")
		return
	}
	ok(w, map[string]any{"queued": true})
}

// entities lists a server's IP entities.
func (s *Sim) entities(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, _ := strconv.Atoi(r.URL.Query().Get("server"))
	out := []map[string]any{}
	for _, sv := range s.st.Servers {
		if sv.ID == id && sv.IP != "" {
			out = append(out, map[string]any{"address": sv.IP, "full_ip": sv.IP + "/29", "gateway": "198.51.100.1", "subnet_mask": "255.255.255.248", "name": "primary"})
		}
	}
	paginate(w, r, out)
}
