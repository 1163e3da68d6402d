package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// The HubSpot install flow (app/install.go): the marketplace's install link
// lands on /oauth/hubspot/install (unsigned), which redirects to HubSpot's
// authorize page; HubSpot sends the browser back to /oauth/hubspot/callback
// (unsigned: the state is the proof), which answers a page.

// handleInstall redirects to HubSpot's authorize URL with a fresh state.
func (s *Server) handleInstall(c echo.Context) error {
	u, err := s.svc.StartInstall(c.Request().Context())
	if err != nil {
		return s.installFailed(c, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Redirect(http.StatusFound, u)
}

// handleInstallCallback is HubSpot's redirect after consent. Every answer
// is a page a person reads.
func (s *Server) handleInstallCallback(c echo.Context) error {
	q := c.Request().URL.Query()
	p, err := s.svc.FinishInstall(c.Request().Context(), app.InstallCallback{
		Code: q.Get("code"), State: q.Get("state"), Error: q.Get("error"),
	})
	if err != nil {
		return s.installFailed(c, err)
	}
	return s.page(c, http.StatusOK, "App installed",
		"Installed for HubSpot account "+strconv.FormatInt(p.ID, 10)+
			". Add the Integrated invoices card to your deal, contact and company records.")
}

// installFailed logs err and answers the error page.
func (s *Server) installFailed(c echo.Context, err error) error {
	code, message := classify(err)
	status := statusOf[code]
	requestID := c.Response().Header().Get(echo.HeaderXRequestID)
	if code == app.Internal {
		message = "Something went wrong on our side (reference " + requestID + "). Start the install again from HubSpot."
	}
	log := s.log.With("request_id", requestID, "route", c.Path(), "code", code, "status", status)
	if status >= 500 {
		log.ErrorContext(c.Request().Context(), "hubspot install failed", "err", err)
	} else {
		log.InfoContext(c.Request().Context(), "hubspot install refused", "err", err)
	}
	s.metrics.countError(code)
	return s.page(c, status, "The app was not installed", message)
}

type uninstallResponse struct {
	Portal struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
	} `json:"portal"`
	Connections []connectionJSON `json:"connections"`
}

// uninstallRequest must say "uninstall": the action cannot be undone, and
// a stray or replayed signed DELETE must not be enough.
type uninstallRequest struct {
	Confirm string `json:"confirm"`
}

// handleUninstall uninstalls the app from the caller's portal (signed,
// from the settings page); see app.Service.Uninstall.
func (s *Server) handleUninstall(c echo.Context) error {
	var req uninstallRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Confirm != "uninstall" {
		return app.Errorf(app.Invalid, `Uninstalling removes the app and disconnects every QuickBooks company; confirm with {"confirm":"uninstall"}.`)
	}
	who := callerOf(c)
	p, conns, err := s.svc.Uninstall(c.Request().Context(), who.PortalID, who.UserID)
	if err != nil {
		return err
	}
	var out uninstallResponse
	out.Portal.ID, out.Portal.State = p.ID, string(p.State)
	out.Connections = make([]connectionJSON, len(conns))
	for i, conn := range conns {
		out.Connections[i] = toConnectionJSON(conn)
	}
	return c.JSON(http.StatusOK, out)
}
