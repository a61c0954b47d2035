import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { TestServer } from '../support/server.js';
import { e2eStores, startTestServer } from '../support/server.js';

/**
 * Facts delivered out of order (issue 5 §9: "out-of-order facts … must reach the same end
 * state"), made exact with an API-driven node reporting through the fact endpoints: each test
 * sends a node's facts in the order they happened, then in an order the network can deliver them.

 */
const SEATTLE = { name: 'Ada', line1: '1 Main', city: 'Seattle', region: 'WA', country: 'US', lat: 47.61, lon: -122.33 };

for (const store of e2eStores()) {
  describe(`facts out of order (${store})`, () => {
    let srv: TestServer;
    const fact = async (path: string, body: Record<string, unknown>) => srv.api(path, { body: { sourceMessageId: randomUUID(), ...body } });
    /** A released order of one unit at the API-driven node, acknowledged there. */
    const acknowledgedOrder = async (sku: string) => {
      const placed = await srv.api('/v1/orders', {
        body: { externalId: `OOO-${randomUUID()}`, channel: 'web', currency: 'USD', shipTo: SEATTLE, fulfillment: { type: 'ship', shipMethod: 'standard' }, lines: [{ lineId: '1', sku, quantity: 1, unitPrice: 1500 }] },
      });
      expect(placed.status).toBe(201);
      const f = placed.body.fulfillments[0].id as string;
      expect((await fact(`/v1/fulfillments/${f}/acknowledgement`, { accepted: true })).status).toBe(200);
      return { id: placed.body.id as string, f };
    };
    const openExceptions = async (orderId: string) => ((await srv.api(`/v1/exceptions?orderId=${orderId}&status=open`)).body.items as { type: string }[]).map((e) => e.type);

    beforeAll(async () => {
      srv = await startTestServer(store);
      const node = { type: 'dc', location: { lat: 47.6, lon: -122.3, country: 'US' }, capabilities: ['ship', 'cancel', 'partial_cancel', 'returns'], shipMethods: ['standard'], status: 'open' };
      expect((await srv.api('/v1/nodes/dc-ooo', { method: 'PUT', body: node })).status).toBe(200);
      const positions = ['SKU-O1', 'SKU-O2', 'SKU-O3', 'SKU-O4'].map((sku) => ({ sku, onHand: 10 }));
      expect((await srv.api('/v1/inventory/snapshots', { body: { nodeId: 'dc-ooo', asOf: new Date().toISOString(), positions } })).status).toBe(200);
    });
    afterAll(async () => srv?.close());

    it('an acknowledgement overtaken by the progress after it records nothing more, and the order ships', async () => {
      const placed = await srv.api('/v1/orders', {
        body: { externalId: `OOO-${randomUUID()}`, channel: 'web', currency: 'USD', shipTo: SEATTLE, fulfillment: { type: 'ship', shipMethod: 'standard' }, lines: [{ lineId: '1', sku: 'SKU-O1', quantity: 1, unitPrice: 1500 }] },
      });
      const f = placed.body.fulfillments[0].id as string;
      expect((await fact(`/v1/fulfillments/${f}/progress`, { stage: 'picked' })).body.order.fulfillments[0].status).toBe('picked');
      const ack = await fact(`/v1/fulfillments/${f}/acknowledgement`, { accepted: true });
      expect(ack.status).toBe(200);
      expect(ack.body.order.fulfillments[0].status).toBe('picked');
      const shipped = await fact(`/v1/fulfillments/${f}/shipments`, { shipmentId: 'S1', lines: [{ lineId: '1', quantity: 1 }] });
      expect(shipped.body.order).toMatchObject({ status: 'shipped' });
      expect(await openExceptions(placed.body.id as string)).toEqual([]);
    });

    // Once the node itself confirmed the cancellation, its earlier reports arriving late say nothing
    // new (only a shipment would contradict the cancel, and that is a conflict).
    it('a progress report overtaken by the node’s own cancellation confirmation raises no exception', async () => {
      const { id, f } = await acknowledgedOrder('SKU-O2');
      expect((await srv.api(`/v1/orders/${id}/cancel`, { body: { reason: 'customer_request' } })).status).toBe(200);
      expect((await fact(`/v1/fulfillments/${f}/cancellation-result`, { outcome: 'cancelled' })).body.order.status).toBe('cancelled');
      // The node had picked before it cancelled; that report arrives last.
      const late = await fact(`/v1/fulfillments/${f}/progress`, { stage: 'picked' });
      expect(late.status).toBe(200);
      expect(await openExceptions(id)).toEqual([]);
    });

    // A carrier's scan can overtake the WMS's ship confirmation: the delivery waits for its shipment.
    it('a delivery that overtakes its shipment is applied once the shipment arrives', async () => {
      const { id, f } = await acknowledgedOrder('SKU-O3');
      await fact(`/v1/fulfillments/${f}/deliveries`, { shipmentId: 'S1' });
      await fact(`/v1/fulfillments/${f}/shipments`, { shipmentId: 'S1', lines: [{ lineId: '1', quantity: 1 }] });
      const order = (await srv.api(`/v1/orders/${id}`)).body;
      expect(order.status).toBe('delivered');
      expect(await openExceptions(id)).toEqual([]);
    });

    // Stages only move forward (released < acknowledged < picked < packed | ready_for_pickup).
    it('a progress report overtaken by a later stage does not move the fulfillment back', async () => {
      const { f } = await acknowledgedOrder('SKU-O4');
      await fact(`/v1/fulfillments/${f}/progress`, { stage: 'packed' });
      const late = await fact(`/v1/fulfillments/${f}/progress`, { stage: 'picked' });
      expect(late.body.order.fulfillments[0].status).toBe('packed');
    });
  });
}
