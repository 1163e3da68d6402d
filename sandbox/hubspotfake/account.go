package hubspotfake

import (
	"fmt"
	"net/http"
	"strconv"
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

// userJSON is a user as the user provisioning API answers it.
type userJSON struct {
	ID         string   `json:"id"`
	Email      string   `json:"email"`
	RoleIDs    []string `json:"roleIds"`
	SuperAdmin bool     `json:"superAdmin"`
}

// handleUserGet serves GET /settings/v3/users/{userId}: a user of the
// token's account by id (the installing user is a super admin), else 404.
func (s *Server) handleUserGet(c *call) {
	s.mu.Lock()
	p := c.portal().Portal
	s.mu.Unlock()
	id := c.r.PathValue("userId")
	users := append([]User{{ID: p.UserID, Email: p.UserEmail, SuperAdmin: true}}, p.Users...)
	for _, u := range users {
		if strconv.FormatInt(u.ID, 10) == id {
			c.json(http.StatusOK, userJSON{ID: id, Email: u.Email, RoleIDs: append([]string{}, u.RoleIDs...), SuperAdmin: u.SuperAdmin})
			return
		}
	}
	c.fail(errNotFound(fmt.Sprintf("No user with id %s exists in this account.", id)))
}

// formatOffset prints seconds east of UTC as "-08:00".
func formatOffset(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	return fmt.Sprintf("%s%02d:%02d", sign, seconds/3600, seconds%3600/60)
}
