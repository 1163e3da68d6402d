package hubspotfake

import (
	"fmt"
	"net/http"
	"time"
)

// accountDetails is the answer of GET /account-info/v3/details (reference
// §4.4).
type accountDetails struct {
	PortalID              int64    `json:"portalId"`
	AccountType           string   `json:"accountType"`
	TimeZone              string   `json:"timeZone"`
	CompanyCurrency       string   `json:"companyCurrency"`
	AdditionalCurrencies  []string `json:"additionalCurrencies"`
	UTCOffset             string   `json:"utcOffset"`
	UTCOffsetMilliseconds int64    `json:"utcOffsetMilliseconds"`
	UIDomain              string   `json:"uiDomain"`
	DataHostingLocation   string   `json:"dataHostingLocation"`
}

// handleAccountDetails serves /account-info/v3/details and its
// date-versioned twin /account-info/2026-03/details. The UTC offset is the
// portal time zone's at the fake's current time (so it follows DST).
func (s *Server) handleAccountDetails(c *call) {
	s.mu.Lock()
	pt := c.portal()
	p, loc := pt.Portal, pt.loc
	s.mu.Unlock()
	_, offset := c.now.In(loc).Zone()
	c.json(http.StatusOK, accountDetails{
		PortalID:              p.ID,
		AccountType:           p.AccountType,
		TimeZone:              p.TimeZone,
		CompanyCurrency:       p.Currency,
		AdditionalCurrencies:  append([]string{}, p.AdditionalCurrencies...),
		UTCOffset:             formatOffset(offset),
		UTCOffsetMilliseconds: int64(offset) * int64(time.Second/time.Millisecond),
		UIDomain:              p.UIDomain,
		DataHostingLocation:   p.DataHostingLocation,
	})
}

// formatOffset prints seconds east of UTC as "-08:00".
func formatOffset(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	return fmt.Sprintf("%s%02d:%02d", sign, seconds/3600, seconds%3600/60)
}
