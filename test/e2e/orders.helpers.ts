import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestServer } from '../support/server.js';

/** Shared builders and assertions for the black-box order API suites (not a test file itself). */

export type ApiResponse = Awaited<ReturnType<TestServer['api']>>;

export const BUCKET_NAMES = ['unallocated', 'backordered', 'allocated', 'released', 'shipped', 'delivered', 'cancelled', 'returned'] as const;

export const ORDER_STATUSES = [
  'created',
  'on_hold',
  'backordered',
  'allocated',
  'partially_released',
  'released',
  'partially_shipped',
  'shipped',
  'delivered',
  'cancelled',
  'closed',
  'partially_cancelled',
  'partially_returned',
  'returned',
];

/** A unique suffix so that tests sharing one server never see each other's orders. */
export const uid = (): string => randomUUID().replaceAll('-', '').slice(0, 12);

/** A lower-case channel name unique to the calling test. */
export const freshChannel = (prefix = 'ch'): string => `${prefix}-${uid()}`;

export interface OrderBody {
  externalId: string;
  channel: string;
  currency: string;
  placedAt?: string;
  customer?: Record<string, unknown>;
  shipTo?: Record<string, unknown>;
  fulfillment?: Record<string, unknown>;
  lines: Record<string, unknown>[];
  payment?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** The API.md example order, with a unique externalId. */
export function orderBody(overrides: Partial<OrderBody> = {}): OrderBody {
  return {
    externalId: `WEB-${uid()}`,
    channel: 'web',
    currency: 'USD',
    placedAt: '2026-11-25T10:00:00Z',
    customer: { id: 'cus-1', email: 'ada@example.com', tier: 'standard' },
    shipTo: { name: 'Ada L', line1: '1 Main St', city: 'Seattle', region: 'WA', postalCode: '98101', country: 'US', lat: 47.61, lon: -122.33 },
    fulfillment: { type: 'ship', shipMethod: 'standard' },
    lines: [{ lineId: '1', sku: 'SKU-RED', quantity: 2, unitPrice: 1999 }],
    payment: { authorizationId: 'auth-77', amount: 3998 },
    ...overrides,
  };
}

/** An order body without a payment: one event (OrderPlaced), version 1. */
export function orderBodyNoPayment(overrides: Partial<OrderBody> = {}): OrderBody {
  const { payment: _payment, ...rest } = orderBody(overrides);
  return { ...rest, ...overrides };
}

/** Asserts an RFC 7807 problem with the code and status API.md gives. */
export function expectProblem(res: ApiResponse, status: number, code?: string): void {
  const summary = `${res.status} ${JSON.stringify(res.body)}`;
  expect(res.status, summary).toBe(status);
  expect(res.headers.get('content-type') ?? '', summary).toMatch(/^application\/problem\+json/);
  expect(res.body, summary).toMatchObject({ status });
  expect(typeof res.body.type, summary).toBe('string');
  expect(typeof res.body.title, summary).toBe('string');
  expect(typeof res.body.detail, summary).toBe('string');
  expect(Array.isArray(res.body.errors), summary).toBe(true);
  if (code !== undefined) expect(res.body.code, summary).toBe(code);
}

/** Asserts a 400 validation_failed whose errors name `path` (exactly, or by a pattern). */
export function expectValidation(res: ApiResponse, path: string | RegExp): void {
  expectProblem(res, 400, 'validation_failed');
  const paths = (res.body.errors as { path: string; message: string }[]).map((e) => e.path);
  for (const e of res.body.errors as { path: unknown; message: unknown }[]) {
    expect(typeof e.path).toBe('string');
    expect(typeof e.message).toBe('string');
  }
  const hit = paths.some((p) => (typeof path === 'string' ? p === path : path.test(p)));
  expect(hit, `errors[].path ${JSON.stringify(paths)} should name ${String(path)}`).toBe(true);
}

/** Every order the API lists (following cursors), newest first. */
export async function listAll(s: TestServer, query = ''): Promise<{ id: string; [k: string]: unknown }[]> {
  const out: { id: string }[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const q = new URLSearchParams(query);
    q.set('limit', '500');
    if (cursor) q.set('cursor', cursor);
    const res = await s.api(`/v1/orders?${q.toString()}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.push(...(res.body.items as { id: string }[]));
    cursor = res.body.nextCursor as string | null;
    if (!cursor) return out;
  }
  throw new Error('listing did not end');
}

export const countOrders = async (s: TestServer): Promise<number> => (await listAll(s)).length;

/** Orders listed under one externalId (any channel). */
export async function byExternalId(s: TestServer, externalId: string): Promise<{ id: string; [k: string]: unknown }[]> {
  const res = await s.api(`/v1/orders?externalId=${encodeURIComponent(externalId)}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { id: string }[];
}

/** Places an order and returns the 201 response, failing loudly if it was not created. */
export async function place(s: TestServer, body: OrderBody = orderBody(), headers: Record<string, string> = {}): Promise<ApiResponse> {
  const res = await s.api('/v1/orders', { body, headers });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res;
}

export const bucketsOf = (order: { lines: { buckets: Record<string, number> }[] }, i = 0): Record<string, number> => {
  const line = order.lines[i];
  if (!line) throw new Error(`no line ${i}`);
  return line.buckets;
};

/** All eight buckets with zeros except the ones given. */
export const buckets = (nonZero: Partial<Record<(typeof BUCKET_NAMES)[number], number>>): Record<string, number> =>
  Object.fromEntries(BUCKET_NAMES.map((b) => [b, nonZero[b] ?? 0]));

/** One item of GET /v1/orders/{id}/events, as API.md describes it. */
export interface TimelineEvent {
  eventId: string;
  type: string;
  version: number;
  occurredAt: string;
  recordedAt: string;
  data: Record<string, unknown>;
  metadata: {
    correlationId: string;
    causationId: string | null;
    actor: { kind: string; id: string };
    source: unknown;
    traceparent?: string | null;
  };
}
