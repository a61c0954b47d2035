import { afterEach, describe, expect, it } from 'vitest';
import { factSchema } from '../../src/connectors/factSchema.js';
import type { SimulatedNetwork } from '../../src/connectors/sim/network.js';
import { createSimulatedNetwork } from '../../src/connectors/sim/network.js';
import { parseRoutingNode } from '../../src/routing/index.js';
import { createRecordingSink } from '../support/recordingSink.js';
import { envelope, release, signal } from './sim.fixtures.js';

let network: SimulatedNetwork | undefined;
afterEach(async () => {
  await network?.close();
  network = undefined;
});

describe('simulated network', () => {
  it('has 2 DCs, 4 stores and a drop-ship vendor whose node documents validate', async () => {
    network = await createSimulatedNetwork({ seed: 1 });
    expect(network.nodes.map((n) => `${n.type}:${n.id}`)).toEqual([
      'dc:dc-east', 'dc:dc-west', 'store:store-seattle', 'store:store-chicago', 'store:store-austin', 'store:store-brooklyn', 'dropship:vendor-northwoods',
    ]);
    for (const node of network.nodes) {
      const { id, ...doc } = node;
      const parsed = parseRoutingNode(id, doc);
      expect(parsed.ok, id).toBe(true);
      expect(node.location.country).toBe('US');
      expect(network.simulator(node.connector!), `connector of ${id}`).toBeDefined();
    }
    const store = network.nodes.find((n) => n.type === 'store')!;
    expect(store.capabilities).toEqual(expect.arrayContaining(['pickup', 'ship_from_store']));
    expect(network.nodes.find((n) => n.type === 'dc')!.capabilities).toContain('ship');
    const vendor = network.nodes.find((n) => n.type === 'dropship')!;
    expect(vendor.capabilities).toEqual(['ship']);
    expect(network.simulator(vendor.connector!)!.capabilities.canCancel).toBe(false);
  });

  it('stocks ~30 SKUs by profile, the same way for the same seed', async () => {
    network = await createSimulatedNetwork({ seed: 4 });
    const n = network;
    expect(n.catalogue.length).toBe(30);
    const onHand = (nodeId: string, sku: string) => (n.fulfiller(nodeId)!.snapshot().onHand as Record<string, number>)[sku];
    const stores = n.nodes.filter((x) => x.type === 'store').map((x) => x.id);
    for (const item of n.catalogue) {
      const at = n.nodes.filter((x) => onHand(x.id, item.sku) !== undefined).map((x) => x.id);
      if (item.profile === 'dc_only') expect(at).toEqual(['dc-east', 'dc-west']);
      if (item.profile === 'vendor') expect(at).toEqual(['vendor-northwoods']);
      if (item.profile === 'hazmat') {
        expect(item.attributes).toEqual({ hazmat: true });
        expect(at).toEqual(expect.arrayContaining(['dc-east', 'dc-west', ...stores]));
      }
      if (item.profile === 'scarce') {
        const total = at.reduce((sum, id) => sum + onHand(id, item.sku)!, 0);
        expect(total).toBeLessThanOrEqual(6);
        expect(at.length).toBeGreaterThan(0);
      }
    }
    const snapshots = n.inventorySnapshots();
    expect(snapshots).toHaveLength(7);
    for (const s of snapshots) expect(factSchema.safeParse(s).success).toBe(true);
    const again = await createSimulatedNetwork({ seed: 4 });
    expect(again.inventorySnapshots()).toEqual(snapshots);
    await again.close();
  });

  it('in-process: a release reaches its DC, which reports back to the sink; payments answer inline; nothing is created twice', async () => {
    network = await createSimulatedNetwork({ seed: 2, runId: 'r1', timings: { acknowledgeMs: 10, pickMs: 10, packMs: 10, shipMs: 10, deliverMs: 10 } });
    const sink = createRecordingSink();
    network.reportTo({ kind: 'sink', sink });
    const connectors = new Map(network.connectors().map((c) => [c.id, c]));
    expect([...connectors.keys()]).toEqual(['wms-east', 'wms-west', 'pos-seattle', 'pos-chicago', 'pos-austin', 'pos-brooklyn', 'vendor-northwoods', 'payments']);
    expect(connectors.get('vendor-northwoods')!.handles).toEqual(['fulfillment.release']);
    const sku = network.catalogue.find((c) => c.profile === 'everywhere')!.sku;
    const before = network.fulfiller('dc-east')!.onHand(sku);
    await connectors.get('wms-east')!.send(envelope(release('ful_1', [{ sku, quantity: 2 }])), { signal: signal() });
    await network.runUntilIdle();
    expect(sink.calls.map((c) => c.message.type)).toEqual(['fulfillment.acknowledged', 'fulfillment.progress', 'fulfillment.progress', 'fulfillment.shipped', 'fulfillment.delivered']);
    expect(sink.calls.every((c) => c.source.system === 'wms-east' && c.source.messageId.startsWith('wms-east-r1-'))).toBe(true);
    expect(network.fulfiller('dc-east')!.onHand(sku)).toBe(before - 2);
    const paid = await connectors.get('payments')!.send({ messageId: 'p', idempotencyKey: 'p', attempt: 1, message: { type: 'payment.authorize', orderId: 'ord_1', amount: 100, currency: 'USD' } }, { signal: signal() });
    expect(paid.facts?.[0]?.type).toBe('payment.authorized');
    expect(network.createdTwice()).toEqual(Object.fromEntries(network.fulfillers.map((f) => [f.id, []])));
  });

  it('faults and deduplication are set per connector id, with * as the default', async () => {
    network = await createSimulatedNetwork({ faults: { '*': { transientErrorRate: 0.1 }, 'wms-west': { businessErrorRate: 1 } }, dedupe: { 'pos-austin': false } });
    expect(network.simulator('wms-east')!.faults().transientErrorRate).toBe(0.1);
    expect(network.simulator('wms-west')!.faults()).toMatchObject({ transientErrorRate: 0, businessErrorRate: 1 });
    expect(network.simulator('pos-austin')!.capabilities.deduplicates).toBe(false);
    expect(network.webhookConnector('wms-east')?.secret).toEqual(expect.any(String));
    expect(network.webhookConnector('payments')).toBeUndefined();
  });
});
