package qbofake

import (
	"bytes"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Money is an amount in cents. QBO sends money as JSON numbers with two
// decimals ("100.00") and zero as a bare 0 (reference §1.1 "Money", and the
// recorded invoices in §1.2), so Money marshals the same way. Keeping cents in
// an int64 means totals never pick up float error.
type Money int64

// MarshalJSON writes 100.00, 22.50, -3.10 or 0.
func (m Money) MarshalJSON() ([]byte, error) {
	return []byte(m.String()), nil
}

func (m Money) String() string {
	if m == 0 {
		return "0"
	}
	sign := ""
	v := int64(m)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// UnmarshalJSON accepts a JSON number or a quoted number and rounds it half
// away from zero to cents, as QBO's BigDecimal scale-2 rounding does.
func (m *Money) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*m = 0
		return nil
	}
	r, err := parseNumber(b)
	if err != nil {
		return err
	}
	*m = moneyFromRat(r)
	return nil
}

func (m Money) rat() *big.Rat { return new(big.Rat).SetFrac64(int64(m), 100) }

// moneyFromRat rounds r half away from zero to cents.
func moneyFromRat(r *big.Rat) Money {
	c := new(big.Rat).Mul(r, big.NewRat(100, 1))
	return Money(roundRat(c))
}

// roundRat rounds r half away from zero to an integer.
func roundRat(r *big.Rat) int64 {
	num := new(big.Int).Set(r.Num())
	den := r.Denom()
	neg := num.Sign() < 0
	if neg {
		num.Neg(num)
	}
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Mul(rem, big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q.Int64()
}

// parseNumber reads a JSON number, or a string holding one, exactly.
func parseNumber(b []byte) (*big.Rat, error) {
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(s, `"`) {
		u, err := strconv.Unquote(s)
		if err != nil {
			return nil, fmt.Errorf("not a number: %s", s)
		}
		s = strings.TrimSpace(u)
	}
	if s == "" || strings.ContainsAny(s, "/_") {
		return nil, fmt.Errorf("not a number: %q", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("not a number: %q", s)
	}
	return r, nil
}

// Decimal is an exact decimal kept as canonical text ("4", "22.5"), for
// quantities, unit prices, rates and percentages, which QBO prints without
// padding ("UnitPrice":75,"Qty":4.5 in the recorded estimates of §5.1). The
// empty Decimal means "absent" so omitempty drops it.
type Decimal string

// MarshalJSON writes the decimal as a JSON number.
func (d Decimal) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("0"), nil
	}
	return []byte(d), nil
}

// UnmarshalJSON accepts a JSON number or a quoted number.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*d = ""
		return nil
	}
	r, err := parseNumber(b)
	if err != nil {
		return err
	}
	*d = decimalFromRat(r)
	return nil
}

// decimalFromRat prints r with at most 8 decimals and no trailing zeros.
func decimalFromRat(r *big.Rat) Decimal {
	s := r.FloatString(8)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return Decimal(s)
}

// dec builds a Decimal from literal text; it panics on bad input and is meant
// for constants in the seed.
func dec(s string) Decimal {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("qbofake: bad decimal " + s)
	}
	return decimalFromRat(r)
}

func (d Decimal) rat() *big.Rat {
	if d == "" {
		return new(big.Rat)
	}
	r, ok := new(big.Rat).SetString(string(d))
	if !ok {
		return new(big.Rat)
	}
	return r
}

// mulMoney returns round(a × b) in cents.
func mulMoney(a, b Decimal) Money {
	return moneyFromRat(new(big.Rat).Mul(a.rat(), b.rat()))
}

// percentOf returns round(m × pct / 100) in cents.
func percentOf(m Money, pct Decimal) Money {
	r := new(big.Rat).Mul(m.rat(), pct.rat())
	r.Quo(r, big.NewRat(100, 1))
	return moneyFromRat(r)
}

// groupedAmount formats an amount the way QBO's 6070 Detail quotes it:
// Java's NumberFormat with grouping and no trailing zeros ("1,000", "1,861.07").
func groupedAmount(m Money) string {
	s := m.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}
