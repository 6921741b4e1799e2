package httpapi

import (
	"net/http"

	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/platform/apperr"
)

type invoiceHandlers struct{ Deps }

func (h invoiceHandlers) adminList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	list, next, err := h.Billing.List(r.Context(), q.Get("customer"), q.Get("cursor"))
	if err != nil {
		return err
	}
	if list == nil {
		list = []billing.Invoice{}
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"invoices": list, "next_cursor": next})
	return nil
}

func (h invoiceHandlers) adminCreate(w http.ResponseWriter, r *http.Request) error {
	var in billing.DraftInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	inv, err := h.Billing.CreateDraft(r.Context(), in)
	if err != nil {
		return err
	}
	h.record(r, "invoice.create", "invoice", inv.ID, nil, inv)
	httpx.JSON(w, http.StatusCreated, inv)
	return nil
}

func (h invoiceHandlers) adminGet(w http.ResponseWriter, r *http.Request) error {
	inv, err := h.Billing.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, inv)
	return nil
}

func (h invoiceHandlers) adminFinalize(w http.ResponseWriter, r *http.Request) error {
	inv, err := h.Billing.Finalize(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	h.record(r, "invoice.finalize", "invoice", inv.ID, nil, map[string]string{"number": inv.Number})
	httpx.JSON(w, http.StatusOK, inv)
	return nil
}

func (h invoiceHandlers) adminMarkPaid(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Method    string `json:"method"`
		Reference string `json:"reference"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	inv, err := h.Billing.MarkPaid(r.Context(), r.PathValue("id"), in.Method, in.Reference)
	if err != nil {
		return err
	}
	h.record(r, "invoice.mark_paid", "invoice", inv.ID, nil, in)
	httpx.JSON(w, http.StatusOK, inv)
	return nil
}

func (h invoiceHandlers) adminPDF(w http.ResponseWriter, r *http.Request) error {
	inv, err := h.Billing.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.sendPDF(w, r, inv)
}

func (h invoiceHandlers) sendPDF(w http.ResponseWriter, r *http.Request, inv *billing.Invoice) error {
	b, err := h.Billing.PDF(r.Context(), inv)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+inv.Number+`.pdf"`)
	_, _ = w.Write(b)
	return nil
}

// mine returns the caller's own finalised invoice; drafts and other
// customers' invoices answer 404 as if they did not exist.
func (h invoiceHandlers) mine(r *http.Request) (*billing.Invoice, error) {
	inv, err := h.Billing.Get(r.Context(), r.PathValue("id"))
	if err != nil || inv.CustomerID != principal(r).User.ID || inv.Status == billing.Draft {
		return nil, apperr.New(apperr.NotFound, "invoice not found")
	}
	return inv, nil
}

func (h invoiceHandlers) myList(w http.ResponseWriter, r *http.Request) error {
	list, next, err := h.Billing.List(r.Context(), principal(r).User.ID, r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	out := []billing.Invoice{}
	for _, inv := range list {
		if inv.Status != billing.Draft {
			out = append(out, inv)
		}
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"invoices": out, "next_cursor": next})
	return nil
}

func (h invoiceHandlers) myGet(w http.ResponseWriter, r *http.Request) error {
	inv, err := h.mine(r)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, inv)
	return nil
}

func (h invoiceHandlers) myPDF(w http.ResponseWriter, r *http.Request) error {
	inv, err := h.mine(r)
	if err != nil {
		return err
	}
	return h.sendPDF(w, r, inv)
}

func (h invoiceHandlers) listTaxRates(w http.ResponseWriter, r *http.Request) error {
	rates, err := h.Billing.TaxRates(r.Context())
	if err != nil {
		return err
	}
	if rates == nil {
		rates = []billing.TaxRate{}
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"tax_rates": rates})
	return nil
}

func (h invoiceHandlers) putTaxRate(w http.ResponseWriter, r *http.Request) error {
	var in billing.TaxRate
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	in, err := h.Billing.PutTaxRate(r.Context(), in)
	if err != nil {
		return err
	}
	h.record(r, "tax_rate.put", "tax_rate", in.Country+"#"+in.Region, nil, in)
	httpx.JSON(w, http.StatusOK, in)
	return nil
}

func (h invoiceHandlers) deleteTaxRate(w http.ResponseWriter, r *http.Request) error {
	country, region := r.PathValue("country"), r.URL.Query().Get("region")
	if err := h.Billing.DeleteTaxRate(r.Context(), country, region); err != nil {
		return err
	}
	h.record(r, "tax_rate.delete", "tax_rate", country+"#"+region, nil, nil)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
