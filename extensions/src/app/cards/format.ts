// Pure helpers: object types, status colours, money and dates.
import type { ObjectType } from './types';

export const OBJECT_TYPES: Record<string, ObjectType> = {
  '0-1': 'contacts',
  '0-2': 'companies',
  '0-3': 'deals',
};

export function objectTypeOf(objectTypeId: string): ObjectType | undefined {
  return OBJECT_TYPES[objectTypeId];
}

export type TagVariant = 'danger' | 'warning' | 'info' | 'success' | 'default';

const STATUS_VARIANTS: Record<string, TagVariant> = {
  awaiting_send: 'default',
  sent: 'info',
  partially_paid: 'warning',
  paid: 'success',
  overdue: 'danger',
  voided: 'default',
  deleted: 'default',
};

export function statusVariant(status: string | undefined): TagVariant {
  return (status && STATUS_VARIANTS[status]) || 'default';
}

// ---- money: decimal strings with two places, computed in cents ----

const MONEY = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

/** "297.5" → 29750 cents; undefined when not a number with at most two decimals. */
export function toCents(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const m = MONEY.exec(s.trim());
  if (!m) return undefined;
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -cents : cents;
}

/** 29750 → "297.50". */
export function fromCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** A price as the backend wants it ("450" → "450.00"), or undefined when not valid. */
export function normalizeMoney(s: string): string | undefined {
  const c = toCents(s);
  return c === undefined ? undefined : fromCents(c);
}

/** Quantity × unit price in cents, rounded to the cent; undefined when either is not a number. */
export function lineAmountCents(quantity: string, unitPrice: string): number | undefined {
  const q = toCents(quantity); // quantity with two decimals, in hundredths
  const p = toCents(unitPrice);
  if (q === undefined || p === undefined) return undefined;
  return Math.round((q * p) / 100);
}

/** "1073.50" + "CAD" → "CA$1,073.50" (en-US); "1073.50 XYZ" when Intl does not know the currency. */
export function formatMoney(amount: string | undefined, currency: string | undefined): string {
  if (amount === undefined) return '—';
  const n = Number(amount);
  if (!Number.isFinite(n)) return amount;
  if (currency) {
    try {
      return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(n);
    } catch {
      return `${amount} ${currency}`;
    }
  }
  return amount;
}

// ---- dates: YYYY-MM-DD strings; DateInput's value is {year, month (0-based), date} ----

export interface DateValue {
  year: number;
  month: number;
  date: number;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

export function toDateValue(iso: string | undefined): DateValue | undefined {
  const m = iso ? ISO.exec(iso) : null;
  if (!m) return undefined;
  return { year: Number(m[1]), month: Number(m[2]) - 1, date: Number(m[3]) };
}

export function fromDateValue(v: DateValue | null | undefined): string {
  if (!v) return '';
  return `${String(v.year).padStart(4, '0')}-${String(v.month + 1).padStart(2, '0')}-${String(v.date).padStart(2, '0')}`;
}

/** "2026-11-28" + 30 → "2026-12-28" (calendar days, no time zone involved). */
export function addDays(iso: string, days: number): string {
  const v = toDateValue(iso);
  if (!v) return iso;
  const d = new Date(Date.UTC(v.year, v.month, v.date + days));
  return d.toISOString().slice(0, 10);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2026-12-28" → "Dec 28, 2026". */
export function formatDate(iso: string | undefined): string {
  const v = toDateValue(iso);
  if (!v) return '—';
  return `${MONTHS[v.month]} ${v.date}, ${v.year}`;
}

// ---- idempotency keys ----

/** A fresh key for the backend (8–100 characters). */
export function newIdempotencyKey(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c && typeof c.randomUUID === 'function') return `card-${c.randomUUID()}`;
  let s = 'card-';
  for (let i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}
