// Package paypalsim simulates PayPal's REST API for subscriptions, as
// ../shared/apis/paypal.md documents it, for make dev and tests: an OAuth2
// client-credentials token; catalog products; plans (billing cycles with
// trials, payment preferences); subscriptions with the buyer's approval
// page and the status machine (APPROVAL_PENDING → ACTIVE → SUSPENDED /
// CANCELLED / EXPIRED) answering the spec's 422 errors for moves it does
// not allow; renewals driven by the clock (a declined one adds to the
// outstanding balance and the failed-payment count, and suspends at the
// plan's threshold); v1 sale refunds; webhooks signed as PayPal signs
// them (SHA256withRSA over id|time|webhook id|CRC32 of the body, with a
// certificate served by the simulator) and delivered with retries, and
// the verify-webhook-signature postback; idempotency by PayPal-Request-Id.
// Faults can be injected like the other simulators, and the state
// survives restarts.
package paypalsim

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ezscale/platform/infra/simkit"
)

// Sim is one simulated PayPal REST API account.
type Sim struct {
	ClientID, Secret string
	// WebhookID is the id of the webhook the account delivers to; its
	// events are signed with it.
	WebhookID string

	simkit.Faults

	mu      sync.Mutex
	st      state
	now     func() time.Time
	keeper  simkit.Keeper[state]
	base    string // where links (approval pages, certificates) point
	hookURL string
	key     *rsa.PrivateKey
	certID  string
	certPEM []byte
	sent    map[string]transmission // by transmission id, for the verify postback
	client  *http.Client
}

// Amount is money as PayPal writes it.
type Amount struct {
	Currency string `json:"currency_code"`
	Value    string `json:"value"`
}

// Cycle is one billing cycle of a plan (or a subscription's override).
type Cycle struct {
	TenureType    string `json:"tenure_type"` // REGULAR or TRIAL
	Sequence      int    `json:"sequence"`
	TotalCycles   int    `json:"total_cycles"` // 0: for ever (REGULAR only)
	IntervalUnit  string `json:"interval_unit"`
	IntervalCount int    `json:"interval_count"`
	Price         int64  `json:"price"` // minor units
	Currency      string `json:"currency"`
}

// Product is a catalog product.
type Product struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Type        string    `json:"type"`
	Description string    `json:"description,omitempty"`
	CreateTime  time.Time `json:"create_time"`
}

// Plan is a billing plan.
type Plan struct {
	ID                  string    `json:"id"`
	ProductID           string    `json:"product_id"`
	Name                string    `json:"name"`
	Status              string    `json:"status"`
	Cycles              []Cycle   `json:"cycles"`
	AutoBillOutstanding bool      `json:"auto_bill_outstanding"`
	FailureThreshold    int       `json:"payment_failure_threshold"`
	CreateTime          time.Time `json:"create_time"`
}

// Subscription is a buyer's subscription to a plan.
type Subscription struct {
	ID            string     `json:"id"`
	PlanID        string     `json:"plan_id"`
	Status        string     `json:"status"`
	StatusNote    string     `json:"status_change_note,omitempty"`
	CustomID      string     `json:"custom_id,omitempty"`
	Cycles        []Cycle    `json:"cycles"` // the plan's, or the override's
	Overridden    bool       `json:"plan_overridden"`
	Completed     []int      `json:"completed"` // cycles completed, per cycle
	Current       int        `json:"current"`   // index into Cycles
	Outstanding   int64      `json:"outstanding"`
	Failed        int        `json:"failed_payments_count"`
	LastFailed    *time.Time `json:"last_failed,omitempty"`
	LastPaid      *time.Time `json:"last_paid,omitempty"`
	LastPaidValue int64      `json:"last_paid_value"`
	NextBilling   *time.Time `json:"next_billing_time,omitempty"`
	Token         string     `json:"ba_token"`
	ReturnURL     string     `json:"return_url"`
	CancelURL     string     `json:"cancel_url"`
	Declines      bool       `json:"declines"` // the buyer's funding fails every renewal
	SuspendedBy   string     `json:"suspended_by,omitempty"`
	Subscriber    string     `json:"subscriber_email,omitempty"`
	CreateTime    time.Time  `json:"create_time"`
	Started       *time.Time `json:"start_time,omitempty"` // set on approval
	// Revision is a change of plan waiting for the buyer's consent.
	Revision *Revision `json:"revision,omitempty"`
	// PriceChange is a patched price that applies from a billing time on.
	PriceChange *PriceChange `json:"price_change,omitempty"`
	UpdateTime  time.Time    `json:"status_update_time"`
}

// Revision is a plan change the buyer has not consented to yet.
type Revision struct {
	PlanID    string `json:"plan_id"`
	Token     string `json:"ba_token"`
	ReturnURL string `json:"return_url"`
	CancelURL string `json:"cancel_url"`
}

// PriceChange is a cycle's new price and the first billing it applies to.
type PriceChange struct {
	Sequence int       `json:"sequence"`
	Price    int64     `json:"price"`
	From     time.Time `json:"from"`
}

// Sale is a completed subscription payment, and what was refunded of it.
type Sale struct {
	ID             string    `json:"id"`
	SubscriptionID string    `json:"billing_agreement_id"`
	Amount         int64     `json:"amount"`
	Currency       string    `json:"currency"`
	Refunded       int64     `json:"refunded"`
	CustomID       string    `json:"custom"`
	CreateTime     time.Time `json:"create_time"`
}

// Refund is a refund of a sale.
type Refund struct {
	ID         string    `json:"id"`
	SaleID     string    `json:"sale_id"`
	Amount     int64     `json:"amount"`
	Currency   string    `json:"currency"`
	RequestID  string    `json:"request_id,omitempty"`
	CreateTime time.Time `json:"create_time"`
}

// Event is a webhook event, delivered until a 2xx answers it.
type Event struct {
	ID        string    `json:"id"`
	Type      string    `json:"event_type"`
	Body      string    `json:"body"` // exactly the bytes delivered
	Delivered bool      `json:"delivered"`
	Attempts  int       `json:"attempts"`
	NextTry   time.Time `json:"next_try"`
}

type replay struct {
	Status int    `json:"status"`
	Body   string `json:"body"`
}

// state is what the state file holds; ids keep counting across restarts.
type state struct {
	Tokens   map[string]time.Time `json:"tokens"`
	Products []*Product           `json:"products"`
	Plans    []*Plan              `json:"plans"`
	Subs     []*Subscription      `json:"subscriptions"`
	Sales    []*Sale              `json:"sales"`
	Refunds  []*Refund            `json:"refunds"`
	Events   []*Event             `json:"events"`
	Replays  map[string]replay    `json:"replays"` // by path and PayPal-Request-Id
	Declines int                  `json:"declines"`
	Seq      int                  `json:"seq"`
}

// New returns a simulator whose links point at base (where its Handler
// is served) and whose clock is now (nil: the wall clock).
func New(clientID, secret, webhookID, base string, now func() time.Time) *Sim {
	if now == nil {
		now = time.Now
	}
	s := &Sim{ClientID: clientID, Secret: secret, WebhookID: webhookID, base: strings.TrimRight(base, "/"), now: now,
		sent: map[string]transmission{}, client: &http.Client{Timeout: 10 * time.Second}}
	s.st = state{Tokens: map[string]time.Time{}, Replays: map[string]replay{}}
	s.newKey()
	return s
}

// Keep restores the state f saved last and saves every change from now
// on, before the change is answered.
func (s *Sim) Keep(f simkit.StateFile) error {
	s.keeper = simkit.Keeper[state]{File: f, Mu: &s.mu, Name: "paypal",
		Get: func() state { return s.st },
		Set: func(st state) {
			if st.Tokens == nil {
				st.Tokens = map[string]time.Time{}
			}
			if st.Replays == nil {
				st.Replays = map[string]replay{}
			}
			s.st = st
		}}
	return s.keeper.Restore()
}

func (s *Sim) save() { s.keeper.Save() }

// SetWebhookURL is where events are delivered ("" keeps them queued).
func (s *Sim) SetWebhookURL(u string) {
	s.mu.Lock()
	s.hookURL = u
	s.mu.Unlock()
}

// id makes an id in PayPal's style: prefix and n letters and digits,
// unique by the sequence (kept across restarts) and the process start.
func (s *Sim) id(prefix string, n int) string {
	s.st.Seq++
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
	sum := sha256.Sum256([]byte(fmt.Sprintf("%d/%d", s.st.Seq, started)))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[int(sum[i%len(sum)]+byte(i/len(sum)))%len(alphabet)]
	}
	return prefix + string(b)
}

var started = time.Now().UnixNano()

// apiError is PayPal's error model (error_4xx in the spec).
func apiError(w http.ResponseWriter, status int, name, message string, issue string) {
	body := map[string]any{"name": name, "message": message, "debug_id": fmt.Sprintf("%x", time.Now().UnixNano()%0xffffffffff)}
	if issue != "" {
		body["details"] = []map[string]string{{"issue": issue, "description": message}}
	}
	simkit.JSON(w, status, body)
}

func unprocessable(w http.ResponseWriter, issue, description string) {
	apiError(w, http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY",
		"The requested action could not be performed, semantically incorrect, or failed business validation.", issue+": "+description)
}

func notFound(w http.ResponseWriter) {
	apiError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "The specified resource does not exist.", "INVALID_RESOURCE_ID")
}

func invalid(w http.ResponseWriter, field, issue string) {
	apiError(w, http.StatusBadRequest, "INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema.", issue+" ("+field+")")
}

// Handler serves the REST API, the buyer's approval page and the
// signing certificate.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/oauth2/token", s.token)
	h := func(pattern string, fn http.HandlerFunc) { mux.HandleFunc(pattern, s.guard(fn)) }
	h("POST /v1/catalogs/products", s.createProduct)
	h("GET /v1/catalogs/products", s.listProducts)
	h("GET /v1/catalogs/products/{id}", s.getProduct)
	h("POST /v1/billing/plans", s.createPlan)
	h("GET /v1/billing/plans", s.listPlans)
	h("GET /v1/billing/plans/{id}", s.getPlan)
	h("POST /v1/billing/plans/{id}/activate", s.planStatus("ACTIVE"))
	h("POST /v1/billing/plans/{id}/deactivate", s.planStatus("INACTIVE"))
	h("POST /v1/billing/subscriptions", s.createSubscription)
	h("GET /v1/billing/subscriptions/{id}", s.getSubscription)
	h("POST /v1/billing/subscriptions/{id}/cancel", s.moveSubscription("cancel"))
	h("POST /v1/billing/subscriptions/{id}/suspend", s.moveSubscription("suspend"))
	h("POST /v1/billing/subscriptions/{id}/activate", s.moveSubscription("activate"))
	h("POST /v1/billing/subscriptions/{id}/capture", s.capture)
	h("PATCH /v1/billing/subscriptions/{id}", s.patchSubscription)
	h("POST /v1/billing/subscriptions/{id}/revise", s.revise)
	h("GET /v1/billing/subscriptions/{id}/transactions", s.transactions)
	h("GET /v1/payments/sale/{id}", s.getSale)
	h("POST /v1/payments/sale/{id}/refund", s.refundSale)
	h("POST /v1/notifications/verify-webhook-signature", s.verify)
	mux.HandleFunc("GET /webapps/billing/subscriptions/update", s.revisionPage)
	mux.HandleFunc("POST /webapps/billing/subscriptions/update", s.approveRevision)
	mux.HandleFunc("GET /webapps/billing/subscriptions", s.approvalPage)
	mux.HandleFunc("POST /webapps/billing/subscriptions", s.approve)
	mux.HandleFunc("GET /v1/notifications/certs/{id}", s.cert)
	mux.HandleFunc("GET /{$}", s.devPage)
	mux.HandleFunc("POST /dev/subscriptions/{id}/{action}", s.devAction)
	mux.HandleFunc("GET /dev/ledger.json", s.devLedger)
	mux.HandleFunc("POST /dev/redeliver", s.devRedeliver)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { notFound(w) })
	return mux
}

// token is the client-credentials grant.
func (s *Sim) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != s.ClientID || secret != s.Secret || s.ClientID == "" {
		simkit.JSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "Client Authentication failed"})
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		simkit.JSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "Grant Type is NULL"})
		return
	}
	s.mu.Lock()
	tok := s.id("A21AA", 40)
	// Tokens live in real time: the dev clock jumping days ahead must
	// not expire the adapter's token.
	s.st.Tokens[tok] = time.Now().Add(9 * time.Hour)
	s.mu.Unlock()
	s.save()
	simkit.JSON(w, http.StatusOK, map[string]any{"scope": "https://uri.paypal.com/services/subscriptions https://uri.paypal.com/services/applications/verify-webhook-signature",
		"access_token": tok, "token_type": "Bearer", "app_id": "APP-80W284485P519543T", "expires_in": 32400, "nonce": s.now().UTC().Format(time.RFC3339) + "-sim"})
}

// guard checks the bearer token, applies faults, replays a repeated
// PayPal-Request-Id, and saves state changes before answering.
func (s *Sim) guard(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		exp, ok := s.st.Tokens[tok]
		s.mu.Unlock()
		if !ok || !time.Now().Before(exp) {
			apiError(w, http.StatusUnauthorized, "AUTHENTICATION_FAILURE", "Authentication failed due to invalid authentication credentials or a missing Authorization header.", "")
			return
		}
		key := ""
		if rid := r.Header.Get("PayPal-Request-Id"); rid != "" && r.Method == http.MethodPost {
			key = r.URL.Path + "#" + rid
			s.mu.Lock()
			rep, seen := s.st.Replays[key]
			s.mu.Unlock()
			if seen {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(rep.Status)
				_, _ = w.Write([]byte(rep.Body))
				return
			}
		}
		simkit.Serve(w, r, s.Next(), func(w http.ResponseWriter, status int) {
			name := map[int]string{http.StatusTooManyRequests: "RATE_LIMIT_REACHED", http.StatusServiceUnavailable: "SERVICE_UNAVAILABLE"}[status]
			if name == "" {
				name = "INTERNAL_SERVER_ERROR"
			}
			apiError(w, status, name, "simulated failure", "")
		}, func(w http.ResponseWriter) {
			invalid(w, "body", "MALFORMED_REQUEST_JSON")
		}, simkit.Persisted(s.save, func(w http.ResponseWriter, r *http.Request) {
			if key == "" {
				h(w, r)
				return
			}
			rec := simkit.NewRecorder(w.Header())
			h(rec, r)
			if rec.Status() < 500 {
				s.mu.Lock()
				s.st.Replays[key] = replay{Status: rec.Status(), Body: string(rec.Body())}
				s.mu.Unlock()
			}
			rec.WriteTo(w)
		}))
	}
}

// body decodes the request's JSON object into v (false: answered 400).
func body(w http.ResponseWriter, r *http.Request, v any) bool {
	b, _ := json.Marshal(simkit.Body(r))
	if err := json.Unmarshal(b, v); err != nil {
		invalid(w, "body", "INVALID_PARAMETER_SYNTAX")
		return false
	}
	return true
}
