package paypalsim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/platform/infra/simkit"
	"github.com/ezscale/platform/shared/domain/money"
)

// value writes minor units as PayPal's decimal string.
func value(minor int64, currency string) Amount {
	return Amount{Currency: currency, Value: money.Money{Amount: minor, Currency: currency}.Decimal()}
}

// parseValue reads PayPal's decimal string in currency's minor units.
func parseValue(v, currency string) (int64, bool) {
	c, ok := money.Lookup(currency)
	if !ok {
		return 0, false
	}
	whole, frac, _ := strings.Cut(v, ".")
	if len(frac) > c.Exponent || whole == "" || strings.Trim(whole+frac, "0123456789") != "" {
		return 0, false
	}
	frac += strings.Repeat("0", c.Exponent-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil && n >= 0
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func (s *Sim) createProduct(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Type        string `json:"type"`
		Description string `json:"description"`
	}
	if !body(w, r, &in) {
		return
	}
	if in.Name == "" || len(in.Name) > 127 {
		invalid(w, "name", "MISSING_REQUIRED_PARAMETER")
		return
	}
	if in.Type == "" {
		in.Type = "PHYSICAL"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.ID == "" {
		in.ID = s.id("PROD-", 17)
	}
	for _, p := range s.st.Products {
		if p.ID == in.ID {
			apiError(w, http.StatusConflict, "RESOURCE_CONFLICT", "The server has detected a conflict while processing this request.", "DUPLICATE_RESOURCE_IDENTIFIER")
			return
		}
	}
	p := &Product{ID: in.ID, Name: in.Name, Type: in.Type, Description: in.Description, CreateTime: s.now().UTC()}
	s.st.Products = append(s.st.Products, p)
	simkit.JSON(w, http.StatusCreated, productView(p))
}

func productView(p *Product) map[string]any {
	return map[string]any{"id": p.ID, "name": p.Name, "type": p.Type, "description": p.Description, "create_time": stamp(p.CreateTime),
		"links": []map[string]string{{"href": "/v1/catalogs/products/" + p.ID, "rel": "self", "method": "GET"}}}
}

func (s *Sim) getProduct(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.st.Products {
		if p.ID == r.PathValue("id") {
			simkit.JSON(w, http.StatusOK, productView(p))
			return
		}
	}
	notFound(w)
}

// page cuts list at the query's page_size (1..20, default 10) and page.
func page[T any](w http.ResponseWriter, r *http.Request, list []T) ([]T, bool) {
	size, num := 10, 1
	if v := r.URL.Query().Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 20 {
			invalid(w, "page_size", "INVALID_PARAMETER_VALUE")
			return nil, false
		}
		size = n
	}
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			invalid(w, "page", "INVALID_PARAMETER_VALUE")
			return nil, false
		}
		num = n
	}
	from := min((num-1)*size, len(list))
	return list[from:min(from+size, len(list))], true
}

func (s *Sim) listProducts(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list, ok := page(w, r, s.st.Products)
	if !ok {
		return
	}
	out := []map[string]any{}
	for _, p := range list {
		out = append(out, productView(p))
	}
	simkit.JSON(w, http.StatusOK, map[string]any{"products": out, "total_items": len(s.st.Products)})
}

// cycleIn is a billing cycle as requests write it.
type cycleIn struct {
	TenureType string `json:"tenure_type"`
	Sequence   int    `json:"sequence"`
	Total      *int   `json:"total_cycles"`
	Frequency  struct {
		Unit  string `json:"interval_unit"`
		Count int    `json:"interval_count"`
	} `json:"frequency"`
	Pricing *struct {
		Fixed Amount `json:"fixed_price"`
	} `json:"pricing_scheme"`
}

var maxCount = map[string]int{"DAY": 365, "WEEK": 52, "MONTH": 12, "YEAR": 1}

// cycles checks requested billing cycles: 1..12, at most two trials and
// exactly one regular cycle, last; frequencies within PayPal's bounds.
func cycles(in []cycleIn) ([]Cycle, string) {
	if len(in) < 1 || len(in) > 12 {
		return nil, "billing_cycles: 1 to 12 cycles"
	}
	var out []Cycle
	trials, regular := 0, 0
	for i, c := range in {
		switch c.TenureType {
		case "TRIAL":
			trials++
		case "REGULAR":
			regular++
		default:
			return nil, fmt.Sprintf("billing_cycles[%d].tenure_type", i)
		}
		if hi := maxCount[c.Frequency.Unit]; hi == 0 || c.Frequency.Count < 1 || c.Frequency.Count > hi {
			return nil, fmt.Sprintf("billing_cycles[%d].frequency", i)
		}
		total := 1
		if c.Total != nil {
			total = *c.Total
		}
		if total < 0 || total > 999 || (total == 0 && c.TenureType != "REGULAR") {
			return nil, fmt.Sprintf("billing_cycles[%d].total_cycles", i)
		}
		cy := Cycle{TenureType: c.TenureType, Sequence: c.Sequence, TotalCycles: total, IntervalUnit: c.Frequency.Unit, IntervalCount: c.Frequency.Count}
		if c.Pricing != nil {
			v, ok := parseValue(c.Pricing.Fixed.Value, c.Pricing.Fixed.Currency)
			if !ok {
				return nil, fmt.Sprintf("billing_cycles[%d].pricing_scheme.fixed_price", i)
			}
			cy.Price, cy.Currency = v, c.Pricing.Fixed.Currency
		} else if c.TenureType == "REGULAR" {
			return nil, fmt.Sprintf("billing_cycles[%d].pricing_scheme", i)
		}
		out = append(out, cy)
	}
	if trials > 2 || regular != 1 || out[len(out)-1].TenureType != "REGULAR" {
		return nil, "billing_cycles: at most two trial cycles and only one regular cycle, last"
	}
	cur := out[len(out)-1].Currency
	for i := range out {
		if out[i].Currency == "" {
			out[i].Currency = cur
		}
		if out[i].Currency != cur {
			return nil, "CURRENCY_MISMATCH"
		}
	}
	return out, ""
}

func cyclesView(cs []Cycle) []map[string]any {
	out := []map[string]any{}
	for _, c := range cs {
		out = append(out, map[string]any{"tenure_type": c.TenureType, "sequence": c.Sequence, "total_cycles": c.TotalCycles,
			"frequency":      map[string]any{"interval_unit": c.IntervalUnit, "interval_count": c.IntervalCount},
			"pricing_scheme": map[string]any{"fixed_price": value(c.Price, c.Currency), "version": 1}})
	}
	return out
}

func (s *Sim) createPlan(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ProductID string    `json:"product_id"`
		Name      string    `json:"name"`
		Status    string    `json:"status"`
		Cycles    []cycleIn `json:"billing_cycles"`
		Prefs     struct {
			AutoBill  *bool `json:"auto_bill_outstanding"`
			Threshold int   `json:"payment_failure_threshold"`
		} `json:"payment_preferences"`
	}
	if !body(w, r, &in) {
		return
	}
	cs, problem := cycles(in.Cycles)
	switch {
	case in.Name == "":
		invalid(w, "name", "MISSING_REQUIRED_PARAMETER")
		return
	case problem != "":
		invalid(w, problem, "INVALID_PARAMETER_VALUE")
		return
	case in.Prefs.Threshold < 0 || in.Prefs.Threshold > 999:
		invalid(w, "payment_preferences.payment_failure_threshold", "INVALID_PARAMETER_VALUE")
		return
	case in.Status != "" && in.Status != "ACTIVE" && in.Status != "CREATED" && in.Status != "INACTIVE":
		invalid(w, "status", "INVALID_PARAMETER_VALUE")
		return
	}
	if in.Status == "" {
		in.Status = "ACTIVE"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	for _, p := range s.st.Products {
		found = found || p.ID == in.ProductID
	}
	if !found {
		unprocessable(w, "INVALID_PRODUCT_ID", "Product with the given product_id does not exist.")
		return
	}
	p := &Plan{ID: s.id("P-", 24), ProductID: in.ProductID, Name: in.Name, Status: in.Status, Cycles: cs, AutoBillOutstanding: in.Prefs.AutoBill == nil || *in.Prefs.AutoBill,
		FailureThreshold: in.Prefs.Threshold, CreateTime: s.now().UTC()}
	s.st.Plans = append(s.st.Plans, p)
	simkit.JSON(w, http.StatusCreated, planView(p))
}

func planView(p *Plan) map[string]any {
	return map[string]any{"id": p.ID, "product_id": p.ProductID, "name": p.Name, "status": p.Status, "billing_cycles": cyclesView(p.Cycles),
		"payment_preferences": map[string]any{"auto_bill_outstanding": p.AutoBillOutstanding, "payment_failure_threshold": p.FailureThreshold, "setup_fee_failure_action": "CANCEL"},
		"create_time":         stamp(p.CreateTime)}
}

func (s *Sim) plan(id string) *Plan {
	for _, p := range s.st.Plans {
		if p.ID == id {
			return p
		}
	}
	return nil
}

func (s *Sim) getPlan(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.plan(r.PathValue("id")); p != nil {
		simkit.JSON(w, http.StatusOK, planView(p))
		return
	}
	notFound(w)
}

func (s *Sim) listPlans(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*Plan
	for _, p := range s.st.Plans {
		if q := r.URL.Query().Get("product_id"); q == "" || q == p.ProductID {
			match = append(match, p)
		}
	}
	list, ok := page(w, r, match)
	if !ok {
		return
	}
	out := []map[string]any{}
	for _, p := range list {
		out = append(out, planView(p))
	}
	simkit.JSON(w, http.StatusOK, map[string]any{"plans": out, "total_items": len(match)})
}

// planStatus activates or deactivates a plan (422 PLAN_STATUS_INVALID
// when activating one that is neither CREATED nor INACTIVE).
func (s *Sim) planStatus(to string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		p := s.plan(r.PathValue("id"))
		switch {
		case p == nil:
			notFound(w)
		case to == "ACTIVE" && p.Status == "ACTIVE":
			unprocessable(w, "PLAN_STATUS_INVALID", "Invalid plan status for activate action; plan status should be either created or inactive.")
		case to == "INACTIVE" && p.Status != "ACTIVE":
			unprocessable(w, "PLAN_STATUS_INVALID", "Invalid plan status for deactivate action; plan status should be active.")
		default:
			p.Status = to
			w.WriteHeader(http.StatusNoContent)
		}
	}
}

// Counts are how many products and plans exist (tests check that retries
// and repeated checkouts made no twins).
func (s *Sim) Counts() (products, plans int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.st.Products), len(s.st.Plans)
}
