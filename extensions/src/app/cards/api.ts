// The card's only way to the backend. Every call goes through one Fetcher,
// hubspot.fetch by default; tests and the browser preview replace it with
// setFetcher. Errors come back as ApiError, parsed from the backend's
// envelope {"error":{"code","message","requestId"}}.
import { hubspot } from '@hubspot/ui-extensions';
import type { FetchHttpMethod } from '@hubspot/ui-extensions';
import { BACKEND_URL, FETCH_TIMEOUT_MS } from './config';
import type {
  Added,
  ConnectStart,
  Created,
  Customer,
  Draft,
  InvoiceRequest,
  InvoiceSearch,
  Item,
  ObjectType,
  RecordInvoices,
  Sent,
  Unlinked,
} from './types';

export interface FetchInit {
  method: string;
  body?: unknown;
  timeout?: number;
}

export interface FetchResponse {
  ok: boolean;
  status: number;
  json(): Promise<any>;
}

export type Fetcher = (url: string, init: FetchInit) => Promise<FetchResponse>;

const hubspotFetcher: Fetcher = (url, init) =>
  hubspot.fetch(url, {
    method: init.method as FetchHttpMethod,
    body: init.body as { [key: string]: unknown } | undefined,
    timeout: init.timeout,
  });

let fetcher: Fetcher = hubspotFetcher;

/** Replaces the transport (tests, the browser preview). */
export function setFetcher(fn: Fetcher): void {
  fetcher = fn;
}

/** Puts hubspot.fetch back. */
export function resetFetcher(): void {
  fetcher = hubspotFetcher;
}

/** The backend's codes plus two of the card's own. */
export type ErrorCode =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'not_connected'
  | 'unavailable'
  | 'internal'
  | 'network'
  | 'bad_response';

/** Field path (as the backend writes it, e.g. "lines[1].taxCodeId") → message. */
export type FieldErrors = Record<string, string>;

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly requestId?: string;
  readonly fields: FieldErrors;

  constructor(code: ErrorCode, message: string, status: number, requestId?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.requestId = requestId;
    this.fields = code === 'invalid' ? parseFieldErrors(message) : {};
  }

  /** Whether the outcome is unknown (the request may have happened): a retry should reuse its key. */
  get transient(): boolean {
    return this.code === 'network' || this.code === 'unavailable' || this.code === 'internal' || this.code === 'bad_response';
  }
}

const PLEASE_FIX = 'Please fix:';

/**
 * Splits "Please fix: lines[1].taxCodeId: a tax code is required; docNumber: ..."
 * into {"lines[1].taxCodeId": "a tax code is required", "docNumber": "..."}.
 * A problem without a path is keyed "".
 */
export function parseFieldErrors(message: string): FieldErrors {
  const fields: FieldErrors = {};
  const at = message.indexOf(PLEASE_FIX);
  if (at < 0) return fields;
  let rest = message.slice(at + PLEASE_FIX.length).trim();
  if (rest.endsWith('.')) rest = rest.slice(0, -1);
  for (const part of rest.split('; ')) {
    const text = part.trim();
    if (!text) continue;
    const colon = text.indexOf(': ');
    let path = '';
    let msg = text;
    if (colon > 0 && /^[A-Za-z][\w.[\]]*$/.test(text.slice(0, colon))) {
      path = text.slice(0, colon);
      msg = text.slice(colon + 2);
    }
    fields[path] = fields[path] ? `${fields[path]}; ${msg}` : msg;
  }
  return fields;
}

const KNOWN_CODES: ErrorCode[] = [
  'invalid',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'not_connected',
  'unavailable',
  'internal',
];

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'invalid';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 424:
      return 'not_connected';
    case 429:
    case 502:
    case 503:
    case 504:
      return 'unavailable';
  }
  return 'internal';
}

const GENERIC = 'Something went wrong. Please try again.';

async function call<T>(method: string, path: string, body?: object): Promise<T> {
  let res: FetchResponse;
  try {
    res = await fetcher(BACKEND_URL + path, { method, body, timeout: FETCH_TIMEOUT_MS });
  } catch {
    throw new ApiError('network', 'The invoices service could not be reached. Please try again.', 0);
  }
  let data: any = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  const env = data && typeof data === 'object' ? data.error : undefined;
  if (env && typeof env === 'object' && typeof env.code === 'string') {
    const code = (KNOWN_CODES as string[]).includes(env.code) ? (env.code as ErrorCode) : codeForStatus(res.status);
    throw new ApiError(code, typeof env.message === 'string' && env.message ? env.message : GENERIC, res.status, env.requestId);
  }
  if (!res.ok) {
    throw new ApiError(codeForStatus(res.status), GENERIC, res.status);
  }
  // `hs project dev`'s proxy answers 200 with {category, appServerStatusCode} when the backend failed.
  if (data && typeof data === 'object' && typeof data.category === 'string' && 'appServerStatusCode' in data) {
    throw new ApiError(codeForStatus(Number(data.appServerStatusCode) || 502), GENERIC, Number(data.appServerStatusCode) || 502);
  }
  if (data === null || typeof data !== 'object') {
    throw new ApiError('bad_response', GENERIC, res.status);
  }
  return data as T;
}

function query(params: Record<string, string | number | undefined>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

const seg = encodeURIComponent;

export const api = {
  recordInvoices(objectType: ObjectType, objectId: string): Promise<RecordInvoices> {
    return call('GET', `/api/v1/records/${objectType}/${seg(objectId)}/invoices`);
  },

  draft(objectType: ObjectType, objectId: string, connectionId: string, quoteId?: string): Promise<Draft> {
    return call(
      'GET',
      `/api/v1/records/${objectType}/${seg(objectId)}/invoice-draft${query({ connectionId, quoteId: quoteId || undefined })}`,
    );
  },

  customers(connectionId: string, q: string): Promise<{ customers: Customer[] }> {
    return call('GET', `/api/v1/connections/${seg(connectionId)}/customers${query({ q })}`);
  },

  items(connectionId: string, q: string): Promise<{ items: Item[] }> {
    return call('GET', `/api/v1/connections/${seg(connectionId)}/items${query({ q })}`);
  },

  createInvoice(objectType: ObjectType, objectId: string, body: InvoiceRequest): Promise<Created> {
    return call('POST', `/api/v1/records/${objectType}/${seg(objectId)}/invoices`, body);
  },

  searchInvoices(
    connectionId: string,
    params: { q: string; objectType: ObjectType; objectId: string; page: number },
  ): Promise<InvoiceSearch> {
    return call('GET', `/api/v1/connections/${seg(connectionId)}/invoices${query(params)}`);
  },

  addInvoiceLinks(
    objectType: ObjectType,
    objectId: string,
    body: { connectionId: string; invoiceIds: string[] },
  ): Promise<Added> {
    return call('POST', `/api/v1/records/${objectType}/${seg(objectId)}/invoice-links`, body);
  },

  removeInvoiceLink(objectType: ObjectType, objectId: string, linkId: string): Promise<Unlinked> {
    return call('DELETE', `/api/v1/records/${objectType}/${seg(objectId)}/invoice-links/${seg(linkId)}`);
  },

  sendInvoice(connectionId: string, invoiceId: string, body: { idempotencyKey: string; email?: string }): Promise<Sent> {
    return call('POST', `/api/v1/connections/${seg(connectionId)}/invoices/${seg(invoiceId)}/send`, body);
  },

  /** Intuit's consent page for connecting (or reconnecting) a QuickBooks company to the portal. */
  async startConnect(): Promise<ConnectStart> {
    const res = await call<ConnectStart>('POST', '/api/v1/connections/quickbooks/connect');
    if (typeof res.authorizeUrl !== 'string' || !/^https?:\/\//.test(res.authorizeUrl)) {
      throw new ApiError('bad_response', GENERIC, 200);
    }
    return { authorizeUrl: res.authorizeUrl };
  },
};

/** Whatever was thrown, as an ApiError. */
export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError('internal', GENERIC, 0);
}
