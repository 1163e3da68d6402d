package quickbooks

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake/qboql"
)

func TestQuoteLiteral(t *testing.T) {
	cases := []struct {
		in   string
		want string
		code app.Code
		msg  string
	}{
		{in: "Acme", want: `'Acme'`},
		{in: "", want: `''`},
		{in: "Amy's Bird Sanctuary", want: `'Amy\'s Bird Sanctuary'`},
		{in: "''", want: `'\'\''`},
		{in: "O'Brien & Sons, 100%", want: `'O\'Brien & Sons, 100%'`},
		{in: "' OR Id > '0", want: `'\' OR Id > \'0'`},
		{in: "Zoë's Café 東京", want: `'Zoë\'s Café 東京'`},
		{in: `O'Brien\`, code: app.Invalid, msg: "Search text for QuickBooks cannot contain a backslash."},
		{in: `\'`, code: app.Invalid, msg: "Search text for QuickBooks cannot contain a backslash."},
		{in: "line\nbreak", code: app.Invalid, msg: "Search text for QuickBooks cannot contain control characters such as tabs or line breaks."},
		{in: "tab\there", code: app.Invalid},
		{in: "nul\x00", code: app.Invalid},
		{in: "del\x7f", code: app.Invalid},
		{in: "c1\u0085", code: app.Invalid},
		{in: "bad\xffutf8", code: app.Invalid, msg: "Search text for QuickBooks must be valid text."},
	}
	for _, c := range cases {
		got, err := QuoteLiteral(c.in)
		if app.ErrorCode(err) != c.code {
			t.Errorf("QuoteLiteral(%q) error %v, want code %q", c.in, err, c.code)
			continue
		}
		if c.msg != "" && app.ErrorMessage(err) != c.msg {
			t.Errorf("QuoteLiteral(%q) message %q, want %q", c.in, app.ErrorMessage(err), c.msg)
		}
		if got != c.want {
			t.Errorf("QuoteLiteral(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

// customerSchema lets the fake's parser (qboql, a real parser of QBO's
// query language with backslash escapes) read our statements.
var customerSchema = qboql.Schema{"Customer": {Filterable: []string{"DisplayName", "Id"}}}

// FuzzQuoteLiteral: for any input, QuoteLiteral either refuses it (only for
// a backslash, a control character or invalid UTF-8) or returns a literal
// that (1) no quote escapes: scanning it as QBO does ends exactly at its
// last byte; (2) decodes back to the input; (3) parses, inside a statement
// followed by another condition, as one value equal to the input and
// exactly two conditions, so nothing was injected.
func FuzzQuoteLiteral(f *testing.F) {
	for _, s := range []string{"", "Acme", "Amy's", "'", "''", `\`, `\'`, "' OR '1'='1", "a'b\\c", "x\n", "%'%", "Zoë", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lit, err := QuoteLiteral(s)
		if err != nil {
			if app.ErrorCode(err) != app.Invalid {
				t.Fatalf("QuoteLiteral(%q): error code %q", s, app.ErrorCode(err))
			}
			if utf8.ValidString(s) && !strings.ContainsRune(s, '\\') && !strings.ContainsFunc(s, unicode.IsControl) {
				t.Fatalf("QuoteLiteral(%q) refused a safe input: %v", s, err)
			}
			return
		}
		end, decoded, ok := scanLiteral(lit)
		if !ok || end != len(lit) {
			t.Fatalf("QuoteLiteral(%q) = %s: the literal ends at byte %d of %d", s, lit, end, len(lit))
		}
		if decoded != s {
			t.Fatalf("QuoteLiteral(%q) = %s decodes to %q", s, lit, decoded)
		}
		q, perr := qboql.Parse("SELECT * FROM Customer WHERE DisplayName = "+lit+" AND Id = '1'", customerSchema)
		if perr != nil {
			t.Fatalf("statement with %s does not parse: %v", lit, perr)
		}
		if len(q.Where) != 2 || q.Where[0].Values[0].Text != s || q.Where[1].Property != "Id" {
			t.Fatalf("statement with %s parsed as %+v", lit, q.Where)
		}
	})
}

// scanLiteral reads a quoted literal at the start of s the way QBO's lexer
// does (a backslash makes the next character literal) and returns where it
// ends, its decoded text, and whether it was closed.
func scanLiteral(s string) (end int, text string, ok bool) {
	if !strings.HasPrefix(s, "'") {
		return 0, "", false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) {
				return 0, "", false
			}
			i++
			b.WriteByte(s[i])
		case '\'':
			return i + 1, b.String(), true
		default:
			b.WriteByte(s[i])
		}
	}
	return 0, "", false
}

func TestStatement(t *testing.T) {
	cases := []struct {
		name string
		q    *statement
		want string
		code app.Code // of the error; "" for none, Internal for a bug of ours
	}{
		{"ids", selectFrom("Invoice").IDIn("Id", "invoice", []string{"1", "22"}).Page(0, 1000),
			"SELECT * FROM Invoice WHERE Id IN ('1','22') MAXRESULTS 1000", ""},
		{"eq and order", selectFrom("Customer").Eq("DisplayName", "Amy's").OrderBy("MetaData.LastUpdatedTime", true).Page(11, 10),
			`SELECT * FROM Customer WHERE DisplayName = 'Amy\'s' ORDERBY MetaData.LastUpdatedTime DESC STARTPOSITION 11 MAXRESULTS 10`, ""},
		{"two conditions", selectFrom("Customer").Eq("DisplayName", "A").Eq("Active", "true"),
			"SELECT * FROM Customer WHERE DisplayName = 'A' AND Active = 'true'", ""},
		{"bad id", selectFrom("Invoice").IDIn("Id", "invoice", []string{"1", "2'"}), "", app.Invalid},
		{"backslash value", selectFrom("Customer").Eq("DisplayName", `a\b`), "", app.Invalid},
		{"no ids", selectFrom("Invoice").IDIn("Id", "invoice", nil), "", app.Internal},
		{"bad property", selectFrom("Invoice").Eq("Id = '1' OR Id", "2"), "", app.Internal},
		{"bad entity", selectFrom("Invoice;"), "", app.Internal},
		{"page too big", selectFrom("Invoice").Page(0, 1001), "", app.Internal},
	}
	for _, c := range cases {
		got, err := c.q.String()
		if app.ErrorCode(err) != c.code || got != c.want {
			t.Errorf("%s: got %q, %v; want %q, code %q", c.name, got, err, c.want, c.code)
		}
	}
}
