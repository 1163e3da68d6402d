package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// statusOf maps each app code to its HTTP status (DESIGN.md section 3).
var statusOf = map[app.Code]int{
	app.Invalid:      http.StatusBadRequest,
	app.Unauthorized: http.StatusUnauthorized,
	app.Forbidden:    http.StatusForbidden,
	app.NotFound:     http.StatusNotFound,
	app.Conflict:     http.StatusConflict,
	app.NotConnected: http.StatusFailedDependency,
	app.Unavailable:  http.StatusServiceUnavailable,
	app.Internal:     http.StatusInternalServerError,
}

// errorResponse is the one error shape of the API.
type errorResponse struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code      app.Code `json:"code"`
	Message   string   `json:"message"`
	RequestID string   `json:"requestId"`
}

// handleError writes every error the same way and logs it once: 5xx at
// Error with the whole chain, the rest at Info.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, message := classify(err)
	status := statusOf[code]
	requestID := c.Response().Header().Get(echo.HeaderXRequestID)
	if code == app.Internal {
		message = "Something went wrong on our side (reference " + requestID + ")."
	}
	log := s.log.With("request_id", requestID, "route", c.Path(), "code", code, "status", status)
	if status >= 500 {
		log.ErrorContext(c.Request().Context(), "request failed", "err", err)
	} else {
		log.InfoContext(c.Request().Context(), "request refused", "err", err)
	}
	s.metrics.countError(code)
	body := errorResponse{Error: errorBody{Code: code, Message: message, RequestID: requestID}}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, body)
	}
	if err != nil {
		s.log.Error("write error response", "err", err)
	}
}

// classify finds the app code and message of err. Echo's own errors
// (unknown route, method not allowed, body too large, timeout) get codes
// too; anything else is internal.
func classify(err error) (app.Code, string) {
	if errors.Is(err, context.Canceled) {
		// The caller went away (HubSpot gave up, the rep navigated off).
		return app.Unavailable, "The request was cancelled."
	}
	var ae *app.Error
	if errors.As(err, &ae) {
		return ae.Code, ae.Message
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return app.NotFound, "There is no such API route."
		case http.StatusMethodNotAllowed:
			return app.Invalid, "This API route does not accept that method."
		case http.StatusRequestEntityTooLarge:
			return app.Invalid, "The request body is larger than the 1 MB HubSpot allows."
		case http.StatusServiceUnavailable:
			return app.Unavailable, "The request took too long; try again."
		case http.StatusBadRequest:
			return app.Invalid, "The request is malformed."
		case http.StatusUnauthorized:
			return app.Unauthorized, "This request is not signed by HubSpot."
		}
	}
	return app.Internal, ""
}
