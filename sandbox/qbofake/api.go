package qbofake

import (
	"io"
	"net/http"
	"strings"
)

// maxBody caps request bodies; QBO's own limit is not documented.
const maxBody = 10 << 20

// apiCall is a classified data API request: its route name (for faults and
// counters) and the handler that answers it once auth and limits pass.
type apiCall struct {
	route string
	serve func(w http.ResponseWriter, r *http.Request, rl *realm, body []byte)
}

// serveAPI answers /v3/company/{realm}/…. The order of checks is: count the
// request; authenticate (401 gateway body) and authorize the realm (403);
// apply the per-realm limits (429 XML); apply an injected fault; replay a
// repeated requestid; then run the handler.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/v3/company/")
	realmID, tail, _ := strings.Cut(rest, "/")
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		s.log.Debug("qbofake: read body", "err", err)
		return // the client went away
	}
	call := s.classify(r, splitPath(tail), body)
	s.counters.Add(call.route, realmID)

	tokenRealm, detail, ok := s.auth.check(bearer(r), s.now())
	if !ok {
		s.writeUnauthorized(w, detail)
		return
	}
	rl := s.realm(realmID)
	if tokenRealm != realmID || rl == nil {
		s.writeForbidden(w, realmID)
		return
	}
	if ok, _, _ := s.window.Allow(realmID); !ok {
		s.throttled.Add(call.route, realmID)
		s.writeThrottled(w, rl)
		return
	}
	if call.route == RouteBatch {
		if ok, _, _ := s.batches.Allow(realmID); !ok {
			s.throttled.Add(call.route, realmID)
			s.writeThrottled(w, rl)
			return
		}
	}
	release, ok := s.slots.Acquire(realmID)
	if !ok {
		s.throttled.Add(call.route, realmID)
		s.writeThrottled(w, rl)
		return
	}
	defer release()
	if s.faults.Apply(call.route, realmID, w, r) {
		return
	}
	if len(body) > maxBody {
		s.writeFault(w, rl, errBusiness("The request body is too large."))
		return
	}
	if rid := r.URL.Query().Get("requestid"); rid != "" && r.Method == http.MethodPost {
		if len(rid) > maxRequestID {
			s.writeFault(w, rl, errBadRequestID(maxRequestID))
			return
		}
		s.replays.do(realmID+"\x00"+rid+"\x00"+r.URL.Path, w, func(w http.ResponseWriter) {
			call.serve(w, r, rl, body)
		})
		return
	}
	call.serve(w, r, rl, body)
}

// classify maps method and path to a route and handler. Path segments are
// matched in any case (reference §1.1: lower case is canonical).
func (s *Server) classify(r *http.Request, segs []string, body []byte) apiCall {
	unsupported := apiCall{RouteUnsupported, func(w http.ResponseWriter, r *http.Request, rl *realm, _ []byte) {
		s.writeFault(w, rl, errUnsupportedPath(r))
	}}
	if len(segs) == 0 {
		return unsupported
	}
	get, post := r.Method == http.MethodGet, r.Method == http.MethodPost
	first := strings.ToLower(segs[0])
	switch {
	case first == "query" && len(segs) == 1 && (get || post):
		return apiCall{RouteQuery, s.serveQuery}
	case first == "cdc" && len(segs) == 1 && get:
		return apiCall{RouteCDC, s.serveCDC}
	case first == "batch" && len(segs) == 1 && post:
		return apiCall{RouteBatch, s.serveBatch}
	case first == "preferences" && len(segs) == 1 && get:
		return apiCall{RoutePreferences, s.serveRead(kindByName("Preferences"), "")}
	case first == "preferences" && len(segs) == 1 && post:
		return apiCall{RoutePreferences, s.serveWrite(kindByName("Preferences"), "update")}
	case first == "companyinfo" && len(segs) == 2 && get:
		return apiCall{RouteCompanyInfo, s.serveRead(kindByName("CompanyInfo"), segs[1])}
	case first == "companyinfo" && len(segs) == 1 && post:
		return apiCall{RouteCompanyInfo, s.serveWrite(kindByName("CompanyInfo"), "update")}
	}
	k := kindByName(first)
	if k == nil || k.name == "Preferences" || k.name == "CompanyInfo" {
		return unsupported
	}
	switch {
	case len(segs) == 2 && get:
		return apiCall{route(k.path, "read"), s.serveRead(k, segs[1])}
	case len(segs) == 1 && post:
		op := operation(r, body)
		return apiCall{route(k.path, op), s.serveWrite(k, op)}
	case len(segs) == 3 && k.name == "Invoice" && post && strings.EqualFold(segs[2], "send"):
		return apiCall{RouteInvoiceSend, s.serveSend(segs[1])}
	case len(segs) == 3 && k.name == "Invoice" && get && strings.EqualFold(segs[2], "pdf"):
		return apiCall{RouteInvoicePDF, s.servePDF(segs[1])}
	}
	return unsupported
}

// operation reads ?operation= (delete, void, update); without it a body
// carrying an Id is an update and anything else a create.
func operation(r *http.Request, body []byte) string {
	switch op := strings.ToLower(r.URL.Query().Get("operation")); op {
	case "":
		if peekID(body) != "" {
			return "update"
		}
		return "create"
	default:
		return op
	}
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// bearer returns the token of an "Authorization: Bearer …" header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// hasInclude reports whether ?include= lists name (comma separated).
func hasInclude(r *http.Request, name string) bool {
	for _, v := range r.URL.Query()["include"] {
		for _, part := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), name) {
				return true
			}
		}
	}
	return false
}

// serveRead answers GET …/{entity}/{id}.
func (s *Server) serveRead(k *kind, id string) func(http.ResponseWriter, *http.Request, *realm, []byte) {
	return func(w http.ResponseWriter, r *http.Request, rl *realm, _ []byte) {
		rl.mu.Lock()
		v, e := rl.read(k, id)
		var out []byte
		if e == nil {
			out = s.envelope(rl, k.name, v)
		}
		rl.mu.Unlock()
		if e != nil {
			s.writeFault(w, rl, e)
			return
		}
		s.writeJSON(w, out)
	}
}

// serveWrite answers POST …/{entity}[?operation=…].
func (s *Server) serveWrite(k *kind, op string) func(http.ResponseWriter, *http.Request, *realm, []byte) {
	return func(w http.ResponseWriter, r *http.Request, rl *realm, body []byte) {
		opt := writeOpts{invoice: invoiceOpts{allowDuplicateDocNum: hasInclude(r, "allowduplicatedocnum")}}
		rl.mu.Lock()
		wk := s.begin(rl)
		v, e := wk.write(k, op, body, opt)
		var out []byte
		if e == nil {
			out = s.envelope(rl, k.name, v)
		}
		rl.mu.Unlock()
		s.publish(wk)
		if e != nil {
			s.writeFault(w, rl, e)
			return
		}
		s.writeJSON(w, out)
	}
}

// envelope wraps an object as QBO does: {"<Entity>":{…},"time":"…"}
// (reference §1.1 "Success envelope").
func (s *Server) envelope(rl *realm, name string, v any) []byte {
	var b strings.Builder
	b.WriteString(`{"`)
	b.WriteString(name)
	b.WriteString(`":`)
	b.Write(mustJSON(v))
	b.WriteString(`,"time":"`)
	b.WriteString(s.wireTime(rl))
	b.WriteString(`"}`)
	return []byte(b.String())
}

// writeJSON writes a successful data API answer. Qbo-Version is set here
// only: the recordings carry it on 200s and not on 400 or 401 (R1).
func (s *Server) writeJSON(w http.ResponseWriter, body []byte) {
	w.Header().Set("Qbo-Version", qboVersion)
	s.writeRaw(w, http.StatusOK, "application/json;charset=utf-8", body)
}
