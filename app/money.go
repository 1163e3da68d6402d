package app

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Money is an amount in hundredths of the currency unit. QBO amounts are
// decimals with at most two places; integers keep sums exact.
type Money int64

// ParseMoney reads a decimal such as "100", "22.5" or "-3.07": an optional
// minus, digits, and at most two decimals (trailing zeros beyond are fine).
func ParseMoney(s string) (Money, error) {
	bad := fmt.Errorf("parse money %q: want a decimal with at most two places", s)
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if whole == "" && frac == "" || !digits(whole) || !digits(frac) ||
		len(frac) > 2 && strings.TrimRight(frac[2:], "0") != "" || len(whole) > 15 {
		return 0, bad
	}
	frac = (frac + "00")[:2]
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, bad
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	m := Money(w*100 + f)
	if neg {
		m = -m
	}
	return m, nil
}

// digits reports whether s holds only ASCII digits (or nothing).
func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// String formats the amount with two decimals, e.g. "197.00".
func (m Money) String() string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	return fmt.Sprintf("%s%d.%02d", sign, m/100, m%100)
}

// Date is a calendar date without a time zone, as QBO's TxnDate and DueDate.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Today returns the date at now in the named IANA time zone; an unknown or
// empty zone falls back to UTC.
func Today(now time.Time, zone string) Date {
	return DateOf(now.In(location(zone)))
}

// locations remembers loaded time zones: time.LoadLocation reads the zone
// database on every call, and the card asks once per company per view.
var locations sync.Map // zone name -> *time.Location

func location(zone string) *time.Location {
	if l, ok := locations.Load(zone); ok {
		return l.(*time.Location)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" {
		loc = time.UTC
	}
	locations.Store(zone, loc)
	return loc
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Before reports whether d is strictly before o.
func (d Date) Before(o Date) bool {
	if d.Year != o.Year {
		return d.Year < o.Year
	}
	if d.Month != o.Month {
		return d.Month < o.Month
	}
	return d.Day < o.Day
}

// String formats d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Time is midnight UTC of d.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// dateIn normalises a possibly overflowing month and clamps the day to the
// month's length (the 31st of a 30-day month is its 30th).
func dateIn(year int, month time.Month, day int) Date {
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if day > last {
		day = last
	}
	return DateOf(time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, time.UTC))
}

// daysBetween is the number of days from a to b.
func daysBetween(a, b Date) int { return int(b.Time().Sub(a.Time()).Hours() / 24) }

// Quantity is a line quantity in hundredths (1.5 is 150).
type Quantity int64

// ParseQuantity reads a decimal with at most two places.
func ParseQuantity(s string) (Quantity, error) {
	m, err := ParseMoney(s)
	if err != nil {
		return 0, fmt.Errorf("parse quantity %q: want a number with at most two decimals", s)
	}
	return Quantity(m), nil
}

// String formats the quantity without trailing zeros: "4", "1.5".
func (q Quantity) String() string {
	s := Money(q).String()
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
