// End-to-end: the real card source (src/app/cards), rendered by the local
// preview (preview/, '@hubspot/ui-extensions' shimmed with DOM components),
// against the running demo — the Go service on the sandbox HubSpot and
// QuickBooks fakes, every hubspot.fetch signed by the demo like HubSpot's
// proxy would. Run: npm run e2e  (node --test e2e/).
//
// Screenshots after each step land in e2e/artifacts/*.png; card.png is the
// deal card for the README.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifactsDir, buildPreview, launchBrowser, startDemo } from './harness.mjs';

const STEP_TIMEOUT = 10_000;

let demo;
let browser;
let artifacts;

before(
  async () => {
    artifacts = artifactsDir();
    if (!process.env.E2E_SKIP_BUILD) await buildPreview();
    const [d, b] = await Promise.allSettled([startDemo(), launchBrowser()]);
    demo = d.value;
    browser = b.value;
    if (d.status === 'rejected') throw d.reason;
    if (b.status === 'rejected') throw b.reason;
  },
  { timeout: 120_000 },
);

after(async () => {
  await browser?.close().catch(() => {});
  await demo?.stop();
});

/** A fresh browser context on one record's card; fails the test on page errors. */
async function openCard(t, objectType, objectId) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.stack ?? e.message}`));
  page.on('console', (m) => {
    // The card API's 4xx answers show up as "Failed to load resource"; those are expected.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  t.after(async () => {
    await context.close();
  });
  await page.goto(demo.cardURL(objectType, objectId));
  const card = page.locator('[data-preview="card"]');
  const check = async () => {
    const crashed = page.locator('[data-preview="card-crashed"]');
    if (await crashed.count()) assert.fail(`the card crashed: ${await crashed.textContent()}`);
    assert.deepEqual(errors, [], 'no errors in the page');
  };
  return { page, card, check };
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
}

/** The table row (in scope) holding `text`, e.g. an invoice number. */
function rowWith(scope, text) {
  return scope.getByRole('row').filter({ has: scope.page().getByRole('cell', { name: text, exact: true }) });
}

/** Picks the option whose label starts with `prefix` (labels carry currency, price or SKU suffixes). */
async function choose(select, prefix) {
  await select.locator('option').filter({ hasText: prefix }).first().waitFor({ state: 'attached' });
  const value = await select.evaluate((el, p) => [...el.options].find((o) => o.textContent.trim().startsWith(p))?.value, prefix);
  assert.ok(value !== undefined, `an option starting with "${prefix}"`);
  await select.selectOption(value);
}

/** Whether the preview's host log has an entry containing text (actions, fetches). */
async function hostLogged(page, text) {
  return (await page.locator('[data-preview="log"] li').filter({ hasText: text }).count()) > 0;
}

/** Polls fn until it returns true. */
async function waitUntil(fn, what, timeout = STEP_TIMEOUT) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The create/add panel (an open dialog) titled `title`. */
function dialog(page, title) {
  return page.getByRole('dialog', { name: title });
}

async function next(panel) {
  await panel.getByRole('button', { name: 'Next', exact: true }).click();
}

async function waitForInvoices(card) {
  await card.getByRole('table').first().waitFor();
}

/** Calls the card API as HubSpot's proxy would (the demo's signing /hubspot-fetch), for portal 20000001. */
async function cardApi(method, path) {
  const res = await fetch(`${demo.preview}/hubspot-fetch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: demo.cardApi + path, method }),
  });
  const body = await res.json();
  assert.ok(res.ok, `${method} ${path} → ${res.status} ${JSON.stringify(body)}`);
  return body;
}

describe('Integrated invoices card in the browser', () => {
  test('(a) deal 1011 shows its seeded invoices with their status labels', async (t) => {
    const { page, card, check } = await openCard(t, 'deals', 1011);
    await waitForInvoices(card);
    // Invoice number → status label and StatusTag variant (CONTRACT.md).
    const expected = {
      1001: ['Waiting to be sent', 'default'],
      1004: ['Paid in full', 'success'],
      1006: ['Voided', 'default'],
    };
    for (const [number, [label, variant]] of Object.entries(expected)) {
      const row = rowWith(card, number);
      await row.waitFor();
      const tag = row.locator('[data-hs-component="StatusTag"]');
      assert.equal((await tag.textContent()).trim(), label, `invoice ${number}`);
      assert.equal(await tag.getAttribute('data-variant'), variant, `invoice ${number}'s tag colour`);
    }
    assert.equal(await card.getByRole('button', { name: 'Create invoice' }).isEnabled(), true);
    assert.equal(await card.getByRole('button', { name: 'Add existing invoice' }).isEnabled(), true);
    await shot(page, 'a-deal-1011');
    await card.screenshot({ path: path.join(artifacts, 'card.png') });
    await check();
  });

  test('(b) creates an invoice from the published quote Q-1001', async (t) => {
    const { page, card, check } = await openCard(t, 'deals', 1011);
    await waitForInvoices(card);
    await card.getByRole('button', { name: 'Create invoice' }).click();
    const panel = dialog(page, 'Create a QuickBooks invoice');
    await panel.waitFor();

    // Company: the portal has two; the US one.
    const company = panel.getByLabel('QuickBooks company', { exact: true });
    if (await company.isVisible()) {
      await choose(company, 'Northwind Traders (US)');
      await shot(page, 'b-1-company');
      await next(panel);
    }

    // Source: from the published quote Q-1001.
    await panel.getByRole('radio', { name: 'From quote' }).check();
    await choose(panel.getByLabel('Quote', { exact: true }), 'Q-1001');
    await shot(page, 'b-2-source');
    await next(panel);

    // Customer: Acme Corporation, matched by email and company name.
    const acme = panel.getByRole('radio', { name: 'Acme Corporation' }).first();
    await acme.check();
    assert.equal(await acme.isChecked(), true);
    await shot(page, 'b-3-customer');
    await next(panel);

    // Products: "Premium support" matches no QuickBooks item: pick Consulting.
    await panel.getByText('Premium support', { exact: false }).first().waitFor();
    await choose(panel.getByLabel('QuickBooks product', { exact: true }), 'Consulting');
    await shot(page, 'b-4-products');
    await next(panel);

    // Terms and dates: the draft's (Net 30).
    await choose(panel.getByLabel('Terms', { exact: true }), 'Net 30');
    await shot(page, 'b-5-terms');
    await next(panel);

    // Review, then create.
    const review = panel.getByRole('table');
    await review.waitFor();
    await rowWith(panel, 'Consulting').waitFor();
    await shot(page, 'b-6-review');
    await panel.getByRole('button', { name: 'Create draft invoice' }).click();

    const created = panel.getByText(/^Created invoice \S+/).first();
    await created.waitFor({ timeout: 15_000 });
    const number = /^Created invoice (\S+)/.exec((await created.textContent()).trim())[1];
    await shot(page, 'b-7-created');
    await panel.getByRole('button', { name: 'Done' }).click();
    await panel.waitFor({ state: 'hidden' });

    await card.getByRole('status').filter({ hasText: `Created invoice ${number}` }).waitFor();
    const row = rowWith(card, number);
    await row.waitFor();
    assert.equal((await row.locator('[data-hs-component="StatusTag"]').textContent()).trim(), 'Waiting to be sent');
    assert.ok(await hostLogged(page, 'refreshObjectProperties()'), 'the card asked HubSpot to refresh the deal properties');
    await shot(page, 'b-8-list');
    await check();
  });

  test('(c) adds the existing invoice 1002 found by "globex"', async (t) => {
    const { page, card, check } = await openCard(t, 'deals', 1011);
    await waitForInvoices(card);
    assert.equal(await rowWith(card, '1002').count(), 0, 'invoice 1002 is not on the deal yet');
    await card.getByRole('button', { name: 'Add existing invoice' }).click();
    const panel = dialog(page, 'Add an existing QuickBooks invoice');
    await panel.waitFor();
    const company = panel.getByLabel('QuickBooks company', { exact: true });
    if (await company.isVisible()) await choose(company, 'Northwind Traders (US)');
    // Wait for the search itself (debounced), not the unfiltered first page.
    await panel.getByLabel('Search invoices', { exact: true }).fill('globex');
    await waitUntil(async () => {
      const customers = await panel.locator('tbody tr td:nth-child(2)').allTextContents();
      return customers.length > 0 && customers.every((c) => c.trim() === 'Globex LLC');
    }, 'the search shows only Globex LLC invoices');
    const box = panel.getByRole('checkbox', { name: '1002', exact: true });
    await shot(page, 'c-1-search');
    await box.check();
    await panel.getByRole('button', { name: 'Add', exact: true }).click();
    await panel.getByText('Added invoice 1002').waitFor();
    await shot(page, 'c-2-added');
    await panel.getByRole('button', { name: 'Close', exact: true }).last().click();
    await panel.waitFor({ state: 'hidden' });
    const row = rowWith(card, '1002');
    await row.waitFor();
    assert.equal((await row.locator('[data-hs-component="StatusTag"]').textContent()).trim(), 'Sent to customer');
    await shot(page, 'c-3-list');
    await check();
  });
  // TODO until the card lets a rep clear a line's tax code: its "Tax code"
  // select offers only the company's codes, and HubSpot's Select cannot be
  // cleared, so no line can lose its tax code (all Maple Leaf items carry one).
  // The card needs an option with an empty value (e.g. "No tax code") in that
  // select; the test then passes whether the card refuses at "Next" or at
  // "Create draft invoice", as long as the refusal shows at the field.
  test('(d) deal 1031 (CA company): a line without a tax code is refused at its "Tax code" field', async (t) => {
    const { page, card, check } = await openCard(t, 'deals', 1031);
    await waitForInvoices(card);
    await card.getByRole('button', { name: 'Create invoice' }).click();
    const panel = dialog(page, 'Create a QuickBooks invoice');
    await panel.waitFor();

    const company = panel.getByLabel('QuickBooks company', { exact: true });
    if (await company.isVisible()) {
      await choose(company, 'Maple Leaf Supplies Ltd');
      await next(panel);
    }
    await panel.getByRole('radio', { name: 'From scratch' }).check();
    await shot(page, 'd-1-source');
    await next(panel);
    await panel.getByRole('radio', { name: 'Maple Syrup Co.' }).first().check();
    await next(panel);
    await panel.getByText('Design hours', { exact: false }).first().waitFor();
    await next(panel);

    // Tax: the draft proposes HST ON for the line; clear it.
    const taxField = panel.locator('[data-hs-component="Select"]').filter({ has: page.getByLabel('Tax code', { exact: true }) }).first();
    const tax = taxField.getByLabel('Tax code', { exact: true });
    await tax.waitFor();
    assert.equal((await tax.locator('option:checked').textContent()).trim(), 'HST ON', 'the draft proposes HST ON');
    const empty = await tax.evaluate((el) => [...el.options].find((o) => o.dataset.value === '')?.value);
    assert.ok(
      empty !== undefined,
      'the "Tax code" select offers no way to clear a line\'s tax code (the card needs an option with an empty value)',
    );
    await tax.selectOption(empty);
    await shot(page, 'd-2-tax-cleared');

    // On to "Create draft invoice" (the card may refuse earlier, at the field).
    const create = panel.getByRole('button', { name: 'Create draft invoice' });
    const refused = async () => (await taxField.count()) > 0 && (await taxField.getAttribute('data-error')) === 'true';
    for (let i = 0; i < 4 && !(await refused()); i++) {
      if (await create.isVisible()) {
        await create.click();
        break;
      }
      await next(panel);
    }
    await waitUntil(refused, 'the "Tax code" field shows an error', 15_000);
    const message = (await taxField.locator('[data-hs-validation="error"]').textContent()).trim();
    assert.match(message, /tax code/i, 'the refusal names the tax code');
    assert.equal(await tax.isVisible(), true, 'the refused field is on screen');
    await shot(page, 'd-3-refused');
    await check();
  });

  // Last: it disconnects the US company (and connects it again).
  test('(e) deal 1011 with the US company disconnected: "Connect QuickBooks" → Intuit → "I\'ve connected it"', async (t) => {
    const { connections } = await cardApi('GET', '/api/v1/connections');
    const us = connections.find((c) => c.realmId === '9130357766900001');
    assert.ok(us, 'the demo has the US company');
    await cardApi('DELETE', `/api/v1/connections/${us.id}`);
    // The service keeps a record's card for a moment (2 s) and a connect or disconnect does not forget it yet.
    const usState = async () => (await cardApi('GET', '/api/v1/records/deals/1011/invoices')).groups.find((g) => g.connection.id === us.id)?.connection.state;
    await waitUntil(async () => (await usState()) === 'disconnected', "deal 1011's card shows the US company disconnected");

    const { page, card, check } = await openCard(t, 'deals', 1011);
    await waitForInvoices(card);
    const notice = card.locator('[data-hs-component="Alert"]').filter({ hasText: 'QuickBooks disconnected' });
    await notice.waitFor();
    assert.equal(await card.getByRole('button', { name: 'Send', exact: true }).count(), 0, 'no Send for a disconnected company');
    await notice.getByRole('button', { name: 'Connect QuickBooks', exact: true }).click();
    const link = notice.getByRole('link', { name: /Continue to QuickBooks/ });
    await link.waitFor();
    assert.equal(await link.getAttribute('target'), '_blank', 'Intuit opens in a new tab');
    assert.match(await link.getAttribute('href'), /\/connect\/oauth2\?.*state=/);
    await shot(page, 'e-1-continue');

    // The sandbox's Intuit consents at once and sends the browser to the service's callback.
    const [intuit] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await intuit.waitForLoadState();
    await intuit.getByRole('heading', { name: 'QuickBooks connected' }).waitFor();
    await intuit.close();
    await waitUntil(async () => (await usState()) === 'connected', "deal 1011's card shows the US company connected");

    await notice.getByRole('button', { name: "I've connected it", exact: true }).click();
    await notice.waitFor({ state: 'detached' });
    await rowWith(card, '1001').waitFor();
    await card.getByRole('button', { name: 'Send', exact: true }).first().waitFor();
    await shot(page, 'e-2-connected');
    await check();
  });
});
