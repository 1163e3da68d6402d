package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

const searchRoute = "/api/v1/connections/{id}/invoices"

type searchAnswer struct {
	Page     int
	More     bool
	Invoices []struct {
		InvoiceID, Number, CustomerName, Total, Status, LinkID string
		Linked                                                 bool
	}
}

// qboCalls runs f and returns how many calls it made to the US company.
func (ts *testServer) qboCalls(f func()) int {
	before := ts.fakes.QBO.Counters().Count("", usRealm)
	f()
	return ts.fakes.QBO.Counters().Count("", usRealm) - before
}

func (ts *testServer) search(t *testing.T, q string, extra string) (searchAnswer, answer) {
	t.Helper()
	path := "/api/v1/connections/" + ts.conns[usRealm].ID + "/invoices?q=" + url.QueryEscape(q) + extra
	a := ts.call(t, card(portal1), "GET", path, searchRoute)
	var s searchAnswer
	if a.status == 200 {
		a.decode(t, &s)
	}
	return s, a
}

func numbers(s searchAnswer) string {
	var out []string
	for _, inv := range s.Invoices {
		out = append(out, inv.Number)
	}
	return strings.Join(out, ",")
}

func TestSearchInvoices(t *testing.T) {
	ts := newTestServer(t)
	cases := []struct {
		name, q, want string
		calls         int // QBO calls, cold for the query (the customer list is cached after the first)
	}{
		{"number", "1001", "1001", 3},                       // customers, DocNumber, amount 1001.00
		{"name with an apostrophe", "amy's", "1003", 2},     // DocNumber, CustomerRef IN
		{"email", "billing@globex.example", "1002,1005", 1}, // CustomerRef IN (too long for a number), newest first
		{"amount", "300.00", "1001,1002", 2},                // DocNumber, TotalAmt
		{"nothing", "zz-no-such", "", 1},                    // DocNumber only
	}
	for _, c := range cases {
		var got searchAnswer
		var a answer
		n := ts.qboCalls(func() { got, a = ts.search(t, c.q, "") })
		if a.status != 200 || numbers(got) != c.want {
			t.Errorf("%s: %d %s, want numbers %q", c.name, a.status, a.body, c.want)
		}
		if n != c.calls {
			t.Errorf("%s: %d QBO calls, want %d", c.name, n, c.calls)
		}
		if n := ts.qboCalls(func() { ts.search(t, c.q, "") }); n != 0 {
			t.Errorf("%s again: %d QBO calls, want 0 (cached)", c.name, n)
		}
	}

	n := ts.qboCalls(func() {
		if _, a := ts.search(t, `acme\`, ""); a.status != 400 || !bytes.Contains(a.body, []byte("backslash")) {
			t.Errorf("backslash: %d %s", a.status, a.body)
		}
	})
	if n != 0 {
		t.Errorf("a refused search made %d QBO calls", n)
	}

	got, _ := ts.search(t, "acme corporation", "&objectType=deals&objectId=1011")
	linked := map[string]bool{}
	for _, inv := range got.Invoices {
		linked[inv.Number] = inv.Linked
	}
	if !linked["1001"] || linked["1002"] {
		t.Errorf("linked flags for deal 1011 = %v, want 1001 linked", linked)
	}
}

func TestSearchPages(t *testing.T) {
	ts := newTestServer(t)
	for range 30 {
		ts.qboPost(t, usRealm, "invoice", `{"CustomerRef":{"value":"3"},"Line":[{"DetailType":"SalesItemLineDetail","Amount":150,"SalesItemLineDetail":{"ItemRef":{"value":"2"},"Qty":1,"UnitPrice":150}}]}`)
	}
	p1, _ := ts.search(t, "", "")
	p2, _ := ts.search(t, "", "&page=2")
	// The seed's six US invoices and thirty new ones.
	if len(p1.Invoices) != 25 || !p1.More || len(p2.Invoices) != 11 || p2.More || p2.Page != 2 {
		t.Fatalf("pages: %d (more %v), %d (more %v); want 25 then 11", len(p1.Invoices), p1.More, len(p2.Invoices), p2.More)
	}
	seen := map[string]bool{}
	for _, inv := range append(p1.Invoices, p2.Invoices...) {
		seen[inv.InvoiceID] = true
	}
	if len(seen) != 36 {
		t.Errorf("two pages hold %d distinct invoices, want all 36", len(seen))
	}
	g1, _ := ts.search(t, "globex", "")
	g2, _ := ts.search(t, "globex", "&page=2")
	if len(g1.Invoices) != 25 || !g1.More || len(g2.Invoices) != 7 {
		t.Errorf("globex pages: %d, %d; want 25 then 7", len(g1.Invoices), len(g2.Invoices))
	}
	if _, a := ts.search(t, "", "&page=0"); a.status != 400 {
		t.Errorf("page 0: %d", a.status)
	}
}

type addAnswer struct {
	Invoices []struct {
		Added   bool
		Invoice struct{ LinkID, InvoiceID, Status string }
	}
	DealProperties struct {
		Written bool
		Values  map[string]string
	}
}

func (ts *testServer) add(t *testing.T, c portalClient, record string, conn string, ids ...string) (addAnswer, answer) {
	t.Helper()
	resp, err := c.Do(context.Background(), "POST", ts.url+"/api/v1/records/"+record+"/invoice-links",
		map[string]any{"connectionId": conn, "invoiceIds": ids})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	checkAgainstOpenAPI(t, "POST", "/api/v1/records/{objectType}/{objectId}/invoice-links", resp.StatusCode, body)
	var a addAnswer
	if resp.StatusCode < 300 {
		(answer{resp.StatusCode, body}).decode(t, &a)
	}
	return a, answer{resp.StatusCode, body}
}

type portalClient interface {
	Do(ctx context.Context, method, rawURL string, body any) (*http.Response, error)
}

func TestAddAndUnlinkInvoices(t *testing.T) {
	ts := newTestServer(t)
	us := ts.conns[usRealm].ID
	ts.call(t, card(portal1), "GET", "/api/v1/records/deals/1033/invoices", cardPath) // warm: the seed's link
	var got addAnswer
	var a answer
	if n := ts.qboCalls(func() { got, a = ts.add(t, card(portal1), "deals/1033", us, "2") }); n != 1 {
		t.Errorf("add one: %d QBO calls, want 1", n)
	}
	if a.status != 201 || len(got.Invoices) != 1 || !got.Invoices[0].Added || got.Invoices[0].Invoice.Status != "sent" {
		t.Fatalf("add one: %d %s", a.status, a.body)
	}
	got, a = ts.add(t, card(portal1), "deals/1033", us, "2", "7")
	if a.status != 201 || got.Invoices[0].Added || !got.Invoices[1].Added {
		t.Errorf("add many (one already there): %d %s", a.status, a.body)
	}
	props, _ := ts.fakes.HubSpot.Object(portal1, "deals", "1033")
	if props["qbo_invoice_number"] == "" || !got.DealProperties.Written {
		t.Errorf("deal properties after add: %v", props)
	}
	got, a = ts.add(t, card(portal1), "deals/1033", us, "2", "7")
	if a.status != 200 || got.Invoices[0].Added || got.Invoices[1].Added {
		t.Errorf("add twice: %d %s, want 200 with nothing added", a.status, a.body)
	}
	if _, a := ts.add(t, card(portal2), "deals/1037", us, "2"); a.status != 404 || a.errorCode(t) != "not_found" {
		t.Errorf("another portal's connection: %d %s", a.status, a.body)
	}
	if _, a := ts.add(t, card(portal1), "deals/1033", us, "999"); a.status != 404 || !bytes.Contains(a.body, []byte("999")) {
		t.Errorf("a missing invoice: %d %s", a.status, a.body)
	}
	if _, a := ts.add(t, card(portal1), "deals/1033", us, "x1"); a.status != 400 {
		t.Errorf("a bad id: %d %s", a.status, a.body)
	}

	var card1033 cardAnswer
	if n := ts.qboCalls(func() {
		ts.call(t, card(portal1), "GET", "/api/v1/records/deals/1033/invoices", cardPath).decode(t, &card1033)
	}); n != 0 {
		t.Errorf("the card after an add made %d QBO calls", n)
	}
	// Unlink all three invoices of deal 1033: no QBO call, properties cleared at the end.
	var all []string
	for _, inv := range card1033.Groups[0].Invoices {
		all = append(all, inv.LinkID)
	}
	for _, id := range all {
		var a answer
		if n := ts.qboCalls(func() {
			a = ts.call(t, card(portal1), "DELETE", "/api/v1/records/deals/1033/invoice-links/"+id, "/api/v1/records/{objectType}/{objectId}/invoice-links/{linkId}")
		}); n != 0 || a.status != 200 {
			t.Errorf("unlink %s: %d %s, %d QBO calls", id, a.status, a.body, n)
		}
	}
	props, _ = ts.fakes.HubSpot.Object(portal1, "deals", "1033")
	if props["qbo_invoice_number"] != "" {
		t.Errorf("deal properties after the last unlink: %v, want cleared", props["qbo_invoice_number"])
	}
	if a := ts.call(t, card(portal1), "DELETE", "/api/v1/records/deals/1033/invoice-links/"+all[0], ""); a.status != 404 {
		t.Errorf("unlink twice: %d", a.status)
	}
	if n := ts.qboCount(t, usRealm, "Invoice"); n != 6 {
		t.Errorf("unlink deleted invoices in QuickBooks: %d left of the seed's 6", n)
	}
}

func TestPreviewAndSend(t *testing.T) {
	ts := newTestServer(t)
	us := ts.conns[usRealm].ID
	var resp *http.Response
	n := ts.qboCalls(func() {
		var err error
		resp, err = card(portal1).Do(context.Background(), "GET", ts.url+"/api/v1/connections/"+us+"/invoices/1/pdf", nil)
		if err != nil {
			t.Fatal(err)
		}
	})
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) ||
		!strings.Contains(resp.Header.Get("X-QuickBooks-Invoice-Url"), "txnId=1") || n != 1 {
		t.Errorf("preview: %d %s %.10q url=%q, %d QBO calls", resp.StatusCode, resp.Header.Get("Content-Type"), body, resp.Header.Get("X-QuickBooks-Invoice-Url"), n)
	}
	n = ts.qboCalls(func() {
		a := ts.call(t, card(portal1), "GET", "/api/v1/connections/"+us+"/invoices/2/pdf", "")
		if a.status != 404 {
			t.Errorf("an invoice on none of the portal's records: %d %s", a.status, a.body)
		}
	})
	if n != 0 {
		t.Errorf("a refused preview made %d QBO calls", n)
	}

	var a answer
	n = ts.qboCalls(func() {
		resp, err := card(portal1).Do(context.Background(), "POST", ts.url+"/api/v1/connections/"+us+"/invoices/1/send",
			map[string]any{"email": "ap@acme.example", "idempotencyKey": "send-invoice-1"})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		a = answer{resp.StatusCode, body}
		checkAgainstOpenAPI(t, "POST", "/api/v1/connections/{id}/invoices/{invoiceId}/send", resp.StatusCode, body)
	})
	if a.status != 200 || !bytes.Contains(a.body, []byte(`"status":"sent"`)) || n != 1 {
		t.Fatalf("send: %d %s, %d QBO calls", a.status, a.body, n)
	}
	req, _ := http.NewRequest("GET", "https://quickbooks.api.intuit.com/v3/company/"+usRealm+"/invoice/1", nil)
	req.Header.Set("Authorization", "Bearer qbo-sandbox-access-us")
	req.Header.Set("Accept", "application/json")
	qresp, err := (&http.Client{Transport: ts.fakes.QBO.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	qbody, _ := io.ReadAll(qresp.Body)
	qresp.Body.Close()
	if !bytes.Contains(qbody, []byte(`"EmailStatus":"EmailSent"`)) || !bytes.Contains(qbody, []byte(`"ap@acme.example"`)) {
		t.Errorf("QuickBooks does not have invoice 1 as sent to ap@acme.example: %.300s", qbody)
	}
	var got cardAnswer
	ts.call(t, card(portal1), "GET", "/api/v1/records/deals/1011/invoices", cardPath).decode(t, &got)
	for _, inv := range got.Groups[0].Invoices {
		if inv.InvoiceID == "1" && inv.Status != "sent" {
			t.Errorf("the card shows invoice 1 as %s after the send", inv.Status)
		}
	}
	props, _ := ts.fakes.HubSpot.Object(portal1, "deals", "1011")
	if props["qbo_invoice_status"] != "sent" {
		t.Errorf("deal status property = %q, want sent", props["qbo_invoice_status"])
	}
}

func TestDisconnectedCompany(t *testing.T) {
	ts := newTestServer(t)
	conn := ts.conns[usRealm]
	conn.State = app.Disconnected
	if _, err := ts.store.SaveConnection(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	var got cardAnswer
	n := ts.qboCalls(func() {
		ts.call(t, card(portal1), "GET", "/api/v1/records/deals/1011/invoices", cardPath).decode(t, &got)
	})
	if n != 0 || len(got.Groups) != 1 || !strings.Contains(got.Groups[0].Notice, "QuickBooks disconnected") || len(got.Groups[0].Invoices) != 3 {
		t.Errorf("disconnected: %d QBO calls, groups %+v", n, got.Groups)
	}
	if _, a := ts.search(t, "", ""); a.status != 424 || a.errorCode(t) != "not_connected" {
		t.Errorf("search in a disconnected company: %d %s", a.status, a.body)
	}
}
