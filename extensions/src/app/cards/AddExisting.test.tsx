import { afterEach, describe, expect, it } from 'vitest';
import { Alert, Checkbox, Input, Panel, Select, StatusTag, TableRow } from '@hubspot/ui-extensions';
import { resetFetcher } from './api';
import {
  ADDED_2_3,
  CA,
  CARD_DEAL_1011,
  CARD_DEAL_1011_ONE_COMPANY,
  SEARCH_ALL,
  SEARCH_GLOBEX,
  US,
  errorBody,
  searched,
} from './test/fixtures';
import { button, click, fakeBackend, ok, renderCard, shown, until } from './test/testkit';
import type { Renderer } from './test/testkit';
import type { RecordInvoices } from './types';

afterEach(() => resetFetcher());

const CARD = '/api/v1/records/deals/1011/invoices';
const SEARCH = (id: string) => `/api/v1/connections/${id}/invoices`;
const LINKS = '/api/v1/records/deals/1011/invoice-links';

async function openAdd(r: Renderer) {
  await until(r, () => expect(button(r, 'Add existing invoice').props.disabled).toBe(false));
  click(r, 'Add existing invoice');
  await until(r, () => expect(r.maybeFind(Input, { label: 'Search invoices' })).not.toBeNull());
}

function rowOf(r: Renderer, number: string) {
  const panel = r.find(Panel, { id: 'add-existing-invoice-panel' });
  const row = panel.findAll(TableRow).find((tr) => tr.toString().includes(`"${number}"`));
  if (!row) throw new Error(`no result ${number}`);
  return row;
}

function setup(card: RecordInvoices = CARD_DEAL_1011_ONE_COMPANY) {
  const be = fakeBackend();
  be.on('GET', CARD, ok(card));
  const { r, actions } = renderCard();
  return { be, r, actions };
}

describe('add existing invoices', () => {
  it("lists the company's invoices, marks the linked ones and adds the ticked ones", async () => {
    const { be, r, actions } = setup();
    be.on('GET', SEARCH(US.id), ok(SEARCH_ALL));
    be.on('POST', LINKS, ok(ADDED_2_3, 201));
    await openAdd(r);
    await until(r, () => expect(r.findAll(Checkbox)).toHaveLength(2));
    expect(be.callsTo('GET', SEARCH(US.id))[0].query).toEqual({ q: '', objectType: 'deals', objectId: '1011', page: '1' });
    // The company has one connection: no company choice.
    expect(r.maybeFind(Select, { label: 'QuickBooks company' })).toBeNull();

    // 1001 is already linked: marked, no checkbox.
    expect(rowOf(r, '1001').toString()).toContain('Already on this record');
    expect(rowOf(r, '1001').maybeFind(Checkbox)).toBeNull();
    expect(rowOf(r, '1003').find(StatusTag).props.variant).toBe('warning');
    expect(button(r, 'Add').props.disabled).toBe(true);

    rowOf(r, '1002').find(Checkbox).trigger('onChange', true as never);
    rowOf(r, '1003').find(Checkbox).trigger('onChange', true as never);
    expect(rowOf(r, '1002').find(Checkbox).props.checked).toBe(true);
    expect(shown(r)).toContain('2 selected');
    expect(button(r, 'Add').props.disabled).toBe(false);

    // After adding, the search runs again and shows them linked.
    be.set(
      'GET',
      SEARCH(US.id),
      ok({ ...SEARCH_ALL, invoices: SEARCH_ALL.invoices.map((i) => ({ ...i, linked: true, linkId: i.linkId ?? `link-${i.invoiceId}` })) }),
    );
    click(r, 'Add');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Added 2 invoices: 1002, 1003' })).not.toBeNull());
    expect(be.callsTo('POST', LINKS)[0].body).toEqual({ connectionId: US.id, invoiceIds: ['2', '3'] });
    await until(r, () => expect(r.findAll(Checkbox)).toHaveLength(0));
    expect(button(r, 'Add').props.disabled).toBe(true);
    // The card lists again and the deal's properties are refreshed.
    await until(r, () => expect(be.callsTo('GET', CARD).length).toBeGreaterThanOrEqual(2));
    expect(actions.refreshObjectProperties).toHaveBeenCalled();
  });

  it('searches as the rep types, starting at page one', async () => {
    const { be, r } = setup();
    be.on('GET', SEARCH(US.id), (c) =>
      ok(c.query.q === 'globex' ? SEARCH_GLOBEX : c.query.page === '2' ? { ...SEARCH_ALL, page: 2, more: false, invoices: [searched({ invoiceId: '7', number: '1005' })] } : { ...SEARCH_ALL, more: true }),
    );
    await openAdd(r);
    await until(r, () => expect(r.findAll(Checkbox)).toHaveLength(2));
    click(r, 'More results');
    await until(r, () => expect(rowOf(r, '1005')).toBeTruthy());
    expect(be.callsTo('GET', SEARCH(US.id)).at(-1)!.query.page).toBe('2');
    click(r, 'Previous page');
    await until(r, () => expect(r.findAll(Checkbox)).toHaveLength(2));

    r.find(Input, { label: 'Search invoices' }).trigger('onInput', 'globex' as never);
    await until(r, () => expect(r.findAll(Checkbox)).toHaveLength(1));
    expect(be.callsTo('GET', SEARCH(US.id)).at(-1)!.query).toEqual({ q: 'globex', objectType: 'deals', objectId: '1011', page: '1' });
    expect(rowOf(r, '1002').toString()).toContain('Globex LLC');
  });

  it('says when nothing matches, and searches another company', async () => {
    const { be, r } = setup(CARD_DEAL_1011);
    be.on('GET', SEARCH(US.id), ok({ ...SEARCH_ALL, invoices: [] }));
    be.on('GET', SEARCH(CA.id), ok({ connection: CA, page: 1, more: false, invoices: [searched({ invoiceId: '1', number: 'MLS-0001', currency: 'CAD', total: '1073.50' })] }));
    await openAdd(r);
    await until(r, () => expect(shown(r)).toContain('Northwind Traders (US) has no invoices.'));
    r.find(Select, { label: 'QuickBooks company' }).trigger('onChange', CA.id as never);
    await until(r, () => expect(r.findAll(Checkbox)).toHaveLength(1));
    expect(rowOf(r, 'MLS-0001').toString()).toContain('CA$1,073.50');
  });

  it('shows a failed search with "Try again"', async () => {
    const { be, r } = setup();
    be.on('GET', SEARCH(US.id), ok(errorBody('unavailable', 'QuickBooks is busy.'), 503), ok(SEARCH_ALL));
    await openAdd(r);
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Could not search the invoices' })).not.toBeNull());
    click(r, 'Try again');
    await until(r, () => expect(r.findAll(Checkbox)).toHaveLength(2));
  });

  it('reports invoices that were already there and a failed add', async () => {
    const { be, r } = setup();
    be.on('GET', SEARCH(US.id), ok(SEARCH_ALL));
    be.on(
      'POST',
      LINKS,
      ok({ invoices: [{ added: false, invoice: ADDED_2_3.invoices[0].invoice }], dealProperties: { written: true } }, 200),
      ok(errorBody('not_connected', 'QuickBooks refused the connection; reconnect it.'), 424),
    );
    await openAdd(r);
    await until(r, () => expect(r.findAll(Checkbox)).toHaveLength(2));
    rowOf(r, '1002').find(Checkbox).trigger('onChange', true as never);
    click(r, 'Add');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Nothing to add' })).not.toBeNull());
    expect(r.find(Alert, { title: 'Nothing to add' }).text).toBe('Already on this record: 1002.');
    await until(r, () => expect(r.findAll(Checkbox).length).toBe(2));
    rowOf(r, '1003').find(Checkbox).trigger('onChange', true as never);
    click(r, 'Add');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Could not add the invoices' })).not.toBeNull());
    expect(r.find(Alert, { title: 'Could not add the invoices' }).text).toBe('QuickBooks refused the connection; reconnect it.');
  });

  it('closes with Close', async () => {
    const { be, r, actions } = setup();
    be.on('GET', SEARCH(US.id), ok(SEARCH_ALL));
    await openAdd(r);
    click(r, 'Close');
    expect(actions.closeOverlay).toHaveBeenCalledWith('add-existing-invoice-panel');
  });
});
