import type { Logger } from 'pino';
import type { Connector, InboundSink } from '../../connectors/port.js';
import { defaultTriagePolicy } from '../../reconcile/index.js';
import type { Store } from '../../store/port.js';
import type { ReconciliationApi } from '../../api/context.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { ActionHandler, ExceptionService } from '../exceptions.js';
import type { IdGenerator } from '../ids.js';
import type { InventoryService } from '../inventoryService.js';
import { driftActionHandlers } from './driftActions.js';
import type { ReconciliationFile } from './reconcileConfig.js';
import { NO_RECONCILIATION_FILE, batchMappings, policyFor, readReconciliationFile } from './reconcileConfig.js';
import { createReconciliationService } from './reconciliationService.js';
import type { RunDeps } from './runModel.js';
import { createDropWatcher, createSweeps } from './snapshotSources.js';

/** The run dependencies from configuration: the same for the server and `orderly reconcile`. */
export function reconciliationRunDeps(deps: { store: Store; exceptions: ExceptionService; clock: Clock; file: ReconciliationFile; onProgress?: RunDeps['onProgress'] }): RunDeps {
  return {
    store: deps.store,
    exceptions: deps.exceptions,
    clock: deps.clock,
    policy: policyFor(deps.file),
    triage: defaultTriagePolicy,
    velocityClasses: deps.file.velocityClasses,
    leaseMs: 60_000,
    progressEvery: 10_000,
    pageRows: 2_000,
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
  };
}

export const reconciliationFileOf = (config: Pick<Config, 'reconciliationFile'>): ReconciliationFile =>
  config.reconciliationFile ? readReconciliationFile(config.reconciliationFile) : NO_RECONCILIATION_FILE;

/**
 * Reconciliation in the server (composition root's part): the run service and its worker, the
 * drift actions added to the exception workbench's handlers, the scheduled sweeps and the drop
 * directory from ORDERLY_RECONCILIATION_FILE, and what the API needs.
 */
export function setUpReconciliation(deps: {
  store: Store;
  exceptions: ExceptionService;
  handlers: Map<string, ActionHandler>;
  inventory: InventoryService;
  inbound: InboundSink;
  connectors: readonly Connector[];
  paymentConnector?: string;
  clock: Clock;
  newId: IdGenerator;
  log: Logger;
  config: Config;
  nudgeDispatcher: () => void;
}) {
  const file = reconciliationFileOf(deps.config);
  const runDeps = reconciliationRunDeps({ store: deps.store, exceptions: deps.exceptions, clock: deps.clock, file });
  const service = createReconciliationService({ ...runDeps, newId: deps.newId, log: deps.log, ...(deps.paymentConnector ? { paymentConnector: deps.paymentConnector } : {}) });
  for (const [key, handler] of driftActionHandlers({ run: runDeps, inventory: deps.inventory, inbound: deps.inbound, connectors: () => deps.connectors, newId: deps.newId, nudge: deps.nudgeDispatcher })) {
    deps.handlers.set(key, handler);
  }
  const mappingFor = batchMappings(deps.config.connectorsFile);
  const sweeps = createSweeps({ schedule: file.sweeps, connectors: deps.connectors, service, clock: deps.clock, log: deps.log });
  const drop = file.dropDirectory ? createDropWatcher({ dir: file.dropDirectory, pollMs: file.dropPollMs, service, mappingFor, clock: deps.clock, log: deps.log }) : undefined;
  const api: ReconciliationApi = { service, mappingFor, bodyLimitBytes: deps.config.reconciliationBodyLimitBytes };
  return {
    service,
    api,
    sweeps,
    start(): void {
      service.start();
      sweeps.start();
      drop?.start();
    },
    async stop(): Promise<void> {
      sweeps.stop();
      await drop?.stop();
      await service.stop();
    },
  };
}

export type ReconciliationSetup = ReturnType<typeof setUpReconciliation>;
