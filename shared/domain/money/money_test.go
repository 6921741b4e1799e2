package money_test

import (
	"errors"
	"math"
	"testing"

	"github.com/ezscale/platform/shared/domain/money"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		name    string
		m       money.Money
		decimal string
		str     string
	}{
		{"USD", money.Money{Amount: 123456, Currency: "USD"}, "1234.56", "$1,234.56"},
		{"USDCents", money.Money{Amount: 5, Currency: "USD"}, "0.05", "$0.05"},
		{"USDNegative", money.Money{Amount: -5, Currency: "USD"}, "-0.05", "-$0.05"},
		{"Zero", money.Money{Amount: 0, Currency: "EUR"}, "0.00", "€0.00"},
		{"JPYZeroDecimal", money.Money{Amount: 1200, Currency: "JPY"}, "1200", "¥1,200"},
		{"KWDThreeDecimal", money.Money{Amount: 1234, Currency: "KWD"}, "1.234", "KWD 1.234"},
		{"NoSymbol", money.Money{Amount: 1000000, Currency: "CHF"}, "10000.00", "CHF 10,000.00"},
		{"MinInt64", money.Money{Amount: math.MinInt64, Currency: "USD"}, "-92233720368547758.08", "-$92,233,720,368,547,758.08"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.Decimal(); got != tt.decimal {
				t.Errorf("Decimal() = %q, want %q", got, tt.decimal)
			}
			if got := tt.m.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
		})
	}
}

func TestArithmetic(t *testing.T) {
	usd := func(a int64) money.Money { return money.Money{Amount: a, Currency: "USD"} }
	t.Run("Add", func(t *testing.T) {
		got, err := usd(150).Add(usd(-50))
		if err != nil || got != usd(100) {
			t.Fatalf("Add = %v, %v", got, err)
		}
	})
	t.Run("ErrCurrencyMismatch", func(t *testing.T) {
		_, err := usd(1).Add(money.Money{Amount: 1, Currency: "EUR"})
		if !errors.Is(err, money.ErrCurrencyMismatch) {
			t.Fatalf("err = %v", err)
		}
		_, err = usd(1).Sub(money.Money{Amount: 1, Currency: "GBP"})
		if !errors.Is(err, money.ErrCurrencyMismatch) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrOverflow", func(t *testing.T) {
		if _, err := usd(math.MaxInt64).Add(usd(1)); !errors.Is(err, money.ErrOverflow) {
			t.Errorf("Add overflow err = %v", err)
		}
		if _, err := usd(math.MinInt64).Add(usd(-1)); !errors.Is(err, money.ErrOverflow) {
			t.Errorf("Add underflow err = %v", err)
		}
		if _, err := usd(0).Sub(usd(math.MinInt64)); !errors.Is(err, money.ErrOverflow) {
			t.Errorf("Sub overflow err = %v", err)
		}
		if _, err := usd(math.MaxInt64 / 2).Mul(3); !errors.Is(err, money.ErrOverflow) {
			t.Errorf("Mul overflow err = %v", err)
		}
		if _, err := usd(math.MinInt64).Mul(-1); !errors.Is(err, money.ErrOverflow) {
			t.Errorf("Mul MinInt64*-1 err = %v", err)
		}
	})
	t.Run("Mul", func(t *testing.T) {
		got, err := usd(1999).Mul(12)
		if err != nil || got != usd(23988) {
			t.Fatalf("Mul = %v, %v", got, err)
		}
	})
	t.Run("DivRound", func(t *testing.T) {
		cases := []struct{ a, n, want int64 }{{10000, 12, 833}, {10002, 12, 834}, {10, 4, 3}, {-10, 4, -3}, {9, 3, 3}}
		for _, c := range cases {
			if got := usd(c.a).DivRound(c.n); got.Amount != c.want {
				t.Errorf("DivRound(%d,%d) = %d, want %d", c.a, c.n, got.Amount, c.want)
			}
		}
	})
	t.Run("New", func(t *testing.T) {
		if _, err := money.New(1, "XXX"); err == nil {
			t.Error("New accepted an unsupported currency")
		}
		if _, err := money.New(1, "usd"); err == nil {
			t.Error("New accepted a lower-case code")
		}
	})
}

func FuzzAddSub(f *testing.F) {
	f.Add(int64(1), int64(2))
	f.Add(int64(math.MaxInt64), int64(1))
	f.Fuzz(func(t *testing.T, a, b int64) {
		x, y := money.Money{Amount: a, Currency: "EUR"}, money.Money{Amount: b, Currency: "EUR"}
		s, err := x.Add(y)
		if err != nil {
			return
		}
		back, err := s.Sub(y)
		if err != nil || back != x {
			t.Fatalf("(%d+%d)-%d = %v, %v", a, b, b, back, err)
		}
	})
}
