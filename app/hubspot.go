package app

import (
	"context"
	"fmt"
	"time"
)

// HubSpot is what the use cases need of HubSpot's CRM, for one portal.
//
// Errors: NotFound when the portal has no such record; NotConnected when
// HubSpot refuses the portal's token (reinstall); Forbidden when the token
// lacks a scope; Invalid for a request HubSpot rejects; Unavailable when
// HubSpot stays rate limited or down after bounded retries, or ctx ends.
type HubSpot interface {
	// Record reads the named properties of one record; properties the record
	// does not have are absent from the map.
	Record(ctx context.Context, portal Portal, obj ObjectRef, properties ...string) (map[string]string, error)
	// DealQuotes lists the quotes associated with a deal.
	DealQuotes(ctx context.Context, portal Portal, dealID string) ([]Quote, error)

	// Associated lists the ids of the records of type to ("contacts",
	// "companies", "deals", "line_items", "quotes") associated with from;
	// for contacts and companies of a deal, the primary one comes first.
	Associated(ctx context.Context, portal Portal, from ObjectRef, to string) ([]string, error)
	// RecordWith reads a record's named properties and, in the same
	// request, the ids of its associated records of each type in to, each
	// list as Associated gives it.
	RecordWith(ctx context.Context, portal Portal, obj ObjectRef, properties, to []string) (map[string]string, map[string][]string, error)
	// Quotes reads quotes by id, in the order of ids; ids HubSpot does not
	// have are left out.
	Quotes(ctx context.Context, portal Portal, ids []string) ([]Quote, error)
	// LineItems reads line items in one batch, in the order of ids.
	LineItems(ctx context.Context, portal Portal, ids []string) ([]LineItem, error)
	// EnsureDealProperties creates, if missing, the deal property group and
	// properties the invoice is written to (DealProperties); safe to call
	// again.
	EnsureDealProperties(ctx context.Context, portal Portal) error
	// UpdateDeal writes deal properties; an empty value clears one.
	UpdateDeal(ctx context.Context, portal Portal, dealID string, properties map[string]string) error

	// ExchangeCode trades an install's authorization code for the portal's
	// tokens (reference/hubspot.md 4.6); redirectURI must be the one the
	// authorize request carried.
	ExchangeCode(ctx context.Context, code, redirectURI string) (Tokens, error)
	// AccountInfo reads, with freshly issued tokens, the portal they belong
	// to (the access token's hub_id) and its company currency and time zone
	// (account-info details).
	AccountInfo(ctx context.Context, tokens Tokens) (portalID int64, currency, timeZone string, err error)
	// Uninstall removes the app from the portal's HubSpot account, which
	// ends its tokens; NotConnected when HubSpot no longer accepts them.
	Uninstall(ctx context.Context, portal Portal) error
}

// Quote is a HubSpot quote, as far as invoicing cares.
type Quote struct {
	ID        string
	Number    string // hs_quote_number
	Title     string // hs_title
	Status    string // hs_status
	Currency  string // hs_currency
	Amount    Money  // hs_quote_amount
	ExpiresAt time.Time
}

// LineItem is a HubSpot line item of a deal or a quote.
type LineItem struct {
	ID          string
	Name        string
	Description string
	SKU         string   // hs_sku
	ProductID   string   // hs_product_id
	Quantity    Quantity // quantity
	UnitPrice   Money    // price
	// UnitDiscount is the discount per unit (discount); DiscountPercent the
	// percentage discount (hs_discount_percentage), in hundredths of a percent.
	UnitDiscount    Money
	DiscountPercent int64
}

// NetUnitPrice is the unit price after the line's discount, rounded half up
// to the cent; QBO sales lines carry one unit price.
func (l LineItem) NetUnitPrice() Money {
	p := l.UnitPrice - l.UnitDiscount
	if l.DiscountPercent > 0 {
		p -= Money((int64(p)*l.DiscountPercent + 5000) / 10000)
	}
	if p < 0 {
		return 0
	}
	return p
}

// The deal properties an invoice is written to (DESIGN.md section 6), in
// the property group DealPropertyGroup.
const (
	DealPropertyGroup       = "quickbooks"
	DealPropAmountCollected = "qbo_invoice_amount_collected"
	DealPropRecipient       = "qbo_invoice_recipient"
	DealPropNumber          = "qbo_invoice_number"
	DealPropStatus          = "qbo_invoice_status"
	DealPropDueDate         = "qbo_invoice_due_date"
)

// Published quote statuses (reference/hubspot.md 4.1).
const (
	QuoteApprovalNotNeeded = "APPROVAL_NOT_NEEDED"
	QuoteApproved          = "APPROVED"
)

// Invoiceable says whether an invoice may be made from the quote at now:
// only published quotes that have not expired qualify, as on HubSpot's
// legacy card. When not, reason says why, in a rep's words.
func (q Quote) Invoiceable(now time.Time) (ok bool, reason string) {
	name := q.Number
	if name == "" {
		name = q.Title
	}
	if q.Status != QuoteApprovalNotNeeded && q.Status != QuoteApproved {
		status := q.Status
		if status == "" {
			status = "not published"
		}
		return false, fmt.Sprintf("Quote %s is %s; only published quotes can be invoiced.", name, quoteStatusWords(status))
	}
	if !q.ExpiresAt.IsZero() && !now.Before(q.ExpiresAt) {
		return false, fmt.Sprintf("Quote %s expired on %s.", name, q.ExpiresAt.UTC().Format("2 January 2006"))
	}
	return true, ""
}

func quoteStatusWords(s string) string {
	switch s {
	case "DRAFT":
		return "a draft"
	case "PENDING_APPROVAL":
		return "waiting for approval"
	case "REJECTED":
		return "rejected"
	}
	return s
}

// PortalTokenStore keeps a portal's HubSpot OAuth tokens for the HubSpot
// adapter, which stores new tokens before it uses them.
type PortalTokenStore interface {
	// SavePortalTokens replaces a portal's tokens; NotFound when the portal
	// is gone.
	SavePortalTokens(ctx context.Context, portalID int64, t Tokens) error
	// RefreshPortalTokens runs refresh holding the portal's refresh lock
	// (see TokenStore.RefreshTokens); a NotConnected error (HubSpot refused
	// the refresh token: the app was uninstalled or its access revoked)
	// marks an installed portal PortalNeedsReinstall and erases its tokens.
	RefreshPortalTokens(ctx context.Context, portalID int64, refresh RefreshFunc) (Tokens, error)
}
