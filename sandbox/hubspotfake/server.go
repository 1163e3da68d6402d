package hubspotfake

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/internal/fakekit"
)

// Options configures the fake. Zero values take the defaults noted.
// The one OAuth app the fake knows by default: what the demo, the card
// command and the benchmarks sign and authenticate with.
const (
	DefaultAppID        = 3000001
	DefaultClientID     = "sandbox-hubspot-client-id"
	DefaultClientSecret = "sandbox-hubspot-client-secret"
)

type Options struct {
	// Now is the fake's clock; default time.Now. Rate windows, token
	// lifetimes and timestamps all follow it, so tests need not sleep.
	Now func() time.Time
	// AppID is the id of the one OAuth app the fake knows; default
	// DefaultAppID.
	AppID int64
	// ClientID and ClientSecret are that app's credentials; defaults
	// DefaultClientID and DefaultClientSecret.
	ClientID, ClientSecret string
	// RateLimit is the number of requests per RateWindow per portal
	// (reference §4.5: 110 per 10 s for OAuth apps); default 110; <0 disables.
	RateLimit int
	// RateWindow is the rolling window of RateLimit; default 10 s.
	RateWindow time.Duration
	// SearchPerSecond is the search limit per token (reference §4.5: 5 per
	// second); default 5; <0 disables.
	SearchPerSecond int
	// DailyLimit is the daily request limit of a portal's private-app token
	// (reference §4.5: 250 000 for Free/Starter); default 250000; <0
	// disables. OAuth calls are not counted and get no daily headers.
	DailyLimit int
	// AccessTokenTTL is the lifetime of OAuth access tokens; default 30 min
	// (reference §4.6).
	AccessTokenTTL time.Duration
	// ExpiredTokenCategory is the envelope category of the 401 for an
	// expired access token; default "INVALID_AUTHENTICATION". HubSpot is
	// reported to answer "EXPIRED_AUTHENTICATION"; the reference does not say.
	ExpiredTokenCategory string
	// NotFoundEmptyBody makes a GET of a missing object answer 404 with an
	// empty body, as HubSpot is reported to do, instead of the envelope.
	NotFoundEmptyBody bool
	// SearchRejectOverLimit answers 400 to a search limit above 200 instead
	// of capping it at 200 (reference §4.5 gives only the cap).
	SearchRejectOverLimit bool
	// SearchIndexDelay hides records created less than this long ago from
	// search (reference §4.5: "newly written records appear with delay");
	// default 0.
	SearchIndexDelay time.Duration
	// RequiredScopes must all appear in the scope of an authorize request
	// (reference §4.6); default none.
	RequiredScopes []string
	// Logger receives one debug line per request; default discards.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.AppID == 0 {
		o.AppID = DefaultAppID
	}
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.ClientSecret == "" {
		o.ClientSecret = DefaultClientSecret
	}
	if o.RateLimit == 0 {
		o.RateLimit = 110
	}
	if o.RateWindow <= 0 {
		o.RateWindow = 10 * time.Second
	}
	if o.SearchPerSecond == 0 {
		o.SearchPerSecond = 5
	}
	if o.DailyLimit == 0 {
		o.DailyLimit = 250000
	}
	if o.AccessTokenTTL <= 0 {
		o.AccessTokenTTL = 30 * time.Minute
	}
	if o.ExpiredTokenCategory == "" {
		o.ExpiredTokenCategory = categoryAuthentication
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Route names, for Faults and Counters. A fault may also be armed on
// "<route>:<object type>" (e.g. "objects.get:deals", with the plural path
// name), which applies only to that object type and is tried first; the
// object type of an association route is its "from" type. Counters always
// count under the plain route name.
const (
	RouteObjectsGet            = "objects.get"
	RouteObjectsList           = "objects.list"
	RouteObjectsCreate         = "objects.create"
	RouteObjectsUpdate         = "objects.update"
	RouteObjectsArchive        = "objects.archive"
	RouteObjectsBatchRead      = "objects.batch_read"
	RouteObjectsBatchCreate    = "objects.batch_create"
	RouteObjectsBatchUpdate    = "objects.batch_update"
	RouteObjectsSearch         = "objects.search"
	RouteAssociationsBatchRead = "associations.batch_read"
	RouteAssociationsCreate    = "associations.create"
	RouteAssociationsList      = "associations.list"
	RouteAssociationsDelete    = "associations.delete"
	RouteAssociationsLabels    = "associations.labels"
	RoutePropertiesRead        = "properties.read"
	RoutePropertiesCreate      = "properties.create"
	RoutePropertyGroupsRead    = "property_groups.read"
	RoutePropertyGroupsCreate  = "property_groups.create"
	RouteAccountDetails        = "account.details"
	RouteOAuthAuthorize        = "oauth.authorize"
	RouteOAuthToken            = "oauth.token"
	RouteOAuthTokenInfo        = "oauth.token_info"
	RouteOAuthRefreshTokenInfo = "oauth.refresh_token_info"
	RouteOAuthRevoke           = "oauth.revoke"
	RouteAppUninstall          = "appinstalls.uninstall"
	RouteUserRead              = "settings.users.read"
	RouteUnknown               = "unknown"
)

// Server is the HubSpot fake: an http.Handler with in-memory state.
type Server struct {
	opt      Options
	log      *slog.Logger
	mux      *http.ServeMux
	faults   fakekit.Faults
	after    fakekit.Faults // applied once the handler has run (AfterFaults)
	counters fakekit.Counters
	// throttled counts the requests answered 429 by a rate limit (not by
	// an injected fault), by route and portal.
	throttled fakekit.Counters
	window    *fakekit.Window // per portal
	search    *fakekit.Window // per token

	actions completionLog // workflow action completions (workflow.go)

	seedMu sync.Mutex // serializes SeedDemo

	mu          sync.Mutex
	portals     map[int64]*portal
	portalOrder []int64
	apiTokens   map[string]int64 // private-app token -> portal
	objects     map[string]*object
	byType      map[typeKey][]*object
	indexes     map[indexKey]map[string]*object // findBy's lookups, state.go
	nextID      int64
	assoc       map[string]map[string]map[int]bool // from id -> to id -> type ids
	daily       map[dailyKey]int
	oauth       oauthState
	demo        *Demo
}

// New returns an empty fake: add portals with AddPortal or SeedDemo.
func New(opt Options) *Server {
	opt = opt.withDefaults()
	s := &Server{
		opt:       opt,
		log:       opt.Logger,
		mux:       http.NewServeMux(),
		window:    &fakekit.Window{Limit: max(opt.RateLimit, 0), Per: opt.RateWindow, Now: opt.Now},
		search:    &fakekit.Window{Limit: max(opt.SearchPerSecond, 0), Per: time.Second, Now: opt.Now},
		portals:   make(map[int64]*portal),
		apiTokens: make(map[string]int64),
		objects:   make(map[string]*object),
		byType:    make(map[typeKey][]*object),
		indexes:   make(map[indexKey]map[string]*object),
		nextID:    1000,
		assoc:     make(map[string]map[string]map[int]bool),
		daily:     make(map[dailyKey]int),
		oauth:     newOAuthState(),
	}
	s.routes()
	return s
}

// routes lists every route the fake serves.
func (s *Server) routes() {
	// CRM objects (reference §4.1).
	s.api("GET /crm/v3/objects/{objectType}", RouteObjectsList, "objectType", s.handleObjectList)
	s.api("GET /crm/v3/objects/{objectType}/{objectId}", RouteObjectsGet, "objectType", s.handleObjectGet)
	s.api("POST /crm/v3/objects/{objectType}", RouteObjectsCreate, "objectType", s.handleObjectCreate)
	s.api("PATCH /crm/v3/objects/{objectType}/{objectId}", RouteObjectsUpdate, "objectType", s.handleObjectUpdate)
	s.api("DELETE /crm/v3/objects/{objectType}/{objectId}", RouteObjectsArchive, "objectType", s.handleObjectArchive)
	s.api("POST /crm/v3/objects/{objectType}/batch/read", RouteObjectsBatchRead, "objectType", s.handleBatchRead)
	s.api("POST /crm/v3/objects/{objectType}/batch/create", RouteObjectsBatchCreate, "objectType", s.handleBatchCreate)
	s.api("POST /crm/v3/objects/{objectType}/batch/update", RouteObjectsBatchUpdate, "objectType", s.handleBatchUpdate)
	s.api("POST /crm/v3/objects/{objectType}/search", RouteObjectsSearch, "objectType", s.handleSearch)

	// Associations (reference §4.2).
	s.api("POST /crm/v4/associations/{fromType}/{toType}/batch/read", RouteAssociationsBatchRead, "fromType", s.handleAssocBatchRead)
	s.api("POST /crm/v4/associations/{fromType}/{toType}/batch/associate/default", RouteAssociationsCreate, "fromType", s.handleAssocBatchDefault)
	s.api("POST /crm/v4/associations/{fromType}/{toType}/batch/create", RouteAssociationsCreate, "fromType", s.handleAssocBatchCreate)
	s.api("GET /crm/v4/associations/{fromType}/{toType}/labels", RouteAssociationsLabels, "fromType", s.handleAssocLabels)
	s.api("PUT /crm/v4/objects/{fromType}/{fromId}/associations/default/{toType}/{toId}", RouteAssociationsCreate, "fromType", s.handleAssocDefault)
	s.api("PUT /crm/v4/objects/{fromType}/{fromId}/associations/{toType}/{toId}", RouteAssociationsCreate, "fromType", s.handleAssocLabelled)
	s.api("DELETE /crm/v4/objects/{fromType}/{fromId}/associations/{toType}/{toId}", RouteAssociationsDelete, "fromType", s.handleAssocDelete)
	s.api("GET /crm/v4/objects/{fromType}/{fromId}/associations/{toType}", RouteAssociationsList, "fromType", s.handleAssocListV4)
	s.api("PUT /crm/v3/objects/{fromType}/{fromId}/associations/{toType}/{toId}/{assocType}", RouteAssociationsCreate, "fromType", s.handleAssocV3Create)
	s.api("DELETE /crm/v3/objects/{fromType}/{fromId}/associations/{toType}/{toId}/{assocType}", RouteAssociationsDelete, "fromType", s.handleAssocV3Delete)
	s.api("GET /crm/v3/objects/{fromType}/{fromId}/associations/{toType}", RouteAssociationsList, "fromType", s.handleAssocListV3)

	// Properties and groups (reference §4.3).
	s.api("GET /crm/v3/properties/{objectType}", RoutePropertiesRead, "objectType", s.handlePropertyList)
	s.api("GET /crm/v3/properties/{objectType}/{propertyName}", RoutePropertiesRead, "objectType", s.handlePropertyGet)
	s.api("POST /crm/v3/properties/{objectType}", RoutePropertiesCreate, "objectType", s.handlePropertyCreate)
	s.api("GET /crm/v3/properties/{objectType}/groups", RoutePropertyGroupsRead, "objectType", s.handleGroupList)
	s.api("GET /crm/v3/properties/{objectType}/groups/{groupName}", RoutePropertyGroupsRead, "objectType", s.handleGroupGet)
	s.api("POST /crm/v3/properties/{objectType}/groups", RoutePropertyGroupsCreate, "objectType", s.handleGroupCreate)

	// Account (reference §4.4).
	s.api("GET /account-info/v3/details", RouteAccountDetails, "", s.handleAccountDetails)
	s.api("GET /account-info/2026-03/details", RouteAccountDetails, "", s.handleAccountDetails)

	// The app uninstalling itself from the token's portal.
	s.api("DELETE /appinstalls/2026-03/external-install", RouteAppUninstall, "", s.handleUninstall)
	s.api("DELETE /appinstalls/v3/external-install", RouteAppUninstall, "", s.handleUninstall)

	// User provisioning: one user of the token's account.
	s.api("GET /settings/v3/users/{userId}", RouteUserRead, "", s.handleUserGet)

	// Custom workflow actions (reference §5): completing a blocked execution.
	s.api("POST /automation/v4/actions/callbacks/{callbackId}/complete", RouteActionCallbackComplete, "", s.handleActionCallbackComplete)

	// OAuth (reference §4.6): no bearer token.
	s.open("GET /oauth/authorize", RouteOAuthAuthorize, s.handleAuthorize)
	s.open("GET /oauth/{portalId}/authorize", RouteOAuthAuthorize, s.handleAuthorize)
	s.open("POST /oauth/v1/token", RouteOAuthToken, s.handleToken)
	s.open("GET /oauth/v1/access-tokens/{token}", RouteOAuthTokenInfo, s.handleAccessTokenInfo)
	s.open("GET /oauth/v1/refresh-tokens/{token}", RouteOAuthRefreshTokenInfo, s.handleRefreshTokenInfo)
	s.open("DELETE /oauth/v1/refresh-tokens/{token}", RouteOAuthRevoke, s.handleRevoke)

	s.mux.HandleFunc("/", s.handleUnknown)
}

// call is one request being served.
type call struct {
	s   *Server
	w   http.ResponseWriter
	r   *http.Request
	now time.Time
	who principal // zero on OAuth routes
}

// api registers a CRM route: bearer authentication, counters, faults, then
// rate limits, in that order. typeParam names the path wildcard holding the
// object type, for type-specific faults.
func (s *Server) api(pattern, route, typeParam string, h func(*call)) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		now := s.opt.Now()
		who, authErr := s.authenticate(r, now)
		tenant := ""
		if authErr == nil {
			tenant = strconv.FormatInt(who.portalID, 10)
		}
		s.counters.Add(route, tenant)
		objType := ""
		if typeParam != "" {
			objType = r.PathValue(typeParam)
		}
		if s.applyFault(route, objType, tenant, w, r) {
			return
		}
		if authErr != nil {
			writeError(w, authErr)
			return
		}
		if e := s.rateLimit(w.Header(), who, route == RouteObjectsSearch, now); e != nil {
			s.throttled.Add(route, tenant)
			writeError(w, e)
			return
		}
		if fault, ok := s.takeAfter(route, objType, tenant); ok {
			s.serveThenFault(fault, w, r, func(w http.ResponseWriter) { h(&call{s: s, w: w, r: r, now: now, who: who}) })
			return
		}
		h(&call{s: s, w: w, r: r, now: now, who: who})
	})
}

// takeAfter uses up the AfterFaults fault armed for "<route>:<type>", else
// for route, else for every route.
func (s *Server) takeAfter(route, objType, tenant string) (Fault, bool) {
	if t := lookupObjectType(objType); t != nil {
		if f, ok := s.after.Take(route+":"+t.name, tenant); ok {
			return f, true
		}
	}
	return s.after.Take(route, tenant)
}

// serveThenFault runs the handler into a buffer, so its effects happen,
// then carries out fault in place of (Drop, Status) or before (Latency)
// sending its answer.
func (s *Server) serveThenFault(fault Fault, w http.ResponseWriter, r *http.Request, serve func(http.ResponseWriter)) {
	buf := &bufferedAnswer{header: http.Header{}, status: http.StatusOK}
	serve(buf)
	if fault.Latency > 0 {
		t := time.NewTimer(fault.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			panic(http.ErrAbortHandler)
		}
	}
	if fault.Drop {
		panic(http.ErrAbortHandler) // the change is made; its answer never arrives
	}
	if fault.Status != 0 {
		for k, vs := range fault.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.WriteHeader(fault.Status)
		_, _ = w.Write(fault.Body)
		return
	}
	for k, vs := range buf.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(buf.status)
	_, _ = w.Write(buf.body.Bytes())
}

// bufferedAnswer is an http.ResponseWriter held in memory.
type bufferedAnswer struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (b *bufferedAnswer) Header() http.Header { return b.header }

func (b *bufferedAnswer) WriteHeader(status int) {
	if !b.wrote {
		b.status, b.wrote = status, true
	}
}

func (b *bufferedAnswer) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}

// open registers an OAuth route: counters and faults, no bearer token and
// no rate limit.
func (s *Server) open(pattern, route string, h func(*call)) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.counters.Add(route, "")
		if s.applyFault(route, "", "", w, r) {
			return
		}
		h(&call{s: s, w: w, r: r, now: s.opt.Now()})
	})
}

// applyFault carries out the fault armed for "<route>:<type>", else for
// route, else for every route. It reports whether the request has been
// answered.
func (s *Server) applyFault(route, objType, tenant string, w http.ResponseWriter, r *http.Request) bool {
	if t := lookupObjectType(objType); t != nil {
		return s.faults.ApplyFirst(tenant, w, r, route+":"+t.name, route)
	}
	return s.faults.Apply(route, tenant, w, r)
}

// handleUnknown answers paths the fake does not serve: 405 when the path
// exists for another method, else 404, both in the error envelope.
func (s *Server) handleUnknown(w http.ResponseWriter, r *http.Request) {
	s.counters.Add(RouteUnknown, "")
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" {
			writeError(w, newError(http.StatusMethodNotAllowed, categoryValidation, "Method "+r.Method+" is not supported for this path"))
			return
		}
	}
	writeError(w, errNotFound("Resource not found: "+r.URL.Path))
}

// ServeHTTP serves the HubSpot API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(rec, r)
	path := r.URL.Path
	if _, pattern := s.mux.Handler(r); strings.Contains(pattern, "{token}") {
		path = pattern // the path holds a token: log the route instead
	}
	s.log.Debug("hubspot fake", "method", r.Method, "path", path, "status", rec.status)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// Transport routes api.hubapi.com, api.hubspot.com and app.hubspot.com to
// the fake without a socket; any other host is refused.
func (s *Server) Transport() http.RoundTripper {
	return fakekit.NewTransport(s, "api.hubapi.com", "api.hubspot.com", "app.hubspot.com")
}

// Listen serves the fake on addr (empty: a free loopback port).
func (s *Server) Listen(addr string) (*fakekit.Server, error) {
	return fakekit.Listen(addr, s)
}

// Fault is an injected failure (status, body, latency, dropped
// connection); see Faults. It is fakekit's, named here so code outside the
// sandbox tree can build one.
type Fault = fakekit.Fault

// AnyRoute arms a fault on every route (e.g. latency on every call).
const AnyRoute = fakekit.AnyRoute

// Faults returns the fault injector; see the Route constants.
func (s *Server) Faults() *fakekit.Faults { return &s.faults }

// AfterFaults returns a second fault injector, for failures after HubSpot
// has done the work: a request matching a fault armed here (same route
// names as Faults, CRM routes only) is authenticated, counted, rate
// limited and handled, so its change is made, and then its answer is
// dropped (Drop: the client sees a broken connection, as when a network
// or proxy fails after HubSpot committed a create), replaced (Status,
// Body, Header) or delayed (Latency). Faults armed on Faults are tried
// first and, when they answer, the request is not handled at all.
func (s *Server) AfterFaults() *fakekit.Faults { return &s.after }

// Counters returns the request counters: every request is counted under
// its route, with the portal id (decimal) as tenant, or "" when the request
// names no portal (OAuth routes, unauthenticated requests).
func (s *Server) Counters() *fakekit.Counters { return &s.counters }

// Throttled counts the requests the fake's rate limits answered 429 (the
// ten-second window, the daily limit and search's per-second limit), by
// route and portal, as Counters does; an injected 429 fault is not
// counted. Benchmarks read it to show that a client stayed under the
// limits.
func (s *Server) Throttled() *fakekit.Counters { return &s.throttled }

// maxBody bounds request bodies read by the fake.
const maxBody = 8 << 20

// body reads the request body.
func (c *call) body() ([]byte, *apiError) {
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxBody))
	if err != nil {
		return nil, errValidation("Invalid input JSON: %v", err)
	}
	return body, nil
}

// decode reads the JSON body into v. A missing or malformed body is a 400
// VALIDATION_ERROR, as HubSpot answers.
func (c *call) decode(v any) *apiError {
	body, e := c.body()
	if e != nil {
		return e
	}
	return decodeJSON(body, v)
}

func decodeJSON(body []byte, v any) *apiError {
	if len(strings.TrimSpace(string(body))) == 0 {
		return errValidation("Invalid input JSON: no content")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errValidation("Invalid input JSON: %v", err)
	}
	return nil
}

func (c *call) json(status int, v any) { writeJSON(c.w, status, v) }

func (c *call) fail(e *apiError) { writeError(c.w, e) }

// portal returns the caller's portal; the caller holds s.mu.
func (c *call) portal() *portal { return c.s.portals[c.who.portalID] }

// objectType resolves a path wildcard to an object type.
func (c *call) objectType(param string) (*objectType, *apiError) {
	raw := c.r.PathValue(param)
	t := lookupObjectType(raw)
	if t == nil {
		return nil, errUnknownObjectType(raw)
	}
	return t, nil
}

// listParam reads a query parameter given repeated and/or comma-separated.
func listParam(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}
