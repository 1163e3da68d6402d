package quickbooks

import (
	"fmt"
	"log/slog"
	"strings"
)

// Messages a rep reads on the card (app.Error.Message). They never carry
// upstream text that could hold tokens or raw bodies.
const (
	msgBusy       = "QuickBooks is busy, try again in a minute."
	msgReconnect  = "QuickBooks refused this connection; reconnect QuickBooks."
	msgForbidden  = "QuickBooks refused access to this company; reconnect QuickBooks as a company admin."
	msgUnreadable = "QuickBooks sent an answer we could not read."
	msgRejected   = "QuickBooks rejected the request."
	msgAppCreds   = "QuickBooks rejected this app's credentials."
)

// UpstreamError is what went wrong on the wire, for logs: it sits in the
// chain under an *app.Error and never reaches the card. It holds no token
// and no raw body: the auth gateway echoes the bearer token in its Detail,
// so Detail is kept only for validation faults.
type UpstreamError struct {
	Op        string // "GET /v3/company/{realm}/query" or "POST <token endpoint path>"; no query string
	Status    int    // HTTP status; 0 when no answer came
	Code      string // QBO fault code ("6240", "3001") or OAuth error ("invalid_grant")
	FaultType string // ValidationFault, AUTHENTICATION, SERVICE, …
	Element   string // the fault's element, when QBO names one
	Detail    string // QBO's Detail of a validation fault (never of an auth fault)
	TID       string // the Intuit-Tid header, for Intuit support
	Attempts  int    // calls made, retries included
	Err       error  // transport, decode or context error

	retry  bool // transient: worth another attempt after a backoff
	reauth bool // the access token was refused: refresh once, then retry once
}

func (e *UpstreamError) Error() string {
	var b strings.Builder
	b.WriteString("quickbooks")
	if e.Op != "" {
		b.WriteString(": ")
		b.WriteString(e.Op)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " code %s", e.Code)
	}
	if e.FaultType != "" {
		fmt.Fprintf(&b, " (%s)", e.FaultType)
	}
	if e.Element != "" {
		fmt.Fprintf(&b, " element %q", e.Element)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, " detail %q", e.Detail)
	}
	if e.TID != "" {
		fmt.Fprintf(&b, " intuit_tid=%s", e.TID)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *UpstreamError) Unwrap() error { return e.Err }

// LogValue lets a logger print the fields as attributes.
func (e *UpstreamError) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("op", e.Op), slog.Int("status", e.Status), slog.Int("attempts", e.Attempts)}
	for _, kv := range [][2]string{{"code", e.Code}, {"fault_type", e.FaultType}, {"element", e.Element}, {"intuit_tid", e.TID}} {
		if kv[1] != "" {
			attrs = append(attrs, slog.String(kv[0], kv[1]))
		}
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("err", e.Err.Error()))
	}
	return slog.GroupValue(attrs...)
}
