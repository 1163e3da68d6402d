package app

import "context"

// QuickBooks is what the use cases need of QuickBooks Online, one call per
// method, for the company of one connection. Implementations refresh the
// connection's access token when it has expired and hand the rotated
// tokens to a TokenSaver before using them.
//
// Errors: NotConnected when QuickBooks refuses the connection's tokens (the
// admin must reconnect); Unavailable when QuickBooks stays busy or down
// after bounded retries; Invalid for a validation fault; NotFound for an
// object QuickBooks does not have.
type QuickBooks interface {
	// Company reads the company's CompanyInfo and Preferences.
	Company(ctx context.Context, conn Connection) (Company, error)
	// Invoices reads the given invoices in one query; ids QuickBooks does
	// not have are absent from the result, never an error.
	Invoices(ctx context.Context, conn Connection, ids []string) ([]Invoice, error)
}

// TokenSaver persists a connection's rotated tokens. QBO refresh tokens
// rotate on every refresh and the old one dies, so the new pair must be
// stored before it is used.
type TokenSaver interface {
	SaveTokens(ctx context.Context, connectionID string, t Tokens) error
}

// Company is what we keep of a QBO company's settings.
type Company struct {
	Name             string
	Country          string // CompanyInfo.Country: US decides US tax rules
	Currency         string // Preferences.CurrencyPrefs.HomeCurrency
	MultiCurrency    bool
	TimeZone         string // CompanyInfo.DefaultTimeZone
	CustomTxnNumbers bool   // Preferences.SalesFormsPrefs.CustomTxnNumbers
}
