package quickbooks

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"

	qb "github.com/rwestlund/quickbooks-go"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// The company's lists (customers, items, tax codes, terms), the recent
// invoice numbers and the display-name lookup, all through the query
// endpoint (reference section 2).

// maxPages bounds a list read: maxPages full pages of maxResults rows is
// far beyond any company the card serves; past it the list is cut short,
// with a warning, rather than looping on a server that never ends a page.
const maxPages = 100

// queryAll reads every row of entity with SELECT * FROM <entity>
// STARTPOSITION n MAXRESULTS <page>, page after page until a short one
// (reference section 2 "Pagination"; an empty page is {} without the entity
// key, section 1.9). Rows are decoded into T and deduplicated by id, since
// offset paging over a list that changes meanwhile can repeat a row.
func queryAll[T any](ctx context.Context, c *Client, conn app.Connection, entity string, id func(T) string) ([]T, error) {
	var all []T
	seen := map[string]bool{}
	size := c.pageSize
	for page := 0; ; page++ {
		if page == maxPages {
			c.log.WarnContext(ctx, "quickbooks: list cut short", "entity", entity, "rows", len(all), "realm", conn.RealmID)
			return all, nil
		}
		rows, err := queryPage[T](ctx, c, conn, selectFrom(entity).Page(page*size+1, size), entity)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if k := id(r); !seen[k] {
				seen[k] = true
				all = append(all, r)
			}
		}
		if len(rows) < size {
			return all, nil
		}
	}
}

// queryPage runs one statement and decodes the rows of entity; no rows is
// an empty slice, never an error.
func queryPage[T any](ctx context.Context, c *Client, conn app.Connection, q *statement, entity string) ([]T, error) {
	stmt, err := q.String()
	if err != nil {
		return nil, err
	}
	var resp struct {
		QueryResponse map[string]json.RawMessage
	}
	if err := c.do(ctx, conn, http.MethodGet, "query", url.Values{"query": {stmt}}, nil, &resp); err != nil {
		return nil, err
	}
	raw, ok := resp.QueryResponse[entity]
	if !ok {
		return nil, nil
	}
	var rows []T
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, undecodable(queryOp(conn), fmt.Errorf("%s rows: %w", entity, err))
	}
	return rows, nil
}

func queryOp(conn app.Connection) string { return "GET /v3/company/" + conn.RealmID + "/query" }

// active reads QBO's Active flag: absent means active (the TAX and NON
// pseudo codes carry none, reference 1.5).
func active(p *bool) bool { return p == nil || *p }

// customer is the part of a QBO Customer we read (reference 1.3).
type customer struct {
	ID                string `json:"Id"`
	DisplayName       string
	CompanyName       string
	GivenName         string
	FamilyName        string
	PrimaryEmailAddr  qb.EmailAddress
	CurrencyRef       qb.ReferenceType
	SalesTermRef      qb.ReferenceType
	DefaultTaxCodeRef qb.ReferenceType
	Active            *bool
	PrimaryPhone      struct{ FreeFormNumber string }
	BillAddr          struct{ Line1, City, CountrySubDivisionCode, PostalCode, Country string }
	MetaData          struct{ LastUpdatedTime string }
}

// toApp converts a customer. A US customer's DefaultTaxCodeRef is a
// transaction tax group, not a line code (US lines are TAX or NON), so
// TaxCodeID is kept only outside the US.
func (c customer) toApp(conn app.Connection) app.Customer {
	out := app.Customer{
		ID:          c.ID,
		DisplayName: c.DisplayName,
		CompanyName: c.CompanyName,
		GivenName:   c.GivenName,
		FamilyName:  c.FamilyName,
		Email:       c.PrimaryEmailAddr.Address,
		Currency:    c.CurrencyRef.Value,
		TermID:      c.SalesTermRef.Value,
	}
	if !isUS(conn) {
		out.TaxCodeID = c.DefaultTaxCodeRef.Value
	}
	return out
}

// isUS says whether the connection's company follows US tax rules
// (CompanyInfo.Country, reference 1.5 and 1.8).
func isUS(conn app.Connection) bool { return conn.Country == "US" }

// Customers lists the company's active customers, all pages. Errors:
// NotConnected, Unavailable, Internal.
func (c *Client) Customers(ctx context.Context, conn app.Connection) ([]app.Customer, error) {
	rows, err := queryAll(ctx, c, conn, "Customer", func(r customer) string { return r.ID })
	if err != nil {
		return nil, err
	}
	out := make([]app.Customer, 0, len(rows))
	for _, r := range rows {
		if active(r.Active) {
			out = append(out, r.toApp(conn))
		}
	}
	return out, nil
}

// item is the part of a QBO Item we read (reference 1.4).
type item struct {
	ID              string `json:"Id"`
	Name            string
	Sku             string
	Description     string
	Type            string
	UnitPrice       json.Number
	Taxable         bool
	SalesTaxCodeRef qb.ReferenceType
	Active          *bool
	MetaData        struct{ LastUpdatedTime string }
}

// unsellable are the item types a sales line cannot carry: a Category
// only groups items, and a Group (bundle) needs a GroupLineDetail line,
// which CreateInvoice does not send (reference 1.2, 1.4).
var unsellable = map[string]bool{"Category": true, "Group": true}

// Items lists the company's active items that a sales line can carry
// (Category and Group items are left out), all pages. A unit price with
// more than two decimals (QBO allows them) is rounded half away from zero
// to the cent, so one such item does not fail the list. Errors:
// NotConnected, Unavailable, Internal.
func (c *Client) Items(ctx context.Context, conn app.Connection) ([]app.Item, error) {
	rows, err := queryAll(ctx, c, conn, "Item", func(r item) string { return r.ID })
	if err != nil {
		return nil, err
	}
	out := make([]app.Item, 0, len(rows))
	for _, r := range rows {
		if !active(r.Active) || unsellable[r.Type] {
			continue
		}
		price, err := roundedMoney(r.UnitPrice)
		if err != nil {
			return nil, undecodable(queryOp(conn), fmt.Errorf("item %s UnitPrice: %w", r.ID, err))
		}
		out = append(out, app.Item{
			ID:          r.ID,
			Name:        r.Name,
			SKU:         r.Sku,
			Description: r.Description,
			Type:        r.Type,
			UnitPrice:   price,
			Taxable:     r.Taxable,
			TaxCodeID:   r.SalesTaxCodeRef.Value,
		})
	}
	return out, nil
}

// roundedMoney reads a decimal amount, rounding past the cent half away
// from zero in exact decimal arithmetic (never through a float).
func roundedMoney(n json.Number) (app.Money, error) {
	if m, err := optionalMoney(n); err == nil {
		return m, nil
	}
	r, ok := new(big.Rat).SetString(n.String())
	if !ok {
		return 0, fmt.Errorf("not a decimal: %q", clip(n.String(), 40))
	}
	r.Mul(r, big.NewRat(100, 1))
	neg := r.Sign() < 0
	r.Abs(r)
	q, rem := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if new(big.Int).Mul(rem, big.NewInt(2)).Cmp(r.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		return 0, fmt.Errorf("amount out of range: %q", clip(n.String(), 40))
	}
	if neg {
		return app.Money(-q.Int64()), nil
	}
	return app.Money(q.Int64()), nil
}

// taxCode is the part of a QBO TaxCode we read (reference 1.5). The US
// pseudo codes TAX and NON have string ids and no Active flag.
type taxCode struct {
	ID          string `json:"Id"`
	Name        string
	Description string
	Taxable     bool
	Active      *bool
}

// TaxCodes lists the company's active tax codes; a US company's include
// the TAX and NON pseudo codes as QBO returns them. Errors: NotConnected,
// Unavailable, Internal.
func (c *Client) TaxCodes(ctx context.Context, conn app.Connection) ([]app.TaxCode, error) {
	rows, err := queryAll(ctx, c, conn, "TaxCode", func(r taxCode) string { return r.ID })
	if err != nil {
		return nil, err
	}
	out := make([]app.TaxCode, 0, len(rows))
	for _, r := range rows {
		if active(r.Active) {
			out = append(out, app.TaxCode{ID: r.ID, Name: r.Name, Description: r.Description, Taxable: r.Taxable})
		}
	}
	return out, nil
}

// term is the part of a QBO Term we read (reference 1.6).
type term struct {
	ID               string `json:"Id"`
	Name             string
	Type             string // STANDARD or DATE_DRIVEN
	DueDays          int
	DayOfMonthDue    int
	DueNextMonthDays int
	Active           *bool
}

// Terms lists the company's active payment terms: STANDARD terms with
// DueDays, DATE_DRIVEN ones with DayOfMonthDue and DueNextMonthDays.
// Errors: NotConnected, Unavailable, Internal.
func (c *Client) Terms(ctx context.Context, conn app.Connection) ([]app.Term, error) {
	rows, err := queryAll(ctx, c, conn, "Term", func(r term) string { return r.ID })
	if err != nil {
		return nil, err
	}
	out := make([]app.Term, 0, len(rows))
	for _, r := range rows {
		if !active(r.Active) {
			continue
		}
		t := app.Term{ID: r.ID, Name: r.Name}
		if r.Type == "DATE_DRIVEN" && r.DayOfMonthDue > 0 {
			t.DayOfMonthDue, t.DueNextMonthDays = r.DayOfMonthDue, r.DueNextMonthDays
		} else {
			t.DueDays = r.DueDays
		}
		out = append(out, t)
	}
	return out, nil
}

// RecentDocNumbers returns the DocNumbers of the company's most recently
// created invoices, newest first: SELECT * FROM Invoice ORDERBY
// MetaData.CreateTime DESC MAXRESULTS n (n at most 1000), leaving out
// invoices without a number (custom transaction numbers on, reference
// 1.2), so fewer than n may come back. n <= 0 makes no call. Errors:
// NotConnected, Unavailable, Internal.
func (c *Client) RecentDocNumbers(ctx context.Context, conn app.Connection, n int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	q := selectFrom("Invoice").OrderBy("MetaData.CreateTime", true).Page(0, min(n, maxResults))
	rows, err := queryPage[struct{ DocNumber string }](ctx, c, conn, q, "Invoice")
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		if r.DocNumber != "" {
			out = append(out, r.DocNumber)
		}
	}
	return out, nil
}

// nameHolders are the lists that share the display-name space (reference
// 1.3), in the order NameInUse asks them.
var nameHolders = []struct{ entity, heldBy string }{
	{"Customer", "customer"}, {"Vendor", "vendor"}, {"Employee", "employee"},
}

// NameInUse looks displayName up among customers, vendors and employees,
// inactive ones included (Active IN (true, false); reference 2 "Inactive
// rows"), one query each, stopping at the first that holds it: "customer",
// "vendor", "employee", or "" when the name is free. The name is trimmed
// and escaped with QuoteLiteral; an empty name, or one with a backslash
// (which no QBO literal can carry safely), is Invalid before any call.
// Errors: Invalid, NotConnected, Unavailable, Internal.
func (c *Client) NameInUse(ctx context.Context, conn app.Connection, displayName string) (string, error) {
	name := strings.TrimSpace(displayName)
	switch {
	case name == "":
		return "", app.Errorf(app.Invalid, "A display name is required.")
	case strings.ContainsRune(name, '\\'):
		return "", app.Errorf(app.Invalid, "QuickBooks cannot look up a name with a backslash; remove it from %q.", clip(name, 100))
	}
	stmts := make([]*statement, len(nameHolders))
	for i, h := range nameHolders {
		stmts[i] = selectFrom(h.entity).Eq("DisplayName", name).BoolIn("Active", true, false).Page(0, 1)
		if _, err := stmts[i].String(); err != nil {
			return "", err
		}
	}
	// The three lookups are independent: ask them at once, so a free name
	// costs one round trip, not three.
	held := make([]bool, len(nameHolders))
	errs := make([]error, len(nameHolders))
	var wg sync.WaitGroup
	for i, h := range nameHolders {
		wg.Go(func() {
			rows, err := queryPage[struct {
				ID string `json:"Id"`
			}](ctx, c, conn, stmts[i], h.entity)
			held[i], errs[i] = len(rows) > 0, err
		})
	}
	wg.Wait()
	for i, h := range nameHolders {
		if errs[i] != nil {
			return "", errs[i]
		}
		if held[i] {
			return h.heldBy, nil
		}
	}
	return "", nil
}
