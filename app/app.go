// Package app is the domain of hubspot-quickbooks: invoices, their status,
// connections between HubSpot portals and QuickBooks Online companies, links
// between CRM records and invoices, and the use cases the card calls.
//
// It imports only the standard library. It declares the interfaces it needs
// (Store, Cache, QuickBooks, HubSpot) sized to its calls; adapters in their
// own packages implement them and never import each other. Errors it
// returns are *Error values with a Code (errors.go) whose Message a rep can
// read.
package app
