package hubspot

import (
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

func TestParseInstant(t *testing.T) {
	pacific, err := time.LoadLocation("US/Pacific")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, time.February, 14, 7, 59, 59, 999e6, time.UTC) // 23:59:59.999 on the 13th in Pacific
	for _, tc := range []struct {
		in   string
		loc  *time.Location
		want time.Time
	}{
		{"2026-02-14T07:59:59.999Z", time.UTC, want},                   // HubSpot's datetime form
		{"2026-02-14T07:59:59.999000Z", time.UTC, want},                // more fraction digits
		{"2026-02-13T23:59:59.999-08:00", time.UTC, want},              // an offset
		{"2026-02-14T07:59:59.999", time.UTC, want},                    // no zone: UTC
		{"1771055999999", time.UTC, want},                              // epoch milliseconds
		{" 1771055999999 ", time.UTC, want},                            // surrounding space
		{"2026-02-13", pacific, want},                                  // a date: the end of that day in the portal's zone
		{"2026-02-14", time.UTC, want.Add(16 * time.Hour)},             // ... and in UTC
		{"2026-02-14T07:59:59Z", time.UTC, want.Truncate(time.Second)}, // no fraction
		{"", time.UTC, time.Time{}},                                    // unset: never expires
	} {
		got, err := parseInstant(tc.in, tc.loc)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseInstant(%q, %s) = %v, %v; want %v", tc.in, tc.loc, got, err, tc.want)
		}
	}
	for _, bad := range []string{"next week", "2026-13-01", "14/02/2026", "2026-02-14T25:00:00Z"} {
		if got, err := parseInstant(bad, time.UTC); err == nil {
			t.Errorf("parseInstant(%q) = %v, want an error", bad, got)
		}
	}
}

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want app.Money
	}{
		{"750", 75000},
		{"750.5", 75050},
		{"750.50", 75050},
		{"1073.50", 107350},
		{"0.1", 10},
		{".5", 50},
		{"750.124", 75012}, // more than two decimals: rounded half away from zero
		{"750.125", 75013},
		{"750.1250001", 75013},
		{"750.995", 75100}, // the carry reaches the units
		{"0.999", 100},
		{"-1.005", -101},
		{"-1.004", -100},
		{"-0.005", -1},
		{"+12.3", 1230},
		{"", 0},
	} {
		got, err := parseAmount(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseAmount(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"abc", "1e3", "1,000.00", "--5", "12.3.4", ".", "-", "$5"} {
		if got, err := parseAmount(bad); err == nil {
			t.Errorf("parseAmount(%q) = %v, want an error", bad, got)
		}
	}
}

func TestToQuoteFailsOnUnreadableValues(t *testing.T) {
	if _, err := toQuote("1", map[string]string{"hs_quote_amount": "lots"}, time.UTC); err == nil {
		t.Error("bad amount: want an error")
	}
	// A date that cannot be read must not pass for "never expires".
	if _, err := toQuote("1", map[string]string{"hs_expiration_date": "soon"}, time.UTC); err == nil {
		t.Error("bad expiry: want an error")
	}
}
