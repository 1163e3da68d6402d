// Package qbofake is a faithful, in-memory fake of the QuickBooks Online
// (QBO) Accounting API, its OAuth 2.0 endpoints and its webhooks. Every
// test, benchmark and the demo run against it, because no real QBO can be
// reached from our machines. It is product code, not a test helper: it
// never imports testing, and the demo serves it.
//
// Its wire truth is /work/shared/reference/quickbooks.md (cited below as
// "§n"). Where the fake and the reference disagree, the fake is wrong. Where
// the reference marks a fact [?] (unverified), the fake picks the
// documented behaviour and, when it matters, makes it an Option.
//
// # Use
//
//	srv := qbofake.New(qbofake.Options{Now: clock})
//	demo := srv.SeedDemo()                          // or srv.AddCompany(...)
//	client := &http.Client{Transport: srv.Transport()} // *.intuit.com → the fake
//	defer srv.Close()                               // stops webhook goroutines
//
// Transport serves the Intuit hosts listed by Hosts in-process and refuses
// every other host. Listen serves the fake on a loopback port instead; the
// discovery documents then point at that port, so a client configured with
// the listener's URL works end to end: <url>/v3/company/<realm>/…,
// <url>/.well-known/openid_sandbox_configuration, the token and revoke
// endpoints, and <url>/connect/oauth2.
//
// # What it covers
//
//   - Data API (§1): /v3/company/{realm}/{entity}[/{id}] with the entity in
//     any case; create, full update, sparse update, ?operation=void|delete;
//     invoice/{id}/send[?sendTo=]; invoice/{id}/pdf (a hand-written PDF 1.4);
//     query (GET ?query= and POST application/text); cdc; batch;
//     preferences; companyinfo/{realm}. minorversion is accepted and
//     ignored. Every JSON answer carries "time" in the company's offset with
//     milliseconds. Every answer carries Intuit-Tid; successful data API
//     answers also carry Qbo-Version (the recordings show it on 200s only).
//   - Entities: Invoice, Customer, Vendor and Employee (minimal, for the
//     name rule), Item, Payment, Term, TaxCode and TaxRate (read and query
//     only), Preferences, CompanyInfo.
//   - OAuth (§6): discovery, authorize, token (code and refresh), revoke,
//     userinfo. Webhooks (§5.2): signed CloudEvents or legacy payloads with
//     QBO's retry schedule.
//   - Limits (§4): 500 requests/min and 10 concurrent per realm and 40
//     batch calls/min, answered with the 429 XML body; at most 30 items per
//     batch (1040).
//   - Fault injection per route and request counters per route and realm,
//     through sandbox/internal/fakekit.
//
// # What it does not cover
//
// Accounts, classes, departments, estimates, credit memos, sales receipts,
// bills and other entities; XML request and answer bodies (except the 429,
// which QBO always sends as XML); group and category items; Automated Sales Tax
// (sandbox companies do not run it either, §1.5); exchange-rate lookup
// (ExchangeRate defaults to 1); attachments; reports; e-mail delivery;
// signed id_tokens (the jwks set is empty); CDC of TaxCode/TaxRate (QBO
// excludes them too). Batch items run in order and see each other's
// effects, where QBO runs them independently (§4). TaxInclusive amounts are
// approximated: the line amount is read as gross and the tax backed out.
//
// # Routes for Faults and Counters
//
// Data API: "<entity>.<op>" with entity invoice, customer, vendor, employee,
// item, term, payment, taxcode, taxrate and op create, read, update (full
// and sparse), delete, void; plus "invoice.send", "invoice.pdf", "query",
// "cdc", "batch", "preferences", "companyinfo" and "unsupported" (a path
// QBO has no resource for). OAuth: "oauth.discovery", "oauth.authorize",
// "oauth.token", "oauth.revoke", "oauth.userinfo". Webhooks:
// "webhook.deliver" (faults only; see RouteWebhookDeliver). The Route*
// constants name them. A data API request is counted first, then checked
// in this order: bearer token (401), token's realm (403), per-minute
// window and concurrency slots (429), injected fault, requestid replay,
// handler. So Counters().Count("", realm) counts every call a client made,
// even refused ones, and a fault is applied only to calls that would
// otherwise run. Throttled() counts, the same way, only the requests the
// limits answered 429.
//
// SeedInvoices adds thousands of invoices to a company for load tests,
// through the create's own validation but without HTTP, counters, limits
// or webhooks, several per CreateTime second if asked.
//
// # Rules and where they come from
//
// Wire format
//   - Envelopes {"<Entity>":{…},"time":…} and field names, "domain":"QBO",
//     "sparse":false, string Id and SyncToken on every object, none on the
//     TAX/NON pseudo codes: §1.1, §1.5. Field order follows the recordings
//     (R1) so answers read like QBO's.
//   - Output omits empty fields (§1.1), except those QBO prints even when
//     false or empty in the recordings: the invoice's Allow*Payment flags,
//     ApplyTaxAfterDiscount, LinkedTxn [], TotalAmt, Balance.
//   - Money is JSON numbers with two decimals (100.00) and 0 for zero, kept
//     in integer cents and rounded half away from zero (§1.1, R1).
//   - Unknown input properties, matched case-sensitively as Jackson does,
//     are 2010 with the recorded Detail shape naming the field and class
//     (§1.1). Read-only input (Id on create, MetaData, TotalAmt, Balance,
//     HomeBalance, DeliveryInfo, InvoiceLink) is ignored (§1.1).
//   - Our choice: an empty reference object {} and Go's zero date
//     0001-01-01 count as absent, and an RFC 3339 datetime is read as its
//     date. rwestlund/quickbooks-go sends all three (§8 defect 5; QBO's own
//     treatment is [?]).
//
// Faults (§1.10, §3)
//   - 400 JSON {"Fault":{"Error":[…],"type":"ValidationFault"},"time":…},
//     with "element" exactly where recorded: "" on 610 and 5010, absent on
//     6240 and 2010, "Id" on 2030 (whose answer has no "time").
//   - 401 gateway body, lower-case keys, epoch-ms time, code 3200, type
//     AUTHENTICATION, for a missing, unknown, expired or revoked token, with
//     WWW-Authenticate as recorded (R1 error/401.yml). "Token expired: …" is
//     recorded; the other Details are ours.
//   - 403 code 3100 "AuthorizationFailed" for a token of another realm. Its
//     shape is [?]: we use the gateway shape of the 401 with type
//     Options.ForbiddenFaultType (default "AUTHENTICATION").
//   - 429 XML IntuitResponse, Fault type SERVICE, code 3001, even to JSON
//     clients (§1.10 shape 3), when a realm exceeds RequestsPerMinute (500),
//     MaxConcurrent (10) or BatchRequestsPerMinute (40) (§4).
//   - 610 for a missing id, a deleted object, deleting twice, and references
//     to inactive or deleted objects; 2500 for references to ids that never
//     existed (§3 and the issue's rule; the 2500 Detail wording "Names
//     element id N not found" is what integrators quote).
//   - 2020 for a missing required field (CustomerRef, Line, ItemRef, Id,
//     SyncToken, …); 2030 for a non-numeric id; 500 "Unsupported Operation"
//     for unknown paths (R1 error/500.yml) and operations an entity lacks.
//   - 5010 for a stale SyncToken in the recorded wording (R1 batch).
//
// Invoices (§1.2, §1.5, §1.7)
//   - DocNumber: the next number (highest numeric + 1, from 1001) unless
//     Preferences.SalesFormsPrefs.CustomTxnNumbers, then absent; at most 21
//     characters (2050); unique among invoices (6140 with the documented
//     Detail) unless ?include=allowduplicatedocnum.
//   - TxnDate defaults to today in the company's time zone; DueDate comes
//     from SalesTermRef, else the customer's term, else DefaultTerms, else
//     TxnDate+30; the term applied is printed as SalesTermRef.
//   - CurrencyRef defaults to the customer's currency (itself the home
//     currency by default); a foreign currency needs multicurrency on (6000)
//     and gets HomeTotalAmt/HomeBalance.
//   - BillAddr, ShipAddr and BillEmail default to the customer's. PrintStatus
//     defaults to NeedToPrint for customers who prefer Print (as recorded),
//     EmailStatus to NotSet; NeedToSend requires BillEmail (2020).
//   - Lines: SalesItemLineDetail, DescriptionOnly and DiscountLineDetail;
//     SubTotal lines on input are ignored and one is appended on output.
//     Amount must equal round(Qty × UnitPrice, 2) (6070, Detail with
//     Java-style grouping "1,000"); with Qty alone the item's price is used.
//   - US: line TaxCodeRef must be TAX or NON (6100); absent means the item's
//     Taxable decides. TAX lines are taxed at the rates of
//     TxnTaxDetail.TxnTaxCodeRef, else Preferences.TaxPrefs.TaxGroupCodeRef.
//     GlobalTaxCalculation is dropped ("not for US").
//   - Non-US: every SalesItemLineDetail line needs a real, active TaxCodeRef.
//     QBO's exact error is [?]; we answer 6000 Business Validation Error
//     "Make sure all your transactions have a <VAT|GST/HST|tax> rate before
//     you save." GlobalTaxCalculation defaults to TaxExcluded; tax is
//     computed per code and rate, rounded per rate.
//   - Void zeroes every amount and quantity, prefixes PrivateNote with
//     "Voided" ("Voided - <old note>" when there was one: the separator is
//     ours), keeps EmailStatus and bumps SyncToken (R1 void/invoice.yml).
//     Delete answers {"domain":"QBO","status":"Deleted","Id":…}. Both take
//     applied payments off the invoice (the money stays on the payment as
//     UnappliedAmt).
//   - Send sets EmailStatus EmailSent and DeliveryInfo, and BillEmail when
//     sendTo is given.
//
// Payments (§1.2 LinkedTxn)
//   - CustomerRef and TotalAmt are required; each line links one invoice of
//     the same customer and currency and may not exceed its open balance; the
//     lines may not exceed TotalAmt (6000). Applying moves the invoice's
//     Balance, adds {"TxnId":<payment>,"TxnType":"Payment"} to its LinkedTxn
//     and bumps its SyncToken; update, void and delete move them back.
//   - A customer's Balance is the sum of its invoices' balances.
//
// Names (§1.3, §1.4, §1.6)
//   - DisplayName is unique across customers, vendors and employees (6240,
//     recorded body, no "element"). Comparison ignores case (our choice).
//     Inactive names collide unless Options.InactiveNamesCollide is false
//     ([?]; default true). Names may not hold ':', tab or newline (2040,
//     "Element contains invalid characters"). Without DisplayName it is
//     built from Title GivenName MiddleName FamilyName Suffix, else 6080.
//   - Item and Term names are unique within their list (6240). Service and
//     Inventory items need IncomeAccountRef, Inventory items their stock
//     fields (2020); any account id is accepted, accounts are not modelled.
//   - Every company starts with terms 1 Due on receipt, 2 Net 15, 3 Net 30,
//     4 Net 60; US companies with TAX and NON.
//
// Query (§1.9, §2), through package qboql
//   - {"QueryResponse":{"<Entity>":[…],"startPosition":n,"maxResults":<rows
//     returned>}}; COUNT gives {"totalCount":n}; no rows give {} with the
//     entity key absent. Syntax errors are 4000, names and limits 4001, in a
//     ValidationFault.
//   - Filterable and sortable properties per entity are in querySchema
//     (§2 lists, plus PrimaryEmailAddr on Customer, [?]).
//   - SELECT * on Customer, Vendor, Employee, Item, Term and TaxCode returns
//     active rows only unless the WHERE names Active (§2 says so of
//     customers; the other lists are our choice).
//   - Values compare case-insensitively, as the documentation mirror says
//     ([?]; Options.CaseSensitiveQueryValues turns it off). Unsorted results
//     come in ascending Id order (QBO's is [?]).
//
// CDC (§5.1)
//   - {"CDCResponse":[{"QueryResponse":[{"<Entity>":[…],"startPosition":1,
//     "maxResults":n}, …]}]}; live objects oldest first, then deleted ones as
//     {"status":"Deleted","domain":"QBO","Id":…,"MetaData":{"LastUpdatedTime":…}};
//     at most 1000 objects; TaxCode, TaxRate and CompanyInfo are refused.
//     changedSince older than Options.CDCMaxAge (30 days) is clamped, our
//     choice for a [?]; an entity without changes answers {} (ours).
//
// requestid (§1.1, L5)
//   - A POST repeating a requestid for the same realm and path gets the first
//     answer verbatim and does not run again; at most 50 characters (a longer
//     one is 2010, our choice). Calls refused before the handler (401, 403,
//     429, injected faults) are not remembered, so retrying them runs them.
//
// OAuth (§6)
//   - Discovery fields as Intuit's fixture. Authorize consents at once and
//     redirects with code, state and realmId; realmId= picks the company
//     (default: the first added) and decision=deny answers access_denied
//     (both extensions of the fake). Codes work once, for 10 minutes (ours).
//   - Token: HTTP Basic client auth (client_secret_post also accepted);
//     responses as §6; access tokens live Options.AccessTokenTTL (3600 s);
//     each refresh rotates the refresh token and the old one is then
//     400 {"error":"invalid_grant"} ("design as if the old one dies
//     immediately", §6). Refresh tokens roll 8,726,400 s from each use,
//     capped 5 years after the grant.
//   - Revoke (token= form field or JSON body) revokes the whole grant:
//     its access tokens then get the 401 gateway body, its refresh token
//     invalid_grant. Seeded access tokens (Company.AccessToken) never expire.
//
// Webhooks (§5.2)
//   - Every create, update, delete, void and send of Invoice, Customer,
//     Vendor, Employee, Item, Term and Payment, and every Preferences update,
//     including invoice updates caused by payments, is POSTed to
//     Options.WebhookURL with intuit-signature (base64 HMAC-SHA256 of the raw
//     body keyed by the verifier token; see Sign), intuit-t-id,
//     intuit-created-time, intuit-notification-schema-version and user-agent
//     intuit_notification_server/0.1. TaxCode, TaxRate and CompanyInfo send
//     nothing (W1).
//   - CloudEvents (default): a one-element array with specversion, id,
//     source, type qbo.<entity>.<created|updated|deleted|voided|emailed>.v1
//     (voided and emailed are our guesses, [?]), datacontenttype, time,
//     intuitentityid, intuitaccountid, data {}. Legacy: eventNotifications
//     with realmId and dataChangeEvent.entities.
//   - A non-2xx answer or an error is retried after each wait of
//     Options.WebhookRetrySchedule (default QBO's 0 s … 6 h, then 6 h four
//     more times); Close stops all deliveries.
//
// The demo seed (SeedDemo) loads the three companies of the shared seed
// specification with fixed realm ids and tokens; all other ids are assigned
// in a fixed order and returned in Demo.
package qbofake
