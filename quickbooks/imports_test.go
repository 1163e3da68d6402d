package quickbooks

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// TestInvoicesCreatedSincePagesByCreateTime: the import's query reads a
// company's invoices oldest first from a CreateTime cursor (written in the
// company's offset), with STARTPOSITION for ties, and counts them.
func TestInvoicesCreatedSincePagesByCreateTime(t *testing.T) {
	f := newFixture(t)
	us := qbofake.DemoRealmUS
	conn := f.conn(us)
	ctx := context.Background()
	start := fixedNow.Add(-time.Hour)
	ids, err := f.srv.SeedInvoices(us, qbofake.InvoiceSeed{Count: 9, CustomerIDs: []string{f.id(us, "customers", "acme")},
		ItemID: f.id(us, "items", "consulting"), Start: start, PerSecond: 3})
	if err != nil {
		t.Fatal(err)
	}

	n, err := f.client.CountInvoices(ctx, conn)
	if err != nil || n != 6+9 {
		t.Errorf("CountInvoices = %d, %v; want the 6 seeded and 9 added", n, err)
	}

	// From the second of the 4th to 6th added invoices: they and the
	// later ones, oldest first.
	since := start.Add(time.Second)
	got, err := f.client.InvoicesCreatedSince(ctx, conn, since, 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []string
	for _, c := range got {
		gotIDs = append(gotIDs, c.Record.ID)
		if c.CreatedAt.Before(since) || c.Record.Total == 0 || c.Record.UpdatedAt.IsZero() {
			t.Errorf("row %+v: created before the cursor, or without its amounts and times", c)
		}
	}
	if strings.Join(gotIDs, ",") != strings.Join(ids[3:7], ",") {
		t.Errorf("page = %v, want %v", gotIDs, ids[3:7])
	}
	if !got[0].CreatedAt.Equal(since) || !got[3].CreatedAt.Equal(since.Add(time.Second)) {
		t.Errorf("CreatedAt = %s .. %s", got[0].CreatedAt, got[3].CreatedAt)
	}
	q := f.rec.queries[len(f.rec.queries)-1].Get("query")
	want := "SELECT * FROM Invoice WHERE MetaData.CreateTime >= '" + since.In(mustZone(t, "America/Los_Angeles")).Format("2006-01-02T15:04:05-07:00") +
		"' ORDERBY MetaData.CreateTime STARTPOSITION 1 MAXRESULTS 4"
	if q != want {
		t.Errorf("query\n %s\nwant\n %s", q, want)
	}

	// A position within the order; past the end is an empty page.
	got, err = f.client.InvoicesCreatedSince(ctx, conn, since, 3, 2)
	if err != nil || len(got) != 2 || got[0].Record.ID != ids[5] {
		t.Errorf("STARTPOSITION 3: %v, %v; want %s first", got, err, ids[5])
	}
	if got, err := f.client.InvoicesCreatedSince(ctx, conn, fixedNow.Add(time.Hour), 1, 10); err != nil || len(got) != 0 {
		t.Errorf("past the last invoice: %v, %v; want none", got, err)
	}

	// No cursor: every invoice, the seed's first.
	all, err := f.client.InvoicesCreatedSince(ctx, conn, time.Time{}, 1, 1000)
	if err != nil || len(all) != 15 {
		t.Fatalf("all = %d, %v", len(all), err)
	}
	if q := f.rec.queries[len(f.rec.queries)-1].Get("query"); q != "SELECT * FROM Invoice ORDERBY MetaData.CreateTime STARTPOSITION 1 MAXRESULTS 1000" {
		t.Errorf("query without a cursor = %s", q)
	}
	for i := 1; i < len(all); i++ {
		if all[i].CreatedAt.Before(all[i-1].CreatedAt) {
			t.Errorf("rows out of CreateTime order at %d", i)
		}
	}

	calls := f.dataCalls(us)
	for _, bad := range [][2]int{{0, 10}, {1, 0}, {1, 1001}} {
		if _, err := f.client.InvoicesCreatedSince(ctx, conn, since, bad[0], bad[1]); app.ErrorCode(err) != app.Invalid {
			t.Errorf("page %v: %v, want Invalid", bad, err)
		}
	}
	if f.dataCalls(us) != calls {
		t.Error("a refused page reached QuickBooks")
	}
}

// TestCountInvoicesOfAnEmptyCompany: QBO answers {} for no rows.
func TestCountInvoicesOfAnEmptyCompany(t *testing.T) {
	f := newFixture(t)
	f.srv.AddCompany(qbofake.Company{RealmID: "4620816365000000001", AccessToken: "empty-access", RefreshToken: "empty-refresh"})
	conn := app.Connection{ID: "conn-empty", RealmID: "4620816365000000001", State: app.Connected, TimeZone: "Nowhere/Else",
		Tokens: app.Tokens{Access: "empty-access", Refresh: "empty-refresh"}}
	f.saver.seed(conn.ID, conn.Tokens)
	if n, err := f.client.CountInvoices(context.Background(), conn); err != nil || n != 0 {
		t.Errorf("CountInvoices = %d, %v; want 0", n, err)
	}
	if got, err := f.client.InvoicesCreatedSince(context.Background(), conn, fixedNow, 1, 5); err != nil || len(got) != 0 {
		t.Errorf("page of an empty company (unknown zone: UTC) = %v, %v", got, err)
	}
}

// TestCustomersAndItemsCreatedSince: the customer and item imports read
// every customer and item, inactive ones included, oldest first by
// CreateTime, with what the single reads carry, and count them alike.
func TestCustomersAndItemsCreatedSince(t *testing.T) {
	f := newFixture(t)
	us := qbofake.DemoRealmUS
	conn := f.conn(us)
	ctx := context.Background()

	n, err := f.client.CountCustomers(ctx, conn)
	if err != nil || n != 4 {
		t.Errorf("CountCustomers = %d, %v; want the 4 seeded, Initech (inactive) included", n, err)
	}
	if q := f.rec.queries[len(f.rec.queries)-1].Get("query"); q != "SELECT COUNT(*) FROM Customer WHERE Active IN (true, false)" {
		t.Errorf("count query = %s", q)
	}
	custs, err := f.client.CustomersCreatedSince(ctx, conn, time.Time{}, 1, 1000)
	if err != nil || len(custs) != 4 {
		t.Fatalf("customers = %d, %v", len(custs), err)
	}
	if q := f.rec.queries[len(f.rec.queries)-1].Get("query"); q != "SELECT * FROM Customer WHERE Active IN (true, false) ORDERBY MetaData.CreateTime STARTPOSITION 1 MAXRESULTS 1000" {
		t.Errorf("page query = %s", q)
	}
	byID := map[string]app.Created[app.Customer]{}
	for i, c := range custs {
		byID[c.Record.ID] = c
		if c.CreatedAt.IsZero() || c.Record.UpdatedAt.IsZero() || i > 0 && c.CreatedAt.Before(custs[i-1].CreatedAt) {
			t.Errorf("row %d = %+v: without times, or out of CreateTime order", i, c)
		}
	}
	initech := byID[f.id(us, "customers", "initech")]
	acme := byID[f.id(us, "customers", "acme")]
	if !initech.Record.Inactive || acme.Record.Inactive || acme.Record.Email != "ap@acme.example" || acme.Record.BillAddr.City == "" {
		t.Errorf("Initech = %+v, Acme = %+v; want Initech inactive, Acme active with email and address", initech.Record, acme.Record)
	}
	single, err := f.client.Customer(ctx, conn, acme.Record.ID)
	if err != nil || single != acme.Record {
		t.Errorf("the page's Acme\n %+v\nthe single read's\n %+v (%v)", acme.Record, single, err)
	}

	// A company created meanwhile comes after a cursor past the seed.
	cursor := custs[len(custs)-1].CreatedAt.Add(time.Second)
	f.advance(cursor.Sub(f.clock.Now()) + time.Minute)
	added := f.post(us, "customer", map[string]any{"DisplayName": "Later Co", "CompanyName": "Later Co"})
	got, err := f.client.CustomersCreatedSince(ctx, conn, cursor, 1, 10)
	if err != nil || len(got) != 1 || got[0].Record.ID != added {
		t.Errorf("customers since %s = %+v, %v; want only %s", cursor, got, err, added)
	}

	n, err = f.client.CountItems(ctx, conn)
	if err != nil || n != 5 {
		t.Errorf("CountItems = %d, %v; want the 5 seeded, Legacy widget (inactive) included", n, err)
	}
	items, err := f.client.ItemsCreatedSince(ctx, conn, time.Time{}, 1, 2)
	if err != nil || len(items) != 2 || items[0].Record.Name == "" || items[0].Record.UpdatedAt.IsZero() {
		t.Fatalf("a page of 2 items = %+v, %v", items, err)
	}
	all, err := f.client.ItemsCreatedSince(ctx, conn, time.Time{}, 1, 1000)
	if err != nil || len(all) != 5 {
		t.Fatalf("items = %d, %v", len(all), err)
	}
	inactive := 0
	for _, it := range all {
		if it.Record.Inactive {
			inactive++
		}
	}
	if inactive != 1 {
		t.Errorf("%d inactive items, want Legacy widget", inactive)
	}
	if _, err := f.client.ItemsCreatedSince(ctx, conn, time.Time{}, 0, 10); app.ErrorCode(err) != app.Invalid {
		t.Errorf("page at 0: %v, want Invalid", err)
	}
}
