package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Card write routes (issues 4 and 5) decode their bodies with decodeJSON;
// its messages are what a rep reads when the card sends something wrong.
func TestDecodeJSONNamesTheProblem(t *testing.T) {
	type body struct {
		IdempotencyKey string   `json:"idempotencyKey"`
		Quantity       int      `json:"quantity"`
		Lines          []string `json:"lines"`
	}
	cases := []struct {
		name, contentType, body, want string
	}{
		{"ok", "application/json", `{"idempotencyKey":"k","quantity":2}`, ""},
		{"ok with charset", "application/json; charset=utf-8", `{"quantity":2}`, ""},
		{"not JSON content type", "text/plain", `{}`, "must be JSON"},
		{"empty", "application/json", ``, "body is empty"},
		{"syntax", "application/json", `{"quantity":}`, "not valid JSON (at byte 13)"},
		{"truncated", "application/json", `{"quantity":2`, "ends before the JSON does"},
		{"unknown field", "application/json", `{"quantity":2,"portalId":5}`, `The field "portalId" is not part of this request.`},
		{"wrong type", "application/json", `{"quantity":"two"}`, `The field "quantity" must be a number, not string.`},
		{"wrong type in list", "application/json", `{"lines":"x"}`, `The field "lines" must be a list, not string.`},
		{"not an object", "application/json", `[1]`, "must be a JSON object, not array"},
		{"two objects", "application/json", `{} {}`, "exactly one JSON object"},
		{"trailing brace", "application/json", `{"quantity":1}}`, "exactly one JSON object"},
		{"trailing bracket", "application/json", `{"quantity":1}]`, "exactly one JSON object"},
	}
	e := echo.New()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(c.body))
			req.Header.Set("Content-Type", c.contentType)
			var v body
			err := decodeJSON(e.NewContext(req, httptest.NewRecorder()), &v)
			if c.want == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if app.ErrorCode(err) != app.Invalid || !strings.Contains(app.ErrorMessage(err), c.want) {
				t.Fatalf("err = %v, want invalid with %q", err, c.want)
			}
		})
	}
}
