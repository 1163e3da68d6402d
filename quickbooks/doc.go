// Package quickbooks is the QuickBooks Online (QBO) adapter: Client
// implements app.QuickBooks and app.ChangeFeed over QBO's Accounting API for any number of
// connections and companies (realms).
//
// Wire facts come from /work/shared/reference/quickbooks.md ("reference n"
// below); errors follow DESIGN.md section 3.
//
// # Shape
//
//   - client.go: Config, New, and the request core do(ctx, conn, method,
//     path, query, body, out): one loop (call, over a request) that
//     authenticates, waits for the realm's limits, sends, classifies and
//     retries. Every call (customers, items, tax codes, terms, invoice
//     create, send, PDF, search) is a few lines over it; a request can
//     also set its Accept header, a Content-Type for an empty body, take
//     the answer raw instead of decoding JSON, and cap a success's size.
//   - classify.go: the one place where an answer becomes an app code.
//   - errors.go: UpstreamError, the wire detail kept for logs.
//   - tokens.go: access tokens, refresh, the per-connection token cache.
//   - limits.go: the per-realm budget, kept by a ratelimit.Limiter.
//   - retry.go: bounded backoff with full jitter.
//   - query.go: QuoteLiteral, id checks and a small SELECT builder.
//   - company.go, invoices.go, lists.go, create.go, search.go, send.go:
//     the app.QuickBooks methods (reads of the company, invoices and
//     lists; the creates; the invoice search; the PDF and the send).
//   - changes.go: app.ChangeFeed for the background sync: change data
//     capture (paged past QBO's 1,000 objects per answer, clamped to its 30
//     days) and a payment's invoices.
//
// # Behaviour
//
// Requests: Accept: application/json, Authorization: Bearer, Content-Type
// for bodies, a User-Agent naming the app, and ?minorversion=75 on every
// data call (reference 1.1). Answers are read up to 10 MB (the PDF: up to
// the caller's limit).
//
// Errors are *app.Error values wrapping an *UpstreamError (HTTP status, QBO
// fault code and type, element, Intuit-Tid, operation path, attempts). The
// message is always ours: QBO's Message only for validation faults without
// a message of our own, never a raw body, never a token. The auth gateway's
// 401 Detail echoes the bearer token, so auth faults keep no Detail at all.
//
//	400 ValidationFault  by code: 6240 and 6140 Conflict; 5010 Conflict
//	                     ("changed in QuickBooks meanwhile"); 610 NotFound;
//	                     2500, 2020, 6000 (its Detail), others Invalid;
//	                     4000, 4001, 2010, 500 Internal (our query or body
//	                     is wrong, the rep cannot fix it); 6190 NotConnected
//	                     (the creates reword some messages: "Creates" below)
//	200 with a Fault     classified as that fault
//	401                  refresh once and repeat once; then NotConnected
//	403                  NotConnected "refused access to this company" (3100:
//	                     a token of another company, or a user no longer
//	                     admin; reconnecting is the fix, and Forbidden is
//	                     reserved for another HubSpot portal's data). The
//	                     old XML throttle answer with 403 is treated as 429
//	408, 429, 5xx,       retried (exponential backoff, full jitter, at most
//	transport errors     MaxRetries) when the call is idempotent; then
//	                     Unavailable "QuickBooks is busy, try again in a
//	                     minute."
//	context done         Unavailable, with the context's error in the chain
//	                     (errors.Is(err, context.DeadlineExceeded) holds);
//	                     nothing is retried after it and no wait that would
//	                     outlast the deadline is started
//
// Idempotent means a GET, or a POST carrying ?requestid= (QBO answers a
// repeat with the first answer, reference 1.1). A POST without requestid is
// never retried after it may have reached QBO: a duplicate invoice is worse
// than an error.
//
// Lists (Customers, Items, TaxCodes, Terms) page with SELECT * FROM
// <Entity> STARTPOSITION n MAXRESULTS 1000 until a short page (an empty
// one is {} without the entity key), drop repeated ids and inactive rows
// (a SELECT * already leaves them out; the TAX and NON pseudo codes carry
// no Active flag and count as active), and stop after 100 full pages with
// a warning. No ORDERBY: whether Id is sortable is unverified (reference
// 2). Items leaves out Category and Group items, which a sales line cannot
// carry, and rounds a unit price with more than two decimals to the cent.
// A US customer's DefaultTaxCodeRef (a tax group) is not reported as its
// TaxCodeID. RecentDocNumbers is one SELECT * FROM Invoice ORDERBY
// MetaData.CreateTime DESC MAXRESULTS n (n at most 1000), numberless
// invoices left out. NameInUse asks Customer, Vendor and Employee in turn,
// DisplayName = QuoteLiteral(name) AND Active IN (true, false), and stops
// at the first holder; a backslash is Invalid before any call.
//
// Creates (CreateCustomer, CreateInvoice) require a requestid (1 to 50
// characters) and send our own request types (departure 4 below). Input
// QBO would refuse is Invalid before any call, with the line named:
// non-digit ids, no lines or more than 750, a US line code other than
// TAX/NON, a non-US line without a tax code, Qty × UnitPrice not whole
// cents (QBO's 6070), a DocNumber over 21 characters, a customer name
// that is empty or holds ':', a tab or a line break. Outside the US
// (Connection.Country other than "US", empty included) invoices carry
// GlobalTaxCalculation TaxExcluded. The invoice is a draft (EmailStatus
// NotSet). QBO's faults keep classify's code, and reword (classify.go)
// names what was sent: 6240 the display name, 6140 the number, 2500 and
// 6100 the line; 610 says which references can be inactive; 6000 keeps
// QBO's sentence. QBO answers a repeated requestid with its first answer,
// a fault included: after a refused create, a changed invoice needs a new
// requestid.
//
// QueryInvoices is one SELECT * FROM Invoice [WHERE DocNumber = '…' AND
// TotalAmt = '300.00' AND CustomerRef IN ('1','2')] ORDERBY
// MetaData.CreateTime DESC STARTPOSITION offset+1 MAXRESULTS limit, with
// only the criteria set (a trimmed non-empty DocNumber, a non-nil Amount, a
// non-empty CustomerIDs). Invalid before any call: limit outside 1..1000,
// a negative offset, a DocNumber with a backslash or a control character
// or over 21 characters, a customer id not digits, more than 1000 ids.
// Rows map as Invoices maps them; no match is an empty slice.
//
// InvoicePDF is GET invoice/{id}/pdf with Accept: application/pdf, the
// answer taken raw: a success is read up to maxBytes+1 bytes and a larger
// one is Invalid ("The invoice PDF is larger than 10 MB."), never cut; an
// answer not starting with %PDF- is Internal. Whether QBO answers faults
// as JSON to that Accept is unverified; the fake does, and classify treats
// any other 400 body as Internal.
//
// SendInvoice is POST invoice/{id}/send[?sendTo=…][&requestid=…] with no
// body and Content-Type application/octet-stream (Intuit's documented
// type, reference 8 [?]); the answer is the Invoice, EmailSent, mapped as
// Invoices maps it (QBO stores sendTo as BillEmail). The address is
// checked loosely before any call (an @, no spaces or control characters,
// at most 100 characters; QBO's 6000 names a bad one). Retried only with a
// requestID, as any POST: a second e-mail to a customer is worse than an
// error. For the PDF and the send, 610 says the invoice no longer exists;
// a send with no address given or stored (2020 on BillEmail) is Invalid
// and says to give one.
//
// Tokens, limits and retries are described in tokens.go, limits.go and
// retry.go. The limits are per process; sharing a realm's budget across
// replicas comes with the Redis issue.
//
// # What is used of rwestlund/quickbooks-go, and what is not
//
// Used, because they decode QBO's JSON correctly (checked against the
// fake's answers in library_test.go): qb.Failure for the validation fault
// envelope (HTTP 400 or inside a 200), qb.BearerToken for the token
// endpoint's answer, qb.CompanyInfo (embedded, plus DefaultTimeZone), and
// qb.ReferenceType and qb.EmailAddress inside our own read types.
//
// Not used: qb.Client and every method on it. NewClient cannot be called
// offline, and a Client cannot be built without it (its endpoint is
// unexported), so the request core is ours. Each departure, why, and the
// test that proves ours (reference 8 numbers the library's defects):
//
//  1. NewClient GETs the discovery document with a fresh http.Client, and
//     the token helpers post with fresh clients (defect 1). We never fetch
//     discovery: APIBaseURL and TokenURL are Config, and every call,
//     token calls included, goes through Config.HTTPClient. TestMain makes
//     http.DefaultTransport fail every request, so any default-client use
//     fails the suite; TestCompany asserts zero discovery calls.
//  2. No context.Context and no timeouts (defect 9). Every call takes ctx;
//     the limiter, backoff and refresh waits end with it; the default HTTP
//     client has dial, TLS, header and overall timeouts. TestDeadline,
//     TestCancelledBeforeTheCall, TestWaitBeyondDeadlineIsNotStarted,
//     TestLimiterWindow, TestLimiterSlots.
//  3. FindCustomerByName escapes a quote by doubling it, SQL style (defect
//     6). QuoteLiteral escapes it with a backslash (\'), as Intuit
//     documents, and refuses backslashes and control characters; ids are
//     checked as digits. TestQuoteLiteral,
//     FuzzQuoteLiteral (every accepted literal parses, in the fake's real
//     parser, as exactly the input with nothing injected), TestStatement,
//     TestInvoicesWithoutCalls, TestQuoteLiteralIsNotTheLibrarysEscaping,
//     TestNameInUse (an apostrophe, an injection attempt, a backslash),
//     TestQueryInvoices (an injection attempt), TestQueryInvoicesNewestFirst
//     (a number with an apostrophe, found),
//     TestQueryInvoicesRefusedBeforeAnyCall.
//  4. Its entity structs marshal zero dates, empty {} refs and RFC 3339
//     datetimes (defect 5). do marshals only our own types; no library
//     entity is ever sent. create.go's request types have pointer refs
//     (never {}), omitempty on every optional field, YYYY-MM-DD strings
//     (never a zero date) and json.Number amounts and quantities built
//     from app.Money and app.Quantity (never a float).
//     TestCreateInvoiceRequestBytes and TestCreateCustomerRequestBytes pin
//     the exact bytes.
//  5. A 429 is decoded as success (a zero value with a nil error) and
//     blocks the whole client for 60 s through an unsynchronised flag
//     (defect 2). classify keys on the status first; a 429 is retried and
//     then Unavailable; waiting happens in a per-realm limiter under locks.
//     TestWireFaults ("429 twice, then success": 3 calls; "429 forever":
//     MaxRetries+1 calls), TestClassify, TestLimiterKeepsConcurrencyUnderQBO
//     (30 concurrent calls, never more than 10 in flight, no 429; run with
//     -race).
//  6. RefreshToken overwrites Client.Client unsynchronised and returns the
//     raw body as its error; RetrieveBearerToken drains the body before
//     parsing it (defects 3, 4). exchange posts the refresh itself, keeps
//     only the OAuth "error" code, and tokens live per connection under a
//     mutex with one refresh at a time. TestConcurrentExpiredCallsRefreshOnce
//     (50 callers, one refresh, under -race), TestExpiredTokenIsRefreshedAndSavedFirst,
//     TestTokenEndpointFaults, TestClassifyToken.
//  7. No requestid (defect 9). do passes any query parameter and treats a
//     POST with requestid as safe to retry; the creates require one.
//     TestPostRetriedOnlyWithRequestID, TestCreateIsIdempotentByRequestID
//     (a repeat, a 500 once, an answer lost after QBO created the invoice:
//     one invoice each time; 429 forever: Unavailable, none). SendInvoice
//     passes one through: TestSendInvoiceFaults (a 500 once and a lost
//     answer with a requestid: one send; a 500 without: not retried).
//  8. A Fault inside a 200 is not noticed. classify looks for one in each
//     answer of status 200. TestWireFaults ("200 with a Fault body"), TestClassify.
//  9. Failure is returned by value and the HTTP status is never typed
//     (defect 4). Every error is an *app.Error over an *UpstreamError with
//     the status, code, type, element, Intuit-Tid and path. TestClassify,
//     TestForbiddenRealm, TestRevokedConnection.
//  10. The 401 gateway body does not decode into Failure (epoch-ms "time",
//     defect 4). decodeGateway reads it, without its token-echoing Detail.
//     TestLibraryFailureCannotReadTheGateway,
//     TestUnauthorizedRefreshesOnceAndRetriesOnce, TestNoTokensInErrorsOrLogs.
//  11. Find* return "no invoices could be found" as errors, and page with
//     COUNT(*) then ORDERBY Id (defect 7). Invoices returns what exists, in
//     input order; an empty query answer ({"QueryResponse":{}}) is no
//     error; lists page until a short page, with no COUNT; QueryInvoices
//     is one query, its empty answer an empty slice. TestInvoices (id 999
//     absent), TestListPaging, TestListEndsOnAServerThatNeverDoes,
//     TestQueryInvoices.
//  12. The default minorversion is 65 (reference 1.1). We send 75 on every
//     data call. TestEveryCallCarriesMinorVersionAndHeaders.
//  13. Struct gaps (reference 8): CompanyInfo lacks DefaultTimeZone (we
//     embed it and add the field); there is no Preferences type (ours);
//     Invoice decodes Qty as float32 and every date through a strict Date,
//     so one odd field would fail a page of 1000 (our read type keeps
//     json.Number amounts and string dates, parsed with app.ParseMoney and
//     app.ParseDate). Its Customer lacks CurrencyRef, DefaultTaxCodeRef and
//     SalesTermRef, and it has no TaxCode or Term: lists.go reads into its
//     own small types. TestLibraryCompanyInfoDecodesAndLacksTheZone,
//     TestCompany, TestInvoices, TestCustomers, TestItems, TestTaxCodes,
//     TestTerms.
//  14. Its SendInvoice posts an empty JSON body where Intuit documents
//     application/octet-stream (reference 8 defect 9), and it has no
//     invoice PDF. SendInvoice and InvoicePDF go through our core:
//     TestSendInvoice (the exact call and headers), TestInvoicePDF (Accept,
//     the size limit to the byte), TestInvoicePDFFaults.
//  15. Update*/VoidInvoice re-read the object and overwrite the caller's
//     SyncToken, defeating optimistic concurrency (defect 8). Not used;
//     5010 becomes Conflict for the rep. TestClassify ("5010").
package quickbooks
