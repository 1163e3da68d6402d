package app

import (
	"context"
	"fmt"
	"time"
)

// Admins tells who may change a portal's QuickBooks settings (the HubSpot
// adapter implements it over the user provisioning API; asserted from
// Deps.HubSpot like the other optional capabilities).
type Admins interface {
	// IsSuperAdmin reports whether the user is a super admin of the
	// portal's HubSpot account; NotFound when the account has no such user.
	IsSuperAdmin(ctx context.Context, portal Portal, userID int64) (bool, error)
}

// adminTTL is how long an answer about a user is kept in this process: a
// settings page's clicks ask HubSpot once, and a change of a user's rights
// shows within a minute.
const adminTTL = time.Minute

// RequireAdmin refuses (Forbidden) a user who is not a super admin of the
// portal's HubSpot account: connecting and disconnecting QuickBooks
// companies, the sync settings, imports, retries and uninstalling are
// theirs, as installing the app is. Reps keep every card action.
func (s *Service) RequireAdmin(ctx context.Context, portalID, userID int64) error {
	if userID <= 0 {
		return Errorf(Forbidden, "HubSpot did not say who you are, so the QuickBooks settings cannot be changed from here.")
	}
	admins, ok := s.hubspot.(Admins)
	if !ok {
		return Errorf(Internal, "This server cannot check HubSpot users' rights.")
	}
	key := fmt.Sprintf("%d:%d", portalID, userID)
	admin, err := s.admins.get(ctx, key, func(ctx context.Context) (bool, error) {
		portal, err := s.store.Portal(ctx, portalID)
		if err != nil {
			return false, err
		}
		is, err := admins.IsSuperAdmin(ctx, portal, userID)
		switch ErrorCode(err) {
		case NotFound:
			return false, nil
		case Forbidden: // installed before the app asked for settings.users.read
			return false, Wrapf(err, Forbidden, "The app cannot yet see who is a super admin of this HubSpot account: a super admin should install the app again to grant it that permission.")
		}
		return is, err
	})
	if err != nil {
		return fmt.Errorf("check user %d of portal %d: %w", userID, portalID, err)
	}
	if !admin {
		return Errorf(Forbidden, "Only a super admin of this HubSpot account can change the QuickBooks settings. Ask one of them, or ask them to give you super admin rights.")
	}
	return nil
}
