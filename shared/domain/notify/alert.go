package notify

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// fieldLabels names alert fields for humans; unknown keys are shown as-is.
var fieldLabels = map[string]string{
	"customer_name": "Customer", "email": "E-mail", "country": "Country", "order_id": "Order",
	"plan_name": "Plan", "invoice_number": "Invoice", "reason": "Reason", "service_name": "Service",
	"when": "When", "component": "Component", "error": "Error", "reference": "Reference",
	"event": "Event", "ip_address": "IP address", "amount": "Amount", "alarm": "Alarm", "state": "State", "stage": "Stage",
}

// buildAlert turns data into an alert: required fields first, then any
// others, amounts formatted as money. "description" and "url" are special.
func buildAlert(spec Spec, data map[string]any) (Alert, error) {
	a := Alert{Title: spec.Title, Severity: spec.Severity}
	if d, ok := data["description"].(string); ok {
		a.Description = d
	}
	if u, ok := data["url"].(string); ok {
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			return Alert{}, apperr.Validation(map[string]string{"data.url": "must be an http(s) URL"})
		}
		a.URL = u
	}
	keys := slices.Clone(spec.Required)
	var rest []string
	for k := range data {
		if !slices.Contains(keys, k) && k != "description" && k != "url" && k != "currency" {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range append(keys, rest...) {
		if k == "currency" {
			continue
		}
		v := data[k]
		value := fmt.Sprint(v)
		if k == "amount" {
			s, err := formatMoney(v, data["currency"])
			if err != nil {
				return Alert{}, apperr.Validation(map[string]string{"data.amount": err.Error()})
			}
			value = s
		}
		label := fieldLabels[k]
		if label == "" {
			label = k
		}
		a.Fields = append(a.Fields, Field{Name: label, Value: value, Inline: len(value) <= 40})
	}
	return a, nil
}
