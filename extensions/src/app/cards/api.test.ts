import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, api, parseFieldErrors, resetFetcher, setFetcher } from './api';
import type { Fetcher } from './api';
import { BACKEND_URL } from './config';

afterEach(() => {
  resetFetcher();
  vi.unstubAllGlobals();
});

function answer(status: number, body: unknown): ReturnType<Fetcher> {
  return Promise.resolve({ ok: status >= 200 && status < 300, status, json: async () => body });
}

describe('parseFieldErrors', () => {
  it('keys each problem by its field path', () => {
    expect(
      parseFieldErrors(
        'Please fix: dueDate: the due date 2026-11-01 is before the invoice date 2026-11-28; lines[0].taxCodeId: US lines are TAX or NON (QuickBooks works out the rate); lines[1].itemId: choose a QuickBooks product or service.',
      ),
    ).toEqual({
      dueDate: 'the due date 2026-11-01 is before the invoice date 2026-11-28',
      'lines[0].taxCodeId': 'US lines are TAX or NON (QuickBooks works out the rate)',
      'lines[1].itemId': 'choose a QuickBooks product or service',
    });
  });

  it('keeps colons inside messages, whole-line paths and pathless problems', () => {
    expect(
      parseFieldErrors(
        'Please fix: customer.new.displayName: QuickBooks names cannot contain a colon, tab or line break; lines[0]: 1.5 × 10.33 has more than two decimals; round the quantity or the price; docNumber: Maple Leaf Supplies Ltd numbers its invoices itself; an invoice number is required (next suggested: MLS-0004).',
      ),
    ).toEqual({
      'customer.new.displayName': 'QuickBooks names cannot contain a colon, tab or line break',
      'lines[0]': '1.5 × 10.33 has more than two decimals',
      '': 'round the quantity or the price; an invoice number is required (next suggested: MLS-0004)',
      docNumber: 'Maple Leaf Supplies Ltd numbers its invoices itself',
    });
  });

  it('finds nothing in other messages', () => {
    expect(parseFieldErrors('QuickBooks is busy.')).toEqual({});
  });
});

describe('calls', () => {
  it('builds URLs on the one backend and sends bodies', async () => {
    const fetcher = vi.fn<Fetcher>(() => answer(200, { invoices: [], dealProperties: { written: false } }));
    setFetcher(fetcher);
    await api.searchInvoices('c1', { q: 'acme & co', objectType: 'deals', objectId: '1011', page: 2 });
    await api.draft('deals', '1011', 'c1');
    await api.draft('deals', '1011', 'c1', '1014');
    await api.addInvoiceLinks('contacts', '1004', { connectionId: 'c1', invoiceIds: ['2'] });
    await api.removeInvoiceLink('companies', '1001', 'abc');
    expect(fetcher.mock.calls.map(([url, init]) => [url, init.method, init.body])).toEqual([
      [`${BACKEND_URL}/api/v1/connections/c1/invoices?q=acme%20%26%20co&objectType=deals&objectId=1011&page=2`, 'GET', undefined],
      [`${BACKEND_URL}/api/v1/records/deals/1011/invoice-draft?connectionId=c1`, 'GET', undefined],
      [`${BACKEND_URL}/api/v1/records/deals/1011/invoice-draft?connectionId=c1&quoteId=1014`, 'GET', undefined],
      [`${BACKEND_URL}/api/v1/records/contacts/1004/invoice-links`, 'POST', { connectionId: 'c1', invoiceIds: ['2'] }],
      [`${BACKEND_URL}/api/v1/records/companies/1001/invoice-links/abc`, 'DELETE', undefined],
    ]);
    expect(fetcher.mock.calls[0][1].timeout).toBe(15000);
  });

  it('starts connecting QuickBooks with a bodiless POST and checks the answer', async () => {
    const url = 'https://appcenter.intuit.com/connect/oauth2?client_id=abc&state=s1';
    const fetcher = vi.fn<Fetcher>(() => answer(200, { authorizeUrl: url }));
    setFetcher(fetcher);
    await expect(api.startConnect()).resolves.toEqual({ authorizeUrl: url });
    expect(fetcher.mock.calls.map(([u, init]) => [u, init.method, init.body])).toEqual([
      [`${BACKEND_URL}/api/v1/connections/quickbooks/connect`, 'POST', undefined],
    ]);
    setFetcher(() => answer(200, {}));
    await expect(api.startConnect()).rejects.toMatchObject({ code: 'bad_response' });
    setFetcher(() => answer(500, { error: { code: 'internal', message: 'Connecting QuickBooks is not configured.', requestId: 'r2' } }));
    await expect(api.startConnect()).rejects.toMatchObject({ code: 'internal', status: 500, message: 'Connecting QuickBooks is not configured.' });
  });

  it('parses the error envelope into a typed error with its fields', async () => {
    setFetcher(() =>
      answer(400, { error: { code: 'invalid', message: 'Please fix: docNumber: at most 21 characters.', requestId: 'r1' } }),
    );
    const err = await api.recordInvoices('deals', '1011').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'invalid', status: 400, requestId: 'r1', fields: { docNumber: 'at most 21 characters' } });
    expect(err.transient).toBe(false);
  });

  it('classifies answers without an envelope, the dev proxy wrapper and transport failures', async () => {
    setFetcher(() => answer(502, 'Bad gateway'));
    await expect(api.recordInvoices('deals', '1')).rejects.toMatchObject({ code: 'unavailable', transient: true });
    setFetcher(() => answer(200, { category: 'BAD_GATEWAY', appServerStatusCode: 500, message: 'failed' }));
    await expect(api.recordInvoices('deals', '1')).rejects.toMatchObject({ code: 'internal', transient: true });
    setFetcher(() => Promise.reject(new Error('offline')));
    await expect(api.recordInvoices('deals', '1')).rejects.toMatchObject({ code: 'network', status: 0 });
    setFetcher(() => Promise.resolve({ ok: true, status: 200, json: () => Promise.reject(new Error('not json')) }));
    await expect(api.recordInvoices('deals', '1')).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('goes through hubspot.fetch by default', async () => {
    const hsFetch = vi.fn(() => answer(200, { customers: [] }));
    vi.stubGlobal('self', { hsFetch });
    await api.customers('c1', 'glob');
    expect(hsFetch).toHaveBeenCalledWith(`${BACKEND_URL}/api/v1/connections/c1/customers?q=glob`, {
      method: 'GET',
      body: undefined,
      timeout: 15000,
    });
  });
});
