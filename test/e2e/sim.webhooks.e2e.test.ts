import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../src/api/context.js';
import { buildServer } from '../../src/api/server.js';
import { createLogger } from '../../src/app/logger.js';
import { createMetrics } from '../../src/app/metrics.js';
import { connectorWebhookRoutes } from '../../src/connectors/http/connectorWebhookRoutes.js';
import type { SimulatedNetworkOptions } from '../../src/connectors/sim/network.js';
import { createSimulatedNetwork } from '../../src/connectors/sim/network.js';
import { createRecordingSink } from '../support/recordingSink.js';
import { envelope, release, signal } from '../unit/sim.fixtures.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const FAST = { acknowledgeMs: 10, pickMs: 10, packMs: 10, shipMs: 10, deliverMs: 10, cancelMs: 5 };

/** The simulated network in HTTP mode, reporting by signed webhook to a real Orderly HTTP edge with a recording sink. */
async function start(options: SimulatedNetworkOptions = {}) {
  const network = await createSimulatedNetwork({ mode: 'http', seed: 5, runId: 'r1', timings: FAST, ...options });
  cleanup.push(() => network.close());
  const sink = createRecordingSink();
  const deps = { log: createLogger({ level: 'silent' }), metrics: createMetrics(), authenticate: async () => undefined } as unknown as ApiDeps;
  const app: FastifyInstance = buildServer(deps, { bodyLimitBytes: 1024 * 1024, version: 'test' });
  connectorWebhookRoutes(app, { connectors: network.webhookConnector, sink, log: deps.log });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  cleanup.push(() => app.close());
  network.reportTo({ kind: 'webhook', baseUrl: url });
  const east = network.connectors().find((c) => c.id === 'wms-east')!;
  const sku = network.catalogue.find((c) => c.profile === 'everywhere')!.sku;
  const releaseTo = (id: string) => east.send(envelope(release(id, [{ sku, quantity: 1 }])), { signal: signal() });
  return { network, sink, releaseTo, url, wms: network.fulfiller('dc-east')! };
}

describe('simulators report by signed webhook', () => {
  it('a release over HTTP comes back as verified facts with the connector as the system', async () => {
    const { network, sink, releaseTo, wms } = await start();
    await releaseTo('ful_1');
    await network.runUntilIdle();
    expect(sink.calls.map((c) => c.message.type)).toEqual(['fulfillment.acknowledged', 'fulfillment.progress', 'fulfillment.progress', 'fulfillment.shipped', 'fulfillment.delivered']);
    expect(sink.calls.every((c) => c.source.system === 'wms-east')).toBe(true);
    expect(wms.deliveries().every((d) => d.outcome === 'delivered' && d.status === 200)).toBe(true);
    expect(network.clock.failures()).toEqual([]);
  });

  it('malformed payloads are refused with 400 and nothing recorded; the correct resend is applied once', async () => {
    const { network, sink, releaseTo, wms } = await start({ faults: { 'wms-east': { malformedReportRate: 1 } } });
    await releaseTo('ful_1');
    await network.runUntilIdle();
    const malformed = wms.deliveries().filter((d) => d.copy === 'malformed');
    expect(malformed).toHaveLength(5);
    expect(malformed.every((d) => d.outcome === 'rejected' && d.status === 400)).toBe(true);
    expect(sink.applied().map((f) => f.type)).toEqual(['fulfillment.acknowledged', 'fulfillment.progress', 'fulfillment.progress', 'fulfillment.shipped', 'fulfillment.delivered']);
    expect(sink.calls).toHaveLength(5);
  });

  it('duplicate deliveries reach the sink as duplicates of the same message ids', async () => {
    const { network, sink, releaseTo } = await start({ faults: { 'wms-east': { duplicateReportRate: 1 } } });
    await releaseTo('ful_1');
    await network.runUntilIdle();
    expect(sink.applied()).toHaveLength(5);
    expect(sink.calls.filter((c) => c.outcome.status === 'duplicate')).toHaveLength(5);
  });

  it('reports that cannot be delivered are retried on the simulated clock, to the target of the moment', async () => {
    const { network, sink, releaseTo, url } = await start();
    network.reportTo({ kind: 'webhook', baseUrl: 'http://127.0.0.1:9' }); // nothing listens there
    await releaseTo('ful_1');
    await network.advance(15);
    expect(sink.calls).toHaveLength(0);
    expect(network.fulfiller('dc-east')!.deliveries()[0]).toMatchObject({ outcome: 'failed', attempt: 1 });
    network.reportTo({ kind: 'webhook', baseUrl: url });
    await network.advance(1_000); // the first retry's backoff
    // The retried acknowledgement lands after later facts went straight through: out of order, as in life.
    const ack = sink.calls.find((c) => c.message.type === 'fulfillment.acknowledged');
    expect(ack).toBeDefined();
    expect(sink.calls.indexOf(ack!)).toBeGreaterThan(0);
    const delivered = network.fulfiller('dc-east')!.deliveries().filter((d) => d.outcome === 'delivered' && d.messageId === ack!.source.messageId);
    expect(delivered).toMatchObject([{ attempt: 2 }]);
  });

  it('a wrong secret is refused with 401 and not retried; nothing reaches the sink', async () => {
    const { network, sink, releaseTo, url, wms } = await start();
    wms.setReportTarget({ kind: 'webhook', url: `${url}/v1/connectors/wms-east/webhooks`, secret: 'not-the-secret' });
    await releaseTo('ful_1');
    await network.runUntilIdle();
    expect(sink.calls).toHaveLength(0);
    expect(wms.deliveries()).toHaveLength(5);
    expect(wms.deliveries().every((d) => d.outcome === 'rejected' && d.status === 401 && d.attempt === 1)).toBe(true);
  });
});
