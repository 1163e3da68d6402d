package app

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestErrorsKeepCausesOutOfMessages(t *testing.T) {
	cause := errors.New("qbo: 400 Fault code 6240 token=secret")
	err := fmt.Errorf("create customer: %w", Wrapf(cause, Conflict, "A customer named %q already exists in QuickBooks.", "Acme"))
	if got := ErrorCode(err); got != Conflict {
		t.Errorf("ErrorCode = %q, want conflict", got)
	}
	if got, want := ErrorMessage(err), `A customer named "Acme" already exists in QuickBooks.`; got != want {
		t.Errorf("ErrorMessage = %q, want %q", got, want)
	}
	if !errors.Is(err, cause) {
		t.Error("the cause must stay in the chain")
	}
	plain := errors.New("boom: dsn=postgres://u:p@h")
	if ErrorCode(plain) != Internal || ErrorMessage(plain) == plain.Error() {
		t.Errorf("an uncoded error must be internal with a generic message, got %q %q", ErrorCode(plain), ErrorMessage(plain))
	}
	if ErrorCode(nil) != "" || ErrorMessage(nil) != "" {
		t.Error("nil error must have no code or message")
	}
}

func TestMoney(t *testing.T) {
	cases := []struct {
		in   string
		want Money
		str  string
	}{
		{"100", 10000, "100.00"}, {"22.5", 2250, "22.50"}, {"-3.07", -307, "-3.07"},
		{"0", 0, "0.00"}, {".5", 50, "0.50"}, {"297.000", 29700, "297.00"},
	}
	for _, c := range cases {
		got, err := ParseMoney(c.in)
		if err != nil || got != c.want || got.String() != c.str {
			t.Errorf("ParseMoney(%q) = %d %q %v, want %d %q", c.in, got, got.String(), err, c.want, c.str)
		}
	}
	for _, bad := range []string{"", "abc", "1.005", "1,00", "-", "1.-5", "--5", "1.+5", "+5", "99999999999999999.99", "1e3"} {
		if _, err := ParseMoney(bad); err == nil {
			t.Errorf("ParseMoney(%q) accepted", bad)
		}
	}
}

func TestTodayFollowsTheCompanyTimeZone(t *testing.T) {
	// 03:30 UTC on 1 March is still 28 February in Los Angeles but 1 March in London.
	now := time.Date(2026, 3, 1, 3, 30, 0, 0, time.UTC)
	if got := Today(now, "America/Los_Angeles").String(); got != "2026-02-28" {
		t.Errorf("LA today = %s", got)
	}
	if got := Today(now, "Europe/London").String(); got != "2026-03-01" {
		t.Errorf("London today = %s", got)
	}
	if got := Today(now, "Nowhere/Special").String(); got != "2026-03-01" {
		t.Errorf("unknown zone must fall back to UTC, got %s", got)
	}
}

func TestInvoiceStatus(t *testing.T) {
	today := Date{2026, 3, 10}
	due := func(s string) Date { d, _ := ParseDate(s); return d }
	cases := []struct {
		name string
		inv  Invoice
		want InvoiceStatus
	}{
		{"awaiting send", Invoice{Total: 30000, Balance: 30000, EmailStatus: "NotSet", DueDate: due("2026-04-09")}, StatusAwaitingSend},
		{"queued to send is still awaiting", Invoice{Total: 30000, Balance: 30000, EmailStatus: "NeedToSend", DueDate: due("2026-04-09")}, StatusAwaitingSend},
		{"sent", Invoice{Total: 30000, Balance: 30000, EmailStatus: "EmailSent", DueDate: due("2026-03-20")}, StatusSent},
		{"due today is not overdue", Invoice{Total: 30000, Balance: 30000, EmailStatus: "EmailSent", DueDate: due("2026-03-10")}, StatusSent},
		{"overdue", Invoice{Total: 60000, Balance: 60000, EmailStatus: "EmailSent", DueDate: due("2026-03-09")}, StatusOverdue},
		{"overdue even if never sent", Invoice{Total: 60000, Balance: 60000, DueDate: due("2026-02-01")}, StatusOverdue},
		{"partially paid", Invoice{Total: 29700, Balance: 19700, DueDate: due("2026-03-15")}, StatusPartiallyPaid},
		{"partially paid and late stays partial", Invoice{Total: 29700, Balance: 19700, DueDate: due("2026-03-01")}, StatusPartiallyPaid},
		{"paid", Invoice{Total: 10584, Balance: 0, DueDate: due("2026-03-01")}, StatusPaid},
		{"voided", Invoice{Total: 0, Balance: 0, PrivateNote: "Voided - duplicate"}, StatusVoided},
		{"zero invoice not voided is awaiting", Invoice{Total: 0, Balance: 0}, StatusAwaitingSend},
		{"deleted", Invoice{Deleted: true, Total: 100, Balance: 100}, StatusDeleted},
	}
	for _, c := range cases {
		if got := c.inv.Status(today); got != c.want {
			t.Errorf("%s: Status = %s, want %s", c.name, got, c.want)
		}
	}
	if got := (Invoice{Total: 29700, Balance: 19700}).AmountPaid(); got != 10000 {
		t.Errorf("AmountPaid = %v", got)
	}
	if StatusPartiallyPaid.Label() != "Partial payment" || StatusAwaitingSend.Label() != "Waiting to be sent" {
		t.Error("labels must be the legacy card's wording")
	}
}

func TestParseObjectType(t *testing.T) {
	for _, ok := range []string{"deals", "contacts", "companies"} {
		if _, err := ParseObjectType(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	_, err := ParseObjectType("tickets")
	if ErrorCode(err) != Invalid {
		t.Errorf("tickets: %v", err)
	}
}

func TestCacheKeyIsVersionedAndScoped(t *testing.T) {
	if got := CacheKey("9130357766900001", "items", "q", "design"); got != "v1:9130357766900001:items:q:design" {
		t.Errorf("CacheKey = %q", got)
	}
}

func TestTokensNeverPrint(t *testing.T) {
	c := Connection{Tokens: Tokens{Access: "access-secret", Refresh: "refresh-secret"}}
	for _, s := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c)} {
		if strings.Contains(s, "access-secret") || strings.Contains(s, "refresh-secret") {
			t.Errorf("tokens leak through fmt: %s", s)
		}
	}
}
