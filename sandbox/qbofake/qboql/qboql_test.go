package qboql

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var testSchema = Schema{
	"Invoice": {
		Filterable: []string{"Id", "DocNumber", "TxnDate", "DueDate", "CustomerRef", "SalesTermRef",
			"CurrencyRef", "Balance", "TotalAmt", "MetaData.CreateTime", "MetaData.LastUpdatedTime"},
		Sortable: []string{"Id", "DocNumber", "TxnDate", "DueDate", "Balance", "TotalAmt",
			"MetaData.LastUpdatedTime"},
	},
	"Customer": {
		Filterable: []string{"Id", "DisplayName", "GivenName", "FamilyName", "CompanyName",
			"FullyQualifiedName", "Active", "Balance", "PrimaryEmailAddr", "MetaData.LastUpdatedTime"},
		Sortable: []string{"Id", "DisplayName", "GivenName", "Balance", "MetaData.LastUpdatedTime"},
	},
}

// Fixtures as the fake holds them: decoded JSON with json.Number.
const customersJSON = `[
 {"Id":"1","DisplayName":"Amy's Bird Sanctuary","GivenName":"Amy","Active":true,"Balance":239.00,
  "PrimaryEmailAddr":{"Address":"Birds@Intuit.com"},"MetaData":{"LastUpdatedTime":"2024-01-10T10:00:00-08:00"}},
 {"Id":"2","DisplayName":"Acme Corp","GivenName":"Wile","Active":true,"Balance":0,
  "PrimaryEmailAddr":{"Address":"ap@acme.example"},"MetaData":{"LastUpdatedTime":"2024-01-12T10:00:00-08:00"}},
 {"Id":"3","DisplayName":"Global Acmecorp Ltd","Active":true,"Balance":50,
  "PrimaryEmailAddr":{"Address":"x@y.com"}},
 {"Id":"4","DisplayName":"A_c Widgets","Active":true,"Balance":12.5},
 {"Id":"5","DisplayName":"Abc Supplies","Active":false,"Balance":0,"PrimaryEmailAddr":{"Address":"abc@abc.example"}},
 {"Id":"6","DisplayName":"Back\\slash Ltd","Active":false,"Balance":null},
 {"Id":"10","DisplayName":"O'Brien AND Id = '1'","Active":true,"Balance":1}
]`

const invoicesJSON = `[
 {"Id":"1","DocNumber":"1001","TxnDate":"2024-01-15","DueDate":"2024-02-14","TotalAmt":1000,"Balance":1000,
  "CustomerRef":{"value":"58","name":"Amy's Bird Sanctuary"},"SalesTermRef":{"value":"3"},
  "CurrencyRef":{"value":"USD","name":"United States Dollar"},
  "MetaData":{"CreateTime":"2024-01-15T09:00:00-08:00","LastUpdatedTime":"2024-01-31T20:00:00-08:00"}},
 {"Id":"2","DocNumber":"1002","TxnDate":"2024-01-31","DueDate":"2024-03-01","TotalAmt":300.00,"Balance":0,
  "CustomerRef":{"value":"58"},"CurrencyRef":{"value":"USD"},
  "MetaData":{"CreateTime":"2024-01-31T09:00:00-08:00","LastUpdatedTime":"2024-01-31T09:00:00-08:00"}},
 {"Id":"3","DocNumber":"1003","TxnDate":"2024-01-31","DueDate":"2024-02-29","TotalAmt":99.5,"Balance":99.5,
  "CustomerRef":{"value":"7"},"CurrencyRef":{"value":"CAD"},
  "MetaData":{"CreateTime":"2024-02-01T09:00:00-08:00","LastUpdatedTime":"2024-02-01T09:00:00-08:00"}},
 {"Id":"4","DocNumber":"A-1","TxnDate":"2024-02-01","DueDate":"2024-03-02","TotalAmt":2500,"Balance":2500,
  "CustomerRef":{"value":"7"},
  "MetaData":{"CreateTime":"2024-02-01T10:00:00Z","LastUpdatedTime":"2024-02-01T10:00:00Z"}},
 {"Id":"5","DocNumber":"1005","TxnDate":"2023-12-31","DueDate":"2024-01-30","TotalAmt":300.01,"Balance":300.01,
  "CustomerRef":{"value":"58"},"SalesTermRef":{"value":"3"},
  "MetaData":{"CreateTime":"2023-12-31T09:00:00-08:00","LastUpdatedTime":"2023-12-31T09:00:00-08:00"}}
]`

func decodeRows(t testing.TB, s string) []map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var rows []map[string]any
	if err := dec.Decode(&rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

func ids(rows []map[string]any) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, r["Id"].(string))
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		stmt string
		want *Query
	}{
		{
			name: "select all defaults",
			stmt: "SELECT * FROM Customer",
			want: &Query{Entity: "Customer", StartPosition: 1, MaxResults: 100},
		},
		{
			name: "count",
			stmt: "SELECT count( * ) FROM Invoice WHERE CustomerRef = '58'",
			want: &Query{Entity: "Invoice", Count: true, StartPosition: 1, MaxResults: 100,
				Where: []Condition{{Property: "CustomerRef", Op: "=", Values: []Value{{Text: "58", Quoted: true}}}}},
		},
		{
			name: "case-insensitive keywords entity and property",
			stmt: "SELECT * from cUstomer where givenname = 'Greg' Startposition 10",
			want: &Query{Entity: "Customer", StartPosition: 10, MaxResults: 100,
				Where: []Condition{{Property: "GivenName", Op: "=", Values: []Value{{Text: "Greg", Quoted: true}}}}},
		},
		{
			name: "escaped quote and backslash",
			stmt: `SELECT * FROM Customer WHERE DisplayName = 'Amy\'s \\ \q'`,
			want: &Query{Entity: "Customer", StartPosition: 1, MaxResults: 100,
				Where: []Condition{{Property: "DisplayName", Op: "=", Values: []Value{{Text: `Amy's \ q`, Quoted: true}}}}},
		},
		{
			name: "quote inside a string cannot inject an AND",
			stmt: `SELECT * FROM Customer WHERE DisplayName = 'x\' AND Id = \'1'`,
			want: &Query{Entity: "Customer", StartPosition: 1, MaxResults: 100,
				Where: []Condition{{Property: "DisplayName", Op: "=", Values: []Value{{Text: `x' AND Id = '1`, Quoted: true}}}}},
		},
		{
			name: "keywords inside a string are text",
			stmt: `SELECT * FROM Customer WHERE DisplayName = 'a OR b MAXRESULTS 5'`,
			want: &Query{Entity: "Customer", StartPosition: 1, MaxResults: 100,
				Where: []Condition{{Property: "DisplayName", Op: "=", Values: []Value{{Text: "a OR b MAXRESULTS 5", Quoted: true}}}}},
		},
		{
			name: "all operators, IN with null, numbers and booleans",
			stmt: "SELECT * FROM Customer WHERE Id IN ('1', 2, ' ') AND Active IN ( true, FALSE ) AND Balance >= -1.5" +
				" AND Balance <= 10 AND Balance < '9' AND Balance > 0 AND DisplayName LIKE 'Ac%' AND DisplayName = ' '",
			want: &Query{Entity: "Customer", StartPosition: 1, MaxResults: 100, Where: []Condition{
				{Property: "Id", Op: "IN", Values: []Value{{Text: "1", Quoted: true}, {Text: "2"}, {Text: " ", Quoted: true, Null: true}}},
				{Property: "Active", Op: "IN", Values: []Value{{Text: "true"}, {Text: "FALSE"}}},
				{Property: "Balance", Op: ">=", Values: []Value{{Text: "-1.5"}}},
				{Property: "Balance", Op: "<=", Values: []Value{{Text: "10"}}},
				{Property: "Balance", Op: "<", Values: []Value{{Text: "9", Quoted: true}}},
				{Property: "Balance", Op: ">", Values: []Value{{Text: "0"}}},
				{Property: "DisplayName", Op: "LIKE", Values: []Value{{Text: "Ac%", Quoted: true}}},
				{Property: "DisplayName", Op: "=", Values: []Value{{Text: " ", Quoted: true}}},
			}},
		},
		{
			name: "dotted property, orderby keys, paging in either order",
			stmt: "SELECT * FROM Invoice WHERE metadata.lastupdatedtime > '2024-01-01' " +
				"ORDERBY TxnDate DESC, totalamt asc, Id MAXRESULTS 2 STARTPOSITION 3",
			want: &Query{Entity: "Invoice", StartPosition: 3, MaxResults: 2,
				Where:   []Condition{{Property: "MetaData.LastUpdatedTime", Op: ">", Values: []Value{{Text: "2024-01-01", Quoted: true}}}},
				OrderBy: []Order{{Property: "TxnDate", Desc: true}, {Property: "TotalAmt"}, {Property: "Id"}}},
		},
		{
			name: "no spaces around punctuation, newlines",
			stmt: "SELECT*FROM Invoice\nWHERE Id IN('1','2')AND TotalAmt>='300.00'\nSTARTPOSITION 1 MAXRESULTS 1000",
			want: &Query{Entity: "Invoice", StartPosition: 1, MaxResults: 1000, Where: []Condition{
				{Property: "Id", Op: "IN", Values: []Value{{Text: "1", Quoted: true}, {Text: "2", Quoted: true}}},
				{Property: "TotalAmt", Op: ">=", Values: []Value{{Text: "300.00", Quoted: true}}},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.stmt, testSchema)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.stmt, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.stmt, diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	parseErr := func(detail string) *Error {
		return &Error{Code: "4000", Message: "Error parsing query", Detail: "QueryParserError: " + detail}
	}
	invalid := func(detail string) *Error {
		return &Error{Code: "4001", Message: "Invalid query", Detail: "QueryValidationError: " + detail}
	}
	tests := []struct {
		name string
		stmt string
		want *Error
	}{
		{"OR", "SELECT * FROM Customer WHERE Id = '1' OR Id = '2'",
			parseErr(`Encountered " <IDENTIFIER> "OR "" at line 1, column 39.`)},
		{"OR injected after a closed quote", "SELECT * FROM Customer WHERE DisplayName = 'x' or '1'='1'",
			parseErr(`Encountered " <IDENTIFIER> "or "" at line 1, column 48.`)},
		{"GROUP BY", "SELECT * FROM Invoice GROUP BY CustomerRef",
			parseErr(`Encountered " <IDENTIFIER> "GROUP "" at line 1, column 23.`)},
		{"JOIN", "SELECT * FROM Invoice JOIN Customer",
			parseErr(`Encountered " <IDENTIFIER> "JOIN "" at line 1, column 23.`)},
		{"column list", "SELECT Id, DisplayName FROM Customer",
			parseErr(`Encountered " <IDENTIFIER> "Id "" at line 1, column 8.`)},
		{"two entities", "SELECT * FROM Customer, Invoice",
			parseErr(`Encountered " "," ", "" at line 1, column 23.`)},
		{"not equal", "SELECT * FROM Customer WHERE Id != '1'",
			parseErr(`Encountered " "!=" "!= "" at line 1, column 33.`)},
		{"angle not equal", "SELECT * FROM Customer WHERE Id <> '1'",
			parseErr(`Encountered " "<>" "<> "" at line 1, column 33.`)},
		{"NOT before condition", "SELECT * FROM Customer WHERE NOT Active = true",
			parseErr(`Encountered " <IDENTIFIER> "Active "" at line 1, column 34.`)},
		{"NOT LIKE", "SELECT * FROM Customer WHERE DisplayName NOT LIKE 'a%'",
			parseErr(`Encountered " <IDENTIFIER> "NOT "" at line 1, column 42.`)},
		{"parenthesised condition", "SELECT * FROM Customer WHERE (Id = '1')",
			parseErr(`Encountered " "(" "( "" at line 1, column 30.`)},
		{"lone bang", "SELECT * FROM Customer WHERE Id ! '1'",
			parseErr(`Lexical error at line 1, column 33.  Encountered: "!" (33), after : ""`)},
		{"unterminated string", "SELECT * FROM Customer WHERE DisplayName = 'Amy",
			parseErr(`Lexical error at line 1, column 48.  Encountered: <EOF> after : "\'Amy"`)},
		{"escaped closing quote leaves string open", `SELECT * FROM Customer WHERE DisplayName = 'Amy\'`,
			parseErr(`Lexical error at line 1, column 50.  Encountered: <EOF> after : "\'Amy\\\'"`)},
		{"trailing garbage", "SELECT * FROM Customer MAXRESULTS 10 garbage",
			parseErr(`Encountered " <IDENTIFIER> "garbage "" at line 1, column 38.`)},
		{"trailing semicolon", "SELECT * FROM Customer;",
			parseErr(`Lexical error at line 1, column 23.  Encountered: ";" (59), after : ""`)},
		{"trailing string after value", "SELECT * FROM Customer WHERE Id = '1' '2'",
			parseErr(`Encountered " <STRING_LITERAL> "\'2\' "" at line 1, column 39.`)},
		{"empty", "", parseErr(`Encountered "<EOF>" at line 1, column 1.`)},
		{"missing value", "SELECT * FROM Customer WHERE Id =",
			parseErr(`Encountered "<EOF>" at line 1, column 34.`)},
		{"ORDER BY in two words", "SELECT * FROM Invoice ORDER BY Id",
			parseErr(`Encountered " <IDENTIFIER> "ORDER "" at line 1, column 23.`)},
		{"reserved word as entity", "SELECT * FROM where",
			parseErr(`Encountered " "WHERE" "where "" at line 1, column 15.`)},
		{"duplicate MAXRESULTS", "SELECT * FROM Customer MAXRESULTS 1 MAXRESULTS 2",
			parseErr(`Encountered " "MAXRESULTS" "MAXRESULTS "" at line 1, column 37.`)},
		{"paging before ORDERBY", "SELECT * FROM Invoice MAXRESULTS 1 ORDERBY Id",
			parseErr(`Encountered " "ORDERBY" "ORDERBY "" at line 1, column 36.`)},
		{"quoted MAXRESULTS", "SELECT * FROM Customer MAXRESULTS '5'",
			parseErr(`Encountered " <STRING_LITERAL> "\'5\' "" at line 1, column 35.`)},
		{"LIKE needs a string", "SELECT * FROM Customer WHERE Balance LIKE 5",
			parseErr(`Encountered " <INTEGER_LITERAL> "5 "" at line 1, column 43.`)},
		{"empty IN", "SELECT * FROM Customer WHERE Id IN ()",
			parseErr(`Encountered " ")" ") "" at line 1, column 37.`)},
		{"identifier as value", "SELECT * FROM Customer WHERE Id = Name",
			parseErr(`Encountered " <IDENTIFIER> "Name "" at line 1, column 35.`)},
		{"error on line 2", "SELECT * FROM Customer\nWHERE Id = 1.5 OR",
			parseErr(`Encountered " <IDENTIFIER> "OR "" at line 2, column 16.`)},
		{"non-ASCII escaped", "SELECT * FROM Customer WHERE Id = 'é' é",
			parseErr(`Lexical error at line 1, column 39.  Encountered: "\u00e9" (233), after : ""`)},

		{"unknown entity", "SELECT * FROM Foo", invalid("Entity 'Foo' is not supported")},
		{"non-filterable field", "SELECT * FROM Invoice WHERE PrivateNote = 'x'",
			invalid("property 'PrivateNote' is not queryable")},
		{"filterable on another entity only", "SELECT * FROM Invoice WHERE displayname = 'x'",
			invalid("property 'displayname' is not queryable")},
		{"non-sortable field", "SELECT * FROM Invoice ORDERBY CustomerRef",
			invalid("property 'CustomerRef' is not queryable")},
		{"MAXRESULTS 1001", "SELECT * FROM Invoice MAXRESULTS 1001", invalid("MAXRESULTS must be between 1 and 1000")},
		{"MAXRESULTS 0", "SELECT * FROM Invoice MAXRESULTS 0", invalid("MAXRESULTS must be between 1 and 1000")},
		{"MAXRESULTS overflow", "SELECT * FROM Invoice MAXRESULTS 99999999999999999999999",
			invalid("MAXRESULTS must be between 1 and 1000")},
		{"STARTPOSITION 0", "SELECT * FROM Invoice STARTPOSITION 0", invalid("STARTPOSITION must be a positive integer")},
		{"STARTPOSITION fraction", "SELECT * FROM Invoice STARTPOSITION 1.5",
			invalid("STARTPOSITION must be a positive integer")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.stmt, testSchema)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want error", tt.stmt, q)
			}
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("Parse(%q) error %T %v, want *Error", tt.stmt, err, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) error mismatch (-want +got):\n%s", tt.stmt, diff)
			}
		})
	}
}

func TestRun(t *testing.T) {
	rows := map[string][]map[string]any{
		"Customer": decodeRows(t, customersJSON),
		"Invoice":  decodeRows(t, invoicesJSON),
	}
	sensitive := Options{}
	insensitive := DefaultOptions()
	tests := []struct {
		name      string
		stmt      string
		opt       Options
		wantIDs   []string
		wantTotal int
	}{
		// Strings, escapes and injection.
		{"escaped quote matches", `SELECT * FROM Customer WHERE DisplayName = 'Amy\'s Bird Sanctuary'`, sensitive, []string{"1"}, 1},
		{"escaped backslash matches", `SELECT * FROM Customer WHERE DisplayName = 'Back\\slash Ltd'`, sensitive, []string{"6"}, 1},
		{"injected AND stays text", `SELECT * FROM Customer WHERE DisplayName = 'O\'Brien AND Id = \'1\''`, sensitive, []string{"10"}, 1},
		{"case-sensitive value", "SELECT * FROM Customer WHERE DisplayName = 'acme corp'", sensitive, []string{}, 0},
		{"case-insensitive value", "SELECT * FROM Customer WHERE DisplayName = 'acme corp'", insensitive, []string{"2"}, 1},
		{"case-insensitive everything", "select * from cUstomer where givenname = 'AMY' Startposition 1", insensitive, []string{"1"}, 1},

		// IN.
		{"IN strings", "SELECT * FROM Customer WHERE Id IN ('1', '3', '99')", sensitive, []string{"1", "3"}, 2},
		{"IN numbers", "SELECT * FROM Customer WHERE Id IN (2, 4, 10)", sensitive, []string{"2", "4", "10"}, 3},
		{"IN numeric balance", "SELECT * FROM Customer WHERE Balance IN (239, 12.50)", sensitive, []string{"1", "4"}, 2},
		{"IN null matches absent and JSON null", "SELECT * FROM Customer WHERE PrimaryEmailAddr IN (' ')", sensitive, []string{"4", "6", "10"}, 3},
		{"IN null or value", "SELECT * FROM Customer WHERE Balance IN (' ', '0')", sensitive, []string{"2", "5", "6"}, 3},
		{"= ' ' is not null", "SELECT * FROM Customer WHERE PrimaryEmailAddr = ' '", sensitive, []string{}, 0},
		{"IN booleans", "SELECT * FROM Customer WHERE Active IN (true, false)", sensitive, []string{"1", "2", "3", "4", "5", "6", "10"}, 7},
		{"boolean any case", "SELECT * FROM Customer WHERE Active = FALSE", sensitive, []string{"5", "6"}, 2},
		{"quoted boolean", "SELECT * FROM Customer WHERE Active = 'false'", sensitive, []string{"5", "6"}, 2},

		// LIKE.
		{"LIKE prefix", "SELECT * FROM Customer WHERE DisplayName LIKE 'Ac%'", sensitive, []string{"2"}, 1},
		{"LIKE contains, case-insensitive", "SELECT * FROM Customer WHERE DisplayName LIKE '%corp%'", insensitive, []string{"2", "3"}, 2},
		{"LIKE contains, case-sensitive", "SELECT * FROM Customer WHERE DisplayName LIKE '%corp%'", sensitive, []string{"3"}, 1},
		{"LIKE underscore is literal", "SELECT * FROM Customer WHERE DisplayName LIKE 'A_c%'", sensitive, []string{"4"}, 1},
		{"LIKE without wildcard is equality", "SELECT * FROM Customer WHERE DisplayName LIKE 'Acme'", sensitive, []string{}, 0},
		{"LIKE several wildcards", "SELECT * FROM Customer WHERE DisplayName LIKE '%a%c%y'", sensitive, []string{"1"}, 1},
		{"LIKE on email", "SELECT * FROM Customer WHERE PrimaryEmailAddr LIKE '%@acme.example'", sensitive, []string{"2"}, 1},

		// References and emails.
		{"CustomerRef compares value", "SELECT * FROM Invoice WHERE CustomerRef = '58'", sensitive, []string{"1", "2", "5"}, 3},
		{"CustomerRef unquoted", "SELECT * FROM Invoice WHERE CustomerRef = 7", sensitive, []string{"3", "4"}, 2},
		{"SalesTermRef", "SELECT * FROM Invoice WHERE SalesTermRef = '3'", sensitive, []string{"1", "5"}, 2},
		{"CurrencyRef", "SELECT * FROM Invoice WHERE CurrencyRef = 'USD'", sensitive, []string{"1", "2"}, 2},
		{"PrimaryEmailAddr", "SELECT * FROM Customer WHERE PrimaryEmailAddr = 'x@y.com'", sensitive, []string{"3"}, 1},
		{"PrimaryEmailAddr case-insensitive", "SELECT * FROM Customer WHERE PrimaryEmailAddr = 'birds@intuit.com'", insensitive, []string{"1"}, 1},

		// Numbers.
		{"quoted number compares numerically", "SELECT * FROM Invoice WHERE TotalAmt > '300.00'", sensitive, []string{"1", "4", "5"}, 3},
		{"quoted number equality", "SELECT * FROM Invoice WHERE TotalAmt = '300'", sensitive, []string{"2"}, 1},
		{"unquoted number", "SELECT * FROM Invoice WHERE TotalAmt <= 300.01", sensitive, []string{"2", "3", "5"}, 3},
		{"numeric string Id", "SELECT * FROM Customer WHERE Id > '9'", sensitive, []string{"10"}, 1},
		{"negative literal", "SELECT * FROM Customer WHERE Balance > -1", sensitive, []string{"1", "2", "3", "4", "5", "10"}, 6},
		{"non-numeric DocNumber falls back to strings", "SELECT * FROM Invoice WHERE DocNumber >= 'A'", sensitive, []string{"4"}, 1},

		// Dates.
		{"TxnDate on or after", "SELECT * FROM Invoice WHERE TxnDate >= '2024-01-31'", sensitive, []string{"2", "3", "4"}, 3},
		{"TxnDate equality", "SELECT * FROM Invoice WHERE TxnDate = '2024-01-31'", sensitive, []string{"2", "3"}, 2},
		{"DueDate range", "SELECT * FROM Invoice WHERE DueDate > '2024-02-01' AND DueDate < '2024-03-01'", sensitive, []string{"1", "3"}, 2},
		{"LastUpdatedTime as instants", "SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime > '2024-02-01T00:00:00Z'",
			sensitive, []string{"1", "3", "4"}, 3},
		{"LastUpdatedTime with offset literal", "SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime >= '2024-02-01T09:00:00-08:00'",
			sensitive, []string{"3"}, 1}, // 4 is 10:00Z = 02:00-08:00, though it sorts after as text
		{"date-only literal against datetime uses the value's offset", "SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime >= '2024-02-01'",
			sensitive, []string{"3", "4"}, 2},
		{"date-only literal, earlier day", "SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime < '2024-01-31'",
			sensitive, []string{"5"}, 1},
		{"CreateTime", "SELECT * FROM Invoice WHERE MetaData.CreateTime <= '2024-01-15T09:00:00-08:00'", sensitive, []string{"1", "5"}, 2},

		// AND, ORDERBY, paging.
		{"AND", "SELECT * FROM Invoice WHERE CustomerRef = '58' AND Balance > '0'", sensitive, []string{"1", "5"}, 2},
		{"no ORDERBY keeps input order", "SELECT * FROM Invoice", sensitive, []string{"1", "2", "3", "4", "5"}, 5},
		{"ORDERBY DESC", "SELECT * FROM Invoice ORDERBY TotalAmt DESC", sensitive, []string{"4", "1", "5", "2", "3"}, 5},
		{"ORDERBY numeric not lexical", "SELECT * FROM Invoice ORDERBY TotalAmt", sensitive, []string{"3", "2", "5", "1", "4"}, 5},
		{"ORDERBY two keys", "SELECT * FROM Invoice ORDERBY TxnDate DESC, TotalAmt ASC", sensitive, []string{"4", "3", "2", "1", "5"}, 5},
		{"ORDERBY two keys other way", "SELECT * FROM Invoice ORDERBY TxnDate, TotalAmt DESC", sensitive, []string{"5", "1", "2", "3", "4"}, 5},
		{"ORDERBY datetime instants", "SELECT * FROM Invoice ORDERBY MetaData.LastUpdatedTime DESC", sensitive, []string{"3", "4", "1", "2", "5"}, 5},
		{"ORDERBY nulls first", "SELECT * FROM Customer WHERE Active = false ORDERBY Balance", sensitive, []string{"6", "5"}, 2},
		{"ORDERBY strings case-insensitive", "SELECT * FROM Customer WHERE Id IN ('1','2','4','5') ORDERBY DisplayName", insensitive,
			[]string{"4", "5", "2", "1"}, 4},
		{"ORDERBY strings case-sensitive", "SELECT * FROM Customer WHERE Id IN ('1','2','4','5') ORDERBY DisplayName", sensitive,
			[]string{"4", "5", "2", "1"}, 4},
		{"MAXRESULTS then STARTPOSITION", "SELECT * FROM Invoice ORDERBY Id MAXRESULTS 2 STARTPOSITION 3", sensitive, []string{"3", "4"}, 5},
		{"STARTPOSITION then MAXRESULTS", "SELECT * FROM Invoice ORDERBY Id STARTPOSITION 3 MAXRESULTS 2", sensitive, []string{"3", "4"}, 5},
		{"last partial page", "SELECT * FROM Invoice STARTPOSITION 5 MAXRESULTS 2", sensitive, []string{"5"}, 5},
		{"past the end", "SELECT * FROM Invoice STARTPOSITION 6 MAXRESULTS 2", sensitive, []string{}, 5},
		{"COUNT total", "SELECT COUNT(*) FROM Invoice WHERE CustomerRef = '58'", sensitive, []string{"1", "2", "5"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.stmt, testSchema)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.stmt, err)
			}
			page, total := q.Run(rows[q.Entity], tt.opt)
			if diff := cmp.Diff(tt.wantIDs, ids(page)); diff != "" {
				t.Errorf("Run(%q) ids mismatch (-want +got):\n%s", tt.stmt, diff)
			}
			if total != tt.wantTotal {
				t.Errorf("Run(%q) total = %d, want %d", tt.stmt, total, tt.wantTotal)
			}
		})
	}
}

func TestRunDefaultPageSize(t *testing.T) {
	var rows []map[string]any
	for range 250 {
		rows = append(rows, map[string]any{"Id": "1"})
	}
	q, err := Parse("SELECT * FROM Customer", testSchema)
	if err != nil {
		t.Fatal(err)
	}
	page, total := q.Run(rows, Options{})
	if len(page) != 100 || total != 250 {
		t.Errorf("Run: len(page) = %d, total = %d; want 100, 250", len(page), total)
	}
}

// TestMatchFloat64 covers rows decoded without UseNumber and built by hand.
func TestMatchFloat64(t *testing.T) {
	tests := []struct {
		stmt   string
		entity map[string]any
		want   bool
	}{
		{"SELECT * FROM Invoice WHERE TotalAmt > '300.00'", map[string]any{"TotalAmt": 1000.0}, true},
		{"SELECT * FROM Invoice WHERE TotalAmt > '300.00'", map[string]any{"TotalAmt": 300.0}, false},
		{"SELECT * FROM Invoice WHERE TotalAmt = '0.1'", map[string]any{"TotalAmt": 0.1}, true},
		{"SELECT * FROM Invoice WHERE TotalAmt = 42", map[string]any{"TotalAmt": 42}, true},
		{"SELECT * FROM Invoice WHERE TotalAmt = 1000", map[string]any{"TotalAmt": json.Number("1e3")}, true},
		{"SELECT * FROM Invoice WHERE TotalAmt = 0", map[string]any{"TotalAmt": json.Number("-0.00")}, true},
		{"SELECT * FROM Invoice WHERE TotalAmt < -2", map[string]any{"TotalAmt": -10.0}, true},
		{"SELECT * FROM Invoice WHERE TotalAmt > -2", map[string]any{"TotalAmt": -10.0}, false},
		{"SELECT * FROM Invoice WHERE CustomerRef = '58'", map[string]any{"CustomerRef": map[string]any{"name": "x"}}, false},
		{"SELECT * FROM Invoice WHERE CustomerRef IN (' ')", map[string]any{}, true},
		{"SELECT * FROM Invoice WHERE CustomerRef = '58'", map[string]any{}, false},
		{"SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime > '2024-01-01'", map[string]any{"MetaData": "flat"}, false},
		{"SELECT * FROM Invoice WHERE metadata.lastupdatedtime > '2024-01-01'",
			map[string]any{"metadata": map[string]any{"lastUpdatedTime": "2024-01-02T00:00:00Z"}}, true},
	}
	for _, tt := range tests {
		q, err := Parse(tt.stmt, testSchema)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.stmt, err)
		}
		if got := q.Match(tt.entity, Options{}); got != tt.want {
			t.Errorf("Parse(%q).Match(%v) = %v, want %v", tt.stmt, tt.entity, got, tt.want)
		}
	}
}

func TestErrorString(t *testing.T) {
	_, err := Parse("SELECT * FROM Foo", testSchema)
	want := "qboql: 4001 Invalid query: QueryValidationError: Entity 'Foo' is not supported"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"SELECT * FROM Customer",
		"SELECT COUNT(*) FROM Invoice WHERE CustomerRef = '58'",
		`SELECT * FROM Customer WHERE DisplayName = 'Amy\'s Bird Sanctuary'`,
		"SELECT * FROM Customer WHERE Id IN ('1', 2, ' ') AND Active IN (true, false) MAXRESULTS 2 STARTPOSITION 3",
		"SELECT * FROM Invoice WHERE TotalAmt > '300.00' ORDERBY TxnDate DESC, Id STARTPOSITION 1 MAXRESULTS 10",
		"SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime >= '2024-02-01' AND DocNumber LIKE '%1_0%'",
		"SELECT * FROM Customer WHERE Id != '1' OR x",
		"SELECT * FROM Customer WHERE DisplayName = 'unterminated",
		"select * from customer where balance < -1.5",
	} {
		f.Add(s)
	}
	rows := decodeRows(f, invoicesJSON)
	rows = append(rows, decodeRows(f, customersJSON)...)
	f.Fuzz(func(t *testing.T, stmt string) {
		q, err := Parse(stmt, testSchema)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) error %T, want *Error", stmt, err)
			}
			if e.Code != "4000" && e.Code != "4001" || !strings.HasPrefix(e.Detail, "Query") {
				t.Fatalf("Parse(%q) error = %+v", stmt, e)
			}
			return
		}
		if q.StartPosition < 1 || q.MaxResults < 1 || q.MaxResults > 1000 {
			t.Fatalf("Parse(%q) paging = %d, %d", stmt, q.StartPosition, q.MaxResults)
		}
		for _, opt := range []Options{{}, DefaultOptions()} {
			page, total := q.Run(rows, opt)
			if len(page) > total || len(page) > q.MaxResults {
				t.Fatalf("Run(%q) len(page) = %d, total = %d", stmt, len(page), total)
			}
		}
	})
}
