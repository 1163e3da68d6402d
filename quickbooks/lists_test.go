package quickbooks

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// statements returns the query statements the client sent, in order.
func (f *fixture) statements() []string {
	f.rec.mu.Lock()
	defer f.rec.mu.Unlock()
	var out []string
	for _, q := range f.rec.queries {
		if s := q.Get("query"); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// count runs SELECT COUNT(*) FROM entity in realm.
func (f *fixture) count(realm, entity string) int {
	f.t.Helper()
	var resp struct {
		QueryResponse struct {
			TotalCount int `json:"totalCount"`
		}
	}
	err := f.client.do(context.Background(), f.conn(realm), http.MethodGet, "query",
		url.Values{"query": {"SELECT COUNT(*) FROM " + entity}}, nil, &resp)
	if err != nil {
		f.t.Fatalf("count %s: %v", entity, err)
	}
	return resp.QueryResponse.TotalCount
}

// post writes a record directly, as another QBO user would.
func (f *fixture) post(realm, entity string, body any) string {
	f.t.Helper()
	var resp map[string]json.RawMessage
	if err := f.client.do(context.Background(), f.conn(realm), http.MethodPost, entity, nil, body, &resp); err != nil {
		f.t.Fatalf("create %s: %v", entity, err)
	}
	for _, raw := range resp {
		var obj struct{ Id string }
		if json.Unmarshal(raw, &obj) == nil && obj.Id != "" {
			return obj.Id
		}
	}
	f.t.Fatalf("create %s: no id in %v", entity, resp)
	return ""
}

func TestCustomers(t *testing.T) {
	us, ca := qbofake.DemoRealmUS, qbofake.DemoRealmCA
	f := newFixture(t)
	got, err := f.client.Customers(context.Background(), f.conn(us))
	wantErr(t, err, "", "")
	want := []app.Customer{
		{ID: f.id(us, "customers", "acme"), DisplayName: "Acme Corporation", CompanyName: "Acme Corporation",
			GivenName: "Alice", FamilyName: "Buyer", Email: "ap@acme.example", Currency: "USD", TermID: "3"},
		{ID: f.id(us, "customers", "amy"), DisplayName: "Amy's Bird Sanctuary", Email: "amy@birds.example", Currency: "USD", TermID: "2"},
		{ID: f.id(us, "customers", "globex"), DisplayName: "Globex LLC", CompanyName: "Globex LLC", Email: "billing@globex.example", Currency: "USD"},
		// Initech is inactive: absent. US customers' DefaultTaxCodeRef (a
		// tax group) is not a line tax code: no TaxCodeID.
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("US customers (-want +got):\n%s", diff)
	}
	if s := f.statements(); len(s) != 1 || s[0] != "SELECT * FROM Customer STARTPOSITION 1 MAXRESULTS 1000" {
		t.Errorf("statements %q", s)
	}

	// Outside the US the default tax code is kept.
	taxed := f.post(ca, "customer", map[string]any{"DisplayName": "Taxed Ltd", "DefaultTaxCodeRef": map[string]string{"value": "5"}})
	got, err = f.client.Customers(context.Background(), f.conn(ca))
	wantErr(t, err, "", "")
	want = []app.Customer{
		{ID: f.id(ca, "customers", "acme"), DisplayName: "Acme Corporation", CompanyName: "Acme Corporation", Email: "ap@acme.example", Currency: "CAD"},
		{ID: f.id(ca, "customers", "maple"), DisplayName: "Maple Syrup Co.", CompanyName: "Maple Syrup Co.", Email: "orders@maplesyrup.example", Currency: "CAD"},
		{ID: taxed, DisplayName: "Taxed Ltd", Currency: "CAD", TaxCodeID: "5"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CA customers (-want +got):\n%s", diff)
	}
}

// TestListPaging lowers the page size: pages follow each other until a
// short one, an empty last page ({} without the entity key) included.
func TestListPaging(t *testing.T) {
	us := qbofake.DemoRealmUS
	cases := []struct {
		name      string
		pageSize  int
		list      func(*fixture) (int, error)
		wantRows  int
		wantStmts []string
	}{
		{"customers, short last page", 2, func(f *fixture) (int, error) {
			got, err := f.client.Customers(context.Background(), f.conn(us))
			return len(got), err
		}, 3, []string{
			"SELECT * FROM Customer STARTPOSITION 1 MAXRESULTS 2",
			"SELECT * FROM Customer STARTPOSITION 3 MAXRESULTS 2",
		}},
		{"customers, empty last page", 3, func(f *fixture) (int, error) {
			got, err := f.client.Customers(context.Background(), f.conn(us))
			return len(got), err
		}, 3, []string{
			"SELECT * FROM Customer STARTPOSITION 1 MAXRESULTS 3",
			"SELECT * FROM Customer STARTPOSITION 4 MAXRESULTS 3",
		}},
		{"items", 2, func(f *fixture) (int, error) {
			got, err := f.client.Items(context.Background(), f.conn(us))
			return len(got), err
		}, 4, []string{
			"SELECT * FROM Item STARTPOSITION 1 MAXRESULTS 2",
			"SELECT * FROM Item STARTPOSITION 3 MAXRESULTS 2",
			"SELECT * FROM Item STARTPOSITION 5 MAXRESULTS 2",
		}},
		{"tax codes", 2, func(f *fixture) (int, error) {
			got, err := f.client.TaxCodes(context.Background(), f.conn(us))
			return len(got), err
		}, 3, []string{
			"SELECT * FROM TaxCode STARTPOSITION 1 MAXRESULTS 2",
			"SELECT * FROM TaxCode STARTPOSITION 3 MAXRESULTS 2",
		}},
		{"terms", 1, func(f *fixture) (int, error) {
			got, err := f.client.Terms(context.Background(), f.conn(us))
			return len(got), err
		}, 4, []string{
			"SELECT * FROM Term STARTPOSITION 1 MAXRESULTS 1",
			"SELECT * FROM Term STARTPOSITION 2 MAXRESULTS 1",
			"SELECT * FROM Term STARTPOSITION 3 MAXRESULTS 1",
			"SELECT * FROM Term STARTPOSITION 4 MAXRESULTS 1",
			"SELECT * FROM Term STARTPOSITION 5 MAXRESULTS 1",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.client.pageSize = c.pageSize
			n, err := c.list(f)
			wantErr(t, err, "", "")
			if n != c.wantRows {
				t.Errorf("%d rows, want %d", n, c.wantRows)
			}
			if diff := cmp.Diff(c.wantStmts, f.statements()); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
		})
	}
}

// TestListFailsWhole: a page that fails fails the list; no partial list.
func TestListFailsWhole(t *testing.T) {
	f := newFixture(t)
	f.client.pageSize = 2
	f.inject(qbofake.RouteQuery, faultSpec{Times: 1}) // pass-through: page 1 succeeds
	f.inject(qbofake.RouteQuery, throttle(0))
	got, err := f.client.Customers(context.Background(), f.conn(qbofake.DemoRealmUS))
	wantErr(t, err, app.Unavailable, msgBusy)
	if got != nil {
		t.Errorf("got %d customers with the error", len(got))
	}
}

func TestItems(t *testing.T) {
	us, ca := qbofake.DemoRealmUS, qbofake.DemoRealmCA
	f := newFixture(t)
	odd := f.post(us, "item", map[string]any{"Name": "Odd price", "Type": "NonInventory", "UnitPrice": json.Number("0.125")})
	got, err := f.client.Items(context.Background(), f.conn(us))
	wantErr(t, err, "", "")
	want := []app.Item{
		{ID: f.id(us, "items", "design"), Name: "Design hours", SKU: "DES-HR", Description: "Design hours", Type: "Service", UnitPrice: 7500},
		{ID: f.id(us, "items", "consulting"), Name: "Consulting", Description: "Consulting", Type: "Service", UnitPrice: 15000},
		{ID: f.id(us, "items", "rock_fountain"), Name: "Rock Fountain", SKU: "RF-100", Description: "Rock Fountain", Type: "Inventory", UnitPrice: 27500, Taxable: true},
		{ID: f.id(us, "items", "hosting"), Name: "Hosting (monthly)", SKU: "HOST-M", Description: "Hosting (monthly)", Type: "Service", UnitPrice: 4900, Taxable: true},
		// Legacy widget is inactive: absent. 0.125 rounds half away from zero.
		{ID: odd, Name: "Odd price", Type: "NonInventory", UnitPrice: 13},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("US items (-want +got):\n%s", diff)
	}

	got, err = f.client.Items(context.Background(), f.conn(ca))
	wantErr(t, err, "", "")
	want = []app.Item{
		{ID: f.id(ca, "items", "design"), Name: "Design hours", SKU: "DES-HR", Description: "Design hours", Type: "Service", UnitPrice: 9500, TaxCodeID: "5"},
		{ID: f.id(ca, "items", "consulting"), Name: "Consulting", Description: "Consulting", Type: "Service", UnitPrice: 19000, TaxCodeID: "5"},
		{ID: f.id(ca, "items", "shipping"), Name: "Shipping", Description: "Shipping", Type: "Service", UnitPrice: 2500, TaxCodeID: "7"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CA items (-want +got):\n%s", diff)
	}
}

func TestRoundedMoney(t *testing.T) {
	for in, want := range map[string]app.Money{
		"": 0, "0": 0, "75": 7500, "22.5": 2250, "-3.07": -307, "0.125": 13, "0.124999": 12,
		"-0.125": -13, "1.005": 101, "99.995": 10000, "12.3456": 1235,
	} {
		got, err := roundedMoney(json.Number(in))
		if err != nil || got != want {
			t.Errorf("roundedMoney(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"abc", "1e400000"} {
		if _, err := roundedMoney(json.Number(in)); err == nil {
			t.Errorf("roundedMoney(%q): no error", in)
		}
	}
}

func TestTaxCodes(t *testing.T) {
	f := newFixture(t)
	got, err := f.client.TaxCodes(context.Background(), f.conn(qbofake.DemoRealmUS))
	wantErr(t, err, "", "")
	want := []app.TaxCode{
		{ID: "NON", Name: "NON", Description: "NON"},
		{ID: "TAX", Name: "TAX", Description: "TAX", Taxable: true},
		{ID: "2", Name: "California", Description: "California", Taxable: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("US tax codes (-want +got):\n%s", diff)
	}
	got, err = f.client.TaxCodes(context.Background(), f.conn(qbofake.DemoRealmCA))
	wantErr(t, err, "", "")
	want = []app.TaxCode{
		{ID: "4", Name: "GST", Description: "GST", Taxable: true},
		{ID: "5", Name: "HST ON", Description: "HST ON", Taxable: true},
		{ID: "6", Name: "Exempt", Description: "Exempt", Taxable: true},
		{ID: "7", Name: "Zero-rated", Description: "Zero-rated", Taxable: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CA tax codes (-want +got):\n%s", diff)
	}
}

func TestTerms(t *testing.T) {
	us, ca := qbofake.DemoRealmUS, qbofake.DemoRealmCA
	f := newFixture(t)
	driven := f.post(us, "term", map[string]any{"Name": "15th next month", "Type": "DATE_DRIVEN", "DayOfMonthDue": 15, "DueNextMonthDays": 5})
	f.post(us, "term", map[string]any{"Name": "Old net 7", "DueDays": 7, "Active": false})
	got, err := f.client.Terms(context.Background(), f.conn(us))
	wantErr(t, err, "", "")
	standard := []app.Term{
		{ID: "1", Name: "Due on receipt"},
		{ID: "2", Name: "Net 15", DueDays: 15},
		{ID: "3", Name: "Net 30", DueDays: 30},
		{ID: "4", Name: "Net 60", DueDays: 60},
	}
	want := append(append([]app.Term(nil), standard...), app.Term{ID: driven, Name: "15th next month", DayOfMonthDue: 15, DueNextMonthDays: 5})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("US terms (-want +got):\n%s", diff)
	}
	// The app computes due dates from them as QBO does.
	if d := got[4].DueDate(app.Date{Year: 2026, Month: 3, Day: 12}); d != (app.Date{Year: 2026, Month: 4, Day: 15}) {
		t.Errorf("DATE_DRIVEN due date %v", d)
	}

	got, err = f.client.Terms(context.Background(), f.conn(ca))
	wantErr(t, err, "", "")
	if diff := cmp.Diff(standard, got); diff != "" {
		t.Errorf("CA terms (-want +got):\n%s", diff)
	}
}

func TestRecentDocNumbers(t *testing.T) {
	us, ca := qbofake.DemoRealmUS, qbofake.DemoRealmCA
	f := newFixture(t)
	ctx := context.Background()
	// Seeded by creation time, newest first: awaiting_send (today),
	// sent (5 days ago), partially_paid (10), voided (20), paid (40),
	// overdue (45).
	got, err := f.client.RecentDocNumbers(ctx, f.conn(us), 10)
	wantErr(t, err, "", "")
	if diff := cmp.Diff([]string{"1001", "1002", "1003", "1006", "1004", "1005"}, got); diff != "" {
		t.Errorf("US (-want +got):\n%s", diff)
	}
	if s := f.statements(); len(s) != 1 || s[0] != "SELECT * FROM Invoice ORDERBY MetaData.CreateTime DESC MAXRESULTS 10" {
		t.Errorf("statements %q", s)
	}

	f.clock.mu.Lock()
	f.clock.t = f.clock.t.Add(time.Minute)
	f.clock.mu.Unlock()
	inv := usInvoice(f)
	inv.DocNumber = "Z-1"
	if _, err := f.client.CreateInvoice(ctx, f.conn(us), inv, "recent-1"); err != nil {
		t.Fatal(err)
	}
	got, err = f.client.RecentDocNumbers(ctx, f.conn(us), 2)
	wantErr(t, err, "", "")
	if diff := cmp.Diff([]string{"Z-1", "1001"}, got); diff != "" {
		t.Errorf("US after a create (-want +got):\n%s", diff)
	}

	// Custom numbers on: an invoice created without one has none and is
	// left out, so fewer than n come back.
	f.clock.mu.Lock()
	f.clock.t = f.clock.t.Add(time.Minute)
	f.clock.mu.Unlock()
	if _, err := f.client.CreateInvoice(ctx, f.conn(ca), caInvoice(f), "recent-2"); err != nil {
		t.Fatal(err)
	}
	got, err = f.client.RecentDocNumbers(ctx, f.conn(ca), 2)
	wantErr(t, err, "", "")
	if diff := cmp.Diff([]string{"MLS-0001"}, got); diff != "" {
		t.Errorf("CA (-want +got):\n%s", diff)
	}

	before := f.calls("", "")
	for _, n := range []int{0, -1} {
		if got, err := f.client.RecentDocNumbers(ctx, f.conn(us), n); err != nil || got != nil {
			t.Errorf("RecentDocNumbers(%d) = %q, %v", n, got, err)
		}
	}
	if _, err := f.client.RecentDocNumbers(ctx, f.conn(us), 5000); err != nil {
		t.Fatal(err)
	}
	if n := f.calls("", "") - before; n != 1 {
		t.Errorf("%d calls, want 1 (none for n <= 0)", n)
	}
	if s := f.statements(); s[len(s)-1] != "SELECT * FROM Invoice ORDERBY MetaData.CreateTime DESC MAXRESULTS 1000" {
		t.Errorf("n above 1000: %q", s[len(s)-1])
	}
}

func TestNameInUse(t *testing.T) {
	us := qbofake.DemoRealmUS
	// The customer, vendor and employee lookups run at once: always three.
	cases := []struct {
		name    string
		in      string
		heldBy  string
		queries int
		code    app.Code
		msg     string
	}{
		{name: "a customer", in: "Acme Corporation", heldBy: "customer", queries: 3},
		{name: "a vendor", in: "Acme Supplies", heldBy: "vendor", queries: 3},
		{name: "an employee", in: "Emily Platt", heldBy: "employee", queries: 3},
		{name: "an inactive customer", in: "Initech", heldBy: "customer", queries: 3},
		{name: "an apostrophe", in: "Amy's Bird Sanctuary", heldBy: "customer", queries: 3},
		{name: "surrounding space", in: "  Globex LLC ", heldBy: "customer", queries: 3},
		{name: "a free name", in: "Hooli Inc", queries: 3},
		{name: "an injection attempt", in: "x' OR DisplayName > '", queries: 3},
		{name: "a backslash", in: `Acme\Corp`, code: app.Invalid,
			msg: `QuickBooks cannot look up a name with a backslash; remove it from "Acme\\Corp".`},
		{name: "empty", in: "  ", code: app.Invalid, msg: "A display name is required."},
		{name: "a line break", in: "Acme\nCorp", code: app.Invalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			got, err := f.client.NameInUse(context.Background(), f.conn(us), c.in)
			wantErr(t, err, c.code, c.msg)
			if got != c.heldBy {
				t.Errorf("held by %q, want %q", got, c.heldBy)
			}
			if n := f.calls(qbofake.RouteQuery, us); n != c.queries {
				t.Errorf("%d queries, want %d", n, c.queries)
			}
		})
	}

	f := newFixture(t)
	if _, err := f.client.NameInUse(context.Background(), f.conn(us), "Amy's Birds"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`SELECT * FROM Customer WHERE DisplayName = 'Amy\'s Birds' AND Active IN (true, false) MAXRESULTS 1`,
		`SELECT * FROM Vendor WHERE DisplayName = 'Amy\'s Birds' AND Active IN (true, false) MAXRESULTS 1`,
		`SELECT * FROM Employee WHERE DisplayName = 'Amy\'s Birds' AND Active IN (true, false) MAXRESULTS 1`,
	}
	got := f.statements()
	slices.Sort(got) // the three lookups run at once
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statements (-want +got):\n%s", diff)
	}
}

// TestItemsOnlySellable: Category and Group items (which the fake does not
// model, so the answer is injected) are not offered for sales lines.
func TestItemsOnlySellable(t *testing.T) {
	f := newFixture(t)
	f.inject(qbofake.RouteQuery, faultSpec{Status: 200, Times: 1, Header: http.Header{"Content-Type": {"application/json"}},
		Body: []byte(`{"QueryResponse":{"Item":[{"Id":"1","Name":"Garden","Type":"Category","Active":true},` +
			`{"Id":"2","Name":"Kit","Type":"Group","Active":true},{"Id":"3","Name":"Svc","Type":"Service","UnitPrice":10,"Active":true},` +
			`{"Id":"4","Name":"Old","Type":"Service","Active":false}],"startPosition":1,"maxResults":4},"time":"2026-03-10T09:30:00.000-07:00"}`)})
	got, err := f.client.Items(context.Background(), f.conn(qbofake.DemoRealmUS))
	wantErr(t, err, "", "")
	if diff := cmp.Diff([]app.Item{{ID: "3", Name: "Svc", Type: "Service", UnitPrice: 1000}}, got); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
}

// TestListEndsOnAServerThatNeverDoes: a server answering every page with
// the same full page is read maxPages times, then the list ends, each row
// once, with a warning in the log.
func TestListEndsOnAServerThatNeverDoes(t *testing.T) {
	f := newFixture(t)
	f.client.pageSize = 1
	f.inject(qbofake.RouteQuery, faultSpec{Status: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: []byte(`{"QueryResponse":{"Term":[{"Id":"9","Name":"Net 9","Type":"STANDARD","DueDays":9}],"startPosition":1,"maxResults":1},"time":"2026-03-10T09:30:00.000-07:00"}`)})
	got, err := f.client.Terms(context.Background(), f.conn(qbofake.DemoRealmUS))
	wantErr(t, err, "", "")
	if diff := cmp.Diff([]app.Term{{ID: "9", Name: "Net 9", DueDays: 9}}, got); diff != "" {
		t.Errorf("terms (-want +got):\n%s", diff)
	}
	if n := f.calls(qbofake.RouteQuery, qbofake.DemoRealmUS); n != maxPages {
		t.Errorf("%d queries, want %d", n, maxPages)
	}
	if !strings.Contains(f.logs.String(), "list cut short") {
		t.Errorf("no warning logged")
	}
}

// TestListUndecodable: a row that does not decode fails the list as an
// unreadable answer.
func TestListUndecodable(t *testing.T) {
	f := newFixture(t)
	f.inject(qbofake.RouteQuery, faultSpec{Status: 200, Times: 1, Header: http.Header{"Content-Type": {"application/json"}},
		Body: []byte(`{"QueryResponse":{"Item":[{"Id":"3","Name":"Svc","Type":"Service","UnitPrice":"ten"}]}}`)})
	_, err := f.client.Items(context.Background(), f.conn(qbofake.DemoRealmUS))
	wantErr(t, err, app.Internal, msgUnreadable)
}
