package paypalsim

import (
	"net/http"

	"github.com/ezscale/platform/infra/simkit"
)

// saleView is a v1 sale as the API and PAYMENT.SALE.* events carry it.
func saleView(sale *Sale) map[string]any {
	state := "completed"
	switch {
	case sale.Refunded == sale.Amount:
		state = "refunded"
	case sale.Refunded > 0:
		state = "partially_refunded"
	}
	amt := value(sale.Amount, sale.Currency)
	return map[string]any{"id": sale.ID, "state": state, "billing_agreement_id": sale.SubscriptionID, "custom": sale.CustomID,
		"amount":       map[string]any{"total": amt.Value, "currency": sale.Currency, "details": map[string]string{"subtotal": amt.Value}},
		"payment_mode": "INSTANT_TRANSFER", "protection_eligibility": "ELIGIBLE", "invoice_number": "",
		"create_time": stamp(sale.CreateTime), "update_time": stamp(sale.CreateTime),
		"links": []map[string]string{{"href": "/v1/payments/sale/" + sale.ID, "rel": "self", "method": "GET"},
			{"href": "/v1/payments/sale/" + sale.ID + "/refund", "rel": "refund", "method": "POST"}}}
}

func (s *Sim) sale(id string) *Sale {
	for _, sale := range s.st.Sales {
		if sale.ID == id {
			return sale
		}
	}
	return nil
}

func (s *Sim) getSale(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sale := s.sale(r.PathValue("id")); sale != nil {
		simkit.JSON(w, http.StatusOK, saleView(sale))
		return
	}
	notFound(w)
}

// refundSale is the v1 sale refund: the whole of what is left with an
// empty body, or the amount asked for, never more than is left.
func (s *Sim) refundSale(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Amount *struct {
			Total    string `json:"total"`
			Currency string `json:"currency"`
		} `json:"amount"`
		Description string `json:"description"`
	}
	if !body(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sale := s.sale(r.PathValue("id"))
	if sale == nil {
		notFound(w)
		return
	}
	left := sale.Amount - sale.Refunded
	amount := left
	if in.Amount != nil {
		v, ok := parseValue(in.Amount.Total, in.Amount.Currency)
		if !ok || in.Amount.Currency != sale.Currency {
			apiError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid request - see details", "amount: currency must be the sale's and the total a decimal in it")
			return
		}
		amount = v
	}
	switch {
	case left == 0:
		apiError(w, http.StatusBadRequest, "TRANSACTION_REFUSED", "The request was refused. This transaction has already been fully refunded.", "")
		return
	case amount <= 0 || amount > left:
		apiError(w, http.StatusBadRequest, "TRANSACTION_REFUSED", "Refund amount exceeds the amount left on this sale.", "")
		return
	}
	sale.Refunded += amount
	ref := &Refund{ID: s.id("", 17), SaleID: sale.ID, Amount: amount, Currency: sale.Currency, RequestID: r.Header.Get("PayPal-Request-Id"), CreateTime: s.now().UTC()}
	s.st.Refunds = append(s.st.Refunds, ref)
	view := map[string]any{"id": ref.ID, "state": "completed", "sale_id": sale.ID, "parent_payment": "PAY-" + sale.ID,
		"amount": map[string]any{"total": value(amount, sale.Currency).Value, "currency": sale.Currency}, "create_time": stamp(ref.CreateTime),
		"links": []map[string]string{{"href": "/v1/payments/refund/" + ref.ID, "rel": "self", "method": "GET"}, {"href": "/v1/payments/sale/" + sale.ID, "rel": "sale", "method": "GET"}}}
	s.emit("PAYMENT.SALE.REFUNDED", "refund", view)
	simkit.JSON(w, http.StatusCreated, view)
}

// Refunds counts the refunds of a sale (tests).
func (s *Sim) Refunds(saleID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.st.Refunds {
		if r.SaleID == saleID {
			n++
		}
	}
	return n
}
