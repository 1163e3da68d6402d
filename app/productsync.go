package app

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Product sync (issue 9): while a portal's product sync is on, its
// QuickBooks products and services (items) flow into HubSpot products, by
// the rules of contact sync (contactsync.go): changes at or after
// EnabledAt; create_or_update, update_only, nothing; an item made inactive
// or deleted archived, kept and marked (ProductStatusProperty = inactive)
// or left. A product is matched by the one we made or matched before (the
// stored pair), else by ProductKeyProperty (a unique property every
// product we create carries, so a retry or a lost create answer finds it),
// else by SKU (hs_sku), else by name.

// Product sync's own product properties.
const (
	ProductStatusProperty = "qbo_item_status"
	ProductKeyProperty    = "qbo_item_key" // "<realm>:<item id>", unique
)

// The QuickBooks item fields product sync can send (ProductQBOFields).
const (
	ItemName        QBOField = "Name"
	ItemSku         QBOField = "Sku"
	ItemDescription QBOField = "Description"
	ItemUnitPrice   QBOField = "UnitPrice"
	ItemType        QBOField = "Type"
)

// ProductQBOFields is the catalogue of item fields, in the settings page's
// order.
var ProductQBOFields = []QBOField{ItemName, ItemSku, ItemDescription, ItemUnitPrice, ItemType}

// DefaultProductFields is the mapping used until an admin saves one.
func DefaultProductFields() []FieldMapping {
	return []FieldMapping{
		{ItemName, "name"},
		{ItemSku, "hs_sku"},
		{ItemUnitPrice, "price"},
		{ItemDescription, "description"},
	}
}

var productCatalogue = recordCatalogue{
	object: SyncProducts, hsType: Products, noun: "product", fields: ProductQBOFields,
	kinds: map[QBOField]fieldKind{ItemUnitPrice: kindAmount}, defaults: DefaultProductFields,
	reserved: []string{ProductStatusProperty, ProductKeyProperty},
}

// SetProductMapping replaces the portal's product field mapping, checked
// like SetContactMapping against its HubSpot product properties.
func (s *Service) SetProductMapping(ctx context.Context, portalID int64, fields []FieldMapping) (SettingsView, error) {
	return s.setRecordMapping(ctx, portalID, productCatalogue, fields)
}

// ProductKey is the ProductKeyProperty value of a QuickBooks item.
func ProductKey(realmID, itemID string) string { return realmID + ":" + itemID }

func itemValue(it Item, f QBOField) string {
	switch f {
	case ItemName:
		return it.Name
	case ItemSku:
		return it.SKU
	case ItemDescription:
		return it.Description
	case ItemUnitPrice:
		return it.UnitPrice.String()
	case ItemType:
		return it.Type
	}
	return ""
}

func itemWords(it *Item, id string) string {
	if it != nil && it.Name != "" {
		return fmt.Sprintf("QuickBooks product %q", it.Name)
	}
	return "QuickBooks product with id " + id
}

var itemKind = recordKind[Item]{
	object: SyncProducts, entity: EntityItem, hubspot: Products, statusProp: ProductStatusProperty,
	syncLabel: "product sync", recordNoun: "product",
	read: func(ctx context.Context, rr RecordReader, conn Connection, id string) (Item, error) {
		return rr.Item(ctx, conn, id)
	},
	gone:      func(id string) Item { return Item{ID: id, Inactive: true} },
	inactive:  func(it *Item) bool { return it.Inactive },
	updatedAt: func(it *Item) time.Time { return it.UpdatedAt },
	words:     itemWords,
	id:        func(it *Item) string { return it.ID },
}

// syncItem is product sync's part of applying a change to one of the
// connection's items.
func (s *Service) syncItem(ctx context.Context, conn Connection, ch EntityChange) error {
	n := &recordNote{}
	var it *Item
	err := s.syncItemNoted(ctx, conn, ch, nil, &it, n)
	s.recordChangeSync(ctx, conn, SyncProducts, EntityItem, ch, itemWords(it, ch.EntityID), n, err)
	return err
}

// syncItemNoted syncs one item, noting what it did in n; given is the
// item as an import read it (nil: read it now; see prepareRecord).
func (s *Service) syncItemNoted(ctx context.Context, conn Connection, ch EntityChange, given *Item, itp **Item, n *recordNote) error {
	w, ok, err := prepareRecord(ctx, s, conn, ch, itemKind, given, itp, n)
	if err != nil || !ok {
		return err
	}
	it, words, rec, objs, portal, ps, set, st := w.record, w.words, w.rec, w.objs, w.portal, w.ps, w.set, w.st
	props, err := s.recordProperties(ctx, objs, portal, Products, false)
	if err != nil {
		return err
	}
	fields, _ := productCatalogue.fieldsOf(ps)
	values := mappedValues(fields, props, func(f QBOField) string { return itemValue(*it, f) })
	if _, ok := props[ProductStatusProperty]; ok {
		values[ProductStatusProperty] = "active"
	}
	key := ProductKey(conn.RealmID, it.ID)
	id, created := rec.HubSpotID, false
	if id != "" {
		switch err := objs.UpdateObject(ctx, portal, Products, id, values); {
		case ErrorCode(err) == NotFound:
			id = ""
		case err != nil:
			return err
		}
	}
	if id == "" {
		if id, err = objs.FindProduct(ctx, portal, key, it.SKU, it.Name); err != nil {
			return err
		}
		if id != "" {
			if err := objs.UpdateObject(ctx, portal, Products, id, values); err != nil {
				return err
			}
		}
	}
	if id == "" {
		if set.OnCreateOrUpdate != WriteCreateOrUpdate {
			n.set(ActionSkipped, OutcomeSkipped, "", words+" was left out: HubSpot has no product with its SKU or name, and product sync only updates products.")
			return nil
		}
		if err := objs.EnsureSyncProperties(ctx, portal, Products); err != nil {
			return err
		}
		create := nonEmpty(values)
		create[ProductKeyProperty] = key
		id, created, err = createOnce(ctx, objs, portal, Products, create, values, "its key",
			func() (string, error) { return objs.FindProduct(ctx, portal, key, "", "") })
		if err != nil {
			return err
		}
	}
	n.hubspotID = id
	if err := st.SaveSyncedRecord(ctx, conn.ID, SyncProducts, SyncedRecord{QBOID: it.ID, HubSpotID: id}); err != nil {
		return err
	}
	if created {
		n.set(ActionCreated, OutcomeSucceeded, id, words+" was copied to a HubSpot product.")
		s.log.InfoContext(ctx, "hubspot product made", "portal", portal.ID, "connection", conn.ID, "item", it.ID, "product", id)
	} else {
		n.set(ActionUpdated, OutcomeSucceeded, id, words+" was updated in HubSpot.")
	}
	return nil
}

// unmappedProductProperties lists the portal's writable HubSpot product
// properties no QuickBooks field goes to (the app's own left out), by name;
// nil when they cannot be read now (the settings page then shows none).
func (s *Service) unmappedProductProperties(ctx context.Context, portalID int64, fields []FieldMapping) []string {
	objs, _, _, err := s.crmSync()
	if err != nil {
		return nil
	}
	portal, err := s.store.Portal(ctx, portalID)
	if err != nil || portal.State != PortalInstalled && portal.State != "" {
		return nil
	}
	props, err := s.recordProperties(ctx, objs, portal, Products, false)
	if err != nil {
		s.log.WarnContext(ctx, "product properties not read for the settings page", "portal", portalID, "err", err)
		return nil
	}
	mapped := map[string]bool{ProductStatusProperty: true, ProductKeyProperty: true}
	for _, f := range fields {
		mapped[f.HubSpot] = true
	}
	out := []string{}
	for name, p := range props {
		if !p.ReadOnly && !mapped[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
