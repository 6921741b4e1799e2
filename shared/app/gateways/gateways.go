// Package gateways is the list of payment gateways an installation runs,
// for every function that bills or hears webhooks: Stripe first (the
// default; unconfigured, it answers 503), then PayPal when its REST app is
// configured.
package gateways

import (
	"net/http"

	"github.com/ezscale/platform/shared/adapters/paypalgw"
	"github.com/ezscale/platform/shared/adapters/stripegw"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/config"
)

// Configured returns the gateways cfg configures.
func Configured(cfg config.Config, client *http.Client) ([]gateway.Gateway, error) {
	list := []gateway.Gateway{stripegw.Configured(cfg, client)}
	if cfg.PayPalClientID == "" {
		return list, nil
	}
	pp, err := paypalgw.New(paypalgw.Config{ClientID: cfg.PayPalClientID, Secret: cfg.PayPalSecret, WebhookID: cfg.PayPalWebhookID,
		BaseURL: cfg.PayPalAPIURL, Verify: cfg.PayPalVerify, HTTP: client})
	if err != nil {
		return nil, err
	}
	return append(list, pp), nil
}
