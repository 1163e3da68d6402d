import { afterEach, describe, expect, it } from 'vitest';
import {
  Alert,
  Button,
  EmptyState,
  ErrorState,
  Heading,
  Link,
  LoadingSpinner,
  Panel,
  StatusTag,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';
import { resetFetcher } from './api';
import {
  CARD_COMPANY_1001,
  CARD_DEAL_1011,
  CARD_DEAL_1029_EMPTY,
  CARD_NOT_CONNECTED,
  INV_AWAITING,
  INV_PAID,
  SENT_1001,
  UNLINKED,
  errorBody,
} from './test/fixtures';
import { button, buttons, click, context, deferred, fakeBackend, ok, renderCard, shown, until } from './test/testkit';
import type { Renderer } from './test/testkit';

const DEAL_CARD = '/api/v1/records/deals/1011/invoices';

afterEach(() => resetFetcher());

function rowOf(r: Renderer, number: string) {
  const row = r.findAll(TableRow).find((tr) => tr.maybeFind(Link, (l) => l.text === number));
  if (!row) throw new Error(`no row for invoice ${number}`);
  return row;
}

/** The row under an invoice's row, holding its actions. */
function actionsOf(r: Renderer, number: string) {
  const rows = r.findAll(TableRow);
  const i = rows.findIndex((tr) => tr.maybeFind(Link, (l) => l.text === number));
  if (i < 0 || !rows[i + 1]) throw new Error(`no actions for invoice ${number}`);
  return rows[i + 1];
}

describe('the list', () => {
  it('shows a spinner while loading', async () => {
    const be = fakeBackend();
    const later = deferred();
    be.on('GET', DEAL_CARD, later.promise);
    const { r } = renderCard();
    expect(r.find(LoadingSpinner).props.label).toBe('Loading invoices');
    later.resolve(ok(CARD_DEAL_1011));
    await until(r, () => expect(r.maybeFind(LoadingSpinner, { label: 'Loading invoices' })).toBeNull());
    expect(r.findAll(StatusTag)).toHaveLength(3);
  });

  it('asks for the record by its object type', async () => {
    const be = fakeBackend();
    be.on('GET', '/api/v1/records/contacts/1004/invoices', ok({ ...CARD_DEAL_1029_EMPTY, record: { objectType: 'contacts', objectId: '1004' } }));
    be.on('GET', '/api/v1/records/companies/1001/invoices', ok(CARD_COMPANY_1001));
    const contact = renderCard(context('0-1', 1004)).r;
    const company = renderCard(context('0-2', 1001)).r;
    await until(contact, () => expect(contact.find(EmptyState)).toBeTruthy());
    await until(company, () => expect(company.findAll(Heading)).toHaveLength(2));
    expect(be.unrouted).toEqual([]);
  });

  it('lists one company without a heading, each invoice with its number link, amounts, due date and status', async () => {
    const be = fakeBackend();
    be.on('GET', DEAL_CARD, ok(CARD_DEAL_1011));
    const { r } = renderCard();
    await until(r, () => expect(r.findAll(StatusTag)).toHaveLength(3));
    expect(r.maybeFind(Heading)).toBeNull();
    const row = rowOf(r, '1001');
    expect(row.find(Link).props.href).toEqual({ url: INV_AWAITING.webUrl, external: true });
    const text = row.toString();
    expect(text).toContain('Acme Corporation');
    expect(text).toContain('$300.00');
    expect(text).toContain('Due Dec 28, 2026');
    expect(text).toContain('Balance $300.00');
    expect(row.find(StatusTag).text).toBe('Waiting to be sent');
    expect(actionsOf(r, '1001').find(Link, (l) => l.text === 'Open in QuickBooks').props.href).toEqual({ url: INV_AWAITING.webUrl, external: true });
    expect(rowOf(r, '1004').toString()).toContain('$105.84');
    // The actions are there.
    expect(button(r, 'Create invoice').props.disabled).toBe(false);
    expect(button(r, 'Add existing invoice').props.disabled).toBe(false);
  });

  it('groups by company with headings, colours each status and shows a stale notice', async () => {
    const be = fakeBackend();
    be.on('GET', '/api/v1/records/companies/1001/invoices', ok(CARD_COMPANY_1001));
    const { r } = renderCard(context('0-2', 1001));
    await until(r, () => expect(r.findAll(Heading)).toHaveLength(2));
    expect(r.findAll(Heading).map((h) => h.text)).toEqual(['Northwind Traders (US)', 'Maple Leaf Supplies Ltd']);
    const tags = Object.fromEntries(r.findAll(StatusTag).map((t) => [t.text, t.props.variant]));
    expect(tags).toEqual({
      'Waiting to be sent': 'default',
      'Sent to customer': 'info',
      'Partial payment': 'warning',
      'Paid in full': 'success',
      Voided: 'default',
      Overdue: 'danger',
    });
    const notice = r.find(Alert, (a) => a.props.title === 'Showing the last known state');
    expect(notice.text).toBe('QuickBooks is busy; showing the last known state.');
    expect(rowOf(r, 'MLS-0003').toString()).toContain('CA$50.00');
  });

  it('says when QuickBooks is disconnected for a group', async () => {
    const be = fakeBackend();
    const disconnected = { ...CARD_COMPANY_1001.groups[1].connection, state: 'disconnected' as const };
    be.on(
      'GET',
      DEAL_CARD,
      ok({
        ...CARD_DEAL_1011,
        groups: [
          { ...CARD_DEAL_1011.groups[0] },
          { ...CARD_COMPANY_1001.groups[1], connection: disconnected, notice: 'QuickBooks disconnected: showing the last known state.' },
        ],
      }),
    );
    const { r } = renderCard();
    await until(r, () => expect(r.maybeFind(Alert, { title: 'QuickBooks disconnected' })).not.toBeNull());
    const notice = r.find(Alert, { title: 'QuickBooks disconnected' });
    expect(notice.find(Text).text).toBe('QuickBooks disconnected: showing the last known state.');
    // The other company is connected, so the card offers to connect this one in its group.
    expect(notice.find(Button).text).toBe('Connect QuickBooks');
    expect(buttons(r, 'Connect QuickBooks')).toHaveLength(1);
    // No Send on an invoice of a disconnected company.
    expect(actionsOf(r, 'MLS-0003').maybeFind(Button, (b) => b.text === 'Send')).toBeNull();
  });

  it('shows "No invoices yet" with the actions and the hint', async () => {
    const be = fakeBackend();
    be.on('GET', '/api/v1/records/deals/1029/invoices', ok(CARD_DEAL_1029_EMPTY));
    const { r } = renderCard(context('0-3', 1029));
    await until(r, () => expect(r.maybeFind(EmptyState)).not.toBeNull());
    const empty = r.find(EmptyState);
    expect(empty.props.title).toBe('No invoices yet');
    expect(button(r, 'Create invoice').props.disabled).toBe(false);
    expect(button(r, 'Add existing invoice').props.disabled).toBe(false);
    expect(shown(r)).toContain('This deal has no quote; you can create an invoice from scratch.');
  });

  it('shows an error with "Try again", which loads again', async () => {
    const be = fakeBackend();
    be.on('GET', DEAL_CARD, ok(errorBody('unavailable', 'QuickBooks is busy. Try again in a minute.'), 503), ok(CARD_DEAL_1011));
    const { r } = renderCard();
    await until(r, () => expect(r.maybeFind(ErrorState)).not.toBeNull());
    expect(r.find(ErrorState).props.title).toBe('Could not load the invoices');
    expect(r.find(ErrorState).find(Text).text).toBe('QuickBooks is busy. Try again in a minute.');
    click(r, 'Try again');
    await until(r, () => expect(r.findAll(StatusTag)).toHaveLength(3));
    expect(be.callsTo('GET', DEAL_CARD)).toHaveLength(2);
  });

  it('treats a failed transport as an error', async () => {
    const be = fakeBackend();
    be.on('GET', DEAL_CARD, () => {
      throw new Error('socket hang up');
    });
    const { r } = renderCard();
    await until(r, () => expect(r.maybeFind(ErrorState)).not.toBeNull());
    expect(button(r, 'Try again')).toBeTruthy();
  });

  it('asks to reconnect on not_connected', async () => {
    const be = fakeBackend();
    be.on('GET', DEAL_CARD, ok(errorBody('not_connected', 'QuickBooks refused the connection.'), 424));
    const { r } = renderCard();
    await until(r, () => expect(r.maybeFind(ErrorState)).not.toBeNull());
    expect(r.find(ErrorState).props.title).toBe('Reconnect QuickBooks');
    expect(r.find(ErrorState).find(Text).text).toBe('QuickBooks refused the connection.');
    expect(r.find(ErrorState).find(Button, (b) => b.text === 'Reconnect QuickBooks')).toBeTruthy();
    expect(button(r, 'Try again')).toBeTruthy();
  });

  it('disables the actions with the reason and guides to connect QuickBooks', async () => {
    const be = fakeBackend();
    be.on('GET', DEAL_CARD, ok(CARD_NOT_CONNECTED));
    const { r } = renderCard();
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Connect QuickBooks' })).not.toBeNull());
    expect(r.find(Alert, { title: 'Connect QuickBooks' }).find(Text).text).toBe(
      'No QuickBooks Online company is connected to this HubSpot account yet. Connect one to create and add invoices here.',
    );
    expect(r.find(Alert, { title: 'Connect QuickBooks' }).find(Button).text).toBe('Connect QuickBooks');
    expect(button(r, 'Create invoice').props.disabled).toBe(true);
    expect(button(r, 'Add existing invoice').props.disabled).toBe(true);
    expect(r.maybeFind(Panel)).toBeNull();
    expect(r.findAll(Text, (t) => t.text === 'Connect a QuickBooks company first.')).toHaveLength(1);
  });

  it('keeps the list when a refresh after a change fails', async () => {
    const be = fakeBackend();
    be.on('GET', DEAL_CARD, ok(CARD_DEAL_1011), ok(errorBody('unavailable', 'QuickBooks is busy.'), 503));
    be.on('DELETE', `/api/v1/records/deals/1011/invoice-links/${INV_PAID.linkId}`, ok(UNLINKED));
    const { r } = renderCard();
    await until(r, () => expect(r.findAll(StatusTag)).toHaveLength(3));
    actionsOf(r, '1004').find(Button, (b) => b.text === 'Remove from record').trigger('onClick');
    actionsOf(r, '1004').find(Button, (b) => b.text === 'Yes, remove').trigger('onClick');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Could not refresh the invoices' })).not.toBeNull());
    expect(r.findAll(StatusTag)).toHaveLength(3);
    expect(r.maybeFind(ErrorState)).toBeNull();
  });

  it('refuses record types other than deals, contacts and companies', () => {
    fakeBackend();
    const { r } = renderCard(context('0-5', 1));
    expect(r.find(ErrorState).props.title).toBe('This record type is not supported');
  });
});

describe('row actions', () => {
  it('sends an invoice with an idempotency key, then refreshes', async () => {
    const be = fakeBackend();
    be.on('GET', DEAL_CARD, ok(CARD_DEAL_1011));
    be.on('POST', `/api/v1/connections/${CARD_DEAL_1011.connections[0].id}/invoices/1/send`, ok(SENT_1001));
    const { r, actions } = renderCard();
    await until(r, () => expect(r.findAll(StatusTag)).toHaveLength(3));
    // Only open invoices can be sent.
    expect(actionsOf(r, '1004').maybeFind(Button, (b) => b.text === 'Send')).toBeNull();
    expect(actionsOf(r, '1006').maybeFind(Button, (b) => b.text === 'Send')).toBeNull();
    actionsOf(r, '1001').find(Button, (b) => b.text === 'Send').trigger('onClick');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Sent invoice 1001' })).not.toBeNull());
    const [send] = be.callsTo('POST', `/api/v1/connections/${CARD_DEAL_1011.connections[0].id}/invoices/1/send`);
    expect(send.body.idempotencyKey).toMatch(/^.{8,100}$/);
    expect(r.find(Alert, { title: 'Sent invoice 1001' }).text).toContain('ap@acme.example');
    await until(r, () => expect(be.callsTo('GET', DEAL_CARD)).toHaveLength(2));
    expect(actions.refreshObjectProperties).toHaveBeenCalled();
  });

  it('keeps the send key when a send is retried after a timeout', async () => {
    const be = fakeBackend();
    const sendPath = `/api/v1/connections/${CARD_DEAL_1011.connections[0].id}/invoices/1/send`;
    be.on('GET', DEAL_CARD, ok(CARD_DEAL_1011));
    be.on('POST', sendPath, ok(errorBody('unavailable', 'QuickBooks did not answer in time.'), 503), ok(SENT_1001));
    const { r } = renderCard();
    await until(r, () => expect(r.findAll(StatusTag)).toHaveLength(3));
    actionsOf(r, '1001').find(Button, (b) => b.text === 'Send').trigger('onClick');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Could not send invoice 1001' })).not.toBeNull());
    actionsOf(r, '1001').find(Button, (b) => b.text === 'Send').trigger('onClick');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Sent invoice 1001' })).not.toBeNull());
    const keys = be.callsTo('POST', sendPath).map((c) => c.body.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it('removes a link after a confirmation, then refreshes', async () => {
    const be = fakeBackend();
    be.on('GET', DEAL_CARD, ok(CARD_DEAL_1011));
    const del = `/api/v1/records/deals/1011/invoice-links/${INV_PAID.linkId}`;
    be.on('DELETE', del, ok(UNLINKED));
    const { r, actions } = renderCard();
    await until(r, () => expect(r.findAll(StatusTag)).toHaveLength(3));
    actionsOf(r, '1004').find(Button, (b) => b.text === 'Remove from record').trigger('onClick');
    // Nothing happens before the rep confirms; Cancel backs out.
    expect(be.callsTo('DELETE', del)).toHaveLength(0);
    expect(actionsOf(r, '1004').toString()).toContain('Remove 1004 from this record? It stays in QuickBooks.');
    actionsOf(r, '1004').find(Button, (b) => b.text === 'Cancel').trigger('onClick');
    expect(actionsOf(r, '1004').maybeFind(Button, (b) => b.text === 'Yes, remove')).toBeNull();
    actionsOf(r, '1004').find(Button, (b) => b.text === 'Remove from record').trigger('onClick');
    actionsOf(r, '1004').find(Button, (b) => b.text === 'Yes, remove').trigger('onClick');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Removed invoice 1004 from this record' })).not.toBeNull());
    expect(be.callsTo('DELETE', del)).toHaveLength(1);
    await until(r, () => expect(be.callsTo('GET', DEAL_CARD)).toHaveLength(2));
    expect(actions.refreshObjectProperties).toHaveBeenCalled();
  });

  it('reports a failed removal', async () => {
    const be = fakeBackend();
    be.on('GET', DEAL_CARD, ok(CARD_DEAL_1011));
    be.on('DELETE', `/api/v1/records/deals/1011/invoice-links/${INV_PAID.linkId}`, ok(errorBody('not_found', 'This invoice is not on the record.'), 404));
    const { r } = renderCard();
    await until(r, () => expect(r.findAll(StatusTag)).toHaveLength(3));
    actionsOf(r, '1004').find(Button, (b) => b.text === 'Remove from record').trigger('onClick');
    actionsOf(r, '1004').find(Button, (b) => b.text === 'Yes, remove').trigger('onClick');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Could not remove invoice 1004' })).not.toBeNull());
    expect(r.find(Alert, { title: 'Could not remove invoice 1004' }).text).toBe('This invoice is not on the record.');
    expect(buttons(r, 'Remove from record').length).toBe(3);
  });
});
