import { describe, expect, it } from 'vitest';
import {
  AttemptKeys,
  NEW_CUSTOMER,
  buildRequest,
  checkStep,
  firstErrorStep,
  formFromDraft,
  stepOfPath,
  stepsFor,
  termDueDate,
  totals,
} from './createModel';
import { addDays, formatDate, formatMoney, fromDateValue, lineAmountCents, normalizeMoney, statusVariant, toDateValue } from './format';
import { DRAFT_1011_QUOTE, DRAFT_1029_SCRATCH, DRAFT_1031_CA } from './test/fixtures';

describe('steps', () => {
  it('skips Company with one company and Tax without tax codes', () => {
    expect(stepsFor({ connections: 1, hasTaxCodes: false })).toEqual(['source', 'customer', 'products', 'terms', 'review']);
    expect(stepsFor({ connections: 2, hasTaxCodes: true })).toEqual(['company', 'source', 'customer', 'products', 'tax', 'terms', 'review']);
  });

  it('maps field paths to steps', () => {
    const all = stepsFor({ connections: 2, hasTaxCodes: true });
    const noTax = stepsFor({ connections: 1, hasTaxCodes: false });
    expect(stepOfPath('connectionId', all)).toBe('company');
    expect(stepOfPath('connectionId', noTax)).toBe('source');
    expect(stepOfPath('quoteId', all)).toBe('source');
    expect(stepOfPath('customer.new.displayName', all)).toBe('customer');
    expect(stepOfPath('lines[3].taxCodeId', all)).toBe('tax');
    expect(stepOfPath('lines[3].taxCodeId', noTax)).toBe('products');
    expect(stepOfPath('lines[0]', all)).toBe('products');
    expect(stepOfPath('docNumber', all)).toBe('terms');
    expect(stepOfPath('', all)).toBe('review');
    expect(firstErrorStep({ docNumber: 'x', 'lines[1].taxCodeId': 'y' }, all)).toBe('tax');
    expect(firstErrorStep({}, all)).toBeUndefined();
  });
});

describe('form and request', () => {
  it('posts an unchanged draft back as it came', () => {
    expect(buildRequest(DRAFT_1031_CA, formFromDraft(DRAFT_1031_CA))).toEqual(DRAFT_1031_CA.invoice);
  });

  it('checks what the backend would refuse', () => {
    const form = formFromDraft(DRAFT_1011_QUOTE);
    expect(checkStep('products', form, DRAFT_1011_QUOTE)).toEqual({ 'lines[1].itemId': 'Choose a QuickBooks product or service.' });
    form.lines[0].quantity = '1.5';
    form.lines[0].unitPrice = '10.33';
    expect(checkStep('products', form, DRAFT_1011_QUOTE)['lines[0].quantity']).toContain('more than two decimals');
    form.lines[0].quantity = '0';
    expect(checkStep('products', form, DRAFT_1011_QUOTE)['lines[0].quantity']).toContain('above 0');

    const ca = formFromDraft(DRAFT_1031_CA);
    ca.lines[0].taxCodeId = '';
    ca.docNumber = ' ';
    ca.dueDate = '2026-11-01';
    expect(checkStep('tax', ca, DRAFT_1031_CA)).toEqual({ 'lines[0].taxCodeId': 'Choose a tax code.' });
    expect(Object.keys(checkStep('terms', ca, DRAFT_1031_CA)).sort()).toEqual(['docNumber', 'dueDate']);

    const nc = formFromDraft(DRAFT_1029_SCRATCH);
    expect(nc.customerChoice).toBe(NEW_CUSTOMER);
    nc.newCustomer.displayName = 'A: B';
    expect(checkStep('customer', nc, DRAFT_1029_SCRATCH)['customer.new.displayName']).toContain('colon');
  });

  it('totals the lines in cents', () => {
    const form = formFromDraft(DRAFT_1011_QUOTE);
    expect(totals(form)).toEqual({ lines: ['300.00', '450.00'], subtotal: '750.00' });
    expect(lineAmountCents('1.5', '0.33')).toBe(50);
  });
});

describe('idempotency keys', () => {
  const body = buildRequest(DRAFT_1031_CA, formFromDraft(DRAFT_1031_CA));
  const changed = { ...body, docNumber: 'MLS-0009' };
  const counter = () => {
    let n = 0;
    return () => `key-0000${++n}`;
  };

  it('keeps the key for the same body and changes it for another after a definite answer', () => {
    const keys = new AttemptKeys(counter());
    expect(keys.keyFor(body)).toBe('key-00001');
    keys.settle({ code: 'invalid', transient: false });
    expect(keys.keyFor(body)).toBe('key-00001');
    keys.settle({ code: 'invalid', transient: false });
    expect(keys.keyFor(changed)).toBe('key-00002');
  });

  it('keeps the key after an unknown outcome even for a changed body, and drops it after a conflict', () => {
    const keys = new AttemptKeys(counter());
    keys.keyFor(body);
    keys.settle({ code: 'unavailable', transient: true });
    expect(keys.keyFor(changed)).toBe('key-00001');
    keys.settle({ code: 'conflict', transient: false });
    expect(keys.keyFor(changed)).toBe('key-00002');
  });
});

describe('format', () => {
  it('colours statuses', () => {
    expect(['awaiting_send', 'sent', 'partially_paid', 'paid', 'overdue', 'voided', undefined].map(statusVariant)).toEqual([
      'default',
      'info',
      'warning',
      'success',
      'danger',
      'default',
      'default',
    ]);
  });

  it('formats money and dates', () => {
    expect(formatMoney('1073.50', 'CAD')).toBe('CA$1,073.50');
    expect(formatMoney('297.00', 'USD')).toBe('$297.00');
    expect(formatMoney('10.00', 'ZZZZ')).toBe('10.00 ZZZZ');
    expect(normalizeMoney('450')).toBe('450.00');
    expect(normalizeMoney('4.5.0')).toBeUndefined();
    expect(formatDate('2026-12-28')).toBe('Dec 28, 2026');
    expect(toDateValue('2026-12-28')).toEqual({ year: 2026, month: 11, date: 28 });
    expect(fromDateValue({ year: 2026, month: 0, date: 5 })).toBe('2026-01-05');
    expect(addDays('2026-11-28', 30)).toBe('2026-12-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});

describe('term due dates', () => {
  it('adds a standard term\'s days', () => {
    expect(termDueDate('2026-11-28', { id: '3', name: 'Net 30', dueDays: 30 })).toBe('2026-12-28');
  });

  // The same cases the backend checks against the QuickBooks fake (server/terms_test.go).
  it('puts a date-driven term on its day, next month within its window', () => {
    const term = { id: '9', name: '15th, next month late', dueDays: 0, dayOfMonthDue: 15, dueNextMonthDays: 5 };
    const cases: [string, string][] = [
      ['2026-03-01', '2026-03-15'],
      ['2026-03-09', '2026-03-15'],
      ['2026-03-10', '2026-04-15'],
      ['2026-03-14', '2026-04-15'],
      ['2026-03-15', '2026-04-15'],
      ['2026-03-31', '2026-04-15'],
      ['2026-12-12', '2027-01-15'],
      ['2026-01-31', '2026-02-15'],
    ];
    for (const [txn, due] of cases) expect(termDueDate(txn, term), txn).toBe(due);
  });

  it('clamps the day to the month', () => {
    const term = { id: '8', name: 'End of month', dueDays: 0, dayOfMonthDue: 31 };
    expect(termDueDate('2027-02-10', term)).toBe('2027-02-28');
    expect(termDueDate('2027-01-31', term)).toBe('2027-02-28');
    expect(termDueDate('2028-01-31', term)).toBe('2028-02-29');
  });
});
