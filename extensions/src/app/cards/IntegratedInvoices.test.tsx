import { afterEach, expect, it, vi } from 'vitest';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { LoadingSpinner } from '@hubspot/ui-extensions';
import { resetFetcher } from './api';
import { InvoicesCard } from './InvoicesCard';
import { fakeBackend, ok } from './test/testkit';
import { CARD_DEAL_1011 } from './test/fixtures';

const extend = vi.hoisted(() => vi.fn());

vi.mock('@hubspot/ui-extensions', async (importOriginal) => {
  const mod = await importOriginal<typeof import('@hubspot/ui-extensions')>();
  return { ...mod, hubspot: { ...mod.hubspot, extend } };
});

afterEach(() => resetFetcher());

it('registers the card for crm.record.sidebar with HubSpot context and actions', async () => {
  await import('./IntegratedInvoices');
  expect(extend).toHaveBeenCalledTimes(1);
  const r = createRenderer('crm.record.sidebar');
  const be = fakeBackend();
  be.on('GET', '/api/v1/records/contacts/123/invoices', ok({ ...CARD_DEAL_1011, record: { objectType: 'contacts', objectId: '123' } }));
  // The renderer's own mock context: a contact (0-1) with id 123.
  const element = extend.mock.calls[0][0]({ context: r.mocks.context, actions: r.mocks.actions });
  expect(element.type).toBe(InvoicesCard);
  r.render(element);
  expect(r.find(LoadingSpinner).props.label).toBe('Loading invoices');
  await r.waitFor(() => expect(be.callsTo('GET', '/api/v1/records/contacts/123/invoices')).toHaveLength(1));
});
