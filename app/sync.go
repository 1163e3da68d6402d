package app

import (
	"context"
	"fmt"
)

// syncReady reports whether the background sync is wired.
func (s *Service) syncReady() bool {
	return s.jobs != nil && s.feed != nil && s.sync != nil
}

// AcceptChanges takes the changes of a verified QuickBooks webhook: those
// of realms no portal connected are dropped with a log line (never an
// error, so QuickBooks does not retry them forever); the rest are handed to
// the durable queue, and AcceptChanges returns once they are durable.
func (s *Service) AcceptChanges(ctx context.Context, changes []Change) error {
	if !s.syncReady() {
		return Errorf(Unavailable, "QuickBooks sync is not running on this server.")
	}
	known := map[string]bool{}
	var keep []Change
	for _, c := range changes {
		ok, seen := known[c.RealmID]
		if !seen {
			conns, err := s.sync.ConnectionsOfRealm(ctx, c.RealmID)
			if err != nil {
				return fmt.Errorf("accept changes: connections of realm %s: %w", c.RealmID, err)
			}
			ok = len(conns) > 0
			known[c.RealmID] = ok
			if !ok {
				s.log.InfoContext(ctx, "quickbooks webhook for a realm no portal connected; dropped", "realm", c.RealmID)
			}
		}
		if ok {
			keep = append(keep, c)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	if err := s.jobs.EnqueueChanges(ctx, keep); err != nil {
		return fmt.Errorf("accept changes: %w", err)
	}
	return nil
}
