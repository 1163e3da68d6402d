package quickbooks

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// tick moves the fake's and the client's clock on, so the next invoice is
// created later than the last.
func (f *fixture) tick(d time.Duration) {
	f.clock.mu.Lock()
	f.clock.t = f.clock.t.Add(d)
	f.clock.mu.Unlock()
}

func docNumbers(invs []app.Invoice) []string {
	out := make([]string, len(invs))
	for i, inv := range invs {
		out[i] = inv.DocNumber
	}
	return out
}

func money(m app.Money) *app.Money { return &m }

// TestQueryInvoices runs each filter against the seed: by creation, newest
// first, the US invoices are 1001 (Acme, 300.00, today), 1002 (Globex,
// 300.00, 5 days ago), 1003 (Amy, 297.00), 1006 (Acme, voided), 1004 (Acme,
// paid) and 1005 (Globex, 600.00).
func TestQueryInvoices(t *testing.T) {
	us := qbofake.DemoRealmUS
	probe := newFixture(t)
	acme, amy, globex := probe.id(us, "customers", "acme"), probe.id(us, "customers", "amy"), probe.id(us, "customers", "globex")
	cases := []struct {
		name   string
		filter app.InvoiceFilter
		offset int
		limit  int
		want   []string // DocNumbers, in order
		stmt   string
	}{
		{name: "everything", limit: 100, want: []string{"1001", "1002", "1003", "1006", "1004", "1005"},
			stmt: "SELECT * FROM Invoice ORDERBY MetaData.CreateTime DESC STARTPOSITION 1 MAXRESULTS 100"},
		{name: "by number", filter: app.InvoiceFilter{DocNumber: "1001"}, limit: 10, want: []string{"1001"},
			stmt: "SELECT * FROM Invoice WHERE DocNumber = '1001' ORDERBY MetaData.CreateTime DESC STARTPOSITION 1 MAXRESULTS 10"},
		{name: "by number, trimmed", filter: app.InvoiceFilter{DocNumber: " 1005 "}, limit: 10, want: []string{"1005"},
			stmt: "SELECT * FROM Invoice WHERE DocNumber = '1005' ORDERBY MetaData.CreateTime DESC STARTPOSITION 1 MAXRESULTS 10"},
		{name: "by amount", filter: app.InvoiceFilter{Amount: money(30000)}, limit: 10, want: []string{"1001", "1002"},
			stmt: "SELECT * FROM Invoice WHERE TotalAmt = '300.00' ORDERBY MetaData.CreateTime DESC STARTPOSITION 1 MAXRESULTS 10"},
		{name: "by amount with cents", filter: app.InvoiceFilter{Amount: money(10584)}, limit: 10, want: []string{"1004"},
			stmt: "SELECT * FROM Invoice WHERE TotalAmt = '105.84' ORDERBY MetaData.CreateTime DESC STARTPOSITION 1 MAXRESULTS 10"},
		{name: "by one customer", filter: app.InvoiceFilter{CustomerIDs: []string{acme}}, limit: 10, want: []string{"1001", "1006", "1004"},
			stmt: "SELECT * FROM Invoice WHERE CustomerRef IN ('" + acme + "') ORDERBY MetaData.CreateTime DESC STARTPOSITION 1 MAXRESULTS 10"},
		{name: "by customers, repeats sent once", filter: app.InvoiceFilter{CustomerIDs: []string{amy, acme, amy}}, limit: 10,
			want: []string{"1001", "1003", "1006", "1004"},
			stmt: "SELECT * FROM Invoice WHERE CustomerRef IN ('" + amy + "','" + acme + "') ORDERBY MetaData.CreateTime DESC STARTPOSITION 1 MAXRESULTS 10"},
		{name: "combined", filter: app.InvoiceFilter{DocNumber: "1002", Amount: money(30000), CustomerIDs: []string{acme, globex}}, limit: 5,
			want: []string{"1002"},
			stmt: "SELECT * FROM Invoice WHERE DocNumber = '1002' AND TotalAmt = '300.00' AND CustomerRef IN ('" + acme + "','" + globex + "') ORDERBY MetaData.CreateTime DESC STARTPOSITION 1 MAXRESULTS 5"},
		{name: "amount and customer", filter: app.InvoiceFilter{Amount: money(30000), CustomerIDs: []string{globex}}, limit: 5,
			want: []string{"1002"}},
		{name: "criteria that exclude each other", filter: app.InvoiceFilter{DocNumber: "1001", Amount: money(60000)}, limit: 5, want: []string{}},
		{name: "no such number", filter: app.InvoiceFilter{DocNumber: "9999"}, limit: 5, want: []string{}},
		{name: "an apostrophe", filter: app.InvoiceFilter{DocNumber: "O'1' OR DocNumber > '"}, limit: 5, want: []string{},
			stmt: `SELECT * FROM Invoice WHERE DocNumber = 'O\'1\' OR DocNumber > \'' ORDERBY MetaData.CreateTime DESC STARTPOSITION 1 MAXRESULTS 5`},
		{name: "no customers is no criterion", filter: app.InvoiceFilter{CustomerIDs: []string{}}, limit: 2, want: []string{"1001", "1002"}},
		{name: "a page", offset: 1, limit: 2, want: []string{"1002", "1003"},
			stmt: "SELECT * FROM Invoice ORDERBY MetaData.CreateTime DESC STARTPOSITION 2 MAXRESULTS 2"},
		{name: "the next page", offset: 3, limit: 2, want: []string{"1006", "1004"}},
		{name: "the last, short page", offset: 4, limit: 2, want: []string{"1004", "1005"}},
		{name: "past the end", offset: 6, limit: 2, want: []string{}},
		{name: "a page of a filter", filter: app.InvoiceFilter{CustomerIDs: []string{acme}}, offset: 1, limit: 1, want: []string{"1006"}},
		{name: "the most", limit: 1000, want: []string{"1001", "1002", "1003", "1006", "1004", "1005"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			got, err := f.client.QueryInvoices(context.Background(), f.conn(us), c.filter, c.offset, c.limit)
			wantErr(t, err, "", "")
			if got == nil {
				t.Errorf("nil result, want an empty slice")
			}
			if diff := cmp.Diff(c.want, docNumbers(got)); diff != "" {
				t.Errorf("DocNumbers (-want +got):\n%s", diff)
			}
			if n := f.calls(qbofake.RouteQuery, us); n != 1 {
				t.Errorf("%d queries, want 1", n)
			}
			if n := f.dataCalls(us); n != 1 {
				t.Errorf("%d data calls, want 1", n)
			}
			if s := f.statements(); c.stmt != "" && (len(s) != 1 || s[0] != c.stmt) {
				t.Errorf("statements %q, want %q", s, c.stmt)
			}
		})
	}
}

// TestQueryInvoicesMapsLikeInvoices: a row reads as Invoices reads it.
func TestQueryInvoicesMapsLikeInvoices(t *testing.T) {
	us := qbofake.DemoRealmUS
	f := newFixture(t)
	ctx := context.Background()
	found, err := f.client.QueryInvoices(ctx, f.conn(us), app.InvoiceFilter{}, 0, 1000)
	wantErr(t, err, "", "")
	ids := make([]string, len(found))
	for i, inv := range found {
		ids[i] = inv.ID
	}
	read, err := f.client.Invoices(ctx, f.conn(us), ids)
	wantErr(t, err, "", "")
	if diff := cmp.Diff(read, found); diff != "" {
		t.Errorf("QueryInvoices differs from Invoices (-Invoices +QueryInvoices):\n%s", diff)
	}
	if found[2].Total != 29700 || found[2].Balance != 19700 || found[2].CustomerName != "Amy's Bird Sanctuary" {
		t.Errorf("partly paid invoice %+v", found[2])
	}
}

// TestQueryInvoicesNewestFirst: invoices created later come first, whatever
// their dates or numbers.
func TestQueryInvoicesNewestFirst(t *testing.T) {
	us := qbofake.DemoRealmUS
	f := newFixture(t)
	ctx := context.Background()
	var made []string
	for i, doc := range []string{"A-2", "A-1"} { // numbers that sort the other way
		f.tick(time.Minute)
		inv := usInvoice(f)
		inv.DocNumber = doc
		inv.TxnDate = date("2026-01-0" + strconv.Itoa(9-i)) // and dates too
		created, err := f.client.CreateInvoice(ctx, f.conn(us), inv, "newest-"+doc)
		wantErr(t, err, "", "")
		made = append(made, created.ID)
	}
	got, err := f.client.QueryInvoices(ctx, f.conn(us),
		app.InvoiceFilter{CustomerIDs: []string{f.id(us, "customers", "acme")}}, 0, 3)
	wantErr(t, err, "", "")
	if diff := cmp.Diff([]string{"A-1", "A-2", "1001"}, docNumbers(got)); diff != "" {
		t.Errorf("DocNumbers (-want +got):\n%s", diff)
	}
	if len(got) == 3 && (got[0].ID != made[1] || got[1].ID != made[0]) {
		t.Errorf("ids %s, %s; want %s, %s", got[0].ID, got[1].ID, made[1], made[0])
	}

	// A number with an apostrophe is found by it, escaped.
	f.tick(time.Minute)
	inv := usInvoice(f)
	inv.DocNumber = "O'Hara-1"
	if _, err := f.client.CreateInvoice(ctx, f.conn(us), inv, "newest-quote"); err != nil {
		t.Fatal(err)
	}
	got, err = f.client.QueryInvoices(ctx, f.conn(us), app.InvoiceFilter{DocNumber: "O'Hara-1"}, 0, 10)
	wantErr(t, err, "", "")
	if diff := cmp.Diff([]string{"O'Hara-1"}, docNumbers(got)); diff != "" {
		t.Errorf("by a number with an apostrophe (-want +got):\n%s", diff)
	}
}

func TestQueryInvoicesCA(t *testing.T) {
	ca := qbofake.DemoRealmCA
	f := newFixture(t)
	got, err := f.client.QueryInvoices(context.Background(), f.conn(ca), app.InvoiceFilter{DocNumber: "MLS-0001"}, 0, 10)
	wantErr(t, err, "", "")
	if len(got) != 1 || got[0].DocNumber != "MLS-0001" || got[0].Currency != "CAD" || got[0].Total != 107350 {
		t.Errorf("got %+v", got)
	}
}

// TestQueryInvoicesRefusedBeforeAnyCall: bad input is Invalid, with no data
// call and not even a token refresh.
func TestQueryInvoicesRefusedBeforeAnyCall(t *testing.T) {
	many := make([]string, 1001)
	for i := range many {
		many[i] = strconv.Itoa(i + 1)
	}
	cases := []struct {
		name          string
		filter        app.InvoiceFilter
		offset, limit int
		msg           string
	}{
		{name: "a backslash", filter: app.InvoiceFilter{DocNumber: `10\01`}, limit: 10,
			msg: "An invoice number to search for cannot contain a backslash."},
		{name: "a backslash ending a quote", filter: app.InvoiceFilter{DocNumber: `x\' OR Id > '0`}, limit: 10,
			msg: "An invoice number to search for cannot contain a backslash."},
		{name: "a line break", filter: app.InvoiceFilter{DocNumber: "10\n01"}, limit: 10,
			msg: "Search text for QuickBooks cannot contain control characters such as tabs or line breaks."},
		{name: "a number too long", filter: app.InvoiceFilter{DocNumber: strings.Repeat("9", 22)}, limit: 10,
			msg: `An invoice number has at most 21 characters; "9999999999999999999999" has 22.`},
		{name: "limit 0", limit: 0, msg: "An invoice search returns 1 to 1000 invoices at a time, not 0."},
		{name: "limit -1", limit: -1},
		{name: "limit 1001", limit: 1001, msg: "An invoice search returns 1 to 1000 invoices at a time, not 1001."},
		{name: "a negative offset", offset: -1, limit: 10, msg: "An invoice search cannot start at position -1."},
		{name: "an offset that would overflow", offset: int(^uint(0) >> 1), limit: 10},
		{name: "a customer id with a quote", filter: app.InvoiceFilter{CustomerIDs: []string{"1", "1') OR Id > ('0"}}, limit: 10},
		{name: "an empty customer id", filter: app.InvoiceFilter{CustomerIDs: []string{""}}, limit: 10},
		{name: "too many customers", filter: app.InvoiceFilter{CustomerIDs: many}, limit: 10,
			msg: "An invoice search takes at most 1000 customers, not 1001."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			got, err := f.client.QueryInvoices(context.Background(), f.expiredConn(qbofake.DemoRealmUS), c.filter, c.offset, c.limit)
			wantErr(t, err, app.Invalid, c.msg)
			if got != nil {
				t.Errorf("got %v", got)
			}
			if n := f.calls("", ""); n != 0 {
				t.Errorf("%d calls, want 0", n)
			}
		})
	}
}

// TestQueryInvoicesFaults: a failed query is the usual error, whole.
func TestQueryInvoicesFaults(t *testing.T) {
	us := qbofake.DemoRealmUS
	f := newFixture(t)
	f.inject(qbofake.RouteQuery, throttle(0))
	got, err := f.client.QueryInvoices(context.Background(), f.conn(us), app.InvoiceFilter{}, 0, 10)
	wantErr(t, err, app.Unavailable, msgBusy)
	if got != nil {
		t.Errorf("got %v", got)
	}
	if n := f.calls(qbofake.RouteQuery, us); n != DefaultMaxRetries+1 {
		t.Errorf("%d queries, want %d", n, DefaultMaxRetries+1)
	}
}
