// The stand-in for the HubSpot host around the card in the local preview:
// the extension context read from the page's query string, the host actions
// (logged on the page), hubspot.fetch forwarded to the demo's signing proxy,
// and the small stores the shim's overlays and alert banners read.
//
// Query string: ?objectType=deals|contacts|companies&objectId=1011
//               &backend=http://127.0.0.1:PORT   (the demo's CARD_API_BASE_URL)
//               &location=crm.record.sidebar     (default, as the card's -hsmeta.json;
//                                                 crm.record.tab shows it wide)

/** The base URL the card calls (src/app/cards/config.ts BACKEND_URL). */
export const CARD_BACKEND_URL = 'https://invoices.example.com';

const OBJECT_TYPE_IDS: Record<string, string> = { contacts: '0-1', companies: '0-2', deals: '0-3' };

const params = new URLSearchParams(typeof location === 'undefined' ? '' : location.search);

export const preview = {
  objectType: params.get('objectType') || 'deals',
  objectId: params.get('objectId') || '1011',
  backend: (params.get('backend') || '').replace(/\/+$/, ''),
  location: (params.get('location') === 'crm.record.tab' ? 'crm.record.tab' : 'crm.record.sidebar') as
    | 'crm.record.tab'
    | 'crm.record.sidebar',
};

export const PORTAL_ID = 20000001;
export const APP_ID = 3000001;

export const context = {
  location: preview.location,
  crm: {
    objectId: Number(preview.objectId),
    objectTypeId: OBJECT_TYPE_IDS[preview.objectType] ?? preview.objectType,
  },
  portal: { id: PORTAL_ID, timezone: 'America/New_York' },
  user: {
    id: 1,
    email: 'rep@northwind.example',
    emails: ['rep@northwind.example'],
    firstName: 'Riley',
    lastName: 'Rep',
    roles: [] as string[],
    teams: [] as { id: number; name: string; teammates: number[] }[],
    locale: 'en-US',
    language: 'en',
    permissions: [] as string[],
  },
  extension: { appId: APP_ID, appName: 'QuickBooks invoices', cardTitle: 'Integrated invoices' },
  variables: {},
};

// ---------------------------------------------------------------------------
// A tiny external store: subscribe + snapshot, for useSyncExternalStore.

type Listener = () => void;

export function createStore<T>(initial: T) {
  let state = initial;
  const listeners = new Set<Listener>();
  return {
    get: () => state,
    set(next: T) {
      state = next;
      listeners.forEach((l) => l());
    },
    subscribe(l: Listener) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

// ---------------------------------------------------------------------------
// The host log: every action the card asks of HubSpot and every fetch.

export interface LogEntry {
  seq: number;
  time: string;
  kind: 'action' | 'fetch' | 'logger';
  text: string;
}

export const logStore = createStore<LogEntry[]>([]);
let seq = 0;

export function hostLog(kind: LogEntry['kind'], text: string) {
  const entry = { seq: ++seq, time: new Date().toISOString().slice(11, 19), kind, text };
  logStore.set([...logStore.get(), entry].slice(-200));
  // eslint-disable-next-line no-console
  console.info(`[hubspot ${kind}] ${text}`);
}

// ---------------------------------------------------------------------------
// Alerts raised with actions.addAlert: banners above the card.

export interface HostAlert {
  id: number;
  type: 'info' | 'warning' | 'success' | 'danger' | 'tip';
  title?: string;
  message: string;
}

export const alertStore = createStore<HostAlert[]>([]);
let alertSeq = 0;

export function dismissAlert(id: number) {
  alertStore.set(alertStore.get().filter((a) => a.id !== id));
}

// ---------------------------------------------------------------------------
// Overlays (Panel, Modal): which ids are open. Overlay content stays mounted
// while closed, as in HubSpot where an `overlay` fragment is always rendered.

export const overlayStore = createStore<string[]>([]);

export function openOverlay(id: string | undefined | null) {
  if (!id) return;
  const open = overlayStore.get();
  if (!open.includes(id)) overlayStore.set([...open, id]);
}

export function closeOverlay(id?: string | null) {
  const open = overlayStore.get();
  if (id == null) {
    // HubSpot's closeOverlay takes an id; without one close the topmost.
    if (open.length) overlayStore.set(open.slice(0, -1));
    return;
  }
  if (open.includes(id)) overlayStore.set(open.filter((o) => o !== id));
}

/** The reactions HubSpot passes to onClick / onSubmit handlers. */
export const reactions = {
  openPanel: (id: string) => openOverlay(id),
  closePanel: (id: string) => closeOverlay(id),
  openModal: (id: string) => openOverlay(id),
  closeModal: (id: string) => closeOverlay(id),
};

// ---------------------------------------------------------------------------
// Host actions.

function fmt(v: unknown) {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

const RECORD_PROPERTIES: Record<string, Record<string, string>> = {
  'deals/1011': { dealname: 'Acme website redesign', deal_currency_code: 'USD' },
  'deals/1029': { dealname: 'NewCo onboarding', deal_currency_code: 'USD' },
  'deals/1031': { dealname: 'Maple expansion', deal_currency_code: 'CAD' },
  'deals/1033': { dealname: 'Amy bird feeders', deal_currency_code: 'USD' },
  'companies/1001': { name: 'Acme Corporation' },
};

export const actions = {
  addAlert(args: { type?: HostAlert['type']; message: string; title?: string }) {
    hostLog('action', `addAlert(${fmt(args)})`);
    const alert: HostAlert = { id: ++alertSeq, type: args?.type ?? 'info', title: args?.title, message: args?.message ?? '' };
    alertStore.set([...alertStore.get(), alert]);
  },
  refreshObjectProperties() {
    hostLog('action', 'refreshObjectProperties()');
  },
  reloadPage() {
    hostLog('action', 'reloadPage() (not reloaded in the preview)');
  },
  async fetchCrmObjectProperties(properties: string[] | '*') {
    hostLog('action', `fetchCrmObjectProperties(${fmt(properties)})`);
    const known = { hs_object_id: preview.objectId, ...(RECORD_PROPERTIES[`${preview.objectType}/${preview.objectId}`] ?? {}) };
    if (properties === '*') return known;
    return Object.fromEntries(properties.map((p) => [p, (known as Record<string, string>)[p] ?? '']));
  },
  onCrmPropertiesUpdate(properties: string[] | '*', _callback: unknown) {
    hostLog('action', `onCrmPropertiesUpdate(${fmt(properties)}) (never fires in the preview)`);
  },
  openIframeModal(payload: { uri: string; title?: string }, _onClose?: () => void) {
    hostLog('action', `openIframeModal(${fmt(payload)})`);
  },
  closeOverlay(id: string) {
    hostLog('action', `closeOverlay(${fmt(id)})`);
    closeOverlay(id);
  },
  async copyTextToClipboard(text: string) {
    hostLog('action', `copyTextToClipboard(${fmt(text)})`);
    try {
      await navigator.clipboard?.writeText(text);
    } catch {
      /* not allowed outside a user gesture in some browsers */
    }
  },
  navigateToPage(options: { to: string; params?: Record<string, string> }) {
    hostLog('action', `navigateToPage(${fmt(options)})`);
  },
};

// ---------------------------------------------------------------------------
// hubspot.fetch: rewrite the card's backend to ?backend= and let the demo
// sign and forward it (POST /hubspot-fetch on the page's own origin).

export const DEFAULT_FETCH_TIMEOUT = 15_000;

export function rewriteBackendURL(url: string): string {
  if (preview.backend && url.startsWith(CARD_BACKEND_URL)) {
    return preview.backend + url.slice(CARD_BACKEND_URL.length);
  }
  return url;
}

export async function hubspotFetch(
  input: string | URL,
  options: { method?: string; body?: unknown; timeout?: number; headers?: unknown } = {},
): Promise<Response> {
  const original = String(input);
  const url = rewriteBackendURL(original);
  const method = (options.method || 'GET').toUpperCase();
  let body = options.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      /* leave it as a string: the proxy will send it as a JSON string */
    }
  }
  const timeout = options.timeout && options.timeout > 0 ? options.timeout : DEFAULT_FETCH_TIMEOUT;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  const path = original.startsWith(CARD_BACKEND_URL) ? original.slice(CARD_BACKEND_URL.length) : original;
  try {
    const resp = await window.fetch('/hubspot-fetch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url, method, body, portalId: PORTAL_ID }),
      signal: abort.signal,
    });
    hostLog('fetch', `${method} ${path} → ${resp.status}`);
    return resp;
  } catch (err) {
    const timedOut = abort.signal.aborted;
    hostLog('fetch', `${method} ${path} → ${timedOut ? `timed out after ${timeout} ms` : String(err)}`);
    throw timedOut ? new Error(`hubspot.fetch: ${method} ${path} timed out after ${timeout} ms`) : err;
  } finally {
    clearTimeout(timer);
  }
}
