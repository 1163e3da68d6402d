package quickbooks

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// answer builds the response classify sees for a data API call on path.
func answer(status int, path, body string) (*http.Response, []byte) {
	u, _ := url.Parse("https://quickbooks.api.intuit.com/v3/company/123" + path)
	return &http.Response{
		StatusCode: status,
		Header:     http.Header{"Intuit-Tid": {"1-abc"}},
		Request:    &http.Request{Method: http.MethodPost, URL: u},
	}, []byte(body)
}

func TestClassify(t *testing.T) {
	gateway := `{"warnings":null,"fault":{"error":[{"message":"message=AuthenticationFailed; errorCode=003200; statusCode=401","detail":"Token expired: eyJsecret","code":"3200","element":null}],"type":"AUTHENTICATION"},"time":1601391072830}`
	cases := []struct {
		name   string
		status int
		path   string
		body   string
		code   app.Code
		msg    string
		retry  bool
		reauth bool
		qbo    string // the fault code kept for logs
	}{
		{name: "200", status: 200, path: "/invoice", body: `{"Invoice":{"Id":"1"},"time":"2020-09-29T05:58:07.300-07:00"}`},
		{name: "200 with an empty query answer", status: 200, path: "/query", body: `{"QueryResponse":{},"time":"2020-09-29T06:04:50.776-07:00"}`},
		{name: "6240 customer", status: 400, path: "/customer",
			body: `{"Fault":{"Error":[{"Message":"Duplicate Name Exists Error","Detail":"The name supplied already exists. : null","code":"6240"}],"type":"ValidationFault"},"time":"2020-09-29T06:58:50.262-07:00"}`,
			code: app.Conflict, msg: "A customer with this name already exists in QuickBooks.", qbo: "6240"},
		{name: "6240 item", status: 400, path: "/item", body: validationFault("6240", "Duplicate Name Exists Error", "The name supplied already exists.", ""),
			code: app.Conflict, msg: "A product or service with this name already exists in QuickBooks.", qbo: "6240"},
		{name: "6140", status: 400, path: "/invoice", body: validationFault("6140", "Duplicate Document Number Error", "DocNumber=1001 is assigned to TxnType=Invoice with TxnId=45", ""),
			code: app.Conflict, msg: "This invoice number is already used in QuickBooks; choose another number.", qbo: "6140"},
		{name: "5010", status: 400, path: "/invoice", body: validationFault("5010", "Stale Object Error", "You and Jane were working on this at the same time.", ""),
			code: app.Conflict, msg: "This invoice was changed in QuickBooks meanwhile; reload it and try again.", qbo: "5010"},
		{name: "610", status: 400, path: "/invoice", body: validationFault("610", "Object Not Found", "Object Not Found : Something you're trying to use has been made inactive.", ""),
			code: app.NotFound, msg: "This invoice no longer exists in QuickBooks, or it was made inactive.", qbo: "610"},
		{name: "610 with an element", status: 400, path: "/customer", body: validationFault("610", "Object Not Found", "", "CustomerRef"),
			code: app.NotFound, msg: "This customer no longer exists in QuickBooks, or it was made inactive (CustomerRef).", qbo: "610"},
		{name: "2500 customer", status: 400, path: "/invoice", body: validationFault("2500", "Invalid Reference Id", "Invalid Reference Id : Names element id 583 not found", "Reference Id"),
			code: app.Invalid, msg: "QuickBooks has no customer with id 583.", qbo: "2500"},
		{name: "2500 unreadable detail", status: 400, path: "/invoice", body: validationFault("2500", "Invalid Reference Id", "", ""),
			code: app.Invalid, msg: "QuickBooks does not know one of the records this refers to.", qbo: "2500"},
		{name: "2020", status: 400, path: "/invoice", body: validationFault("2020", "Required param missing, need to supply the required value for the API", "Required parameter Line is missing in the request", "Line"),
			code: app.Invalid, msg: "QuickBooks needs a value for Line.", qbo: "2020"},
		{name: "6000 uses the detail", status: 400, path: "/invoice", body: validationFault("6000", "A business validation error has occurred while processing your request", "Business Validation Error: Make sure all your transactions have a GST/HST rate before you save.", ""),
			code: app.Invalid, msg: "Make sure all your transactions have a GST/HST rate before you save.", qbo: "6000"},
		{name: "6070 uses the message", status: 400, path: "/invoice", body: validationFault("6070", "Amount calculation incorrect in the request.", "Amount is not equal to UnitPrice * Qty. Supplied value:1,000", "Line.Amount"),
			code: app.Invalid, msg: "QuickBooks rejected the request: Amount calculation incorrect in the request", qbo: "6070"},
		{name: "2030 without time", status: 400, path: "/invoice/x",
			body: `{"Fault":{"Error":[{"Message":"Invalid ID","Detail":"Id should be a valid number. Supplied value:x","code":"2030","element":"Id"}],"type":"ValidationFault"}}`,
			code: app.Invalid, msg: "QuickBooks rejected the request: Invalid ID", qbo: "2030"},
		{name: "4000 query syntax is ours", status: 400, path: "/query", body: validationFault("4000", "Error parsing query", "QueryParserError: Encountered OR", ""),
			code: app.Internal, msg: msgRejected, qbo: "4000"},
		{name: "2010 unknown property is ours", status: 400, path: "/invoice", body: validationFault("2010", "Request has invalid or unsupported property", "Property Name:Unrecognized field", ""),
			code: app.Internal, msg: msgRejected, qbo: "2010"},
		{name: "6190 subscription ended", status: 400, path: "/invoice", body: validationFault("6190", "Invalid Company Status", "", ""),
			code: app.NotConnected, qbo: "6190"},
		{name: "400 not JSON", status: 400, path: "/invoice", body: "<html>bad</html>", code: app.Internal, msg: msgRejected},
		{name: "200 carrying a Fault", status: 200, path: "/query", body: validationFault("610", "Object Not Found", "", ""),
			code: app.NotFound, qbo: "610"},
		{name: "200 carrying an auth Fault", status: 200, path: "/query", body: `{"Fault":{"Error":[{"Message":"AuthenticationFailed","code":"3200"}],"type":"AUTHENTICATION"}}`,
			code: app.NotConnected, msg: msgReconnect, reauth: true, qbo: "3200"},
		{name: "401 gateway", status: 401, path: "/companyinfo/123", body: gateway, code: app.NotConnected, msg: msgReconnect, reauth: true, qbo: "3200"},
		{name: "401 without a body", status: 401, path: "/companyinfo/123", code: app.NotConnected, msg: msgReconnect, reauth: true},
		{name: "403 authorization", status: 403, path: "/companyinfo/123",
			body: `{"fault":{"error":[{"message":"message=AuthorizationFailed; errorCode=003100; statusCode=403","detail":"x","code":"3100"}],"type":"AUTHENTICATION"},"time":1}`,
			code: app.NotConnected, msg: msgForbidden, qbo: "3100"},
		{name: "403 with the old throttle body", status: 403, path: "/query", body: throttleXML, code: app.Unavailable, msg: msgBusy, retry: true, qbo: "3001"},
		{name: "429 XML", status: 429, path: "/query", body: throttleXML, code: app.Unavailable, msg: msgBusy, retry: true, qbo: "3001"},
		{name: "500", status: 500, path: "/invoice", code: app.Unavailable, msg: msgBusy, retry: true},
		{name: "502 HTML", status: 502, path: "/invoice", body: "<html>Bad Gateway</html>", code: app.Unavailable, msg: msgBusy, retry: true},
		{name: "503", status: 503, path: "/invoice", code: app.Unavailable, msg: msgBusy, retry: true},
		{name: "408", status: 408, path: "/invoice", code: app.Unavailable, msg: msgBusy, retry: true},
		{name: "404", status: 404, path: "/nothing", code: app.Internal, msg: msgRejected},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := answer(c.status, c.path, c.body)
			err := classify(resp, body, nil)
			wantErr(t, err, c.code, c.msg)
			if err == nil {
				return
			}
			ue := upstream(err)
			if ue.retry != c.retry || ue.reauth != c.reauth || ue.Code != c.qbo || ue.Status != c.status || ue.TID != "1-abc" {
				t.Errorf("upstream = %+v (retry %v reauth %v), want retry %v reauth %v code %q", ue, ue.retry, ue.reauth, c.retry, c.reauth, c.qbo)
			}
			if strings.Contains(err.Error(), "eyJsecret") {
				t.Errorf("the gateway's token echo reached the error: %v", err)
			}
		})
	}
}

func TestClassifyWithoutAnswer(t *testing.T) {
	transport := errors.New("connection reset by peer")
	err := classify(nil, nil, transport)
	wantErr(t, err, app.Unavailable, msgBusy)
	if !errors.Is(err, transport) || !upstream(err).retry {
		t.Errorf("transport error: %v", err)
	}
	resp, _ := answer(200, "/query", "")
	err = classify(resp, nil, errBodyTooLarge)
	wantErr(t, err, app.Internal, msgUnreadable)
	if upstream(err).retry {
		t.Error("an oversized answer must not be retried")
	}
}

func TestClassifyToken(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		code   app.Code
		msg    string
		retry  bool
	}{
		{"200", 200, `{"token_type":"bearer","access_token":"a","refresh_token":"r","expires_in":3600}`, "", "", false},
		{"invalid_grant", 400, `{"error":"invalid_grant"}`, app.NotConnected, msgReconnect, false},
		{"invalid_client", 401, `{"error":"invalid_client"}`, app.Internal, msgAppCreds, false},
		{"unsupported_grant_type", 400, `{"error":"unsupported_grant_type"}`, app.Internal, msgRejected, false},
		{"429", 429, ``, app.Unavailable, msgBusy, true},
		{"503", 503, `<html/>`, app.Unavailable, msgBusy, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, _ := url.Parse(DefaultTokenURL)
			resp := &http.Response{StatusCode: c.status, Header: http.Header{}, Request: &http.Request{Method: "POST", URL: u}}
			err := classifyToken(resp, []byte(c.body), nil)
			wantErr(t, err, c.code, c.msg)
			if err != nil && upstream(err).retry != c.retry {
				t.Errorf("retry = %v", upstream(err).retry)
			}
		})
	}
}
