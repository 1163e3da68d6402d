package app

import (
	"errors"
	"fmt"
)

// Code classifies an error for the card: each code has one HTTP status and
// one kind of message (DESIGN.md section 3).
type Code string

// The error codes. Adapters classify upstream failures into them; use cases
// add context; the HTTP layer maps them to statuses in one table.
const (
	Invalid      Code = "invalid"       // 400: bad input; QBO validation faults
	Unauthorized Code = "unauthorized"  // 401: missing, stale or wrong HubSpot signature
	Forbidden    Code = "forbidden"     // 403: the record, connection or invoice belongs to another portal
	NotFound     Code = "not_found"     // 404: record, quote, invoice or customer gone
	Conflict     Code = "conflict"      // 409: already linked; duplicate name or document number
	NotConnected Code = "not_connected" // 424: no QuickBooks connection, or its refresh token was refused
	Unavailable  Code = "unavailable"   // 503: upstream 429/5xx/timeouts after bounded retries
	Internal     Code = "internal"      // 500: anything else
)

// Error is an error a rep can read: Message is shown on the card as is, so
// it never carries tokens, raw upstream bodies or stack details. Err keeps
// the underlying cause for logs.
type Error struct {
	Code    Code
	Message string
	Err     error
}

// Errorf returns an *Error with a formatted, rep-facing message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrapf is Errorf with a cause: cause stays in the chain for logs and
// errors.Is/As, but its text never reaches Message.
func Wrapf(cause error, code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: cause}
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the code of the first *Error in err's chain, or Internal
// when there is none (and "" for a nil error).
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the rep-facing message of the first *Error in err's
// chain; errors without one get a generic message, never their own text.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side."
}
