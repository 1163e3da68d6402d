package store_test

import (
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// A zone other than UTC: times must come back Equal whatever zone they
// were saved in.
var paris = time.FixedZone("CET", 3600)

func tokens(tag string) app.Tokens {
	return app.Tokens{
		Access:           "access-" + tag + "-eyJhbGciOiJIUzI1NiJ9.payload.sig",
		Refresh:          "refresh-" + tag + "-AB11700000000xyzRefreshToken",
		AccessExpiresAt:  time.Date(2024, 3, 5, 11, 11, 12, 987654321, paris),
		RefreshExpiresAt: time.Date(2024, 6, 13, 10, 11, 12, 1, time.UTC),
	}
}

func connection(portalID int64, realm string) app.Connection {
	return app.Connection{
		PortalID:         portalID,
		RealmID:          realm,
		CompanyName:      "Craig's Design and Landscaping " + realm,
		Country:          "CA",
		Currency:         "CAD",
		TimeZone:         "America/Toronto",
		CustomTxnNumbers: true,
		State:            app.Connected,
		Tokens:           tokens(realm),
	}
}

func mustSaveConnection(t *testing.T, s *store.Store, portalID int64, realm string) app.Connection {
	t.Helper()
	c, err := s.SaveConnection(t.Context(), connection(portalID, realm))
	if err != nil {
		t.Fatalf("SaveConnection(%d, %s): %v", portalID, realm, err)
	}
	return c
}

func wantCode(t *testing.T, what string, err error, code app.Code) {
	t.Helper()
	if got := app.ErrorCode(err); got != code {
		t.Fatalf("%s: code %q (%v), want %q", what, got, err, code)
	}
}
