// The create flow's logic, free of React: its steps, the form built from a
// draft, the request built from the form, client-side checks and where a
// field error (the backend's or ours) belongs.
import type { FieldErrors } from './api';
import { addDays, fromCents, lineAmountCents, normalizeMoney, toCents, toDateValue } from './format';
import type { Connection, Draft, InvoiceRequest, Item, NewCustomer, Term } from './types';

export type StepId = 'company' | 'source' | 'customer' | 'products' | 'tax' | 'terms' | 'review';

export const STEP_TITLES: Record<StepId, string> = {
  company: 'Company',
  source: 'Source',
  customer: 'Customer',
  products: 'Products',
  tax: 'Tax',
  terms: 'Terms and dates',
  review: 'Review',
};

/** The steps: Company only with several usable companies, Tax only when the company has tax codes. */
export function stepsFor(opts: { connections: number; hasTaxCodes: boolean }): StepId[] {
  const steps: StepId[] = [];
  if (opts.connections > 1) steps.push('company');
  steps.push('source', 'customer', 'products');
  if (opts.hasTaxCodes) steps.push('tax');
  steps.push('terms', 'review');
  return steps;
}

export function usableConnections(connections: Connection[]): Connection[] {
  return connections.filter((c) => c.state === 'connected');
}

export const NEW_CUSTOMER = '__new__';

export interface LineForm {
  /** Index in draft.lines, or undefined for a line the rep added. */
  draftIndex?: number;
  itemId: string;
  itemName?: string;
  description: string;
  quantity: string;
  unitPrice: string;
  taxCodeId: string;
}

export interface CreateForm {
  /** A QuickBooks customer id, NEW_CUSTOMER, or "" when none is chosen yet. */
  customerChoice: string;
  newCustomer: NewCustomer;
  lines: LineForm[];
  termId: string;
  txnDate: string;
  dueDate: string;
  docNumber: string;
  billEmail: string;
  message: string;
}

/** The form as the draft proposes it. */
export function formFromDraft(draft: Draft): CreateForm {
  const inv = draft.invoice;
  const lines: LineForm[] = inv.lines.map((l, i) => {
    const dl = draft.lines[i];
    return {
      draftIndex: dl ? i : undefined,
      itemId: l.itemId ?? '',
      itemName: dl?.itemName,
      description: l.description ?? '',
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      taxCodeId: l.taxCodeId ?? '',
    };
  });
  let customerChoice = '';
  if (inv.customer.id) customerChoice = inv.customer.id;
  else if (inv.customer.new) customerChoice = NEW_CUSTOMER;
  return {
    customerChoice,
    newCustomer: inv.customer.new ? { ...inv.customer.new } : { displayName: '' },
    lines,
    termId: inv.termId ?? '',
    txnDate: inv.txnDate ?? '',
    dueDate: inv.dueDate ?? '',
    docNumber: inv.docNumber ?? '',
    billEmail: inv.billEmail ?? '',
    message: inv.message ?? '',
  };
}

function trimmed(o: NewCustomer): NewCustomer {
  const out: NewCustomer = { displayName: o.displayName.trim() };
  for (const k of ['companyName', 'givenName', 'familyName', 'email', 'phone'] as const) {
    const v = o[k]?.trim();
    if (v) out[k] = v;
  }
  return out;
}

/** The create body (without its idempotency key): the draft's invoice as edited. */
export function buildRequest(draft: Draft, form: CreateForm): InvoiceRequest {
  const req: InvoiceRequest = {
    connectionId: draft.invoice.connectionId || draft.connection.id,
    customer:
      form.customerChoice === NEW_CUSTOMER
        ? { new: trimmed(form.newCustomer) }
        : form.customerChoice
          ? { id: form.customerChoice }
          : {},
    txnDate: form.txnDate,
    lines: form.lines.map((l) => {
      const line: InvoiceRequest['lines'][number] = {
        itemId: l.itemId,
        quantity: l.quantity.trim(),
        unitPrice: normalizeMoney(l.unitPrice) ?? l.unitPrice.trim(),
      };
      if (l.description) line.description = l.description;
      if (l.taxCodeId) line.taxCodeId = l.taxCodeId;
      return line;
    }),
  };
  if (draft.invoice.quoteId) req.quoteId = draft.invoice.quoteId;
  const doc = form.docNumber.trim();
  if (doc) req.docNumber = doc;
  if (form.dueDate) req.dueDate = form.dueDate;
  if (form.termId) req.termId = form.termId;
  const email = form.billEmail.trim();
  if (email) req.billEmail = email;
  if (form.message.trim()) req.message = form.message;
  return req;
}

/** The due date a term gives from an invoice date. */
export function dueDateFor(txnDate: string, termId: string, draft: Draft): string | undefined {
  const term = draft.terms.find((t) => t.id === termId);
  if (!term || !txnDate) return undefined;
  return termDueDate(txnDate, term);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The due date of a term for an invoice dated txnDate, as QuickBooks dues it: a standard term adds its days; a
 * date-driven one falls on its day of the month (clamped to the month's length), this month, or next month when
 * the invoice is dated on or after that day or at most dueNextMonthDays before it.
 */
export function termDueDate(txnDate: string, term: Term): string | undefined {
  if (!term.dayOfMonthDue) return addDays(txnDate, term.dueDays);
  const v = toDateValue(txnDate);
  if (!v) return undefined;
  const day = term.dayOfMonthDue;
  const dayIn = (year: number, month: number) => {
    const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    return Date.UTC(year, month, Math.min(day, last));
  };
  const on = Date.UTC(v.year, v.month, v.date);
  let due = dayIn(v.year, v.month);
  if (on >= due || Math.round((due - on) / DAY_MS) <= (term.dueNextMonthDays ?? 0)) due = dayIn(v.year, v.month + 1);
  return new Date(due).toISOString().slice(0, 10);
}

/** A picked QuickBooks item on a line: its id, name and (outside the US) tax code. */
export function withItem(line: LineForm, item: Item, draft: Draft, added: boolean): LineForm {
  const nonUS = draft.connection.country !== 'US';
  let taxCodeId = line.taxCodeId;
  if (nonUS) {
    if (!taxCodeId && item.taxCodeId && draft.taxCodes.some((t) => t.id === item.taxCodeId)) taxCodeId = item.taxCodeId;
  } else {
    taxCodeId = item.taxable ? 'TAX' : 'NON';
  }
  return {
    ...line,
    itemId: item.id,
    itemName: item.name,
    taxCodeId,
    // A line the rep added takes the item's description and price.
    description: added ? item.description || item.name : line.description,
    unitPrice: added ? item.unitPrice : line.unitPrice,
  };
}

export function emptyLine(): LineForm {
  return { itemId: '', description: '', quantity: '1', unitPrice: '0.00', taxCodeId: '' };
}

const QUANTITY = /^[0-9]+(\.[0-9]{1,2})?$/;
const PRICE = /^[0-9]+(\.[0-9]{1,2})?$/;

/** The card's own checks for one step, keyed like the backend's field errors. */
export function checkStep(step: StepId, form: CreateForm, draft: Draft | undefined): FieldErrors {
  const errs: FieldErrors = {};
  if (!draft) return errs;
  switch (step) {
    case 'customer':
      if (!form.customerChoice) errs['customer'] = 'Choose a QuickBooks customer or create one.';
      else if (form.customerChoice === NEW_CUSTOMER) {
        const name = form.newCustomer.displayName.trim();
        if (!name) errs['customer.new.displayName'] = 'A name is required.';
        else if (/[:\t\n\r]/.test(name)) errs['customer.new.displayName'] = 'QuickBooks names cannot contain a colon, tab or line break.';
        else if ([...name].length > 100) errs['customer.new.displayName'] = 'At most 100 characters.';
      }
      break;
    case 'products':
      if (form.lines.length === 0) errs['lines'] = 'An invoice needs at least one line.';
      form.lines.forEach((l, i) => {
        const p = `lines[${i}]`;
        if (!l.itemId) errs[`${p}.itemId`] = 'Choose a QuickBooks product or service.';
        const q = l.quantity.trim();
        if (!QUANTITY.test(q) || (toCents(q) ?? 0) <= 0) errs[`${p}.quantity`] = 'Enter a quantity above 0 with at most two decimals.';
        const price = l.unitPrice.trim();
        if (!PRICE.test(price)) errs[`${p}.unitPrice`] = 'Enter a price with at most two decimals.';
        if (!errs[`${p}.quantity`] && !errs[`${p}.unitPrice`]) {
          const qc = toCents(q) ?? 0;
          const pc = toCents(price) ?? 0;
          if ((qc * pc) % 100 !== 0) errs[`${p}.quantity`] = 'Quantity × price has more than two decimals; round the quantity or the price.';
        }
      });
      break;
    case 'tax':
      if (draft.taxCodes.length > 0) {
        form.lines.forEach((l, i) => {
          if (!l.taxCodeId) errs[`lines[${i}].taxCodeId`] = 'Choose a tax code.';
        });
      }
      break;
    case 'terms': {
      if (!form.txnDate) errs['txnDate'] = 'The invoice date is required.';
      if (form.dueDate && form.txnDate && form.dueDate < form.txnDate) errs['dueDate'] = 'The due date is before the invoice date.';
      const doc = form.docNumber.trim();
      if (draft.docNumberRequired && !doc) errs['docNumber'] = `${draft.connection.companyName} numbers its invoices itself; an invoice number is required.`;
      if ([...doc].length > 21) errs['docNumber'] = 'At most 21 characters.';
      if (form.billEmail.trim() && !form.billEmail.includes('@')) errs['billEmail'] = 'This is not an email address.';
      if ([...form.message].length > 1000) errs['message'] = 'At most 1000 characters.';
      break;
    }
  }
  return errs;
}

/** The step a field path belongs to. */
export function stepOfPath(path: string, steps: StepId[]): StepId {
  const has = (s: StepId) => steps.includes(s);
  if (path === 'connectionId') return has('company') ? 'company' : 'source';
  if (path === 'quoteId') return 'source';
  if (path === 'customer' || path.startsWith('customer.')) return 'customer';
  if (/^lines\[\d+\]\.taxCodeId$/.test(path)) return has('tax') ? 'tax' : 'products';
  if (path === 'lines' || path.startsWith('lines[')) return 'products';
  if (['txnDate', 'dueDate', 'termId', 'docNumber', 'billEmail', 'message'].includes(path)) return 'terms';
  return 'review';
}

/** The first step (in the flow's order) holding one of the errors. */
export function firstErrorStep(fields: FieldErrors, steps: StepId[]): StepId | undefined {
  let best: number | undefined;
  for (const path of Object.keys(fields)) {
    const i = steps.indexOf(stepOfPath(path, steps));
    if (i >= 0 && (best === undefined || i < best)) best = i;
  }
  return best === undefined ? undefined : steps[best];
}

/** The errors of one line, by field name ("itemId", "quantity", ...; "" for the line itself). */
export function lineErrors(fields: FieldErrors, index: number): Record<string, string> {
  const out: Record<string, string> = {};
  const prefix = `lines[${index}]`;
  for (const [path, msg] of Object.entries(fields)) {
    if (path === prefix) out[''] = msg;
    else if (path.startsWith(prefix + '.')) out[path.slice(prefix.length + 1)] = msg;
  }
  return out;
}

export interface Totals {
  lines: (string | undefined)[];
  subtotal: string;
}

export function totals(form: CreateForm): Totals {
  let sum = 0;
  const lines = form.lines.map((l) => {
    const c = lineAmountCents(l.quantity.trim(), l.unitPrice.trim());
    if (c !== undefined) sum += c;
    return c === undefined ? undefined : fromCents(c);
  });
  return { lines, subtotal: fromCents(sum) };
}

/**
 * One idempotency key per attempt (one AttemptKeys per opened panel):
 * - a retry of the same body keeps its key, so a retry after an error or a
 *   timeout gets the first answer instead of a second invoice;
 * - after an answer that says what happened (invalid, not_found, ...), a
 *   changed body gets a new key, since the backend refuses a reused key with
 *   another body (conflict) and QuickBooks replays its first answer to a key;
 * - after an unknown outcome (network, 5xx) the key stays even if the body
 *   changes: if the first try did create the invoice, the backend answers
 *   conflict instead of making a second one;
 * - after a conflict the next submit gets a new key.
 */
export class AttemptKeys {
  private key?: string;
  private body?: string;
  private pinned = false;

  constructor(private readonly generate: () => string) {}

  keyFor(request: InvoiceRequest): string {
    const body = JSON.stringify(request);
    if (!this.key || (!this.pinned && this.body !== body)) {
      this.key = this.generate();
    }
    this.body = body;
    return this.key;
  }

  /** Records how the last attempt ended. */
  settle(outcome: { code: string; transient: boolean }): void {
    this.pinned = outcome.transient;
    if (outcome.code === 'conflict') {
      this.key = undefined;
      this.pinned = false;
    }
  }
}
