package qbofake

// The shared value types below carry QBO's own JSON names (reference §1 and
// the X1 schema). Every field is a pointer or has omitempty because QBO
// "only returns those properties with values" (§1.1).

// Ref is QBO's ReferenceType: {"value":"1","name":"Amy's Bird Sanctuary"}.
type Ref struct {
	Value string `json:"value,omitempty"`
	Name  string `json:"name,omitempty"`
	Type  string `json:"type,omitempty"`
}

// refOrNil treats an empty object ({}) as an absent reference, which is what
// rwestlund/quickbooks-go sends for every unset ref (reference §8 defect 5).
func refOrNil(r *Ref) *Ref {
	if r == nil || r.Value == "" {
		return nil
	}
	return r
}

// Address is QBO's PhysicalAddress.
type Address struct {
	Id                     string `json:"Id,omitempty"`
	Line1                  string `json:"Line1,omitempty"`
	Line2                  string `json:"Line2,omitempty"`
	Line3                  string `json:"Line3,omitempty"`
	Line4                  string `json:"Line4,omitempty"`
	Line5                  string `json:"Line5,omitempty"`
	City                   string `json:"City,omitempty"`
	Country                string `json:"Country,omitempty"`
	CountrySubDivisionCode string `json:"CountrySubDivisionCode,omitempty"`
	PostalCode             string `json:"PostalCode,omitempty"`
	Lat                    string `json:"Lat,omitempty"`
	Long                   string `json:"Long,omitempty"`
}

func addrOrNil(a *Address) *Address {
	if a == nil || *a == (Address{}) {
		return nil
	}
	return a
}

// EmailAddress is {"Address":"a@b.c"}.
type EmailAddress struct {
	Address string `json:"Address,omitempty"`
}

func emailOrNil(e *EmailAddress) *EmailAddress {
	if e == nil || e.Address == "" {
		return nil
	}
	return e
}

// Phone is QBO's TelephoneNumber.
type Phone struct {
	FreeFormNumber string `json:"FreeFormNumber,omitempty"`
}

func phoneOrNil(p *Phone) *Phone {
	if p == nil || p.FreeFormNumber == "" {
		return nil
	}
	return p
}

// WebAddr is QBO's WebSiteAddress.
type WebAddr struct {
	URI string `json:"URI,omitempty"`
}

func webOrNil(w *WebAddr) *WebAddr {
	if w == nil || w.URI == "" {
		return nil
	}
	return w
}

// MemoRef is {"value":"text"}.
type MemoRef struct {
	Value string `json:"value,omitempty"`
}

func memoOrNil(m *MemoRef) *MemoRef {
	if m == nil || m.Value == "" {
		return nil
	}
	return m
}

// CustomField is a transaction custom field.
type CustomField struct {
	DefinitionId string `json:"DefinitionId,omitempty"`
	Name         string `json:"Name,omitempty"`
	Type         string `json:"Type,omitempty"`
	StringValue  string `json:"StringValue,omitempty"`
}

// LinkedTxn links a transaction to another: payments applied to an invoice
// appear on it as {"TxnId":"…","TxnType":"Payment"} (reference §1.2).
type LinkedTxn struct {
	TxnId     string `json:"TxnId,omitempty"`
	TxnType   string `json:"TxnType,omitempty"`
	TxnLineId string `json:"TxnLineId,omitempty"`
}

// Base holds the fields every stored object carries (reference §1.1 "Every
// object also carries"). It is embedded where QBO prints these fields.
type Base struct {
	Domain    string    `json:"domain,omitempty"`
	Sparse    bool      `json:"sparse"`
	Id        string    `json:"Id,omitempty"`
	SyncToken string    `json:"SyncToken,omitempty"`
	MetaData  *MetaData `json:"MetaData,omitempty"`
}

func (b *Base) base() *Base { return b }

// stored is implemented by every entity kept in a realm.
type stored interface {
	base() *Base
}

// deletedStub is how QBO answers a delete and lists deleted objects in CDC:
// {"domain":"QBO","status":"Deleted","Id":"266"} (reference §1.2, §5.1).
type deletedStub struct {
	Domain   string       `json:"domain"`
	Status   string       `json:"status"`
	Id       string       `json:"Id"`
	MetaData *deletedMeta `json:"MetaData,omitempty"`
}

type deletedMeta struct {
	LastUpdatedTime Timestamp `json:"LastUpdatedTime"`
}
