package hubspot

import (
	"context"
	"net/http"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// uninstallPath is HubSpot's app uninstalls API: the app removes itself
// from the account of the access token (needs the oauth scope), 204.
const uninstallPath = "/appinstalls/2026-03/external-install"

// Uninstall removes the app from portal's HubSpot account; HubSpot then
// removes the card and ends the app's tokens. It is retried like a read: a
// second uninstall of an uninstalled app is refused as 401, NotConnected,
// which the caller may take as done.
func (c *Client) Uninstall(ctx context.Context, portal app.Portal) error {
	cl, err := c.newCall(ctx, portal, "installation", "DELETE "+uninstallPath)
	if err != nil {
		return err
	}
	cl.verb = "uninstall"
	return c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		return c.sendJSON(ctx, http.MethodDelete, uninstallPath, bearer(ctx), nil, nil)
	})
}
