package qbofake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// qboError is a QBO business or validation error. It becomes the first shape
// of reference §1.10: HTTP 400 with {"Fault":{"Error":[…],"type":"ValidationFault"},"time":…},
// or a per-item Fault inside a batch answer (§4, which still answers 200).
type qboError struct {
	Status  int // HTTP status; 400 unless set
	Code    string
	Message string
	Detail  string
	// Element is printed as "element" only when non-nil: recorded faults
	// differ here (610 and 5010 carry "element":"", 6240 and 2010 carry no
	// key at all, 2030 carries "element":"Id"; §1.3, §1.10, R1).
	Element *string
	// NoTime drops the envelope's "time": the recorded 2030 answer has none.
	NoTime bool
}

func (e *qboError) Error() string {
	return fmt.Sprintf("qbo fault %s %s: %s", e.Code, e.Message, e.Detail)
}

func elem(s string) *string { return &s }

type faultError struct {
	Message string  `json:"Message"`
	Detail  string  `json:"Detail,omitempty"`
	Code    string  `json:"code"`
	Element *string `json:"element,omitempty"`
}

type faultBody struct {
	Error []faultError `json:"Error"`
	Type  string       `json:"type"`
}

func (e *qboError) fault() faultBody {
	return faultBody{
		Error: []faultError{{Message: e.Message, Detail: e.Detail, Code: e.Code, Element: e.Element}},
		Type:  "ValidationFault",
	}
}

func (e *qboError) status() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

// The detail QBO gives for every 610 (reference §1.10, R1 batch/basic.yml).
const detailObjectNotFound = "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees."

// errObjectNotFound is 610: a read of a missing id, a reference to an
// inactive or deleted object, or deleting twice (reference §1.2, §3).
func errObjectNotFound() *qboError {
	return &qboError{Code: "610", Message: "Object Not Found", Detail: detailObjectNotFound, Element: elem("")}
}

// errInvalidRef is 2500: a reference to an id that never existed. The
// "<List>s element id N not found" Detail is the form integrators quote
// ("Names element id 583 not found" for customers).
func errInvalidRef(list, id string) *qboError {
	return &qboError{
		Code:    "2500",
		Message: "Invalid Reference Id",
		Detail:  fmt.Sprintf("Invalid Reference Id : %s element id %s not found", list, id),
		Element: elem("Reference Id"),
	}
}

// errRequired is 2020.
func errRequired(param string) *qboError {
	return &qboError{
		Code:    "2020",
		Message: "Required param missing, need to supply the required value for the API",
		Detail:  fmt.Sprintf("Required parameter %s is missing in the request", param),
		Element: elem(param),
	}
}

// errStale is 5010, in the recorded wording (R1 batch/basic.yml).
func errStale(user string) *qboError {
	return &qboError{
		Code:    "5010",
		Message: "Stale Object Error",
		Detail: fmt.Sprintf("Stale Object Error : You and %s were working on this at the same time. "+
			"%s finished before you did, so your work was not saved.", user, user),
		Element: elem(""),
	}
}

// errDuplicateName is 6240, byte for byte as recorded: no "element" key
// (reference §1.3).
func errDuplicateName() *qboError {
	return &qboError{Code: "6240", Message: "Duplicate Name Exists Error", Detail: "The name supplied already exists. : null"}
}

// errDuplicateDocNumber is 6140 with the Detail quoted in reference §1.2/§3.
func errDuplicateDocNumber(doc, txnType, txnID string) *qboError {
	return &qboError{
		Code:    "6140",
		Message: "Duplicate Document Number Error",
		Detail: fmt.Sprintf("Duplicate Document Number Error : You must specify a different number. "+
			"This number has already been used. DocNumber=%s is assigned to TxnType=%s with TxnId=%s", doc, txnType, txnID),
		Element: elem(""),
	}
}

// errAmount is 6070 (Amount ≠ Qty × UnitPrice, reference §1.2, §3).
func errAmount(supplied Money) *qboError {
	return &qboError{
		Code:    "6070",
		Message: "Amount calculation incorrect in the request.",
		Detail:  "Amount is not equal to UnitPrice * Qty. Supplied value:" + groupedAmount(supplied),
		Element: elem("Line.Amount"),
	}
}

// errUSTaxCode is 6100 (US line TaxCode not TAX/NON, reference §1.5).
func errUSTaxCode(supplied string) *qboError {
	return &qboError{
		Code:    "6100",
		Message: "Invalid Line TaxCode in the request",
		Detail:  "Valid line TaxCodes for US should be TAX or NON. Supplied value: " + supplied,
		Element: elem(""),
	}
}

// errBusiness is 6000, QBO's generic business rule failure (reference §3).
func errBusiness(detail string) *qboError {
	return &qboError{
		Code:    "6000",
		Message: "A business validation error has occurred while processing your request",
		Detail:  "Business Validation Error: " + detail,
		Element: elem(""),
	}
}

// errInvalidID is 2030, as recorded (R1 error/500.yml): element "Id", no time.
func errInvalidID(supplied string) *qboError {
	return &qboError{
		Code:    "2030",
		Message: "Invalid ID",
		Detail:  "Id should be a valid number. Supplied value:" + supplied,
		Element: elem("Id"),
		NoTime:  true,
	}
}

// errUnsupportedPath is 500 for a path QBO has no resource for (R1 error/500.yml).
func errUnsupportedPath(r *http.Request) *qboError {
	return &qboError{
		Code:    "500",
		Message: "Unsupported Operation",
		Detail: fmt.Sprintf("Operation Could not find resource for relative : %s of full path: https://c50.sandbox.qbo.intuit.com/qbo50%s is not supported.",
			r.URL.Path, r.URL.Path),
	}
}

// errUnsupportedOp is 500 for an operation an entity does not allow.
func errUnsupportedOp(op string) *qboError {
	return &qboError{Code: "500", Message: "Unsupported Operation", Detail: fmt.Sprintf("Operation %s is not supported.", op)}
}

// errInvalidString is 2040 for names holding ':' or control characters, in
// the wording QBO's Java SDK reports ("Element contains invalid characters").
func errInvalidString(value string) *qboError {
	return &qboError{
		Code:    "2040",
		Message: "Invalid String. The String may contain unsupported or illegal chars",
		Detail:  "Element contains invalid characters. " + value,
		Element: elem(""),
	}
}

// errLength is 2050 for a string longer than QBO allows.
func errLength(max, supplied int) *qboError {
	return &qboError{
		Code:    "2050",
		Message: "String length is either shorter or longer than supported by specification",
		Detail:  fmt.Sprintf("String length specified does not match the supported length. Min:0 Max:%d supported. Supplied length:%d", max, supplied),
		Element: elem(""),
	}
}

// errInvalidEnum is 2170.
func errInvalidEnum(value string) *qboError {
	return &qboError{Code: "2170", Message: "Invalid Enumeration", Detail: "Invalid Enumeration : " + value, Element: elem("")}
}

// errNoName is 6080 (reference §1.3: DisplayName or a name part is required).
func errNoName() *qboError {
	return &qboError{Code: "6080", Message: "No Name Provided", Detail: "No Name Provided : Please provide a DisplayName or a name.", Element: elem("")}
}

// errBatchTooBig is 1040 (more than 30 items, reference §4).
func errBatchTooBig(max int) *qboError {
	return &qboError{Code: "1040", Message: "Batch size exceeds allowed limit", Detail: fmt.Sprintf("Batch size exceeds allowed limit. Max batch size allowed: %d", max), Element: elem("")}
}

// errBadRequestID is our answer to a requestid longer than 50 characters
// (reference §1.1 gives the limit, not the error): 2010 on the parameter.
func errBadRequestID(max int) *qboError {
	return &qboError{
		Code:    "2010",
		Message: "Request has invalid or unsupported property",
		Detail:  fmt.Sprintf("Property Name:requestid specified is unsupported or invalid: longer than %d characters", max),
	}
}

// writeFault writes e as the 400 JSON Fault envelope.
func (s *Server) writeFault(w http.ResponseWriter, rl *realm, e *qboError) {
	body := struct {
		Fault faultBody `json:"Fault"`
		Time  string    `json:"time,omitempty"`
	}{Fault: e.fault()}
	if !e.NoTime {
		body.Time = s.wireTime(rl)
	}
	s.writeRaw(w, e.status(), "application/json", mustJSON(body))
}

// gatewayBody is the auth gateway's envelope (reference §1.10 shape 2): lower
// case keys, nulls and empty arrays spelled out, and "time" in epoch ms.
type gatewayBody struct {
	Warnings          any          `json:"warnings"`
	IntuitObject      any          `json:"intuitObject"`
	Fault             gatewayFault `json:"fault"`
	Report            any          `json:"report"`
	QueryResponse     any          `json:"queryResponse"`
	BatchItemResponse []any        `json:"batchItemResponse"`
	AttachableResp    []any        `json:"attachableResponse"`
	SyncErrorResponse any          `json:"syncErrorResponse"`
	RequestID         any          `json:"requestId"`
	Time              int64        `json:"time"`
	Status            any          `json:"status"`
	CDCResponse       []any        `json:"cdcresponse"`
}

type gatewayFault struct {
	Error []gatewayError `json:"error"`
	Type  string         `json:"type"`
}

type gatewayError struct {
	Message string  `json:"message"`
	Detail  string  `json:"detail"`
	Code    string  `json:"code"`
	Element *string `json:"element"`
}

// writeUnauthorized writes the 401 gateway answer for a missing, expired,
// revoked or unknown access token (reference §1.10 shape 2, §3 code 3200),
// with the WWW-Authenticate header the recording carries (R1 error/401.yml).
func (s *Server) writeUnauthorized(w http.ResponseWriter, detail string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="Intuit", error="invalid_token"`)
	s.writeGateway(w, http.StatusUnauthorized, "3200",
		"message=AuthenticationFailed; errorCode=003200; statusCode=401", detail, "AUTHENTICATION")
}

// writeForbidden writes 403 code 3100 for a token of another realm. Where the
// gateway shape and type of this answer is [?] in the reference (§3 lists
// the code and message only); we answer in the same gateway shape as the 401
// because the same gateway decides both, with Options.ForbiddenFaultType
// (default "AUTHENTICATION") as the type.
func (s *Server) writeForbidden(w http.ResponseWriter, realmID string) {
	s.writeGateway(w, http.StatusForbidden, "3100",
		"message=AuthorizationFailed; errorCode=003100; statusCode=403",
		"The access token is not authorized for company "+realmID, s.opt.ForbiddenFaultType)
}

func (s *Server) writeGateway(w http.ResponseWriter, status int, code, message, detail, typ string) {
	body := gatewayBody{
		Fault:             gatewayFault{Error: []gatewayError{{Message: message, Detail: detail, Code: code}}, Type: typ},
		BatchItemResponse: []any{},
		AttachableResp:    []any{},
		CDCResponse:       []any{},
		Time:              s.now().UnixMilli(),
	}
	s.writeRaw(w, status, "application/json", mustJSON(body))
}

// writeThrottled writes the 429 XML body QBO sends even to JSON clients
// (reference §1.10 shape 3, §3 code 3001).
func (s *Server) writeThrottled(w http.ResponseWriter, rl *realm) {
	var b strings.Builder
	b.WriteString(`<IntuitResponse time="`)
	b.WriteString(s.wireTime(rl))
	b.WriteString(`" xmlns="http://schema.intuit.com/finance/v3">`)
	b.WriteString(`<Fault type="SERVICE"><Error code="3001">`)
	b.WriteString(`<Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>`)
	b.WriteString(`<Detail>The request limit was reached.  Try again later</Detail>`)
	b.WriteString(`</Error></Fault></IntuitResponse>`)
	s.writeRaw(w, http.StatusTooManyRequests, "application/xml", []byte(b.String()))
}

// wireTime is "now" in the realm's time zone with milliseconds, the format
// of every envelope's "time" (reference §1.1).
func (s *Server) wireTime(rl *realm) string {
	loc := time.UTC
	if rl != nil {
		loc = rl.loc
	}
	return s.now().In(loc).Format(layoutTime)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("qbofake: marshal %T: %v", v, err))
	}
	return b
}
