package store

import (
	"fmt"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// timeLayout is fixed width in UTC, so stored times sort as text and keep
// every nanosecond.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// formatTime stores t in UTC; the zero time is "".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// timeColumn scans a stored time into *T.
type timeColumn struct{ T *time.Time }

func (c timeColumn) Scan(src any) error {
	s, err := textOf(src)
	if err != nil {
		return fmt.Errorf("stored time: %w", err)
	}
	*c.T, err = parseTime(s)
	return err
}

// dateColumn scans a stored YYYY-MM-DD ("" for none) into *D.
type dateColumn struct{ D *app.Date }

func (c dateColumn) Scan(src any) error {
	s, err := textOf(src)
	if err != nil {
		return fmt.Errorf("stored date: %w", err)
	}
	if s == "" {
		*c.D = app.Date{}
		return nil
	}
	*c.D, err = app.ParseDate(s)
	return err
}

func textOf(src any) (string, error) {
	switch v := src.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	}
	return "", fmt.Errorf("want text, got %T", src)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}
