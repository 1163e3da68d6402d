// Canned backend answers, shaped exactly like server/openapi.yaml; the values
// are those the Go demo (sandbox seed) answers for portal 20000001.
import type {
  Added,
  Connection,
  Created,
  Customer,
  Draft,
  Invoice,
  InvoiceSearch,
  Item,
  RecordInvoices,
  SearchedInvoice,
  Sent,
  Unlinked,
} from '../types';

export const US: Connection = {
  id: '7a94147d7f9a3bcd68b685b85499f781',
  realmId: '9130357766900001',
  companyName: 'Northwind Traders (US)',
  country: 'US',
  currency: 'USD',
  customTxnNumbers: false,
  multiCurrency: false,
  state: 'connected',
};

export const CA: Connection = {
  id: '21e5fc316b64330c94defc30a9cfbf4e',
  realmId: '9130357766900002',
  companyName: 'Maple Leaf Supplies Ltd',
  country: 'CA',
  currency: 'CAD',
  customTxnNumbers: true,
  multiCurrency: false,
  state: 'connected',
};

function usInvoice(p: Partial<Invoice> & Pick<Invoice, 'linkId' | 'invoiceId'>): Invoice {
  return {
    origin: 'created',
    known: true,
    customerName: 'Acme Corporation',
    billEmail: 'ap@acme.example',
    currency: 'USD',
    overdue: false,
    webUrl: `https://app.sandbox.qbo.intuit.com/app/invoice?txnId=${p.invoiceId}`,
    fetchedAt: '2026-11-28T10:12:24Z',
    ...p,
  };
}

export const INV_AWAITING = usInvoice({
  linkId: '216bded28a4b5ccd9d674493cbe7253b',
  invoiceId: '1',
  number: '1001',
  total: '300.00',
  balance: '300.00',
  amountPaid: '0.00',
  invoiceDate: '2026-11-28',
  dueDate: '2026-12-28',
  status: 'awaiting_send',
  statusLabel: 'Waiting to be sent',
});

export const INV_VOIDED = usInvoice({
  linkId: '1e301158eec61a1bcdac5ba62d5bf96d',
  invoiceId: '8',
  number: '1006',
  total: '0.00',
  balance: '0.00',
  amountPaid: '0.00',
  invoiceDate: '2026-11-08',
  dueDate: '2026-12-08',
  status: 'voided',
  statusLabel: 'Voided',
});

export const INV_PAID = usInvoice({
  linkId: 'b7104296df687f0de1da3bf44fa5eb2d',
  invoiceId: '5',
  number: '1004',
  total: '105.84',
  balance: '0.00',
  amountPaid: '105.84',
  invoiceDate: '2026-10-19',
  dueDate: '2026-11-18',
  status: 'paid',
  statusLabel: 'Paid in full',
});

export const INV_SENT = usInvoice({
  linkId: 'e0cdffd81d55387a8c93dc9f58a2c3c8',
  invoiceId: '2',
  origin: 'added',
  number: '1002',
  customerName: 'Globex LLC',
  billEmail: 'billing@globex.example',
  total: '300.00',
  balance: '300.00',
  amountPaid: '0.00',
  invoiceDate: '2026-11-23',
  dueDate: '2026-12-08',
  status: 'sent',
  statusLabel: 'Sent to customer',
});

export const INV_PARTIAL = usInvoice({
  linkId: '5b1c0d7f4e1e4a7c9c3f1d2e3a4b5c6d',
  invoiceId: '3',
  origin: 'added',
  number: '1003',
  customerName: "Amy's Bird Sanctuary",
  billEmail: 'amy@birds.example',
  total: '297.00',
  balance: '197.00',
  amountPaid: '100.00',
  invoiceDate: '2026-11-18',
  dueDate: '2026-12-03',
  status: 'partially_paid',
  statusLabel: 'Partial payment',
});

export const INV_CA_OVERDUE: Invoice = {
  linkId: '89b0165b755ec8cf49ff18d6df51ed4e',
  invoiceId: '4',
  origin: 'created',
  known: true,
  number: 'MLS-0003',
  customerName: 'Maple Syrup Co.',
  billEmail: 'orders@maplesyrup.example',
  currency: 'CAD',
  total: '50.00',
  balance: '50.00',
  amountPaid: '0.00',
  invoiceDate: '2026-09-29',
  dueDate: '2026-10-29',
  status: 'overdue',
  statusLabel: 'Overdue',
  overdue: true,
  webUrl: 'https://app.sandbox.qbo.intuit.com/app/invoice?txnId=4',
  fetchedAt: '2026-11-28T10:12:24Z',
};

const ALLOWED = [
  { name: 'create_invoice' as const, allowed: true },
  { name: 'add_invoice' as const, allowed: true },
];

/** GET /api/v1/records/deals/1011/invoices */
export const CARD_DEAL_1011: RecordInvoices = {
  record: { objectType: 'deals', objectId: '1011' },
  connections: [US, CA],
  groups: [{ connection: US, today: '2026-11-28', stale: false, invoices: [INV_AWAITING, INV_VOIDED, INV_PAID] }],
  actions: ALLOWED,
};

/** Deal 1011 with only the US company connected (the Company step is skipped). */
export const CARD_DEAL_1011_ONE_COMPANY: RecordInvoices = { ...CARD_DEAL_1011, connections: [US] };

/** GET /api/v1/records/companies/1001/invoices: two QuickBooks companies, every status. */
export const CARD_COMPANY_1001: RecordInvoices = {
  record: { objectType: 'companies', objectId: '1001' },
  connections: [US, CA],
  groups: [
    {
      connection: US,
      today: '2026-11-28',
      stale: false,
      invoices: [INV_AWAITING, INV_SENT, INV_PARTIAL, INV_PAID, INV_VOIDED],
    },
    {
      connection: CA,
      today: '2026-11-28',
      stale: true,
      notice: 'QuickBooks is busy; showing the last known state.',
      invoices: [INV_CA_OVERDUE],
    },
  ],
  actions: ALLOWED,
};

/** GET /api/v1/records/deals/1029/invoices: no invoices, no quote. */
export const CARD_DEAL_1029_EMPTY: RecordInvoices = {
  record: { objectType: 'deals', objectId: '1029' },
  connections: [US, CA],
  groups: [],
  actions: [
    { name: 'create_invoice', allowed: true, reason: 'This deal has no quote; you can create an invoice from scratch.' },
    { name: 'add_invoice', allowed: true },
  ],
};

/** A portal without a QuickBooks company. */
export const CARD_NOT_CONNECTED: RecordInvoices = {
  record: { objectType: 'deals', objectId: '1011' },
  connections: [],
  groups: [],
  actions: [
    { name: 'create_invoice', allowed: false, reason: 'Connect a QuickBooks company first.' },
    { name: 'add_invoice', allowed: false, reason: 'Connect a QuickBooks company first.' },
  ],
};

const TERMS = [
  { id: '1', name: 'Due on receipt', dueDays: 0 },
  { id: '2', name: 'Net 15', dueDays: 15 },
  { id: '3', name: 'Net 30', dueDays: 30 },
  { id: '4', name: 'Net 60', dueDays: 60 },
];

const QUOTES_1011 = [
  { id: '1014', number: 'Q-1001', title: 'Website redesign', status: 'APPROVAL_NOT_NEEDED', expiresAt: '2026-12-29T07:59:59Z', invoiceable: true },
  { id: '1017', number: 'Q-1002', title: 'Website redesign', status: 'APPROVED', expiresAt: '2026-12-29T07:59:59Z', invoiceable: true },
  {
    id: '1020',
    number: 'Q-1003',
    title: 'Website redesign',
    status: 'DRAFT',
    expiresAt: '2026-12-29T07:59:59Z',
    invoiceable: false,
    reason: 'Quote Q-1003 is a draft; only published quotes can be invoiced.',
  },
  {
    id: '1023',
    number: 'Q-1004',
    title: 'Website redesign',
    status: 'APPROVAL_NOT_NEEDED',
    expiresAt: '2026-11-24T07:59:59Z',
    invoiceable: false,
    reason: 'Quote Q-1004 expired on 24 November 2026.',
  },
];

const ACME_CANDIDATE = {
  id: '1',
  displayName: 'Acme Corporation',
  companyName: 'Acme Corporation',
  email: 'ap@acme.example',
  currency: 'USD',
  reason: 'email ap@acme.example matches; display name matches company "Acme Corporation"',
};

/** GET .../deals/1011/invoice-draft?connectionId=US (scratch). */
export const DRAFT_1011_SCRATCH: Draft = {
  connection: US,
  source: 'scratch',
  quotes: QUOTES_1011,
  customers: [ACME_CANDIDATE],
  lines: [
    { lineItemId: '1012', name: 'Design hours', sku: 'DES-HR', quantity: '4', unitPrice: '75.00', itemId: '1', itemName: 'Design hours', match: 'sku' },
    { lineItemId: '1013', name: 'Consulting', quantity: '2', unitPrice: '150.00', itemId: '2', itemName: 'Consulting', match: 'name' },
  ],
  taxCodes: [],
  terms: TERMS,
  docNumberRequired: false,
  currency: { invoice: 'USD', deal: 'USD' },
  invoice: {
    connectionId: US.id,
    customer: { id: '1' },
    txnDate: '2026-11-28',
    dueDate: '2026-12-28',
    termId: '3',
    billEmail: 'ap@acme.example',
    lines: [
      { itemId: '1', description: 'Design hours', quantity: '4', unitPrice: '75.00', taxCodeId: 'NON' },
      { itemId: '2', description: 'Consulting', quantity: '2', unitPrice: '150.00', taxCodeId: 'NON' },
    ],
  },
  missing: [],
};

/** GET .../deals/1011/invoice-draft?connectionId=US&quoteId=1014: the second line matches no product. */
export const DRAFT_1011_QUOTE: Draft = {
  ...DRAFT_1011_SCRATCH,
  source: 'quote',
  quote: QUOTES_1011[0],
  lines: [
    { lineItemId: '1015', name: 'Design hours', sku: 'DES-HR', quantity: '4', unitPrice: '75.00', itemId: '1', itemName: 'Design hours', match: 'sku' },
    { lineItemId: '1016', name: 'Premium support', sku: 'SUP-P', quantity: '1', unitPrice: '500.00' },
  ],
  invoice: {
    connectionId: US.id,
    quoteId: '1014',
    customer: { id: '1' },
    txnDate: '2026-11-28',
    dueDate: '2026-12-28',
    termId: '3',
    billEmail: 'ap@acme.example',
    lines: [
      { itemId: '1', description: 'Design hours', quantity: '4', unitPrice: '75.00', taxCodeId: 'NON' },
      { itemId: '', description: 'Premium support (list price 500.00, discount applied)', quantity: '1', unitPrice: '450.00' },
    ],
  },
  missing: ['lines[1].itemId'],
};

/** GET .../deals/1029/invoice-draft?connectionId=US: no customer match (a new one is proposed), no product match. */
export const DRAFT_1029_SCRATCH: Draft = {
  connection: US,
  source: 'scratch',
  quotes: [],
  customers: [],
  lines: [{ lineItemId: '1030', name: 'Premium support', sku: 'SUP-P', quantity: '2', unitPrice: '500.00' }],
  taxCodes: [],
  terms: TERMS,
  docNumberRequired: false,
  currency: { invoice: 'USD', deal: 'USD' },
  invoice: {
    connectionId: US.id,
    customer: {
      new: { displayName: 'NewCo Labs', companyName: 'NewCo Labs', givenName: 'Bob', familyName: 'Newman', email: 'bob@newco.example' },
    },
    txnDate: '2026-11-28',
    dueDate: '2026-12-28',
    termId: '3',
    billEmail: 'bob@newco.example',
    lines: [{ itemId: '', description: 'Premium support', quantity: '2', unitPrice: '500.00' }],
  },
  missing: ['lines[0].itemId'],
};

/** GET .../deals/1031/invoice-draft?connectionId=CA: tax codes, numbered invoices. */
export const DRAFT_1031_CA: Draft = {
  connection: CA,
  source: 'scratch',
  quotes: [],
  customers: [
    {
      id: '2',
      displayName: 'Maple Syrup Co.',
      companyName: 'Maple Syrup Co.',
      email: 'orders@maplesyrup.example',
      currency: 'CAD',
      reason: 'email orders@maplesyrup.example matches; display name matches company "Maple Syrup Co."',
    },
  ],
  lines: [{ lineItemId: '1032', name: 'Design hours', sku: 'DES-HR', quantity: '10', unitPrice: '95.00', itemId: '1', itemName: 'Design hours', match: 'sku' }],
  taxCodes: [
    { id: '4', name: 'GST' },
    { id: '5', name: 'HST ON' },
    { id: '6', name: 'Exempt' },
    { id: '7', name: 'Zero-rated' },
  ],
  terms: TERMS,
  docNumberRequired: true,
  currency: { invoice: 'CAD', deal: 'CAD' },
  invoice: {
    connectionId: CA.id,
    customer: { id: '2' },
    docNumber: 'MLS-0004',
    txnDate: '2026-11-28',
    dueDate: '2026-12-28',
    termId: '3',
    billEmail: 'orders@maplesyrup.example',
    lines: [{ itemId: '1', description: 'Design hours', quantity: '10', unitPrice: '95.00', taxCodeId: '5' }],
  },
  missing: [],
};

/** GET /api/v1/connections/US/items?q= */
export const ITEMS: { items: Item[] } = {
  items: [
    { id: '1', name: 'Design hours', sku: 'DES-HR', description: 'Design hours', type: 'Service', unitPrice: '75.00', taxable: false },
    { id: '2', name: 'Consulting', description: 'Consulting', type: 'Service', unitPrice: '150.00', taxable: false },
    { id: '3', name: 'Rock Fountain', sku: 'RF-100', description: 'Rock Fountain', type: 'Inventory', unitPrice: '275.00', taxable: true },
    { id: '4', name: 'Hosting (monthly)', sku: 'HOST-M', description: 'Hosting (monthly)', type: 'Service', unitPrice: '49.00', taxable: false },
  ],
};

/** GET /api/v1/connections/US/customers?q=glob */
export const CUSTOMERS_GLOB: { customers: Customer[] } = {
  customers: [
    { id: '3', displayName: 'Globex LLC', companyName: 'Globex LLC', email: 'billing@globex.example', currency: 'USD' },
  ],
};

function created(p: Partial<Invoice>, customerCreated = false): Created {
  return {
    invoice: {
      linkId: '7c619d3a18969ffd5221c896bad93c7d',
      invoiceId: '9',
      origin: 'created',
      known: true,
      number: '1007',
      customerName: 'Acme Corporation',
      billEmail: 'ap@acme.example',
      currency: 'USD',
      total: '750.00',
      balance: '750.00',
      amountPaid: '0.00',
      invoiceDate: '2026-11-28',
      dueDate: '2026-12-28',
      status: 'awaiting_send',
      statusLabel: 'Waiting to be sent',
      overdue: false,
      webUrl: 'https://app.sandbox.qbo.intuit.com/app/invoice?txnId=9',
      fetchedAt: '2026-11-28T10:12:38Z',
      ...p,
    },
    links: [
      { linkId: '7c619d3a18969ffd5221c896bad93c7d', objectType: 'deals', objectId: '1011' },
      { linkId: '05ac1d150f77fd27b24d8d4d957981cc', objectType: 'contacts', objectId: '1004' },
      { linkId: '9978f69b93e336edd021c7d11d464092', objectType: 'companies', objectId: '1001' },
    ],
    customerCreated,
    dealProperties: {
      written: true,
      values: {
        qbo_invoice_amount_collected: '0.00',
        qbo_invoice_due_date: '2026-12-28',
        qbo_invoice_number: p.number ?? '1007',
        qbo_invoice_recipient: p.customerName ?? 'Acme Corporation',
        qbo_invoice_status: 'awaiting_send',
      },
    },
    notices: [],
    replayed: false,
  };
}

/** 201 to POST /api/v1/records/deals/1011/invoices */
export const CREATED_1007 = created({});
export const CREATED_NEWCO = created({ number: '1008', invoiceId: '10', customerName: 'NewCo Labs', total: '1000.00', balance: '1000.00' }, true);
export const CREATED_CA = created({ number: 'MLS-0005', invoiceId: '5', customerName: 'Maple Syrup Co.', currency: 'CAD', total: '950.00', balance: '950.00' });

export function searched(p: Partial<SearchedInvoice> & Pick<SearchedInvoice, 'invoiceId'>): SearchedInvoice {
  return {
    total: '300.00',
    balance: '300.00',
    currency: 'USD',
    status: 'sent',
    statusLabel: 'Sent to customer',
    overdue: false,
    linked: false,
    webUrl: `https://app.sandbox.qbo.intuit.com/app/invoice?txnId=${p.invoiceId}`,
    ...p,
  };
}

/** GET /api/v1/connections/US/invoices?q=&objectType=deals&objectId=1011&page=1 */
export const SEARCH_ALL: InvoiceSearch = {
  connection: US,
  page: 1,
  more: false,
  invoices: [
    searched({ invoiceId: '1', number: '1001', customerName: 'Acme Corporation', status: 'awaiting_send', statusLabel: 'Waiting to be sent', invoiceDate: '2026-11-28', linked: true, linkId: INV_AWAITING.linkId }),
    searched({ invoiceId: '2', number: '1002', customerName: 'Globex LLC', invoiceDate: '2026-11-23' }),
    searched({ invoiceId: '3', number: '1003', customerName: "Amy's Bird Sanctuary", total: '297.00', balance: '197.00', status: 'partially_paid', statusLabel: 'Partial payment', invoiceDate: '2026-11-18' }),
  ],
};

/** GET ...invoices?q=globex */
export const SEARCH_GLOBEX: InvoiceSearch = {
  connection: US,
  page: 1,
  more: false,
  invoices: [SEARCH_ALL.invoices[1]],
};

/** 201 to POST .../invoice-links {invoiceIds: ["2","3"]} */
export const ADDED_2_3: Added = {
  invoices: [
    { added: true, invoice: INV_SENT },
    { added: true, invoice: INV_PARTIAL },
  ],
  dealProperties: { written: true, values: { qbo_invoice_number: '1002', qbo_invoice_status: 'sent' } },
};

/** 200 to POST .../invoices/1/send */
export const SENT_1001: Sent = {
  invoice: { ...INV_AWAITING, status: 'sent', statusLabel: 'Sent to customer' },
  dealProperties: [{ written: true, values: { qbo_invoice_number: '1001', qbo_invoice_status: 'sent' } }],
};

/** 200 to DELETE .../invoice-links/{linkId} */
export const UNLINKED: Unlinked = {
  dealProperties: { written: true, values: { qbo_invoice_number: '1004', qbo_invoice_status: 'paid' } },
};

export function errorBody(code: string, message: string) {
  return { error: { code, message, requestId: 'hcIqDXEsbxPYGwdAcXhLtGXdEDPanIwA' } };
}
