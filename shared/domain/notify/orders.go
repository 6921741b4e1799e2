package notify

// OrderAlertKind picks the admin alert for a new order: the high-value
// alert when the amount (minor units) reaches the currency's threshold,
// else the plain new-order alert. thresholds comes from configuration
// (HIGH_VALUE_ORDER_THRESHOLDS, default USD 500 and its equivalents); a
// currency without a threshold never counts as high value.
func OrderAlertKind(amount int64, currency string, thresholds map[string]int64) Kind {
	if t, ok := thresholds[currency]; ok && t > 0 && amount >= t {
		return AlertHighValueOrder
	}
	return AlertNewOrder
}
