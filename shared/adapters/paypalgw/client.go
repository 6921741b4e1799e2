// Package paypalgw is PayPal behind the gateway port: REST subscriptions
// through github.com/plutov/paypal/v4 (its OAuth2 token handling and
// transport), with what the library lacks written here — PayPal-Request-Id
// on every mutating call, v1 sale refunds, the offline webhook signature
// check, and error classification. Facts: ../shared/apis/paypal.md.
package paypalgw

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/plutov/paypal/v4"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// Config is one PayPal REST app.
type Config struct {
	ClientID, Secret string
	// WebhookID is the id PayPal gave the webhook pointing at
	// /v1/webhooks/paypal; deliveries are verified against it.
	WebhookID string
	// BaseURL is https://api-m.paypal.com (live), the sandbox, or the
	// simulator.
	BaseURL string
	// Verify is "postback" (PayPal's verify-webhook-signature, the default)
	// or "offline" (CRC-32 and the signing certificate, fetched only from
	// CertHosts).
	Verify string
	// CertHosts are the hosts certificates may come from (default: PayPal's,
	// paypal.com and its subdomains, over HTTPS).
	CertHosts []string
	// Brand is the name buyers see on PayPal's pages.
	Brand string
	// FailureThreshold is how many failed payments in a row suspend a
	// subscription at PayPal (plans are made with it).
	FailureThreshold int
	HTTP             *http.Client
}

// Gateway is PayPal.
type Gateway struct {
	cfg    Config
	api    *paypal.Client
	certs  *certCache
	now    func() time.Time
	tries  int
	pauses []time.Duration
}

// New returns the PayPal gateway for cfg.
func New(cfg Config) (*Gateway, error) {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	c, err := paypal.NewClient(cfg.ClientID, cfg.Secret, cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("paypal: %w", err)
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	c.SetHTTPClient(cfg.HTTP)
	if cfg.Verify == "" {
		cfg.Verify = "postback"
	}
	if cfg.FailureThreshold == 0 {
		cfg.FailureThreshold = 3
	}
	if cfg.Brand == "" {
		cfg.Brand = "EZSCALE"
	}
	return &Gateway{cfg: cfg, api: c, certs: newCertCache(cfg.HTTP), now: time.Now, tries: 3,
		pauses: []time.Duration{200 * time.Millisecond, 800 * time.Millisecond}}, nil
}

// Name implements gateway.Gateway.
func (g *Gateway) Name() string { return "paypal" }

// call sends one API request. requestID, when set, is the
// PayPal-Request-Id: PayPal answers a repeat with the first outcome, so
// such a call (and any GET) is retried on 429, 5xx and transport errors;
// anything else is sent once.
func (g *Gateway) call(ctx context.Context, method, path string, body any, requestID string, out any) error {
	retry := method == http.MethodGet || requestID != ""
	var err error
	for attempt := 0; attempt < g.tries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return apperr.Wrap(ctx.Err(), apperr.Unavailable, "PayPal did not answer in time")
			case <-time.After(g.pauses[min(attempt-1, len(g.pauses)-1)]):
			}
		}
		var req *http.Request
		if req, err = g.api.NewRequest(ctx, method, g.cfg.BaseURL+path, body); err != nil {
			return fmt.Errorf("paypal %s %s: %w", method, path, err)
		}
		if body == nil {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		if requestID != "" {
			req.Header.Set("PayPal-Request-Id", requestID)
		}
		err = g.api.SendWithAuth(req, out)
		if err == nil || !retry || !transient(err) {
			break
		}
	}
	return classify(err, method+" "+path)
}

// transient says whether a failed call may succeed if sent again.
func transient(err error) bool {
	var pe *paypal.ErrorResponse
	if errors.As(err, &pe) && pe.Response != nil {
		return pe.Response.StatusCode == http.StatusTooManyRequests || pe.Response.StatusCode >= 500
	}
	return true // transport errors, timeouts, bodies that are not JSON
}

// classify turns PayPal's answer into our error codes: 404 NotFound, 422
// Conflict (the object's state refuses the move; the issue is kept), 400
// Invalid, 401/403 Unavailable (our credentials), 429/5xx and transport
// failures Unavailable.
func classify(err error, what string) error {
	if err == nil {
		return nil
	}
	var pe *paypal.ErrorResponse
	if !errors.As(err, &pe) || pe.Response == nil {
		return apperr.Wrap(fmt.Errorf("paypal %s: %w", what, err), apperr.Unavailable, "PayPal is unreachable; try again shortly")
	}
	issue := pe.Name
	if len(pe.Details) > 0 && pe.Details[0].Issue != "" {
		issue = pe.Details[0].Issue
	}
	wrapped := fmt.Errorf("paypal %s: %d %s (%s, debug id %s)", what, pe.Response.StatusCode, pe.Message, issue, pe.DebugID)
	switch code := pe.Response.StatusCode; {
	case code == http.StatusNotFound:
		return apperr.Wrap(wrapped, apperr.NotFound, "not found at PayPal")
	case code == http.StatusUnprocessableEntity || code == http.StatusConflict:
		return apperr.Wrap(wrapped, apperr.Conflict, "PayPal refused: "+issue)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return apperr.Wrap(wrapped, apperr.Unavailable, "payments through PayPal are misconfigured; staff have been told")
	case code == http.StatusBadRequest:
		return apperr.Wrap(wrapped, apperr.Invalid, "PayPal refused the request: "+pe.Message)
	}
	return apperr.Wrap(wrapped, apperr.Unavailable, "PayPal is unavailable; try again shortly")
}
