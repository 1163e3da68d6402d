// Package hubspotfake is a faithful fake of the HubSpot APIs the
// Integrated invoices backend uses, and a card client that calls our
// backend the way HubSpot's hubspot.fetch does. Tests, benchmarks and the
// demo run against it because no HubSpot can be reached from our machines.
// It is product code: it never imports the testing package.
//
// Its fidelity is the point. The wire facts come from
// shared/reference/hubspot.md ("the reference", cited by section below);
// where the fake and the reference disagree, the fake is wrong. Where the
// reference is silent, the fake picks the documented or commonly observed
// behaviour, says so below ("ours"), and makes the doubtful ones
// configurable through Options.
//
// # Use
//
//	srv := hubspotfake.New(hubspotfake.Options{Now: clock.Now})
//	demo := srv.SeedDemo()                  // the shared demo seed
//	client := &http.Client{Transport: srv.Transport()} // api.hubapi.com, api.hubspot.com, app.hubspot.com
//	l, _ := srv.Listen("")                  // or a loopback port, for any client
//
// Inspection helpers read and write state without HTTP (no counters, faults
// or limits): Object, Objects, Associations, HasProperty, AddObject,
// Portals. AddPortal adds portals besides the seed.
//
// # What it covers
//
// CRM objects (§4.1) deals, contacts, companies, quotes, line_items,
// products and invoices, by path name, singular name or type id (0-3, 0-1,
// 0-2, 0-14, 0-8, 0-7, 0-53), in any letter case:
//
//	GET    /crm/v3/objects/{t}/{id}?properties=&associations=&archived=&idProperty=   objects.get
//	GET    /crm/v3/objects/{t}?limit=&after=&properties=&associations=                objects.list
//	POST   /crm/v3/objects/{t}                  (properties, associations)             objects.create
//	PATCH  /crm/v3/objects/{t}/{id}[?idProperty=]                                      objects.update
//	DELETE /crm/v3/objects/{t}/{id}             (archive)                              objects.archive
//	POST   /crm/v3/objects/{t}/batch/read|create|update                                objects.batch_read|batch_create|batch_update
//	POST   /crm/v3/objects/{t}/search                                                  objects.search
//
// Associations (§4.2):
//
//	POST   /crm/v4/associations/{from}/{to}/batch/read                                 associations.batch_read
//	PUT    /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}                associations.create
//	POST   /crm/v4/associations/{from}/{to}/batch/associate/default                    associations.create
//	PUT    /crm/v4/objects/{from}/{id}/associations/{to}/{toId}   [{category,typeId}]  associations.create
//	POST   /crm/v4/associations/{from}/{to}/batch/create                               associations.create
//	PUT    /crm/v3/objects/{from}/{id}/associations/{to}/{toId}/{type}                 associations.create
//	GET    /crm/v4/objects/{from}/{id}/associations/{to}                               associations.list
//	GET    /crm/v3/objects/{from}/{id}/associations/{to}                               associations.list
//	DELETE /crm/v4/objects/{from}/{id}/associations/{to}/{toId}                        associations.delete
//	DELETE /crm/v3/objects/{from}/{id}/associations/{to}/{toId}/{type}                 associations.delete
//	GET    /crm/v4/associations/{from}/{to}/labels                                     associations.labels
//
// Properties and groups (§4.3):
//
//	GET  /crm/v3/properties/{t}, /crm/v3/properties/{t}/{name}                        properties.read
//	POST /crm/v3/properties/{t}                                                        properties.create
//	GET  /crm/v3/properties/{t}/groups, /crm/v3/properties/{t}/groups/{name}          property_groups.read
//	POST /crm/v3/properties/{t}/groups                                                 property_groups.create
//
// Account (§4.4): GET /account-info/v3/details and /account-info/2026-03/details
// (account.details); GET /settings/v3/users/{userId} (settings.users.read: the
// installing user, a super admin, and Portal.Users; 404 for anyone else). OAuth (§4.6): GET /oauth/authorize and
// /oauth/{portalId}/authorize (oauth.authorize), POST /oauth/v1/token
// (oauth.token), GET /oauth/v1/access-tokens/{token} (oauth.token_info),
// GET /oauth/v1/refresh-tokens/{token} (oauth.refresh_token_info), DELETE
// /oauth/v1/refresh-tokens/{token} (oauth.revoke). Anything else is
// "unknown": 404, or 405 when the path exists for another method.
//
// # Faults and counters
//
// Faults() arms fakekit faults (status, body, headers, latency, dropped
// connection, times, per tenant) on the route names above, exported as the
// Route constants. A fault armed on "<route>:<type>" with the plural path
// name (e.g. "objects.get:deals", "associations.batch_read:deals", by the
// "from" type) applies to that object type only and is tried first. The
// tenant is the portal id in decimal, "" when the request names none. On
// CRM routes the order is: authenticate, count, fault, rate limit, handle;
// so a fault answers even an unauthenticated request and is not counted
// in the rate windows. Counters() counts every request under its plain
// route name and portal, including 401s (tenant ""), 404s, 429s and
// faulted requests. OAuth routes always count with tenant "". Throttled()
// counts, the same way, only the requests a rate limit answered 429.
// AfterFaults() arms faults that strike after a CRM request was handled:
// its change is made, then its answer is dropped, replaced or delayed (a
// create that HubSpot committed but whose answer the client never got).
//
// # Rules, and where they come from
//
// Auth (§4): "Authorization: Bearer <token>", where the token is a
// portal's private-app token (Portal.APIToken) or an OAuth access token
// minted by the fake. The token decides the portal: a token never reaches
// another portal's records, and since ids are unique across portals another
// portal's id is a 404. Missing, unknown and expired tokens are 401
// INVALID_AUTHENTICATION (ours: the category of the expired case is
// Options.ExpiredTokenCategory, since HubSpot is reported to answer
// EXPIRED_AUTHENTICATION; the message is "The OAuth token used to make this
// call expired N minute(s) ago."). hapikey is not accepted. Scopes are not
// modelled: no request is refused with 403 MISSING_SCOPES (inject a fault
// to test that path).
//
// Limits (§4.5): 110 requests per rolling 10 s per portal
// (Options.RateLimit, RateWindow), shared by private-app and OAuth tokens;
// every non-search answer after authentication carries
// X-HubSpot-RateLimit-Interval-Milliseconds, -Max and -Remaining (0 on the
// 429); the 111th request is 429 {"status":"error","message":"You have
// reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT",
// "correlationId","policyName":"TEN_SECONDLY_ROLLING","requestId"}.
// Private-app tokens also get X-HubSpot-RateLimit-Daily and
// -Daily-Remaining and a daily limit (Options.DailyLimit, default 250 000,
// the day of the portal's time zone; 429 policyName DAILY, "You have
// reached your daily limit."); OAuth calls get neither (§4.5). Search is
// outside the 10 s window, carries no rate-limit headers and allows 5
// requests per second per token (Options.SearchPerSecond); past that it
// answers 429 {"status":"error","message":"You have reached your secondly
// limit.","correlationId","category":"RATE_LIMITS"} (ours: the shape of
// recorded HubSpot answers; the reference gives only the limit). Batch
// object endpoints take at most 100 inputs (§4.5), association batches
// 1000 (ours). No X-HubSpot-Correlation-Id header is sent: the reference
// does not mention one.
//
// Errors: every error body is HubSpot's envelope {"status":"error",
// "message","correlationId","category"} with errors[] and context where
// HubSpot adds them; correlation ids are random UUIDs. Unknown object types
// are 400 "Unable to infer object type from: X". A missing object is 404
// OBJECT_NOT_FOUND (ours; Options.NotFoundEmptyBody answers 404 with an
// empty body instead, as HubSpot is reported to do on single-object GETs).
// Invalid property values are 400 VALIDATION_ERROR with the message
// "Property values were not valid: [<JSON array>]" and errors[] {message,
// code, context.propertyName}: PROPERTY_DOESNT_EXIST for a property that is
// neither built in nor created through the properties API, INVALID_FLOAT
// for a bad number (also surrounding spaces), INVALID_OPTION for an
// enumeration or bool value outside its options, INVALID_DATE,
// INVALID_EMAIL, READ_ONLY_VALUE for hs_object_id and the last-modified
// date (the codes other than PROPERTY_DOESNT_EXIST are ours). A contact
// whose email another contact has, or a value of a hasUniqueValue property
// another live record has, is 409 CONFLICT "Contact already exists. Existing
// ID: N" (an archived record frees its values: ours, the reference does not
// say). A duplicate property or group name is 409 OBJECT_ALREADY_EXISTS.
// Malformed JSON is 400 VALIDATION_ERROR.
//
// Objects (§4.1): {"id","properties","createdAt","updatedAt","archived"};
// ids are decimal strings from one counter shared by all portals and types
// (1001, 1002, ...; ours). Property values are strings; a requested
// property that exists but has no value is null; a requested property that
// does not exist is left out. Reads without properties return the type's
// default set (ours, as HubSpot answers: contacts createdate, email,
// firstname, hs_object_id, lastmodifieddate, lastname; companies
// createdate, domain, hs_lastmodifieddate, hs_object_id, name; deals
// amount, closedate, createdate, dealname, dealstage, hs_lastmodifieddate,
// hs_object_id, pipeline; quotes createdate, hs_expiration_date,
// hs_lastmodifieddate, hs_object_id, hs_status, hs_title; products
// createdate, description, hs_lastmodifieddate, hs_object_id, name, price;
// line items and invoices createdate, hs_lastmodifieddate, hs_object_id).
// Reads that name properties also get hs_object_id, createdate and the
// last-modified date. Contacts keep their last write in lastmodifieddate,
// every other type in hs_lastmodifieddate (ours, after HubSpot's search
// guide). Create and update answer every property that has a value.
// Numbers are kept as written; datetimes (closedate, hs_expiration_date,
// ...) accept epoch milliseconds or ISO 8601 and are stored as
// "2006-01-02T15:04:05.000Z"; dates accept midnight-UTC epoch milliseconds
// or YYYY-MM-DD and are stored as YYYY-MM-DD (§4.3); bools are "true" or
// "false". An empty string or null clears a property. A line item's amount
// is recomputed as quantity × (price − discount) less
// hs_discount_percentage when quantity, price or a discount is written
// without an amount (ours). Invoices need hs_currency and start as
// "draft" (§4.1). Contacts are unique by email (case-insensitive) and can be
// read with idProperty=email; a custom property with hasUniqueValue enables
// idProperty too (§4.3). v3 reads with ?associations=a,b return
// associations.{path name}.results[{id,type}] for types with links; type
// names are "deal_to_contact", and "deal_to_company_unlabeled" for the
// unlabeled type of a pair that has a Primary type. HubSpot has been seen to
// key line items as "line items"; the fake keys them "line_items": read
// associations through v4 to be safe. batch/read cannot return
// associations (§4.1); ids that do not exist make a 207 with
// errors[{status,category:OBJECT_NOT_FOUND,message:"Could not get some DEAL
// objects, they may be deleted or not exist. Check that ids are
// valid.",context:{ids}}] and numErrors. batch/update fails as a whole (400)
// on an invalid value and reports missing ids in a 207 (ours); batch/create
// validates every input, unique values against each other too, before it
// writes any, so a refused batch (409 on a collision, ours) writes nothing. Archive
// answers 204 even for a missing record (ours). The list endpoint pages by
// record id (after = the id of the next record; limit ≤ 100).
//
// Search (§4.5 and the search guide): filterGroups are OR'ed and their
// filters AND'ed; operators EQ NEQ LT LTE GT GTE BETWEEN (inclusive) IN
// NOT_IN HAS_PROPERTY NOT_HAS_PROPERTY CONTAINS_TOKEN NOT_CONTAINS_TOKEN,
// plus "associations.<type>" EQ/IN on linked ids. Strings compare
// case-insensitively, numbers numerically, dates as instants. A record
// without the property matches only NEQ, NOT_IN, NOT_CONTAINS_TOKEN and
// NOT_HAS_PROPERTY (ours). CONTAINS_TOKEN matches a token of the value
// split on non-alphanumerics, or the whole value, with * wildcards (ours).
// query matches a case-insensitive substring of the type's searchable
// properties (ours). Sorts are {propertyName, direction} or, as
// clarkmcc/go-hubspot sends them, bare property names ("-name" descending;
// ours); records without the sorted property go last; the default order is
// by id. limit defaults to 10 (also when 0, which go-hubspot sends) and is
// capped at 200 (Options.SearchRejectOverLimit answers 400 instead); after
// is an offset; paging.next.after is given while results remain, even past
// 10 000, and a request with after ≥ 10 000 is 400 VALIDATION_ERROR; a page
// never runs past result 10 000; total counts every match. At most 5
// filterGroups, 6 filters per group, 18 in all, and a 3 000-character body
// (400 otherwise). Options.SearchIndexDelay hides new records from search
// for a while (default 0).
//
// Associations (§4.2): every link is two-way. HUBSPOT_DEFINED type ids
// from the reference: deal→contact 3 / contact→deal 4, deal→company 341 /
// 342 and primary 5 / 6, deal→line item 19 / 20, deal→quote 63 / 64,
// quote→contact 69, quote→company 71, quote→line item 67, deal→invoice 176,
// contact→invoice 178, company→invoice 180, quote→invoice 408. Ours (the
// inverses and pairs the reference does not list, from HubSpot's public
// table as we know it; check with the labels endpoint): contact→quote 70,
// company→quote 72, line item→quote 68, invoice→deal 175, invoice→contact
// 177, invoice→company 179, invoice→quote 407, contact→company 279 / 280
// with primary 1 / 2, invoice→line item 409 / 410. A labelled (Primary)
// link implies the unlabeled one, and a deal or contact has one primary
// company: a new one replaces the old. Default endpoints use the unlabeled
// type and answer both directions. v4 batch read answers
// results[{from:{id},to:[{toObjectId (a number),associationTypes:
// [{category,typeId,label}]}]}]; an input with no links (or no record) is
// an error entry with subCategory crm.associations.NO_ASSOCIATIONS_FOUND and
// the answer is 207, as HubSpot does; paging of to[] is not modelled.
// USER_DEFINED labels are not modelled (400).
//
// Properties (§4.3): types string, number, date, datetime, enumeration and
// bool, each with the field types it accepts (string: text, textarea,
// phonenumber, html, file; number: number, calculation_equation; date and
// datetime: date; enumeration: select, radio, checkbox, booleancheckbox;
// bool: booleancheckbox); the group must exist; names are lowercase
// letters, digits and underscores (ours); at most 10 hasUniqueValue
// properties per object (§4.3). Built-in properties are listed with the
// custom ones and cannot be recreated. Custom properties and groups belong
// to one portal.
//
// Account (§4.4): portalId, accountType, timeZone, companyCurrency,
// additionalCurrencies, utcOffset ("-08:00") and utcOffsetMilliseconds of
// the portal's zone at the fake's current time (DST follows), uiDomain,
// dataHostingLocation.
//
// OAuth (§4.6): authorize checks client_id, an HTTPS redirect_uri (http only
// for localhost, 127.0.0.1 or ::1) and Options.RequiredScopes, then installs
// at once and redirects with code and state (optional scopes are granted).
// Fake-only query options: portalId picks the installing portal (default
// the first added), deny=1 redirects with error=access_denied. Authorize
// errors are HTML pages (400), not redirects. The token endpoint takes
// form-encoded authorization_code (a code works once; redirect_uri must
// match) and refresh_token grants and answers {token_type:"bearer",
// access_token, refresh_token, expires_in:1800}; a refresh keeps the
// refresh token. Its errors are 400 {"status":"BAD_CLIENT_ID" |
// "BAD_CLIENT_SECRET" | "BAD_REDIRECT_URI" | "BAD_AUTH_CODE" |
// "BAD_REFRESH_TOKEN" | "BAD_GRANT_TYPE","message","correlationId"} (the
// shape and BAD_REFRESH_TOKEN/BAD_AUTH_CODE as HubSpot; the others ours).
// Access tokens live Options.AccessTokenTTL (30 min); older ones stay valid
// until they expire; refresh tokens never expire. Token info answers
// hub_id, app_id, user_id, user, scopes, expires_in, token_type "access",
// hub_domain and token; unknown or expired tokens are 404 (ours). Revoking a
// refresh token (204) stops refreshes but not live access tokens and does
// not uninstall.
//
// # The card client
//
// CardClient.Do is hubspot.fetch (§1.1, §1.2, §2): it appends appId,
// portalId, userId and userEmail, in that order, after the caller's query
// (kept byte for byte; userEmail query-escaped, so "@" is sent as %40); it
// sends only a JSON body (JSON.stringify-style: compact, HTML characters not
// escaped; none for GET and DELETE) with Content-Type application/json, and
// X-HubSpot-Signature (v2, hex), X-HubSpot-Signature-Version: v2,
// X-HubSpot-Signature-v3 (base64) and X-HubSpot-Request-Timestamp (epoch
// ms), signing the exact URL and body bytes it sends. No other header is
// added (not even User-Agent). Bodies over 1 MB (1 000 000 bytes, ours) are
// refused either way; a 5xx or a failed connection is retried once within
// the timeout (15 s, at most 120 s) with the same signed request (ours: the
// reference does not say whether the retry is re-signed); redirects are
// never followed; past 20 concurrent requests per app and portal it answers
// 429 itself (body ours). It accepts http:// and loopback URLs so tests can
// reach httptest servers, which HubSpot would refuse. SignV1, SignV2 and
// SignV3 implement §2.1 and pass every vector of §2.2; DecodeV3URI applies
// the v3 decode table (upper-case escapes only, one pass).
//
// # What it does not cover
//
// Date-versioned CRM paths (/crm/objects/2026-03/...) and the 2026-03 OAuth
// endpoints; batch upsert and archive; merges and GDPR deletes;
// propertiesWithHistory; property updates and archives; pipelines, owners,
// custom objects and USER_DEFINED association labels; scopes (no 403
// MISSING_SCOPES); webhooks, workflow actions and the Accounting
// Extension API; the 423 Locked answer; association paging; quote
// publishing logic (seeded quotes carry what publishing would compute).
package hubspotfake
