package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

var deal = app.ObjectRef{Type: app.Deals, ID: "1001"}

func TestAddLink(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		c := mustSaveConnection(t, s, 1, "111")

		want := app.InvoiceLink{
			PortalID:     1,
			Object:       deal,
			ConnectionID: c.ID,
			InvoiceID:    "130",
			Origin:       app.OriginCreated,
			CreatedAt:    time.Date(2024, 2, 29, 12, 0, 0, 123, paris),
		}
		first, added, err := s.AddLink(ctx, want)
		if err != nil || !added {
			t.Fatalf("AddLink = %v, %v; want added", added, err)
		}
		if !hexID.MatchString(first.ID) {
			t.Errorf("link ID = %q, want 32 hex digits", first.ID)
		}
		want.ID = first.ID
		if diff := cmp.Diff(want, first); diff != "" {
			t.Errorf("AddLink result (-want +got):\n%s", diff)
		}

		// The same invoice on the same record: the existing link, not new.
		dup := want
		dup.ID, dup.Origin, dup.CreatedAt = "", app.OriginAdded, time.Time{}
		got, added, err := s.AddLink(ctx, dup)
		if err != nil || added {
			t.Fatalf("AddLink again = %v, %v; want not added", added, err)
		}
		if diff := cmp.Diff(first, got); diff != "" {
			t.Errorf("AddLink again returned (-want +got):\n%s", diff)
		}

		// Another invoice on the record, and the same invoice on another
		// record, are new links. A zero CreatedAt means now.
		second, added, err := s.AddLink(ctx, app.InvoiceLink{PortalID: 1, Object: deal, ConnectionID: c.ID, InvoiceID: "131", Origin: app.OriginAdded})
		if err != nil || !added || second.CreatedAt.IsZero() {
			t.Fatalf("AddLink(131) = %+v, %v, %v; want added now", second, added, err)
		}
		company := app.ObjectRef{Type: app.Companies, ID: "1001"}
		if _, added, err := s.AddLink(ctx, app.InvoiceLink{PortalID: 1, Object: company, ConnectionID: c.ID, InvoiceID: "130", Origin: app.OriginAdded}); err != nil || !added {
			t.Fatalf("AddLink(company) = %v, %v; want added", added, err)
		}

		links, err := s.Links(ctx, 1, deal)
		if err != nil {
			t.Fatalf("Links: %v", err)
		}
		if diff := cmp.Diff([]app.InvoiceLink{first, second}, links); diff != "" {
			t.Errorf("Links, oldest first (-want +got):\n%s", diff)
		}
		none, err := s.Links(ctx, 1, app.ObjectRef{Type: app.Contacts, ID: "1001"})
		if err != nil || none == nil || len(none) != 0 {
			t.Errorf("Links(contact) = %v, %v; want an empty list", none, err)
		}
	})
}

func TestAddLinkConcurrent(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		c := mustSaveConnection(t, s, 1, "111")
		const n = 20
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			links [n]app.InvoiceLink
			added [n]bool
			errs  [n]error
		)
		for i := range n {
			wg.Go(func() {
				<-start
				links[i], added[i], errs[i] = s.AddLink(t.Context(), app.InvoiceLink{
					PortalID: 1, Object: deal, ConnectionID: c.ID, InvoiceID: "130", Origin: app.OriginCreated,
				})
			})
		}
		close(start)
		wg.Wait()

		newCount := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("AddLink #%d: %v", i, errs[i])
			}
			if added[i] {
				newCount++
			}
			if links[i].ID != links[0].ID {
				t.Errorf("AddLink #%d returned link %s, #0 returned %s", i, links[i].ID, links[0].ID)
			}
		}
		if newCount != 1 {
			t.Errorf("%d calls reported a new link, want 1", newCount)
		}
		if got := countRows(t, s, "invoice_links"); got != 1 {
			t.Errorf("%d link rows, want 1", got)
		}
	})
}

func TestDeleteLink(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		c := mustSaveConnection(t, s, 1, "111")
		l, _, err := s.AddLink(ctx, app.InvoiceLink{PortalID: 1, Object: deal, ConnectionID: c.ID, InvoiceID: "130", Origin: app.OriginAdded})
		if err != nil {
			t.Fatalf("AddLink: %v", err)
		}

		err = s.DeleteLink(ctx, 1, app.ObjectRef{Type: app.Deals, ID: "2002"}, l.ID)
		wantCode(t, "DeleteLink(other record)", err, app.NotFound)
		err = s.DeleteLink(ctx, 1, deal, "0123456789abcdef0123456789abcdef")
		wantCode(t, "DeleteLink(unknown id)", err, app.NotFound)

		if err := s.DeleteLink(ctx, 1, deal, l.ID); err != nil {
			t.Fatalf("DeleteLink: %v", err)
		}
		links, err := s.Links(ctx, 1, deal)
		if err != nil || len(links) != 0 {
			t.Errorf("Links after delete = %v, %v; want none", links, err)
		}
		err = s.DeleteLink(ctx, 1, deal, l.ID)
		wantCode(t, "DeleteLink twice", err, app.NotFound)

		// The invoice can be linked again after its link was removed.
		if _, added, err := s.AddLink(ctx, app.InvoiceLink{PortalID: 1, Object: deal, ConnectionID: c.ID, InvoiceID: "130", Origin: app.OriginAdded}); err != nil || !added {
			t.Errorf("AddLink after delete = %v, %v; want added", added, err)
		}
	})
}

func TestLinkTenantIsolation(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		c1 := mustSaveConnection(t, s, 1, "111")
		mustSaveConnection(t, s, 2, "222")
		l, _, err := s.AddLink(ctx, app.InvoiceLink{PortalID: 1, Object: deal, ConnectionID: c1.ID, InvoiceID: "130", Origin: app.OriginAdded})
		if err != nil {
			t.Fatalf("AddLink: %v", err)
		}

		// Portal 2 has a record with the same type and id: it sees nothing
		// of portal 1's links, cannot delete them, and cannot link through
		// portal 1's connection.
		links, err := s.Links(ctx, 2, deal)
		if err != nil || len(links) != 0 {
			t.Errorf("Links(portal 2) = %v, %v; want none", links, err)
		}
		err = s.DeleteLink(ctx, 2, deal, l.ID)
		wantCode(t, "DeleteLink(portal 2, portal 1's link)", err, app.NotFound)
		_, _, err = s.AddLink(ctx, app.InvoiceLink{PortalID: 2, Object: deal, ConnectionID: c1.ID, InvoiceID: "130", Origin: app.OriginAdded})
		wantCode(t, "AddLink(portal 2, portal 1's connection)", err, app.NotFound)

		if links, err := s.Links(ctx, 1, deal); err != nil || len(links) != 1 {
			t.Errorf("portal 1's links after portal 2's attempts = %v, %v; want its one link", links, err)
		}
	})
}

func TestInvoiceLinks(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		c1 := mustSaveConnection(t, s, 1, "111")
		other := mustSaveConnection(t, s, 1, "112")
		company := app.ObjectRef{Type: app.Companies, ID: "7"}
		for _, l := range []app.InvoiceLink{
			{PortalID: 1, Object: deal, ConnectionID: c1.ID, InvoiceID: "130", Origin: app.OriginCreated},
			{PortalID: 1, Object: company, ConnectionID: c1.ID, InvoiceID: "130", Origin: app.OriginCreated},
			{PortalID: 1, Object: deal, ConnectionID: c1.ID, InvoiceID: "131", Origin: app.OriginAdded},
			{PortalID: 1, Object: deal, ConnectionID: other.ID, InvoiceID: "130", Origin: app.OriginAdded},
		} {
			if _, _, err := s.AddLink(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
		links, err := s.InvoiceLinks(ctx, 1, c1.ID, "130")
		if err != nil || len(links) != 2 || links[0].Object != deal || links[1].Object != company {
			t.Errorf("InvoiceLinks(130) = %+v, %v; want the deal's then the company's", links, err)
		}
		if links, err := s.InvoiceLinks(ctx, 2, c1.ID, "130"); err != nil || len(links) != 0 {
			t.Errorf("portal 2 sees portal 1's links: %+v, %v", links, err)
		}
		if links, err := s.InvoiceLinks(ctx, 1, c1.ID, "999"); err != nil || links == nil || len(links) != 0 {
			t.Errorf("an unlinked invoice: %+v, %v; want an empty list", links, err)
		}
	})
}
