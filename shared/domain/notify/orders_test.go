package notify_test

import (
	"testing"

	"github.com/ezscale/platform/shared/domain/notify"
)

func TestOrderAlertKind(t *testing.T) {
	th := map[string]int64{"USD": 50000, "EUR": 46000}
	tests := []struct {
		amount   int64
		currency string
		want     notify.Kind
	}{
		{49999, "USD", notify.AlertNewOrder},
		{50000, "USD", notify.AlertHighValueOrder},
		{46000, "EUR", notify.AlertHighValueOrder},
		{10_000_000, "JPY", notify.AlertNewOrder}, // no threshold configured
	}
	for _, tt := range tests {
		if got := notify.OrderAlertKind(tt.amount, tt.currency, th); got != tt.want {
			t.Errorf("%d %s = %s, want %s", tt.amount, tt.currency, got, tt.want)
		}
	}
}
