package server

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Fuzz targets of the three request signatures the service checks:
// HubSpot's v3 (card API and workflow action), HubSpot's v2 (workflow
// action) and Intuit's intuit-signature (webhooks), and of the card
// middleware that turns a signed URL into a tenant. Each signs its input
// the way the sender does, then checks that exactly that request verifies
// and that a change of any one part is refused. Their corpora are in
// testdata/fuzz/<target>; README "Fuzzing" says how to run them longer.

const fuzzSecret = "fuzz-client-secret"

// fuzzNow is the verifier's clock in these targets.
var fuzzNow = time.UnixMilli(1_700_000_000_000)

func fuzzSignV3(method, uri string, body []byte, ts string) string {
	m := hmac.New(sha256.New, []byte(fuzzSecret))
	m.Write([]byte(method + uri))
	m.Write(body)
	m.Write([]byte(ts))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// mutate returns b with the byte at pos (mod its length) XORed with x (1
// when x is 0, so it always changes), or one byte when b is empty.
func mutate(b []byte, pos uint16, x byte) []byte {
	if x == 0 {
		x = 1
	}
	if len(b) == 0 {
		return []byte{x}
	}
	out := bytes.Clone(b)
	out[int(pos)%len(out)] ^= x
	return out
}

// sameMAC reports whether two base64 signatures name the same MAC bytes:
// the standard decoder ignores CR and LF and the unused low bits of the
// last character, so different texts can carry one MAC. That is no forgery
// (the MAC itself is unchanged), so the targets allow it and nothing else.
func sameMAC(a, b string) bool {
	x, errA := base64.StdEncoding.DecodeString(a)
	y, errB := base64.StdEncoding.DecodeString(b)
	return errA == nil && errB == nil && bytes.Equal(x, y)
}

// FuzzSignatureV3: a v3 signature made for (method, uri, body, timestamp)
// within five minutes verifies; so does one made over HubSpot's decoded
// form of the URI. Changing one byte of the body, the URI, the method, the
// timestamp or the signature is refused, except for a URI whose decoded
// form is the signed one (HubSpot's documented decoding) and a signature
// text that decodes to the same MAC. A correctly signed timestamp outside
// the window is refused. Every refusal is Unauthorized.
func FuzzSignatureV3(f *testing.F) {
	f.Add("POST", "https://invoices.example.com/api/v1/records/deals/1011/invoices?appId=3000001&portalId=20000001&userId=7&userEmail=rep%40northwind.example", []byte(`{"idempotencyKey":"k-123456"}`), int64(0), uint16(3), byte(1))
	f.Add("GET", "https://invoices.example.com/api/v1/connections?portalId=1", []byte{}, int64(-299_999), uint16(0), byte(0x80))
	f.Add("PUT", "https://x.test/a%3Ab%2Fc%3fd%40e?q=%2A%2c%3B", []byte(`{"a":1}`), int64(299_999), uint16(40), byte(0x20))
	f.Add("DELETE", "", []byte("\x00\xff"), int64(1), uint16(43), byte(2))
	f.Fuzz(func(t *testing.T, method, uri string, body []byte, skewMs int64, pos uint16, x byte) {
		v := signatureV3{secret: []byte(fuzzSecret), now: func() time.Time { return fuzzNow }}
		window := maxSignatureSkew.Milliseconds()
		ts := strconv.FormatInt(fuzzNow.UnixMilli()+skewMs%(window+1), 10)
		sig := fuzzSignV3(method, uri, body, ts)
		refused := func(what string, err error) {
			t.Helper()
			if err == nil {
				t.Fatalf("%s: accepted", what)
			}
			if app.ErrorCode(err) != app.Unauthorized {
				t.Fatalf("%s: error %v, want unauthorized", what, err)
			}
		}

		if err := v.verify(method, uri, body, sig, ts); err != nil {
			t.Fatalf("a correct signature is refused: %v", err)
		}
		if err := v.verify(method, uri, body, fuzzSignV3(method, decodeSignedURI(uri), body, ts), ts); err != nil {
			t.Fatalf("a signature over the decoded URI is refused: %v", err)
		}

		refused("body changed", v.verify(method, uri, mutate(body, pos, x), sig, ts))
		if len(body) > 0 {
			refused("body truncated", v.verify(method, uri, body[:len(body)-1], sig, ts))
		}
		refused("body extended", v.verify(method, uri, append(bytes.Clone(body), x), sig, ts))
		refused("method changed", v.verify(string(mutate([]byte(method), pos, x)), uri, body, sig, ts))

		otherURI := string(mutate([]byte(uri), pos, x))
		err := v.verify(method, otherURI, body, sig, ts)
		if decodeSignedURI(otherURI) == uri {
			if err != nil {
				t.Fatalf("%q decodes to the signed %q but is refused: %v", otherURI, uri, err)
			}
		} else {
			refused("URI changed", err)
		}

		// Another timestamp, still inside the window: refused by the MAC.
		ms, _ := strconv.ParseInt(ts, 10, 64)
		other := ms + 1 + int64(pos)
		if other-fuzzNow.UnixMilli() > window {
			other = ms - 1 - int64(pos)
		}
		refused("timestamp changed", v.verify(method, uri, body, sig, strconv.FormatInt(other, 10)))
		refused("timestamp with a leading zero", v.verify(method, uri, body, sig, "0"+ts))
		refused("timestamp with a sign", v.verify(method, uri, body, sig, "+"+ts))

		otherSig := string(mutate([]byte(sig), pos, x))
		if err := v.verify(method, uri, body, otherSig, ts); err == nil && !sameMAC(sig, otherSig) {
			t.Fatalf("signature %q changed to %q is accepted", sig, otherSig)
		} else if err != nil {
			refused("signature changed", err)
		}

		// Outside the window, even correctly signed.
		late := strconv.FormatInt(fuzzNow.UnixMilli()-window-1-int64(pos), 10)
		refused("expired", v.verify(method, uri, body, fuzzSignV3(method, uri, body, late), late))
		early := strconv.FormatInt(fuzzNow.UnixMilli()+window+1+int64(pos), 10)
		refused("from the future", v.verify(method, uri, body, fuzzSignV3(method, uri, body, early), early))
	})
}

// FuzzSignatureV2: the workflow action's v2 signature (lowercase hex
// SHA-256 of secret + method + URI + body) verifies, in either case of
// hex; a change of one byte of the body, URI or method is refused, and so
// is any signature that is not the same hex in another case.
func FuzzSignatureV2(f *testing.F) {
	f.Add("POST", "https://invoices.example.com/workflow-actions/create-invoice", []byte(`{"callbackId":"ap-1","origin":{"portalId":20000001}}`), uint16(0), byte(1))
	f.Add("POST", "https://x.test/w?a=%3A", []byte{}, uint16(7), byte(0x20))
	f.Add("", "", []byte("\xff"), uint16(63), byte(0x41))
	f.Fuzz(func(t *testing.T, method, uri string, body []byte, pos uint16, x byte) {
		sum := sha256.Sum256(append([]byte(fuzzSecret+method+uri), body...))
		sig := hex.EncodeToString(sum[:])
		if !verifySignatureV2(fuzzSecret, method, uri, body, sig) {
			t.Fatal("a correct v2 signature is refused")
		}
		if !verifySignatureV2(fuzzSecret, method, uri, body, strings.ToUpper(sig)) {
			t.Fatal("a correct v2 signature in upper case is refused")
		}
		if verifySignatureV2(fuzzSecret, method, uri, mutate(body, pos, x), sig) {
			t.Fatal("body changed: accepted")
		}
		if verifySignatureV2(fuzzSecret, method, string(mutate([]byte(uri), pos, x)), body, sig) {
			t.Fatal("URI changed: accepted")
		}
		if verifySignatureV2(fuzzSecret, string(mutate([]byte(method), pos, x)), uri, body, sig) {
			t.Fatal("method changed: accepted")
		}
		if verifySignatureV2("other-"+fuzzSecret, method, uri, body, sig) {
			t.Fatal("another secret: accepted")
		}
		otherSig := string(mutate([]byte(sig), pos, x))
		if verifySignatureV2(fuzzSecret, method, uri, body, otherSig) && strings.ToLower(otherSig) != sig {
			t.Fatalf("signature %q changed to %q is accepted", sig, otherSig)
		}
		if verifySignatureV2(fuzzSecret, method, uri, body, sig[:len(sig)-1]) || verifySignatureV2(fuzzSecret, method, uri, body, "") {
			t.Fatal("a truncated or empty signature is accepted")
		}
	})
}

// FuzzIntuitSignature: intuit-signature (base64 HMAC-SHA256 of the raw
// body, keyed by the verifier token) verifies for its body only: one byte
// of the body changed, added or removed, another token, or a changed
// signature text that does not decode to the same MAC is refused.
func FuzzIntuitSignature(f *testing.F) {
	f.Add([]byte(`[{"specversion":"1.0","type":"qbo.invoice.updated.v1","intuitentityid":"5","intuitaccountid":"9130357766900001","time":"2025-01-01T00:00:00Z"}]`), "sandbox-qbo-verifier-token", uint16(10), byte(1))
	f.Add([]byte(`{"eventNotifications":[]}`), "t", uint16(0), byte(0x80))
	f.Add([]byte{}, "x", uint16(43), byte(3))
	f.Fuzz(func(t *testing.T, body []byte, token string, pos uint16, x byte) {
		if token == "" {
			token = "verifier" // the handler refuses every webhook without a token
		}
		m := hmac.New(sha256.New, []byte(token))
		m.Write(body)
		sig := base64.StdEncoding.EncodeToString(m.Sum(nil))
		if !validIntuitSignature(token, body, sig) {
			t.Fatal("a correct intuit-signature is refused")
		}
		if validIntuitSignature(token, mutate(body, pos, x), sig) {
			t.Fatal("body changed: accepted")
		}
		if validIntuitSignature(token, append(bytes.Clone(body), x), sig) {
			t.Fatal("body extended: accepted")
		}
		if len(body) > 0 && validIntuitSignature(token, body[1:], sig) {
			t.Fatal("body shortened: accepted")
		}
		if validIntuitSignature(token+"x", body, sig) {
			t.Fatal("another token: accepted")
		}
		otherSig := string(mutate([]byte(sig), pos, x))
		if validIntuitSignature(token, body, otherSig) && !sameMAC(sig, otherSig) {
			t.Fatalf("signature %q changed to %q is accepted", sig, otherSig)
		}
	})
}

// FuzzCardSignatureTenant drives requireHubSpotSignature with a request
// signed the way hubspot.fetch signs it: the card's own path and query
// (fuzzed, any bytes a request line can carry), then HubSpot's appId,
// portalId, userId and userEmail. Properties: when the next handler runs,
// the caller is exactly HubSpot's appended portal, user and email (the
// card's query can never choose the tenant), the body it reads is the
// signed body, and HubSpot's portal was a positive number; a card query
// of lower-case letters, digits, = and & (so naming none of HubSpot's
// parameters) is admitted for a positive portal; one changed byte of the
// body is refused; every refusal is Unauthorized.
func FuzzCardSignatureTenant(f *testing.F) {
	f.Add("/api/v1/connections", "", int64(20000001), int64(7), "rep@northwind.example", []byte{}, uint16(0), byte(1))
	f.Add("/api/v1/connections/1/invoices", "q=1001&page=2", int64(20000001), int64(7), "rep@northwind.example", []byte(`{"a":1}`), uint16(1), byte(1))
	f.Add("/api/v1/settings", "portalId=20000002", int64(20000001), int64(0), "", []byte{}, uint16(0), byte(1))
	f.Add("/api/v1/settings", "portal%49d=5&x=%zz", int64(1), int64(-1), "a+b@c", []byte("x"), uint16(0), byte(1))
	f.Add("/api/v1/settings", "a=1;portalId=5", int64(0), int64(1), "é", []byte{}, uint16(0), byte(1))
	const base = "https://invoices.example.com"
	const appID = 3000001
	e := echo.New()
	s := &Server{cfg: Config{PublicBaseURL: base, HubSpotAppID: appID},
		sig: signatureV3{secret: []byte(fuzzSecret), now: func() time.Time { return fuzzNow }}}
	f.Fuzz(func(t *testing.T, path, cardQuery string, portal, user int64, email string, body []byte, pos uint16, x byte) {
		if strings.Contains(path, "?") {
			return // a path ends where a query starts: "/?" would make HubSpot's appId "?appId"
		}
		target := path
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		hubspot := "appId=" + strconv.Itoa(appID) + "&portalId=" + strconv.FormatInt(portal, 10) +
			"&userId=" + strconv.FormatInt(user, 10) + "&userEmail=" + url.QueryEscape(email)
		if cardQuery != "" {
			target += "?" + cardQuery + "&" + hubspot
		} else {
			target += "?" + hubspot
		}
		if strings.ContainsFunc(target, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == '#' }) {
			return // no HTTP request line carries these
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		ts := strconv.FormatInt(fuzzNow.UnixMilli(), 10)
		sig := fuzzSignV3(http.MethodPost, base+target, body, ts)

		run := func(sent []byte) (caller, []byte, bool, error) {
			req := &http.Request{Method: http.MethodPost, URL: u, RequestURI: target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(sent)), ContentLength: int64(len(sent)), Host: "invoices.example.com"}
			req.Header.Set("X-HubSpot-Signature-v3", sig)
			req.Header.Set("X-HubSpot-Request-Timestamp", ts)
			c := e.NewContext(req, httptest.NewRecorder())
			var who caller
			var got []byte
			ran := false
			err := s.requireHubSpotSignature(func(c echo.Context) error {
				ran = true
				who = callerOf(c)
				got, _ = io.ReadAll(c.Request().Body)
				return nil
			})(c)
			return who, got, ran, err
		}

		who, got, ran, err := run(body)
		if err != nil && app.ErrorCode(err) != app.Unauthorized {
			t.Fatalf("error %v, want unauthorized", err)
		}
		if ran != (err == nil) {
			t.Fatalf("next ran = %v with error %v", ran, err)
		}
		if ran {
			if who.PortalID != portal || portal <= 0 {
				t.Fatalf("tenant %d, but HubSpot signed portal %d (card query %q)", who.PortalID, portal, cardQuery)
			}
			if who.UserEmail != email {
				t.Fatalf("email %q, but HubSpot signed %q", who.UserEmail, email)
			}
			if who.UserID != user {
				t.Fatalf("user %d, but HubSpot signed %d", who.UserID, user)
			}
			if !bytes.Equal(got, body) {
				t.Fatalf("the handler read %q, the signed body is %q", got, body)
			}
		}
		plain := !strings.ContainsFunc(cardQuery, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '=' || r == '&')
		})
		if plain && portal > 0 && !ran { // lower case only: it cannot name portalId or the others
			t.Fatalf("a plain card query %q with portal %d is refused: %v", cardQuery, portal, err)
		}
		if _, _, ran, err := run(mutate(body, pos, x)); ran || app.ErrorCode(err) != app.Unauthorized {
			t.Fatalf("a changed body: ran %v, error %v", ran, err)
		}
	})
}
