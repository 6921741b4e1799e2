package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/search"
	"github.com/ezscale/platform/shared/platform/apperr"
)

type adminHandlers struct{ Deps }

func (h adminHandlers) listPlans(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	plans, err := h.Catalog.List(r.Context(), catalog.Status(q.Get("status")), catalog.ServiceType(q.Get("service_type")))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"plans": plans})
	return nil
}

func (h adminHandlers) createPlan(w http.ResponseWriter, r *http.Request) error {
	var in catalog.PlanInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	p, err := h.Catalog.Create(r.Context(), in)
	if err != nil {
		return err
	}
	h.record(r, "plan.create", "plan", p.ID, nil, p)
	w.Header().Set("Location", "/v1/admin/plans/"+p.ID)
	httpx.JSON(w, http.StatusCreated, p)
	return nil
}

func (h adminHandlers) getPlan(w http.ResponseWriter, r *http.Request) error {
	p, err := h.Catalog.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, p)
	return nil
}

type planReplace struct {
	catalog.PlanInput
	Version int64 `json:"version"`
}

func (h adminHandlers) replacePlan(w http.ResponseWriter, r *http.Request) error {
	var in planReplace
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.Version < 1 {
		return apperr.Validation(map[string]string{"version": "is required: send the version you read"})
	}
	before, err := h.Catalog.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p, err := h.Catalog.Replace(r.Context(), r.PathValue("id"), in.Version, in.PlanInput)
	if err != nil {
		return err
	}
	h.record(r, "plan.replace", "plan", p.ID, before, p)
	httpx.JSON(w, http.StatusOK, p)
	return nil
}

func (h adminHandlers) deletePlan(w http.ResponseWriter, r *http.Request) error {
	version, err := strconv.ParseInt(r.URL.Query().Get("version"), 10, 64)
	if err != nil || version < 1 {
		return apperr.Validation(map[string]string{"version": "is required: send the version you read"})
	}
	before, err := h.Catalog.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := h.Catalog.Delete(r.Context(), r.PathValue("id"), version); err != nil {
		return err
	}
	h.record(r, "plan.delete", "plan", before.ID, before, nil)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// auditLog lists entries newest first: by actor, by target, or by day
// (today by default).
func (h adminHandlers) auditLog(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	aq := audit.Query{ActorID: q.Get("actor"), TargetID: q.Get("target"), Cursor: q.Get("cursor"), Limit: 50, Day: h.Clock.Now()}
	if d := q.Get("day"); d != "" {
		day, err := time.Parse("2006-01-02", d)
		if err != nil {
			return apperr.Validation(map[string]string{"day": "must be a date like 2026-11-26"})
		}
		aq.Day = day
	}
	entries, next, err := h.Audit.List(r.Context(), aq)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []audit.Entry{}
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"entries": entries, "next_cursor": next})
	return nil
}

func (h adminHandlers) listCustomers(w http.ResponseWriter, r *http.Request) error {
	page, err := h.Customers.ListUsers(r.Context(), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	out := make([]UserView, 0, len(page.Users))
	for i := range page.Users {
		out = append(out, viewUser(&page.Users[i]))
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"customers": out, "next_cursor": page.Next})
	return nil
}

// searchable is what each kind of result needs the caller to be allowed.
var searchable = []struct {
	kind search.Kind
	perm accounts.Permission
}{
	{search.Customer, accounts.CustomersRead}, {search.Service, accounts.ServicesRead},
	{search.Invoice, accounts.BillingRead}, {search.Order, accounts.BillingRead},
}

func (h adminHandlers) search(w http.ResponseWriter, r *http.Request) error {
	if h.Search == nil {
		return apperr.New(apperr.Unavailable, "search is not available here")
	}
	limit := 10
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 25 {
			return &apperr.Error{Code: apperr.Invalid, Message: "the limit is invalid", Fields: map[string]string{"limit": "must be a whole number from 1 to 25"}}
		}
		limit = n
	}
	role := principal(r).User.Role
	var allowed []search.Kind
	for _, s := range searchable {
		if role.Can(s.perm) {
			allowed = append(allowed, s.kind)
		}
	}
	found, err := h.Search.Search(r.Context(), r.URL.Query().Get("q"), allowed, limit)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"results": found})
	return nil
}

func (h adminHandlers) listNotes(w http.ResponseWriter, r *http.Request) error {
	notes, err := h.Customers.Notes(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"notes": nonNil(notes)})
	return nil
}

func (h adminHandlers) addNote(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Body string `json:"body"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	n, err := h.Customers.AddNote(r.Context(), principal(r).User, r.PathValue("id"), in.Body, meta(r))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, n)
	return nil
}

func (h adminHandlers) deleteNote(w http.ResponseWriter, r *http.Request) error {
	if err := h.Customers.DeleteNote(r.Context(), principal(r).User, r.PathValue("id"), r.PathValue("note"), meta(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h adminHandlers) getCustomer(w http.ResponseWriter, r *http.Request) error {
	u, err := h.Customers.Me(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, viewUser(u))
	return nil
}

func (h adminHandlers) setRole(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Role string `json:"role"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	u, err := h.Customers.SetRole(r.Context(), principal(r).User, r.PathValue("id"), accounts.Role(in.Role), meta(r))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, viewUser(u))
	return nil
}

func (h adminHandlers) setTaxExempt(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		TaxExempt *bool `json:"tax_exempt"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.TaxExempt == nil {
		return apperr.Validation(map[string]string{"tax_exempt": "is required (true or false)"})
	}
	u, err := h.Customers.SetTaxExempt(r.Context(), principal(r).User, r.PathValue("id"), *in.TaxExempt, meta(r))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, viewUser(u))
	return nil
}
