package qbofake

import "strings"

// Item is QBO's Item (reference §1.4), in the order of Intuit's sample.
type Item struct {
	Name                string  `json:"Name,omitempty"`
	Sku                 string  `json:"Sku,omitempty"`
	Description         string  `json:"Description,omitempty"`
	Active              *bool   `json:"Active,omitempty"`
	SubItem             *bool   `json:"SubItem,omitempty"`
	ParentRef           *Ref    `json:"ParentRef,omitempty"`
	Level               int     `json:"Level,omitempty"`
	FullyQualifiedName  string  `json:"FullyQualifiedName,omitempty"`
	Taxable             *bool   `json:"Taxable,omitempty"`
	SalesTaxIncluded    *bool   `json:"SalesTaxIncluded,omitempty"`
	UnitPrice           Decimal `json:"UnitPrice,omitempty"`
	Type                string  `json:"Type,omitempty"`
	IncomeAccountRef    *Ref    `json:"IncomeAccountRef,omitempty"`
	PurchaseDesc        string  `json:"PurchaseDesc,omitempty"`
	PurchaseTaxIncluded *bool   `json:"PurchaseTaxIncluded,omitempty"`
	PurchaseCost        Decimal `json:"PurchaseCost,omitempty"`
	ExpenseAccountRef   *Ref    `json:"ExpenseAccountRef,omitempty"`
	AssetAccountRef     *Ref    `json:"AssetAccountRef,omitempty"`
	TrackQtyOnHand      *bool   `json:"TrackQtyOnHand,omitempty"`
	QtyOnHand           Decimal `json:"QtyOnHand,omitempty"`
	InvStartDate        Date    `json:"InvStartDate,omitempty"`
	SalesTaxCodeRef     *Ref    `json:"SalesTaxCodeRef,omitempty"`
	PurchaseTaxCodeRef  *Ref    `json:"PurchaseTaxCodeRef,omitempty"`
	Base                        // domain, sparse, Id, SyncToken, MetaData
}

func (it *Item) active() bool { return it.Active == nil || *it.Active }

// itemTypes are the types the fake can sell (reference §1.4); Group and
// Category items are not modelled.
var itemTypes = map[string]bool{"Service": true, "Inventory": true, "NonInventory": true}

// saveItem validates an item create or update: Name required (2020), at most
// 100 characters, unique among items (6240); Service and Inventory items
// need IncomeAccountRef and Inventory items their stock fields (reference
// §1.4). Accounts are not modelled, so any account id is accepted.
func (w *work) saveItem(in *Item, prev *Item) (*Item, *qboError) {
	it := *in
	it.Base, it.FullyQualifiedName = Base{}, ""
	for _, p := range []**Ref{&it.ParentRef, &it.IncomeAccountRef, &it.ExpenseAccountRef,
		&it.AssetAccountRef, &it.SalesTaxCodeRef, &it.PurchaseTaxCodeRef} {
		*p = refOrNil(*p)
	}
	it.Name = strings.TrimSpace(it.Name)
	if it.Name == "" {
		if prev == nil {
			return nil, errRequired("Name")
		}
		it.Name = prev.Name
	}
	if strings.ContainsAny(it.Name, ":\t\n\r") {
		return nil, errInvalidString(it.Name)
	}
	if n := len([]rune(it.Name)); n > 100 {
		return nil, errLength(100, n)
	}
	for _, other := range w.r.items.all() {
		if (prev == nil || other.Id != prev.Id) && strings.EqualFold(other.Name, it.Name) {
			return nil, errDuplicateName()
		}
	}
	if it.Type == "" {
		it.Type = "Service"
		if prev != nil {
			it.Type = prev.Type
		}
	}
	if !itemTypes[it.Type] {
		return nil, errInvalidEnum(it.Type)
	}
	if prev != nil && prev.Type == "Inventory" && it.Type != "Inventory" {
		return nil, errBusiness("An inventory item's type can't be changed.")
	}
	if it.Type != "NonInventory" && it.IncomeAccountRef == nil {
		return nil, errRequired("IncomeAccountRef")
	}
	if it.Type == "Inventory" {
		switch {
		case it.ExpenseAccountRef == nil:
			return nil, errRequired("ExpenseAccountRef")
		case it.AssetAccountRef == nil:
			return nil, errRequired("AssetAccountRef")
		case it.InvStartDate == "":
			return nil, errRequired("InvStartDate")
		}
		it.TrackQtyOnHand = boolPtr(true)
		if it.QtyOnHand == "" {
			it.QtyOnHand = "0"
		}
	}
	it.FullyQualifiedName = it.Name
	if it.ParentRef != nil {
		parent, e := w.refItem(it.ParentRef)
		if e != nil {
			return nil, e
		}
		it.ParentRef = &Ref{Value: parent.Id, Name: parent.Name}
		it.SubItem, it.Level = boolPtr(true), parent.Level+1
		it.FullyQualifiedName = parent.FullyQualifiedName + ":" + it.Name
	}
	if it.UnitPrice == "" {
		it.UnitPrice = "0"
	}
	it.Active = boolOr(it.Active, prev == nil || prev.active())
	if w.r.us() {
		it.Taxable = boolOr(it.Taxable, false)
	}
	for _, ref := range []**Ref{&it.SalesTaxCodeRef, &it.PurchaseTaxCodeRef} {
		if *ref == nil {
			continue
		}
		tc, e := w.refTaxCode(*ref)
		if e != nil {
			return nil, e
		}
		*ref = &Ref{Value: tc.Id, Name: tc.Name}
	}
	return &it, nil
}
