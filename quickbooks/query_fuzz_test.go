package quickbooks

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake/qboql"
)

// Fuzz targets of the statements this package sends QBO, read back by the
// sandbox fake's real parser (qboql, backslash escapes as QBO documents
// them). FuzzQuoteLiteral (query_test.go) covers the literal alone; these
// cover the statements built around fuzzed values. Corpora are in
// testdata/fuzz/<target>; README "Fuzzing" says how to run them longer.

// fuzzSchema lets qboql read the statements below.
var fuzzSchema = qboql.Schema{
	"Invoice":  {Filterable: []string{"DocNumber", "TotalAmt", "CustomerRef", "Id"}, Sortable: []string{"MetaData.CreateTime"}},
	"Customer": {Filterable: []string{"DisplayName", "Id", "Active"}},
}

// safeText is what QuoteLiteral must accept: valid UTF-8 without a
// backslash or a control character.
func safeText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, '\\') && !strings.ContainsFunc(s, unicode.IsControl)
}

func validIDs(ids []string) bool {
	for _, id := range ids {
		if id == "" || len(id) > maxIDLen || strings.Trim(id, "0123456789") != "" {
			return false
		}
	}
	return true
}

func splitIDs(csv string) []string {
	if csv == "" {
		return nil
	}
	return strings.Split(csv, ",")
}

func quoted(texts ...string) []qboql.Value {
	out := make([]qboql.Value, len(texts))
	for i, s := range texts {
		out[i] = qboql.Value{Text: s, Quoted: true}
	}
	return out
}

// FuzzInvoiceSearch: QueryInvoices' statement (invoice number, amount,
// customer ids, offset, limit) is built exactly when the input is valid
// (limit 1..1000, offset 0..MaxInt32-1, at most 1000 customers of digits,
// a number of at most 21 characters that QuoteLiteral can carry), else
// refused as Invalid, never Internal. A built statement parses, in the
// fake's parser, as exactly the conditions asked for, in order, with the
// values given (repeated ids once), newest first, at offset+1 and limit:
// no value breaks out of its literal.
func FuzzInvoiceSearch(f *testing.F) {
	f.Add("1001", true, int64(30000), "1,2,2", false, 0, 25)
	f.Add("  O'Brien-7 ", false, int64(0), "", false, 25, 25)
	f.Add("' OR Id > '0", true, int64(-1), "58", false, 0, 1000)
	f.Add(`a\b`, false, int64(0), "", false, 0, 25)
	f.Add("x\ny", false, int64(0), "1", false, 0, 25)
	f.Add("1234567890123456789012", false, int64(0), "", false, 0, 25)
	f.Add("", false, int64(0), "1,x", false, 0, 25)
	f.Add("", false, int64(0), "1", true, -1, 1001)
	f.Add("東京-0001", true, int64(9223372036854775807), "000000000000000000001", false, 2147483646, 1)
	f.Fuzz(func(t *testing.T, doc string, hasAmount bool, cents int64, idsCSV string, many bool, offset, limit int) {
		filter := app.InvoiceFilter{DocNumber: doc, CustomerIDs: splitIDs(idsCSV)}
		if hasAmount {
			m := app.Money(cents)
			filter.Amount = &m
		}
		if many {
			for i := range maxResults {
				filter.CustomerIDs = append(filter.CustomerIDs, strconv.Itoa(i+1))
			}
		}
		trimmed := strings.TrimSpace(doc)
		valid := limit >= 1 && limit <= maxResults && offset >= 0 && offset <= maxOffset &&
			len(filter.CustomerIDs) <= maxResults && validIDs(filter.CustomerIDs) &&
			(trimmed == "" || safeText(trimmed) && utf8.RuneCountInString(trimmed) <= maxDocNumber)

		q, err := invoiceSearch(filter, offset, limit)
		if !valid {
			if err == nil || app.ErrorCode(err) != app.Invalid {
				t.Fatalf("invalid search %+v (offset %d, limit %d): err %v, want Invalid", filter, offset, limit, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("valid search %+v (offset %d, limit %d) refused: %v", filter, offset, limit, err)
		}
		stmt, err := q.String()
		if err != nil {
			t.Fatalf("statement: %v", err)
		}
		parsed, err := qboql.Parse(stmt, fuzzSchema)
		if err != nil {
			t.Fatalf("%s does not parse: %v", stmt, err)
		}
		var want []qboql.Condition
		if trimmed != "" {
			want = append(want, qboql.Condition{Property: "DocNumber", Op: "=", Values: quoted(trimmed)})
		}
		if filter.Amount != nil {
			want = append(want, qboql.Condition{Property: "TotalAmt", Op: "=", Values: quoted(filter.Amount.String())})
		}
		if len(filter.CustomerIDs) > 0 {
			var ids []string
			seen := map[string]bool{}
			for _, id := range filter.CustomerIDs {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
			want = append(want, qboql.Condition{Property: "CustomerRef", Op: "IN", Values: quoted(ids...)})
		}
		if parsed.Entity != "Invoice" || parsed.Count || !reflect.DeepEqual(parsed.Where, want) ||
			!reflect.DeepEqual(parsed.OrderBy, []qboql.Order{{Property: "MetaData.CreateTime", Desc: true}}) ||
			parsed.StartPosition != offset+1 || parsed.MaxResults != limit {
			t.Fatalf("%s\nparsed as %+v\nwant where %+v, start %d, max %d", stmt, parsed, want, offset+1, limit)
		}
	})
}

// FuzzStatement: the builder as NameInUse and Invoices use it (a display
// name, ids, Active IN (true, false), a page) builds a statement exactly
// when every value is valid; a bad value is Invalid, a bad page one of our
// own bugs (not an app error). The statement parses as exactly those
// conditions with exactly those values, so nothing was injected.
func FuzzStatement(f *testing.F) {
	f.Add("Amy's Bird Sanctuary", "", 0, 1)
	f.Add("' OR DisplayName LIKE '%", "1,22", 11, 10)
	f.Add("x'); SELECT * FROM Invoice --", "7", 1, 1000)
	f.Add("\\'", "", 0, 1)
	f.Add("tab\t", "", 0, 1)
	f.Add("' '", "", -1, 0)
	f.Add("", "1,'2'", 0, 1001)
	f.Fuzz(func(t *testing.T, name, idsCSV string, start, maxN int) {
		ids := splitIDs(idsCSV)
		q := selectFrom("Customer").Eq("DisplayName", name)
		if len(ids) > 0 {
			q = q.IDIn("Id", "customer", ids)
		}
		q = q.BoolIn("Active", true, false).Page(start, maxN)
		stmt, err := q.String()
		badValue := !safeText(name) || !validIDs(ids)
		badPage := start < 0 || maxN < 1 || maxN > maxResults
		switch {
		case badValue:
			if app.ErrorCode(err) != app.Invalid {
				t.Fatalf("name %q, ids %q: err %v, want Invalid", name, ids, err)
			}
			return
		case badPage:
			if err == nil || app.ErrorCode(err) != app.Internal {
				t.Fatalf("page %d/%d: err %v, want a bug of ours", start, maxN, err)
			}
			return
		case err != nil:
			t.Fatalf("name %q, ids %q, page %d/%d refused: %v", name, ids, start, maxN, err)
		}
		parsed, err := qboql.Parse(stmt, fuzzSchema)
		if err != nil {
			t.Fatalf("%s does not parse: %v", stmt, err)
		}
		want := []qboql.Condition{{Property: "DisplayName", Op: "=", Values: quoted(name)}}
		if len(ids) > 0 {
			want = append(want, qboql.Condition{Property: "Id", Op: "IN", Values: quoted(ids...)})
		}
		want = append(want, qboql.Condition{Property: "Active", Op: "IN", Values: []qboql.Value{{Text: "true"}, {Text: "false"}}})
		wantStart := max(start, 1)
		if parsed.Entity != "Customer" || !reflect.DeepEqual(parsed.Where, want) || len(parsed.OrderBy) != 0 ||
			parsed.StartPosition != wantStart || parsed.MaxResults != maxN {
			t.Fatalf("%s\nparsed as %+v\nwant where %+v, start %d, max %d", stmt, parsed, want, wantStart, maxN)
		}
	})
}
