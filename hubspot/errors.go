package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// APIError is a failed HubSpot call, kept in the chain under the *app.Error
// the adapter returns, for logs only: a rep sees app.Error.Message, never
// this. It carries no token; HubSpot's message has the caller's token
// scrubbed from it.
type APIError struct {
	Op            string // "GET /crm/v3/objects/deals/1011"
	PortalID      int64
	Attempts      int    // requests made, retries included
	Status        int    // HTTP status; 0 when no answer came
	Category      string // envelope category, else errorType (429)
	SubCategory   string
	PolicyName    string // 429: TEN_SECONDLY_ROLLING, DAILY
	CorrelationID string
	Message       string // HubSpot's message
	Err           error  // transport, context or decoding error, if any
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hubspot %s (portal %d, attempt %d)", e.Op, e.PortalID, e.Attempts)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	for _, kv := range [][2]string{{"category", e.Category}, {"subCategory", e.SubCategory},
		{"policy", e.PolicyName}, {"correlationId", e.CorrelationID}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, " %s=%s", kv[0], kv[1])
		}
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *APIError) Unwrap() error { return e.Err }

// badBody is a 2xx answer whose body does not decode.
type badBody struct{ err error }

func (e *badBody) Error() string { return "undecodable HubSpot answer: " + e.err.Error() }
func (e *badBody) Unwrap() error { return e.err }

// envelope is HubSpot's error body; every field is optional
// (reference/hubspot.md 4.5 for the 429 shape).
type envelope struct {
	Message       string `json:"message"`
	Category      string `json:"category"`
	SubCategory   string `json:"subCategory"`
	ErrorType     string `json:"errorType"`
	Status        string `json:"status"` // the OAuth endpoints' error code: BAD_REFRESH_TOKEN
	PolicyName    string `json:"policyName"`
	CorrelationID string `json:"correlationId"`
}

// failure is what went wrong with one attempt.
type failure struct {
	*APIError
	retryable bool
}

// inspect turns one attempt's outcome into a failure, or nil on success.
// resp, when not nil, has its body in memory (go-hubspot and getJSON both
// leave it so).
func inspect(cl call, attempt int, resp *http.Response, err error) *failure {
	if err == nil && resp != nil && resp.StatusCode < 300 {
		return nil
	}
	e := &APIError{Op: cl.op, PortalID: cl.portal, Attempts: attempt, Err: err}
	if resp == nil {
		// No answer: a transport error (client timeout, refused, reset) is
		// worth another try; a request that could not be built is not.
		var ue *url.Error
		return &failure{e, errors.As(err, &ue)}
	}
	e.Status = resp.StatusCode
	if resp.StatusCode < 300 {
		// A 2xx that go-hubspot or getJSON could not decode is final; one
		// whose body broke off in transit is worth another try. Every
		// generated go-hubspot package has its own GenericOpenAPIError;
		// they share the Model method.
		var ge interface{ Model() interface{} }
		var bb *badBody
		return &failure{e, !errors.As(err, &ge) && !errors.As(err, &bb)}
	}
	e.Err = nil // go-hubspot's error only repeats the status line
	var env envelope
	if body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10)); json.Unmarshal(body, &env) == nil {
		e.Message = scrub(env.Message, cl.token)
		e.Category = env.Category
		if e.Category == "" {
			e.Category = env.ErrorType
		}
		if e.Category == "" {
			e.Category = env.Status
		}
		e.SubCategory, e.PolicyName, e.CorrelationID = env.SubCategory, env.PolicyName, env.CorrelationID
	}
	return &failure{e, resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500}
}

// classify is the one place a failed HubSpot call becomes an *app.Error. The
// rep-facing Message never holds HubSpot's status, category or
// correlation id; they stay in the chain, in the *APIError.
//
//	401            NotConnected  the token was refused: reinstall the app
//	403            Forbidden     missing scope or not allowed
//	404, 410       NotFound      no such record in this portal
//	400            Invalid       with HubSpot's message
//	409            Conflict      with HubSpot's message
//	429            Unavailable   after retries: HubSpot is busy
//	ctx ended      Unavailable   deadline or cancellation: no more retries
//	5xx            Unavailable   after retries
//	no answer      Unavailable   transport error, client timeout, body cut short, after retries
//	anything else  Internal      an answer we did not expect or could not read
func classify(cl call, f *failure) error {
	e := f.APIError
	switch s := e.Status; {
	case s == http.StatusUnauthorized:
		return app.Wrapf(e, app.NotConnected, "HubSpot refused this app's access; reinstall the app.")
	case s == http.StatusForbidden:
		return app.Wrapf(e, app.Forbidden, "HubSpot does not allow this app to %s that %s; reinstall the app to grant its permissions.", orDefault(cl.verb, "read"), cl.noun)
	case s == http.StatusNotFound || s == http.StatusGone:
		return app.Wrapf(e, app.NotFound, "This %s no longer exists in HubSpot.", cl.noun)
	case s == http.StatusBadRequest:
		return app.Wrapf(e, app.Invalid, "HubSpot rejected the request: %s", orDefault(e.Message, "no reason given."))
	case s == http.StatusConflict:
		return app.Wrapf(e, app.Conflict, "HubSpot reported a conflict: %s", orDefault(e.Message, "no reason given."))
	case s == http.StatusTooManyRequests:
		return app.Wrapf(e, app.Unavailable, "HubSpot is busy, try again in a minute.")
	case errors.Is(e, context.DeadlineExceeded) || errors.Is(e, context.Canceled):
		return app.Wrapf(e, app.Unavailable, "HubSpot did not answer in time, try again in a minute.")
	case f.retryable: // 5xx, transport errors, bodies cut short
		return app.Wrapf(e, app.Unavailable, "HubSpot is not answering, try again in a minute.")
	}
	return app.Wrapf(e, app.Internal, "HubSpot answered in a way we did not expect.")
}

func orDefault(s, def string) string {
	if s = strings.TrimSpace(s); s == "" {
		return def
	}
	return s
}

// scrub removes the token from text that came from outside: HubSpot's
// messages are not known to echo it, but nothing proves they never will.
// Errors of our own making cannot hold it: the token travels only in the
// Authorization header, which neither net/http's nor go-hubspot's errors
// print.
func scrub(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "REDACTED")
}
