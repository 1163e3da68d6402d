package hubspotfake_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

func TestAccountDetails(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	e := f.do(token1, "GET", "/account-info/v3/details", nil)
	e.want(t, http.StatusOK)
	golden(t, "account_details_portal1", e)
	want := map[string]any{
		"portalId": 20000001.0, "accountType": "STANDARD", "timeZone": "US/Pacific", "companyCurrency": "USD",
		"additionalCurrencies": []any{"CAD"}, "utcOffset": "-08:00", "utcOffsetMilliseconds": -28800000.0,
		"uiDomain": "app.hubspot.com", "dataHostingLocation": "na1",
	}
	if diff := cmp.Diff(want, e.json(t)); diff != "" {
		t.Errorf("portal 1 (-want +got):\n%s", diff)
	}

	// The date-versioned path answers the same.
	e2 := f.do(token1, "GET", "/account-info/2026-03/details", nil)
	e2.want(t, http.StatusOK)
	if diff := cmp.Diff(want, e2.json(t)); diff != "" {
		t.Errorf("2026-03 path (-want +got):\n%s", diff)
	}

	e = f.do(token2, "GET", "/account-info/v3/details", nil)
	e.want(t, http.StatusOK)
	golden(t, "account_details_portal2", e)
	v := e.json(t)
	if v["portalId"] != 20000002.0 || v["companyCurrency"] != "GBP" || v["timeZone"] != "Europe/London" ||
		v["utcOffset"] != "+00:00" || len(v["additionalCurrencies"].([]any)) != 0 {
		t.Errorf("portal 2 = %s", e.body)
	}

	// The offset follows daylight saving time.
	f.clock.Advance(180 * 24 * time.Hour)
	if v := f.do(token1, "GET", "/account-info/v3/details", nil).json(t); v["utcOffset"] != "-07:00" || v["utcOffsetMilliseconds"] != -25200000.0 {
		t.Errorf("summer offset = %v / %v", v["utcOffset"], v["utcOffsetMilliseconds"])
	}
}
