package invoke

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ezscale/platform/infra/local/seed"
	"github.com/ezscale/platform/infra/local/stack"
	"github.com/ezscale/platform/infra/stripesim"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/orders"
)

// Placeholders documents every name an event file may use.
var Placeholders = map[string]string{
	"now":                      "the platform clock's time (RFC 3339; the dev clock in make dev's data)",
	"now.ms":                   "the same in Unix milliseconds (a number where the whole string is the placeholder)",
	"now.unix":                 "the same in Unix seconds",
	"uid":                      "a random id, the same everywhere in one event",
	"customer.session":         "a fresh session token of the demo customer (cookie ezs_session)",
	"customer.csrf":            "that session's CSRF token (header x-csrf-token)",
	"customer.id":              "the demo customer's user id",
	"customer.service_id":      "the demo customer's first service",
	"customer.order_id":        "the order of the demo customer's first payment",
	"customer.subscription_id": "that order's subscription at its gateway",
	"customer.invoice_id":      "that payment's invoice at its gateway",
	"customer.charge_id":       "that payment's charge at its gateway",
	"admin.session":            "a fresh session token of the demo admin (second factor passed)",
	"admin.csrf":               "that session's CSRF token",
	"plan.vps":                 "the VPS Starter plan's id",
	"notification.id":          "the newest sent notification (a redelivery is a no-op)",
	"stripe.signature":         "the Stripe-Signature of the event's body, signed now with STRIPE_WEBHOOK_SECRET",
	"paypal.transmission_id":   "Paypal-Transmission-Id of the event's body, signed now by the PayPal simulator",
	"paypal.transmission_time": "Paypal-Transmission-Time of that signature",
	"paypal.transmission_sig":  "Paypal-Transmission-Sig of that signature",
	"paypal.cert_url":          "Paypal-Cert-Url: the simulator's certificate",
}

// values resolves placeholders from the open stack, each once.
type values struct {
	ctx    context.Context
	st     *stack.Stack
	cache  map[string]any
	body   []byte // the HTTP body, once the first pass has filled it
	paypal map[string]string
}

func (v *values) fill(doc any) (json.RawMessage, error) {
	v.cache = map[string]any{}
	first, err := Resolve(doc, func(name string) (any, bool, error) {
		if strings.HasPrefix(name, "stripe.") || strings.HasPrefix(name, "paypal.") {
			return nil, true, nil // signed over the finished body, below
		}
		val, err := v.get(name)
		return val, false, err
	})
	if err != nil {
		return nil, err
	}
	if m, ok := first.(map[string]any); ok {
		if b, ok := m["body"].(string); ok {
			v.body = []byte(b)
			if enc, _ := m["isBase64Encoded"].(bool); enc {
				if v.body, err = base64.StdEncoding.DecodeString(b); err != nil {
					return nil, fmt.Errorf("body: isBase64Encoded but not base64: %w", err)
				}
			}
		}
	}
	final, err := Resolve(first, func(name string) (any, bool, error) {
		val, err := v.signature(name)
		return val, false, err
	})
	if err != nil {
		return nil, err
	}
	return json.Marshal(final)
}

func (v *values) get(name string) (any, error) {
	if val, ok := v.cache[name]; ok {
		return val, nil
	}
	val, err := v.lookup(name)
	if err != nil {
		return nil, fmt.Errorf("{{%s}}: %w", name, err)
	}
	v.cache[name] = val
	return val, nil
}

func (v *values) lookup(name string) (any, error) {
	p := v.st.Platform
	switch name {
	case "now":
		return p.Clock.Now().UTC().Format(time.RFC3339), nil
	case "now.ms":
		return p.Clock.Now().UnixMilli(), nil
	case "now.unix":
		return p.Clock.Now().Unix(), nil
	case "uid":
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b), nil
	case "plan.vps":
		plans, err := p.Catalog.List(v.ctx, catalog.Active, catalog.VPS)
		if err != nil {
			return nil, err
		}
		for _, pl := range plans {
			if pl.Slug == "vps-starter" {
				return pl.ID, nil
			}
		}
		return nil, fmt.Errorf("no active vps-starter plan in the data directory")
	case "notification.id":
		msgs, _, err := p.Notify.List(v.ctx, notify.Sent, "")
		if err != nil {
			return nil, err
		}
		if len(msgs) == 0 {
			return nil, fmt.Errorf("no notification has been sent yet: run make dev once")
		}
		return msgs[0].ID, nil
	}
	who, what, ok := strings.Cut(name, ".")
	if !ok || (who != "customer" && who != "admin") {
		return nil, unknown(name)
	}
	email := seed.CustomerEmail
	if who == "admin" {
		email = seed.AdminEmail
	}
	u, err := dynamo.NewAccounts(p.Table).GetUserByEmail(v.ctx, email)
	if err != nil {
		return nil, fmt.Errorf("the demo %s %s: %w", who, email, err)
	}
	switch what {
	case "id":
		return u.ID, nil
	case "session", "csrf":
		// A session as a passkey sign-in opens one (second factor
		// passed), audited as made by make invoke.
		res, err := p.Accounts.SignInVerified(v.ctx, u.ID, "make invoke", accounts.Meta{IP: "127.0.0.1", UserAgent: "make invoke"})
		if err != nil {
			return nil, err
		}
		v.cache[who+".session"], v.cache[who+".csrf"] = res.Token, res.Session.CSRF
		return v.cache[name], nil
	}
	if who != "customer" {
		return nil, unknown(name)
	}
	switch what {
	case "service_id":
		svcs, err := p.Provisioning.Services(v.ctx, u.ID, false)
		if err != nil {
			return nil, err
		}
		if len(svcs) == 0 {
			return nil, fmt.Errorf("the demo customer has no service yet: run make dev once (it buys one)")
		}
		return svcs[len(svcs)-1].ID, nil
	case "order_id", "subscription_id", "invoice_id", "charge_id":
		pays, err := p.Orders.Payments(v.ctx, u.ID)
		if err != nil {
			return nil, err
		}
		var pay *orders.Payment
		for i := range pays {
			if pays[i].Status == orders.PaymentSucceeded && pays[i].Gateway == "stripe" {
				pay = &pays[i]
			}
		}
		if pay == nil {
			return nil, fmt.Errorf("the demo customer has paid nothing through Stripe yet: run make dev once (it buys a VPS)")
		}
		o, err := p.Orders.Get(v.ctx, pay.OrderID)
		if err != nil {
			return nil, err
		}
		v.cache["customer.order_id"], v.cache["customer.subscription_id"] = o.ID, o.SubscriptionID
		v.cache["customer.invoice_id"], v.cache["customer.charge_id"] = pay.GatewayInvoiceID, pay.GatewayChargeID
		return v.cache[name], nil
	}
	return nil, unknown(name)
}

func unknown(string) error {
	return fmt.Errorf("unknown placeholder (see docs/invoke.md for the names)")
}

// signature fills the second pass: signatures over the finished body.
func (v *values) signature(name string) (any, error) {
	switch name {
	case "stripe.signature":
		secret := v.st.Platform.Config.StripeWebhookSecret
		return stripesim.Sign(v.body, secret, time.Now()), nil
	case "paypal.transmission_id", "paypal.transmission_time", "paypal.transmission_sig", "paypal.cert_url":
		if v.paypal == nil {
			h := v.st.PayPal.Headers(v.body)
			v.paypal = map[string]string{"paypal.transmission_id": h.Get("Paypal-Transmission-Id"), "paypal.transmission_time": h.Get("Paypal-Transmission-Time"),
				"paypal.transmission_sig": h.Get("Paypal-Transmission-Sig"), "paypal.cert_url": h.Get("Paypal-Cert-Url")}
		}
		return v.paypal[name], nil
	}
	return nil, fmt.Errorf("{{%s}}: %w", name, unknown(name))
}
