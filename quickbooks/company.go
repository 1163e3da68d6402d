package quickbooks

import (
	"context"
	"net/http"

	qb "github.com/rwestlund/quickbooks-go"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// companyInfo is the CompanyInfo answer. The library's qb.CompanyInfo
// decodes QBO's fields correctly but lacks DefaultTimeZone (reference 8), so
// it is embedded and the zone added.
type companyInfo struct {
	qb.CompanyInfo
	DefaultTimeZone string
}

// preferences is the part of Preferences we read (reference 1.7); the
// library has no Preferences type.
type preferences struct {
	SalesFormsPrefs struct {
		CustomTxnNumbers bool
		DefaultTerms     qb.ReferenceType // the term of invoices without one
	}
	CurrencyPrefs struct {
		MultiCurrencyEnabled bool
		HomeCurrency         qb.ReferenceType
	}
}

// homeCurrencies is the home currency of each regional edition of QBO, for
// a Preferences answer without CurrencyPrefs.HomeCurrency.
var homeCurrencies = map[string]string{
	"US": "USD", "CA": "CAD", "GB": "GBP", "UK": "GBP", "AU": "AUD", "IN": "INR", "FR": "EUR",
}

// Company reads the company's CompanyInfo and Preferences (two calls).
// Errors: NotConnected, Unavailable, Internal.
func (c *Client) Company(ctx context.Context, conn app.Connection) (app.Company, error) {
	var info struct{ CompanyInfo companyInfo }
	if err := c.do(ctx, conn, http.MethodGet, "companyinfo/"+conn.RealmID, nil, nil, &info); err != nil {
		return app.Company{}, err
	}
	var prefs struct{ Preferences preferences }
	if err := c.do(ctx, conn, http.MethodGet, "preferences", nil, nil, &prefs); err != nil {
		return app.Company{}, err
	}
	ci, p := info.CompanyInfo, prefs.Preferences
	name := ci.CompanyName
	if name == "" {
		name = ci.LegalName
	}
	currency := p.CurrencyPrefs.HomeCurrency.Value
	if currency == "" {
		currency = homeCurrencies[ci.Country]
	}
	return app.Company{
		Name:             name,
		Country:          ci.Country,
		Currency:         currency,
		MultiCurrency:    p.CurrencyPrefs.MultiCurrencyEnabled,
		TimeZone:         ci.DefaultTimeZone,
		CustomTxnNumbers: p.SalesFormsPrefs.CustomTxnNumbers,
		DefaultTermID:    p.SalesFormsPrefs.DefaultTerms.Value,
	}, nil
}
