import { afterEach, describe, expect, it } from 'vitest';
import { createHttpConnector } from '../../src/connectors/http/httpConnector.js';
import type { HttpConnectorConfigInput } from '../../src/connectors/http/httpConnectorConfig.js';
import { loadHttpConnectorConfig } from '../../src/connectors/http/httpConnectorConfig.js';
import type { Connector, Envelope } from '../../src/connectors/port.js';
import type { SimFaultsInput } from '../../src/connectors/sim/faults.js';
import { createSimulatedNetwork } from '../../src/connectors/sim/network.js';
import { createPaymentGatewaySimulator } from '../../src/connectors/sim/paymentGatewaySimulator.js';
import { createRecorderSimulator } from '../../src/connectors/sim/recorderSimulator.js';
import type { SimulatorServer } from '../../src/connectors/sim/serveSimulator.js';
import { serveSimulator } from '../../src/connectors/sim/serveSimulator.js';
import { createSimClock } from '../../src/connectors/sim/simClock.js';
import type { Simulator } from '../../src/connectors/sim/simCore.js';
import { createWmsSimulator } from '../../src/connectors/sim/wmsSimulator.js';
import { envelope, failureOf, release, signal } from '../unit/sim.fixtures.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function serve<S extends Simulator>(sim: S, config: Partial<HttpConnectorConfigInput> = {}): Promise<{ sim: S; server: SimulatorServer; connector: Connector }> {
  const server = await serveSimulator(sim);
  cleanup.push(() => server.close());
  const connector = createHttpConnector({
    id: sim.id,
    baseUrl: server.url,
    timeoutMs: 5_000,
    pii: true,
    templates: Object.fromEntries(sim.handles.map((t) => [t, { path: '/v1/messages' }])),
    capabilities: { ...sim.capabilities, statusQuery: { path: '/v1/messages/{{idempotencyKey}}' } },
    ...config,
  });
  return { sim, server, connector };
}

const wms = (faults: SimFaultsInput = {}, dedupe = false) =>
  createWmsSimulator({ id: 'wms-east', nodeId: 'dc-east', runId: 'r1', seed: 3, dedupe, stock: { 'SKU-RED': 50 }, clock: createSimClock(), faults });

const red = (id: string): Envelope => envelope(release(id, [{ sku: 'SKU-RED', quantity: 1 }]));

describe('HTTP connector against the HTTP simulators', () => {
  it('delivers a release in the wire format', async () => {
    const { sim, connector } = await serve(wms());
    await expect(connector.send(red('ful_1'), { signal: signal() })).resolves.toEqual({ reference: 'wms-east-r1-wo-1' });
    expect(sim.snapshot().fulfillments.map((f) => f.fulfillmentId)).toEqual(['ful_1']);
  });

  it('transient then success: a 503 with Retry-After, then the retry lands once', async () => {
    const { sim, connector } = await serve(wms({ transientOnFirst: 1, transientKinds: ['503'], retryAfterSeconds: 2 }));
    const e = red('ful_1');
    expect(await failureOf(connector.send(e, { signal: signal() }))).toMatchObject({ kind: 'transient', code: 'http_503', retryAfterMs: 2000 });
    await connector.send({ ...e, attempt: 2 }, { signal: signal() });
    expect(sim.counters().byKey[e.idempotencyKey]).toEqual({ arrived: 2, accepted: 1 });
    expect(sim.createdTwice()).toEqual([]);
  });

  it('a reset connection after sending is ambiguous to a target that cannot deduplicate', async () => {
    const { connector } = await serve(wms({ transientOnFirst: 1, transientKinds: ['reset'] }));
    expect(await failureOf(connector.send(red('ful_1'), { signal: signal() }))).toMatchObject({ kind: 'ambiguous', code: 'connection_reset' });
  });

  it('business errors carry the target code', async () => {
    const { connector } = await serve(wms({ businessErrorRate: 1, businessErrorCodes: ['node_closed'] }));
    expect(await failureOf(connector.send(red('ful_1'), { signal: signal() }))).toMatchObject({ kind: 'business', code: 'node_closed' });
    const real = await serve(wms());
    const unknown = await failureOf(real.connector.send(envelope(release('ful_2', [{ sku: 'SKU-GONE', quantity: 1 }])), { signal: signal() }));
    expect(unknown).toMatchObject({ kind: 'business', code: 'unknown_sku' });
    expect(unknown.message).toContain('SKU-GONE');
  });

  it('dropped acknowledgement (socket destroyed): ambiguous; the status query says received, an unsent key not_received', async () => {
    const { sim, connector } = await serve(wms({ dropAckOnFirst: 1, dropAckMode: 'destroy' }));
    const e = red('ful_1');
    expect(await failureOf(connector.send(e, { signal: signal() }))).toMatchObject({ kind: 'ambiguous' });
    expect(sim.snapshot().fulfillments).toHaveLength(1);
    await expect(connector.queryStatus!(e, { signal: signal() })).resolves.toEqual({ status: 'received' });
    await expect(connector.queryStatus!(red('ful_never'), { signal: signal() })).resolves.toEqual({ status: 'not_received' });
  });

  it('dropped acknowledgement (no answer): the sender times out, ambiguous', async () => {
    const { sim, connector } = await serve(wms({ dropAckOnFirst: 1, dropAckMode: 'hang' }), { timeoutMs: 300 });
    expect(await failureOf(connector.send(red('ful_1'), { signal: signal() }))).toMatchObject({ kind: 'ambiguous', code: 'timeout' });
    expect(sim.counters().byType['fulfillment.release']).toEqual({ arrived: 1, accepted: 1 });
  });

  it('a deduplicating simulator receiving a resend after a lost answer counts it once', async () => {
    const { sim, connector } = await serve(wms({ dropAckOnFirst: 1 }, true));
    const e = red('ful_1');
    expect(await failureOf(connector.send(e, { signal: signal() }))).toMatchObject({ kind: 'transient', code: 'connection_reset' });
    await expect(connector.send({ ...e, attempt: 2 }, { signal: signal() })).resolves.toEqual({ reference: 'wms-east-r1-wo-1' });
    expect(sim.counters().byKey[e.idempotencyKey]).toEqual({ arrived: 2, accepted: 1 });
    expect(sim.counters().created).toEqual({ ful_1: 1 });
  });

  it('an outage that refuses connections closes the listener for its window: transient, nothing sent', async () => {
    const { sim, server, connector } = await serve(wms({ outages: [{ fromMs: 1_000, toMs: 2_000, mode: 'refuse' }] }));
    await connector.send(red('ful_1'), { signal: signal() });
    await sim.clock.advance(1_000);
    expect(server.listening()).toBe(false);
    expect(await failureOf(connector.send(red('ful_2'), { signal: signal() }))).toMatchObject({ kind: 'transient', code: 'connection_refused' });
    await expect(connector.queryStatus!(red('ful_1'), { signal: signal() })).resolves.toEqual({ status: 'unknown' });
    await sim.clock.advance(1_000);
    expect(server.listening()).toBe(true);
    await connector.send(red('ful_3'), { signal: signal() });
    expect(sim.snapshot().fulfillments.map((f) => f.fulfillmentId)).toEqual(['ful_1', 'ful_3']);
    expect(sim.counters().byType['fulfillment.release']!.arrived).toBe(2);
  });

  it('an outage that answers 503 says until when', async () => {
    const { sim, connector } = await serve(wms({ outages: [{ fromMs: 0, toMs: 30_000, mode: '503' }] }));
    await sim.clock.advance(10_000);
    expect(await failureOf(connector.send(red('ful_1'), { signal: signal() }))).toMatchObject({ kind: 'transient', code: 'http_503', retryAfterMs: 20_000 });
  });

  it('latency delays the answer but it still arrives', async () => {
    const { connector } = await serve(wms({ latency: { kind: 'uniform', minMs: 5, maxMs: 30 } }));
    await expect(connector.send(red('ful_1'), { signal: signal() })).resolves.toBeDefined();
  });

  it('a payment capture answers with its fact in the body', async () => {
    const { connector, sim } = await serve(createPaymentGatewaySimulator({ runId: 'r1', clock: createSimClock() }), { pii: false });
    const result = await connector.send(
      { messageId: 'm', idempotencyKey: 'cap-1', attempt: 1, message: { type: 'payment.capture', orderId: 'ord_1', authorizationId: 'auth-77', amount: 3_998, currency: 'USD', reference: 'shp_1' } },
      { signal: signal() },
    );
    expect(result.facts).toEqual([{ type: 'payment.captured', orderId: 'ord_1', captureId: 'payments-r1-cap-1', amount: 3_998, reference: 'shp_1' }]);
    expect(sim.snapshot().orders[0]).toMatchObject({ captured: 3_998 });
  });

  it('pii: false keeps ship-to and customer from leaving; the recorder shows what arrived', async () => {
    const recorder = createRecorderSimulator({ id: 'erp', handles: ['fulfillment.release'], clock: createSimClock() });
    const { connector } = await serve(recorder, { pii: false });
    await connector.send(envelope(release('ful_1', [{ sku: 'SKU-RED', quantity: 1 }], { customer: { email: 'ada@example.com' } })), { signal: signal() });
    const [recorded] = recorder.received();
    expect(recorded).toMatchObject({ type: 'fulfillment.release', idempotencyKey: 'fulfillment.release:ful_1' });
    expect(recorded!.message).not.toHaveProperty('shipTo');
    expect(recorded!.message).not.toHaveProperty('customer');
    expect(JSON.stringify(recorded)).not.toContain('ada@example.com');
  });

  it('a target that is down entirely: connection refused is transient', async () => {
    const { server, connector } = await serve(wms());
    await server.close();
    expect(await failureOf(connector.send(red('ful_1'), { signal: signal() }))).toMatchObject({ kind: 'transient', code: 'connection_refused' });
  });

  it('the simulated network in HTTP mode: every simulator listens and its connector configuration loads', async () => {
    const network = await createSimulatedNetwork({ mode: 'http', secrets: { 'wms-east': 's3cret' }, runId: 'r1' });
    cleanup.push(() => network.close());
    expect(Object.keys(network.urls)).toHaveLength(9);
    expect(network.connectorConfigs).toHaveLength(8);
    for (const config of network.connectorConfigs) expect(loadHttpConnectorConfig(config).ok, config.id).toBe(true);
    expect(network.connectorConfigs.find((c) => c.id === 'wms-east')).toMatchObject({ pii: true, capabilities: { deduplicates: true, canCancel: true } });
    expect(network.connectorConfigs.find((c) => c.id === 'payments')!.pii).toBe(false);
    expect(network.webhookConnector('wms-east')).toEqual({ secret: 's3cret' });
    const east = network.connectors().find((c) => c.id === 'wms-east')!;
    const sku = network.catalogue[0]!.sku;
    await east.send(envelope(release('ful_1', [{ sku, quantity: 1 }])), { signal: signal() });
    const snapshot = (await (await fetch(`${network.urls['wms-east']}/v1/snapshot`)).json()) as { fulfillments: { fulfillmentId: string }[] };
    expect(snapshot.fulfillments.map((f) => f.fulfillmentId)).toEqual(['ful_1']);
  });
});
