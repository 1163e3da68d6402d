import { afterEach, describe, expect, it } from 'vitest';
import {
  Alert,
  Button,
  DateInput,
  EmptyState,
  Input,
  LoadingSpinner,
  Panel,
  Select,
  StatusTag,
  StepIndicator,
  TableFooter,
  Text,
  ToggleGroup,
} from '@hubspot/ui-extensions';
import { resetFetcher } from './api';
import {
  CA,
  CARD_DEAL_1011,
  CARD_DEAL_1011_ONE_COMPANY,
  CARD_DEAL_1029_EMPTY,
  CREATED_1007,
  CREATED_CA,
  CREATED_NEWCO,
  CUSTOMERS_GLOB,
  DRAFT_1011_QUOTE,
  DRAFT_1011_SCRATCH,
  DRAFT_1029_SCRATCH,
  DRAFT_1031_CA,
  ITEMS,
  US,
  errorBody,
} from './test/fixtures';
import { button, click, context, fakeBackend, ok, renderCard, shown, until } from './test/testkit';
import type { Renderer } from './test/testkit';
import type { Draft, RecordInvoices } from './types';

afterEach(() => resetFetcher());

const CARD = (id: number) => `/api/v1/records/deals/${id}/invoices`;
const DRAFT = (id: number) => `/api/v1/records/deals/${id}/invoice-draft`;
const ITEMS_PATH = `/api/v1/connections/${US.id}/items`;

function step(r: Renderer): string {
  const si = r.find(StepIndicator);
  return si.props.stepNames[si.props.currentStep ?? 0];
}

function steps(r: Renderer): string[] {
  return r.find(StepIndicator).props.stepNames;
}

async function openCreate(r: Renderer) {
  await until(r, () => expect(button(r, 'Create invoice').props.disabled).toBe(false));
  click(r, 'Create invoice');
  await until(r, () => expect(r.maybeFind(StepIndicator)).not.toBeNull());
}

async function next(r: Renderer, expected: string) {
  click(r, 'Next');
  await until(r, () => expect(step(r)).toBe(expected));
}

function toggle(r: Renderer, label: string) {
  return r.find(ToggleGroup, (n) => n.props.label === label);
}

function select(r: Renderer, label: string, nth = 0) {
  const all = r.findAll(Select, (n) => n.props.label === label);
  if (!all[nth]) throw new Error(`no select "${label}" #${nth}`);
  return all[nth];
}

function input(r: Renderer, label: string, nth = 0) {
  const all = r.findAll(Input, (n) => n.props.label === label);
  if (!all[nth]) throw new Error(`no input "${label}" #${nth}`);
  return all[nth];
}

function setup(card: RecordInvoices, id = 1011) {
  const be = fakeBackend();
  be.on('GET', CARD(id), { status: 200, body: card });
  be.on('GET', ITEMS_PATH, ok(ITEMS));
  const { r, actions } = renderCard(context('0-3', id));
  return { be, r, actions };
}

describe('create from a quote (one company: no Company step)', () => {
  it('walks every step and creates the draft invoice', async () => {
    const { be, r, actions } = setup(CARD_DEAL_1011_ONE_COMPANY);
    be.on('GET', DRAFT(1011), (c) => ok(c.query.quoteId === '1014' ? DRAFT_1011_QUOTE : DRAFT_1011_SCRATCH));
    be.on('POST', CARD(1011), ok(CREATED_1007, 201));

    await openCreate(r);
    expect(steps(r)).toEqual(['Source', 'Customer', 'Products', 'Terms and dates', 'Review']);
    expect(step(r)).toBe('Source');
    // Back is there at every step, disabled on the first.
    expect(button(r, 'Back').props.disabled).toBe(true);

    // Source: only invoiceable quotes are offered; the others say why not.
    await until(r, () => expect(r.maybeFind(ToggleGroup, { name: 'source' })).not.toBeNull());
    expect(be.callsTo('GET', DRAFT(1011))[0].query).toEqual({ connectionId: US.id });
    const source = toggle(r, 'Create the invoice');
    expect(source.props.options.map((o) => o.label)).toEqual(['From quote', 'From scratch']);
    expect(source.props.value).toBe('quote');
    expect(select(r, 'Quote').props.options).toEqual([
      { label: 'Q-1001 · Website redesign', value: '1014' },
      { label: 'Q-1002 · Website redesign', value: '1017' },
    ]);
    expect(select(r, 'Quote').props.value).toBe('1014');
    expect(shown(r)).toContain('Quote Q-1003 is a draft; only published quotes can be invoiced.');
    expect(shown(r)).toContain('Quote Q-1004 expired on 24 November 2026.');

    await next(r, 'Customer');
    expect(be.callsTo('GET', DRAFT(1011))[1].query).toEqual({ connectionId: US.id, quoteId: '1014' });

    // Customer: the ranked candidate with its reason, and "New customer".
    const customer = toggle(r, 'Customer');
    expect(customer.props.value).toBe('1');
    expect(customer.props.options.map((o) => o.label)).toEqual(['Acme Corporation', 'New customer']);
    expect(customer.props.options[0].description).toContain('email ap@acme.example matches');
    click(r, 'Back');
    await until(r, () => expect(step(r)).toBe('Source'));
    await next(r, 'Customer');
    expect(be.callsTo('GET', DRAFT(1011))).toHaveLength(2); // the same quote is not read twice
    await next(r, 'Products');

    // Products: the matched line says how, the unmatched one needs a product.
    expect(shown(r)).toContain('Matched by SKU to Design hours');
    expect(shown(r)).toContain('No QuickBooks product matches this line. Choose one.');
    expect(r.findAll(Select, { label: 'QuickBooks product' })).toHaveLength(1);
    click(r, 'Next');
    await until(r, () => expect(select(r, 'QuickBooks product').props.validationMessage).toBe('Choose a QuickBooks product or service.'));
    expect(step(r)).toBe('Products');
    await until(r, () => expect(select(r, 'QuickBooks product').props.options).toHaveLength(4));
    expect(be.callsTo('GET', ITEMS_PATH)[0].query).toEqual({ q: '' });
    select(r, 'QuickBooks product').trigger('onChange', '4' as never);
    expect(select(r, 'QuickBooks product').props.error).toBe(false);
    // Quantity and price stay the quote's and can be edited.
    expect(input(r, 'Quantity', 1).props.value).toBe('1');
    expect(input(r, 'Unit price', 1).props.value).toBe('450.00');
    input(r, 'Quantity', 1).trigger('onInput', '2' as never);
    expect(shown(r)).toContain('Amount: $900.00');
    await next(r, 'Terms and dates');

    // Terms and dates: US, no custom numbers → no Tax step, no invoice number input.
    expect(r.maybeFind(Input, { label: 'Invoice number' })).toBeNull();
    expect(select(r, 'Terms').props.value).toBe('3');
    select(r, 'Terms').trigger('onChange', '2' as never);
    expect(r.find(DateInput, { label: 'Due date' }).props.value).toEqual({ year: 2026, month: 11, date: 13 });
    r.find(DateInput, { label: 'Invoice date' }).trigger('onChange', { year: 2026, month: 11, date: 1 } as never);
    expect(r.find(DateInput, { label: 'Due date' }).props.value).toEqual({ year: 2026, month: 11, date: 16 });
    r.find(Input, { label: 'Billing email' }).trigger('onInput', 'billing@acme.example' as never);
    r.find(Input, { label: 'Billing email' }).trigger('onChange', 'billing@acme.example' as never);
    await next(r, 'Review');

    // Review: lines and the total before tax.
    const footer = r.find(TableFooter).toString();
    expect(footer).toContain('Total before tax');
    expect(footer).toContain('$1,200.00');
    expect(shown(r)).toContain('Quote Q-1001 · Website redesign');
    expect(shown(r)).toContain('Dec 16, 2026');
    click(r, 'Create draft invoice');

    await until(r, () => expect(r.maybeFind(Alert, { title: 'Created invoice 1007' })).not.toBeNull());
    const [post] = be.callsTo('POST', CARD(1011));
    const { idempotencyKey, ...body } = post.body;
    expect(idempotencyKey).toMatch(/^.{8,100}$/);
    expect(body).toEqual({
      connectionId: US.id,
      quoteId: '1014',
      customer: { id: '1' },
      txnDate: '2026-12-01',
      dueDate: '2026-12-16',
      termId: '2',
      billEmail: 'billing@acme.example',
      lines: [
        { itemId: '1', description: 'Design hours', quantity: '4', unitPrice: '75.00', taxCodeId: 'NON' },
        { itemId: '4', description: 'Premium support (list price 500.00, discount applied)', quantity: '2', unitPrice: '450.00', taxCodeId: 'NON' },
      ],
    });
    // Success: the card says so, lists again and refreshes the deal's properties.
    await until(r, () => expect(be.callsTo('GET', CARD(1011))).toHaveLength(2));
    expect(actions.refreshObjectProperties).toHaveBeenCalledTimes(1);
    expect(r.findAll(Alert, { title: 'Created invoice 1007' }).length).toBe(2); // panel and card
    click(r, 'Done');
    expect(actions.closeOverlay).toHaveBeenCalledWith('create-invoice-panel');
  });

  it('a new panel starts over with a new idempotency key', async () => {
    const { be, r } = setup(CARD_DEAL_1011_ONE_COMPANY);
    be.on('GET', DRAFT(1011), (c) => ok(c.query.quoteId ? DRAFT_1011_QUOTE : DRAFT_1011_SCRATCH));
    be.on('POST', CARD(1011), ok(CREATED_1007, 201));
    const createOnce = async () => {
      await until(r, () => expect(r.maybeFind(ToggleGroup, { name: 'source' })).not.toBeNull());
      toggle(r, 'Create the invoice').trigger('onChange', 'scratch' as never);
      await next(r, 'Customer');
      await next(r, 'Products');
      await next(r, 'Terms and dates');
      await next(r, 'Review');
      click(r, 'Create draft invoice');
      await until(r, () => expect(r.maybeFind(Button, (b) => b.text === 'Done')).not.toBeNull());
    };
    await openCreate(r);
    await createOnce();
    // The rep closes the panel and opens it again.
    r.find(Panel, { id: 'create-invoice-panel' }).trigger('onClose');
    click(r, 'Create invoice');
    r.find(Panel, { id: 'create-invoice-panel' }).trigger('onOpen'); // counted once with the click
    await until(r, () => expect(step(r)).toBe('Source'));
    await createOnce();
    const posts = be.callsTo('POST', CARD(1011));
    expect(posts).toHaveLength(2);
    expect(posts[0].body.idempotencyKey).not.toBe(posts[1].body.idempotencyKey);
    // The same body both times: only the key tells the attempts apart.
    const strip = ({ idempotencyKey: _k, ...rest }: any) => rest;
    expect(strip(posts[0].body)).toEqual(strip(posts[1].body));
  });

  it('a retried create keeps its idempotency key', async () => {
    const { be, r } = setup(CARD_DEAL_1011_ONE_COMPANY);
    be.on('GET', DRAFT(1011), (c) => ok(c.query.quoteId ? DRAFT_1011_QUOTE : DRAFT_1011_SCRATCH));
    be.on('POST', CARD(1011), ok(errorBody('unavailable', 'QuickBooks did not answer in time.'), 503), ok(CREATED_1007, 200));
    await openCreate(r);
    await until(r, () => expect(r.maybeFind(ToggleGroup, { name: 'source' })).not.toBeNull());
    toggle(r, 'Create the invoice').trigger('onChange', 'scratch' as never);
    await next(r, 'Customer');
    await next(r, 'Products');
    await next(r, 'Terms and dates');
    await next(r, 'Review');
    click(r, 'Create draft invoice');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Could not create the invoice' })).not.toBeNull());
    expect(r.find(Alert, { title: 'Could not create the invoice' }).text).toBe(
      'QuickBooks did not answer in time. Trying again will not create a second invoice.',
    );
    expect(step(r)).toBe('Review');
    click(r, 'Create draft invoice');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Created invoice 1007' })).not.toBeNull());
    const keys = be.callsTo('POST', CARD(1011)).map((c) => c.body.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it('sends one request for a double click', async () => {
    const { be, r } = setup(CARD_DEAL_1011_ONE_COMPANY);
    be.on('GET', DRAFT(1011), ok(DRAFT_1011_SCRATCH));
    be.on('POST', CARD(1011), ok(CREATED_1007, 201));
    await openCreate(r);
    await until(r, () => expect(r.maybeFind(ToggleGroup, { name: 'source' })).not.toBeNull());
    toggle(r, 'Create the invoice').trigger('onChange', 'scratch' as never);
    await next(r, 'Customer');
    await next(r, 'Products');
    await next(r, 'Terms and dates');
    await next(r, 'Review');
    const create = button(r, 'Create draft invoice');
    create.trigger('onClick');
    create.trigger('onClick');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Created invoice 1007' })).not.toBeNull());
    expect(be.callsTo('POST', CARD(1011))).toHaveLength(1);
  });

  it('says when the draft cannot be read, and tries again', async () => {
    const { be, r } = setup(CARD_DEAL_1011_ONE_COMPANY);
    be.on('GET', DRAFT(1011), ok(errorBody('not_connected', 'QuickBooks refused the connection; reconnect it.'), 424), ok(DRAFT_1011_SCRATCH));
    await openCreate(r);
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Reconnect QuickBooks' })).not.toBeNull());
    expect(button(r, 'Next').props.disabled).toBe(true);
    click(r, 'Try again');
    await until(r, () => expect(r.maybeFind(ToggleGroup, { name: 'source' })).not.toBeNull());
    expect(button(r, 'Next').props.disabled).toBe(false);
  });
});

describe('create from scratch', () => {
  it('asks for the company first when there are several, and reuses the scratch draft', async () => {
    const { be, r } = setup(CARD_DEAL_1011);
    be.on('GET', DRAFT(1011), ok(DRAFT_1011_SCRATCH));
    be.on('POST', CARD(1011), ok(CREATED_1007, 201));
    await openCreate(r);
    expect(step(r)).toBe('Company');
    expect(steps(r)[0]).toBe('Company');
    expect(select(r, 'QuickBooks company').props.options).toEqual([
      { label: 'Northwind Traders (US) (USD)', value: US.id },
      { label: 'Maple Leaf Supplies Ltd (CAD)', value: CA.id },
    ]);
    click(r, 'Next');
    expect(select(r, 'QuickBooks company').props.validationMessage).toBe('Choose a QuickBooks company.');
    expect(be.callsTo('GET', DRAFT(1011))).toHaveLength(0);
    select(r, 'QuickBooks company').trigger('onChange', US.id as never);
    await next(r, 'Source');
    expect(button(r, 'Back').props.disabled).toBe(false);
    await until(r, () => expect(r.maybeFind(ToggleGroup, { name: 'source' })).not.toBeNull());
    toggle(r, 'Create the invoice').trigger('onChange', 'scratch' as never);
    expect(r.maybeFind(Select, { label: 'Quote' })).toBeNull();
    await next(r, 'Customer');
    expect(be.callsTo('GET', DRAFT(1011)).map((c) => c.query)).toEqual([{ connectionId: US.id }]);
    await next(r, 'Products');
    expect(shown(r)).toContain('Matched by name to Consulting');
    expect(r.maybeFind(Select, { label: 'QuickBooks product' })).toBeNull();
    await next(r, 'Terms and dates');
    await next(r, 'Review');
    expect(r.find(TableFooter).toString()).toContain('$600.00');
    expect(shown(r)).toContain('From scratch');
    click(r, 'Create draft invoice');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Created invoice 1007' })).not.toBeNull());
    const { idempotencyKey: _k, ...body } = be.callsTo('POST', CARD(1011))[0].body;
    expect(body).toEqual(DRAFT_1011_SCRATCH.invoice); // the draft, posted unchanged
  });

  it('creates a new customer prefilled from the draft, picks a product for an unmatched line and adds a line', async () => {
    const { be, r } = setup(CARD_DEAL_1029_EMPTY, 1029);
    be.on('GET', DRAFT(1029), ok(DRAFT_1029_SCRATCH));
    be.on('POST', CARD(1029), ok(CREATED_NEWCO, 201));
    await until(r, () => expect(shown(r)).toContain('No invoices yet'));
    // After the create, the card is no longer empty.
    be.set('GET', CARD(1029), ok({ ...CARD_DEAL_1029_EMPTY, groups: [{ connection: US, today: '2026-11-28', stale: false, invoices: [CREATED_NEWCO.invoice] }] }));
    await openCreate(r);
    select(r, 'QuickBooks company').trigger('onChange', US.id as never);
    await next(r, 'Source');
    await until(r, () => expect(r.maybeFind(ToggleGroup, { name: 'source' })).not.toBeNull());
    // No quote on this deal: only "From scratch".
    expect(toggle(r, 'Create the invoice').props.options.map((o) => o.label)).toEqual(['From scratch']);
    expect(toggle(r, 'Create the invoice').props.value).toBe('scratch');
    await next(r, 'Customer');

    expect(shown(r)).toContain('No QuickBooks customer matches this record.');
    expect(toggle(r, 'Customer').props.value).toBe('__new__');
    expect(input(r, 'Customer name').props.value).toBe('NewCo Labs');
    input(r, 'Customer name').trigger('onInput', '  ' as never);
    click(r, 'Next');
    expect(input(r, 'Customer name').props.validationMessage).toBe('A name is required.');
    expect(step(r)).toBe('Customer');
    input(r, 'Customer name').trigger('onInput', 'NewCo Labs Inc' as never);
    expect(input(r, 'Customer name').props.error).toBe(false);
    await next(r, 'Products');

    await until(r, () => expect(select(r, 'QuickBooks product').props.options.length).toBe(4));
    input(r, 'Search products').trigger('onInput', 'host' as never);
    be.set('GET', ITEMS_PATH, ok({ items: [ITEMS.items[3]] }));
    await until(r, () => expect(select(r, 'QuickBooks product').props.options).toEqual([{ label: 'Hosting (monthly) (HOST-M) · 49.00', value: '4' }]));
    expect(be.callsTo('GET', ITEMS_PATH).at(-1)!.query).toEqual({ q: 'host' });
    select(r, 'QuickBooks product').trigger('onChange', '4' as never);
    expect(shown(r)).toContain('QuickBooks product: Hosting (monthly)');
    // A line of the rep's own takes the item's price.
    be.set('GET', ITEMS_PATH, ok(ITEMS));
    click(r, 'Add line');
    await until(r, () => expect(r.findAll(Select, { label: 'QuickBooks product' })).toHaveLength(2));
    await until(r, () => expect(select(r, 'QuickBooks product', 1).props.options).toHaveLength(4));
    select(r, 'QuickBooks product', 1).trigger('onChange', '3' as never);
    expect(input(r, 'Unit price', 1).props.value).toBe('275.00');
    await next(r, 'Terms and dates');
    await next(r, 'Review');
    expect(shown(r)).toContain('NewCo Labs Inc (new)');
    expect(r.find(TableFooter).toString()).toContain('$1,275.00');
    click(r, 'Create draft invoice');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Created invoice 1008' })).not.toBeNull());
    expect(shown(r)).toContain('Customer NewCo Labs was created in QuickBooks.');
    // The list shows the new invoice and the open panel keeps its success.
    await until(r, () => expect(r.maybeFind(EmptyState)).toBeNull());
    expect(r.find(StatusTag).text).toBe('Waiting to be sent');
    expect(r.maybeFind(Button, (b) => b.text === 'Done')).not.toBeNull();
    expect(r.findAll(Alert, { title: 'Created invoice 1008' })).toHaveLength(2);
    const body = be.callsTo('POST', CARD(1029))[0].body;
    expect(body.customer).toEqual({
      new: { displayName: 'NewCo Labs Inc', companyName: 'NewCo Labs', givenName: 'Bob', familyName: 'Newman', email: 'bob@newco.example' },
    });
    expect(body.lines).toEqual([
      { itemId: '4', description: 'Premium support', quantity: '2', unitPrice: '500.00', taxCodeId: 'NON' },
      { itemId: '3', description: 'Rock Fountain', quantity: '1', unitPrice: '275.00', taxCodeId: 'TAX' },
    ]);
  });

  it('finds an existing customer by search', async () => {
    const { be, r } = setup(CARD_DEAL_1029_EMPTY, 1029);
    be.on('GET', DRAFT(1029), ok(DRAFT_1029_SCRATCH));
    be.on('GET', `/api/v1/connections/${US.id}/customers`, ok(CUSTOMERS_GLOB));
    await openCreate(r);
    select(r, 'QuickBooks company').trigger('onChange', US.id as never);
    await next(r, 'Source');
    await until(r, () => expect(r.maybeFind(ToggleGroup, { name: 'source' })).not.toBeNull());
    await next(r, 'Customer');
    input(r, 'Search customers').trigger('onInput', 'glob' as never);
    await until(r, () => expect(r.maybeFind(ToggleGroup, { name: 'customerResults' })).not.toBeNull());
    expect(be.callsTo('GET', `/api/v1/connections/${US.id}/customers`)[0].query).toEqual({ q: 'glob' });
    toggle(r, 'Search results').trigger('onChange', '3' as never);
    expect(toggle(r, 'Customer').props.value).toBe('3');
    expect(toggle(r, 'Customer').props.options.map((o) => o.label)).toEqual(['Globex LLC', 'New customer']);
    expect(r.maybeFind(Input, { label: 'Customer name' })).toBeNull();
    await next(r, 'Products');
    click(r, 'Back');
    await until(r, () => expect(step(r)).toBe('Customer'));
    expect(toggle(r, 'Customer').props.value).toBe('3');
  });
});

describe("tax codes, invoice numbers and the backend's field errors", () => {
  const CARD_CA: RecordInvoices = { ...CARD_DEAL_1011, record: { objectType: 'deals', objectId: '1031' }, connections: [CA], groups: [] };

  async function toTax(r: Renderer) {
    await openCreate(r);
    await until(r, () => expect(r.maybeFind(ToggleGroup, { name: 'source' })).not.toBeNull());
    await next(r, 'Customer');
    await next(r, 'Products');
    await next(r, 'Tax');
  }

  it('shows the Tax step outside the US and requires the invoice number', async () => {
    const { be, r } = setup(CARD_CA, 1031);
    be.on('GET', DRAFT(1031), ok(DRAFT_1031_CA));
    be.on('POST', CARD(1031), ok(CREATED_CA, 201));
    await toTax(r);
    expect(steps(r)).toEqual(['Source', 'Customer', 'Products', 'Tax', 'Terms and dates', 'Review']);
    const tax = select(r, 'Tax code');
    expect(tax.props.value).toBe('5');
    expect(tax.props.options.map((o) => o.label)).toEqual(['No tax code', 'GST', 'HST ON', 'Exempt', 'Zero-rated']);
    tax.trigger('onChange', '4' as never);
    await next(r, 'Terms and dates');
    const number = input(r, 'Invoice number');
    expect(number.props.required).toBe(true);
    expect(number.props.value).toBe('MLS-0004');
    expect(number.props.description).toContain('Suggested: MLS-0004');
    number.trigger('onInput', '' as never);
    click(r, 'Next');
    expect(input(r, 'Invoice number').props.validationMessage).toBe(
      'Maple Leaf Supplies Ltd numbers its invoices itself; an invoice number is required.',
    );
    expect(step(r)).toBe('Terms and dates');
    input(r, 'Invoice number').trigger('onInput', 'MLS-0100' as never);
    await next(r, 'Review');
    expect(r.find(TableFooter).toString()).toContain('CA$950.00');
    click(r, 'Create draft invoice');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Created invoice MLS-0005' })).not.toBeNull());
    const body = be.callsTo('POST', CARD(1031))[0].body;
    expect(body.docNumber).toBe('MLS-0100');
    expect(body.lines[0].taxCodeId).toBe('4');
  });

  it('puts field errors at their fields, goes to the first one, and a corrected body gets a new key', async () => {
    const { be, r } = setup(CARD_CA, 1031);
    be.on('GET', DRAFT(1031), ok(DRAFT_1031_CA));
    be.on(
      'POST',
      CARD(1031),
      ok(
        errorBody(
          'invalid',
          'Please fix: docNumber: at most 21 characters; lines[0].taxCodeId: QuickBooks has no active tax code 5; lines[0].quantity: must be more than 0.',
        ),
        400,
      ),
      ok(CREATED_CA, 201),
    );
    await toTax(r);
    await next(r, 'Terms and dates');
    await next(r, 'Review');
    click(r, 'Create draft invoice');

    // Products holds the first error.
    await until(r, () => expect(step(r)).toBe('Products'));
    expect(r.find(Alert, { title: 'Please fix the highlighted fields' }).text).toContain('lines[0].taxCodeId');
    expect(input(r, 'Quantity').props.validationMessage).toBe('must be more than 0');
    expect(input(r, 'Quantity').props.error).toBe(true);
    input(r, 'Quantity').trigger('onInput', '10' as never);
    expect(input(r, 'Quantity').props.error).toBe(false);
    await next(r, 'Tax');
    expect(select(r, 'Tax code').props.validationMessage).toBe('QuickBooks has no active tax code 5');
    select(r, 'Tax code').trigger('onChange', '4' as never);
    expect(select(r, 'Tax code').props.error).toBe(false);
    await next(r, 'Terms and dates');
    expect(input(r, 'Invoice number').props.validationMessage).toBe('at most 21 characters');
    input(r, 'Invoice number').trigger('onInput', 'MLS-0006' as never);
    await next(r, 'Review');
    click(r, 'Create draft invoice');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'Created invoice MLS-0005' })).not.toBeNull());
    const keys = be.callsTo('POST', CARD(1031)).map((c) => c.body.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(keys[1]).not.toBe(keys[0]);
  });

  it('takes a customer error to the Customer step', async () => {
    const { be, r } = setup(CARD_CA, 1031);
    be.on('GET', DRAFT(1031), ok(DRAFT_1031_CA));
    be.on('POST', CARD(1031), ok(errorBody('invalid', 'Please fix: customer.id: QuickBooks has no active customer 2.'), 400));
    await toTax(r);
    await next(r, 'Terms and dates');
    await next(r, 'Review');
    click(r, 'Create draft invoice');
    await until(r, () => expect(step(r)).toBe('Customer'));
    expect(toggle(r, 'Customer').props.validationMessage).toBe('QuickBooks has no active customer 2');
  });

  it('explains a conflict', async () => {
    const { be, r } = setup(CARD_CA, 1031);
    be.on('GET', DRAFT(1031), ok(DRAFT_1031_CA));
    be.on('POST', CARD(1031), ok(errorBody('conflict', 'QuickBooks already has an invoice numbered MLS-0004.'), 409));
    await toTax(r);
    await next(r, 'Terms and dates');
    await next(r, 'Review');
    click(r, 'Create draft invoice');
    await until(r, () => expect(r.maybeFind(Alert, { title: 'This invoice may already exist' })).not.toBeNull());
    expect(step(r)).toBe('Review');
    expect(r.maybeFind(LoadingSpinner, { label: 'Creating the invoice in QuickBooks' })).toBeNull();
    expect(r.findAll(Text).some((t) => t.text === 'QuickBooks adds any tax when it creates the invoice. The invoice is saved as a draft and not emailed.')).toBe(true);
  });
});

describe('the multicurrency note', () => {
  // The note of a draft from scratch, which the source step shows before a quote is picked.
  const NOTE =
    'Northwind Traders (US) works only in USD; turn on multicurrency in QuickBooks to invoice in CAD. Until then, only an invoice from scratch can be made, in USD at the prices shown.';
  const withNote = (extra: Partial<Draft['currency']> = {}) =>
    ok({ ...DRAFT_1011_SCRATCH, currency: { invoice: 'USD', deal: 'CAD', multiCurrencyNote: NOTE, ...extra } });

  async function toSource(r: Renderer) {
    await openCreate(r);
    await until(r, () => expect(r.maybeFind(ToggleGroup, { name: 'source' })).not.toBeNull());
    expect(step(r)).toBe('Source');
  }

  async function scratchToReview(r: Renderer) {
    toggle(r, 'Create the invoice').trigger('onChange', 'scratch' as never);
    await next(r, 'Customer');
    await next(r, 'Products');
    await next(r, 'Terms and dates');
    await next(r, 'Review');
  }

  it('shows as a warning where the quote is chosen', async () => {
    const { be, r } = setup(CARD_DEAL_1011_ONE_COMPANY);
    be.on('GET', DRAFT(1011), withNote());
    await toSource(r);
    expect(r.maybeFind(Select, { name: 'quoteId' })).not.toBeNull();
    const alerts = r.findAll(Alert, (a) => a.text === NOTE);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].props.title).toBe('Multicurrency is off');
    expect(alerts[0].props.variant).toBe('warning');
  });

  it('shows on the Review step as a warning, before the deal properties note', async () => {
    const { be, r } = setup(CARD_DEAL_1011_ONE_COMPANY);
    const dealNote = 'The deal is in CAD; its amount properties are not updated.';
    be.on('GET', DRAFT(1011), withNote({ dealPropertiesNote: dealNote }));
    await toSource(r);
    await scratchToReview(r);
    expect(shown(r)).toContain(NOTE);
    const alerts = r.findAll(Alert);
    const i = alerts.findIndex((a) => a.text === NOTE);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(alerts[i].props.variant).toBe('warning');
    expect(alerts[i + 1].text).toBe(dealNote);
  });

  it('shows nowhere when the draft has none', async () => {
    const { be, r } = setup(CARD_DEAL_1011_ONE_COMPANY);
    be.on('GET', DRAFT(1011), ok(DRAFT_1011_SCRATCH));
    await toSource(r);
    expect(shown(r)).not.toContain('multicurrency');
    expect(r.findAll(Alert, (a) => a.props.variant === 'warning')).toHaveLength(0);
    await scratchToReview(r);
    expect(r.find(TableFooter).toString()).toContain('$600.00');
    expect(shown(r)).not.toContain('multicurrency');
    expect(r.findAll(Alert, (a) => a.props.variant === 'warning')).toHaveLength(0);
  });
});
