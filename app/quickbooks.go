package app

import (
	"context"
	"time"
)

// QuickBooks is what the use cases need of QuickBooks Online, one call per
// method, for the company of one connection. Implementations refresh the
// connection's access token when it has expired and hand the rotated
// tokens to a TokenStore before using them.
//
// Errors: NotConnected when QuickBooks refuses the connection's tokens (the
// admin must reconnect); Unavailable when QuickBooks stays busy or down
// after bounded retries; Invalid for a validation fault; Conflict for a
// duplicate name (6240), document number (6140) or a stale SyncToken
// (5010); NotFound for an object QuickBooks does not have.
type QuickBooks interface {
	// ExchangeCode trades an authorization code from Intuit's redirect for
	// the company's tokens (once only); redirectURI is the one the
	// authorize request named. A code refused (used, expired, another
	// redirect) is Invalid.
	ExchangeCode(ctx context.Context, code, redirectURI string) (Tokens, error)
	// Revoke revokes token (refresh or access) and so the grant at Intuit.
	Revoke(ctx context.Context, token string) error

	// Company reads the company's CompanyInfo and Preferences.
	Company(ctx context.Context, conn Connection) (Company, error)
	// Invoices reads the given invoices in one query; ids QuickBooks does
	// not have are absent from the result, never an error.
	Invoices(ctx context.Context, conn Connection, ids []string) ([]Invoice, error)

	// Customers lists the company's active customers (all pages).
	Customers(ctx context.Context, conn Connection) ([]Customer, error)
	// Items lists the company's active items (all pages).
	Items(ctx context.Context, conn Connection) ([]Item, error)
	// TaxCodes lists the company's active tax codes.
	TaxCodes(ctx context.Context, conn Connection) ([]TaxCode, error)
	// Terms lists the company's active payment terms.
	Terms(ctx context.Context, conn Connection) ([]Term, error)
	// RecentDocNumbers returns the DocNumbers of the company's most recently
	// created invoices, newest first, at most n.
	RecentDocNumbers(ctx context.Context, conn Connection, n int) ([]string, error)
	// NameInUse looks up a display name among customers, vendors and
	// employees, active or not: QBO keeps display names unique across all
	// of them (6240). It returns what holds the name, or "" when it is free.
	NameInUse(ctx context.Context, conn Connection, displayName string) (heldBy string, err error)

	// CreateCustomer creates a customer. requestID makes the call
	// idempotent at QBO: a repeat returns the first answer.
	CreateCustomer(ctx context.Context, conn Connection, c NewCustomer, requestID string) (Customer, error)
	// CreateInvoice creates a draft invoice (not emailed), idempotent by
	// requestID like CreateCustomer.
	CreateInvoice(ctx context.Context, conn Connection, inv NewInvoice, requestID string) (Invoice, error)

	// QueryInvoices finds invoices matching every criterion set in f, newest
	// first (by creation), skipping offset and returning at most limit
	// (1..1000). One query.
	QueryInvoices(ctx context.Context, conn Connection, f InvoiceFilter, offset, limit int) ([]Invoice, error)
	// InvoicePDF returns the invoice's PDF; a PDF larger than maxBytes is an
	// Invalid error, never a truncated file.
	InvoicePDF(ctx context.Context, conn Connection, invoiceID string, maxBytes int64) ([]byte, error)
	// SendInvoice emails the invoice to email, or to its BillEmail when
	// email is empty, and returns it as QBO now has it (EmailSent).
	// requestID, when set, makes a repeat return the first answer.
	SendInvoice(ctx context.Context, conn Connection, invoiceID, email, requestID string) (Invoice, error)
}

// InvoiceFilter narrows QueryInvoices; the zero value matches every invoice.
type InvoiceFilter struct {
	DocNumber   string   // exact
	Amount      *Money   // TotalAmt, exact
	CustomerIDs []string // CustomerRef IN (...), at most 1000 ids
}

// TokenStore keeps a connection's tokens for the QuickBooks adapter. QBO
// refresh tokens rotate on every refresh and the old one dies, so the new
// pair must be stored before it is used, and two processes must never
// spend one refresh token.
type TokenStore interface {
	// SaveTokens replaces a connection's tokens; NotFound if it is gone.
	SaveTokens(ctx context.Context, connectionID string, t Tokens) error
	// RefreshTokens runs refresh holding the connection's refresh lock,
	// which every process sharing the store respects, handing it the stored
	// tokens. Before the lock is released, tokens refresh returns that
	// differ from the stored ones are stored, and a NotConnected error (QBO
	// refused the refresh token) turns a connected connection to
	// NeedsReconnect and erases its tokens. It returns refresh's answer, or
	// the store's error.
	RefreshTokens(ctx context.Context, connectionID string, refresh RefreshFunc) (Tokens, error)
}

// RefreshFunc refreshes tokens, given the ones stored.
type RefreshFunc func(ctx context.Context, stored Tokens) (Tokens, error)

// Company is what we keep of a QBO company's settings.
type Company struct {
	Name             string
	Country          string // CompanyInfo.Country: US decides US tax rules
	Currency         string // Preferences.CurrencyPrefs.HomeCurrency
	MultiCurrency    bool
	TimeZone         string // CompanyInfo.DefaultTimeZone
	CustomTxnNumbers bool   // Preferences.SalesFormsPrefs.CustomTxnNumbers
	DefaultTermID    string // Preferences.SalesFormsPrefs.DefaultTerms
}

// Customer is a QBO customer.
type Customer struct {
	ID          string
	DisplayName string
	CompanyName string
	GivenName   string
	FamilyName  string
	Email       string // PrimaryEmailAddr
	Currency    string // CurrencyRef; set at creation, never changed
	TermID      string // SalesTermRef
	TaxCodeID   string // DefaultTaxCodeRef (non-US)
	Phone       string // PrimaryPhone.FreeFormNumber
	BillAddr    Address
	// Inactive and UpdatedAt are set by the single read (CustomerReader):
	// lists hold active customers only.
	Inactive  bool      // Active is false: QuickBooks' "deleted"
	UpdatedAt time.Time // MetaData.LastUpdatedTime
}

// Address is a QBO physical address (BillAddr), as far as contact sync
// reads it.
type Address struct {
	Line1      string
	City       string
	Region     string // CountrySubDivisionCode
	PostalCode string
	Country    string
}

// Item is a QBO product or service.
type Item struct {
	ID          string
	Name        string
	SKU         string
	Description string
	Type        string // Service, Inventory, NonInventory
	UnitPrice   Money
	Taxable     bool   // US: the line is TAX, else NON
	TaxCodeID   string // SalesTaxCodeRef: the default line tax code outside the US
	// Inactive and UpdatedAt are set by the single read (CustomerReader).
	Inactive  bool
	UpdatedAt time.Time
}

// TaxCode is a QBO tax code; TAX and NON are US pseudo codes.
type TaxCode struct {
	ID          string
	Name        string
	Description string
	Taxable     bool
}

// Term is a QBO payment term.
type Term struct {
	ID      string
	Name    string
	DueDays int // STANDARD terms: days after the invoice date
	// DayOfMonthDue and DueNextMonthDays describe DATE_DRIVEN terms; zero
	// DayOfMonthDue means a STANDARD term.
	DayOfMonthDue    int
	DueNextMonthDays int
}

// DueDate is the term's due date for an invoice dated on.
func (t Term) DueDate(on Date) Date {
	if t.DayOfMonthDue == 0 {
		return DateOf(on.Time().AddDate(0, 0, t.DueDays))
	}
	// DATE_DRIVEN: due on DayOfMonthDue of this month, or of next month when
	// the invoice is dated on or after that day, or within DueNextMonthDays
	// before it (that many days before counts as within).
	due := dateIn(on.Year, on.Month, t.DayOfMonthDue)
	if !on.Before(due) || daysBetween(on, due) <= t.DueNextMonthDays {
		due = dateIn(on.Year, on.Month+1, t.DayOfMonthDue)
	}
	return due
}

// NewCustomer is a customer to create.
type NewCustomer struct {
	DisplayName string
	CompanyName string
	GivenName   string
	FamilyName  string
	Email       string
	Phone       string
	Currency    string // empty: the company's home currency
}

// NewInvoice is a draft invoice to create.
type NewInvoice struct {
	CustomerID   string
	DocNumber    string // empty: QBO numbers it, unless custom numbers are on
	TxnDate      Date
	DueDate      Date
	TermID       string
	BillEmail    string
	CustomerMemo string
	Currency     string
	// TaxExcluded applies to non-US companies: line amounts are net of tax.
	Lines []InvoiceLine
}

// InvoiceLine is one sales line: Amount = Quantity × UnitPrice exactly.
type InvoiceLine struct {
	ItemID      string
	Description string
	Quantity    Quantity
	UnitPrice   Money
	TaxCodeID   string // US: TAX or NON; elsewhere a real tax code id
}

// Amount is the line's total, exact to the cent when valid (see Valid).
func (l InvoiceLine) Amount() Money { return Money(int64(l.Quantity) * int64(l.UnitPrice) / 100) }
