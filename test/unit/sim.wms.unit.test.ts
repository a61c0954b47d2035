import { describe, expect, it } from 'vitest';
import { factSchema } from '../../src/connectors/factSchema.js';
import type { Fact } from '../../src/connectors/port.js';
import { createSimClock } from '../../src/connectors/sim/simClock.js';
import type { WmsSimulatorInput } from '../../src/connectors/sim/wmsSimulator.js';
import { createWmsSimulator } from '../../src/connectors/sim/wmsSimulator.js';
import { createRecordingSink } from '../support/recordingSink.js';
import { TIMINGS, cancel, release, wire } from './sim.fixtures.js';

function setup(over: Partial<WmsSimulatorInput> = {}) {
  const clock = createSimClock();
  const sink = createRecordingSink();
  const wms = createWmsSimulator({ id: 'wms-east', nodeId: 'dc-east', runId: 'r1', stock: { 'SKU-RED': 10, 'SKU-BLUE': 3 }, timings: TIMINGS, clock, report: { kind: 'sink', sink }, ...over });
  const types = () => sink.calls.map((c) => (c.message.type === 'fulfillment.progress' ? `progress:${c.message.stage}` : c.message.type));
  return { clock, sink, wms, types };
}

describe('WMS simulator: a fulfillment through its lifecycle', () => {
  it('acknowledges, picks, packs, ships from stock and delivers, on the manual clock only', async () => {
    const { clock, sink, wms, types } = setup();
    const answer = wms.receive(wire(release('ful_1', [{ sku: 'SKU-RED', quantity: 2 }, { sku: 'SKU-BLUE', quantity: 1 }])));
    expect(answer).toMatchObject({ status: 202, transport: 'respond', processed: true, body: { reference: 'wms-east-r1-wo-1' } });
    expect(sink.calls).toHaveLength(0);
    await clock.advance(999);
    expect(sink.calls).toHaveLength(0); // nothing happens before its time
    await clock.advance(1);
    expect(types()).toEqual(['fulfillment.acknowledged']);
    await clock.advance(3000);
    expect(types()).toEqual(['fulfillment.acknowledged', 'progress:picked', 'progress:packed', 'fulfillment.shipped']);
    const shipped = sink.calls[3]!.message as Extract<Fact, { type: 'fulfillment.shipped' }>;
    expect(shipped).toMatchObject({ fulfillmentId: 'ful_1', shipmentId: 'wms-east-r1-shp-1', carrier: 'UPS', shippedAt: '2026-11-25T09:00:04.000Z' });
    expect(shipped.lines).toEqual([{ lineId: '1', sku: 'SKU-RED', quantity: 2 }, { lineId: '2', sku: 'SKU-BLUE', quantity: 1 }]);
    expect(wms.onHand('SKU-RED')).toBe(8);
    expect(wms.onHand('SKU-BLUE')).toBe(2);
    await clock.advance(10_000);
    expect(types().at(-1)).toBe('fulfillment.delivered');
    // Every fact it reports is canonical, and message ids are stable and distinct.
    for (const c of sink.calls) expect(factSchema.safeParse(c.message).success).toBe(true);
    expect(new Set(sink.calls.map((c) => c.source.messageId)).size).toBe(5);
    expect(sink.calls.every((c) => c.source.system === 'wms-east')).toBe(true);
    expect(wms.snapshot().fulfillments).toEqual([
      {
        fulfillmentId: 'ful_1', orderId: 'ord_ful_1', reference: 'wms-east-r1-wo-1', status: 'delivered', shipmentId: 'wms-east-r1-shp-1',
        lines: [{ lineId: '1', sku: 'SKU-RED', quantity: 2, cancelled: 0, shipped: 2 }, { lineId: '2', sku: 'SKU-BLUE', quantity: 1, cancelled: 0, shipped: 1 }],
      },
    ]);
    expect(wms.reconciliationRows()).toEqual([{ fulfillmentId: 'ful_1', status: 'shipped', lines: [{ lineId: '1', quantity: 2, shipped: 2 }, { lineId: '2', quantity: 1, shipped: 1 }] }]);
    expect(clock.failures()).toEqual([]);
  });

  it('a store holds a pickup: ready_for_pickup, then collected as shipped + delivered in one message', async () => {
    const { clock, sink, wms, types } = setup({ kind: 'store', nodeId: 'store-seattle', id: 'pos-seattle' });
    wms.receive(wire(release('ful_p', [{ sku: 'SKU-RED', quantity: 1 }], { nodeId: 'store-seattle', delivery: { type: 'pickup', storeId: 'store-seattle' } })));
    await clock.advance(3000);
    expect(types()).toEqual(['fulfillment.acknowledged', 'progress:picked', 'progress:ready_for_pickup']);
    await clock.advance(5000);
    expect(types().slice(3)).toEqual(['fulfillment.shipped', 'fulfillment.delivered']);
    const [shipped, delivered] = sink.calls.slice(3);
    expect(shipped!.message).toMatchObject({ carrier: 'customer_pickup' });
    expect(shipped!.source.messageId).toMatch(/#0$/);
    expect(delivered!.source.messageId).toBe(shipped!.source.messageId.replace('#0', '#1'));
    expect(wms.snapshot().fulfillments[0]!.status).toBe('collected');
  });

  it('refuses what it cannot do with a business error, and changes nothing', () => {
    const { wms } = setup();
    expect(wms.receive(wire(release('f1', [{ sku: 'SKU-NOPE', quantity: 1 }]))).body).toMatchObject({ code: 'unknown_sku' });
    expect(wms.receive(wire(release('f2', [{ sku: 'SKU-RED', quantity: 1 }], { nodeId: 'dc-west' }))).body).toMatchObject({ code: 'wrong_node' });
    expect(wms.receive(wire(release('f3', [{ sku: 'SKU-RED', quantity: 1 }], { delivery: { type: 'pickup', storeId: 'x' } }))).body).toMatchObject({ code: 'pickup_not_supported' });
    const bad = wms.receive({ type: 'fulfillment.release', idempotencyKey: 'k', message: { ...release('f4', [{ sku: 'SKU-RED', quantity: 1 }]), lines: [{ lineId: '1', sku: 'SKU-RED', quantity: 0 }] } });
    expect(bad).toMatchObject({ status: 400, body: { code: 'invalid_message' } });
    expect((bad.body as { detail: string }).detail).toContain('message.lines[0].quantity');
    expect(wms.receive({ type: 'order.ship', idempotencyKey: 'k2', message: {} }).body).toMatchObject({ code: 'unsupported_message' });
    expect(wms.snapshot().fulfillments).toEqual([]);
    expect(wms.counters().byType['fulfillment.release']).toEqual({ arrived: 4, accepted: 0 });
  });

  it('acknowledges accepted: false when the shelf is short', async () => {
    const { clock, sink, wms } = setup();
    wms.receive(wire(release('f1', [{ sku: 'SKU-BLUE', quantity: 2 }])));
    wms.receive(wire(release('f2', [{ sku: 'SKU-BLUE', quantity: 2 }])));
    await clock.advance(1000);
    expect(sink.calls.map((c) => c.message)).toEqual([
      { type: 'fulfillment.acknowledged', fulfillmentId: 'f1', accepted: true },
      { type: 'fulfillment.acknowledged', fulfillmentId: 'f2', accepted: false, reason: 'insufficient_stock' },
    ]);
    await clock.runUntilIdle();
    expect(wms.onHand('SKU-BLUE')).toBe(1);
  });
});

describe('WMS simulator: counters and deduplication', () => {
  it('deduplicating: a resend with the same key is answered again but creates nothing', () => {
    const { wms } = setup();
    const req = wire(release('ful_1', [{ sku: 'SKU-RED', quantity: 1 }]));
    const first = wms.receive(req);
    const again = wms.receive(req);
    expect(again).toMatchObject({ status: first.status, body: first.body, processed: false });
    expect(wms.counters().byKey[req.idempotencyKey]).toEqual({ arrived: 2, accepted: 1 });
    expect(wms.counters().created).toEqual({ ful_1: 1 });
    expect(wms.createdTwice()).toEqual([]);
    // The same key with another message is refused.
    expect(wms.receive({ ...req, message: { ...(req.message as object), nodeId: 'dc-east', lines: [{ lineId: '1', sku: 'SKU-RED', quantity: 9 }] } }).body).toMatchObject({ code: 'idempotency_key_reused' });
  });

  it('not deduplicating: a resend creates the fulfillment twice, and createdTwice says so', async () => {
    const { clock, sink, wms } = setup({ dedupe: false });
    const req = wire(release('ful_1', [{ sku: 'SKU-RED', quantity: 1 }]));
    wms.receive(req);
    wms.receive(req);
    expect(wms.counters().byKey[req.idempotencyKey]).toEqual({ arrived: 2, accepted: 2 });
    expect(wms.createdTwice()).toEqual(['ful_1']);
    await clock.runUntilIdle();
    expect(sink.calls.filter((c) => c.message.type === 'fulfillment.shipped')).toHaveLength(2);
    expect(wms.onHand('SKU-RED')).toBe(8);
  });
});

describe('WMS simulator: cancellation', () => {
  it('cancels before shipping: the result is reported, nothing ships, the stock is free again', async () => {
    const { clock, sink, wms, types } = setup();
    wms.receive(wire(release('ful_1', [{ sku: 'SKU-BLUE', quantity: 3 }])));
    await clock.advance(1500); // acknowledged, stock held
    expect(wms.receive(wire(cancel('ful_1')))).toMatchObject({ status: 202 });
    await clock.runUntilIdle();
    expect(types()).toEqual(['fulfillment.acknowledged', 'fulfillment.cancellation_result']);
    expect(sink.calls[1]!.message).toEqual({ type: 'fulfillment.cancellation_result', fulfillmentId: 'ful_1', outcome: 'cancelled' });
    expect(wms.snapshot().fulfillments[0]!.status).toBe('cancelled');
    expect(wms.onHand('SKU-BLUE')).toBe(3);
    wms.receive(wire(release('ful_2', [{ sku: 'SKU-BLUE', quantity: 3 }])));
    await clock.advance(1000);
    expect(sink.calls.at(-1)!.message).toMatchObject({ fulfillmentId: 'ful_2', accepted: true });
  });

  it('cancels part of a fulfillment and ships the rest', async () => {
    const { clock, sink, wms } = setup();
    wms.receive(wire(release('ful_1', [{ sku: 'SKU-RED', quantity: 4 }, { sku: 'SKU-BLUE', quantity: 1 }])));
    wms.receive(wire(cancel('ful_1', { lines: [{ lineId: '1', sku: 'SKU-RED', quantity: 3 }] })));
    await clock.runUntilIdle();
    const facts = sink.calls.map((c) => c.message);
    expect(facts).toContainEqual({ type: 'fulfillment.cancellation_result', fulfillmentId: 'ful_1', outcome: 'cancelled', lines: [{ lineId: '1', sku: 'SKU-RED', quantity: 3 }] });
    expect(facts.find((f) => f.type === 'fulfillment.shipped')).toMatchObject({ lines: [{ lineId: '1', quantity: 1 }, { lineId: '2', quantity: 1 }] });
  });

  it('refuses a cancel once shipped, and an unknown fulfillment; a vendor without cancel refuses outright', async () => {
    const { clock, sink, wms } = setup();
    wms.receive(wire(release('ful_1', [{ sku: 'SKU-RED', quantity: 1 }])));
    await clock.advance(4000);
    wms.receive(wire(cancel('ful_1')));
    await clock.advance(500);
    expect(sink.calls.at(-1)!.message).toEqual({ type: 'fulfillment.cancellation_result', fulfillmentId: 'ful_1', outcome: 'refused', reason: 'already_shipped' });
    expect(wms.receive(wire(cancel('ful_404'))).body).toMatchObject({ code: 'unknown_fulfillment' });
    const vendor = setup({ canCancel: false }).wms;
    expect(vendor.handles).toEqual(['fulfillment.release']);
    expect(vendor.capabilities.canCancel).toBe(false);
    expect(vendor.receive(wire(cancel('ful_1'))).body).toMatchObject({ code: 'cancel_not_supported' });
  });

  it('fault shipAfterCancel: reports the cancel accepted, then ships anyway', async () => {
    const { clock, sink, wms, types } = setup({ faults: { shipAfterCancelRate: 1 } });
    wms.receive(wire(release('ful_1', [{ sku: 'SKU-RED', quantity: 2 }])));
    await clock.advance(1200); // acknowledged; its result (at +500) comes before the pick (at 2000)
    wms.receive(wire(cancel('ful_1')));
    await clock.runUntilIdle();
    expect(types()).toEqual(['fulfillment.acknowledged', 'fulfillment.cancellation_result', 'progress:picked', 'progress:packed', 'fulfillment.shipped', 'fulfillment.delivered']);
    expect(sink.calls[1]!.message).toMatchObject({ outcome: 'cancelled' });
    expect(wms.snapshot().fulfillments[0]).toMatchObject({ status: 'delivered', cancelIgnored: true });
    expect(wms.onHand('SKU-RED')).toBe(8);
  });
});

describe('WMS simulator: stock', () => {
  it('inventorySnapshot is a valid inventory.snapshot fact; adjustments drift silently or are reported', async () => {
    const { clock, sink, wms } = setup();
    const snap = wms.inventorySnapshot();
    expect(snap).toEqual({ type: 'inventory.snapshot', nodeId: 'dc-east', asOf: '2026-11-25T09:00:00.000Z', positions: [{ sku: 'SKU-BLUE', onHand: 3 }, { sku: 'SKU-RED', onHand: 10 }] });
    expect(factSchema.safeParse(snap).success).toBe(true);
    wms.adjustOnHand('SKU-RED', -4);
    wms.adjustOnHand('SKU-BLUE', 2, { report: true, reason: 'found' });
    await clock.tick();
    expect(sink.calls.map((c) => c.message)).toEqual([{ type: 'inventory.adjustment', nodeId: 'dc-east', sku: 'SKU-BLUE', delta: 2, reason: 'found' }]);
    expect(wms.snapshot().onHand).toEqual({ 'SKU-BLUE': 5, 'SKU-RED': 6 });
    expect(() => wms.adjustOnHand('SKU-RED', -7)).toThrow(/below 0/);
    expect(wms.onHand('SKU-RED')).toBe(6);
  });

  it('ships short when stock vanished after acknowledgement', async () => {
    const { clock, sink, wms } = setup();
    wms.receive(wire(release('ful_1', [{ sku: 'SKU-RED', quantity: 5 }])));
    await clock.advance(1000);
    wms.adjustOnHand('SKU-RED', -8);
    await clock.runUntilIdle();
    expect(sink.calls.find((c) => c.message.type === 'fulfillment.shipped')!.message).toMatchObject({ lines: [{ lineId: '1', sku: 'SKU-RED', quantity: 2 }] });
  });

  it('a short shipment leaves units behind that can still be cancelled; the shipped ones cannot', async () => {
    const { clock, sink, wms } = setup();
    wms.receive(wire(release('ful_1', [{ sku: 'SKU-RED', quantity: 5 }])));
    await clock.advance(1000);
    wms.adjustOnHand('SKU-RED', -8);
    await clock.advance(3000);
    expect(wms.snapshot().fulfillments[0]).toMatchObject({ status: 'shipped', lines: [{ shipped: 2, cancelled: 0 }] });
    wms.receive(wire(cancel('ful_1', { lines: [{ lineId: '1', sku: 'SKU-RED', quantity: 3 }] })));
    await clock.advance(500);
    expect(sink.calls.at(-1)!.message).toEqual({ type: 'fulfillment.cancellation_result', fulfillmentId: 'ful_1', outcome: 'cancelled', lines: [{ lineId: '1', sku: 'SKU-RED', quantity: 3 }] });
    // It stays shipped (and is delivered); what it shipped is not cancelled.
    expect(wms.snapshot().fulfillments[0]).toMatchObject({ status: 'shipped', lines: [{ shipped: 2, cancelled: 3 }] });
    expect(wms.reconciliationRows()).toEqual([{ fulfillmentId: 'ful_1', status: 'shipped', lines: [{ lineId: '1', quantity: 2, shipped: 2 }] }]);
    wms.receive(wire(cancel('ful_1'), 'again'));
    await clock.advance(500);
    expect(sink.calls.at(-1)!.message).toMatchObject({ outcome: 'refused', reason: 'already_shipped' });
    await clock.runUntilIdle();
    expect(wms.snapshot().fulfillments[0]).toMatchObject({ status: 'delivered' });
  });

  it('fault noShow: a pickup nobody collects stays ready until it is cancelled', async () => {
    const { clock, sink, wms, types } = setup({ kind: 'store', nodeId: 'store-seattle', id: 'pos-seattle', faults: { noShowRate: 1 } });
    wms.receive(wire(release('ful_p', [{ sku: 'SKU-RED', quantity: 1 }], { nodeId: 'store-seattle', delivery: { type: 'pickup', storeId: 'store-seattle' } })));
    await clock.advance(100_000);
    expect(types()).toEqual(['fulfillment.acknowledged', 'progress:picked', 'progress:ready_for_pickup']);
    expect(clock.pending()).toEqual([]);
    wms.receive(wire(cancel('ful_p', { nodeId: 'store-seattle' })));
    await clock.runUntilIdle();
    expect(sink.calls.at(-1)!.message).toMatchObject({ type: 'fulfillment.cancellation_result', outcome: 'cancelled' });
    expect(wms.snapshot().fulfillments[0]).toMatchObject({ status: 'cancelled', lines: [{ cancelled: 1, shipped: 0 }] });
    expect(wms.onHand('SKU-RED')).toBe(10);
  });

  it('holds reports until a target is set, then delivers them in order', async () => {
    const { clock, wms } = setup({ report: undefined });
    wms.receive(wire(release('ful_1', [{ sku: 'SKU-RED', quantity: 1 }])));
    await clock.advance(2000);
    expect(wms.deliveries()).toEqual([]);
    const sink = createRecordingSink();
    wms.setReportTarget({ kind: 'sink', sink });
    await clock.tick();
    expect(sink.calls.map((c) => c.message.type)).toEqual(['fulfillment.acknowledged', 'fulfillment.progress']);
  });

  it('refuses bad options with a clear error', () => {
    expect(() => createWmsSimulator({ id: 'w', nodeId: 'n', stock: { X: -1 } })).toThrow(/stock/);
    expect(() => createWmsSimulator({ id: 'w', nodeId: 'n', faults: { transientErrorRate: 2 } })).toThrow(/transientErrorRate/);
  });
});
