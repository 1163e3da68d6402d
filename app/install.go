package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Installing the app in a HubSpot account (reference/hubspot.md 4.6).
//
// StartInstall answers the marketplace's install link with HubSpot's
// authorize URL. Its state is signed like a connect state (connect.go) but
// bound to portal 0 and user 0, as nobody is known before HubSpot answers;
// it expires after stateTTL and is spent in the store (oauth_states, portal
// 0) before the code is exchanged, so it works once even across replicas.
// FinishInstall then exchanges the code, learns the portal from the new
// access token, reads the account's currency and time zone, saves the
// portal with its tokens and creates the deal properties.

// HubSpotScopes are the scopes the install asks for, space-separated; they
// match requiredScopes in extensions/src/app/app-hsmeta.json.
const HubSpotScopes = "oauth crm.objects.deals.read crm.objects.deals.write " +
	"crm.objects.contacts.read crm.objects.contacts.write crm.objects.companies.read crm.objects.companies.write " +
	"crm.objects.quotes.read crm.objects.line_items.read crm.objects.products.read crm.objects.products.write " +
	"crm.schemas.deals.read crm.schemas.deals.write crm.schemas.contacts.write crm.schemas.companies.write " +
	"crm.objects.invoices.read crm.objects.invoices.write crm.schemas.invoices.read crm.schemas.invoices.write " +
	"settings.users.read automation"

// InstallCallback is what HubSpot's redirect carries.
type InstallCallback struct {
	Code  string
	State string
	Error string // access_denied, ...
}

func errBadInstallState() error {
	return Errorf(Invalid, "This HubSpot install link is not valid. Start the install again from HubSpot.")
}

// StartInstall returns HubSpot's authorize URL for installing the app, with
// a signed, expiring, single-use state.
func (s *Service) StartInstall(_ context.Context) (string, error) {
	if !s.install.ready() {
		return "", Errorf(Internal, "Installing in HubSpot is not configured.")
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return "", Wrapf(err, Internal, "Could not start the HubSpot install.")
	}
	state := s.install.sign(connectState{Expires: s.now().Add(stateTTL), Nonce: hex.EncodeToString(nonce)})
	u, err := url.Parse(s.install.cfg.AuthorizeURL)
	if err != nil {
		return "", Wrapf(err, Internal, "Installing in HubSpot is misconfigured.")
	}
	q := u.Query()
	q.Set("client_id", s.install.cfg.ClientID)
	q.Set("scope", HubSpotScopes)
	q.Set("redirect_uri", s.install.cfg.RedirectURI)
	q.Set("state", state)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// FinishInstall completes an install from HubSpot's redirect. Nothing is
// stored unless the state verifies and is unspent and the code exchange and
// the account read succeed.
func (s *Service) FinishInstall(ctx context.Context, cb InstallCallback) (Portal, error) {
	if !s.install.ready() {
		return Portal{}, Errorf(Internal, "Installing in HubSpot is not configured.")
	}
	switch {
	case cb.Error == "access_denied":
		return Portal{}, Errorf(Invalid, "The app was not installed: access was declined. Nothing was changed; start the install again from HubSpot.")
	case cb.Error != "":
		code := cb.Error
		if len(code) > 40 || strings.Trim(code, "abcdefghijklmnopqrstuvwxyz_") != "" {
			code = "unknown error"
		}
		return Portal{}, Errorf(Invalid, "The app was not installed (%s). Nothing was changed; start the install again from HubSpot.", code)
	}
	st, ok, expired := s.install.parse(cb.State, s.now())
	switch {
	case !ok || st.PortalID != 0 || st.UserID != 0:
		return Portal{}, errBadInstallState()
	case expired:
		return Portal{}, Errorf(Invalid, "This HubSpot install link has expired. Start the install again from HubSpot.")
	}
	if cb.Code == "" || len(cb.Code) > 1024 {
		return Portal{}, Errorf(Invalid, "HubSpot sent an incomplete answer (no code). Start the install again from HubSpot.")
	}
	spent, err := s.store.SpendOAuthState(ctx, st.Nonce, 0, st.Expires)
	if err != nil {
		return Portal{}, fmt.Errorf("spend install state: %w", err)
	}
	if !spent {
		return Portal{}, Errorf(Invalid, "This HubSpot install link was already used. Start the install again from HubSpot.")
	}

	tokens, err := s.hubspot.ExchangeCode(ctx, cb.Code, s.install.cfg.RedirectURI)
	if err != nil {
		return Portal{}, err
	}
	portalID, currency, timeZone, err := s.hubspot.AccountInfo(ctx, tokens)
	if err != nil {
		return Portal{}, err
	}
	if portalID <= 0 {
		return Portal{}, Errorf(Internal, "HubSpot did not say which account the app was installed in.")
	}
	before, err := s.store.Portal(ctx, portalID)
	reinstall := err == nil && before.State != PortalInstalled
	p := Portal{ID: portalID, Currency: currency, TimeZone: timeZone, Tokens: tokens}
	if err := s.store.SavePortal(ctx, p); err != nil {
		return Portal{}, fmt.Errorf("save portal %d: %w", portalID, err)
	}
	s.log.InfoContext(ctx, "hubspot app installed", "portal", portalID, "reinstall", reinstall)
	if reinstall {
		s.refreshAfterReinstall(ctx, portalID)
	}
	if err := s.hubspot.EnsureDealProperties(ctx, p); err != nil {
		return Portal{}, fmt.Errorf("create deal properties of portal %d: %w", portalID, err)
	}
	return p, nil
}

// refreshAfterReinstall makes the next reconcile of each of the portal's
// connected companies read every linked invoice again and rewrite every
// deal: while HubSpot could not be written (the app uninstalled there, or
// its access revoked), changes were applied to the snapshots only.
func (s *Service) refreshAfterReinstall(ctx context.Context, portalID int64) {
	if s.sync == nil {
		return
	}
	conns, err := s.store.Connections(ctx, portalID)
	if err != nil {
		s.log.WarnContext(ctx, "reinstall: list connections", "portal", portalID, "err", err)
		return
	}
	for _, c := range conns {
		if c.State != Connected {
			continue
		}
		// A cursor older than CDC's window means "read everything again".
		if err := s.sync.SaveCDCSince(ctx, c.ID, time.Unix(1, 0).UTC()); err != nil {
			s.log.WarnContext(ctx, "reinstall: reset the reconcile cursor", "connection", c.ID, "err", err)
		}
	}
}

// uninstallTimeout bounds an uninstall, which runs on past the caller's
// cancellation: stopping half way would leave live grants nobody can reach.
const uninstallTimeout = 2 * time.Minute

// Uninstall removes the app from a portal at its admin's request (userID
// is logged): every QuickBooks company's grant is revoked at Intuit and its
// tokens erased, every sync is turned off, and only then HubSpot uninstalls
// the app (the card and settings page go, and HubSpot ends the portal's
// tokens). HubSpot comes last because it removes the only place an admin
// could retry from; every step before it can be repeated. The portal is kept
// as uninstalled and its connections as disconnected, with their invoice
// links and snapshots, so a reinstall and reconnect show the same invoices.
//
// It runs detached from the caller's cancellation, within uninstallTimeout.
// An Intuit revoke that fails is logged and the connection's tokens are
// erased anyway (erased tokens can no longer be used by anyone; Intuit ends
// an unused grant after 100 days). When HubSpot cannot be reached the
// portal keeps its tokens and state, and the admin retries: the QuickBooks
// side is already done and is not repeated. HubSpot no longer accepting
// the tokens (the app was removed there already) counts as done.
func (s *Service) Uninstall(ctx context.Context, portalID, userID int64) (Portal, []Connection, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), uninstallTimeout)
	defer cancel()
	p, err := s.store.Portal(ctx, portalID)
	if err != nil {
		return Portal{}, nil, err
	}
	conns, err := s.store.Connections(ctx, portalID)
	if err != nil {
		return Portal{}, nil, err
	}
	for i, c := range conns {
		if c.Tokens.Refresh != "" {
			if err := s.qbo.Revoke(ctx, c.Tokens.Refresh); err != nil {
				s.log.WarnContext(ctx, "quickbooks: revoke at uninstall failed; erasing the tokens anyway",
					"portal", portalID, "connection", c.ID, "err", err)
			}
		}
		if c.State != Disconnected || c.Tokens != (Tokens{}) {
			c.State, c.Tokens = Disconnected, Tokens{}
			if c, err = s.store.SaveConnection(ctx, c); err != nil {
				return Portal{}, nil, fmt.Errorf("uninstall portal %d: disconnect %s: %w", portalID, c.ID, err)
			}
		}
		c.Tokens = Tokens{}
		conns[i] = c
	}
	if err := s.turnSyncsOff(ctx, portalID); err != nil {
		return Portal{}, nil, fmt.Errorf("uninstall portal %d: %w", portalID, err)
	}
	if p.Tokens.Access != "" {
		if err := s.hubspot.Uninstall(ctx, p); err != nil && ErrorCode(err) != NotConnected {
			return Portal{}, nil, err
		}
	}
	p.State, p.Tokens = PortalUninstalled, Tokens{}
	if err := s.store.SavePortal(ctx, p); err != nil {
		return Portal{}, nil, fmt.Errorf("uninstall portal %d: %w", portalID, err)
	}
	s.cards.forgetPrefix(fmt.Sprintf("%d:", portalID))
	s.log.InfoContext(ctx, "app uninstalled from the portal", "portal", portalID, "user", userID, "connections", len(conns))
	return p, conns, nil
}

// turnSyncsOff turns every sync of the portal off, keeping its choices: a
// reinstall must not resume a sync from a months-old EnabledAt.
func (s *Service) turnSyncsOff(ctx context.Context, portalID int64) error {
	ps, err := s.store.PortalSettings(ctx, portalID)
	if err != nil {
		return err
	}
	for _, o := range SyncObjects {
		cur := *ps.Sync(o)
		if !cur.Enabled {
			continue
		}
		cur.Enabled = false
		if err := s.store.SaveSyncSettings(ctx, portalID, o, cur); err != nil {
			return err
		}
	}
	return nil
}
