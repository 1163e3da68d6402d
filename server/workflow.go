package server

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// The "Create QuickBooks invoice" custom workflow action
// (reference/hubspot.md section 5). HubSpot calls these routes, not the
// card: they are signed v3 when HubSpot sends X-HubSpot-Signature-v3 (its
// OAuth apps' requests), else v2, and the portal is the body's.

// workflowRawBody is where requireWorkflowSignature leaves the raw body.
const workflowRawBody = "workflow.body"

// requireWorkflowSignature admits only requests HubSpot signed for this
// app: X-HubSpot-Signature-v3 (signature.go) when present, else
// X-HubSpot-Signature with X-HubSpot-Signature-Version v2, the lowercase
// hex SHA-256 of client secret + method + URI + body. The URI is the
// public base URL plus the path and query as received.
func (s *Server) requireWorkflowSignature(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		v3, ts := req.Header.Get("X-HubSpot-Signature-v3"), req.Header.Get("X-HubSpot-Request-Timestamp")
		v2 := req.Header.Get("X-HubSpot-Signature")
		if v3 != "" {
			if err := s.sig.precheck(v3, ts); err != nil {
				return err
			}
		} else if v2 == "" {
			return errUnauthorized("This request is not signed by HubSpot.")
		} else if ver := req.Header.Get("X-HubSpot-Signature-Version"); ver != "v2" {
			return errUnauthorized("Workflow action requests must carry a v2 or v3 HubSpot signature.")
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return err // BodyLimit's 413 surfaces here
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		uri := s.cfg.PublicBaseURL + req.RequestURI
		if v3 != "" {
			if err := s.sig.verify(req.Method, uri, body, v3, ts); err != nil {
				return err
			}
		} else if !verifySignatureV2(s.cfg.HubSpotClientSecret, req.Method, uri, body, v2) {
			return errUnauthorized("The request's HubSpot signature does not match.")
		}
		c.Set(workflowRawBody, body)
		return next(c)
	}
}

// verifySignatureV2 checks a v2 signature in constant time.
func verifySignatureV2(secret, method, uri string, body []byte, signature string) bool {
	h := sha256.New()
	h.Write([]byte(secret))
	h.Write([]byte(method))
	h.Write([]byte(uri))
	h.Write(body)
	want := hex.EncodeToString(h.Sum(nil))
	return subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(signature))) == 1
}

// decodeWorkflowBody reads HubSpot's body leniently: HubSpot adds fields
// over time, so unknown ones are ignored.
func decodeWorkflowBody(c echo.Context, v any) error {
	body, _ := c.Get(workflowRawBody).([]byte)
	if len(bytes.TrimSpace(body)) == 0 {
		return app.Errorf(app.Invalid, "The request body is empty; a JSON object is required.")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return app.Wrapf(err, app.Invalid, "%s", describeJSONError(err))
	}
	return nil
}

// workflowExecution is HubSpot's execution request body, as far as we read
// it.
type workflowExecution struct {
	CallbackID string `json:"callbackId"`
	Origin     struct {
		PortalID int64 `json:"portalId"`
	} `json:"origin"`
	Object struct {
		ObjectID   json.RawMessage `json:"objectId"`
		ObjectType string          `json:"objectType"`
	} `json:"object"`
	InputFields map[string]json.RawMessage `json:"inputFields"`
}

// workflowAnswer is the execution answer: output fields with
// hs_execution_state.
type workflowAnswer struct {
	OutputFields map[string]string `json:"outputFields"`
}

func (s *Server) handleWorkflowCreateInvoice(c echo.Context) error {
	var body workflowExecution
	if err := decodeWorkflowBody(c, &body); err != nil {
		return err
	}
	if body.Origin.PortalID <= 0 {
		return errUnauthorized("The request has no HubSpot account id (origin.portalId).")
	}
	if body.CallbackID == "" {
		return app.Errorf(app.Invalid, "The request has no callbackId.")
	}
	ctx := c.Request().Context()
	if _, err := s.svc.WorkflowPortal(ctx, body.Origin.PortalID); err != nil {
		return err
	}
	fail := func(msg string) error {
		return c.JSON(http.StatusOK, workflowAnswer{app.WorkflowOutcome{State: app.WorkflowFailContinue, ErrorMessage: msg}.OutputFields()})
	}
	if t := strings.ToUpper(body.Object.ObjectType); t != "DEAL" && t != "0-3" {
		return fail("Create QuickBooks invoice works on deals only.")
	}
	in := app.WorkflowInput{PortalID: body.Origin.PortalID, CallbackID: body.CallbackID}
	var ok bool
	if in.DealID, ok = workflowText(body.Object.ObjectID); !ok {
		return app.Errorf(app.Invalid, "The field \"object.objectId\" must be a number.")
	}
	var problems []string
	text := func(name string) string {
		v, ok := workflowText(body.InputFields[name])
		if !ok && len(body.InputFields[name]) > 0 && string(body.InputFields[name]) != "null" {
			problems = append(problems, name+" must be text")
		}
		return strings.TrimSpace(v)
	}
	in.ConnectionID, in.TermID, in.Message, in.TaxCodeID = text("connectionId"), text("termId"), text("message"), text("taxCodeId")
	if d := text("dueDays"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			problems = append(problems, "dueDays must be a whole number of days")
		} else {
			in.DueDays = &n
		}
	}
	if len(problems) > 0 {
		return fail("Please fix the action's inputs: " + strings.Join(problems, "; ") + ".")
	}
	out, err := s.svc.RunWorkflowAction(ctx, in)
	if err != nil {
		return err // 503: HubSpot retries the execution with the same callbackId
	}
	return c.JSON(http.StatusOK, workflowAnswer{out.OutputFields()})
}

// workflowText reads a JSON string or number as text; null or absent is "".
func workflowText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, true
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), true
	}
	return "", false
}

// workflowOptionsRequest is HubSpot's options fetch body (optionsUrl).
type workflowOptionsRequest struct {
	PortalID       int64  `json:"portalId"`
	InputFieldName string `json:"inputFieldName"`
	FetchOptions   struct {
		Q string `json:"q"`
	} `json:"fetchOptions"`
}

type workflowOption struct {
	Label       string `json:"label"`
	Description string `json:"description"`
	Value       string `json:"value"`
}

type workflowOptions struct {
	Options    []workflowOption `json:"options"`
	Searchable bool             `json:"searchable"`
}

// handleWorkflowOptions lists the portal's QuickBooks companies for the
// connectionId input, the default first; other inputs have no options.
func (s *Server) handleWorkflowOptions(c echo.Context) error {
	var body workflowOptionsRequest
	if err := decodeWorkflowBody(c, &body); err != nil {
		return err
	}
	if body.PortalID <= 0 {
		return errUnauthorized("The request has no HubSpot account id (portalId).")
	}
	resp := workflowOptions{Options: []workflowOption{}, Searchable: true}
	conns, def, err := s.svc.WorkflowConnections(c.Request().Context(), body.PortalID)
	if err != nil {
		return err
	}
	if body.InputFieldName != "connectionId" {
		return c.JSON(http.StatusOK, resp)
	}
	q := strings.ToLower(strings.TrimSpace(body.FetchOptions.Q))
	for _, conn := range conns {
		label := conn.CompanyName
		if label == "" {
			label = "QuickBooks company " + conn.RealmID
		}
		if q != "" && !strings.Contains(strings.ToLower(label), q) {
			continue
		}
		desc := conn.Country + " · " + conn.Currency
		if conn.ID == def {
			desc += " · default"
		}
		if conn.State == app.NeedsReconnect {
			desc += " · reconnect needed"
		}
		resp.Options = append(resp.Options, workflowOption{Label: label, Description: desc, Value: conn.ID})
	}
	return c.JSON(http.StatusOK, resp)
}
