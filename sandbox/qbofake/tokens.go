package qbofake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// Token lifetimes (reference §6): refresh tokens roll for 8,726,400 s
// (about 101 days) from each use, capped 5 years after the grant.
const (
	refreshTTL   = 8726400 * time.Second
	grantMaxLife = 5 * 365 * 24 * time.Hour
	codeTTL      = 10 * time.Minute // ours; Intuit does not state it in the reference
)

// grant is one connection of the app to a realm: what an authorization
// code (or the seed) created and each refresh carries forward. Revoking
// any of its tokens revokes the grant.
type grant struct {
	realm          string
	scope          string
	created        time.Time
	refresh        string    // the only refresh token that works
	refreshExpires time.Time // zero: never (seeded)
	revoked        bool
}

type accessToken struct {
	g       *grant
	expires time.Time // zero: never (seeded)
}

type authCode struct {
	realm, redirectURI, scope, clientID string
	expires                             time.Time
	used                                bool
}

// authStore holds tokens and codes. Old refresh tokens are forgotten on
// rotation, so presenting one is invalid_grant (reference §6: "design as if
// the old one dies immediately").
type authStore struct {
	mu      sync.Mutex
	access  map[string]*accessToken
	refresh map[string]*grant
	codes   map[string]*authCode
	seq     int
}

func newAuthStore() *authStore {
	return &authStore{access: map[string]*accessToken{}, refresh: map[string]*grant{}, codes: map[string]*authCode{}}
}

// seed registers a realm's fixed tokens; they never expire.
func (a *authStore) seed(realm, access, refresh string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	g := &grant{realm: realm, scope: "com.intuit.quickbooks.accounting", created: now, refresh: refresh}
	if access != "" {
		a.access[access] = &accessToken{g: g}
	}
	if refresh != "" {
		a.refresh[refresh] = g
	}
}

// check validates an access token and returns its realm, or the Detail of
// the 401 (reference §1.10 shape 2; "Token expired: …" is recorded, the
// other wordings are ours).
func (a *authStore) check(token string, now time.Time) (realm, detail string, ok bool) {
	if token == "" {
		return "", "Authorization header is missing or is not a Bearer token", false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	t, found := a.access[token]
	switch {
	case !found:
		return "", "Token invalid: " + clip(token), false
	case t.g.revoked:
		return "", "Token revoked: " + clip(token), false
	case !t.expires.IsZero() && !now.Before(t.expires):
		return "", "Token expired: " + clip(token), false
	}
	return t.g.realm, "", true
}

func clip(s string) string {
	if len(s) > 50 {
		return s[:50]
	}
	return s
}

// issued is what the token endpoint returns.
type issued struct {
	access, refresh string
	accessTTL       time.Duration
	refreshLeft     time.Duration
	scope, realm    string
}

// mint issues a fresh access token and rotates g's refresh token.
func (a *authStore) mint(g *grant, now time.Time, ttl time.Duration) issued {
	a.seq++
	access := tokenString("eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..", "access", g.realm, a.seq, 96)
	a.access[access] = &accessToken{g: g, expires: now.Add(ttl)}
	if g.refresh != "" {
		delete(a.refresh, g.refresh)
	}
	exp := now.Add(refreshTTL)
	if limit := g.created.Add(grantMaxLife); exp.After(limit) {
		exp = limit
	}
	g.refresh = tokenString(fmt.Sprintf("AB11%d", exp.Unix()), "refresh", g.realm, a.seq, 50)
	g.refreshExpires = exp
	a.refresh[g.refresh] = g
	return issued{access: access, refresh: g.refresh, accessTTL: ttl, refreshLeft: exp.Sub(now), scope: g.scope, realm: g.realm}
}

// tokenString makes a deterministic opaque token: prefix plus hex of a hash
// of its purpose, realm and sequence number, n characters long.
func tokenString(prefix, purpose, realm string, seq, n int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "qbofake/%s/%s/%d", purpose, realm, seq))
	s := prefix + hex.EncodeToString(sum[:]) + hex.EncodeToString(sum[:])
	return s[:n]
}

// newCode stores a once-only authorization code.
func (a *authStore) newCode(c authCode) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seq++
	code := tokenString(fmt.Sprintf("AB11%d", c.expires.Unix()), "code", c.realm, a.seq, 50)
	a.codes[code] = &c
	return code
}

// exchange redeems an authorization code; every failure is invalid_grant.
func (a *authStore) exchange(code, redirectURI, clientID string, now time.Time, ttl time.Duration) (issued, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.codes[code]
	if !ok || c.used || !now.Before(c.expires) || c.redirectURI != redirectURI || c.clientID != clientID {
		return issued{}, false
	}
	c.used = true
	g := &grant{realm: c.realm, scope: c.scope, created: now}
	return a.mint(g, now, ttl), true
}

// refreshGrant rotates a refresh token; the old one stops working at once.
func (a *authStore) refreshGrant(token string, now time.Time, ttl time.Duration) (issued, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	g, ok := a.refresh[token]
	if !ok || g.revoked || (!g.refreshExpires.IsZero() && !now.Before(g.refreshExpires)) {
		return issued{}, false
	}
	return a.mint(g, now, ttl), true
}

// revoke revokes the grant a refresh or access token belongs to. It reports
// the grant's realm, or "" for an unknown token.
func (a *authStore) revoke(token string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var g *grant
	if rg, ok := a.refresh[token]; ok {
		g = rg
	} else if at, ok := a.access[token]; ok {
		g = at.g
	}
	if g == nil {
		return ""
	}
	g.revoked = true
	delete(a.refresh, g.refresh)
	return g.realm
}

// realmOf names the realm a refresh token, code or access token belongs to,
// so OAuth requests are counted per realm; "" when unknown.
func (a *authStore) realmOf(token string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if g, ok := a.refresh[token]; ok {
		return g.realm
	}
	if c, ok := a.codes[token]; ok {
		return c.realm
	}
	if t, ok := a.access[token]; ok {
		return t.g.realm
	}
	return ""
}

// userScope returns the scope of a valid access token (for userinfo).
func (a *authStore) userScope(token string, now time.Time) (realm, scope string, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t, found := a.access[token]
	if !found || t.g.revoked || (!t.expires.IsZero() && !now.Before(t.expires)) {
		return "", "", false
	}
	return t.g.realm, t.g.scope, true
}
