import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { TestServer } from '../support/server.js';
import { e2eStores, startTestServer } from '../support/server.js';

/**
 * The API-driven path of issue 5 (a node with no connector, reporting through the fact
 * endpoints), as a black box: release, acknowledgement, partial and duplicate shipments,
 * delivery, cancellation after release with a refusal, a shipment for a cancelled order, a
 * return — with buckets, reservations and on-hand checked at every step.
 */
const SEATTLE = { name: 'Ada', line1: '1 Main', city: 'Seattle', region: 'WA', country: 'US', lat: 47.61, lon: -122.33 };

const order = (sku: string, quantity: number, extra: Record<string, unknown> = {}) => ({
  externalId: `L-${randomUUID()}`,
  channel: 'web',
  currency: 'USD',
  shipTo: SEATTLE,
  fulfillment: { type: 'ship', shipMethod: 'standard' },
  lines: [{ lineId: '1', sku, quantity, unitPrice: 2500 }],
  ...extra,
});

for (const store of e2eStores()) {
  describe(`fulfillment lifecycle over HTTP, API-driven node (${store})`, () => {
    let srv: TestServer;
    const position = async (sku: string) => ((await srv.api(`/v1/inventory?sku=${sku}&nodeId=dc-api`)).body.items as { onHand: number; reserved: number; sellable: number }[])[0]!;
    const fact = (path: string, body: Record<string, unknown>) => srv.api(path, { body: { sourceMessageId: randomUUID(), ...body } });
    const buckets = (o: { lines: { buckets: Record<string, number> }[] }) => o.lines[0]!.buckets;

    beforeAll(async () => {
      srv = await startTestServer(store);
      const node = { type: 'dc', location: { lat: 47.6, lon: -122.3, country: 'US' }, capabilities: ['ship', 'cancel', 'partial_cancel', 'returns'], shipMethods: ['standard'], status: 'open' };
      expect((await srv.api('/v1/nodes/dc-api', { method: 'PUT', body: node })).status).toBe(200);
      const positions = ['SKU-L1', 'SKU-L2', 'SKU-L3', 'SKU-L4'].map((sku) => ({ sku, onHand: 20 }));
      expect((await srv.api('/v1/inventory/snapshots', { body: { nodeId: 'dc-api', asOf: new Date().toISOString(), positions } })).status).toBe(200);
    });
    afterAll(async () => srv.close());

    it('releases, then takes acknowledgement, a partial shipment (twice), the rest and a delivery', async () => {
      const placed = await srv.api('/v1/orders', { body: order('SKU-L1', 5) });
      expect(placed.status).toBe(201);
      const id = placed.body.id as string;
      const f = placed.body.fulfillments[0].id as string;
      // Released to the node right after placement; a polling system finds it.
      expect((await srv.api(`/v1/orders/${id}`)).body).toMatchObject({ status: 'released', fulfillments: [{ id: f, status: 'released' }] });
      const polled = await srv.api('/v1/fulfillments?nodeId=dc-api&status=released&limit=500');
      expect(polled.body.items.map((x: { id: string }) => x.id)).toContain(f);
      expect(await position('SKU-L1')).toMatchObject({ onHand: 20, reserved: 5, sellable: 15 });

      const ack = await fact(`/v1/fulfillments/${f}/acknowledgement`, { accepted: true });
      expect(ack.status).toBe(200);
      expect(ack.body.order.fulfillments[0].status).toBe('acknowledged');

      const partial = { shipmentId: 'S1', lines: [{ lineId: '1', quantity: 2 }], carrier: 'UPS', trackingNumber: '1Z1', sourceMessageId: `ship-${f}-1` };
      const first = await srv.api(`/v1/fulfillments/${f}/shipments`, { body: partial });
      expect(first.status).toBe(200);
      expect(first.body.status).toBe('applied');
      expect(buckets(first.body.order)).toMatchObject({ released: 3, shipped: 2 });
      expect(await position('SKU-L1')).toMatchObject({ onHand: 18, reserved: 3, sellable: 15 });
      // The same message again: acknowledged, nothing counted twice.
      const dup = await srv.api(`/v1/fulfillments/${f}/shipments`, { body: partial });
      expect(dup.status).toBe(200);
      expect(dup.body.status).toBe('duplicate');
      expect(buckets(dup.body.order)).toMatchObject({ released: 3, shipped: 2 });
      // The same shipment under another message id: still not counted twice.
      expect((await srv.api(`/v1/fulfillments/${f}/shipments`, { body: { ...partial, sourceMessageId: 'other' } })).body.status).toBe('duplicate');
      expect(await position('SKU-L1')).toMatchObject({ onHand: 18, reserved: 3 });
      expect((await srv.api(`/v1/orders/${id}`)).body.status).toBe('partially_shipped');

      const rest = await fact(`/v1/fulfillments/${f}/shipments`, { shipmentId: 'S2', lines: [{ sku: 'SKU-L1', quantity: 3 }] });
      expect(buckets(rest.body.order)).toMatchObject({ released: 0, shipped: 5 });
      expect(rest.body.order.status).toBe('shipped');
      expect(await position('SKU-L1')).toMatchObject({ onHand: 15, reserved: 0, sellable: 15 });

      const delivered = await fact(`/v1/fulfillments/${f}/deliveries`, { shipmentId: 'S1' });
      expect(buckets(delivered.body.order)).toMatchObject({ shipped: 3, delivered: 2 });
      const all = await fact(`/v1/fulfillments/${f}/deliveries`, {});
      expect(all.body.order).toMatchObject({ status: 'delivered', fulfillments: [{ status: 'delivered' }] });
      const types = (await srv.api(`/v1/orders/${id}/events`)).body.items.map((e: { type: string }) => e.type);
      expect(types).toEqual(['OrderPlaced', 'PaymentAuthorized', 'OrderRouted', 'FulfillmentReleased', 'FulfillmentAcknowledged', 'ShipmentConfirmed', 'ShipmentConfirmed', 'DeliveryConfirmed', 'DeliveryConfirmed'].filter((t) => t !== 'PaymentAuthorized'));
    });

    it('cancels after release by asking the node; a refusal leaves the goods with the customer', async () => {
      const placed = await srv.api('/v1/orders', { body: order('SKU-L2', 2) });
      const f = placed.body.fulfillments[0].id as string;
      const cancel = await srv.api(`/v1/orders/${placed.body.id}/cancel`, { body: { reason: 'customer_request' } });
      expect(cancel.status).toBe(200);
      expect(cancel.body.fulfillments[0].status).toBe('cancel_requested');
      expect(buckets(cancel.body)).toMatchObject({ released: 2, cancelled: 0 });
      const polled = await srv.api('/v1/fulfillments?nodeId=dc-api&status=cancel_requested&limit=500');
      expect(polled.body.items.map((x: { id: string }) => x.id)).toContain(f);
      const refused = await fact(`/v1/fulfillments/${f}/cancellation-result`, { outcome: 'refused', reason: 'already_shipped' });
      expect(refused.status).toBe(200);
      expect(refused.body.order.fulfillments[0].status).toBe('released');
      expect(await position('SKU-L2')).toMatchObject({ reserved: 2 });
      const shipped = await fact(`/v1/fulfillments/${f}/shipments`, { shipmentId: 'S1', lines: [{ lineId: '1', quantity: 2 }] });
      expect(shipped.body.order).toMatchObject({ status: 'shipped' });
      expect(await position('SKU-L2')).toMatchObject({ onHand: 18, reserved: 0 });
      // Cancelling again: nothing is left to cancel.
      expect((await srv.api(`/v1/orders/${placed.body.id}/cancel`, { body: { reason: 'again' } })).status).toBe(409);
    });

    it('records a shipment for a cancelled order as a conflict with an open exception, and counts nothing', async () => {
      const placed = await srv.api('/v1/orders', { body: order('SKU-L3', 1) });
      const f = placed.body.fulfillments[0].id as string;
      await srv.api(`/v1/orders/${placed.body.id}/cancel`, { body: { reason: 'customer_request' } });
      const cancelled = await fact(`/v1/fulfillments/${f}/cancellation-result`, { outcome: 'cancelled' });
      expect(cancelled.body.order.status).toBe('cancelled');
      expect(await position('SKU-L3')).toMatchObject({ onHand: 20, reserved: 0, sellable: 20 });

      const late = await fact(`/v1/fulfillments/${f}/shipments`, { shipmentId: 'LATE', lines: [{ lineId: '1', quantity: 1 }] });
      expect(late.status).toBe(202);
      expect(late.body.status).toBe('conflict');
      const exceptionId = late.body.exceptionId as string;
      const types = (await srv.api(`/v1/orders/${placed.body.id}/events`)).body.items.map((e: { type: string }) => e.type);
      expect(types.at(-1)).toBe('ConflictDetected');
      expect(buckets(late.body.order)).toMatchObject({ cancelled: 1, shipped: 0 });
      expect(await position('SKU-L3')).toMatchObject({ onHand: 20, reserved: 0 });
      const exception = await srv.api(`/v1/exceptions/${exceptionId}`);
      expect(exception.status).toBe(200);
      expect(exception.body).toMatchObject({ status: 'open', type: 'shipment_after_cancel', orderId: placed.body.id, fulfillmentId: f });
      expect(exception.body.suggestedActions).toContain('accept_external');
      expect(exception.body.context.target).toMatchObject({ shipmentId: 'LATE' });
      const open = await srv.api(`/v1/exceptions?status=open&orderId=${placed.body.id}`);
      expect(open.body.items.map((e: { id: string }) => e.id)).toEqual([exceptionId]);
      const metrics = (await srv.api('/metrics')).body as string;
      expect(metrics).toMatch(/orderly_exceptions_open\{type="shipment_after_cancel",severity="\w+"\} 1/);

      // An operator adopts the node's truth: the customer keeps the unit, the node's on-hand goes down.
      const action = await srv.api(`/v1/exceptions/${exceptionId}/actions`, { body: { action: 'accept_external', note: 'customer keeps it; charge by phone' } });
      expect(action.status, JSON.stringify(action.body)).toBe(200);
      expect(action.body).toMatchObject({ status: 'resolved', audit: expect.arrayContaining([expect.objectContaining({ action: 'accept_external', note: 'customer keeps it; charge by phone' })]) });
      const after = (await srv.api(`/v1/orders/${placed.body.id}`)).body;
      expect(after.status).toBe('shipped');
      expect(buckets(after)).toMatchObject({ cancelled: 0, shipped: 1 });
      expect(await position('SKU-L3')).toMatchObject({ onHand: 19, reserved: 0 });
      // Adopting it again is refused with the reason, and changes nothing.
      const again = await srv.api(`/v1/exceptions/${exceptionId}/actions`, { body: { action: 'accept_external' } });
      expect(again.status).toBe(409);
      expect(await position('SKU-L3')).toMatchObject({ onHand: 19 });
    });

    it('authorizes a return within what shipped and receives it, restocking the good unit only', async () => {
      const placed = await srv.api('/v1/orders', { body: order('SKU-L4', 3) });
      const f = placed.body.fulfillments[0].id as string;
      await fact(`/v1/fulfillments/${f}/shipments`, { shipmentId: 'S1', lines: [{ lineId: '1', quantity: 3 }] });
      await fact(`/v1/fulfillments/${f}/deliveries`, {});
      expect(await position('SKU-L4')).toMatchObject({ onHand: 17, reserved: 0 });

      const tooMany = await srv.api(`/v1/orders/${placed.body.id}/returns`, { body: { lines: [{ lineId: '1', quantity: 4 }], reason: 'damaged' } });
      expect(tooMany.status).toBe(409);
      const ret = await srv.api(`/v1/orders/${placed.body.id}/returns`, { body: { lines: [{ lineId: '1', quantity: 2 }], reason: 'damaged' } });
      expect(ret.status).toBe(201);
      expect(ret.body.returnId).toMatch(/^ret_/);
      const receipt = await fact(`/v1/returns/${ret.body.returnId}/receipts`, {
        nodeId: 'dc-api',
        lines: [
          { lineId: '1', quantity: 1, disposition: 'restock' },
          { lineId: '1', quantity: 1, disposition: 'damaged' },
        ],
      });
      expect(receipt.status).toBe(200);
      expect(receipt.body.order).toMatchObject({ status: 'partially_returned' });
      expect(buckets(receipt.body.order)).toMatchObject({ delivered: 1, returned: 2 });
      expect(await position('SKU-L4')).toMatchObject({ onHand: 18, reserved: 0 });
      // Buckets always sum to the ordered quantity.
      expect(Object.values(buckets(receipt.body.order)).reduce((a, b) => a + b, 0)).toBe(3);
    });

    it('answers 404 for a fact about an unknown fulfillment and 400 naming the field for a bad one', async () => {
      expect((await fact('/v1/fulfillments/ful_nope-1/acknowledgement', { accepted: true })).status).toBe(404);
      const placed = await srv.api('/v1/orders', { body: order('SKU-L1', 1) });
      const f = placed.body.fulfillments[0].id as string;
      const bad = await fact(`/v1/fulfillments/${f}/shipments`, { shipmentId: 'X', lines: [{ lineId: '1', quantity: 0 }] });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].path).toBe('lines[0].quantity');
      const noId = await srv.api(`/v1/fulfillments/${f}/acknowledgement`, { body: { accepted: true } });
      expect(noId.status).toBe(400);
      expect(noId.body.errors[0].path).toBe('sourceMessageId');
    });
  });
}
