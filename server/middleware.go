package server

import (
	"bytes"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// requestLog writes one line per request and feeds the request metrics.
// It logs the route template and path, never the query string, which
// carries the rep's email.
func (s *Server) requestLog() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err) // write the error now so the status below is final
			}
			route := c.Path()
			if route == "" {
				route = "unmatched"
			}
			status := c.Response().Status
			elapsed := time.Since(start)
			s.metrics.observeRequest(route, c.Request().Method, status, elapsed)
			if !s.log.Enabled(c.Request().Context(), slog.LevelInfo) {
				return nil
			}
			attrs := []any{
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID),
				"method", c.Request().Method, "route", route, "path", c.Request().URL.Path,
				"status", status, "duration_ms", float64(elapsed.Microseconds()) / 1000,
			}
			if who, ok := c.Get(callerKey).(caller); ok {
				attrs = append(attrs, "portal", who.PortalID)
			}
			s.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request", toAttrs(attrs)...)
			return nil
		}
	}
}

func toAttrs(kv []any) []slog.Attr {
	out := make([]slog.Attr, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, slog.Any(kv[i].(string), kv[i+1]))
	}
	return out
}

// caller is who HubSpot says is calling: the signed query parameters.
type caller struct {
	PortalID  int64
	UserID    int64
	UserEmail string
}

const callerKey = "hubspot.caller"

// callerOf returns the verified caller; only routes behind
// requireHubSpotSignature have one.
func callerOf(c echo.Context) caller {
	who, _ := c.Get(callerKey).(caller)
	return who
}

// requireHubSpotSignature admits only requests HubSpot signed for this app
// (reference/hubspot.md 2.1, v3). It reads the raw body before anything
// binds it and puts it back for the handler. The tenant is the signed
// portalId query parameter, never a body field.
func (s *Server) requireHubSpotSignature(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		// Refuse what can never verify before reading up to 1 MB of body.
		if err := s.sig.precheck(req.Header.Get("X-HubSpot-Signature-v3"), req.Header.Get("X-HubSpot-Request-Timestamp")); err != nil {
			return err
		}
		var body []byte
		if req.ContentLength != 0 { // GETs have none: skip the read and its buffer
			var err error
			if body, err = io.ReadAll(req.Body); err != nil {
				return err // BodyLimit's 413 surfaces here
			}
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		uri := s.cfg.PublicBaseURL + req.RequestURI
		if err := s.sig.verify(req.Method, uri, body,
			req.Header.Get("X-HubSpot-Signature-v3"), req.Header.Get("X-HubSpot-Request-Timestamp")); err != nil {
			return err
		}
		who, err := s.callerFrom(req.URL.Query())
		if err != nil {
			return err
		}
		c.Set(callerKey, who)
		return next(c)
	}
}

func (s *Server) callerFrom(q url.Values) (caller, error) {
	// HubSpot appends its own identity parameters to whatever URL the card
	// fetches and signs the whole; the card runs in the user's browser. A
	// parameter given twice could put another portal's id before HubSpot's,
	// so any repeat is refused.
	for _, name := range []string{"appId", "portalId", "userId", "userEmail"} {
		if len(q[name]) > 1 {
			return caller{}, errUnauthorized("The request names its HubSpot " + name + " more than once.")
		}
	}
	if app := q.Get("appId"); app != strconv.FormatInt(s.cfg.HubSpotAppID, 10) {
		return caller{}, errUnauthorized("This request was signed for another HubSpot app.")
	}
	portal, err := strconv.ParseInt(q.Get("portalId"), 10, 64)
	if err != nil || portal <= 0 {
		return caller{}, errUnauthorized("The request has no HubSpot account id (portalId).")
	}
	user, _ := strconv.ParseInt(q.Get("userId"), 10, 64)
	return caller{PortalID: portal, UserID: user, UserEmail: q.Get("userEmail")}, nil
}

func errUnauthorized(msg string) error { return app.Errorf(app.Unauthorized, "%s", msg) }

// requireAdmin admits, after the signature check, only a super admin of the
// caller's HubSpot account (app.RequireAdmin): the settings' and the
// connections' changes, imports, retries and uninstall.
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		who := callerOf(c)
		if err := s.svc.RequireAdmin(c.Request().Context(), who.PortalID, who.UserID); err != nil {
			return err
		}
		return next(c)
	}
}
