package quickbooks

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// headers records the method, path, query, headers and body length of
// every data API call.
type headers struct {
	next http.RoundTripper

	mu    sync.Mutex
	calls []headerCall
}

type headerCall struct {
	method, path, query string
	header              http.Header
	bodyLen             int
}

func (h *headers) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.Path, "/v3/company/") {
		n := 0
		if r.Body != nil {
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			r.Body = io.NopCloser(bytes.NewReader(b))
			n = len(b)
		}
		h.mu.Lock()
		h.calls = append(h.calls, headerCall{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), n})
		h.mu.Unlock()
	}
	return h.next.RoundTrip(r)
}

func (h *headers) all() []headerCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]headerCall(nil), h.calls...)
}

func withHeaders(h *headers) func(*Config) {
	return wrap(func(next http.RoundTripper) http.RoundTripper { h.next = next; return h })
}

func TestInvoicePDF(t *testing.T) {
	us := qbofake.DemoRealmUS
	h := &headers{}
	f := newFixture(t, withHeaders(h))
	ctx := context.Background()
	id := f.id(us, "invoices", "awaiting_send")
	pdf, err := f.client.InvoicePDF(ctx, f.conn(us), id, 10<<20)
	wantErr(t, err, "", "")
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("Invoice no.: 1001")) ||
		!bytes.HasSuffix(bytes.TrimSpace(pdf), []byte("%%EOF")) {
		t.Errorf("not the invoice's whole PDF: %.60q…", pdf)
	}
	if n := f.calls(qbofake.RouteInvoicePDF, us); n != 1 {
		t.Errorf("%d PDF calls, want 1", n)
	}
	if n := f.dataCalls(us); n != 1 {
		t.Errorf("%d data calls, want 1", n)
	}
	calls := h.all()
	if len(calls) != 1 {
		t.Fatalf("%d calls", len(calls))
	}
	c := calls[0]
	if c.method != http.MethodGet || c.path != "/v3/company/"+us+"/invoice/"+id+"/pdf" || c.query != "minorversion=75" {
		t.Errorf("call %s %s?%s", c.method, c.path, c.query)
	}
	if a := c.header.Get("Accept"); a != "application/pdf" {
		t.Errorf("Accept %q", a)
	}
	if c.header.Get("Authorization") == "" || c.header.Get("Content-Type") != "" {
		t.Errorf("headers %v", c.header)
	}

	// The size limit: exactly the PDF's size passes, a byte less does not.
	size := int64(len(pdf))
	again, err := f.client.InvoicePDF(ctx, f.conn(us), id, size)
	wantErr(t, err, "", "")
	if !bytes.Equal(again, pdf) {
		t.Errorf("a second read differs")
	}
	got, err := f.client.InvoicePDF(ctx, f.conn(us), id, size-1)
	wantErr(t, err, app.Invalid, "The invoice PDF is larger than "+sizeText(size-1)+".")
	if got != nil {
		t.Errorf("got %d bytes of a PDF over the limit", len(got))
	}
	_, err = f.client.InvoicePDF(ctx, f.conn(us), id, 100)
	wantErr(t, err, app.Invalid, "The invoice PDF is larger than 100 bytes.")
	if n := f.calls(qbofake.RouteInvoicePDF, us); n != 4 {
		t.Errorf("%d PDF calls, want 4 (none retried)", n)
	}
}

func TestInvoicePDFFaults(t *testing.T) {
	us := qbofake.DemoRealmUS
	ctx := context.Background()

	t.Run("no such invoice", func(t *testing.T) {
		f := newFixture(t)
		got, err := f.client.InvoicePDF(ctx, f.conn(us), "999", 10<<20)
		wantErr(t, err, app.NotFound, "This invoice no longer exists in QuickBooks.")
		if got != nil || f.calls(qbofake.RouteInvoicePDF, us) != 1 {
			t.Errorf("got %d bytes after %d calls", len(got), f.calls(qbofake.RouteInvoicePDF, us))
		}
	})

	t.Run("a fault with a tiny limit is still the fault", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.client.InvoicePDF(ctx, f.conn(us), "999", 10)
		wantErr(t, err, app.NotFound, "")
	})

	t.Run("a 500 once is retried", func(t *testing.T) {
		f := newFixture(t)
		f.inject(qbofake.RouteInvoicePDF, faultSpec{Status: 500, Times: 1})
		pdf, err := f.client.InvoicePDF(ctx, f.conn(us), f.id(us, "invoices", "paid"), 10<<20)
		wantErr(t, err, "", "")
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) || f.calls(qbofake.RouteInvoicePDF, us) != 2 {
			t.Errorf("%d calls, %.20q", f.calls(qbofake.RouteInvoicePDF, us), pdf)
		}
	})

	t.Run("an answer that is not a PDF", func(t *testing.T) {
		f := newFixture(t)
		f.inject(qbofake.RouteInvoicePDF, faultSpec{Status: 200, Times: 1,
			Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<html>sign in</html>")})
		got, err := f.client.InvoicePDF(ctx, f.conn(us), f.id(us, "invoices", "paid"), 10<<20)
		wantErr(t, err, app.Internal, msgUnreadable)
		if got != nil {
			t.Errorf("got %q", got)
		}
	})

	t.Run("a PDF over the limit", func(t *testing.T) {
		f := newFixture(t)
		f.inject(qbofake.RouteInvoicePDF, faultSpec{Status: 200, Times: 1,
			Header: http.Header{"Content-Type": {"application/pdf"}}, Body: append([]byte("%PDF-1.4\n"), make([]byte, 3<<20)...)})
		_, err := f.client.InvoicePDF(ctx, f.conn(us), f.id(us, "invoices", "paid"), 2<<20)
		wantErr(t, err, app.Invalid, "The invoice PDF is larger than 2 MB.")
	})

	for _, id := range []string{"", "1/../2", "x", "-1", "123456789012345678901"} {
		t.Run("id "+id, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.client.InvoicePDF(ctx, f.expiredConn(us), id, 10<<20)
			wantErr(t, err, app.Invalid, "")
			if n := f.calls("", ""); n != 0 {
				t.Errorf("%d calls, want 0", n)
			}
		})
	}

	t.Run("no limit", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.client.InvoicePDF(ctx, f.conn(us), "1", 0)
		wantErr(t, err, app.Internal, "")
		if n := f.calls("", ""); n != 0 {
			t.Errorf("%d calls, want 0", n)
		}
	})
}

func TestSizeText(t *testing.T) {
	for n, want := range map[int64]string{
		10 << 20: "10 MB", 3 << 19: "1.5 MB", 1 << 20: "1 MB", 512 << 10: "512 KB", 1023: "1023 bytes", 100: "100 bytes",
	} {
		if got := sizeText(n); got != want {
			t.Errorf("sizeText(%d) = %q, want %q", n, got, want)
		}
	}
}

// readOne reads one invoice back with Invoices.
func (f *fixture) readOne(realm, id string) app.Invoice {
	f.t.Helper()
	got, err := f.client.Invoices(context.Background(), f.conn(realm), []string{id})
	if err != nil || len(got) != 1 {
		f.t.Fatalf("read invoice %s: %v, %d", id, err, len(got))
	}
	return got[0]
}

func TestSendInvoice(t *testing.T) {
	us := qbofake.DemoRealmUS
	ctx := context.Background()

	t.Run("to its billing address", func(t *testing.T) {
		h := &headers{}
		f := newFixture(t, withHeaders(h))
		id := f.id(us, "invoices", "awaiting_send")
		before := f.readOne(us, id)
		if before.EmailStatus != "NotSet" {
			t.Fatalf("seeded EmailStatus %q", before.EmailStatus)
		}
		sent, err := f.client.SendInvoice(ctx, f.conn(us), id, "", "")
		wantErr(t, err, "", "")
		if sent.ID != id || sent.EmailStatus != "EmailSent" || sent.BillEmail != before.BillEmail || sent.SyncToken == before.SyncToken {
			t.Errorf("sent %+v (before %+v)", sent, before)
		}
		if s := sent.Status(app.Today(f.clock.Now(), "America/Los_Angeles")); s != app.StatusSent {
			t.Errorf("status %s", s)
		}
		if after := f.readOne(us, id); after != sent {
			t.Errorf("read back %+v, answer %+v", after, sent)
		}
		if n := f.calls(qbofake.RouteInvoiceSend, us); n != 1 {
			t.Errorf("%d sends", n)
		}
		c := h.all()[1]
		if c.method != http.MethodPost || c.path != "/v3/company/"+us+"/invoice/"+id+"/send" || c.query != "minorversion=75" {
			t.Errorf("call %s %s?%s", c.method, c.path, c.query)
		}
		if c.bodyLen != 0 || c.header.Get("Content-Type") != "application/octet-stream" || c.header.Get("Accept") != "application/json" {
			t.Errorf("body %d bytes, headers %v", c.bodyLen, c.header)
		}
	})

	t.Run("to another address, with a request id", func(t *testing.T) {
		h := &headers{}
		f := newFixture(t, withHeaders(h))
		id := f.id(us, "invoices", "awaiting_send")
		sent, err := f.client.SendInvoice(ctx, f.conn(us), id, "  billing+q1@acme.example ", "send-1")
		wantErr(t, err, "", "")
		if sent.EmailStatus != "EmailSent" || sent.BillEmail != "billing+q1@acme.example" {
			t.Errorf("sent %+v", sent)
		}
		if after := f.readOne(us, id); after.BillEmail != "billing+q1@acme.example" || after.EmailStatus != "EmailSent" {
			t.Errorf("read back %+v", after)
		}
		if q := h.all()[0].query; q != "minorversion=75&requestid=send-1&sendTo=billing%2Bq1%40acme.example" {
			t.Errorf("query %s", q)
		}
	})

	t.Run("a sent invoice again", func(t *testing.T) {
		f := newFixture(t)
		id := f.id(us, "invoices", "overdue")
		sent, err := f.client.SendInvoice(ctx, f.conn(us), id, "", "")
		wantErr(t, err, "", "")
		if sent.EmailStatus != "EmailSent" || sent.Balance != 60000 {
			t.Errorf("sent %+v", sent)
		}
	})

	t.Run("a CA invoice", func(t *testing.T) {
		ca := qbofake.DemoRealmCA
		f := newFixture(t)
		sent, err := f.client.SendInvoice(ctx, f.conn(ca), f.id(ca, "invoices", "awaiting_send"), "", "ca-1")
		wantErr(t, err, "", "")
		if sent.EmailStatus != "EmailSent" || sent.DocNumber != "MLS-0001" || sent.Currency != "CAD" {
			t.Errorf("sent %+v", sent)
		}
	})
}

func TestSendInvoiceRefusedBeforeAnyCall(t *testing.T) {
	us := qbofake.DemoRealmUS
	cases := []struct {
		name, id, email, requestID, msg string
	}{
		{name: "no at sign", id: "1", email: "ap.acme.example",
			msg: `"ap.acme.example" is not an e-mail address QuickBooks can send the invoice to.`},
		{name: "a space", id: "1", email: "ap @acme.example"},
		{name: "two addresses", id: "1", email: "ap@acme.example; cfo@acme.example"},
		{name: "a line break", id: "1", email: "ap@acme.example\nBcc: x@evil.example"},
		{name: "a tab", id: "1", email: "ap@acme\t.example"},
		{name: "too long", id: "1", email: strings.Repeat("a", 90) + "@acme.example"},
		{name: "invalid UTF-8", id: "1", email: "ap\xff@acme.example"},
		{name: "a bad id", id: "1/send?sendTo=x@y.z#", email: ""},
		{name: "no id", id: "", email: ""},
		{name: "a request id too long", id: "1", requestID: strings.Repeat("r", 51),
			msg: "A QuickBooks request id has at most 50 characters."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.client.SendInvoice(context.Background(), f.expiredConn(us), c.id, c.email, c.requestID)
			wantErr(t, err, app.Invalid, c.msg)
			if n := f.calls("", ""); n != 0 {
				t.Errorf("%d calls, want 0", n)
			}
		})
	}
	// 100 characters pass.
	f := newFixture(t)
	addr := strings.Repeat("a", 87) + "@acme.example"
	sent, err := f.client.SendInvoice(context.Background(), f.conn(us), f.id(us, "invoices", "awaiting_send"), addr, "")
	wantErr(t, err, "", "")
	if sent.BillEmail != addr {
		t.Errorf("BillEmail %q", sent.BillEmail)
	}
}

func TestSendInvoiceFaults(t *testing.T) {
	us := qbofake.DemoRealmUS
	ctx := context.Background()

	t.Run("no such invoice", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.client.SendInvoice(ctx, f.conn(us), "999", "", "send-999")
		wantErr(t, err, app.NotFound, "This invoice no longer exists in QuickBooks.")
		if n := f.calls(qbofake.RouteInvoiceSend, us); n != 1 {
			t.Errorf("%d sends, want 1", n)
		}
	})

	t.Run("an address QBO refuses", func(t *testing.T) {
		f := newFixture(t)
		id := f.id(us, "invoices", "awaiting_send")
		_, err := f.client.SendInvoice(ctx, f.conn(us), id, "ap@", "")
		wantErr(t, err, app.Invalid, "Invalid email address: ap@")
		if got := f.readOne(us, id); got.EmailStatus != "NotSet" {
			t.Errorf("EmailStatus %q after a refused send", got.EmailStatus)
		}
	})

	t.Run("no address anywhere", func(t *testing.T) {
		f := newFixture(t)
		ctx := context.Background()
		cust, err := f.client.CreateCustomer(ctx, f.conn(us), app.NewCustomer{DisplayName: "No Mail Ltd"}, "nomail-c")
		wantErr(t, err, "", "")
		inv := usInvoice(f)
		inv.CustomerID, inv.BillEmail = cust.ID, ""
		created, err := f.client.CreateInvoice(ctx, f.conn(us), inv, "nomail-i")
		wantErr(t, err, "", "")
		if created.BillEmail != "" {
			t.Skipf("the fake gave the invoice a billing address: %q", created.BillEmail)
		}
		_, err = f.client.SendInvoice(ctx, f.conn(us), created.ID, "", "")
		wantErr(t, err, app.Invalid, "This invoice has no billing e-mail address in QuickBooks; give an address to send it to.")
	})

	t.Run("a 500 once with a request id is retried, one send", func(t *testing.T) {
		f := newFixture(t)
		id := f.id(us, "invoices", "awaiting_send")
		before := f.readOne(us, id)
		f.inject(qbofake.RouteInvoiceSend, faultSpec{Status: 500, Times: 1,
			Body: []byte(`{"Fault":{"Error":[{"Message":"Internal Server Error","code":"500"}],"type":"SystemFault"}}`)})
		sent, err := f.client.SendInvoice(ctx, f.conn(us), id, "", "send-500")
		wantErr(t, err, "", "")
		if n := f.calls(qbofake.RouteInvoiceSend, us); n != 2 {
			t.Errorf("%d send calls, want 2", n)
		}
		if sent.EmailStatus != "EmailSent" || sent.SyncToken != bump(t, before.SyncToken) {
			t.Errorf("sent %+v; SyncToken before %s: want one send", sent, before.SyncToken)
		}
		if after := f.readOne(us, id); after != sent {
			t.Errorf("read back %+v, answer %+v", after, sent)
		}
	})

	t.Run("a 500 without a request id is not retried", func(t *testing.T) {
		f := newFixture(t)
		id := f.id(us, "invoices", "awaiting_send")
		f.inject(qbofake.RouteInvoiceSend, faultSpec{Status: 500, Times: 1})
		_, err := f.client.SendInvoice(ctx, f.conn(us), id, "", "")
		wantErr(t, err, app.Unavailable, msgBusy)
		if n := f.calls(qbofake.RouteInvoiceSend, us); n != 1 {
			t.Errorf("%d send calls, want 1", n)
		}
		if got := f.readOne(us, id); got.EmailStatus != "NotSet" {
			t.Errorf("EmailStatus %q", got.EmailStatus)
		}
	})

	t.Run("an answer lost after QBO sent it", func(t *testing.T) {
		lose := &loseAnswers{suffix: "/send", left: 1}
		f := newFixture(t, wrap(func(next http.RoundTripper) http.RoundTripper { lose.next = next; return lose }))
		id := f.id(us, "invoices", "awaiting_send")
		before := f.readOne(us, id)
		sent, err := f.client.SendInvoice(ctx, f.conn(us), id, "", "send-lost")
		wantErr(t, err, "", "")
		if n := f.calls(qbofake.RouteInvoiceSend, us); n != 2 {
			t.Errorf("%d send calls, want 2", n)
		}
		if sent.SyncToken != bump(t, before.SyncToken) {
			t.Errorf("SyncToken %s after %s: want one send", sent.SyncToken, before.SyncToken)
		}
		if after := f.readOne(us, id); after != sent {
			t.Errorf("read back %+v, answer %+v", after, sent)
		}
	})

	t.Run("429 forever", func(t *testing.T) {
		f := newFixture(t)
		f.inject(qbofake.RouteInvoiceSend, throttle(0))
		_, err := f.client.SendInvoice(ctx, f.conn(us), f.id(us, "invoices", "awaiting_send"), "", "send-429")
		wantErr(t, err, app.Unavailable, msgBusy)
		if n := f.calls(qbofake.RouteInvoiceSend, us); n != DefaultMaxRetries+1 {
			t.Errorf("%d send calls, want %d", n, DefaultMaxRetries+1)
		}
	})
}

// bump is the SyncToken after one more write.
func bump(t *testing.T, token string) string {
	t.Helper()
	n, err := strconv.Atoi(token)
	if err != nil {
		t.Fatalf("SyncToken %q", token)
	}
	return strconv.Itoa(n + 1)
}
