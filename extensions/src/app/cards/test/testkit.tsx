// A fake backend behind setFetcher, and helpers to drive the card.
import { expect, vi } from 'vitest';
import { Button } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { setFetcher } from '../api';
import type { FetchInit } from '../api';
import { BACKEND_URL } from '../config';
import { InvoicesCard } from '../InvoicesCard';
import type { CardActions, CardContext } from '../InvoicesCard';

export interface Call {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
}

export interface Reply {
  status: number;
  body: unknown;
}

type Responder = Reply | ((call: Call) => Reply | Promise<Reply>) | Promise<Reply>;

/** A backend of canned answers. Routes are "METHOD /path" (no query); each answers in order, the last repeats. */
export function fakeBackend() {
  const calls: Call[] = [];
  const routes = new Map<string, Responder[]>();
  const unrouted: string[] = [];

  const fetcher = async (url: string, init: FetchInit) => {
    expect(url.startsWith(BACKEND_URL + '/api/v1/')).toBe(true);
    const u = new URL(url);
    const call: Call = {
      method: init.method,
      path: u.pathname,
      query: Object.fromEntries(u.searchParams.entries()),
      body: init.body === undefined ? undefined : JSON.parse(JSON.stringify(init.body)),
    };
    calls.push(call);
    const key = `${call.method} ${call.path}`;
    const list = routes.get(key);
    if (!list || list.length === 0) {
      unrouted.push(key);
      return { ok: false, status: 404, json: async () => ({ error: { code: 'not_found', message: `no fake for ${key}`, requestId: 'test' } }) };
    }
    const r = list.length > 1 ? list.shift()! : list[0];
    const reply = typeof r === 'function' ? await r(call) : await r;
    return { ok: reply.status >= 200 && reply.status < 300, status: reply.status, json: async () => reply.body };
  };

  const backend = {
    calls,
    unrouted,
    fetcher,
    /** Adds answers to a route ("GET", "/api/v1/..."). */
    on(method: string, path: string, ...responders: Responder[]) {
      const key = `${method} ${path}`;
      routes.set(key, [...(routes.get(key) ?? []), ...responders]);
      return backend;
    },
    /** Replaces a route's answers. */
    set(method: string, path: string, ...responders: Responder[]) {
      routes.set(`${method} ${path}`, responders);
      return backend;
    },
    callsTo(method: string, path: string): Call[] {
      return calls.filter((c) => c.method === method && c.path === path);
    },
  };
  setFetcher(fetcher);
  return backend;
}

export const ok = (body: unknown, status = 200): Reply => ({ status, body });

/** A reply that arrives only when released. */
export function deferred(): { promise: Promise<Reply>; resolve: (r: Reply) => void } {
  let resolve!: (r: Reply) => void;
  const promise = new Promise<Reply>((r) => (resolve = r));
  return { promise, resolve };
}

export const DEAL: CardContext = {
  crm: { objectId: 1011, objectTypeId: '0-3' },
  portal: { id: 20000001 },
  user: { id: 7, email: 'rep@northwind.example' },
};

export function context(objectTypeId: string, objectId: number): CardContext {
  return { ...DEAL, crm: { objectId, objectTypeId } };
}

export function fakeActions() {
  return {
    refreshObjectProperties: vi.fn(),
    closeOverlay: vi.fn(),
    addAlert: vi.fn(),
  } satisfies CardActions;
}

export type Renderer = ReturnType<typeof createRenderer<'crm.record.sidebar'>>;

export function renderCard(ctx: CardContext = DEAL) {
  const r = createRenderer('crm.record.sidebar');
  const actions = fakeActions();
  r.render(<InvoicesCard context={ctx} actions={actions} />);
  return { r, actions };
}

/** Everything rendered, overlays included, as text. */
export function shown(r: Renderer): string {
  return r.getRootNode().toString();
}

export function buttons(r: Renderer, label: string) {
  return r.findAll(Button, (n) => n.text === label);
}

export function button(r: Renderer, label: string) {
  const found = buttons(r, label);
  if (found.length === 0) throw new Error(`no button "${label}"`);
  return found[0];
}

export function click(r: Renderer, label: string, nth = 0) {
  const found = buttons(r, label);
  if (!found[nth]) throw new Error(`no button "${label}" #${nth}`);
  found[nth].trigger('onClick');
}

/** Waits until the check passes (the renderer's waitFor, 2 s). */
export function until(r: Renderer, check: () => void) {
  return r.waitFor(check, { timeoutInMs: 2000 });
}
