package httpapi

import (
	"net/http"

	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/api/openapi"
	"github.com/ezscale/platform/shared/domain/catalog"
)

type catalogHandlers struct{ Deps }

func (h catalogHandlers) health(w http.ResponseWriter, r *http.Request) error {
	if err := h.Ping(r.Context()); err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]string{"status": "ok", "stage": h.Stage})
	return nil
}

func (h catalogHandlers) openAPI(w http.ResponseWriter, _ *http.Request) error {
	doc, err := openapi.JSON()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(doc)
	return nil
}

func (h catalogHandlers) listPlans(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	listing, err := h.Catalog.Public(r.Context(), catalog.PublicQuery{
		ServiceType: catalog.ServiceType(q.Get("service_type")),
		Currency:    q.Get("currency"),
		Cycle:       catalog.Cycle(q.Get("cycle")),
	})
	if err != nil {
		return err
	}
	// Prices change rarely; a short shared cache absorbs pricing-page bursts.
	w.Header().Set("Cache-Control", "public, max-age=30")
	httpx.JSON(w, http.StatusOK, listing)
	return nil
}
