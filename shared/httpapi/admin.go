package httpapi

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"

	"github.com/ezscale/platform/shared/apperr"
	"github.com/ezscale/platform/shared/catalog"
	"github.com/ezscale/platform/shared/httpx"
)

// requireAdmin checks the bearer secret in constant time. With no secret
// configured the admin API is closed, never open.
func requireAdmin(secret string, h httpx.HandlerFunc) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if secret == "" || !ok || subtle.ConstantTimeCompare([]byte(token), []byte(secret)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ezscale-admin"`)
			return apperr.New(apperr.Unauthorized, "a valid admin bearer token is required")
		}
		return h(w, r)
	}
}

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
	p, err := h.Catalog.Replace(r.Context(), r.PathValue("id"), in.Version, in.PlanInput)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, p)
	return nil
}

func (h adminHandlers) deletePlan(w http.ResponseWriter, r *http.Request) error {
	version, err := strconv.ParseInt(r.URL.Query().Get("version"), 10, 64)
	if err != nil || version < 1 {
		return apperr.Validation(map[string]string{"version": "is required: send the version you read"})
	}
	if err := h.Catalog.Delete(r.Context(), r.PathValue("id"), version); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
