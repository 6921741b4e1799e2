package paypalgw

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/ezscale/platform/shared/domain/money"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// amount is money as PayPal's v1 billing API writes it.
type amount struct {
	Currency string `json:"currency_code"`
	Value    string `json:"value"`
}

func amountOf(minor int64, currency string) amount {
	return amount{Currency: currency, Value: money.Money{Amount: minor, Currency: currency}.Decimal()}
}

type frequency struct {
	Unit  string `json:"interval_unit"`
	Count int64  `json:"interval_count"`
}

type cycle struct {
	TenureType  string    `json:"tenure_type"`
	Sequence    int       `json:"sequence"`
	TotalCycles int       `json:"total_cycles"`
	Frequency   frequency `json:"frequency"`
	Pricing     *struct {
		Fixed amount `json:"fixed_price"`
	} `json:"pricing_scheme,omitempty"`
}

func priced(c cycle, minor int64, currency string) cycle {
	c.Pricing = &struct {
		Fixed amount `json:"fixed_price"`
	}{amountOf(minor, currency)}
	return c
}

var unsafeID = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// productID is the catalog product of one of our plans: chosen by us, so
// it is found again without a lookup table (6 to 50 characters).
func productID(line string) string {
	id := "EZS-" + unsafeID.ReplaceAllString(line, "-")
	return id[:min(len(id), 50)]
}

// ensureProduct makes the product line's catalog product unless it
// exists: one per line, because PayPal revises a subscription only to a
// plan of the same product (a VPS upgrade is another plan of "EZS-vps").
func (g *Gateway) ensureProduct(ctx context.Context, line string) (string, error) {
	if line == "" {
		line = "service"
	}
	id, name := productID(line), "EZSCALE "+line
	if len(name) > 127 {
		name = name[:127]
	}
	err := g.call(ctx, "GET", "/v1/catalogs/products/"+url.PathEscape(id), nil, "", nil)
	if err == nil {
		return id, nil
	}
	if !apperr.Is(err, apperr.NotFound) {
		return "", err
	}
	err = g.call(ctx, "POST", "/v1/catalogs/products", map[string]any{"id": id, "name": name, "type": "SERVICE", "category": "SOFTWARE"},
		"product:"+id, nil)
	if apperr.Is(err, apperr.Conflict) {
		return id, nil // made meanwhile
	}
	return id, err
}

// planName names a billing plan by everything that makes it what it is,
// so looking it up by name finds only an identical one.
func planName(product, ours, currency string, minor int64, f frequency) string {
	name := fmt.Sprintf("%s · %s %s every %d %s", ours, currency, amountOf(minor, currency).Value, f.Count, strings.ToLower(f.Unit))
	return name[:min(len(name), 127)]
}

// ensurePlan finds the product's active plan for this price and cycle, or
// makes it (once: the PayPal-Request-Id is derived from what it is).
func (g *Gateway) ensurePlan(ctx context.Context, product, ours, currency string, minor int64, f frequency) (string, error) {
	name := planName(product, ours, currency, minor, f)
	for page := 1; page <= 50; page++ {
		var list struct {
			Plans []struct {
				ID     string `json:"id"`
				Name   string `json:"name"`
				Status string `json:"status"`
			} `json:"plans"`
		}
		q := url.Values{"product_id": {product}, "page_size": {"20"}, "page": {fmt.Sprint(page)}}
		if err := g.call(ctx, "GET", "/v1/billing/plans?"+q.Encode(), nil, "", &list); err != nil {
			return "", err
		}
		for _, p := range list.Plans {
			if p.Name == name && p.Status == "ACTIVE" {
				return p.ID, nil
			}
		}
		if len(list.Plans) < 20 {
			break
		}
	}
	var made struct {
		ID string `json:"id"`
	}
	regular := priced(cycle{TenureType: "REGULAR", Sequence: 1, TotalCycles: 0, Frequency: f}, minor, currency)
	err := g.call(ctx, "POST", "/v1/billing/plans", map[string]any{"product_id": product, "name": name, "status": "ACTIVE",
		"billing_cycles": []cycle{regular},
		"payment_preferences": map[string]any{"auto_bill_outstanding": true, "setup_fee_failure_action": "CANCEL",
			"payment_failure_threshold": g.cfg.FailureThreshold}},
		unsafeID.ReplaceAllString("plan-"+name, "-"), &made)
	if err != nil {
		return "", err
	}
	return made.ID, nil
}
