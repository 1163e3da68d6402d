package qbofake

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	qb "github.com/rwestlund/quickbooks-go"
)

// compatSrv is the fake the real client talks to. rwestlund/quickbooks-go
// fetches discovery, refreshes and revokes with fresh http.Clients, i.e.
// http.DefaultTransport (reference §8 defect 1), so TestMain points that at
// the fake for the whole test binary and restores it afterwards. The
// transport looks compatSrv up on every request, so each run of the test
// (go test -count=N) can start from a freshly seeded fake. Every other test
// uses explicit transports.
var compatSrv atomic.Pointer[Server]

type compatTransport struct{}

func (compatTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return compatSrv.Load().Transport().RoundTrip(r)
}

func TestMain(m *testing.M) {
	srv := New(Options{})
	srv.SeedDemo()
	compatSrv.Store(srv)
	saved := http.DefaultTransport
	http.DefaultTransport = compatTransport{}
	code := m.Run()
	http.DefaultTransport = saved
	compatSrv.Load().Close()
	os.Exit(code)
}

// TestQuickbooksGoCompat drives the real client against the fake: discovery,
// customer and invoice creation, query, read, send, void, delete and token
// refresh all work as against QBO, proving real clients cannot tell.
func TestQuickbooksGoCompat(t *testing.T) {
	srv := New(Options{})
	srv.SeedDemo()
	if old := compatSrv.Swap(srv); old != nil {
		old.Close()
	}
	realm := DemoRealmUS
	c, err := qb.NewClient(DefaultClientID, DefaultClientSecret, realm, false, "75",
		&qb.BearerToken{AccessToken: "qbo-sandbox-access-us", RefreshToken: "qbo-sandbox-refresh-us"})
	if err != nil {
		t.Fatalf("NewClient (discovery through http.DefaultTransport): %v", err)
	}

	info, err := c.FindCompanyInfo()
	if err != nil || info.CompanyName != "Northwind Traders (US)" || info.Country != "US" {
		t.Fatalf("FindCompanyInfo = %+v, %v", info, err)
	}

	cust, err := c.CreateCustomer(&qb.Customer{DisplayName: "Compat Widgets", CompanyName: "Compat Widgets",
		PrimaryEmailAddr: &qb.EmailAddress{Address: "ap@compat.example"}})
	if err != nil {
		t.Fatalf("CreateCustomer: %v", err)
	}
	if cust.Id == "" || cust.SyncToken != "0" || !cust.Active {
		t.Errorf("created customer = %+v", cust)
	}
	_, err = c.CreateCustomer(&qb.Customer{DisplayName: "Compat Widgets"})
	var failure qb.Failure
	if !errors.As(err, &failure) || failure.Fault.Error[0].Code != "6240" {
		t.Errorf("duplicate customer error = %v, want a Failure with code 6240", err)
	}

	design := "1"
	inv, err := c.CreateInvoice(&qb.Invoice{
		CustomerRef: qb.ReferenceType{Value: cust.Id},
		Line: []qb.Line{{
			Amount: json.Number("150"), DetailType: "SalesItemLineDetail", Description: "Design work",
			SalesItemLineDetail: qb.SalesItemLineDetail{ItemRef: qb.ReferenceType{Value: design}, Qty: 2, UnitPrice: json.Number("75")},
		}},
	})
	if err != nil {
		t.Fatalf("CreateInvoice: %v", err)
	}
	if inv.TotalAmt.String() != "150.00" || inv.Balance.String() != "150.00" || inv.DocNumber == "" || inv.TxnDate.IsZero() {
		t.Errorf("created invoice = total %s balance %s doc %q date %v", inv.TotalAmt, inv.Balance, inv.DocNumber, inv.TxnDate)
	}

	found, err := c.QueryInvoices("SELECT * FROM Invoice WHERE CustomerRef = '" + cust.Id + "'")
	if err != nil || len(found) != 1 || found[0].Id != inv.Id {
		t.Fatalf("QueryInvoices = %v, %v", found, err)
	}
	customers, err := c.QueryCustomers("SELECT * FROM Customer WHERE PrimaryEmailAddr = 'ap@compat.example'")
	if err != nil || len(customers) != 1 {
		t.Errorf("QueryCustomers by email = %v, %v", customers, err)
	}
	all, err := c.FindInvoices() // COUNT(*) then ORDERBY Id paging
	if err != nil || len(all) != 7 {
		t.Errorf("FindInvoices = %d invoices, %v", len(all), err)
	}

	if err := c.SendInvoice(inv.Id, "billing@compat.example"); err != nil {
		t.Errorf("SendInvoice: %v", err)
	}
	read, err := c.FindInvoiceById(inv.Id)
	if err != nil || read.EmailStatus != "EmailSent" || read.BillEmail.Address != "billing@compat.example" {
		t.Errorf("after send: %+v, %v", read, err)
	}
	updated, err := c.UpdateInvoice(&qb.Invoice{Id: inv.Id, PrivateNote: "updated by compat test"})
	if err != nil || updated.PrivateNote != "updated by compat test" || updated.TotalAmt.String() != "150.00" {
		t.Errorf("UpdateInvoice (sparse) = %+v, %v", updated, err)
	}
	if err := c.VoidInvoice(*updated); err != nil {
		t.Errorf("VoidInvoice (posts the whole invoice back): %v", err)
	}
	voided, err := c.FindInvoiceById(inv.Id)
	if err != nil || !strings.HasPrefix(voided.PrivateNote, "Voided") || voided.TotalAmt.String() != "0" {
		t.Errorf("after void: note %q total %s, %v", voided.PrivateNote, voided.TotalAmt, err)
	}
	if err := c.DeleteInvoice(voided); err != nil {
		t.Errorf("DeleteInvoice: %v", err)
	}
	if err := c.DeleteInvoice(voided); !errors.As(err, &failure) || failure.Fault.Error[0].Code != "610" {
		t.Errorf("second DeleteInvoice = %v, want 610", err)
	}

	tok, err := c.RefreshToken("qbo-sandbox-refresh-us")
	if err != nil || tok.RefreshToken == "" || tok.RefreshToken == "qbo-sandbox-refresh-us" || tok.ExpiresIn != 3600 {
		t.Fatalf("RefreshToken = %+v, %v", tok, err)
	}
	if _, err := c.FindCompanyInfo(); err != nil {
		t.Errorf("call with the refreshed token: %v", err)
	}
	if _, err := c.RefreshToken("qbo-sandbox-refresh-us"); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("old refresh token: %v, want invalid_grant", err)
	}
	if err := c.RevokeToken(tok.RefreshToken); err != nil {
		t.Errorf("RevokeToken: %v", err)
	}
}
