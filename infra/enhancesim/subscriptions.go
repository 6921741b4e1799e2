package enhancesim

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/ezscale/platform/infra/simkit"
)

func (s *Sim) plan(id int) *Plan {
	for i := range s.st.Plans {
		if s.st.Plans[i].ID == id {
			return &s.st.Plans[i]
		}
	}
	return nil
}

func (s *Sim) subView(x *subscription) map[string]any {
	p := s.plan(x.PlanID)
	name := ""
	var res []Resource
	if p != nil {
		name = p.Name
		for _, r := range p.Resources {
			switch r.Name {
			case "diskspace":
				r.Usage = x.DiskUsage
			case "transfer":
				r.Usage = x.TransferUsage
			case "websites":
				for _, w := range s.st.Websites {
					if w.SubscriptionID == x.ID && w.Status != "deleted" {
						r.Usage++
					}
				}
			}
			res = append(res, r)
		}
	}
	return map[string]any{"id": x.ID, "planId": x.PlanID, "planName": name, "subscriberId": x.OrgID, "vendorId": s.Master, "status": x.Status,
		"suspendedBy": x.SuspendedBy, "resources": res, "friendlyName": x.FriendlyName, "planType": "hosting", "createdAt": x.CreatedAt}
}

// subscription finds a customer org's subscription by the path's ids.
func (s *Sim) subscription(w http.ResponseWriter, r *http.Request) (*org, *subscription) {
	o := s.customerOrg(w, r.PathValue("org"))
	if o == nil {
		return nil, nil
	}
	id, _ := strconv.Atoi(r.PathValue("sub"))
	for _, x := range s.st.Subs {
		if x.ID == id && x.OrgID == o.ID {
			return o, x
		}
	}
	httpError(w, http.StatusNotFound, "not_found", "subscription not found")
	return nil, nil
}

func (s *Sim) createSubscription(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.master(w, r) {
		return
	}
	o := s.customerOrg(w, r.PathValue("customer"))
	if o == nil {
		return
	}
	b := simkit.Body(r)
	pid, _ := simkit.Num(b, "planId")
	if s.plan(pid) == nil {
		httpError(w, http.StatusUnprocessableEntity, "validation", "planId does not name a plan")
		return
	}
	s.st.Seq++
	x := &subscription{ID: s.st.Seq, OrgID: o.ID, PlanID: pid, FriendlyName: simkit.Str(b, "friendlyName"), Status: "active", CreatedAt: s.now().UTC()}
	s.st.Subs = append(s.st.Subs, x)
	simkit.JSON(w, http.StatusCreated, map[string]int{"id": x.ID})
}

func (s *Sim) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.customerOrg(w, r.PathValue("org"))
	if o == nil {
		return
	}
	out := []map[string]any{}
	for _, x := range s.st.Subs {
		if x.OrgID == o.ID {
			out = append(out, s.subView(x))
		}
	}
	page(w, r, out)
}

func (s *Sim) getSubscription(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, x := s.subscription(w, r); x != nil {
		simkit.JSON(w, http.StatusOK, s.subView(x))
	}
}

var byVendor = "vendor"

func (s *Sim) patchSubscription(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, x := s.subscription(w, r)
	if x == nil {
		return
	}
	if x.Status == "deleted" {
		httpError(w, http.StatusConflict, "conflict", "the subscription is deleted")
		return
	}
	b := simkit.Body(r)
	if v, ok := b["isSuspended"].(bool); ok {
		x.SuspendedBy = nil
		if v {
			x.SuspendedBy = &byVendor
		}
	}
	if _, ok := b["planId"]; ok {
		pid, _ := simkit.Num(b, "planId")
		if s.plan(pid) == nil {
			httpError(w, http.StatusUnprocessableEntity, "validation", "planId does not name a plan")
			return
		}
		x.PlanID = pid
	}
	w.WriteHeader(http.StatusNoContent)
}

// deleteSubscription is a soft delete by default (the data stays; force
// wipes): the subscription and its websites are marked deleted.
func (s *Sim) deleteSubscription(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, x := s.subscription(w, r)
	if x == nil {
		return
	}
	if x.Status == "deleted" {
		httpError(w, http.StatusNotFound, "not_found", "subscription not found")
		return
	}
	x.Status = "deleted"
	for _, site := range s.st.Websites {
		if site.SubscriptionID == x.ID {
			site.Status = "deleted"
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sim) bandwidth(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, x := s.subscription(w, r); x != nil {
		simkit.JSON(w, http.StatusOK, x.TransferUsage)
	}
}

func siteView(x *website) map[string]any {
	return map[string]any{"id": x.ID, "domain": map[string]any{"domain": x.Domain}, "aliases": []string{}, "subscriptionId": x.SubscriptionID,
		"status": x.Status, "suspendedBy": x.SuspendedBy, "orgId": x.OrgID, "kind": "normal", "size": 0,
		"serverIps": []map[string]any{{"ip": x.IP, "isPrimary": true}}, "phpVersion": "php83", "createdAt": x.CreatedAt}
}

func (s *Sim) createWebsite(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.customerOrg(w, r.PathValue("org"))
	if o == nil {
		return
	}
	b := simkit.Body(r)
	domain := strings.ToLower(strings.TrimSpace(simkit.Str(b, "domain")))
	subID, _ := simkit.Num(b, "subscriptionId")
	var sub *subscription
	for _, x := range s.st.Subs {
		if x.ID == subID && x.OrgID == o.ID && x.Status == "active" {
			sub = x
		}
	}
	if sub == nil || domain == "" || !strings.Contains(domain, ".") {
		httpError(w, http.StatusUnprocessableEntity, "validation", "domain and an active subscriptionId of this organisation are required")
		return
	}
	for _, x := range s.st.Websites {
		if x.Domain == domain && x.Status != "deleted" {
			httpError(w, http.StatusConflict, "conflict", "a website with the domain "+domain+" already exists")
			return
		}
	}
	site := &website{ID: s.id(), OrgID: o.ID, Domain: domain, SubscriptionID: sub.ID, Status: "active", IP: "203.0.113." + strconv.Itoa(10+s.st.Seq%200), CreatedAt: s.now().UTC()}
	s.st.Websites = append(s.st.Websites, site)
	simkit.JSON(w, http.StatusCreated, map[string]string{"id": site.ID})
}

func (s *Sim) listWebsites(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.customerOrg(w, r.PathValue("org"))
	if o == nil {
		return
	}
	q := r.URL.Query()
	search, subID := strings.ToLower(q.Get("search")), q.Get("subscriptionId")
	out := []map[string]any{}
	for _, x := range s.st.Websites {
		if x.OrgID != o.ID || (search != "" && !strings.Contains(x.Domain, search)) || (subID != "" && strconv.Itoa(x.SubscriptionID) != subID) {
			continue
		}
		out = append(out, siteView(x))
	}
	page(w, r, out)
}

func (s *Sim) website(w http.ResponseWriter, r *http.Request) *website {
	o := s.customerOrg(w, r.PathValue("org"))
	if o == nil {
		return nil
	}
	for _, x := range s.st.Websites {
		if x.ID == r.PathValue("site") && x.OrgID == o.ID && x.Status != "deleted" {
			return x
		}
	}
	httpError(w, http.StatusNotFound, "not_found", "website not found")
	return nil
}

func (s *Sim) patchWebsite(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.website(w, r)
	if x == nil {
		return
	}
	if v, ok := simkit.Body(r)["isSuspended"].(bool); ok {
		x.SuspendedBy, x.Status = nil, "active"
		if v {
			x.SuspendedBy, x.Status = &byVendor, "disabled"
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sim) deleteWebsite(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if x := s.website(w, r); x != nil {
		x.Status = "deleted"
		w.WriteHeader(http.StatusNoContent)
	}
}
