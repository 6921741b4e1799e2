package money

import "strings"

// Currency describes an ISO 4217 currency the platform can bill in.
type Currency struct {
	Code     string // ISO 4217 alphabetic code, upper case
	Exponent int    // minor-unit digits: 2 for USD, 0 for JPY, 3 for KWD
	Symbol   string // display symbol; empty means use the code
}

// currencies is the set we accept. Exponents follow ISO 4217's minor units,
// which is also what Stripe and PayPal expect for these codes.
var currencies = map[string]Currency{
	"USD": {"USD", 2, "$"},
	"EUR": {"EUR", 2, "€"},
	"GBP": {"GBP", 2, "£"},
	"CAD": {"CAD", 2, "CA$"},
	"AUD": {"AUD", 2, "A$"},
	"NZD": {"NZD", 2, "NZ$"},
	"CHF": {"CHF", 2, ""},
	"SEK": {"SEK", 2, ""},
	"NOK": {"NOK", 2, ""},
	"DKK": {"DKK", 2, ""},
	"PLN": {"PLN", 2, ""},
	"CZK": {"CZK", 2, ""},
	"SGD": {"SGD", 2, "S$"},
	"HKD": {"HKD", 2, "HK$"},
	"INR": {"INR", 2, "₹"},
	"BRL": {"BRL", 2, "R$"},
	"MXN": {"MXN", 2, "MX$"},
	"ZAR": {"ZAR", 2, ""},
	"JPY": {"JPY", 0, "¥"},
	"KRW": {"KRW", 0, "₩"},
	"VND": {"VND", 0, "₫"},
	"CLP": {"CLP", 0, ""},
	"ISK": {"ISK", 0, ""},
	"KWD": {"KWD", 3, ""},
	"BHD": {"BHD", 3, ""},
	"JOD": {"JOD", 3, ""},
	"OMR": {"OMR", 3, ""},
	"TND": {"TND", 3, ""},
}

// Lookup returns the currency for an ISO 4217 code (case-insensitive).
func Lookup(code string) (Currency, bool) {
	c, ok := currencies[strings.ToUpper(code)]
	return c, ok
}

// Supported reports whether code is a currency the platform accepts. Codes
// must be upper case, as they are stored and sent to gateways.
func Supported(code string) bool {
	_, ok := currencies[code]
	return ok
}
