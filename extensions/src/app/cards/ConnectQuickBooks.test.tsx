import { afterEach, describe, expect, it, vi } from 'vitest';
import { Alert, Button, ErrorState, Link, LoadingSpinner, StatusTag, Text, ToggleGroup } from '@hubspot/ui-extensions';
import { resetFetcher } from './api';
import { AUTHORIZE_LINK_TTL_MS } from './ConnectQuickBooks';
import {
  CA,
  CARD_COMPANY_1001,
  CARD_DEAL_1011,
  CARD_DEAL_1011_ONE_COMPANY,
  CARD_NOT_CONNECTED,
  DRAFT_1011_SCRATCH,
  US,
  errorBody,
} from './test/fixtures';
import { button, buttons, click, context, deferred, fakeBackend, ok, renderCard, until } from './test/testkit';
import type { Renderer } from './test/testkit';
import type { RecordInvoices } from './types';

afterEach(() => {
  resetFetcher();
  vi.useRealTimers();
});

const DEAL_CARD = '/api/v1/records/deals/1011/invoices';
const CONNECT = '/api/v1/connections/quickbooks/connect';
const AUTHORIZE_URL =
  'https://appcenter.intuit.com/connect/oauth2?client_id=abc&response_type=code&scope=com.intuit.quickbooks.accounting&redirect_uri=https%3A%2F%2Finvoices.example.com%2Foauth%2Fquickbooks%2Fcallback&state=s1';
const AUTHORIZE_URL_2 = AUTHORIZE_URL.replace('state=s1', 'state=s2');

/** The only company of the portal, waiting to be reconnected. */
const CARD_CA_NEEDS_RECONNECT: RecordInvoices = {
  ...CARD_COMPANY_1001,
  record: { objectType: 'deals', objectId: '1011' },
  connections: [{ ...CA, state: 'needs_reconnect' }],
  groups: [{ ...CARD_COMPANY_1001.groups[1], connection: { ...CA, state: 'needs_reconnect' }, notice: 'Reconnect QuickBooks to refresh these invoices.' }],
  actions: [
    { name: 'create_invoice', allowed: false, reason: 'Reconnect QuickBooks first.' },
    { name: 'add_invoice', allowed: false, reason: 'Reconnect QuickBooks first.' },
  ],
};

/** Two companies, the Canadian one waiting to be reconnected. */
const CARD_COMPANY_CA_NEEDS_RECONNECT: RecordInvoices = {
  ...CARD_COMPANY_1001,
  connections: [US, { ...CA, state: 'needs_reconnect' }],
  groups: [
    CARD_COMPANY_1001.groups[0],
    { ...CARD_COMPANY_1001.groups[1], connection: { ...CA, state: 'needs_reconnect' }, notice: 'Reconnect QuickBooks to refresh these invoices.' },
  ],
};

const guidance = (r: Renderer, title = 'Connect QuickBooks') => r.find(Alert, { title });

/** The texts (Text components) under a node. */
function texts(node: Pick<Renderer, 'findAll'>): string[] {
  return node.findAll(Text).map((t) => t.text ?? '');
}

async function showsLink(r: Renderer, url = AUTHORIZE_URL) {
  await until(r, () => expect(r.maybeFind(Link, (l) => l.text === 'Continue to QuickBooks')).not.toBeNull());
  expect(r.find(Link, (l) => l.text === 'Continue to QuickBooks').props.href).toEqual({ url, external: true });
}

describe('connecting QuickBooks from the card', () => {
  it('without a company: "Connect QuickBooks" asks the backend for the consent page, then links to it', async () => {
    const be = fakeBackend();
    const answer = deferred();
    be.on('GET', DEAL_CARD, ok(CARD_NOT_CONNECTED));
    be.on('POST', CONNECT, answer.promise);
    const { r } = renderCard();
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Connect QuickBooks' })).not.toBeNull());
    const connect = guidance(r).find(Button, (b) => b.text === 'Connect QuickBooks');
    expect(connect.props.disabled).toBe(false);
    expect(connect.props.variant).toBe('primary');
    connect.trigger('onClick');

    // While the backend answers: the button waits, with a spinner.
    await until(r, () => expect(button(r, 'Connect QuickBooks').props.disabled).toBe(true));
    expect(r.find(LoadingSpinner).props.label).toBe('Opening QuickBooks');
    expect(be.callsTo('POST', CONNECT)).toEqual([{ method: 'POST', path: CONNECT, query: {}, body: undefined }]);

    answer.resolve(ok({ authorizeUrl: AUTHORIZE_URL }));
    await showsLink(r);
    expect(buttons(r, 'Connect QuickBooks')).toHaveLength(0);
    expect(r.maybeFind(LoadingSpinner)).toBeNull();
    expect(texts(guidance(r))).toContain(
      'QuickBooks opens in a new tab. Once you have connected the company there, come back here and click "I\'ve connected it".',
    );
    expect(button(r, "I've connected it").props.disabled).toBe(false);
    // Nothing else changed: the actions still wait for a company.
    expect(button(r, 'Create invoice').props.disabled).toBe(true);
    expect(be.unrouted).toEqual([]);
  });

  it('"I\'ve connected it" loads the card again, which then offers the actions', async () => {
    const be = fakeBackend();
    const again = deferred();
    be.on('GET', DEAL_CARD, ok(CARD_NOT_CONNECTED), again.promise);
    be.on('POST', CONNECT, ok({ authorizeUrl: AUTHORIZE_URL }));
    const { r } = renderCard();
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Connect QuickBooks' })).not.toBeNull());
    click(r, 'Connect QuickBooks');
    await showsLink(r);
    click(r, "I've connected it");

    // The card stays while it loads; the button waits.
    await until(r, () => expect(button(r, "I've connected it").props.disabled).toBe(true));
    expect(r.find(LoadingSpinner).props.label).toBe('Checking the QuickBooks connection');
    again.resolve(ok(CARD_DEAL_1011));

    await until(r, () => expect(r.findAll(StatusTag)).toHaveLength(3));
    expect(r.maybeFind(Alert, { title: 'Connect QuickBooks' })).toBeNull();
    expect(r.maybeFind(Link, (l) => l.text === 'Continue to QuickBooks')).toBeNull();
    expect(button(r, 'Create invoice').props.disabled).toBe(false);
    expect(be.calls.map((c) => `${c.method} ${c.path}`)).toEqual([`GET ${DEAL_CARD}`, `POST ${CONNECT}`, `GET ${DEAL_CARD}`]);
  });

  it('says so when QuickBooks is still not connected, and keeps the link', async () => {
    const be = fakeBackend();
    be.on('GET', DEAL_CARD, ok(CARD_NOT_CONNECTED));
    be.on('POST', CONNECT, ok({ authorizeUrl: AUTHORIZE_URL }));
    const { r } = renderCard();
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Connect QuickBooks' })).not.toBeNull());
    click(r, 'Connect QuickBooks');
    await showsLink(r);
    click(r, "I've connected it");
    await until(r, () =>
      expect(texts(guidance(r))).toContain(
        'QuickBooks is not connected yet. Finish in the QuickBooks tab, then click "I\'ve connected it" again.',
      ),
    );
    expect(be.callsTo('GET', DEAL_CARD)).toHaveLength(2);
    await showsLink(r);
    expect(button(r, "I've connected it").props.disabled).toBe(false);
    expect(be.callsTo('POST', CONNECT)).toHaveLength(1);
  });

  it("shows the backend's error and lets the rep try again", async () => {
    const be = fakeBackend();
    be.on('GET', DEAL_CARD, ok(CARD_NOT_CONNECTED));
    be.on(
      'POST',
      CONNECT,
      ok(errorBody('internal', 'Connecting QuickBooks is not configured.'), 500),
      ok({ authorizeUrl: AUTHORIZE_URL }),
    );
    const { r } = renderCard();
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Connect QuickBooks' })).not.toBeNull());
    click(r, 'Connect QuickBooks');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Could not start connecting QuickBooks' })).not.toBeNull());
    expect(r.find(Alert, { title: 'Could not start connecting QuickBooks' }).props.variant).toBe('danger');
    expect(r.find(Alert, { title: 'Could not start connecting QuickBooks' }).text).toBe('Connecting QuickBooks is not configured.');
    expect(r.maybeFind(Link, (l) => l.text === 'Continue to QuickBooks')).toBeNull();
    expect(button(r, 'Connect QuickBooks').props.disabled).toBe(false);

    click(r, 'Connect QuickBooks');
    await showsLink(r);
    expect(r.maybeFind(Alert, { title: 'Could not start connecting QuickBooks' })).toBeNull();
    expect(be.callsTo('POST', CONNECT)).toHaveLength(2);
  });

  it('refuses an answer without a consent page', async () => {
    const be = fakeBackend();
    be.on('GET', DEAL_CARD, ok(CARD_NOT_CONNECTED));
    be.on('POST', CONNECT, ok({ authorizeUrl: 'javascript:alert(1)' }));
    const { r } = renderCard();
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Connect QuickBooks' })).not.toBeNull());
    click(r, 'Connect QuickBooks');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Could not start connecting QuickBooks' })).not.toBeNull());
    expect(r.maybeFind(Link, (l) => l.text === 'Continue to QuickBooks')).toBeNull();
  });

  it('offers a new link before the old one expires', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    const be = fakeBackend();
    be.on('GET', DEAL_CARD, ok(CARD_NOT_CONNECTED));
    be.on('POST', CONNECT, ok({ authorizeUrl: AUTHORIZE_URL }), ok({ authorizeUrl: AUTHORIZE_URL_2 }));
    const { r } = renderCard();
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Connect QuickBooks' })).not.toBeNull());
    click(r, 'Connect QuickBooks');
    await showsLink(r);
    // The expiry is set by an effect, which runs after the render the check saw.
    await new Promise((resolve) => setTimeout(resolve, 0));
    vi.advanceTimersByTime(AUTHORIZE_LINK_TTL_MS - 1000);
    expect(r.maybeFind(Link, (l) => l.text === 'Continue to QuickBooks')).not.toBeNull();
    vi.advanceTimersByTime(1000);
    await until(r, () => expect(r.maybeFind(Link, (l) => l.text === 'Continue to QuickBooks')).toBeNull());
    expect(texts(guidance(r))).toContain('The link to QuickBooks expired. Click "Connect QuickBooks" for a new one.');
    click(r, 'Connect QuickBooks');
    await showsLink(r, AUTHORIZE_URL_2);
  });

  it('the only company needs reconnecting: one "Reconnect QuickBooks" for the card', async () => {
    const be = fakeBackend();
    be.on('GET', DEAL_CARD, ok(CARD_CA_NEEDS_RECONNECT));
    be.on('POST', CONNECT, ok({ authorizeUrl: AUTHORIZE_URL }));
    const { r } = renderCard();
    await until(r, () => expect(r.findAll(StatusTag)).toHaveLength(1));
    const alerts = r.findAll(Alert, { title: 'Reconnect QuickBooks' });
    expect(alerts).toHaveLength(2); // the card's guidance, then the company's notice
    expect(alerts[0].find(Text).text).toBe('The QuickBooks Online connection has to be renewed. Reconnect it to create and add invoices here.');
    expect(alerts[1].text).toBe('Reconnect QuickBooks to refresh these invoices.');
    expect(buttons(r, 'Reconnect QuickBooks')).toHaveLength(1);
    expect(alerts[0].find(Button).text).toBe('Reconnect QuickBooks');
    click(r, 'Reconnect QuickBooks');
    await showsLink(r);
    expect(be.callsTo('POST', CONNECT)).toHaveLength(1);
  });

  it('a company that needs reconnecting offers "Reconnect QuickBooks" in its group, and the card reloads', async () => {
    const be = fakeBackend();
    const company = '/api/v1/records/companies/1001/invoices';
    be.on('GET', company, ok(CARD_COMPANY_CA_NEEDS_RECONNECT), ok(CARD_COMPANY_1001));
    be.on('POST', CONNECT, ok({ authorizeUrl: AUTHORIZE_URL }));
    const { r } = renderCard(context('0-2', 1001));
    await until(r, () => expect(r.findAll(StatusTag)).toHaveLength(6));
    // No card-wide guidance: the US company works.
    expect(r.findAll(Alert, { title: 'Reconnect QuickBooks' })).toHaveLength(1);
    expect(button(r, 'Create invoice').props.disabled).toBe(false);
    const notice = r.find(Alert, { title: 'Reconnect QuickBooks' });
    expect(notice.find(Text).text).toBe('Reconnect QuickBooks to refresh these invoices.');
    notice.find(Button, (b) => b.text === 'Reconnect QuickBooks').trigger('onClick');
    await showsLink(r);
    expect(r.find(Alert, { title: 'Reconnect QuickBooks' }).find(Link).text).toBe('Continue to QuickBooks');
    click(r, "I've connected it");
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Reconnect QuickBooks' })).toBeNull());
    expect(r.find(Alert, { title: 'Showing the last known state' }).text).toBe('QuickBooks is busy; showing the last known state.');
    expect(be.callsTo('GET', company)).toHaveLength(2);
    expect(be.callsTo('POST', CONNECT)).toHaveLength(1);
  });

  it('a disconnected company without a notice still says so and offers "Connect QuickBooks"', async () => {
    const be = fakeBackend();
    const disconnected = { ...CA, state: 'disconnected' as const };
    be.on(
      'GET',
      DEAL_CARD,
      ok({
        ...CARD_DEAL_1011,
        connections: [US, disconnected],
        groups: [CARD_DEAL_1011.groups[0], { ...CARD_COMPANY_1001.groups[1], connection: disconnected, stale: false, notice: undefined }],
      }),
    );
    const { r } = renderCard();
    await until(r, () => expect(r.maybeFind(Alert, { title: 'QuickBooks disconnected' })).not.toBeNull());
    const notice = r.find(Alert, { title: 'QuickBooks disconnected' });
    expect(notice.find(Text).text).toBe('QuickBooks disconnected: showing the last known state.');
    expect(notice.find(Button).text).toBe('Connect QuickBooks');
  });

  it('when the card cannot be loaded for want of a connection, the link points back to "Try again"', async () => {
    const be = fakeBackend();
    be.on('GET', DEAL_CARD, ok(errorBody('not_connected', 'QuickBooks refused the connection.'), 424), ok(CARD_DEAL_1011));
    be.on('POST', CONNECT, ok({ authorizeUrl: AUTHORIZE_URL }));
    const { r } = renderCard();
    await until(r, () => expect(r.maybeFind(ErrorState)).not.toBeNull());
    click(r, 'Reconnect QuickBooks');
    await showsLink(r);
    expect(texts(r.find(ErrorState))).toContain(
      'QuickBooks opens in a new tab. Once you have connected the company there, come back here and click "Try again".',
    );
    expect(buttons(r, "I've connected it")).toHaveLength(0);
    click(r, 'Try again');
    await until(r, () => expect(r.findAll(StatusTag)).toHaveLength(3));
    expect(be.callsTo('GET', DEAL_CARD)).toHaveLength(2);
  });

  it('in the create panel, a company QuickBooks refused offers "Reconnect QuickBooks" next to "Try again"', async () => {
    const be = fakeBackend();
    const draft = '/api/v1/records/deals/1011/invoice-draft';
    be.on('GET', DEAL_CARD, ok(CARD_DEAL_1011_ONE_COMPANY));
    be.on('GET', draft, ok(errorBody('not_connected', 'Reconnect QuickBooks company Northwind Traders (US).'), 424), ok(DRAFT_1011_SCRATCH));
    be.on('POST', CONNECT, ok({ authorizeUrl: AUTHORIZE_URL }));
    const { r } = renderCard();
    await until(r, () => expect(button(r, 'Create invoice').props.disabled).toBe(false));
    click(r, 'Create invoice');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Reconnect QuickBooks' })).not.toBeNull());
    r.find(Alert, { title: 'Reconnect QuickBooks' }).find(Button, (b) => b.text === 'Reconnect QuickBooks').trigger('onClick');
    await showsLink(r);
    expect(texts(r.find(Alert, { title: 'Reconnect QuickBooks' }))).toContain(
      'QuickBooks opens in a new tab. Once you have connected the company there, come back here and click "Try again".',
    );
    click(r, 'Try again');
    await until(r, () => expect(r.maybeFind(ToggleGroup, { name: 'source' })).not.toBeNull());
    expect(be.callsTo('GET', draft)).toHaveLength(2);
  });
});
