package server

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// The QuickBooks connect flow (app/connect.go): the card asks for Intuit's
// authorize URL (signed), Intuit sends the admin back to the callback
// (unsigned: the state is the proof), and the card disconnects (signed).

type connectResponse struct {
	AuthorizeURL string `json:"authorizeUrl"`
}

// handleConnectStart answers a signed card request with Intuit's authorize
// URL for the caller's portal and user. A body, if any, is ignored.
func (s *Server) handleConnectStart(c echo.Context) error {
	who := callerOf(c)
	u, err := s.svc.StartConnect(c.Request().Context(), who.PortalID, who.UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, connectResponse{AuthorizeURL: u})
}

type connectionResponse struct {
	Connection connectionJSON `json:"connection"`
}

// handleDisconnect revokes and disconnects one of the caller's companies.
func (s *Server) handleDisconnect(c echo.Context) error {
	conn, err := s.svc.Disconnect(c.Request().Context(), callerOf(c).PortalID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, connectionResponse{Connection: toConnectionJSON(conn)})
}

// connectPage is the small page the admin's browser lands on after Intuit.
var connectPage = template.Must(template.New("connect").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; margin: 3em auto; max-width: 36em">
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
</body></html>
`))

type pageData struct{ Title, Message string }

// handleConnectCallback is Intuit's redirect after consent. Every answer is
// a page a person reads; nothing is stored unless the state verifies, is
// unspent, and the code, the company read and the save all succeed.
func (s *Server) handleConnectCallback(c echo.Context) error {
	q := c.Request().URL.Query()
	conn, err := s.svc.FinishConnect(c.Request().Context(), app.ConnectCallback{
		Code: q.Get("code"), State: q.Get("state"), RealmID: q.Get("realmId"), Error: q.Get("error"),
	})
	if err != nil {
		code, message := classify(err)
		status := statusOf[code]
		requestID := c.Response().Header().Get(echo.HeaderXRequestID)
		if code == app.Internal {
			message = "Something went wrong on our side (reference " + requestID + "). Start again from the HubSpot card."
		}
		log := s.log.With("request_id", requestID, "route", c.Path(), "code", code, "status", status)
		if status >= 500 {
			log.ErrorContext(c.Request().Context(), "quickbooks connect failed", "err", err)
		} else {
			log.InfoContext(c.Request().Context(), "quickbooks connect refused", "err", err)
		}
		s.metrics.countError(code)
		return s.page(c, status, "QuickBooks was not connected", message)
	}
	name := strings.TrimSpace(conn.CompanyName)
	if name == "" {
		name = conn.RealmID
	}
	return s.page(c, http.StatusOK, "QuickBooks connected",
		"QuickBooks company "+name+" is connected; you can close this window.")
}

func (s *Server) page(c echo.Context, status int, title, message string) error {
	var b strings.Builder
	if err := connectPage.Execute(&b, pageData{Title: title, Message: message}); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer") // the callback URL carries the code
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	return c.HTML(status, b.String())
}
