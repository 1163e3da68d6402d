package quickbooks

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// capture records every data API POST (method, path, query and body) on
// its way to the fake.
type capture struct {
	next http.RoundTripper

	mu    sync.Mutex
	posts []captured
}

type captured struct {
	path  string
	query url.Values
	body  string
}

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/v3/company/") {
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			r.Body.Close()
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		c.mu.Lock()
		c.posts = append(c.posts, captured{path: r.URL.Path, query: r.URL.Query(), body: string(body)})
		c.mu.Unlock()
	}
	return c.next.RoundTrip(r)
}

func (c *capture) all() []captured {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]captured(nil), c.posts...)
}

// wrap puts rt (given the transport it wraps) in front of the fixture's.
func wrap(rt func(next http.RoundTripper) http.RoundTripper) func(*Config) {
	return func(c *Config) { c.HTTPClient = &http.Client{Transport: rt(c.HTTPClient.Transport)} }
}

func withCapture(cp *capture) func(*Config) {
	return wrap(func(next http.RoundTripper) http.RoundTripper { cp.next = next; return cp })
}

// loseAnswers lets the first n POSTs to a path reach QBO and be carried
// out, then drops their answers: the client sees a broken connection, as
// when a network fails after the server did the work.
type loseAnswers struct {
	next   http.RoundTripper
	suffix string

	mu   sync.Mutex
	left int
}

func (l *loseAnswers) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(r)
	if err != nil || r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, l.suffix) {
		return resp, err
	}
	l.mu.Lock()
	lose := l.left > 0
	l.left--
	l.mu.Unlock()
	if lose {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errors.New("read: connection reset by peer")
	}
	return resp, nil
}

func date(s string) app.Date {
	d, err := app.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// usInvoice is a US invoice for Acme: hours without tax, a taxable
// fountain at a fractional quantity, and hosting whose item decides.
func usInvoice(f *fixture) app.NewInvoice {
	us := qbofake.DemoRealmUS
	return app.NewInvoice{
		CustomerID: f.id(us, "customers", "acme"), TxnDate: date("2026-03-01"), DueDate: date("2026-03-31"),
		TermID: "3", BillEmail: " ap@acme.example ", CustomerMemo: "Thank you for your business",
		Lines: []app.InvoiceLine{
			{ItemID: f.id(us, "items", "design"), Description: "Design hours", Quantity: 400, UnitPrice: 7500, TaxCodeID: "NON"},
			{ItemID: f.id(us, "items", "rock_fountain"), Description: "Rock fountain, large", Quantity: 150, UnitPrice: 27500, TaxCodeID: "TAX"},
			{ItemID: f.id(us, "items", "hosting"), Quantity: 25, UnitPrice: 4900},
		},
	}
}

// caInvoice is a CA invoice for Maple Syrup Co. without a number: HST ON
// (13%) hours and zero-rated shipping.
func caInvoice(f *fixture) app.NewInvoice {
	ca := qbofake.DemoRealmCA
	return app.NewInvoice{
		CustomerID: f.id(ca, "customers", "maple"), TxnDate: date("2026-03-01"), Currency: "CAD",
		Lines: []app.InvoiceLine{
			{ItemID: f.id(ca, "items", "design"), Quantity: 200, UnitPrice: 9500, TaxCodeID: "5"},
			{ItemID: f.id(ca, "items", "shipping"), Description: "Shipping", Quantity: 100, UnitPrice: 2500, TaxCodeID: "7"},
		},
	}
}

// TestCreateInvoiceRequestBytes pins what goes on the wire: our own types
// only, dates as YYYY-MM-DD, nothing unset (no zero dates, no empty refs),
// amounts and quantities as exact decimals, the requestid in the query.
func TestCreateInvoiceRequestBytes(t *testing.T) {
	us, ca := qbofake.DemoRealmUS, qbofake.DemoRealmCA
	cases := []struct {
		name  string
		realm string
		inv   func(*fixture) app.NewInvoice
		want  string // with {customer} and {item:<label>} for seeded ids
	}{
		{"US, every field", us, usInvoice,
			`{"CustomerRef":{"value":"{customer:acme}"},"TxnDate":"2026-03-01","DueDate":"2026-03-31",` +
				`"SalesTermRef":{"value":"3"},"BillEmail":{"Address":"ap@acme.example"},` +
				`"CustomerMemo":{"value":"Thank you for your business"},"EmailStatus":"NotSet","Line":[` +
				`{"DetailType":"SalesItemLineDetail","Amount":300.00,"Description":"Design hours","SalesItemLineDetail":` +
				`{"ItemRef":{"value":"{item:design}"},"Qty":4,"UnitPrice":75.00,"TaxCodeRef":{"value":"NON"}}},` +
				`{"DetailType":"SalesItemLineDetail","Amount":412.50,"Description":"Rock fountain, large","SalesItemLineDetail":` +
				`{"ItemRef":{"value":"{item:rock_fountain}"},"Qty":1.5,"UnitPrice":275.00,"TaxCodeRef":{"value":"TAX"}}},` +
				`{"DetailType":"SalesItemLineDetail","Amount":12.25,"SalesItemLineDetail":` +
				`{"ItemRef":{"value":"{item:hosting}"},"Qty":0.25,"UnitPrice":49.00}}]}`},
		{"US, the least", us, func(f *fixture) app.NewInvoice {
			return app.NewInvoice{CustomerID: f.id(us, "customers", "acme"),
				Lines: []app.InvoiceLine{{ItemID: f.id(us, "items", "design"), Quantity: 100, UnitPrice: 7500}}}
		}, `{"CustomerRef":{"value":"{customer:acme}"},"EmailStatus":"NotSet","Line":[{"DetailType":"SalesItemLineDetail",` +
			`"Amount":75.00,"SalesItemLineDetail":{"ItemRef":{"value":"{item:design}"},"Qty":1,"UnitPrice":75.00}}]}`},
		{"CA: GlobalTaxCalculation, number, currency", ca, func(f *fixture) app.NewInvoice {
			inv := caInvoice(f)
			inv.DocNumber = " MLS-0100 "
			return inv
		}, `{"CustomerRef":{"value":"{customer:maple}"},"DocNumber":"MLS-0100","TxnDate":"2026-03-01",` +
			`"CurrencyRef":{"value":"CAD"},"GlobalTaxCalculation":"TaxExcluded","EmailStatus":"NotSet","Line":[` +
			`{"DetailType":"SalesItemLineDetail","Amount":190.00,"SalesItemLineDetail":` +
			`{"ItemRef":{"value":"{item:design}"},"Qty":2,"UnitPrice":95.00,"TaxCodeRef":{"value":"5"}}},` +
			`{"DetailType":"SalesItemLineDetail","Amount":25.00,"Description":"Shipping","SalesItemLineDetail":` +
			`{"ItemRef":{"value":"{item:shipping}"},"Qty":1,"UnitPrice":25.00,"TaxCodeRef":{"value":"7"}}}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cp := &capture{}
			f := newFixture(t, withCapture(cp))
			if _, err := f.client.CreateInvoice(context.Background(), f.conn(c.realm), c.inv(f), "card-7f1c"); err != nil {
				t.Fatal(err)
			}
			posts := cp.all()
			if len(posts) != 1 {
				t.Fatalf("%d POSTs", len(posts))
			}
			p := posts[0]
			if p.path != "/v3/company/"+c.realm+"/invoice" || p.query.Get("requestid") != "card-7f1c" || p.query.Get("minorversion") != "75" {
				t.Errorf("POST %s?%s", p.path, p.query.Encode())
			}
			if want := f.expand(c.realm, c.want); p.body != want {
				t.Errorf("body\n got %s\nwant %s", p.body, want)
			}
			for _, bad := range []string{"0001-01-01", "{}", "T00:00", `""`, "null"} {
				if strings.Contains(p.body, bad) {
					t.Errorf("body holds %s", bad)
				}
			}
		})
	}
}

// expand replaces {customer:<label>} and {item:<label>} with seeded ids.
func (f *fixture) expand(realm, s string) string {
	for _, kind := range []string{"customer", "item"} {
		for {
			i := strings.Index(s, "{"+kind+":")
			if i < 0 {
				break
			}
			j := strings.Index(s[i:], "}") + i
			label := s[i+len(kind)+2 : j]
			s = s[:i] + f.id(realm, kind+"s", label) + s[j+1:]
		}
	}
	return s
}

func TestCreateCustomerRequestBytes(t *testing.T) {
	us := qbofake.DemoRealmUS
	cases := []struct {
		name string
		in   app.NewCustomer
		body string
		want app.Customer // without ID
	}{
		{"every field", app.NewCustomer{DisplayName: " Hooli Inc ", CompanyName: "Hooli", GivenName: "Gavin", FamilyName: "Belson",
			Email: "gavin@hooli.example", Phone: "+1 650 555 0100", Currency: "USD"},
			`{"DisplayName":"Hooli Inc","CompanyName":"Hooli","GivenName":"Gavin","FamilyName":"Belson",` +
				`"PrimaryEmailAddr":{"Address":"gavin@hooli.example"},"PrimaryPhone":{"FreeFormNumber":"+1 650 555 0100"},` +
				`"CurrencyRef":{"value":"USD"}}`,
			app.Customer{DisplayName: "Hooli Inc", CompanyName: "Hooli", GivenName: "Gavin", FamilyName: "Belson",
				Email: "gavin@hooli.example", Currency: "USD"}},
		{"a name only", app.NewCustomer{DisplayName: "Pied Piper"}, `{"DisplayName":"Pied Piper"}`,
			app.Customer{DisplayName: "Pied Piper", Currency: "USD"}},
		{"name parts only", app.NewCustomer{GivenName: "Richard", FamilyName: "Hendricks"}, `{"GivenName":"Richard","FamilyName":"Hendricks"}`,
			app.Customer{DisplayName: "Richard Hendricks", GivenName: "Richard", FamilyName: "Hendricks", Currency: "USD"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cp := &capture{}
			f := newFixture(t, withCapture(cp))
			got, err := f.client.CreateCustomer(context.Background(), f.conn(us), c.in, "cust-1")
			wantErr(t, err, "", "")
			posts := cp.all()
			if len(posts) != 1 || posts[0].path != "/v3/company/"+us+"/customer" || posts[0].query.Get("requestid") != "cust-1" {
				t.Fatalf("POSTs %+v", posts)
			}
			if posts[0].body != c.body {
				t.Errorf("body\n got %s\nwant %s", posts[0].body, c.body)
			}
			if got.ID == "" {
				t.Errorf("no id")
			}
			c.want.ID = got.ID
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("customer (-want +got):\n%s", diff)
			}
			// It is listed now.
			list, _ := f.client.Customers(context.Background(), f.conn(us))
			if !slicesContain(list, got) {
				t.Errorf("created customer not listed")
			}
		})
	}
}

func slicesContain[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestCreateInvoiceUS creates a US invoice with TAX and NON lines and reads
// it back with Invoices.
func TestCreateInvoiceUS(t *testing.T) {
	us := qbofake.DemoRealmUS
	f := newFixture(t)
	ctx := context.Background()
	created, err := f.client.CreateInvoice(ctx, f.conn(us), usInvoice(f), "us-1")
	wantErr(t, err, "", "")
	// 300.00 NON + 412.50 TAX + 12.25 TAX (hosting is taxable) at 8%:
	// 724.75 + 33.98.
	want := app.Invoice{
		ID: created.ID, SyncToken: "0", DocNumber: "1007", CustomerID: f.id(us, "customers", "acme"),
		CustomerName: "Acme Corporation", BillEmail: "ap@acme.example", Currency: "USD",
		TxnDate: date("2026-03-01"), DueDate: date("2026-03-31"), Total: 75873, Balance: 75873,
		EmailStatus: "NotSet", UpdatedAt: created.UpdatedAt,
	}
	if diff := cmp.Diff(want, created); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	if created.UpdatedAt.IsZero() {
		t.Errorf("no UpdatedAt")
	}
	read, err := f.client.Invoices(ctx, f.conn(us), []string{created.ID})
	wantErr(t, err, "", "")
	if len(read) != 1 {
		t.Fatalf("read %d invoices", len(read))
	}
	if diff := cmp.Diff(created, read[0]); diff != "" {
		t.Errorf("read back (-created +read):\n%s", diff)
	}
	if s := read[0].Status(app.Date{Year: 2026, Month: 3, Day: 10}); s != app.StatusAwaitingSend {
		t.Errorf("status %s, want a draft awaiting sending", s)
	}
}

// TestCreateInvoiceCA: outside the US, with custom transaction numbers on.
func TestCreateInvoiceCA(t *testing.T) {
	ca := qbofake.DemoRealmCA
	f := newFixture(t)
	ctx := context.Background()

	// Without a number: QBO leaves it empty.
	created, err := f.client.CreateInvoice(ctx, f.conn(ca), caInvoice(f), "ca-1")
	wantErr(t, err, "", "")
	// 190.00 at 13% HST + 25.00 zero-rated: 215.00 + 24.70.
	if created.DocNumber != "" || created.Total != 23970 || created.Currency != "CAD" || created.CustomerName != "Maple Syrup Co." {
		t.Errorf("created %+v", created)
	}
	read, err := f.client.Invoices(ctx, f.conn(ca), []string{created.ID})
	wantErr(t, err, "", "")
	if len(read) != 1 || read[0] != created {
		t.Errorf("read back %+v, want %+v", read, created)
	}

	// A number already used.
	inv := caInvoice(f)
	inv.DocNumber = "MLS-0001"
	_, err = f.client.CreateInvoice(ctx, f.conn(ca), inv, "ca-2")
	wantErr(t, err, app.Conflict, `Invoice number "MLS-0001" is already used in QuickBooks; choose another.`)
	var ue *UpstreamError
	if !errors.As(err, &ue) || ue.Code != "6140" || ue.Status != 400 || ue.TID == "" || !strings.Contains(ue.Detail, "DocNumber=MLS-0001") {
		t.Errorf("upstream %+v", ue)
	}

	// A new number.
	inv.DocNumber = "MLS-0100"
	created, err = f.client.CreateInvoice(ctx, f.conn(ca), inv, "ca-3")
	wantErr(t, err, "", "")
	if created.DocNumber != "MLS-0100" {
		t.Errorf("DocNumber %q", created.DocNumber)
	}
}

// TestCreateInvoiceRefusedBeforeAnyCall: input QBO would refuse, or that
// cannot be sent safely, is Invalid without a call (nor a token refresh).
func TestCreateInvoiceRefusedBeforeAnyCall(t *testing.T) {
	us, ca := qbofake.DemoRealmUS, qbofake.DemoRealmCA
	cases := []struct {
		name      string
		realm     string
		change    func(*app.NewInvoice)
		requestID string
		msg       string
	}{
		{name: "no request id", realm: us, requestID: "-", msg: "Creating a QuickBooks invoice needs a request id of 1 to 50 characters."},
		{name: "request id too long", realm: us, requestID: strings.Repeat("x", 51)},
		{name: "customer id not digits", realm: us, change: func(i *app.NewInvoice) { i.CustomerID = "1' OR '1" }},
		{name: "term id not digits", realm: us, change: func(i *app.NewInvoice) { i.TermID = "net30" }},
		{name: "no lines", realm: us, change: func(i *app.NewInvoice) { i.Lines = nil }, msg: "An invoice needs at least one line."},
		{name: "too many lines", realm: us, change: func(i *app.NewInvoice) {
			for len(i.Lines) <= 750 {
				i.Lines = append(i.Lines, i.Lines[0])
			}
		}},
		{name: "item id not digits", realm: us, change: func(i *app.NewInvoice) { i.Lines[1].ItemID = "RF-100" },
			msg: `Line 2: "RF-100" is not a QuickBooks product or service id; ids are digits.`},
		{name: "US tax code not TAX or NON", realm: us, change: func(i *app.NewInvoice) { i.Lines[0].TaxCodeID = "2" },
			msg: "Line 1: a US company's tax code must be TAX or NON."},
		{name: "CA line without a tax code", realm: ca, change: func(i *app.NewInvoice) { i.Lines[1].TaxCodeID = "" },
			msg: "Line 2: a tax code is required for companies outside the US."},
		{name: "CA tax code not an id", realm: ca, change: func(i *app.NewInvoice) { i.Lines[0].TaxCodeID = "TAX" },
			msg: `Line 1: "TAX" is not a QuickBooks tax code id; ids are digits.`},
		{name: "amount not whole cents", realm: us, change: func(i *app.NewInvoice) { i.Lines[2].Quantity, i.Lines[2].UnitPrice = 150, 33 },
			msg: "Line 3: 1.5 × 0.33 does not come to whole cents; QuickBooks needs the line amount to equal quantity × unit price."},
		{name: "amount overflows", realm: us, change: func(i *app.NewInvoice) { i.Lines[0].Quantity, i.Lines[0].UnitPrice = 1<<40, 1<<40 }},
		{name: "number too long", realm: ca, change: func(i *app.NewInvoice) { i.DocNumber = strings.Repeat("9", 22) },
			msg: `An invoice number can have at most 21 characters; "9999999999999999999999" has 22.`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			inv := usInvoice(f)
			if c.realm == ca {
				inv = caInvoice(f)
			}
			if c.change != nil {
				c.change(&inv)
			}
			rid := "req-1"
			if c.requestID == "-" {
				rid = ""
			} else if c.requestID != "" {
				rid = c.requestID
			}
			got, err := f.client.CreateInvoice(context.Background(), f.expiredConn(c.realm), inv, rid)
			wantErr(t, err, app.Invalid, c.msg)
			if got != (app.Invoice{}) {
				t.Errorf("got %+v", got)
			}
			if n := f.calls("", ""); n != 0 {
				t.Errorf("%d calls, want 0", n)
			}
			if n := f.tokenCalls(); n != 0 {
				t.Errorf("%d refreshes, want 0", n)
			}
		})
	}
}

// TestCreateInvoiceFaults: what QBO refuses, in the rep's words, with the
// wire detail kept in the chain.
func TestCreateInvoiceFaults(t *testing.T) {
	us, ca := qbofake.DemoRealmUS, qbofake.DemoRealmCA
	cases := []struct {
		name    string
		realm   string
		country string // overrides the connection's, as a stale one would
		change  func(*fixture, *app.NewInvoice)
		code    app.Code
		msg     string
		qbo     string
	}{
		{name: "unknown item", realm: us, change: func(_ *fixture, i *app.NewInvoice) { i.Lines[1].ItemID = "999" },
			code: app.Invalid, msg: "Line 2: QuickBooks has no product or service with id 999.", qbo: "2500"},
		{name: "unknown tax code", realm: ca, change: func(_ *fixture, i *app.NewInvoice) { i.Lines[1].TaxCodeID = "99" },
			code: app.Invalid, msg: "Line 2: QuickBooks has no tax code with id 99.", qbo: "2500"},
		{name: "unknown customer", realm: us, change: func(_ *fixture, i *app.NewInvoice) { i.CustomerID = "999" },
			code: app.Invalid, msg: "QuickBooks has no customer with id 999.", qbo: "2500"},
		{name: "unknown term", realm: us, change: func(_ *fixture, i *app.NewInvoice) { i.TermID = "99" },
			code: app.Invalid, msg: "QuickBooks has no term with id 99.", qbo: "2500"},
		{name: "inactive item", realm: us, change: func(f *fixture, i *app.NewInvoice) { i.Lines[0].ItemID = f.id(us, "items", "legacy_widget") },
			code: app.NotFound, msg: "The customer, a product or service, the term or a tax code of this invoice was deleted or made inactive in QuickBooks; refresh the lists and try again.", qbo: "610"},
		{name: "inactive customer", realm: us, change: func(f *fixture, i *app.NewInvoice) { i.CustomerID = f.id(us, "customers", "initech") },
			code: app.NotFound, qbo: "610"},
		{name: "a US company taken for CA", realm: us, country: "CA", change: func(_ *fixture, i *app.NewInvoice) {
			for n := range i.Lines {
				i.Lines[n].TaxCodeID = "2"
			}
		}, code: app.Invalid, msg: "Line 1: QuickBooks treats this company as a US company, whose line tax codes must be TAX or NON.", qbo: "6100"},
		{name: "a CA company taken for the US", realm: ca, country: "US", change: func(_ *fixture, i *app.NewInvoice) {
			for n := range i.Lines {
				i.Lines[n].TaxCodeID = ""
			}
		},
			code: app.Invalid, msg: "Make sure all your transactions have a GST/HST rate before you save.", qbo: "6000"},
		{name: "a foreign currency without multicurrency", realm: us, change: func(_ *fixture, i *app.NewInvoice) { i.Currency = "EUR" },
			code: app.Invalid, qbo: "6000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			inv := usInvoice(f)
			if c.realm == ca {
				inv = caInvoice(f)
			}
			c.change(f, &inv)
			conn := f.conn(c.realm)
			if c.country != "" {
				conn.Country = c.country
			}
			_, err := f.client.CreateInvoice(context.Background(), conn, inv, "req-1")
			wantErr(t, err, c.code, c.msg)
			var ue *UpstreamError
			if !errors.As(err, &ue) || ue.Code != c.qbo || ue.Status != 400 || ue.Op != "POST /v3/company/"+c.realm+"/invoice" {
				t.Errorf("upstream %+v", ue)
			}
			if n := f.calls(qbofake.RouteInvoiceCreate, c.realm); n != 1 {
				t.Errorf("%d calls, want 1", n)
			}
		})
	}
}

func TestCreateCustomerDuplicateName(t *testing.T) {
	us := qbofake.DemoRealmUS
	cases := []struct {
		name string
		in   app.NewCustomer
		msg  string
	}{
		{"a vendor's name", app.NewCustomer{DisplayName: "Acme Supplies"},
			`A customer, vendor or employee named "Acme Supplies" already exists in QuickBooks.`},
		{"an employee's name from parts", app.NewCustomer{GivenName: "Emily", FamilyName: "Platt"},
			`A customer, vendor or employee named "Emily Platt" already exists in QuickBooks.`},
		{"an inactive customer's name", app.NewCustomer{DisplayName: "Initech", Email: "new@initech.example"},
			`A customer, vendor or employee named "Initech" already exists in QuickBooks.`},
		{"a customer's name with an apostrophe", app.NewCustomer{DisplayName: "Amy's Bird Sanctuary"},
			`A customer, vendor or employee named "Amy's Bird Sanctuary" already exists in QuickBooks.`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.client.CreateCustomer(context.Background(), f.conn(us), c.in, "cust-1")
			wantErr(t, err, app.Conflict, c.msg)
			var ue *UpstreamError
			if !errors.As(err, &ue) || ue.Code != "6240" || ue.Status != 400 {
				t.Errorf("upstream %+v", ue)
			}
			if n := f.calls(qbofake.RouteCustomerCreate, us); n != 1 {
				t.Errorf("%d calls, want 1", n)
			}
		})
	}
}

func TestCreateCustomerRefusedBeforeAnyCall(t *testing.T) {
	cases := []struct {
		name      string
		in        app.NewCustomer
		requestID string
		msg       string
	}{
		{"no request id", app.NewCustomer{DisplayName: "Hooli"}, "", "Creating a QuickBooks customer needs a request id of 1 to 50 characters."},
		{"request id too long", app.NewCustomer{DisplayName: "Hooli"}, strings.Repeat("r", 51), ""},
		{"no name", app.NewCustomer{CompanyName: "Hooli", Email: "a@hooli.example"}, "r", "A QuickBooks customer needs a display name."},
		{"blank name", app.NewCustomer{DisplayName: "  "}, "r", "A QuickBooks customer needs a display name."},
		{"a colon", app.NewCustomer{DisplayName: "Hooli: West"}, "r", "A QuickBooks customer name cannot contain a colon, a tab or a line break."},
		{"a line break", app.NewCustomer{GivenName: "Gavin\n", FamilyName: "Bel\nson"}, "r", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.client.CreateCustomer(context.Background(), f.expiredConn(qbofake.DemoRealmUS), c.in, c.requestID)
			wantErr(t, err, app.Invalid, c.msg)
			if n := f.calls("", ""); n != 0 {
				t.Errorf("%d calls, want 0", n)
			}
			if n := f.tokenCalls(); n != 0 {
				t.Errorf("%d refreshes, want 0", n)
			}
		})
	}
}

// TestCreateIsIdempotentByRequestID: a repeat of a requestid, whether ours
// or a retry of a failed or lost attempt, makes one invoice, never two.
func TestCreateIsIdempotentByRequestID(t *testing.T) {
	us := qbofake.DemoRealmUS
	ctx := context.Background()

	t.Run("the same request id twice", func(t *testing.T) {
		f := newFixture(t)
		before := f.count(us, "Invoice")
		a, err := f.client.CreateInvoice(ctx, f.conn(us), usInvoice(f), "card-42")
		wantErr(t, err, "", "")
		b, err := f.client.CreateInvoice(ctx, f.conn(us), usInvoice(f), "card-42")
		wantErr(t, err, "", "")
		if a.ID == "" || a != b {
			t.Errorf("first %+v, second %+v", a, b)
		}
		if n := f.calls(qbofake.RouteInvoiceCreate, us); n != 2 {
			t.Errorf("%d create calls, want 2", n)
		}
		if n := f.count(us, "Invoice") - before; n != 1 {
			t.Errorf("%d invoices made, want 1", n)
		}
		// Another request id is another invoice.
		c, err := f.client.CreateInvoice(ctx, f.conn(us), usInvoice(f), "card-43")
		wantErr(t, err, "", "")
		if c.ID == a.ID || f.count(us, "Invoice")-before != 2 {
			t.Errorf("a new request id did not make a new invoice")
		}
	})

	t.Run("a 500 once is retried", func(t *testing.T) {
		f := newFixture(t)
		before := f.count(us, "Invoice")
		f.inject(qbofake.RouteInvoiceCreate, faultSpec{Status: 500, Times: 1,
			Body: []byte(`{"Fault":{"Error":[{"Message":"Internal Server Error","code":"500"}],"type":"SystemFault"}}`)})
		got, err := f.client.CreateInvoice(ctx, f.conn(us), usInvoice(f), "card-500")
		wantErr(t, err, "", "")
		if got.ID == "" {
			t.Errorf("no invoice")
		}
		if n := f.calls(qbofake.RouteInvoiceCreate, us); n != 2 {
			t.Errorf("%d create calls, want 2", n)
		}
		if n := f.count(us, "Invoice") - before; n != 1 {
			t.Errorf("%d invoices made, want 1", n)
		}
	})

	t.Run("an answer lost after QBO created the invoice", func(t *testing.T) {
		lose := &loseAnswers{suffix: "/invoice", left: 1}
		f := newFixture(t, wrap(func(next http.RoundTripper) http.RoundTripper { lose.next = next; return lose }))
		before := f.count(us, "Invoice")
		got, err := f.client.CreateInvoice(ctx, f.conn(us), usInvoice(f), "card-lost")
		wantErr(t, err, "", "")
		if n := f.calls(qbofake.RouteInvoiceCreate, us); n != 2 {
			t.Errorf("%d create calls, want 2", n)
		}
		if n := f.count(us, "Invoice") - before; n != 1 {
			t.Errorf("%d invoices made, want 1", n)
		}
		read, _ := f.client.Invoices(ctx, f.conn(us), []string{got.ID})
		if len(read) != 1 || read[0] != got {
			t.Errorf("the answer of the retry is not the invoice made: %+v vs %+v", got, read)
		}
	})

	t.Run("429 forever", func(t *testing.T) {
		f := newFixture(t)
		before := f.count(us, "Invoice")
		f.inject(qbofake.RouteInvoiceCreate, throttle(0))
		_, err := f.client.CreateInvoice(ctx, f.conn(us), usInvoice(f), "card-429")
		wantErr(t, err, app.Unavailable, msgBusy)
		if n := f.calls(qbofake.RouteInvoiceCreate, us); n != DefaultMaxRetries+1 {
			t.Errorf("%d create calls, want %d", n, DefaultMaxRetries+1)
		}
		if n := f.count(us, "Invoice") - before; n != 0 {
			t.Errorf("%d invoices made, want 0", n)
		}
	})

	t.Run("a customer", func(t *testing.T) {
		lose := &loseAnswers{suffix: "/customer", left: 1}
		f := newFixture(t, wrap(func(next http.RoundTripper) http.RoundTripper { lose.next = next; return lose }))
		before := f.count(us, "Customer")
		a, err := f.client.CreateCustomer(ctx, f.conn(us), app.NewCustomer{DisplayName: "Hooli"}, "cust-9")
		wantErr(t, err, "", "")
		// Without the requestid the retry would have met its own name: 6240.
		b, err := f.client.CreateCustomer(ctx, f.conn(us), app.NewCustomer{DisplayName: "Hooli"}, "cust-9")
		wantErr(t, err, "", "")
		if a.ID == "" || a != b {
			t.Errorf("first %+v, second %+v", a, b)
		}
		if n := f.calls(qbofake.RouteCustomerCreate, us); n != 3 {
			t.Errorf("%d create calls, want 3", n)
		}
		if n := f.count(us, "Customer") - before; n != 1 {
			t.Errorf("%d customers made, want 1", n)
		}
	})
}

// TestCreatesAreObserved: each attempt reaches the Observe hook with the
// id-free operation and its outcome.
func TestCreatesAreObserved(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	f := newFixture(t, func(c *Config) {
		c.Observe = func(op, outcome string) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, op+" "+outcome)
		}
	})
	ca := qbofake.DemoRealmCA
	f.inject(qbofake.RouteInvoiceCreate, throttle(1))
	if _, err := f.client.CreateInvoice(context.Background(), f.conn(ca), caInvoice(f), "obs-1"); err != nil {
		t.Fatal(err)
	}
	inv := caInvoice(f)
	inv.DocNumber = "MLS-0002"
	_, _ = f.client.CreateInvoice(context.Background(), f.conn(ca), inv, "obs-2")
	_, _ = f.client.CreateCustomer(context.Background(), f.conn(ca), app.NewCustomer{DisplayName: "Maple Syrup Co."}, "obs-3")
	want := []string{
		"POST /v3/company/{id}/invoice unavailable",
		"POST /v3/company/{id}/invoice ok",
		"POST /v3/company/{id}/invoice conflict",
		"POST /v3/company/{id}/customer conflict",
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("observed (-want +got):\n%s", diff)
	}
}
