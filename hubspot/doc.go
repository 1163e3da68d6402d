// Package hubspot implements app.HubSpot over HubSpot's CRM API, with
// github.com/clarkmcc/go-hubspot (imported as hs) for requests and types
// where it works.
//
// # What it calls
//
//	Record                GET   /crm/v3/objects/{type}/{id}?properties=...        go-hubspot objects.BasicApi.GetByID
//	DealQuotes            GET   /crm/v4/objects/deals/{id}/associations/quotes    plain net/http (see below), paged by after
//	                      POST  /crm/v3/objects/quotes/batch/read                 go-hubspot objects.BatchApi.BatchRead, ≤100 ids each
//	Associated            GET   /crm/v4/objects/{from}/{id}/associations/{to}     plain net/http, paged by after
//	LineItems             POST  /crm/v3/objects/line_items/batch/read             go-hubspot objects.BatchApi.BatchRead, ≤100 ids each
//	EnsureDealProperties  POST  /crm/v3/properties/deals/groups                   go-hubspot properties.GroupsApi.GroupsCreate
//	                      POST  /crm/v3/properties/deals (×5)                     go-hubspot properties.CoreApi.Create
//	UpdateDeal            PATCH /crm/v3/objects/deals/{id}                        go-hubspot objects.BasicApi.Update
//
// A deal without quotes costs one request. Each request carries the
// portal's token as "Authorization: Bearer": a private-app token (zero
// AccessExpiresAt: used as is, never refreshed) or an OAuth access token.
//
// # OAuth token refresh
//
// An OAuth access token that has expired or expires within 60 s (by
// Config.Now) is refreshed before the call: POST /oauth/v1/token with
// grant_type=refresh_token, client_id, client_secret and the refresh token.
// A data call answered 401 for a portal with a refresh token refreshes once
// and is retried once. One refresh runs per portal at a time and concurrent
// callers share it; the newest tokens are kept in memory, so callers still
// holding the old ones do not refresh again. New tokens go to the
// app.PortalTokenStore given to New before any call uses them; a failed
// save fails the call and is retried with the same tokens next time. A
// refresh token HubSpot refuses (400 BAD_REFRESH_TOKEN: revoked, unknown,
// uninstalled) is NotConnected, "HubSpot refused this app's access;
// reinstall the app.", and is not offered again. A refresh runs detached
// from the caller's cancellation (30 s at most); Close waits for those in
// flight. Tokens never reach errors or logs. Not yet: marking the portal
// for reinstall, and one refresh across replicas (tokens.go).
//
// # Associations
//
// Associated takes and answers the v4 path names contacts, companies,
// deals, line_items and quotes, for from and to alike; any other name is
// invalid before a request (type ids such as "0-1" included). Ids come in
// HubSpot's order without duplicates, except that records linked by a
// primary association come first: one labelled "Primary", or of the
// HUBSPOT_DEFINED primary type (deal→company 5, contact→company 1) should
// the label be missing. HubSpot defines no primary contact of a deal.
//
// # Line items
//
// LineItems reads name, description, hs_sku, hs_product_id, quantity,
// price, discount and hs_discount_percentage. Numbers with more than two
// decimals (HubSpot keeps them as written) are rounded half away from zero
// to hundredths: quantity to app.Quantity, price and discount (per unit) to
// app.Money, hs_discount_percentage to hundredths of a percent ("10" is
// 1000); an unset one is zero. A repeated id is read once. Ids HubSpot does
// not have (it answers 207) make the call NotFound, naming them.
//
// # Deal properties
//
// EnsureDealProperties creates the group "quickbooks" ("QuickBooks
// invoice") and, in it, qbo_invoice_amount_collected (number/number),
// qbo_invoice_recipient and qbo_invoice_number (string/text),
// qbo_invoice_status (enumeration/select, options the app.InvoiceStatus
// codes with their Label) and qbo_invoice_due_date (date/date, written as
// YYYY-MM-DD). It creates without reading first: a 409 (HubSpot's
// OBJECT_ALREADY_EXISTS) counts as success, and an existing definition is
// not compared with ours. Success is remembered per portal in the Client,
// so later calls cost nothing until the process restarts (a property a rep
// deletes meanwhile comes back only then); concurrent callers for a portal
// wait for the one creating, or for their ctx; a failure is not
// remembered. Creating needs the scope crm.schemas.deals.write. UpdateDeal
// sends every value given, "" included, which HubSpot stores as no value.
//
// # go-hubspot, and where this package goes around it
//
//   - One generic CRM objects client (generated/v3/objects) serves every
//     object type, and one properties client (generated/v3/properties) the
//     property definitions; each Configuration takes the base URL from
//     Servers[0] (Config.APIBaseURL) and sends through
//     Configuration.HTTPClient (Config.HTTPClient). The token travels through go-hubspot's own
//     Authorizer in the context. Debug stays off: it dumps requests,
//     Authorization included, to the standard logger.
//   - Associations go around the library, as a plain GET through the
//     same http.Client, retries and classification (associations.go): the
//     deals client never wires its AssociationsApi; the v4 package has no
//     "read one" endpoint, and its batch read decodes toObjectId as int32,
//     which real HubSpot ids overflow, and answers a missing deal and a deal
//     without quotes alike (207). The v3 association list of the objects
//     package would work but is the legacy API.
//   - go-hubspot decodes a null property as "", so Record cannot tell unset
//     from empty; HubSpot stores "" as no value, so both are left out.
//   - Its batch read input sends propertiesWithHistory even when empty (no
//     omitempty); we send [] rather than null.
//   - Errors are read from the *http.Response go-hubspot returns (its
//     GenericOpenAPIError only repeats the status line, and its error model
//     does not fit the 429 body), so library and plain calls are classified
//     by one function. Each generated package has its own
//     GenericOpenAPIError; inspect recognises them by their Model method.
//
// # Retries
//
// 429, 5xx, transport errors and client timeouts are retried up to
// Config.MaxRetries times (default 3): after Retry-After when HubSpot sends
// one (seconds or HTTP date), else after RetryBase·2ⁿ with equal jitter,
// each wait at most 10 s. A Retry-After over 10 s, or a wait that would end
// past the context's deadline, ends the call at once; the context's end
// stops the retries. Each retry is logged at Warn with op, portal, status,
// category and correlationId; nothing else is logged (the caller logs the
// final error once).
//
// # Errors
//
// Every failed call is classified in one place, classify in errors.go, into
// an *app.Error whose Message a rep can read; an *APIError beneath it keeps
// the operation, portal, attempts, HTTP status, category, policy and
// correlationId for logs. Tokens never appear in either: HubSpot's
// messages are scrubbed of the caller's token, and our own errors never
// hold it.
//
//	HubSpot answer                       code           Message
//	401                                  not_connected  HubSpot refused this app's access; reinstall the app.
//	403                                  forbidden      HubSpot does not allow this app to read that deal; reinstall the app to grant its permissions.
//	                                                    (change that deal, create that deal property)
//	404, 410                             not_found      This deal no longer exists in HubSpot. (contact, company, quote, line item)
//	400                                  invalid        HubSpot rejected the request: <HubSpot's message>
//	409                                  conflict       HubSpot reported a conflict: <HubSpot's message>
//	429, after retries                   unavailable    HubSpot is busy, try again in a minute.
//	context deadline or cancellation     unavailable    HubSpot did not answer in time, try again in a minute.
//	5xx, transport error, after retries  unavailable    HubSpot is not answering, try again in a minute.
//	anything else, undecodable 2xx       internal       HubSpot answered in a way we did not expect.
//
// Before any request: a portal without an access token is not_connected;
// a malformed record id, a missing type or an association type outside the
// list is invalid. A line item HubSpot does not have is not_found ("Line
// item N no longer exists in HubSpot."); one whose numbers cannot be read,
// internal. A quote whose amount or
// expiry date cannot be read fails DealQuotes as internal rather than
// passing for "never expires".
//
// # Quotes
//
// hs_expiration_date is read leniently: ISO 8601 (with or without zone;
// none means UTC), epoch milliseconds, or a bare date, which means the end
// of that day in the portal's time zone. hs_quote_amount may carry more
// than two decimals; it is rounded half away from zero to cents.
package hubspot
