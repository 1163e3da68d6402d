package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// writeMix runs each kind of write, and a read, for one realm of a portal.
func writeMix(ctx context.Context, s *store.Store, portalID int64, realm string) error {
	c, err := s.SaveConnection(ctx, connection(portalID, realm))
	if err != nil {
		return err
	}
	if err := s.SaveTokens(ctx, c.ID, tokens(realm+"-2")); err != nil {
		return err
	}
	if err := s.SavePortal(ctx, app.Portal{ID: portalID, Tokens: tokens(realm)}); err != nil {
		return err
	}
	obj := app.ObjectRef{Type: app.Deals, ID: "1"}
	if _, _, err := s.AddLink(ctx, app.InvoiceLink{PortalID: portalID, Object: obj, ConnectionID: c.ID, InvoiceID: realm, Origin: app.OriginAdded}); err != nil {
		return err
	}
	if err := s.SaveSnapshots(ctx, []app.Snapshot{{ConnectionID: c.ID, Invoice: invoice(realm, 1)}}); err != nil {
		return err
	}
	if _, err := s.Links(ctx, portalID, obj); err != nil {
		return err
	}
	_, err = s.Connections(ctx, portalID)
	return err
}

// TestConcurrentWrites writes from many goroutines at once; on SQLite, two
// stores share the file, as two processes would. No write may fail (with
// SQLITE_BUSY or otherwise).
func TestConcurrentWrites(t *testing.T) {
	t.Parallel()
	forEachConfig(t, func(t *testing.T, cfg store.Config) {
		stores := []*store.Store{mustOpen(t, cfg), mustOpen(t, cfg)}
		const goroutines = 24
		var wg sync.WaitGroup
		errs := make(chan error, goroutines)
		start := make(chan struct{})
		for i := range goroutines {
			wg.Go(func() {
				<-start
				s := stores[i%len(stores)]
				if err := writeMix(t.Context(), s, int64(1+i%3), fmt.Sprint(1000+i)); err != nil {
					errs <- fmt.Errorf("goroutine %d: %w", i, err)
				}
			})
		}
		begun := time.Now()
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if got := countRows(t, stores[0], "invoice_links"); got != goroutines {
			t.Errorf("%d links, want %d", got, goroutines)
		}
		t.Logf("%d write mixes in %v", goroutines, time.Since(begun))
	})
}
