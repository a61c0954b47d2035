import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Connector, Fact, InboundSink } from '../connectors/port.js';
import { batchConnectorConfigSchema, createBatchConnector } from '../connectors/batch/index.js';
import type { WebhookConnector } from '../connectors/http/index.js';
import { createHttpConnector, httpConnectorConfigSchema } from '../connectors/http/index.js';
import { mappingTranslator } from '../connectors/http/translateWebhook.js';
import type { MappingTables } from '../connectors/mapping/index.js';
import { createMapper, mappingTablesSchema, readMappingFile } from '../connectors/mapping/index.js';
import type { SimulatedNetwork, SimulatedNetworkOptions } from '../connectors/sim/index.js';
import { createSimulatedNetwork } from '../connectors/sim/index.js';
import type { RoutingNode } from '../routing/index.js';

/**
 * What the composition root gets from the configured connectors: the connectors the dispatcher
 * sends through, the secrets of those that post signed webhooks, the payment connector (when
 * there is one, orders are `gateway` orders), what must start once Orderly is listening, and —
 * with the simulated network — its nodes and stock.
 */
export interface ConnectorSetup {
  readonly connectors: readonly Connector[];
  readonly webhook: (id: string) => WebhookConnector | undefined;
  readonly paymentConnector?: string;
  /** Nodes and stock to load at start (the simulated network). */
  readonly nodes: readonly RoutingNode[];
  readonly snapshots: readonly Fact[];
  readonly network?: SimulatedNetwork;
  /** Starts inbound work (directory polling; simulators reporting) once Orderly can take it. */
  start(sink: InboundSink): void;
  close(): Promise<void>;
}

const connectorFileSchema = z.strictObject({
  /** The connector id that takes payment.* messages. */
  payments: z.string().min(1).max(64).optional(),
  connectors: z
    .array(
      z.union([
        z
          .object({
            type: z.literal('http'),
            webhookSecret: z.string().min(16).max(512).optional(),
            /** Mapping tables applied to its webhooks' facts (inline, or a YAML/JSON file). */
            mapping: mappingTablesSchema.optional(),
            mappingFile: z.string().min(1).optional(),
          })
          .passthrough(),
        z.object({ type: z.literal('batch') }).passthrough(),
      ]),
    )
    .max(200)
    .default([]),
});

/** Reads ORDERLY_CONNECTORS_FILE (YAML or JSON); every problem names the connector and field. */
export function readConnectorsFile(file: string): { payments?: string; connectors: Connector[]; webhooks: Map<string, WebhookConnector> } {
  const doc = connectorFileSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!doc.success) throw new Error(`${file}: ${doc.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const connectors: Connector[] = [];
  const webhooks = new Map<string, WebhookConnector>();
  doc.data.connectors.forEach((entry, i) => {
    const where = `${file}: connectors[${i}]`;
    if (entry.type === 'http') {
      const { type: _type, webhookSecret, mapping, mappingFile, ...rest } = entry as { type: string; webhookSecret?: string; mapping?: MappingTables; mappingFile?: string } & Record<string, unknown>;
      const parsed = httpConnectorConfigSchema.safeParse(rest);
      if (!parsed.success) throw new Error(`${where}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
      connectors.push(createHttpConnector(parsed.data));
      const tables = mapping ?? (mappingFile ? readMappingFile(resolve(dirname(file), mappingFile), parsed.data.id) : undefined);
      if (webhookSecret) {
        webhooks.set(parsed.data.id, { secret: webhookSecret, ...(tables ? { translate: mappingTranslator(tables, createMapper(tables)) } : {}) });
      }
    } else {
      const { type: _type, ...rest } = entry;
      const parsed = batchConnectorConfigSchema.safeParse(rest);
      if (!parsed.success) throw new Error(`${where}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
      connectors.push(createBatchConnector(parsed.data));
    }
  });
  const ids = connectors.map((c) => c.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new Error(`${file}: connector id ${dup} is used twice`);
  if (doc.data.payments && !ids.includes(doc.data.payments)) throw new Error(`${file}: payments names ${doc.data.payments}, which is not a connector here`);
  return { ...(doc.data.payments ? { payments: doc.data.payments } : {}), connectors, webhooks };
}

const RECOUNT_MS = 15 * 60_000;

/** The simulated nodes work at demo speed: an order ships within seconds and is delivered within a minute. */
const DEMO_TIMINGS = { acknowledgeMs: 500, pickMs: 3_000, packMs: 2_000, shipMs: 3_000, deliverMs: 30_000, readyMs: 5_000, collectMs: 60_000, cancelMs: 1_000 };

/**
 * The connectors of this process: those of ORDERLY_CONNECTORS_FILE, and — unless
 * ORDERLY_SIMULATORS=off — the simulated retail network (2 DCs, 4 stores, a drop-ship vendor,
 * a payment gateway), in-process with a real clock, so a new user sees orders flow end to end.
 */
export async function setUpConnectors(options: { file?: string; simulators: boolean; network?: SimulatedNetworkOptions }): Promise<ConnectorSetup> {
  const fromFile = options.file ? readConnectorsFile(options.file) : { connectors: [] as Connector[], webhooks: new Map<string, WebhookConnector>() };
  const network = options.simulators ? await createSimulatedNetwork({ mode: 'in-process', clock: { mode: 'real' }, timings: DEMO_TIMINGS, ...options.network }) : undefined;
  const connectors = [...fromFile.connectors, ...(network ? network.connectors() : [])];
  const ids = connectors.map((c) => c.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new Error(`connector id ${dup} is configured twice (connectors file and simulated network); rename it or set ORDERLY_SIMULATORS=off`);
  let recount: NodeJS.Timeout | undefined;
  const paymentConnector = 'payments' in fromFile && fromFile.payments ? fromFile.payments : network ? 'payments' : undefined;
  return {
    connectors,
    webhook: (id) => fromFile.webhooks.get(id) ?? network?.webhookConnector(id),
    ...(paymentConnector ? { paymentConnector } : {}),
    nodes: network?.nodes ?? [],
    snapshots: network?.inventorySnapshots() ?? [],
    ...(network ? { network } : {}),
    start(sink) {
      for (const c of connectors) void c.start?.(sink);
      network?.reportTo({ kind: 'sink', sink });
      // The simulated nodes count their stock every quarter hour, as real ones report it, so
      // Orderly's positions stay fresh (a position older than the freshness limit is not sellable).
      if (network && network.clock.mode === 'real') {
        let round = 0;
        recount = setInterval(() => {
          round += 1;
          for (const snapshot of network.inventorySnapshots()) {
            const id = 'nodeId' in snapshot ? snapshot.nodeId : '';
            sink.receive(snapshot, { system: 'simulators', messageId: `stock-${id}-${network.runId}-${round}` }).catch(() => undefined);
          }
        }, RECOUNT_MS);
        recount.unref();
      }
    },
    async close() {
      if (recount) clearInterval(recount);
      await Promise.all(connectors.map((c) => c.close?.()));
      await network?.close();
    },
  };
}
