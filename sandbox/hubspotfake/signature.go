package hubspotfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// SignV1 is HubSpot's v1 request signature (reference §2.1): lowercase hex
// SHA-256 of clientSecret + body. Webhooks use it.
func SignV1(secret string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(secret))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// SignV2 is the v2 signature (reference §2.1): lowercase hex SHA-256 of
// clientSecret + method + URI + body, where URI is the full URL exactly as
// sent (scheme, host, path and query in their order). hubspot.fetch sends it
// in X-HubSpot-Signature.
func SignV2(secret, method, uri string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(secret + method + uri))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// SignV3 is the v3 signature (reference §2.1): standard base64 of
// HMAC-SHA256, keyed by the client secret, over method + URI + body +
// timestamp (the X-HubSpot-Request-Timestamp string, epoch milliseconds).
func SignV3(secret, method, uri string, body []byte, timestamp string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(method + uri))
	mac.Write(body)
	mac.Write([]byte(timestamp))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// v3Decoded lists the escapes HubSpot's v3 instructions decode before
// signing (reference §2.1); nothing else is decoded.
var v3Decoded = map[string]byte{
	"%3A": ':', "%2F": '/', "%3F": '?', "%40": '@', "%21": '!', "%24": '$',
	"%27": '\'', "%28": '(', "%29": ')', "%2A": '*', "%2C": ',', "%3B": ';',
}

// DecodeV3URI applies the v3 decode rule of reference §2.1 to uri, in one
// pass: only the twelve listed upper-case escapes are decoded (%20, %26,
// %3D, %2B and lower-case escapes stay as they are). Verifiers accept a v3
// signature over either the raw or the decoded URI.
func DecodeV3URI(uri string) string {
	var b strings.Builder
	for i := 0; i < len(uri); i++ {
		if uri[i] == '%' && i+3 <= len(uri) {
			if c, ok := v3Decoded[uri[i:i+3]]; ok {
				b.WriteByte(c)
				i += 2
				continue
			}
		}
		b.WriteByte(uri[i])
	}
	return b.String()
}
