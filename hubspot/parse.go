package hubspot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// parseInstant reads a HubSpot datetime leniently. HubSpot answers
// datetimes as ISO 8601 strings ("2025-03-01T07:59:59.999Z"), but accepts
// and has been seen to return epoch milliseconds, and a date property holds
// YYYY-MM-DD. A bare date means the end of that day (23:59:59.999) in loc,
// the portal's time zone, as a quote that "expires on" a day is good for
// all of it. An empty value is the zero time.
func parseInstant(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	// ISO 8601 without a zone: HubSpot's datetimes are UTC.
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t, nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return d.AddDate(0, 0, 1).Add(-time.Millisecond), nil
	}
	return time.Time{}, fmt.Errorf("%q is neither an ISO 8601 datetime, epoch milliseconds nor a date", s)
}

const digits = "0123456789"

// parseAmount reads a HubSpot number as money. HubSpot keeps numbers as
// written and computes quote amounts from discounts and percentages, so
// they can carry more than two decimals; app.Money holds cents, so extra
// decimals are rounded half away from zero ("750.125" is 750.13, "-1.005"
// is -1.01) rather than refused. An empty value is zero.
func parseAmount(s string) (app.Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	neg := strings.HasPrefix(s, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+"), ".")
	if strings.Trim(whole, digits) != "" || strings.Trim(frac, digits) != "" {
		return 0, errors.New("parse money " + strconv.Quote(s) + ": want a decimal")
	}
	up := len(frac) > 2 && frac[2] >= '5'
	if len(frac) > 2 {
		frac = frac[:2]
	}
	m, err := app.ParseMoney(whole + "." + frac)
	if err != nil {
		return 0, err
	}
	if up {
		m++
	}
	if neg {
		m = -m
	}
	return m, nil
}

// parseQuantity reads a line item's quantity in hundredths, as
// app.ParseQuantity does, but rounds more than two decimals half away from
// zero ("1.005" is 1.01) like parseAmount: HubSpot keeps numbers as
// written and allows more places than a QBO line does. An empty value is
// zero.
func parseQuantity(s string) (app.Quantity, error) {
	m, err := parseAmount(s)
	if err != nil {
		return 0, errors.New("parse quantity " + strconv.Quote(s) + ": want a decimal")
	}
	return app.Quantity(m), nil
}

// parsePercent reads a percentage ("10", "12.5") in hundredths of a
// percent (1000, 1250), rounded like parseQuantity. An empty value is
// zero.
func parsePercent(s string) (int64, error) {
	m, err := parseAmount(s)
	if err != nil {
		return 0, errors.New("parse percentage " + strconv.Quote(s) + ": want a decimal")
	}
	return int64(m), nil
}
