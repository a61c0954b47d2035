import type { FieldError } from '../../domain/result.js';

/**
 * Small readers over a parsed Shopify payload (plain JSON). Each reads one field, records an issue
 * that names the field's path when it is wrong, and returns undefined then, so one pass reports
 * every problem of a payload. Messages never echo personal data (names, emails, phones, addresses).
 */
export type Json = Readonly<Record<string, unknown>>;

/** Why a payload cannot be mapped; `unknown_code` and `missing_sku` are fixable by configuration. */
export type ShopifyIssueCode = 'invalid_payload' | 'unknown_code' | 'missing_sku' | 'needs_review';

export interface ShopifyIssue extends FieldError {
  readonly code: ShopifyIssueCode;
}

export interface Issues {
  readonly list: readonly ShopifyIssue[];
  add(path: string, message: string, code?: ShopifyIssueCode): void;
}

export function createIssues(): Issues {
  const list: ShopifyIssue[] = [];
  return { list, add: (path, message, code = 'invalid_payload') => void list.push({ path, message, code }) };
}

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export const at = (parent: string, key: string | number): string =>
  typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;

const absent = (v: unknown): v is null | undefined => v === null || v === undefined;

/**
 * A Shopify id (a JSON integer, or its decimal string) as a string. An integer beyond 2^53 has
 * already lost digits in JSON.parse, so it is refused rather than stored wrong.
 */
export function readId(o: Json, key: string, path: string, issues: Issues, required = true): string | undefined {
  const v = o[key];
  if (absent(v)) {
    if (required) issues.add(path, 'required');
    return undefined;
  }
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return String(v);
  if (typeof v === 'string' && /^[1-9]\d{0,17}$/.test(v)) return v;
  issues.add(path, typeof v === 'number' && Number.isInteger(v) && v > 0 ? 'too large to read exactly (beyond 2^53)' : 'must be a positive whole number');
  return undefined;
}

/** A trimmed string; null, absent and blank read as undefined (an issue only when required). */
export function readText(o: Json, key: string, path: string, issues: Issues, options: { required?: boolean; max?: number } = {}): string | undefined {
  const v = o[key];
  if (absent(v) || (typeof v === 'string' && v.trim() === '')) {
    if (options.required) issues.add(path, 'required');
    return undefined;
  }
  if (typeof v !== 'string') {
    issues.add(path, 'must be a string');
    return undefined;
  }
  const text = v.trim();
  if (options.max !== undefined && text.length > options.max) {
    issues.add(path, `at most ${options.max} characters`);
    return undefined;
  }
  return text;
}

export function readInt(o: Json, key: string, path: string, issues: Issues, range: { min: number; max: number }): number | undefined {
  const v = o[key];
  if (absent(v)) {
    issues.add(path, 'required');
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < range.min || v > range.max) {
    issues.add(path, `must be a whole number from ${range.min} to ${range.max}`);
    return undefined;
  }
  return v;
}

/** An array (absent or null reads as empty unless required). */
export function readArray(o: Json, key: string, path: string, issues: Issues, required = false): readonly unknown[] {
  const v = o[key];
  if (Array.isArray(v)) return v;
  if (!absent(v)) issues.add(path, 'must be an array');
  else if (required) issues.add(path, 'required');
  return [];
}

/** RFC 3339 with a time zone, as Shopify sends (`2024-01-02T09:03:29-05:00`); kept as sent. */
export function readTime(o: Json, key: string, path: string, issues: Issues): string | undefined {
  const text = readText(o, key, path, issues, { required: true });
  if (text === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) || Number.isNaN(Date.parse(text))) {
    issues.add(path, `${shown(text)} is not an RFC 3339 time with a zone`);
    return undefined;
  }
  return text;
}

/** A copy without the keys whose value is undefined, so mapped messages carry only what was sent. */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A value quoted into a message, cut short: payload text may be arbitrarily long. */
export const shown = (text: string): string => `'${text.length > 40 ? `${text.slice(0, 40)}…` : text}'`;

/** One reason line naming every offending field. */
export const describeIssues = (issues: readonly FieldError[]): string => issues.map((i) => `${i.path}: ${i.message}`).join('; ');
