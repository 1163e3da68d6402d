// The preview's entry: the host page's styles, then the card itself — the
// same source HubSpot builds (IntegratedInvoices-hsmeta.json → entrypoint).
// The card's entry calls hubspot.extend(...) when imported; the shim
// (ui-shim.tsx, aliased for '@hubspot/ui-extensions') renders it into #root.
import './preview.css';
import '../src/app/cards/IntegratedInvoices.tsx';
