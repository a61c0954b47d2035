/**
 * The physical anchor for bench/intake: how fast the store itself writes the rows one order
 * produces (stream, 2 events, idempotency record, external ref, order projection), batched 100
 * units per commit and one unit per commit — measured in the same run as the HTTP figures.
 */
import type { Store, UnitOfWork } from '../../src/store/port.js';
import { round } from '../lib/stats.js';

const view = {
  externalId: 'B-1', channel: 'web', status: 'created', currency: 'USD',
  lines: [
    { lineId: '1', sku: 'SKU-1', quantity: 2, unitPrice: 1999, buckets: { unallocated: 2, backordered: 0, allocated: 0, released: 0, shipped: 0, delivered: 0, cancelled: 0, returned: 0 } },
    { lineId: '2', sku: 'SKU-2', quantity: 1, unitPrice: 4999, buckets: { unallocated: 1, backordered: 0, allocated: 0, released: 0, shipped: 0, delivered: 0, cancelled: 0, returned: 0 } },
  ],
  shipTo: { name: 'Bench', line1: '1 Main St', city: 'Seattle', region: 'WA', postalCode: '98101', country: 'US', lat: 47.61, lon: -122.33 },
  payment: { authorized: 8997, captured: 0, refunded: 0 },
};

function unit(tag: string, i: number): UnitOfWork {
  const id = `ord_raw_${tag}_${i}`;
  const now = new Date().toISOString();
  const metadata = { correlationId: `c-${i}`, actor: { kind: 'service' as const, id: 'idn_bench' }, idempotencyKey: `k-${i}` };
  return {
    append: {
      streamId: id, streamType: 'order', expectedVersion: 0, recordedAt: now,
      events: [
        { eventId: `evt_${tag}_${i}_1`, type: 'OrderPlaced', schemaVersion: 1, occurredAt: now, data: { orderId: id, order: view }, metadata },
        { eventId: `evt_${tag}_${i}_2`, type: 'PaymentAuthorized', schemaVersion: 1, occurredAt: now, data: { authorizationId: `a-${i}`, amount: 8997 }, metadata },
      ],
    },
    externalRef: { channel: 'raw', externalId: `${tag}-${i}`, orderId: id },
    idempotency: { scope: 'idn_bench', key: `${tag}-${i}`, fingerprint: 'fp', status: 201, body: { id, ...view } },
    orderRow: { id, channel: 'raw', externalId: `${tag}-${i}`, status: 'created', version: 2, createdAt: now, updatedAt: now, view: { id, ...view } },
  };
}

/** Units per second for `total` units written `batch` at a time, sequentially. */
export async function rawWriteRate(store: Store, total: number, batch: number, tag: string): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < total; i += batch) {
    const units = Array.from({ length: Math.min(batch, total - i) }, (_, j) => unit(tag, i + j));
    const outcomes = await store.commit(units);
    if (outcomes.some((o) => !o.ok)) throw new Error(`raw write refused: ${JSON.stringify(outcomes.find((o) => !o.ok))}`);
  }
  return round(total / ((performance.now() - started) / 1000));
}
