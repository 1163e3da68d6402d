package server

import (
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Vectors from reference/hubspot.md section 2.2 (v3 rows).
func TestSignatureV3Vectors(t *testing.T) {
	const (
		s1 = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
		s2 = "f6e94c08-85d0-4608-bcc6-e1850176e7b8"
		s3 = "12345678-aaaa-bbbb-cccc-ddddeeeeffff"
		u1 = "https://www.example.com/webhook_uri"
		b1 = `{'example_field':'example_value'}`
	)
	cases := []struct {
		name, secret, method, uri, body, ts, want string
	}{
		{"6", s1, "POST", u1, b1, "1693657560000", "K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y="},
		{"7", s1, "POST", u1, b1, "1700000300000", "RnbPH7+UMKVkbV32P8bz450N4M56aPmcru1+D3kSDtw="},
		{"10", s2, "POST", "https://www.hubspot.com/webhook", "REQUEST_BODY", "1632188626483", "jf872r5vscVcxCiDRHA4rGrqe/8BPLNVkdJSHdMnGTU="},
		{"11", s2, "POST", "https://www.hubspot.com/webhook", "", "1632188626483", "csXgk7UbrE9F8ZmMvbpuKBxqIvTSqU1EX9pI/SJtxSE="},
		{"12", s3, "GET", "https://hubspot.com/?appId=1&portalId=2&userId=3", "", "1111111111", "zTfXjo07jfzGouo4wvyAj3qEMUTVJ0PPYPACrluQtQI="},
		{"13", s3, "GET", "https://hubspot.com/?appId=1&portalId=2&userId=3", `{"a":1,"b":2}`, "1111111111", "aaknaCGCYJ4yqzuf1UKGqAWUfdcilJtm5nc/ZCudR9k="},
		{"14", s3, "GET", "https://hubspot.com/?appId=1&portalId=2&userId=3", `{}`, "1111111111", "bRPTUf7UOx1OqVAME6JSNfst9KxQYF5nRIUwG/KcQhQ="},
		{"15", s3, "GET", "https://hubspot.com/?appId=1&portalId=2&userId=3", `""`, "1111111111", "vHLaaF6kLUy1XOa7O6osWuzV3v9EaxhIs/mJQbODE6g="},
		{"16", s3, "GET", "https://hubspot.com/?appId=1&portalId=2&userId=3", `[{},null,2,{"a":"b","c":4},["e",false],null,4]`, "1111111111", "BbmvQxGycRrmC4kiTOSEFy6TL4g/kGX+U4mKQWbPgzg="},
		// Derived decode-rule vector: signed over the raw URI, and over the decoded one.
		{"decode-raw", s1, "POST", "https://www.example.com/api/invoices?appId=1&portalId=2&userEmail=rep%40example.com&userId=3", `{"dealId":"123"}`, "1700000000000", "3xkRqX2hg9lUeQN3DH+fe2Hqp37B3/6lL6m728csCeQ="},
		{"decode-decoded", s1, "POST", "https://www.example.com/api/invoices?appId=1&portalId=2&userEmail=rep%40example.com&userId=3", `{"dealId":"123"}`, "1700000000000", "ApV4S7UhMK3ZhizLTGXWjlasziVhcnbpdJLyzOIz9cg="},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ms := mustMillis(t, c.ts)
			v := signatureV3{secret: []byte(c.secret), now: func() time.Time { return time.UnixMilli(ms) }}
			if err := v.verify(c.method, c.uri, []byte(c.body), c.want, c.ts); err != nil {
				t.Fatalf("official vector refused: %v", err)
			}
			// The same signature must fail for any other method, body or secret.
			other := signatureV3{secret: []byte(c.secret + "x"), now: v.now}
			if other.verify(c.method, c.uri, []byte(c.body), c.want, c.ts) == nil {
				t.Error("accepted under another secret")
			}
			if v.verify(c.method, c.uri, []byte(c.body+" "), c.want, c.ts) == nil {
				t.Error("accepted a tampered body")
			}
			if v.verify("DELETE", c.uri, []byte(c.body), c.want, c.ts) == nil {
				t.Error("accepted another method")
			}
		})
	}
}

func TestSignatureV3Refusals(t *testing.T) {
	const secret, uri, ts = "s", "https://x.example/api/v1/connections?portalId=1", "1700000000000"
	base := time.UnixMilli(1700000000000)
	v := signatureV3{secret: []byte(secret), now: func() time.Time { return base }}
	good := func(ts string) string {
		return encode(v.sum("GET", uri, nil, ts))
	}
	at := func(d time.Duration) signatureV3 {
		return signatureV3{secret: []byte(secret), now: func() time.Time { return base.Add(d) }}
	}
	cases := []struct {
		name     string
		v        signatureV3
		sig, ts  string
		accepted bool
	}{
		{"fresh", v, good(ts), ts, true},
		{"4m59s old", at(4*time.Minute + 59*time.Second), good(ts), ts, true},
		{"stale: 5m01s old", at(5*time.Minute + time.Second), good(ts), ts, false},
		{"future: 5m01s ahead", at(-5*time.Minute - time.Second), good(ts), ts, false},
		{"missing signature", v, "", ts, false},
		{"missing timestamp", v, good(ts), "", false},
		{"timestamp not a number", v, good(ts), "abc", false},
		{"signature not base64", v, "%%%", ts, false},
		{"timestamp swapped after signing", v, good(ts), "1700000000001", false},
	}
	for _, c := range cases {
		err := c.v.verify("GET", uri, nil, c.sig, c.ts)
		if (err == nil) != c.accepted {
			t.Errorf("%s: err = %v, accepted want %v", c.name, err, c.accepted)
		}
		if err != nil && app.ErrorCode(err) != app.Unauthorized {
			t.Errorf("%s: code = %s, want unauthorized", c.name, app.ErrorCode(err))
		}
	}
}
