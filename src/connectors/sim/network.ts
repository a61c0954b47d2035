import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { RoutingNode } from '../../routing/node.js';
import type { HttpConnectorConfigInput } from '../http/httpConnectorConfig.js';
import { createHttpConnector } from '../http/httpConnector.js';
import type { WebhookConnector } from '../http/connectorWebhookRoutes.js';
import type { Connector, Fact, InboundSink } from '../port.js';
import type { CatalogueItem, NodeRole } from './catalogue.js';
import { CATALOGUE, stockFor } from './catalogue.js';
import type { SimFaultsInput } from './faults.js';
import { createInProcessConnector } from './inProcessConnector.js';
import type { PaymentGatewaySimulator } from './paymentGatewaySimulator.js';
import { createPaymentGatewaySimulator } from './paymentGatewaySimulator.js';
import type { RecorderSimulator } from './recorderSimulator.js';
import { createRecorderSimulator } from './recorderSimulator.js';
import type { SimulatorServer } from './serveSimulator.js';
import { serveSimulator } from './serveSimulator.js';
import type { SimClock, SimClockOptions } from './simClock.js';
import { createSimClock } from './simClock.js';
import type { Simulator } from './simCore.js';
import type { WmsSimulator } from './wmsSimulator.js';
import { createWmsSimulator } from './wmsSimulator.js';
import type { timingsSchema } from './wmsFlow.js';

export interface SimulatedNetworkOptions {
  /** `http`: every simulator listens on 127.0.0.1 and connectors are HTTP connectors; `in-process` (default): no sockets. */
  readonly mode?: 'in-process' | 'http';
  readonly seed?: number;
  /** Unique per run so minted ids never repeat a previous run's; random by default. */
  readonly runId?: string;
  /** A clock to share, or how to make one (default: manual). */
  readonly clock?: SimClock | SimClockOptions;
  /** Faults per connector id; `*` applies to every simulator without its own entry. */
  readonly faults?: Readonly<Record<string, SimFaultsInput>>;
  /** Deduplication per connector id (default: every simulator deduplicates). */
  readonly dedupe?: Readonly<Record<string, boolean>>;
  readonly timings?: z.input<typeof timingsSchema>;
  /** Webhook secrets per connector id; random by default. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** HTTP connectors' timeout (default 10 s). */
  readonly timeoutMs?: number;
}

/** Where the simulators' reports go: an InboundSink, or Orderly's webhook endpoint (`baseUrl` = Orderly's URL). */
export type NetworkReportTarget = { readonly kind: 'sink'; readonly sink: InboundSink } | { readonly kind: 'webhook'; readonly baseUrl: string; readonly fetch?: typeof fetch };

interface Site {
  readonly node: RoutingNode;
  readonly role: NodeRole;
}

const DC = { capabilities: ['ship', 'cancel', 'partial_cancel', 'returns'], shipMethods: ['standard', 'expedited', 'overnight'], dailyCapacity: 5000, priority: 10, cost: { perShipment: 450, perKm: 1 } } as const;
const STORE = {
  capabilities: ['pickup', 'ship_from_store', 'same_day', 'cancel', 'partial_cancel', 'returns'], shipMethods: ['standard', 'same_day'], dailyCapacity: 150, priority: 50,
  cost: { perShipment: 700, perKm: 1, perUnit: 50 },
} as const;
const site = (role: NodeRole, id: string, connector: string, name: string, lat: number, lon: number, region: string): Site => {
  const shape = role === 'dc' ? DC : role === 'store' ? STORE : { capabilities: ['ship'], shipMethods: ['standard'], dailyCapacity: 300, priority: 90, cost: { perShipment: 1500 } } as const;
  return {
    role,
    node: {
      id, type: role === 'vendor' ? 'dropship' : role, name, location: { lat, lon, region, country: 'US' }, status: 'open', connector,
      capabilities: [...shape.capabilities], shipMethods: [...shape.shipMethods], dailyCapacity: shape.dailyCapacity, priority: shape.priority, cost: { ...shape.cost },
    },
  };
};

/** Two DCs, four stores and a drop-ship vendor across the US. */
export const NETWORK_SITES: readonly Site[] = [
  site('dc', 'dc-east', 'wms-east', 'East DC, Carteret NJ', 40.58, -74.23, 'NJ'),
  site('dc', 'dc-west', 'wms-west', 'West DC, Reno NV', 39.53, -119.81, 'NV'),
  site('store', 'store-seattle', 'pos-seattle', 'Seattle, Pike Street', 47.61, -122.34, 'WA'),
  site('store', 'store-chicago', 'pos-chicago', 'Chicago, State Street', 41.88, -87.63, 'IL'),
  site('store', 'store-austin', 'pos-austin', 'Austin, South Congress', 30.25, -97.75, 'TX'),
  site('store', 'store-brooklyn', 'pos-brooklyn', 'Brooklyn, Atlantic Avenue', 40.68, -73.98, 'NY'),
  site('vendor', 'vendor-northwoods', 'vendor-northwoods', 'Northwoods Furniture (drop-ship), Grand Rapids MI', 42.96, -85.67, 'MI'),
];

/**
 * The simulated retail network (docs/simulators.md): node documents, a simulator per node, a
 * payment gateway and an ERP, stock for the catalogue, and the connectors that reach them —
 * HTTP connectors against the simulators' servers, or in-process connectors.
 */
export async function createSimulatedNetwork(options: SimulatedNetworkOptions = {}) {
  const mode = options.mode ?? 'in-process';
  const seed = options.seed ?? 1;
  const runId = options.runId ?? randomBytes(3).toString('hex');
  const ownClock = !(options.clock && 'schedule' in options.clock);
  const clock = options.clock && 'schedule' in options.clock ? options.clock : createSimClock(options.clock ?? {});
  const faultsFor = (id: string) => options.faults?.[id] ?? options.faults?.['*'];
  const common = (id: string) => ({ id, seed, clock, dedupe: options.dedupe?.[id] ?? true, ...(faultsFor(id) ? { faults: faultsFor(id) } : {}) });
  const stock = stockFor(NETWORK_SITES.map((s) => ({ id: s.node.id, role: s.role })), seed);

  const fulfillers: WmsSimulator[] = NETWORK_SITES.map((s) =>
    createWmsSimulator({
      ...common(s.node.connector ?? s.node.id),
      runId,
      nodeId: s.node.id,
      kind: s.role === 'store' ? 'store' : 'wms',
      // The drop-ship vendor cannot take a cancel once it has the order.
      canCancel: s.role !== 'vendor',
      stock: stock.get(s.node.id) ?? {},
      ...(options.timings ? { timings: options.timings } : {}),
    }),
  );
  const payments: PaymentGatewaySimulator = createPaymentGatewaySimulator({ ...common('payments'), runId });
  const erp: RecorderSimulator = createRecorderSimulator(common('erp'));
  const all: Simulator[] = [...fulfillers, payments, erp];
  const secrets = new Map(fulfillers.map((f) => [f.id, options.secrets?.[f.id] ?? randomBytes(24).toString('base64url')]));

  const servers = new Map<string, SimulatorServer>();
  if (mode === 'http') for (const sim of all) servers.set(sim.id, await serveSimulator(sim));

  const connectorConfigs: HttpConnectorConfigInput[] =
    mode === 'http'
      ? [...fulfillers, payments].map((sim) => ({
          id: sim.id,
          kind: sim.kind === 'payment' ? 'payment-gateway' : sim.kind,
          baseUrl: servers.get(sim.id)?.url ?? '',
          timeoutMs: options.timeoutMs ?? 10_000,
          // A warehouse ships to the address; the gateway needs none of it.
          pii: sim.kind !== 'payment',
          templates: Object.fromEntries(sim.handles.map((t) => [t, { path: '/v1/messages' }])),
          capabilities: { ...sim.capabilities, statusQuery: { path: '/v1/messages/{{idempotencyKey}}' } },
        }))
      : [];

  const byId = new Map(all.map((s) => [s.id, s]));
  return {
    mode,
    clock,
    runId,
    nodes: NETWORK_SITES.map((s) => s.node),
    catalogue: CATALOGUE as readonly CatalogueItem[],
    fulfillers: fulfillers as readonly WmsSimulator[],
    payments,
    erp,
    simulator: (id: string): Simulator | undefined => byId.get(id),
    fulfiller: (nodeId: string): WmsSimulator | undefined => fulfillers.find((f) => f.nodeId === nodeId),
    /** Simulator URLs by connector id (HTTP mode). */
    urls: Object.fromEntries([...servers].map(([id, s]) => [id, s.url])) as Readonly<Record<string, string>>,
    /** HTTP connector configurations (HTTP mode; empty in-process). */
    connectorConfigs,
    /** The connectors Orderly's dispatcher uses: one per fulfiller, and the payment gateway. */
    connectors(deps: { readonly fetch?: typeof fetch } = {}): Connector[] {
      if (mode === 'http') return connectorConfigs.map((c) => createHttpConnector(c, deps.fetch ? { fetch: deps.fetch } : {}));
      return [
        ...fulfillers.map((sim) => createInProcessConnector(sim, { pii: true, snapshot: async (kind) => wmsRows(sim, kind) })),
        createInProcessConnector(payments, { pii: false, snapshot: async (kind) => ({ asOf: clock.now(), rows: kind === 'payments' ? payments.reconciliationRows() : [] }) }),
      ];
    },
    /** For `connectorWebhookRoutes`: the connectors that send signed webhooks, with their secrets. */
    webhookConnector: (id: string): WebhookConnector | undefined => {
      const secret = secrets.get(id);
      return secret ? { secret } : undefined;
    },
    /** Sends every fulfiller's reports to Orderly from now on (held reports go first). */
    reportTo(target: NetworkReportTarget): void {
      for (const f of fulfillers) {
        if (target.kind === 'sink') f.setReportTarget(target);
        else f.setReportTarget({ kind: 'webhook', url: `${target.baseUrl.replace(/\/+$/, '')}/v1/connectors/${encodeURIComponent(f.id)}/webhooks`, secret: secrets.get(f.id) ?? '', ...(target.fetch ? { fetch: target.fetch } : {}) });
      }
    },
    /** One `inventory.snapshot` fact per node, for loading stock into Orderly. */
    inventorySnapshots: (): Fact[] => fulfillers.map((f) => f.inventorySnapshot()),
    /** Fulfillments created more than once, per connector: every list empty in a correct run. */
    createdTwice: (): Record<string, string[]> => Object.fromEntries(fulfillers.map((f) => [f.id, f.createdTwice()])),
    advance: (ms: number) => clock.advance(ms),
    tick: () => clock.tick(),
    runUntilIdle: (limitMs?: number) => clock.runUntilIdle(limitMs),
    async close(): Promise<void> {
      await Promise.all([...servers.values()].map((s) => s.close()));
      if (ownClock) clock.close();
    },
  };
}

export type SimulatedNetwork = Awaited<ReturnType<typeof createSimulatedNetwork>>;

/** A simulated warehouse's (or store's) own rows for reconciliation: its work orders, or its stock. */
function wmsRows(sim: WmsSimulator, kind: 'orders' | 'inventory' | 'payments'): { asOf: string; rows: readonly unknown[] } {
  const asOf = sim.clock.now();
  if (kind === 'orders') return { asOf, rows: sim.reconciliationRows() };
  if (kind === 'payments') return { asOf, rows: [] };
  const stock = sim.inventorySnapshot();
  return { asOf, rows: stock.type === 'inventory.snapshot' ? stock.positions.map((p) => ({ nodeId: stock.nodeId, sku: p.sku, onHand: p.onHand })) : [] };
}
