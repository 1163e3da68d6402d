package hubspot

import (
	"context"
	"net/http"
	"strconv"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// userPath is the user provisioning API's user by id (scope
// settings.users.read).
const userPath = "/settings/v3/users/"

// IsSuperAdmin reports whether the HubSpot user is a super admin of the
// portal's account; NotFound when the account has no such user.
func (c *Client) IsSuperAdmin(ctx context.Context, portal app.Portal, userID int64) (bool, error) {
	cl, err := c.newCall(ctx, portal, "user", "GET "+userPath+"{userId}")
	if err != nil {
		return false, err
	}
	var user struct {
		SuperAdmin bool `json:"superAdmin"`
	}
	err = c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		return c.sendJSON(ctx, http.MethodGet, userPath+strconv.FormatInt(userID, 10), bearer(ctx), nil, &user)
	})
	return user.SuperAdmin, err
}
