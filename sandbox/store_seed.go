package sandbox

import (
	"context"
	"fmt"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// DemoLink is an invoice link the demo starts with: until issue 4 and 5 let
// a rep create and add invoices, these give the card something to show.
type DemoLink struct {
	PortalID     int64
	Object       app.ObjectRef
	RealmID      string
	InvoiceLabel string // a label of Seed.Realms[].Records["invoices"]
}

// demoLinks put invoices of every status on records a rep would open:
// Acme's deal and company, Amy's deal (a partial payment), and the Canadian
// deal in CAD (awaiting and overdue).
var demoLinks = []DemoLink{
	{20000001, app.ObjectRef{Type: app.Deals, ID: "1011"}, "9130357766900001", "awaiting_send"},
	{20000001, app.ObjectRef{Type: app.Deals, ID: "1011"}, "9130357766900001", "paid"},
	{20000001, app.ObjectRef{Type: app.Deals, ID: "1011"}, "9130357766900001", "voided"},
	{20000001, app.ObjectRef{Type: app.Companies, ID: "1001"}, "9130357766900001", "awaiting_send"},
	{20000001, app.ObjectRef{Type: app.Companies, ID: "1001"}, "9130357766900001", "paid"},
	{20000001, app.ObjectRef{Type: app.Companies, ID: "1001"}, "9130357766900002", "paid"},
	{20000001, app.ObjectRef{Type: app.Deals, ID: "1033"}, "9130357766900001", "partially_paid"},
	{20000001, app.ObjectRef{Type: app.Deals, ID: "1031"}, "9130357766900002", "awaiting_send"},
	{20000001, app.ObjectRef{Type: app.Deals, ID: "1031"}, "9130357766900002", "overdue"},
	{20000002, app.ObjectRef{Type: app.Deals, ID: "1037"}, "9130357766900003", "sent"},
}

// SeedStore writes what an install and a QuickBooks connect would have
// stored for the seed: the portals with their API tokens, one connection per
// seeded company with its tokens, and the demo invoice links. It returns the
// connections by realm id.
func (f *Fakes) SeedStore(ctx context.Context, st app.Store) (map[string]app.Connection, error) {
	for _, p := range f.Seed.Portals {
		portal := app.Portal{ID: p.PortalID, Currency: p.Currency, TimeZone: p.TimeZone, Tokens: app.Tokens{Access: p.APIToken}}
		if err := st.SavePortal(ctx, portal); err != nil {
			return nil, fmt.Errorf("seed portal %d: %w", p.PortalID, err)
		}
	}
	conns := make(map[string]app.Connection, len(f.Seed.Realms))
	for _, r := range f.Seed.Realms {
		c, err := st.SaveConnection(ctx, app.Connection{
			PortalID: r.PortalID, RealmID: r.RealmID, CompanyName: r.CompanyName, Country: r.Country,
			Currency: r.Currency, TimeZone: r.TimeZone, CustomTxnNumbers: r.CustomTxnNumbers, MultiCurrency: r.MultiCurrency,
			State: app.Connected, Tokens: app.Tokens{Access: r.AccessToken, Refresh: r.RefreshToken},
		})
		if err != nil {
			return nil, fmt.Errorf("seed connection of realm %s: %w", r.RealmID, err)
		}
		conns[r.RealmID] = c
	}
	for _, l := range demoLinks {
		id, err := f.invoiceID(l.RealmID, l.InvoiceLabel)
		if err != nil {
			return nil, err
		}
		link := app.InvoiceLink{PortalID: l.PortalID, Object: l.Object, ConnectionID: conns[l.RealmID].ID, InvoiceID: id, Origin: app.OriginCreated}
		if _, _, err := st.AddLink(ctx, link); err != nil {
			return nil, fmt.Errorf("seed link %s -> invoice %s: %w", l.Object, id, err)
		}
	}
	return conns, nil
}

func (f *Fakes) invoiceID(realmID, label string) (string, error) {
	for _, r := range f.Seed.Realms {
		if r.RealmID == realmID {
			if id := r.Records["invoices"][label]; id != "" {
				return id, nil
			}
		}
	}
	return "", fmt.Errorf("seed has no %s invoice in realm %s", label, realmID)
}
