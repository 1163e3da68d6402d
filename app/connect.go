package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Connecting a QuickBooks company (reference/quickbooks.md section 6).
//
// StartConnect answers a signed card request with Intuit's authorize URL.
// Its state is "<portal>.<user>.<expiry unix>.<nonce>.<mac>": the MAC is
// HMAC-SHA256 under a key derived from the encryption key
// (HMAC(key, "oauth-state")), so only this service can mint a state, and
// it binds the portal and user the card's signature proved. The callback
// (unsigned: the state is its proof) refuses a state that is forged,
// malformed or past its 10-minute expiry, then spends its nonce in the
// store (oauth_states) before anything else happens, so a state works once
// even across replicas. Only then is the code exchanged, the company read
// with the new tokens and the connection saved.
//
// The HubSpot install flow (install.go) signs its states the same way, with
// portal and user 0 ("0.0.<expiry>.<nonce>.<mac>"): the portal is unknown
// until HubSpot answers. A connect state never has portal 0 and an install
// state always has it, so neither is accepted by the other's callback.

// stateTTL is how long a connect state is accepted.
const stateTTL = 10 * time.Minute

// QBOScope is the OAuth scope the connect flow asks for.
const QBOScope = "com.intuit.quickbooks.accounting"

// ConnectConfig configures the QuickBooks connect flow.
type ConnectConfig struct {
	// AuthorizeURL is Intuit's authorization endpoint (QBO_AUTHORIZE_URL).
	AuthorizeURL string
	// ClientID is the Intuit app's client id.
	ClientID string
	// RedirectURI is PUBLIC_BASE_URL + "/oauth/quickbooks/callback", from
	// configuration only, never from a request.
	RedirectURI string
	// Secret is the key states are signed under after derivation (the
	// encryption key); empty turns the flow off.
	Secret []byte
}

// connectFlow is ConnectConfig made ready.
type connectFlow struct {
	cfg      ConnectConfig
	stateKey []byte
}

func newConnectFlow(cfg ConnectConfig) connectFlow {
	f := connectFlow{cfg: cfg}
	if len(cfg.Secret) > 0 {
		m := hmac.New(sha256.New, cfg.Secret)
		m.Write([]byte("oauth-state"))
		f.stateKey = m.Sum(nil)
	}
	return f
}

func (f connectFlow) ready() bool {
	return f.stateKey != nil && f.cfg.AuthorizeURL != "" && f.cfg.ClientID != "" && f.cfg.RedirectURI != ""
}

// connectState is what a state carries.
type connectState struct {
	PortalID int64
	UserID   int64
	Expires  time.Time
	Nonce    string
}

func (f connectFlow) mac(payload string) string {
	m := hmac.New(sha256.New, f.stateKey)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (f connectFlow) sign(st connectState) string {
	payload := fmt.Sprintf("%d.%d.%d.%s", st.PortalID, st.UserID, st.Expires.Unix(), st.Nonce)
	return payload + "." + f.mac(payload)
}

// errBadState is the answer to every state that does not verify: which
// check failed is not revealed.
func errBadState() error {
	return Errorf(Invalid, "This QuickBooks connection link is not valid. Start again from the HubSpot card.")
}

// verify checks a connect state's MAC and expiry and returns what it
// carries; install states (portal 0) are refused.
func (f connectFlow) verify(state string, now time.Time) (connectState, error) {
	st, ok, expired := f.parse(state, now)
	switch {
	case !ok || st.PortalID <= 0:
		return connectState{}, errBadState()
	case expired:
		return connectState{}, Errorf(Invalid, "This QuickBooks connection link has expired. Start again from the HubSpot card.")
	}
	return st, nil
}

// parse checks state's MAC and shape: ok is false for a forged or
// malformed state, expired true for a genuine one past its expiry.
func (f connectFlow) parse(state string, now time.Time) (st connectState, ok, expired bool) {
	if len(state) > 300 {
		return connectState{}, false, false
	}
	payload, mac, found := cutLast(state, ".")
	if !found || !hmac.Equal([]byte(mac), []byte(f.mac(payload))) {
		return connectState{}, false, false
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 4 {
		return connectState{}, false, false
	}
	portal, err1 := strconv.ParseInt(parts[0], 10, 64)
	user, err2 := strconv.ParseInt(parts[1], 10, 64)
	exp, err3 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || portal < 0 || parts[3] == "" {
		return connectState{}, false, false
	}
	st = connectState{PortalID: portal, UserID: user, Expires: time.Unix(exp, 0), Nonce: parts[3]}
	return st, true, !now.Before(st.Expires)
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// StartConnect returns Intuit's authorize URL for connecting a QuickBooks
// company to the portal, with a state bound to the portal and user.
func (s *Service) StartConnect(_ context.Context, portalID, userID int64) (string, error) {
	if !s.connect.ready() {
		return "", Errorf(Internal, "Connecting QuickBooks is not configured.")
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return "", Wrapf(err, Internal, "Could not start connecting QuickBooks.")
	}
	state := s.connect.sign(connectState{PortalID: portalID, UserID: userID,
		Expires: s.now().Add(stateTTL), Nonce: hex.EncodeToString(nonce)})
	u, err := url.Parse(s.connect.cfg.AuthorizeURL)
	if err != nil {
		return "", Wrapf(err, Internal, "Connecting QuickBooks is misconfigured.")
	}
	q := u.Query()
	q.Set("client_id", s.connect.cfg.ClientID)
	q.Set("response_type", "code")
	q.Set("scope", QBOScope)
	q.Set("redirect_uri", s.connect.cfg.RedirectURI)
	q.Set("state", state)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// ConnectCallback is what Intuit's redirect carries.
type ConnectCallback struct {
	Code    string
	State   string
	RealmID string
	Error   string // access_denied, invalid_scope, ...
}

// FinishConnect completes a connect from Intuit's redirect: it verifies and
// spends the state, exchanges the code, reads the company and stores the
// connection (a realm the portal already has keeps its id). Nothing is
// stored when any step fails.
func (s *Service) FinishConnect(ctx context.Context, cb ConnectCallback) (Connection, error) {
	if !s.connect.ready() {
		return Connection{}, Errorf(Internal, "Connecting QuickBooks is not configured.")
	}
	switch {
	case cb.Error == "access_denied":
		return Connection{}, Errorf(Invalid, "QuickBooks was not connected: access was declined. Nothing was changed; start again from the HubSpot card to connect.")
	case cb.Error != "":
		code := cb.Error
		if len(code) > 40 || strings.Trim(code, "abcdefghijklmnopqrstuvwxyz_") != "" {
			code = "unknown error"
		}
		return Connection{}, Errorf(Invalid, "QuickBooks was not connected (%s). Nothing was changed; start again from the HubSpot card.", code)
	}
	st, err := s.connect.verify(cb.State, s.now())
	if err != nil {
		return Connection{}, err
	}
	if cb.Code == "" || len(cb.Code) > 1024 || cb.RealmID == "" || len(cb.RealmID) > 32 ||
		strings.Trim(cb.RealmID, "0123456789") != "" {
		return Connection{}, Errorf(Invalid, "QuickBooks sent an incomplete answer (no code or company id). Start again from the HubSpot card.")
	}
	// A connect started before an uninstall must not connect a company to
	// a portal no card or settings page can reach any more.
	if portal, err := s.store.Portal(ctx, st.PortalID); err != nil || portal.State != PortalInstalled {
		if err != nil && ErrorCode(err) != NotFound {
			return Connection{}, fmt.Errorf("read portal %d: %w", st.PortalID, err)
		}
		return Connection{}, Errorf(Invalid, "The app is not installed in this HubSpot account any more. Install it again, then connect QuickBooks from the HubSpot card.")
	}
	spent, err := s.store.SpendOAuthState(ctx, st.Nonce, st.PortalID, st.Expires)
	if err != nil {
		return Connection{}, fmt.Errorf("spend connect state: %w", err)
	}
	if !spent {
		return Connection{}, Errorf(Invalid, "This QuickBooks connection link was already used. Start again from the HubSpot card.")
	}

	tokens, err := s.qbo.ExchangeCode(ctx, cb.Code, s.connect.cfg.RedirectURI)
	if err != nil {
		return Connection{}, err
	}
	conn := Connection{PortalID: st.PortalID, RealmID: cb.RealmID, State: Connected, Tokens: tokens}
	// The adapter keys its token state by connection id: a reconnect reads
	// under the stored id (its new tokens replace the old), a new company
	// under one of its own.
	conn.ID = "connect-" + st.Nonce
	existing, err := s.store.Connections(ctx, st.PortalID)
	if err != nil {
		return Connection{}, fmt.Errorf("list connections of portal %d: %w", st.PortalID, err)
	}
	for _, c := range existing {
		if c.RealmID == cb.RealmID {
			conn.ID = c.ID
		}
	}
	company, err := s.qbo.Company(ctx, conn)
	if err != nil {
		return Connection{}, err
	}
	conn.CompanyName, conn.Country, conn.Currency = company.Name, company.Country, company.Currency
	conn.TimeZone, conn.CustomTxnNumbers = company.TimeZone, company.CustomTxnNumbers
	conn.MultiCurrency = company.MultiCurrency
	saved, err := s.store.SaveConnection(ctx, conn)
	if err != nil {
		return Connection{}, fmt.Errorf("save connection of portal %d to realm %s: %w", st.PortalID, cb.RealmID, err)
	}
	s.cards.forgetPrefix(fmt.Sprintf("%d:", st.PortalID)) // the card shows the new state at once
	s.log.InfoContext(ctx, "quickbooks company connected", "portal", st.PortalID, "user", st.UserID,
		"realm", saved.RealmID, "connection", saved.ID)
	return saved, nil
}

// Disconnect revokes the connection's tokens at Intuit, clears them and
// marks the connection disconnected; its links stay. NotFound for another
// portal's connection. When Intuit cannot be reached nothing changes and
// the admin retries; any other refusal of the revoke (a token Intuit no
// longer knows) still disconnects.
func (s *Service) Disconnect(ctx context.Context, portalID int64, connectionID string) (Connection, error) {
	conn, err := s.store.Connection(ctx, portalID, connectionID)
	if err != nil {
		return Connection{}, err
	}
	if token := conn.Tokens.Refresh; token != "" {
		if err := s.qbo.Revoke(ctx, token); err != nil {
			if ErrorCode(err) == Unavailable {
				return Connection{}, err
			}
			s.log.WarnContext(ctx, "quickbooks: revoke refused; disconnecting anyway", "connection", conn.ID, "err", err)
		}
	}
	conn.State, conn.Tokens = Disconnected, Tokens{}
	saved, err := s.store.SaveConnection(ctx, conn)
	if err != nil {
		return Connection{}, fmt.Errorf("disconnect connection %s: %w", conn.ID, err)
	}
	s.cards.forgetPrefix(fmt.Sprintf("%d:", portalID))
	s.log.InfoContext(ctx, "quickbooks company disconnected", "portal", portalID, "connection", saved.ID)
	return saved, nil
}
