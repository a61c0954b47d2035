import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../api/server.js';
import { parse as parseYaml } from 'yaml';
import type { ShopifyMapping } from '../connectors/shopify/index.js';
import { DEFAULT_SHOPIFY_MAPPING, parseShopifyMapping, shopifyWebhookRoutes } from '../connectors/shopify/index.js';
import { createInFlightKeys } from '../api/idempotency.js';
import type { Store } from '../store/port.js';
import { createSqliteStore } from '../store/sqlite/sqliteStore.js';
import { bootstrapAdmin, createAuthenticator } from './apiKeys.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { Config } from './config.js';
import { createGroupCommitter } from './groupCommitter.js';
import type { IdGenerator } from './ids.js';
import { newId as uuidv7Id } from './ids.js';
import { readNodesFile } from './nodesFile.js';
import { createMetrics } from './metrics.js';
import { createOrderService } from './orderService.js';
import { createRoutingContext } from './routingContext.js';
import { createExceptionService } from './exceptions.js';
import { createInboundSink } from './inbound.js';
import { createInventoryService } from './inventoryService.js';
import { createSweeper } from './sweeper.js';
import { setUpConnectors } from './connectors.js';
import { createDispatchHooks } from './dispatchHooks.js';
import { exceptionActionHandlers } from './exceptionActions.js';
import { setUpReconciliation } from './reconcile/setUpReconciliation.js';
import type { ReconciliationSetup } from './reconcile/setUpReconciliation.js';
import { createDeadLetterService, createDispatcher } from './dispatch/index.js';
import type { Dispatcher, DispatchPolicyInput } from './dispatch/index.js';
import { connectorWebhookRoutes } from '../connectors/http/index.js';
import type { Sweeper } from './sweeper.js';
import type { SimulatedNetwork, SimulatedNetworkOptions } from '../connectors/sim/index.js';
import type { InboundSink } from '../connectors/port.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The Shopify mapping from its file (YAML or JSON), or the documented default; a bad file stops the start. */
function loadShopifyMapping(file: string | undefined): ShopifyMapping {
  if (!file) return DEFAULT_SHOPIFY_MAPPING;
  const parsed = parseShopifyMapping(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.ok) throw new Error(`ORDERLY_SHOPIFY_MAPPING_FILE ${file}: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return parsed.mapping;
}

/** Opens the configured store: PostgreSQL when DATABASE_URL is set, else SQLite under the data dir. */
export async function openStore(config: Config): Promise<Store> {
  if (config.databaseUrl) {
    const { createPostgresStore } = await import('../store/postgres/postgresStore.js');
    return createPostgresStore(config.databaseUrl);
  }
  return createSqliteStore(join(config.dataDir, 'orderly.db'), { synchronous: config.sqliteSynchronous });
}

export interface Orderly {
  readonly app: FastifyInstance;
  readonly store: Store;
  /** The lifecycle sweeper (tests run a sweep or wait for deferred follow-ups through it). */
  readonly sweeper: Sweeper;
  readonly dispatcher: Dispatcher;
  /** Reconciliation runs, sweeps and drop directory. */
  readonly reconciliation: ReconciliationSetup;
  /** The one entry point for inbound messages (facts, channel intents), as connectors use it. */
  readonly inbound: InboundSink;
  /** The simulated retail network, when it runs (ORDERLY_SIMULATORS). */
  readonly network?: SimulatedNetwork;
  readonly url: string;
  readonly generatedKey?: string;
  close(): Promise<void>;
}

/**
 * Options for tests and tools: the simulated network's options (a manual clock, faults, seed) when
 * it runs, and what a test needs to replay a run exactly — ids, the dispatcher's retry jitter and
 * the periodic sweep (the simulators' faults are drawn from their seed and the ids they are sent).
 */
export interface StartOptions {
  readonly network?: SimulatedNetworkOptions;
  /** Default: prefixed UUIDv7. */
  readonly newId?: IdGenerator;
  /** The dispatcher's random source (retry jitter); default Math.random. */
  readonly random?: () => number;
  /** How often the lifecycle sweep runs on its own, in real milliseconds (default 15 s). */
  readonly sweepIntervalMs?: number;
  /** The dispatcher's policy (concurrency, retries, breaker); default docs/connectors/dispatcher.md. */
  readonly dispatchPolicy?: DispatchPolicyInput;
}

/** The composition root: store, group committer, services and HTTP server, wired once. */
export async function startOrderly(config: Config, log: Logger, clock: Clock = systemClock, options: StartOptions = {}): Promise<Orderly> {
  const store = await openStore(config);
  try {
    return await assemble(store, config, log, clock, options);
  } catch (err) {
    // Nothing may stay open after a failed start (a PostgreSQL pool would keep the process alive).
    await store.close().catch(() => undefined);
    throw err;
  }
}

/** Everything after the store is open: migrations, bootstrap key, nodes file, services, HTTP. */
async function assemble(store: Store, config: Config, log: Logger, clock: Clock, options: StartOptions): Promise<Orderly> {
  const newId = options.newId ?? uuidv7Id;
  const applied = await store.migrate();
  if (applied.length > 0) log.info({ applied, store: store.dialect }, 'migrations applied');
  const boot = await bootstrapAdmin({ store, clock, newId }, config.bootstrapApiKey);
  if (config.nodesFile) {
    const nodes = readNodesFile(config.nodesFile);
    for (const node of nodes) await store.putNode({ id: node.id, doc: node, updatedAt: clock.now() });
    log.info({ nodes: nodes.length, file: config.nodesFile }, 'nodes loaded');
  }
  const metrics = createMetrics();
  const committer = createGroupCommitter(store, {
    onBatch: (size, seconds) => {
      metrics.commitBatchSize.observe(size);
      metrics.commitSeconds.observe(seconds);
    },
  });
  const connectors = await setUpConnectors({ ...(config.connectorsFile ? { file: config.connectorsFile } : {}), simulators: config.simulators, ...(options.network ? { network: options.network } : {}) });
  try {
    for (const node of connectors.nodes) await store.putNode({ id: node.id, doc: node, updatedAt: clock.now() });
    const routing = createRoutingContext({ store, newId });
    const returnWindowDays = config.returnWindowDays;
    const capabilities = new Map(connectors.connectors.map((c) => [c.id, { cancel: c.capabilities.canCancel, partialCancel: c.capabilities.partialCancel }]));
    // The sweeper and the dispatcher are called by the order service through these hooks, only once all exist.
    const orders = createOrderService({
      store, committer, clock, newId, routing,
      lifecycle: {
        returnWindowDays,
        ...(connectors.paymentConnector ? { paymentConnector: connectors.paymentConnector } : {}),
        connectorCancel: (id) => capabilities.get(id),
        onOutbox: () => dispatcher.nudge(),
        deferFollowUps: (orderId, ctx) => sweeper.enqueue(orderId, ctx),
        onSlaAnswered: (keys) => void exceptions.resolveByKeys(keys, 'the node answered').catch((err: unknown) => log.warn({ err }, 'resolving SLA exceptions failed')),
        followUpsPending: (orderId) => sweeper.whenSettled(orderId),
      },
    });
    const sweeper: Sweeper = createSweeper({ store, orders, routing, clock, newId, log, returnWindowDays, ...(options.sweepIntervalMs !== undefined ? { intervalMs: options.sweepIntervalMs } : {}) });
    const deadLetters = createDeadLetterService({ store, clock });
    const handlers = exceptionActionHandlers({ orders, deadLetters, nudge: () => dispatcher.nudge() });
    const exceptions = createExceptionService({ store, clock, newId, handlers });
    const inventory = createInventoryService({ store, orders, routing });
    const inbound = createInboundSink({ store, orders, inventory, exceptions });
    const reconciliation = setUpReconciliation({
      store, exceptions, handlers, inventory, inbound, connectors: connectors.connectors, clock, newId, log, config,
      ...(connectors.paymentConnector ? { paymentConnector: connectors.paymentConnector } : {}),
      nudgeDispatcher: () => dispatcher.nudge(),
    });
    const hooks = createDispatchHooks({ inbound, exceptions, log });
    const dispatcher: Dispatcher = createDispatcher({
      store, connectors: connectors.connectors, sink: inbound, clock, log, metrics,
      ...(options.random ? { random: options.random } : {}),
      ...(options.dispatchPolicy ? { policy: options.dispatchPolicy } : {}),
      onBusinessFailure: hooks.onBusinessFailure,
      onDeadLetter: hooks.onDeadLetter,
      // An open breaker marks the connector's nodes degraded for routing until it closes.
      onBreakerChange: () => routing.setDegradedConnectors(dispatcher.degradedConnectors()),
    });
    const app = buildServer(
      {
        store, orders, routing, inventory, exceptions, inbound, metrics, log, clock, newId,
        authenticate: createAuthenticator(store),
        inFlight: createInFlightKeys(),
        ready: () => store.ping(),
        nudgeDispatcher: () => dispatcher.nudge(),
        reconciliation: reconciliation.api,
      },
      { bodyLimitBytes: config.bodyLimitBytes, version: VERSION },
    );
    connectorWebhookRoutes(app, { connectors: connectors.webhook, sink: inbound, log });
    if (config.shopifySecret) {
      shopifyWebhookRoutes(app, { secret: config.shopifySecret, sink: inbound, log, mapping: loadShopifyMapping(config.shopifyMappingFile) });
      log.info({ mapping: config.shopifyMappingFile ?? 'default' }, 'Shopify channel enabled at POST /v1/channels/shopify/webhooks');
    }
    const address = await app.listen({ port: config.port, host: config.host });
    // The simulated network's stock, then inbound work and dispatching.
    for (const snapshot of connectors.snapshots) {
      await inbound.receive(snapshot, { system: 'simulators', messageId: `stock-${'nodeId' in snapshot ? snapshot.nodeId : ''}-${connectors.network?.runId ?? ''}` });
    }
    connectors.start(inbound);
    dispatcher.start();
    sweeper.start();
    reconciliation.start();
    if (connectors.network) log.info({ nodes: connectors.nodes.map((n) => n.id), connectors: connectors.connectors.map((c) => c.id) }, 'simulated retail network started (ORDERLY_SIMULATORS=off to run without it)');
    return running({ app, store, sweeper, dispatcher, inbound, committer, connectors, reconciliation, address, ...(boot.generatedKey ? { generatedKey: boot.generatedKey } : {}) });
  } catch (err) {
    await connectors.close().catch(() => undefined);
    throw err;
  }
}

/** The running service and its orderly shutdown: requests finish, follow-ups and commits drain, sends stop, the database closes. */
function running(parts: {
  app: FastifyInstance;
  store: Store;
  sweeper: Sweeper;
  dispatcher: Dispatcher;
  inbound: InboundSink;
  committer: ReturnType<typeof createGroupCommitter>;
  connectors: Awaited<ReturnType<typeof setUpConnectors>>;
  reconciliation: ReconciliationSetup;
  address: string;
  generatedKey?: string;
}): Orderly {
  const { app, store, sweeper, dispatcher, committer, connectors, reconciliation } = parts;
  const url = parts.address.replace('[::]', 'localhost').replace('0.0.0.0', 'localhost');
  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    sweeper,
    dispatcher,
    reconciliation,
    inbound: parts.inbound,
    ...(connectors.network ? { network: connectors.network } : {}),
    url,
    ...(parts.generatedKey ? { generatedKey: parts.generatedKey } : {}),
    close() {
      closing ??= (async () => {
        await app.close();
        await reconciliation.stop();
        await sweeper.stop();
        await committer.drain();
        await dispatcher.stop();
        await connectors.close();
        await store.close();
      })();
      return closing;
    },
  };
}
