// Package money represents amounts as integer minor units plus an ISO 4217
// currency code. There are no floats anywhere on the money path, and
// arithmetic refuses to mix currencies.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrCurrencyMismatch is returned when an operation mixes two currencies.
var ErrCurrencyMismatch = errors.New("money: currency mismatch")

// ErrOverflow is returned when a result does not fit in int64 minor units.
var ErrOverflow = errors.New("money: amount overflows")

// Money is an amount in minor units (cents for USD, yen for JPY).
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// New returns Money after checking that the currency is supported.
func New(amount int64, currency string) (Money, error) {
	if !Supported(currency) {
		return Money{}, fmt.Errorf("money: unsupported currency %q", currency)
	}
	return Money{Amount: amount, Currency: currency}, nil
}

// Add returns m+o; both must share a currency.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("add %s to %s: %w", o.Currency, m.Currency, ErrCurrencyMismatch)
	}
	s := m.Amount + o.Amount
	if (s > m.Amount) != (o.Amount > 0) {
		return Money{}, ErrOverflow
	}
	return Money{s, m.Currency}, nil
}

// Sub returns m-o; both must share a currency.
func (m Money) Sub(o Money) (Money, error) {
	if o.Amount == math.MinInt64 {
		return Money{}, ErrOverflow
	}
	return m.Add(Money{-o.Amount, o.Currency})
}

// Mul returns m*n.
func (m Money) Mul(n int64) (Money, error) {
	if m.Amount != 0 && n != 0 {
		p := m.Amount * n
		if p/n != m.Amount || (m.Amount == -1 && n == math.MinInt64) || (n == -1 && m.Amount == math.MinInt64) {
			return Money{}, ErrOverflow
		}
		return Money{p, m.Currency}, nil
	}
	return Money{0, m.Currency}, nil
}

// DivRound returns m/n rounded half away from zero (n > 0), e.g. the
// effective monthly price of an annual charge.
func (m Money) DivRound(n int64) Money {
	if n <= 0 {
		panic("money: DivRound by non-positive divisor")
	}
	q, r := m.Amount/n, m.Amount%n
	if r < 0 {
		r = -r
	}
	if 2*r >= n {
		if m.Amount < 0 {
			q--
		} else {
			q++
		}
	}
	return Money{q, m.Currency}
}

// Cmp compares m and o: -1, 0 or +1. It panics on a currency mismatch,
// which is always a programming error at the call site.
func (m Money) Cmp(o Money) int {
	if m.Currency != o.Currency {
		panic(fmt.Sprintf("money: compare %s with %s", m.Currency, o.Currency))
	}
	switch {
	case m.Amount < o.Amount:
		return -1
	case m.Amount > o.Amount:
		return 1
	}
	return 0
}

// IsZero reports whether the amount is zero.
func (m Money) IsZero() bool { return m.Amount == 0 }

// Decimal renders the amount as a plain decimal string in major units
// ("12.34", "-0.05", "1200" for JPY), without grouping or symbol.
func (m Money) Decimal() string {
	exp := 2
	if c, ok := Lookup(m.Currency); ok {
		exp = c.Exponent
	}
	neg := m.Amount < 0
	// Work on the magnitude as uint64 so MinInt64 is representable.
	mag := uint64(m.Amount)
	if neg {
		mag = -mag
	}
	digits := strconv.FormatUint(mag, 10)
	if exp > 0 {
		if len(digits) <= exp {
			digits = strings.Repeat("0", exp-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-exp] + "." + digits[len(digits)-exp:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// String renders the amount for humans: "$1,234.56", "¥1,200", "CHF 10.00".
func (m Money) String() string {
	dec := m.Decimal()
	neg := strings.HasPrefix(dec, "-")
	dec = strings.TrimPrefix(dec, "-")
	intPart, frac, hasFrac := strings.Cut(dec, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	num := b.String()
	if hasFrac {
		num += "." + frac
	}
	sign := ""
	if neg {
		sign = "-"
	}
	if c, ok := Lookup(m.Currency); ok && c.Symbol != "" {
		return sign + c.Symbol + num
	}
	return sign + m.Currency + " " + num
}
