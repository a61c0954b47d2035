import { describe, expect, it } from 'vitest';
import { nodesServedBy, toLedgerFulfillment } from '../../src/app/reconcile/ledgerFulfillments.js';
import { paymentTarget, toLedgerPayment } from '../../src/app/reconcile/ledgerPayments.js';
import { csvRows, x12InventoryRows } from '../../src/app/reconcile/snapshotFormats.js';
import { checkHeader, checkRow } from '../../src/app/reconcile/snapshotRows.js';
import { parseDropName } from '../../src/app/reconcile/snapshotSources.js';
import { compareOne } from '../../src/app/reconcile/runEngine.js';
import { defaultReconcilePolicy } from '../../src/reconcile/index.js';
import type { ReconciliationFulfillmentRow } from '../../src/store/port.js';

const T = '2026-11-25T10:00:00.000Z';
const line = (quantity: number, shipped = 0) => ({ lineId: '1', sku: 'SKU-1', quantity, shipped, delivered: 0 });
const row = (view: Record<string, unknown>, release: ReconciliationFulfillmentRow['release'] = null): ReconciliationFulfillmentRow => ({
  id: 'ful_a-1', orderId: 'ord_a', nodeId: 'dc-1', status: 'x', releasedAt: T, updatedAt: '2026-11-25T11:00:00.000Z', release,
  view: { id: 'ful_a-1', nodeId: 'dc-1', stage: 'acknowledged', lines: [line(3)], shipments: [], ...view },
});

describe('the ledger side from the store', () => {
  it('a release through a connector is known by its outbox send and delivery; without a connector, when recorded', () => {
    const viaOutbox = toLedgerFulfillment(row({}, { messageId: 'msg_1', status: 'dispatched', firstAttemptAt: '2026-11-25T10:00:01.000Z', dispatchedAt: '2026-11-25T10:00:02.000Z' }), 'wms');
    expect(viaOutbox.history[0]).toEqual({ type: 'released', at: T, sentAt: '2026-11-25T10:00:01.000Z', deliveredAt: '2026-11-25T10:00:02.000Z' });
    expect(toLedgerFulfillment(row({}, { messageId: 'msg_1', status: 'pending', firstAttemptAt: null, dispatchedAt: null }), 'wms').history[0]).toEqual({ type: 'released', at: T });
    expect(toLedgerFulfillment(row({}), 'dc-1').history[0]).toEqual({ type: 'released', at: T, deliveredAt: T });
    expect(toLedgerFulfillment(row({ stage: 'allocated' }), 'dc-1').history).toEqual([]);
  });

  it('lines are as released; node cancellations, shipments, acknowledgements and rejections are history', () => {
    const f = toLedgerFulfillment(row({
      lines: [line(1, 1)], releasedLines: [line(3)], acknowledgedAt: '2026-11-25T10:05:00.000Z',
      shipments: [{ shipmentId: 'S', lines: [{ lineId: '1', quantity: 1 }], shippedAt: '2026-11-25T10:30:00.000Z' }],
      cancellations: [{ at: '2026-11-25T10:20:00.000Z', lines: [{ lineId: '1', quantity: 2 }] }],
    }), 'dc-1');
    expect(f.lines).toEqual([{ lineId: '1', sku: 'SKU-1', quantity: 3 }]);
    expect(f.history.map((h) => h.type)).toEqual(['released', 'acknowledged', 'shipped', 'cancelled']);
    expect(f.history[2]).toMatchObject({ occurredAt: '2026-11-25T10:30:00.000Z' });
    // Without releasedLines (rows from before they were kept): current lines plus what the node cancelled.
    expect(toLedgerFulfillment(row({ lines: [line(1)], cancellations: [{ lines: [{ lineId: '1', quantity: 2 }] }] }), 'dc-1').lines[0]!.quantity).toBe(3);
    const rejected = toLedgerFulfillment(row({ lines: [], releasedLines: [line(3)], rejected: 'no stock', rejectedAt: '2026-11-25T10:10:00.000Z' }), 'dc-1');
    expect(rejected.history.at(-1)).toEqual({ type: 'acknowledged', at: '2026-11-25T10:10:00.000Z', accepted: false });
    const withdrawn = toLedgerFulfillment(row({ lines: [], releasedLines: [line(3)], rejected: 'rerouted', withdrawn: true, rejectedAt: '2026-11-25T10:10:00.000Z' }), 'dc-1');
    expect(withdrawn.history.at(-1)).toEqual({ type: 'cancelled', at: '2026-11-25T10:10:00.000Z', lines: [{ lineId: '1', quantity: 3 }] });
  });

  it('a target serves the nodes whose connector it is; a node without one is its own target', () => {
    const nodes = [{ id: 'dc-1', doc: { connector: 'wms' }, updatedAt: T }, { id: 'dc-2', doc: { connector: 'wms' }, updatedAt: T }, { id: 'st-1', doc: {}, updatedAt: T }, { id: 'wms', doc: { connector: 'pos' }, updatedAt: T }];
    expect(nodesServedBy(nodes, 'wms')).toEqual(['dc-1', 'dc-2']);
    expect(nodesServedBy(nodes, 'st-1')).toEqual(['st-1']);
  });

  it('an order\'s money is the payment connector\'s for gateway orders, its channel\'s otherwise; goods from the buckets', () => {
    expect(paymentTarget({ paymentMode: 'gateway', channel: 'web' }, 'payments')).toBe('payments');
    expect(paymentTarget({ paymentMode: 'channel', channel: 'shopify' }, 'payments')).toBe('shopify');
    const buckets = { unallocated: 0, backordered: 0, allocated: 0, released: 0, shipped: 1, delivered: 1, cancelled: 1, returned: 1 };
    const view = {
      currency: 'USD', paymentMode: 'channel', customer: { tier: 'vip' }, totals: { items: 4000 },
      payment: { authorized: 4000, voided: 1000, captured: 3000, refunded: 1500 }, lines: [{ lineId: '1', unitPrice: 1000, quantity: 4, buckets }],
    };
    const p = toLedgerPayment({ id: 'ord_1', channel: 'web', externalId: 'x', status: 's', version: 1, createdAt: T, updatedAt: T, view }, 'web', new Map());
    expect(p).toMatchObject({ authorized: 3000, captured: 3000, refunded: 1500, customerTier: 'vip', value: 4000, goodsChangedAt: T });
    expect(p.goods).toEqual({ lines: [{ lineId: '1', unitPrice: 1000, quantity: 4, shipped: 3, cancelled: 1, returned: 1 }], refundsWithoutReturn: 500 });
    // And the comparison sees it settled: nothing to report for a gateway agreeing to the cent.
    expect(compareOne('payments', { target: 'web', kind: 'payments', asOf: T }, T, defaultReconcilePolicy, p, [{ orderId: 'ord_1', authorized: 3000, captured: 3000, refunded: 1500 }])).toEqual([]);
  });
});

describe('snapshot rows', () => {
  it('every problem names its row and field; known fields only are kept', () => {
    expect(checkRow('inventory', { nodeId: 'dc-1', sku: 'A', onHand: 3, extra: true }, 'rows[0]')).toEqual({ ok: true, row: { nodeId: 'dc-1', sku: 'A', onHand: 3 } });
    expect(checkRow('orders', { fulfillmentId: 'f', status: 'open', lines: [{ lineId: '1', quantity: 1, shipped: 0 }, { lineId: '1', quantity: 1.5, shipped: 0 }] }, 'rows[2]')).toEqual({
      ok: false,
      errors: [{ path: 'rows[2].lines[1].quantity', message: 'a whole number from 0 to 1000000000' }, { path: 'rows[2].lines[1].lineId', message: 'duplicate lineId 1' }],
    });
    expect(checkRow('payments', { orderId: 'o', authorized: -1, captured: 0, refunded: 0, currency: 'usd' }, 'rows[0]')).toMatchObject({
      errors: [{ path: 'rows[0].authorized' }, { path: 'rows[0].currency' }],
    });
    expect(checkRow('orders', 'x', 'rows[9]')).toEqual({ ok: false, errors: [{ path: 'rows[9]', message: 'must be an object' }] });
    expect(checkHeader({ target: 'wms', kind: 'orders', asOf: '2030-01-01T00:00:00Z' }, T)).toMatchObject({ ok: false, errors: [{ path: 'asOf' }] });
  });

  it('CSV: columns by name in any order and case; consecutive records of a fulfillment make one row', async () => {
    const text = ['STATUS,fulfillmentId,lineId,Quantity,shipped', 'open,f1,1,2,0', 'open,f1,2,1,1', 'shipped,f2,1,1,1', '"open",f1,3,1,0'];
    const items = [];
    for await (const i of csvRows('orders', text)) items.push(i);
    expect(items).toEqual([
      { input: { fulfillmentId: 'f1', status: 'open', lines: [{ lineId: '1', quantity: 2, shipped: 0 }, { lineId: '2', quantity: 1, shipped: 1 }] }, path: 'line 2' },
      { input: { fulfillmentId: 'f2', status: 'shipped', lines: [{ lineId: '1', quantity: 1, shipped: 1 }] }, path: 'line 4' },
      { input: { fulfillmentId: 'f1', status: 'open', lines: [{ lineId: '3', quantity: 1, shipped: 0 }] }, path: 'line 5' },
    ]);
    const missing = [];
    for await (const i of csvRows('inventory', ['sku,onHand', 'A,1'])) missing.push(i);
    expect(missing).toEqual([{ error: { path: 'line 1', message: 'a inventory snapshot needs the column(s) nodeId or location' } }]);
  });

  it('X12 846: positions per location, as of the BIA date; an unknown qualifier is an error, never guessed', () => {
    const doc = (qty: string) => ['ISA*00*          *00*          *ZZ*W              *ZZ*ORDERLY        *240102*0304*U*00401*000000001*0*P*>~', 'GS*IB*W*ORDERLY*20240102*0304*1*X*004010~',
      'ST*846*0001~', 'BIA*00*SI*R1*20240102*1530~', 'N1*WH*Main*92*dc-1~', 'LIN**SK*A~', qty, 'SE*6*0001~', 'GE*1*1~', 'IEA*1*000000001~'].join('\n');
    const read = x12InventoryRows(doc('QTY*17*5*EA~'));
    expect(read).toEqual({ rows: [{ input: { nodeId: 'dc-1', sku: 'A', onHand: 5, asOf: '2024-01-02T15:30:00.000Z' }, path: 'transaction 1.1.1 dc-1 position 1' }], asOf: '2024-01-02T15:30:00.000Z', errors: [] });
    expect(x12InventoryRows(doc('QTY*99*5*EA~')).errors.length).toBeGreaterThan(0);
  });

  it('a dropped file names its target and kind', () => {
    expect(parseDropName('wms-east.inventory.2026-11-25.csv')).toEqual({ target: 'wms-east', kind: 'inventory' });
    expect(parseDropName('wms-east.stock.csv')).toBeUndefined();
  });
});
