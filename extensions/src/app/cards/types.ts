// Shapes of the card API (server/openapi.yaml). Money is a decimal string
// with two places ("297.00"); dates are YYYY-MM-DD.

export type ObjectType = 'deals' | 'contacts' | 'companies';

export type ConnectionState = 'connected' | 'needs_reconnect' | 'disconnected';

export interface Connection {
  id: string;
  realmId: string;
  companyName: string;
  country: string;
  currency: string;
  customTxnNumbers: boolean;
  /** Multicurrency is on in QuickBooks; off, the company invoices only in its home currency. */
  multiCurrency: boolean;
  state: ConnectionState;
}

export type InvoiceStatus =
  | 'awaiting_send'
  | 'sent'
  | 'partially_paid'
  | 'paid'
  | 'overdue'
  | 'voided'
  | 'deleted';

export interface Invoice {
  linkId: string;
  invoiceId: string;
  origin: 'created' | 'added';
  known: boolean;
  number?: string;
  customerName?: string;
  billEmail?: string;
  currency?: string;
  total?: string;
  balance?: string;
  amountPaid?: string;
  invoiceDate?: string;
  dueDate?: string;
  status?: InvoiceStatus;
  statusLabel?: string;
  overdue: boolean;
  webUrl?: string;
  fetchedAt?: string;
}

export interface InvoiceGroup {
  connection: Connection;
  today: string;
  stale: boolean;
  notice?: string;
  invoices: Invoice[];
}

export interface Action {
  name: 'create_invoice' | 'add_invoice';
  allowed: boolean;
  reason?: string;
}

export interface RecordInvoices {
  record: { objectType: ObjectType; objectId: string };
  connections: Connection[];
  groups: InvoiceGroup[];
  actions: Action[];
}

export interface NewCustomer {
  displayName: string;
  companyName?: string;
  givenName?: string;
  familyName?: string;
  email?: string;
  phone?: string;
}

export interface InvoiceLineRequest {
  itemId: string;
  description?: string;
  quantity: string;
  unitPrice: string;
  taxCodeId?: string;
}

export interface InvoiceRequest {
  idempotencyKey?: string;
  connectionId: string;
  quoteId?: string;
  customer: { id?: string; new?: NewCustomer };
  docNumber?: string;
  txnDate: string;
  dueDate?: string;
  termId?: string;
  billEmail?: string;
  message?: string;
  lines: InvoiceLineRequest[];
}

export interface QuoteOption {
  id: string;
  number?: string;
  title?: string;
  status: string;
  expiresAt?: string;
  invoiceable: boolean;
  reason?: string;
}

export interface DraftCustomer {
  id: string;
  displayName: string;
  companyName?: string;
  email?: string;
  currency?: string;
  reason: string;
}

export interface DraftLine {
  lineItemId?: string;
  name: string;
  sku?: string;
  quantity: string;
  unitPrice: string;
  itemId?: string;
  itemName?: string;
  match?: 'sku' | 'name';
}

export interface TaxCode {
  id: string;
  name: string;
}

export interface Term {
  id: string;
  name: string;
  dueDays: number;
  /** A date-driven term: due on this day of the month. */
  dayOfMonthDue?: number;
  /** A date-driven term: dated within this many days before that day, due the next month. */
  dueNextMonthDays?: number;
}

export interface Draft {
  connection: Connection;
  source: 'quote' | 'scratch';
  quote?: QuoteOption;
  quotes: QuoteOption[];
  customers: DraftCustomer[];
  lines: DraftLine[];
  taxCodes: TaxCode[];
  terms: Term[];
  docNumberRequired: boolean;
  currency: {
    invoice: string;
    deal?: string;
    dealPropertiesNote?: string;
    /** Set when the company works only in its home currency and the quote's (else the deal's) is another. */
    multiCurrencyNote?: string;
  };
  invoice: InvoiceRequest;
  missing: string[];
}

export interface Item {
  id: string;
  name: string;
  sku?: string;
  description?: string;
  type?: string;
  unitPrice: string;
  taxable: boolean;
  taxCodeId?: string;
}

export interface Customer {
  id: string;
  displayName: string;
  companyName?: string;
  email?: string;
  currency?: string;
  termId?: string;
}

export interface DealProperties {
  written: boolean;
  values?: Record<string, string>;
  reason?: string;
}

export interface Created {
  invoice: Invoice;
  links: { linkId: string; objectType: ObjectType; objectId: string }[];
  customerCreated: boolean;
  dealProperties: DealProperties;
  notices: string[];
  replayed: boolean;
}

export interface SearchedInvoice {
  invoiceId: string;
  number?: string;
  customerName?: string;
  billEmail?: string;
  currency?: string;
  total: string;
  balance: string;
  invoiceDate?: string;
  dueDate?: string;
  status: string;
  statusLabel: string;
  overdue: boolean;
  linked: boolean;
  linkId?: string;
  webUrl?: string;
}

export interface InvoiceSearch {
  connection: Connection;
  page: number;
  more: boolean;
  invoices: SearchedInvoice[];
}

export interface Added {
  invoices: { added: boolean; invoice: Invoice }[];
  dealProperties: DealProperties;
}

export interface Sent {
  invoice: Invoice;
  dealProperties: DealProperties[];
}

/** 200 to POST /api/v1/connections/quickbooks/connect: Intuit's consent page, its state valid 10 minutes. */
export interface ConnectStart {
  authorizeUrl: string;
}

export interface Unlinked {
  dealProperties: DealProperties;
}
