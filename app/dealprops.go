package app

import (
	"context"
	"fmt"
)

// writeDealProperties writes the deal's five QuickBooks properties from
// the invoice updated last in QuickBooks among those linked to the deal
// (DESIGN.md section 6), when its currency is the deal's: the deal's
// deal_currency_code, else the portal's company currency. Otherwise it says
// why. It never fails the create: the invoice exists either way.
func (s *Service) writeDealProperties(ctx context.Context, portal Portal, dealID, dealCurrency string, currencyErr error) DealPropertiesResult {
	deal := ObjectRef{Type: Deals, ID: dealID}
	latest, conn, err := s.latestDealInvoice(ctx, portal.ID, deal)
	if err != nil {
		s.log.WarnContext(ctx, "read the deal's invoices", "deal", dealID, "err", err)
		return DealPropertiesResult{Reason: "The deal's QuickBooks properties could not be updated just now.", err: err}
	}
	if latest == nil {
		return s.clearDealProperties(ctx, portal, dealID)
	}
	if currencyErr != nil {
		s.log.WarnContext(ctx, "read the deal's currency", "deal", dealID, "err", currencyErr)
		return DealPropertiesResult{Reason: "The deal's QuickBooks properties could not be updated just now.", err: currencyErr}
	}
	if dealCurrency == "" {
		dealCurrency = portal.Currency
	}
	if dealCurrency == "" {
		return DealPropertiesResult{Reason: "The deal's currency is not known, so its QuickBooks properties were not updated."}
	}
	invCurrency := latest.Currency
	if invCurrency == "" {
		invCurrency = conn.Currency
	}
	if invCurrency != dealCurrency {
		return DealPropertiesResult{Reason: fmt.Sprintf("Invoice %s is in %s and the deal is in %s, so the deal's QuickBooks properties were not updated.", latest.DocNumber, invCurrency, dealCurrency)}
	}
	today := Today(s.now(), conn.TimeZone)
	values := map[string]string{
		DealPropAmountCollected: latest.AmountPaid().String(),
		DealPropRecipient:       latest.CustomerName,
		DealPropNumber:          latest.DocNumber,
		DealPropStatus:          string(latest.Status(today)),
		DealPropDueDate:         latest.DueDate.String(),
	}
	if err := s.hubspot.EnsureDealProperties(ctx, portal); err != nil {
		s.log.WarnContext(ctx, "create the deal properties", "portal", portal.ID, "err", err)
		return DealPropertiesResult{Reason: "The deal's QuickBooks properties could not be created in HubSpot just now.", err: err}
	}
	if err := s.hubspot.UpdateDeal(ctx, portal, dealID, values); err != nil {
		s.log.WarnContext(ctx, "write the deal properties", "deal", dealID, "err", err)
		return DealPropertiesResult{Reason: "The deal's QuickBooks properties could not be updated just now.", err: err}
	}
	return DealPropertiesResult{Written: true, Values: values}
}

// clearDealProperties empties the deal's QuickBooks properties once no
// invoice is linked to it.
func (s *Service) clearDealProperties(ctx context.Context, portal Portal, dealID string) DealPropertiesResult {
	values := map[string]string{DealPropAmountCollected: "", DealPropRecipient: "", DealPropNumber: "", DealPropStatus: "", DealPropDueDate: ""}
	if err := s.hubspot.EnsureDealProperties(ctx, portal); err != nil {
		s.log.WarnContext(ctx, "create the deal properties", "portal", portal.ID, "err", err)
		return DealPropertiesResult{Reason: "The deal's QuickBooks properties could not be cleared just now.", err: err}
	}
	if err := s.hubspot.UpdateDeal(ctx, portal, dealID, values); err != nil {
		s.log.WarnContext(ctx, "clear the deal properties", "deal", dealID, "err", err)
		return DealPropertiesResult{Reason: "The deal's QuickBooks properties could not be cleared just now.", err: err}
	}
	return DealPropertiesResult{Written: true, Values: values, Reason: "No QuickBooks invoice is linked to the deal any more; its QuickBooks properties were cleared."}
}

// refreshDealProperties re-reads the deal's currency and rewrites its
// properties from its linked invoices.
func (s *Service) refreshDealProperties(ctx context.Context, portal Portal, dealID string) DealPropertiesResult {
	currency, err := s.dealCurrency(ctx, portal, dealID)
	return s.writeDealProperties(ctx, portal, dealID, currency, err)
}

// dealCurrency reads the deal's currency (deal_currency_code; empty when
// the deal has none, meaning the portal's).
func (s *Service) dealCurrency(ctx context.Context, portal Portal, dealID string) (string, error) {
	props, err := s.hubspot.Record(ctx, portal, ObjectRef{Type: Deals, ID: dealID}, "deal_currency_code")
	if err != nil {
		return "", err
	}
	return props["deal_currency_code"], nil
}

// latestDealInvoice is the deal's linked invoice updated last in
// QuickBooks, from stored snapshots, with its connection. QBO's update times
// have one-second precision; within one second the invoice linked last wins.
func (s *Service) latestDealInvoice(ctx context.Context, portalID int64, deal ObjectRef) (*Invoice, Connection, error) {
	links, err := s.store.Links(ctx, portalID, deal)
	if err != nil {
		return nil, Connection{}, err
	}
	conns, err := s.store.Connections(ctx, portalID)
	if err != nil {
		return nil, Connection{}, err
	}
	var (
		best     *Invoice
		bestLink InvoiceLink
		bestConn Connection
	)
	for _, conn := range conns {
		var ids []string
		for _, l := range links {
			if l.ConnectionID == conn.ID {
				ids = append(ids, l.InvoiceID)
			}
		}
		if len(ids) == 0 {
			continue
		}
		snaps, err := s.store.Snapshots(ctx, conn.ID, ids)
		if err != nil {
			return nil, Connection{}, err
		}
		for _, l := range links {
			sn, ok := snaps[l.InvoiceID]
			if l.ConnectionID != conn.ID || !ok || sn.Invoice.Deleted {
				continue
			}
			inv := sn.Invoice
			if best == nil || inv.UpdatedAt.After(best.UpdatedAt) ||
				inv.UpdatedAt.Equal(best.UpdatedAt) && l.CreatedAt.After(bestLink.CreatedAt) {
				best, bestLink, bestConn = &inv, l, conn
			}
		}
	}
	return best, bestConn, nil
}
