// Package qboql parses and evaluates the QuickBooks Online query language
// for the sandbox fake's /v3/company/{realm}/query endpoint.
//
// Parse turns a statement into a Query with a lexer and a recursive-descent
// parser, then checks entity and property names against a Schema supplied
// by the fake. Query.Match tests one entity (a decoded JSON object);
// Query.Run filters, sorts and pages a slice of them. The fake builds the
// response envelope (reference/quickbooks.md §1.9) from Run's page and
// total and the fault envelope (§1.10) from *Error.
//
// # Grammar
//
//	SELECT * | COUNT(*) FROM <Entity>
//	  [WHERE <prop> <op> <value> [AND <prop> <op> <value> ...]]
//	  [ORDERBY <prop> [ASC|DESC][, <prop> [ASC|DESC] ...]]
//	  [STARTPOSITION n] [MAXRESULTS n]
//
// Each rule below cites the row of reference/quickbooks.md §2 it comes from.
//
//   - Grammar (§2, Q1 line). STARTPOSITION and MAXRESULTS may come in
//     either order, each at most once, after ORDERBY ("Pagination":
//     MAXRESULTS 2 STARTPOSITION 3 was recorded).
//   - Operators ("Operators"): =, <, >, <=, >=, IN (v1, ...), LIKE. Not
//     supported, so a 4000 error: !=, <>, NOT.
//   - LIKE ("LIKE wildcard"): % matches any run of characters, including
//     none; every other character is literal, _ included. There is no
//     escape for a literal %. LIKE takes a quoted string only.
//   - Not supported ("Booleans"): OR, GROUP BY, JOIN, column lists
//     (SELECT Id, Name), parentheses around conditions, more than one
//     entity. Each is a 4000 error at the offending token. So are, by our
//     choice, ORDER BY in two words (the documented keyword is ORDERBY) and
//     a trailing semicolon.
//   - Values ("Values"): 'quoted' strings, unquoted numbers (digits with an
//     optional '-' and fraction), true/false in any case. Numbers are often
//     quoted ('300.00'), so quoting does not decide the comparison type.
//   - Escape ("Escape"): inside a quoted string a backslash makes the next
//     character literal: \' is a quote and \\ a backslash; \x is x for any
//     other x. The reference leaves escaping a backslash undocumented; this
//     is our choice. A quote can therefore never end the statement early
//     or inject a condition.
//   - Null ("Null"): ' ' (one quoted space) inside IN stands for null and
//     matches an absent or JSON-null property. Anywhere else it is the
//     one-space string.
//   - Case ("Case"): keywords, entity names and property names are
//     case-insensitive; Query carries the Schema's canonical spelling.
//     Values are case-insensitive per the documentation mirror but
//     unverified live, so it is Options.CaseInsensitiveValues; the zero
//     Options is case-sensitive and DefaultOptions is case-insensitive.
//   - Paging ("Pagination"): STARTPOSITION is 1-based and defaults to 1;
//     MAXRESULTS defaults to 100 and may be at most 1000. Out of range is a
//     4001 error: Q1 gives the maximum, but whether QBO rejects or clamps a
//     larger value is unverified; we reject, in our own wording.
//   - Filterable and sortable fields ("Filterable fields", "Email lookup"):
//     the fake's Schema decides. A WHERE property must be Filterable and
//     an ORDERBY property Sortable, else 4001.
//
// # Comparison
//
// A property path is dotted (MetaData.LastUpdatedTime). When it resolves
// to an object, the object's "value" is compared (CustomerRef = '58'),
// else its "Address" (PrimaryEmailAddr = 'x@y.com'), else its
// "FreeFormNumber"; an object with none of these matches nothing.
// Two texts compare
//
//   - as exact decimal numbers when both are numbers, so TotalAmt >
//     '300.00' against 1000 is true, and Id > '9' against "10" too;
//   - else as instants when both are dates (2024-01-31) or RFC 3339
//     datetimes (2020-09-29T05:58:07-07:00). A value without an offset is
//     read in the other side's offset, so '2020-09-29' against a
//     LastUpdatedTime of 2020-09-29T05:58:07-07:00 means
//     2020-09-29T00:00:00-07:00; two values without offsets compare as UTC;
//   - else as strings, byte-wise, case-folded when CaseInsensitiveValues.
//
// Booleans compare only with true/false. Null (absent) properties satisfy
// no comparison and no LIKE. ORDERBY sorts nulls first ascending (last
// descending) and is stable, so rows keep their input order on ties and
// when there is no ORDERBY (the fake decides that order; QBO's unsorted
// order is unverified, §2 "ORDERBY").
//
// # Errors
//
// Every error is an *Error. Syntax errors are Code "4000", Message "Error
// parsing query", and a Detail in the JavaCC shape QBO shows:
//
//	QueryParserError: Encountered " <IDENTIFIER> "OR "" at line 1, column 45.
//	QueryParserError: Encountered "<EOF>" at line 1, column 40.
//	QueryParserError: Lexical error at line 1, column 40.  Encountered: <EOF> after : "\'Amy"
//
// Columns count characters from 1. The first shape is the one QBO is
// reported to send (not in the recordings of the reference); the <EOF> and
// lexical forms follow JavaCC's conventions and are ours.
// Name and limit errors are Code "4001", Message "Invalid query", with
// Details of our own wording (QBO's is unverified):
//
//	QueryValidationError: Entity 'Foo' is not supported
//	QueryValidationError: property 'Foo' is not queryable
//	QueryValidationError: MAXRESULTS must be between 1 and 1000
//	QueryValidationError: STARTPOSITION must be a positive integer
//
// # Not covered
//
// The default filter "SELECT * FROM Customer returns only active rows"
// (§2 "Inactive rows") and the response envelope are the fake's job. Type
// checking of literals against properties, functions, aliases, and any
// statement outside the grammar above are not implemented.
package qboql
