package quickbooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	qb "github.com/rwestlund/quickbooks-go"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// This file is the one place where an upstream answer becomes an app code
// (DESIGN.md section 3; reference/quickbooks.md sections 1.10, 3 and 6).
// classify judges data API answers and classifyToken the OAuth token
// endpoint's; both return nil for success, else an *app.Error wrapping an
// *UpstreamError whose retry and reauth flags drive the request loop.

// errBodyTooLarge is returned by readBody when an answer exceeds maxBody.
var errBodyTooLarge = errors.New("answer body exceeds the size limit")

// classify judges one data API exchange: resp and body are the answer (resp
// is nil when none came), err the transport or body-read error.
//
//   - transport errors and truncated bodies: Unavailable, retried
//   - 200 without a Fault: nil; 200 carrying a Fault: as that fault
//   - 400 ValidationFault: by fault code (faultError)
//   - 401 (gateway shape): reauth; NotConnected if it persists
//   - 403: the old XML throttle answer is retried like a 429; otherwise
//     NotConnected (3100 AuthorizationFailed: a token of another company or
//     a user who is no longer admin; reconnecting is the fix)
//   - 408, 429 (XML body), 5xx: Unavailable, retried
//   - anything else: Internal
func classify(resp *http.Response, body []byte, err error) error {
	ue, failed := upstreamOf(resp, err)
	if failed != nil {
		return failed
	}

	switch s := resp.StatusCode; {
	case s == http.StatusOK:
		f, ok := decodeFault(body)
		if !ok {
			return nil
		}
		f.fill(ue)
		if f.auth() {
			ue.reauth = true
			return app.Wrapf(ue, app.NotConnected, msgReconnect)
		}
		return faultError(ue, f, entityOf(resp))
	case s == http.StatusUnauthorized:
		ue.reauth = true
		if f, ok := decodeGateway(body); ok {
			f.fill(ue)
		}
		return app.Wrapf(ue, app.NotConnected, msgReconnect)
	case s == http.StatusForbidden:
		if isThrottle(body) {
			ue.Code, ue.FaultType, ue.retry = "3001", "SERVICE", true
			return app.Wrapf(ue, app.Unavailable, msgBusy)
		}
		if f, ok := decodeGateway(body); ok {
			f.fill(ue)
		}
		return app.Wrapf(ue, app.NotConnected, msgForbidden)
	case s == http.StatusTooManyRequests:
		ue.Code, ue.FaultType, ue.retry = "3001", "SERVICE", true
		return app.Wrapf(ue, app.Unavailable, msgBusy)
	case s == http.StatusRequestTimeout || s >= 500:
		if f, ok := decodeFault(body); ok {
			f.fill(ue)
		}
		ue.retry = true
		return app.Wrapf(ue, app.Unavailable, msgBusy)
	case s == http.StatusBadRequest:
		f, ok := decodeFault(body)
		if !ok {
			return app.Wrapf(ue, app.Internal, msgRejected)
		}
		f.fill(ue)
		return faultError(ue, f, entityOf(resp))
	}
	return app.Wrapf(ue, app.Internal, msgRejected)
}

// faultError maps a ValidationFault to a code and a message a rep can act
// on, by QBO code (reference section 3). QBO's Message is used for codes
// without a message of ours; the raw body never is.
func faultError(ue *UpstreamError, f fault, entity string) error {
	switch f.Code {
	case "6240": // Duplicate Name Exists
		return app.Wrapf(ue, app.Conflict, "%s", duplicateName(entity))
	case "6140": // Duplicate Document Number
		return app.Wrapf(ue, app.Conflict, "This invoice number is already used in QuickBooks; choose another number.")
	case "5010": // Stale Object
		return app.Wrapf(ue, app.Conflict, "This %s was changed in QuickBooks meanwhile; reload it and try again.", nounOr(entity, "record"))
	case "610": // Object Not Found: missing, deleted or inactive
		return app.Wrapf(ue, app.NotFound, "This %s no longer exists in QuickBooks, or it was made inactive%s.", nounOr(entity, "record"), elementSuffix(f.Element))
	case "2500": // Invalid Reference Id
		return app.Wrapf(ue, app.Invalid, "%s", invalidReference(f.Detail))
	case "2020": // Required param missing
		if f.Element != "" {
			return app.Wrapf(ue, app.Invalid, "QuickBooks needs a value for %s.", f.Element)
		}
	case "6000": // Business Validation Error: the Detail is the human sentence
		if d := strings.TrimSpace(strings.TrimPrefix(f.Detail, "Business Validation Error:")); d != "" {
			return app.Wrapf(ue, app.Invalid, "%s", d)
		}
	case "3100", "3200", "120": // authorization faults inside a 400 or 200
		return app.Wrapf(ue, app.NotConnected, msgReconnect)
	case "6190": // Invalid Company Status: the subscription ended
		return app.Wrapf(ue, app.NotConnected, "QuickBooks says this company's subscription is not active.")
	case "500", "2010", "4000", "4001":
		// Unsupported operation, unknown property, query syntax or name:
		// a bug of ours, not something the rep can fix.
		return app.Wrapf(ue, app.Internal, msgRejected)
	}
	if f.Message != "" {
		return app.Wrapf(ue, app.Invalid, "QuickBooks rejected the request: %s", strings.TrimRight(f.Message, "."))
	}
	return app.Wrapf(ue, app.Invalid, msgRejected)
}

// classifyToken judges an answer of the OAuth token endpoint (reference
// section 6). invalid_grant (refresh token expired, revoked or rotated
// away) is NotConnected; invalid_client is our configuration (Internal);
// 429, 5xx and transport errors are retried. The answer body is never
// kept: only its "error" code.
func classifyToken(resp *http.Response, body []byte, err error) error {
	ue, failed := upstreamOf(resp, err)
	if failed != nil {
		return failed
	}
	var oauth struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &oauth)
	if len(oauth.Error) <= 40 {
		ue.Code = oauth.Error
	}
	switch s := resp.StatusCode; {
	case s == http.StatusOK:
		return nil
	case oauth.Error == "invalid_grant":
		return app.Wrapf(ue, app.NotConnected, msgReconnect)
	case oauth.Error == "invalid_client":
		return app.Wrapf(ue, app.Internal, msgAppCreds)
	case s == http.StatusTooManyRequests || s == http.StatusRequestTimeout || s >= 500:
		ue.retry = true
		return app.Wrapf(ue, app.Unavailable, msgBusy)
	}
	return app.Wrapf(ue, app.Internal, msgRejected)
}

// undecodable is the error for a 200 whose body does not decode.
func undecodable(op string, err error) error {
	return app.Wrapf(&UpstreamError{Op: op, Status: http.StatusOK, Err: fmt.Errorf("decode answer: %w", err)},
		app.Internal, msgUnreadable)
}

// fault is the first error of a Fault envelope.
type fault struct {
	Type, Code, Message, Detail, Element string
	gateway                              bool // the auth gateway's shape: Detail dropped
}

func (f fault) fill(ue *UpstreamError) {
	ue.Code, ue.FaultType, ue.Element = f.Code, f.Type, f.Element
	if !f.gateway && !f.auth() {
		ue.Detail = clip(f.Detail, 500)
	}
}

func (f fault) auth() bool {
	return strings.EqualFold(f.Type, "AUTHENTICATION") || f.Code == "3200" || f.Code == "3100"
}

// decodeFault reads the validation shape of reference 1.10 (HTTP 400, or a
// 200 that still carries a Fault) with the library's qb.Failure, which
// decodes it correctly. qb.Failure's strict Date fails on anything but QBO's
// own time format (the gateway's epoch-ms "time", for one), so a body it
// cannot read is tried with the tolerant gateway decoder.
func decodeFault(body []byte) (fault, bool) {
	if !looksJSON(body) {
		return fault{}, false
	}
	var probe struct {
		Fault json.RawMessage `json:"Fault"`
	}
	if json.Unmarshal(body, &probe) != nil || len(probe.Fault) == 0 || string(probe.Fault) == "null" {
		return fault{}, false
	}
	var f qb.Failure
	if err := json.Unmarshal(body, &f); err != nil {
		return decodeGateway(body)
	}
	out := fault{Type: f.Fault.Type}
	if len(f.Fault.Error) > 0 {
		e := f.Fault.Error[0]
		out.Code, out.Message, out.Detail, out.Element = e.Code, e.Message, e.Detail, e.Element
	}
	return out, true
}

// decodeGateway reads the auth gateway's shape (reference 1.10 shape 2:
// lower-case keys, epoch-ms time), which qb.Failure cannot decode (section 8
// defect 4). Its detail echoes the token, so it is not read at all.
func decodeGateway(body []byte) (fault, bool) {
	if !looksJSON(body) {
		return fault{}, false
	}
	var g struct {
		Fault *struct {
			Error []struct {
				Message string  `json:"message"`
				Code    string  `json:"code"`
				Element *string `json:"element"`
			} `json:"error"`
			Type string `json:"type"`
		} `json:"fault"`
	}
	if json.Unmarshal(body, &g) != nil || g.Fault == nil {
		return fault{}, false
	}
	out := fault{Type: g.Fault.Type, gateway: true}
	if len(g.Fault.Error) > 0 {
		e := g.Fault.Error[0]
		out.Code = e.Code
		if e.Element != nil {
			out.Element = *e.Element
		}
	}
	return out, true
}

// isThrottle recognises the XML ThrottleExceeded body (code 3001) that QBO
// sends with 429, and older servers with 403 (reference 1.10 shape 3).
func isThrottle(body []byte) bool {
	return bytes.Contains(body, []byte("ThrottleExceeded")) || bytes.Contains(body, []byte(`code="3001"`))
}

func looksJSON(body []byte) bool {
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '{'
}

// entityOf is the entity segment of a data API path
// (/v3/company/{realm}/{entity}/…), lower case.
func entityOf(resp *http.Response) string {
	if resp == nil || resp.Request == nil || resp.Request.URL == nil {
		return ""
	}
	parts := strings.Split(strings.Trim(resp.Request.URL.Path, "/"), "/")
	if len(parts) < 4 || parts[0] != "v3" || parts[1] != "company" {
		return ""
	}
	return strings.ToLower(parts[3])
}

// nouns name entities for messages.
var nouns = map[string]string{
	"invoice": "invoice", "customer": "customer", "item": "product or service",
	"term": "term", "taxcode": "tax code", "payment": "payment",
}

func nounOr(entity, fallback string) string {
	if n, ok := nouns[entity]; ok {
		return n
	}
	return fallback
}

func duplicateName(entity string) string {
	switch entity {
	case "item":
		return "A product or service with this name already exists in QuickBooks."
	case "term":
		return "A term with this name already exists in QuickBooks."
	}
	return "A customer with this name already exists in QuickBooks."
}

func elementSuffix(element string) string {
	if element == "" {
		return ""
	}
	return " (" + clip(element, 60) + ")"
}

// refDetail matches QBO's 2500 Detail: "Invalid Reference Id : Names element
// id 583 not found".
var refDetail = regexp.MustCompile(`(\w+) element id (\w{1,40}) not found`)

// refLists names the lists of a 2500 Detail.
var refLists = map[string]string{
	"Names": "customer", "Items": "product or service", "Terms": "term", "SalesTerms": "term",
	"TaxCodes": "tax code", "Accounts": "account", "Classes": "class", "Currencies": "currency",
}

func invalidReference(detail string) string {
	if m := refDetail.FindStringSubmatch(detail); m != nil {
		if list, ok := refLists[m[1]]; ok {
			return fmt.Sprintf("QuickBooks has no %s with id %s.", list, m[2])
		}
		return fmt.Sprintf("QuickBooks has no record with id %s in %s.", m[2], m[1])
	}
	return "QuickBooks does not know one of the records this refers to."
}

// clip shortens s to at most n bytes without splitting a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// The creates know what they sent, which QBO's answer often does not name:
// the invoice number, the display name, the line a reference sits on.
// reword lets them say so; the app code classify chose and the wire detail
// under it stay as they were.

// reword replaces the rep-facing message of a classified failure with
// message(ue), ue being the failure's wire detail; an empty message keeps
// classify's.
func reword(err error, message func(ue *UpstreamError) string) error {
	var ae *app.Error
	if !errors.As(err, &ae) {
		return err
	}
	var ue *UpstreamError
	if !errors.As(err, &ue) || ue.Code == "" {
		return err
	}
	msg := message(ue)
	if msg == "" {
		return err
	}
	return &app.Error{Code: ae.Code, Message: msg, Err: ae.Err}
}

// customerCreateFault words the faults of a customer create: 6240 names
// the display name sent (QBO keeps one name space for customers, vendors
// and employees, reference 1.3).
func customerCreateFault(name string) func(*UpstreamError) string {
	return func(ue *UpstreamError) string {
		if ue.Code == "6240" {
			return fmt.Sprintf("A customer, vendor or employee named %q already exists in QuickBooks.", clip(name, 100))
		}
		return ""
	}
}

// invoiceCreateFault words the faults of an invoice create with the body
// sent: 6140 names the number, 6100 and 2500 the line they concern, 610
// (a reference to an inactive or deleted object) what it can be. 6000
// keeps classify's message, QBO's own sentence (for a missing non-US tax
// code: "Make sure all your transactions have a GST/HST rate before you
// save.").
func invoiceCreateFault(body invoiceCreate) func(*UpstreamError) string {
	return func(ue *UpstreamError) string {
		switch ue.Code {
		case "6140": // Duplicate Document Number
			if body.DocNumber != "" {
				return fmt.Sprintf("Invoice number %q is already used in QuickBooks; choose another.", body.DocNumber)
			}
		case "6100": // US line tax code other than TAX or NON
			for i, l := range body.Line {
				if l.SalesItemLineDetail.TaxCodeRef != nil {
					if v := l.SalesItemLineDetail.TaxCodeRef.Value; v != "TAX" && v != "NON" {
						return fmt.Sprintf("Line %d: QuickBooks treats this company as a US company, whose line tax codes must be TAX or NON.", i+1)
					}
				}
			}
			return "QuickBooks treats this company as a US company, whose line tax codes must be TAX or NON."
		case "2500": // Invalid Reference Id
			m := refDetail.FindStringSubmatch(ue.Detail)
			if m == nil {
				return ""
			}
			list, id := m[1], m[2]
			for i, l := range body.Line {
				d := l.SalesItemLineDetail
				if list == "Items" && d.ItemRef.Value == id || list == "TaxCodes" && d.TaxCodeRef != nil && d.TaxCodeRef.Value == id {
					return fmt.Sprintf("Line %d: %s", i+1, invalidReference(ue.Detail))
				}
			}
		case "610": // Object Not Found: a reference to something inactive or deleted
			return "The customer, a product or service, the term or a tax code of this invoice was deleted or made inactive in QuickBooks; refresh the lists and try again."
		}
		return ""
	}
}

// upstreamOf starts the UpstreamError of an answer; when the call never got
// a readable answer (a transport error, or a body over the limit) it also
// returns the classified error.
func upstreamOf(resp *http.Response, err error) (*UpstreamError, error) {
	ue := &UpstreamError{}
	if resp != nil {
		ue.Status = resp.StatusCode
		ue.TID = resp.Header.Get("Intuit-Tid")
		if resp.Request != nil && resp.Request.URL != nil {
			ue.Op = resp.Request.Method + " " + resp.Request.URL.Path
		}
	}
	switch {
	case errors.Is(err, errBodyTooLarge):
		ue.Err = err
		return ue, app.Wrapf(ue, app.Internal, msgUnreadable)
	case err != nil:
		ue.Err, ue.retry = err, true
		return ue, app.Wrapf(ue, app.Unavailable, msgBusy)
	}
	return ue, nil
}
