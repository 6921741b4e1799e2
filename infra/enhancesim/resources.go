package enhancesim

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ezscale/platform/infra/simkit"
)

// page answers items[offset:offset+limit] with the total (limit defaults
// to 10, at most 100, as the panel's listings do).
func page[T any](w http.ResponseWriter, r *http.Request, all []T) {
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 10
	}
	limit = min(limit, 100)
	offset = max(0, min(offset, len(all)))
	end := min(len(all), offset+limit)
	simkit.JSON(w, http.StatusOK, map[string]any{"items": all[offset:end], "total": len(all)})
}

// customerOrg is a live customer organisation of the master one (nil
// answers 404 — or 403 for an organisation outside ours).
func (s *Sim) customerOrg(w http.ResponseWriter, id string) *org {
	for _, o := range s.st.Orgs {
		if o.ID == id && o.ID != s.Master && o.Status != "deleted" {
			if o.ParentID != s.Master {
				httpError(w, http.StatusForbidden, "forbidden", "the organisation is not a customer of yours")
				return nil
			}
			return o
		}
	}
	httpError(w, http.StatusNotFound, "not_found", "organisation not found")
	return nil
}

func (s *Sim) master(w http.ResponseWriter, r *http.Request) bool {
	if r.PathValue("org") != s.Master {
		httpError(w, http.StatusForbidden, "forbidden", "the access token belongs to another organisation")
		return false
	}
	return true
}

func orgView(o *org) map[string]any {
	return map[string]any{"id": o.ID, "parentId": o.ParentID, "name": o.Name, "status": o.Status, "suspendedBy": o.SuspendedBy,
		"ownerEmail": o.OwnerEmail, "ownerId": o.OwnerID, "ownerLoginId": o.OwnerLogin, "createdAt": o.CreatedAt, "locale": "en"}
}

func (s *Sim) getOrg(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.PathValue("org") == s.Master {
		simkit.JSON(w, http.StatusOK, orgView(s.st.Orgs[0]))
		return
	}
	if o := s.customerOrg(w, r.PathValue("org")); o != nil {
		simkit.JSON(w, http.StatusOK, orgView(o))
	}
}

func (s *Sim) listPlans(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.master(w, r) {
		page(w, r, s.st.Plans)
	}
}

func (s *Sim) createCustomer(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.master(w, r) {
		return
	}
	name := strings.TrimSpace(simkit.Str(simkit.Body(r), "name"))
	if name == "" {
		httpError(w, http.StatusUnprocessableEntity, "validation", "name is required")
		return
	}
	o := &org{ID: s.id(), ParentID: s.Master, Name: name, Status: "active", CreatedAt: s.now().UTC()}
	s.st.Orgs = append(s.st.Orgs, o)
	simkit.JSON(w, http.StatusCreated, map[string]string{"id": o.ID})
}

func (s *Sim) listCustomers(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.master(w, r) {
		return
	}
	out := []map[string]any{}
	for _, o := range s.st.Orgs {
		if o.ParentID == s.Master && o.Status != "deleted" {
			out = append(out, orgView(o))
		}
	}
	page(w, r, out)
}

func (s *Sim) createLogin(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := simkit.Body(r)
	email := strings.ToLower(strings.TrimSpace(simkit.Str(b, "email")))
	if s.customerOrg(w, r.URL.Query().Get("orgId")) == nil {
		return
	}
	if !strings.Contains(email, "@") || len(simkit.Str(b, "password")) < 8 {
		httpError(w, http.StatusUnprocessableEntity, "validation", "a valid email and a password of at least 8 characters are required")
		return
	}
	for _, l := range s.st.Logins {
		if l.Email == email {
			httpError(w, http.StatusConflict, "conflict", "a login with this email already exists")
			return
		}
	}
	l := &login{ID: s.id(), Email: email, Name: simkit.Str(b, "name"), Password: simkit.Str(b, "password")}
	s.st.Logins = append(s.st.Logins, l)
	simkit.JSON(w, http.StatusCreated, map[string]string{"id": l.ID})
}

func (s *Sim) listLogins(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.master(w, r) {
		return
	}
	out := []map[string]any{}
	for _, l := range s.st.Logins {
		out = append(out, map[string]any{"id": l.ID, "email": l.Email, "name": l.Name})
	}
	page(w, r, out)
}

func (s *Sim) setPassword(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pw := simkit.Str(simkit.Body(r), "newPassword")
	for _, l := range s.st.Logins {
		if l.ID == r.PathValue("login") {
			if len(pw) < 8 {
				httpError(w, http.StatusUnprocessableEntity, "validation", "newPassword must have at least 8 characters")
				return
			}
			l.Password = pw
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	httpError(w, http.StatusNotFound, "not_found", "login not found")
}

// Password is a login's password (tests check what the customer got).
func (s *Sim) Password(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.st.Logins {
		if l.Email == strings.ToLower(email) {
			return l.Password
		}
	}
	return ""
}

func (s *Sim) addMember(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.customerOrg(w, r.PathValue("org"))
	if o == nil {
		return
	}
	var in struct {
		LoginID string   `json:"loginId"`
		Roles   []string `json:"roles"`
	}
	raw, _ := json.Marshal(simkit.Body(r))
	_ = json.Unmarshal(raw, &in)
	var l *login
	for _, x := range s.st.Logins {
		if x.ID == in.LoginID {
			l = x
		}
	}
	if l == nil || len(in.Roles) == 0 {
		httpError(w, http.StatusUnprocessableEntity, "validation", "loginId must name a login and roles must not be empty")
		return
	}
	for _, m := range s.st.Members {
		if m.OrgID == o.ID && m.LoginID == l.ID {
			httpError(w, http.StatusConflict, "conflict", "the login is already a member")
			return
		}
	}
	m := &member{ID: s.id(), OrgID: o.ID, LoginID: l.ID, Roles: in.Roles}
	s.st.Members = append(s.st.Members, m)
	if slices.Contains(in.Roles, "Owner") && o.OwnerID == "" {
		o.OwnerID, o.OwnerLogin, o.OwnerEmail = m.ID, l.ID, l.Email
	}
	simkit.JSON(w, http.StatusCreated, map[string]string{"id": m.ID})
}

func (s *Sim) listMembers(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.customerOrg(w, r.PathValue("org"))
	if o == nil {
		return
	}
	out := []map[string]any{}
	for _, m := range s.st.Members {
		if m.OrgID == o.ID {
			email := ""
			for _, l := range s.st.Logins {
				if l.ID == m.LoginID {
					email = l.Email
				}
			}
			out = append(out, map[string]any{"id": m.ID, "loginId": m.LoginID, "email": email, "roles": m.Roles})
		}
	}
	page(w, r, out)
}

func (s *Sim) sso(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.customerOrg(w, r.PathValue("org"))
	if o == nil {
		return
	}
	for _, m := range s.st.Members {
		if m.OrgID == o.ID && m.ID == r.PathValue("member") {
			// One-time, so random: not an id, and nothing to remember.
			simkit.JSON(w, http.StatusOK, s.Base+"/sso/"+rand.Text())
			return
		}
	}
	httpError(w, http.StatusNotFound, "not_found", "member not found")
}
