package hubspotfake

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// principal is who a CRM request acts as: the token decides the portal.
type principal struct {
	portalID int64
	token    string
	oauth    bool // an OAuth access token, not a private-app token
}

const credentialsNotFound = "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"

// authenticate resolves "Authorization: Bearer <token>" to a portal. A
// missing, unknown or expired token is a 401 (reference §4: "Authorization:
// Bearer <access token>"); legacy hapikey query parameters are not accepted.
func (s *Server) authenticate(r *http.Request, now time.Time) (principal, *apiError) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return principal{}, newError(http.StatusUnauthorized, categoryAuthentication, credentialsNotFound)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.apiTokens[token]; ok {
		return principal{portalID: id, token: token}, nil
	}
	if at, ok := s.oauth.access[token]; ok {
		if !now.Before(at.expires) {
			ago := int(now.Sub(at.expires) / time.Minute)
			return principal{}, newError(http.StatusUnauthorized, s.opt.ExpiredTokenCategory,
				"The OAuth token used to make this call expired "+strconv.Itoa(ago)+" minute(s) ago.")
		}
		return principal{portalID: at.portalID, token: token, oauth: true}, nil
	}
	return principal{}, newError(http.StatusUnauthorized, categoryAuthentication, credentialsNotFound)
}

// Rate-limit headers (reference §4.5).
const (
	headerInterval       = "X-HubSpot-RateLimit-Interval-Milliseconds"
	headerMax            = "X-HubSpot-RateLimit-Max"
	headerRemaining      = "X-HubSpot-RateLimit-Remaining"
	headerDaily          = "X-HubSpot-RateLimit-Daily"
	headerDailyRemaining = "X-HubSpot-RateLimit-Daily-Remaining"
)

type dailyKey struct {
	portalID int64
	day      string // YYYY-MM-DD in the portal's time zone
}

// rateLimit counts the request against its limits and sets the rate-limit
// headers on h. Search has its own per-token limit and no headers; the
// others share the rolling window per portal and, for private-app tokens,
// the daily limit (reference §4.5).
func (s *Server) rateLimit(h http.Header, who principal, search bool, now time.Time) *apiError {
	if search {
		if ok, _, _ := s.search.Allow(who.token); !ok {
			// Recorded HubSpot answers to search over its secondly limit.
			return newError(http.StatusTooManyRequests, categoryRateLimits, "You have reached your secondly limit.")
		}
		return nil
	}
	if s.window.Limit > 0 {
		ok, remaining, _ := s.window.Allow(strconv.FormatInt(who.portalID, 10))
		h.Set(headerInterval, strconv.FormatInt(s.opt.RateWindow.Milliseconds(), 10))
		h.Set(headerMax, strconv.Itoa(s.window.Limit))
		if !ok {
			h.Set(headerRemaining, "0")
			return errRateLimited("TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.")
		}
		h.Set(headerRemaining, strconv.Itoa(remaining))
	}
	if who.oauth || s.opt.DailyLimit <= 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	loc := time.UTC
	if pt := s.portals[who.portalID]; pt != nil {
		loc = pt.loc
	}
	k := dailyKey{who.portalID, now.In(loc).Format("2006-01-02")}
	h.Set(headerDaily, strconv.Itoa(s.opt.DailyLimit))
	if s.daily[k] >= s.opt.DailyLimit {
		h.Set(headerDailyRemaining, "0")
		return errRateLimited("DAILY", "You have reached your daily limit.")
	}
	s.daily[k]++
	h.Set(headerDailyRemaining, strconv.Itoa(s.opt.DailyLimit-s.daily[k]))
	return nil
}
