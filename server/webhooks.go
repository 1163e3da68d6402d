package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// QuickBooks' change notifications (reference/quickbooks.md 5.2). Intuit
// POSTs them, signed with the app's verifier token, in one of two forms:
// the legacy {"eventNotifications":[…]} object or, once the app switched,
// a CloudEvents JSON array. Either way a notification names only a realm,
// an entity, an id, an operation and a time; the handler turns it into
// app.Change values and hands them to AcceptWebhook, which persists them
// (or drops those of realms no portal connected) and returns. The work
// itself runs later from the durable queue, so the answer is fast: Intuit
// wants a 200 within 3 s and retries anything else for days.
//
// Replays: the body is the signed thing, so a body seen again is a replay,
// whoever sends it. The first delivery's digest (SHA-256 of the body) is
// remembered once its changes are durable; the same body again is refused:
// nothing is queued, and the answer is 200 {"replayed":true}, since the
// sender may be Intuit itself, resending a body whose 200 it never got, and
// anything but 200 has Intuit resend it for days. No time window is
// enforced on top: intuit-created-time is not covered by the signature.
// Beyond the digest's memory (app.webhookMemory, 35 days) a replay is
// queued again and applied as nothing: its changes are no newer than their
// entities' versions.
//
// The verifier token is the only proof a body is Intuit's: a server
// configured without one refuses every webhook (401).

const (
	// qboWebhookPath is the route Intuit's webhook settings point at.
	qboWebhookPath = "/webhooks/quickbooks"
	// qboWebhookMaxBody bounds a notification body; Intuit's are a few
	// hundred bytes per entity, even batched per 1/3/5-minute window. It is
	// 1 MB (10^6 bytes), not 1 MiB: the server-wide BodyLimit "1M" is
	// decimal in Echo's parser and refuses larger bodies before any route.
	qboWebhookMaxBody = 1_000_000
	// qboWebhookBudget bounds AcceptWebhook, so that a slow store answers
	// 503 inside Intuit's 3 s instead of timing out on Intuit's side.
	qboWebhookBudget = 2 * time.Second
)

// errNoVerifierToken explains, in the logs, why every webhook is refused.
var errNoVerifierToken = errors.New("no QBO_WEBHOOK_VERIFIER_TOKEN configured: every webhook is refused")

// handleQBOWebhook serves POST /webhooks/quickbooks. It is outside the
// HubSpot-signed group: Intuit's signature is its proof. Order matters:
// nothing is read before the header is seen, and nothing parsed or logged
// of a body before its signature verifies.
func (s *Server) handleQBOWebhook(c echo.Context) error {
	req := c.Request()
	signature := strings.TrimSpace(req.Header.Get("intuit-signature"))
	if s.cfg.QBOWebhookVerifierToken == "" {
		return app.Wrapf(errNoVerifierToken, app.Unauthorized, "This server accepts no QuickBooks webhooks: it has no verifier token.")
	}
	if signature == "" {
		return app.Errorf(app.Unauthorized, "The webhook has no intuit-signature header.")
	}
	// The content type is not checked: the body must be JSON whatever the
	// header says, and the signature, not the header, proves the sender.
	body, err := io.ReadAll(io.LimitReader(req.Body, qboWebhookMaxBody+1))
	if err != nil {
		if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) { // a smaller server-wide limit
			return err
		}
		return app.Wrapf(err, app.Invalid, "The webhook body could not be read.")
	}
	if len(body) > qboWebhookMaxBody {
		return echo.ErrStatusRequestEntityTooLarge // answered by qboWebhookErrors
	}
	if !validIntuitSignature(s.cfg.QBOWebhookVerifierToken, body, signature) {
		return app.Errorf(app.Unauthorized, "The webhook's intuit-signature does not match its body.")
	}

	changes, skipped, format, err := parseQBOWebhook(body)
	if err != nil {
		// Signed by Intuit yet unreadable: a bug on one side or a format
		// change. Intuit retries, so it will be seen again; the body holds
		// ids only, so an excerpt is logged.
		s.log.WarnContext(req.Context(), "quickbooks webhook not understood",
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"err", err, "bytes", len(body), "excerpt", excerpt(body, 512))
		return app.Wrapf(err, app.Invalid, "The webhook body is not a QuickBooks notification: %s", err.Error())
	}

	if len(skipped) > 0 {
		s.log.WarnContext(req.Context(), "quickbooks webhook: notifications skipped",
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"skipped", len(skipped), "first", skipped[0].Error(), "kept", len(changes))
	}

	ctx, cancel := context.WithTimeout(req.Context(), qboWebhookBudget)
	defer cancel()
	digest := sha256.Sum256(body)
	replayed, err := s.svc.AcceptWebhook(ctx, app.Webhook{Digest: hex.EncodeToString(digest[:]), Changes: changes})
	if err != nil {
		// Anything but 2xx makes Intuit retry: answer 503 whatever went wrong.
		msg := "The notifications could not be stored; QuickBooks will retry."
		var ae *app.Error
		if errors.As(err, &ae) && ae.Code == app.Unavailable {
			msg = ae.Message
		}
		return app.Wrapf(err, app.Unavailable, "%s", msg)
	}
	if replayed {
		return c.JSON(http.StatusOK, map[string]bool{"replayed": true})
	}
	s.log.InfoContext(req.Context(), "quickbooks webhook accepted",
		"request_id", c.Response().Header().Get(echo.HeaderXRequestID),
		"format", format, "changes", len(changes), "realms", realmsOf(changes))
	return c.JSON(http.StatusOK, struct{}{})
}

// validIntuitSignature reports whether signature is base64 (standard) of
// the HMAC-SHA256 of body keyed with token, comparing in constant time.
func validIntuitSignature(token string, body []byte, signature string) bool {
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(token))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// qboWebhookErrors answers a too-large webhook body with 413, which
// classify maps to HubSpot's 400 for the card routes. The server-wide body
// limit refuses a declared Content-Length above it before the route's
// handler runs, so this sits in the error handler, for this route only.
func (s *Server) qboWebhookErrors(next echo.HTTPErrorHandler) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		var he *echo.HTTPError
		if c.Path() != qboWebhookPath || c.Response().Committed ||
			!errors.As(err, &he) || he.Code != http.StatusRequestEntityTooLarge {
			next(err, c)
			return
		}
		requestID := c.Response().Header().Get(echo.HeaderXRequestID)
		s.log.InfoContext(c.Request().Context(), "request refused", "request_id", requestID,
			"route", c.Path(), "code", app.Invalid, "status", http.StatusRequestEntityTooLarge, "err", err)
		s.metrics.countError(app.Invalid)
		body := errorResponse{Error: errorBody{Code: app.Invalid, RequestID: requestID,
			Message: "The webhook body is larger than the 1 MB this server accepts."}}
		if err := c.JSON(http.StatusRequestEntityTooLarge, body); err != nil {
			s.log.Error("write error response", "err", err)
		}
	}
}

// parseQBOWebhook reads either form into changes. It is lenient where
// Intuit varies (unknown fields, ids as numbers, lastUpdated formats,
// data absent) and strict where a change would be wrong: every
// notification needs a realm, an entity, an id, an operation and a time,
// which together key the queue's de-duplication. Entity kinds the app
// does not act on (Vendor, Estimate, …) are passed through: the app
// ignores them when applying, so the edge keeps no list of its own.
//
// One notification that lacks a field is skipped (and returned in skipped)
// rather than refusing the body: Intuit would send the same body again and
// again, and the good notifications in it would never be applied. A body
// whose every notification is bad, or that is not a notification body at
// all, is an error.
func parseQBOWebhook(body []byte) (changes []app.Change, skipped []error, format string, err error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, nil, "", errors.New("the body is empty")
	}
	switch trimmed[0] {
	case '[':
		changes, skipped, err = parseCloudEvents(body)
		format = "cloudevents"
	case '{':
		changes, skipped, err = parseLegacy(body)
		format = "legacy"
	default:
		return nil, nil, "", errors.New("the body is neither a JSON object nor a JSON array")
	}
	if err == nil && len(changes) == 0 && len(skipped) > 0 {
		err = skipped[0]
	}
	return changes, skipped, format, err
}

// flexString is a JSON string that may also arrive as a number.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or number, got %s", b)
	}
	*f = flexString(n.String())
	return nil
}

func (f flexString) trimmed() string { return strings.TrimSpace(string(f)) }

// legacyBody is {"eventNotifications":[{"realmId","dataChangeEvent":{"entities":[…]}}]}.
type legacyBody struct {
	EventNotifications *[]struct {
		RealmID         flexString `json:"realmId"`
		DataChangeEvent *struct {
			Entities []struct {
				Name        string     `json:"name"`
				ID          flexString `json:"id"`
				Operation   string     `json:"operation"`
				LastUpdated string     `json:"lastUpdated"`
				DeletedID   flexString `json:"deletedId"`
			} `json:"entities"`
		} `json:"dataChangeEvent"`
	} `json:"eventNotifications"`
}

func parseLegacy(body []byte) ([]app.Change, []error, error) {
	var b legacyBody
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, nil, errors.New(describeJSON(err))
	}
	if b.EventNotifications == nil {
		return nil, nil, errors.New(`the object has no "eventNotifications"`)
	}
	var out []app.Change
	var skipped []error
	for i, n := range *b.EventNotifications {
		realm := n.RealmID.trimmed()
		if realm == "" {
			skipped = append(skipped, fmt.Errorf("eventNotifications[%d] has no realmId", i))
			continue
		}
		if n.DataChangeEvent == nil {
			continue
		}
		for j, e := range n.DataChangeEvent.Entities {
			at := fmt.Sprintf("eventNotifications[%d].dataChangeEvent.entities[%d]", i, j)
			c := app.Change{RealmID: realm, Entity: strings.TrimSpace(e.Name), EntityID: e.ID.trimmed(),
				Operation: legacyOperation(e.Operation), DeletedID: e.DeletedID.trimmed()}
			if err := complete(at, "name", c.Entity, "id", c.EntityID, "operation", c.Operation); err != nil {
				skipped = append(skipped, err)
				continue
			}
			t, err := parseQBOTime(e.LastUpdated)
			if err != nil {
				skipped = append(skipped, fmt.Errorf("%s.lastUpdated: %w", at, err))
				continue
			}
			c.LastUpdated = t
			out = append(out, c)
		}
	}
	return out, skipped, nil
}

// cloudEvent is one element of the CloudEvents array.
type cloudEvent struct {
	Type            string     `json:"type"`
	Time            string     `json:"time"`
	IntuitEntityID  flexString `json:"intuitentityid"`
	IntuitAccountID flexString `json:"intuitaccountid"`
	Data            *struct {
		DeletedID flexString `json:"deletedid"`
	} `json:"data"`
}

func parseCloudEvents(body []byte) ([]app.Change, []error, error) {
	var events []cloudEvent
	if err := json.Unmarshal(body, &events); err != nil {
		return nil, nil, errors.New(describeJSON(err))
	}
	out := make([]app.Change, 0, len(events))
	var skipped []error
	for i, e := range events {
		at := fmt.Sprintf("event[%d]", i)
		entity, op, ok := parseCloudEventType(e.Type)
		if !ok {
			skipped = append(skipped, fmt.Errorf("%s.type %q is not qbo.<entity>.<verb>.v<n>", at, e.Type))
			continue
		}
		c := app.Change{RealmID: e.IntuitAccountID.trimmed(), Entity: entity, EntityID: e.IntuitEntityID.trimmed(), Operation: op}
		if err := complete(at, "intuitaccountid", c.RealmID, "intuitentityid", c.EntityID); err != nil {
			skipped = append(skipped, err)
			continue
		}
		if e.Data != nil {
			c.DeletedID = e.Data.DeletedID.trimmed()
		}
		t, err := parseQBOTime(e.Time)
		if err != nil {
			skipped = append(skipped, fmt.Errorf("%s.time: %w", at, err))
			continue
		}
		c.LastUpdated = t
		out = append(out, c)
	}
	return out, skipped, nil
}

// complete names the first of the (field, value) pairs that is empty.
func complete(at string, fieldValues ...string) error {
	for i := 0; i+1 < len(fieldValues); i += 2 {
		if fieldValues[i+1] == "" {
			return fmt.Errorf("%s has no %s", at, fieldValues[i])
		}
	}
	return nil
}

// cloudEventEntities names the entities as QuickBooks spells them; a kind
// not listed is passed through with its first letter capitalised.
var cloudEventEntities = map[string]string{
	"invoice": app.EntityInvoice, "payment": app.EntityPayment, "customer": app.EntityCustomer,
	"item": app.EntityItem, "term": app.EntityTerm, "preferences": app.EntityPreferences,
	"vendor": "Vendor", "employee": "Employee", "estimate": "Estimate", "creditmemo": "CreditMemo",
	"salesreceipt": "SalesReceipt", "refundreceipt": "RefundReceipt", "purchaseorder": "PurchaseOrder",
	"journalentry": "JournalEntry", "billpayment": "BillPayment", "vendorcredit": "VendorCredit",
	"timeactivity": "TimeActivity", "paymentmethod": "PaymentMethod", "taxagency": "TaxAgency",
	"account": "Account", "bill": "Bill", "budget": "Budget", "class": "Class", "currency": "Currency",
	"department": "Department", "deposit": "Deposit", "purchase": "Purchase", "transfer": "Transfer",
}

// cloudEventVerbs maps type verbs to the legacy operations the app uses.
var cloudEventVerbs = map[string]string{
	"created": app.OpCreate, "updated": app.OpUpdate, "deleted": app.OpDelete,
	"merged": app.OpMerge, "voided": app.OpVoid, "emailed": app.OpEmailed,
}

// parseCloudEventType splits "qbo.invoice.updated.v1" into Invoice and
// Update. The version suffix is optional; an unknown verb is passed
// through capitalised, like an unknown entity.
func parseCloudEventType(typ string) (entity, op string, ok bool) {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(typ)), ".")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i]) // as a legacy name is: "qbo. invoice.updated" is Invoice
	}
	if len(parts) < 3 || len(parts) > 4 || parts[0] != "qbo" || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	if len(parts) == 4 {
		v := strings.TrimPrefix(parts[3], "v")
		if _, err := strconv.Atoi(v); err != nil || v == parts[3] {
			return "", "", false
		}
	}
	entity, ok = cloudEventEntities[parts[1]]
	if !ok {
		entity = capitalise(parts[1])
	}
	op, ok = cloudEventVerbs[parts[2]]
	if !ok {
		op = capitalise(parts[2])
	}
	return entity, op, true
}

// legacyOperation spells a legacy operation as the app's constants do,
// whatever its case; an unknown one is passed through.
func legacyOperation(op string) string {
	op = strings.TrimSpace(op)
	for _, known := range []string{app.OpCreate, app.OpUpdate, app.OpDelete, app.OpMerge, app.OpVoid, app.OpEmailed} {
		if strings.EqualFold(op, known) {
			return known
		}
	}
	return op
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s) // a whole letter: "é…" stays valid text
	return string(unicode.ToUpper(r)) + s[n:]
}

// qboTimeLayouts are the lastUpdated/time spellings seen: RFC 3339 with
// "Z" or "-07:00", and "-0700" without the colon (Intuit's 2015 sample).
// Fractional seconds are accepted by every layout when parsing.
var qboTimeLayouts = []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05Z07"}

// parseQBOTime reads a notification's time, in UTC.
func parseQBOTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("missing")
	}
	for _, layout := range qboTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if y := t.UTC().Year(); y < 0 || y > 9999 { // the queue's JSON cannot hold it
				return time.Time{}, fmt.Errorf("%q is out of range", s)
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", s)
}

// describeJSON says where the body stops being what is expected.
func describeJSON(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fmt.Sprintf("expected an object, found %s", typ.Value)
		}
		return fmt.Sprintf("%s must not be %s", typ.Field, typ.Value)
	}
	return "not readable: " + err.Error()
}

// excerpt quotes at most n bytes of b for a log line.
func excerpt(b []byte, n int) string {
	if len(b) > n {
		return strconv.Quote(string(b[:n])) + "…"
	}
	return strconv.Quote(string(b))
}

// realmsOf lists the distinct realms of changes, in order.
func realmsOf(changes []app.Change) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range changes {
		if !seen[c.RealmID] {
			seen[c.RealmID] = true
			out = append(out, c.RealmID)
		}
	}
	return out
}
