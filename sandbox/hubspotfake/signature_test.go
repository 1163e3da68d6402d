package hubspotfake_test

import (
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// The conformance vectors of reference §2.2, byte for byte.
const (
	s1 = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
	u1 = "https://www.example.com/webhook_uri"
	b1 = `{'example_field':'example_value'}`
	b2 = `{"example_field":"example_value"}`
	bw = `[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]`
	s2 = "f6e94c08-85d0-4608-bcc6-e1850176e7b8"
	u2 = "https://www.hubspot.com/webhook"
	s3 = "12345678-aaaa-bbbb-cccc-ddddeeeeffff"
	u3 = "https://hubspot.com/?appId=1&portalId=2&userId=3"
)

func TestSignV1Vectors(t *testing.T) {
	for _, tc := range []struct {
		n, body, want string
	}{
		{"1", b1, "69fc6631a867edd4f9e9e627fc5c1148e3fbdd8b21837b6d2b8901c1fa57f750"},
		{"2", bw, "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"},
	} {
		if len(b1) != 33 || len(b2) != 33 {
			t.Fatal("B1 and B2 must be 33 bytes (reference §2.2)")
		}
		if got := hubspotfake.SignV1(s1, []byte(tc.body)); got != tc.want {
			t.Errorf("vector %s: SignV1 = %s, want %s", tc.n, got, tc.want)
		}
	}
}

func TestSignV2Vectors(t *testing.T) {
	for _, tc := range []struct {
		n, secret, method, uri, body, want string
	}{
		{"3", s1, "POST", u1, b1, "4fe4e3a7d3cf09db53be39d0a58130e2aaba074ec123a9e355b876a689a1c383"},
		{"4", s1, "GET", u1, "", "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"},
		{"5", s1, "POST", u1, b2, "9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900"},
		{"8", s2, "POST", u2, "REQUEST_BODY", "57bb01a6e6ac92919b5e715d68f40265328701bbf1cf3fd73772887069945766"},
		{"9", s2, "POST", u2, "", "befaef2b7354f11bf651f6468e8b5cf6bd449048deaf057f712980afb2a682f5"},
		{"12", s3, "GET", u3, "", "99080134002180aee8d0884d21ad51288c43b57e9953e4db1e3757999b35c392"},
		{"13", s3, "GET", u3, `{"a":1,"b":2}`, "bc131b34cd63dafbbd2e969e87167311f5f6c0cd543c90fe84c73496093cf4a2"},
		{"14", s3, "GET", u3, `{}`, "e955f4008c9f8bc80a14a00cb92fcc062d8df2023ddb39e135625f32764a1e78"},
		{"15", s3, "GET", u3, `""`, "8a129cb0bc3d2a8d72634bdbcbbe6a26e321d21f1832ece8e969dc25f14f446a"},
		{"16", s3, "GET", u3, `[{},null,2,{"a":"b","c":4},["e",false],null,4]`, "7db684f2a4f85d0a10443e0fcb56439bbfe5cd3957321334ea612d4a222d12bb"},
	} {
		if got := hubspotfake.SignV2(tc.secret, tc.method, tc.uri, []byte(tc.body)); got != tc.want {
			t.Errorf("vector %s: SignV2 = %s, want %s", tc.n, got, tc.want)
		}
	}
}

func TestSignV3Vectors(t *testing.T) {
	for _, tc := range []struct {
		n, secret, method, uri, body, ts, want string
	}{
		{"6", s1, "POST", u1, b1, "1693657560000", "K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y="},
		{"7", s1, "POST", u1, b1, "1700000300000", "RnbPH7+UMKVkbV32P8bz450N4M56aPmcru1+D3kSDtw="},
		{"10", s2, "POST", u2, "REQUEST_BODY", "1632188626483", "jf872r5vscVcxCiDRHA4rGrqe/8BPLNVkdJSHdMnGTU="},
		{"11", s2, "POST", u2, "", "1632188626483", "csXgk7UbrE9F8ZmMvbpuKBxqIvTSqU1EX9pI/SJtxSE="},
		{"12", s3, "GET", u3, "", "1111111111", "zTfXjo07jfzGouo4wvyAj3qEMUTVJ0PPYPACrluQtQI="},
		{"13", s3, "GET", u3, `{"a":1,"b":2}`, "1111111111", "aaknaCGCYJ4yqzuf1UKGqAWUfdcilJtm5nc/ZCudR9k="},
		{"14", s3, "GET", u3, `{}`, "1111111111", "bRPTUf7UOx1OqVAME6JSNfst9KxQYF5nRIUwG/KcQhQ="},
		{"15", s3, "GET", u3, `""`, "1111111111", "vHLaaF6kLUy1XOa7O6osWuzV3v9EaxhIs/mJQbODE6g="},
		{"16", s3, "GET", u3, `[{},null,2,{"a":"b","c":4},["e",false],null,4]`, "1111111111", "BbmvQxGycRrmC4kiTOSEFy6TL4g/kGX+U4mKQWbPgzg="},
	} {
		got := hubspotfake.SignV3(tc.secret, tc.method, tc.uri, []byte(tc.body), tc.ts)
		if got != tc.want {
			t.Errorf("vector %s: SignV3 = %s, want %s", tc.n, got, tc.want)
		}
		if len(got) != 44 {
			t.Errorf("vector %s: v3 signature has %d characters, want 44 (padded base64)", tc.n, len(got))
		}
	}
}

// TestSignV3DecodeRuleVector is the derived vector of reference §2.2: the
// same request signed over the raw URI and over the URI with HubSpot's
// listed escapes decoded.
func TestSignV3DecodeRuleVector(t *testing.T) {
	const (
		raw     = "https://www.example.com/api/invoices?appId=1&portalId=2&userEmail=rep%40example.com&userId=3"
		decoded = "https://www.example.com/api/invoices?appId=1&portalId=2&userEmail=rep@example.com&userId=3"
		body    = `{"dealId":"123"}`
		ts      = "1700000000000"
	)
	if got := hubspotfake.DecodeV3URI(raw); got != decoded {
		t.Fatalf("DecodeV3URI = %s, want %s", got, decoded)
	}
	if got := hubspotfake.SignV3(s1, "POST", raw, []byte(body), ts); got != "3xkRqX2hg9lUeQN3DH+fe2Hqp37B3/6lL6m728csCeQ=" {
		t.Errorf("over the raw URI: %s", got)
	}
	if got := hubspotfake.SignV3(s1, "POST", hubspotfake.DecodeV3URI(raw), []byte(body), ts); got != "ApV4S7UhMK3ZhizLTGXWjlasziVhcnbpdJLyzOIz9cg=" {
		t.Errorf("over the decoded URI: %s", got)
	}
}

func TestDecodeV3URIDecodesOnlyTheListedEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B": ":/?@!$'()*,;",
		"a%20b%26c%3Dd%2Be":                    "a%20b%26c%3Dd%2Be", // not in the table
		"%3a%40":                               "%3a@",              // lower-case hex is left alone
		"%253A":                                "%253A",             // one pass: no double decoding
		"100%":                                 "100%",
	} {
		if got := hubspotfake.DecodeV3URI(in); got != want {
			t.Errorf("DecodeV3URI(%q) = %q, want %q", in, got, want)
		}
	}
}
