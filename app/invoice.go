package app

import (
	"strings"
	"time"
)

// Invoice is what we keep of a QBO invoice: enough for the card and the deal
// properties without reading QBO again.
type Invoice struct {
	ID           string // QBO Id
	SyncToken    string
	DocNumber    string
	CustomerID   string
	CustomerName string
	BillEmail    string
	Currency     string
	TxnDate      Date
	DueDate      Date
	Total        Money
	Balance      Money
	EmailStatus  string // NotSet, NeedToSend or EmailSent
	PrivateNote  string
	Deleted      bool
	UpdatedAt    time.Time // MetaData.LastUpdatedTime
}

// InvoiceStatus is the card's status of an invoice, as a stable code.
type InvoiceStatus string

// The statuses (HubSpot's legacy card had the first five; DESIGN.md 6).
const (
	StatusAwaitingSend  InvoiceStatus = "awaiting_send"
	StatusSent          InvoiceStatus = "sent"
	StatusPartiallyPaid InvoiceStatus = "partially_paid"
	StatusPaid          InvoiceStatus = "paid"
	StatusOverdue       InvoiceStatus = "overdue"
	StatusVoided        InvoiceStatus = "voided"
	StatusDeleted       InvoiceStatus = "deleted"
)

// Label is the status as a rep reads it.
func (s InvoiceStatus) Label() string {
	switch s {
	case StatusAwaitingSend:
		return "Waiting to be sent"
	case StatusSent:
		return "Sent to customer"
	case StatusPartiallyPaid:
		return "Partial payment"
	case StatusPaid:
		return "Paid in full"
	case StatusOverdue:
		return "Overdue"
	case StatusVoided:
		return "Voided"
	case StatusDeleted:
		return "Deleted in QuickBooks"
	}
	return string(s)
}

// Status derives the invoice's status from QBO's fields on the given date
// in the company's time zone (reference/quickbooks.md section 7). A partly
// paid invoice past its due date stays partially_paid; Overdue tells.
func (inv Invoice) Status(today Date) InvoiceStatus {
	switch {
	case inv.Deleted:
		return StatusDeleted
	case inv.Total == 0 && inv.Balance == 0 && strings.HasPrefix(inv.PrivateNote, "Voided"):
		return StatusVoided
	case inv.Balance == 0 && inv.Total > 0:
		return StatusPaid
	case inv.Balance > 0 && inv.Balance < inv.Total:
		return StatusPartiallyPaid
	case inv.Overdue(today):
		return StatusOverdue
	case inv.EmailStatus == "EmailSent":
		return StatusSent
	}
	return StatusAwaitingSend
}

// Overdue reports whether money is owed after the due date.
func (inv Invoice) Overdue(today Date) bool {
	return inv.Balance > 0 && !inv.DueDate.IsZero() && inv.DueDate.Before(today)
}

// AmountPaid is what the customer has paid so far.
func (inv Invoice) AmountPaid() Money { return inv.Total - inv.Balance }
