package hubspotfake

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// Error categories used in the envelope (developers.hubspot.com error
// handling guide; reference §4 and DESIGN §3 name the ones we branch on).
const (
	categoryValidation     = "VALIDATION_ERROR"
	categoryNotFound       = "OBJECT_NOT_FOUND"
	categoryAuthentication = "INVALID_AUTHENTICATION"
	categoryConflict       = "CONFLICT"
	categoryAlreadyExists  = "OBJECT_ALREADY_EXISTS"
	categoryRateLimits     = "RATE_LIMITS"
)

// apiError is an error answer: a status and a JSON body, or no body at all
// when body is nil.
type apiError struct {
	status int
	body   any
	header http.Header
}

func (e *apiError) Error() string { return fmt.Sprintf("HTTP %d", e.status) }

// envelope is HubSpot's error body: {"status":"error","message",
// "correlationId","category", "errors"?, "context"?}.
type envelope struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Category      string              `json:"category,omitempty"`
	SubCategory   string              `json:"subCategory,omitempty"`
	Errors        []errorDetail       `json:"errors,omitempty"`
	Context       map[string][]string `json:"context,omitempty"`
	Links         map[string]string   `json:"links,omitempty"`
}

type errorDetail struct {
	Message string              `json:"message"`
	Code    string              `json:"code,omitempty"`
	In      string              `json:"in,omitempty"`
	Context map[string][]string `json:"context,omitempty"`
}

// rateLimitBody is the 429 body of reference §4.5.
type rateLimitBody struct {
	Status        string `json:"status"`
	Message       string `json:"message"`
	ErrorType     string `json:"errorType"`
	CorrelationID string `json:"correlationId"`
	PolicyName    string `json:"policyName"`
	RequestID     string `json:"requestId"`
}

func newError(status int, category, message string) *apiError {
	return &apiError{status: status, body: &envelope{
		Status: "error", Message: message, CorrelationID: newUUID(), Category: category,
	}}
}

func errValidation(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, categoryValidation, fmt.Sprintf(format, args...))
}

func errNotFound(message string) *apiError {
	return newError(http.StatusNotFound, categoryNotFound, message)
}

func errUnknownObjectType(s string) *apiError {
	return errValidation("Unable to infer object type from: %s", s)
}

// errPropertyValues is HubSpot's answer to a write with invalid property
// values: the message embeds a JSON array, errors[] repeats it per property.
func errPropertyValues(portalID int64, errs []propError) *apiError {
	type inner struct {
		IsValid   bool   `json:"isValid"`
		Message   string `json:"message"`
		Error     string `json:"error"`
		Name      string `json:"name"`
		Localized string `json:"localizedErrorMessage"`
		PortalID  int64  `json:"portalId"`
	}
	list := make([]inner, len(errs))
	details := make([]errorDetail, len(errs))
	for i, e := range errs {
		list[i] = inner{Message: e.message, Error: e.code, Name: e.name, Localized: e.message, PortalID: portalID}
		details[i] = errorDetail{Message: e.message, Code: e.code, Context: map[string][]string{"propertyName": {e.name}}}
	}
	embedded, _ := marshal(list)
	return &apiError{status: http.StatusBadRequest, body: &envelope{
		Status:        "error",
		Message:       "Property values were not valid: " + string(embedded),
		CorrelationID: newUUID(),
		Category:      categoryValidation,
		Errors:        details,
	}}
}

// errRateLimited is a 429 with the rate-limit body of reference §4.5.
func errRateLimited(policy, message string) *apiError {
	return &apiError{status: http.StatusTooManyRequests, body: &rateLimitBody{
		Status: "error", Message: message, ErrorType: "RATE_LIMIT",
		CorrelationID: newUUID(), PolicyName: policy, RequestID: newUUID(),
	}}
}

// batchError is one entry of errors[] in a 207 batch answer.
type batchError struct {
	Status      string              `json:"status"`
	Category    string              `json:"category"`
	SubCategory string              `json:"subCategory,omitempty"`
	Message     string              `json:"message"`
	Context     map[string][]string `json:"context"`
}

// writeJSON writes v with HubSpot's content type. HTML characters are not
// escaped, as HubSpot does not escape them.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"status":"error","message":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, e *apiError) {
	for k, vs := range e.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if e.body == nil {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(e.status)
		return
	}
	writeJSON(w, e.status, e.body)
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// newUUID returns a random version 4 UUID, the shape of HubSpot's
// correlation ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// randomHex returns n random bytes as hex, for tokens and codes.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
