package hubspotfake

import "net/http"

// handleUninstall is DELETE /appinstalls/2026-03/external-install (and the
// legacy /appinstalls/v3/external-install): the app uninstalls itself from
// the portal of the OAuth access token, answering 204 with no body. The
// portal's grant ends: its refresh tokens are refused (BAD_REFRESH_TOKEN)
// and its access tokens stop working at once. A private-app token cannot
// uninstall anything (403).
func (s *Server) handleUninstall(c *call) {
	if !c.who.oauth {
		c.fail(newError(http.StatusForbidden, "MISSING_SCOPES", "This endpoint requires an OAuth access token of an installed app."))
		return
	}
	s.mu.Lock()
	for _, rt := range s.oauth.refresh {
		if rt.portalID == c.who.portalID {
			rt.revoked = true
		}
	}
	for token, at := range s.oauth.access {
		if at.portalID == c.who.portalID {
			delete(s.oauth.access, token)
		}
	}
	s.mu.Unlock()
	c.w.WriteHeader(http.StatusNoContent)
}
