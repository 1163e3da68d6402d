package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/redis"
)

// customerFeed reports n customer changes, one per second from base.
type customerFeed struct {
	base  time.Time
	n     int
	calls []time.Time // the since of each call
}

func (f *customerFeed) Changes(_ context.Context, _ app.Connection, _ []string, since time.Time) (app.ChangeSet, error) {
	f.calls = append(f.calls, since)
	var cs app.ChangeSet
	for i := range f.n {
		at := f.base.Add(time.Duration(i) * time.Second)
		if at.Before(since) {
			continue
		}
		cs.Changes = append(cs.Changes, app.EntityChange{Entity: app.EntityCustomer, EntityID: fmt.Sprint(i + 1), LastUpdated: at})
	}
	cs.Time = f.base.Add(time.Duration(f.n+60) * time.Second)
	return cs, nil
}

func (f *customerFeed) PaymentInvoices(context.Context, app.Connection, string) ([]string, error) {
	return nil, nil
}

type noJobs struct{}

func (noJobs) EnqueueChanges(context.Context, []app.Change) error { return nil }

// TestReconcilePausesBetweenChunksAndGoesOn: a reconcile short of time
// stops after a chunk with its progress saved, and the next one goes on
// from there; together they apply every change once.
func TestReconcilePausesBetweenChunksAndGoesOn(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	feed := &customerFeed{base: f.now.Add(-time.Hour), n: 450}
	svc := app.New(app.Deps{Store: f.store, Cache: redis.NewInProcess(100, redis.Options{}), QuickBooks: f.qbo,
		HubSpot: f.hs, Now: func() time.Time { return f.now }, Jobs: noJobs{}, ChangeFeed: feed, Sync: f.store})
	if err := f.store.SaveCDCSince(ctx, f.us.ID, feed.base.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}

	short, cancel := context.WithTimeout(ctx, 10*time.Second) // under a third left: pause after one chunk
	defer cancel()
	if err := svc.Reconcile(short, f.us.ID); err != nil {
		t.Fatal(err)
	}
	st, _ := f.store.SyncState(ctx, f.us.ID)
	if want := feed.base.Add(199 * time.Second); !st.CDCSince.Equal(want) {
		t.Fatalf("cursor after a paused reconcile = %v, want the 200th change's time %v", st.CDCSince, want)
	}
	if v, _ := f.store.EntityVersion(ctx, f.us.ID, app.EntityCustomer, "201"); !v.IsZero() {
		t.Fatal("the 201st change was applied in a paused reconcile")
	}

	if err := svc.Reconcile(ctx, f.us.ID); err != nil {
		t.Fatal(err)
	}
	if got := feed.calls[1]; !got.Equal(feed.base.Add(199 * time.Second)) {
		t.Errorf("the second reconcile asked from %v, want where the first stopped", got)
	}
	for _, id := range []string{"1", "200", "201", "450"} {
		if v, _ := f.store.EntityVersion(ctx, f.us.ID, app.EntityCustomer, id); v.IsZero() {
			t.Errorf("change %s not applied", id)
		}
	}
	st, _ = f.store.SyncState(ctx, f.us.ID)
	if want := feed.base.Add(510*time.Second - 2*time.Minute); !st.CDCSince.Equal(want) {
		t.Errorf("final cursor = %v, want QuickBooks' time less the overlap %v", st.CDCSince, want)
	}
}
