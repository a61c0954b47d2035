import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Connector } from '../../connectors/port.js';
import type { MappingTables } from '../../connectors/mapping/index.js';
import { claim, listInbox, reclaimStale } from '../../connectors/batch/inbox.js';
import type { ReconcileKind } from '../../reconcile/index.js';
import { RECONCILE_KINDS } from '../../reconcile/index.js';
import type { Clock } from '../clock.js';
import type { ReconciliationFile } from './reconcileConfig.js';
import type { ReconciliationService } from './reconciliationService.js';
import { formatOfName, readSnapshotFile } from './snapshotFile.js';
import { SnapshotError, checkHeader } from './snapshotRows.js';

type Log = Pick<Logger, 'info' | 'warn' | 'error'>;

/**
 * Sweeps scheduled per target and kind (ORDERLY_RECONCILIATION_FILE): at each interval the
 * target's connector is asked for its snapshot and a run starts. A sweep whose connector cannot
 * list its state is refused at start, not skipped quietly.
 */
export function createSweeps(deps: { schedule: ReconciliationFile['sweeps']; connectors: readonly Connector[]; service: ReconciliationService; clock: Clock; log: Log }) {
  const timers: NodeJS.Timeout[] = [];
  for (const s of deps.schedule) {
    const c = deps.connectors.find((x) => x.id === s.target);
    if (!c?.snapshot) throw new Error(`ORDERLY_RECONCILIATION_FILE: sweep of ${s.target} ${s.kind}: ${c ? 'its connector cannot list its state (no snapshot)' : 'no connector has that id'}`);
  }
  /** One sweep now: the run it started. */
  const sweep = async (target: string, kind: ReconcileKind) => {
    const c = deps.connectors.find((x) => x.id === target);
    if (!c?.snapshot) throw new Error(`${target} cannot be pulled`);
    const snap = await c.snapshot(kind, { signal: AbortSignal.timeout(60_000) });
    const header = checkHeader({ target, kind, asOf: snap.asOf }, deps.clock.now());
    if (!header.ok) throw new SnapshotError(`${target} gave a snapshot that cannot be taken`, header.errors);
    return deps.service.receive({ header: header.header, rows: snap.rows.map((input, i) => ({ input, path: `rows[${i}]` })), source: 'connector', createdBy: `sweep:${target}` });
  };
  return {
    sweep,
    start(): void {
      for (const s of deps.schedule) {
        const run = () =>
          void sweep(s.target, s.kind)
            .then((r) => deps.log.info({ run: r.id, target: s.target, kind: s.kind }, 'reconciliation sweep queued'))
            .catch((err: unknown) => deps.log.error({ err, target: s.target, kind: s.kind }, 'reconciliation sweep failed'));
        timers.push(setInterval(run, s.everyMinutes * 60_000));
      }
    },
    stop(): void {
      for (const t of timers.splice(0)) clearInterval(t);
    },
  };
}

/** `<target>.<kind>.<anything>`: the target and kind a dropped file is for. */
export function parseDropName(name: string): { target: string; kind: ReconcileKind } | undefined {
  const [target, kind] = name.split('.');
  return target && kind && (RECONCILE_KINDS as readonly string[]).includes(kind) ? { target, kind: kind as ReconcileKind } : undefined;
}

/**
 * A drop directory watched like a batch connector's inbox (claimed by rename, so one poller takes
 * a file once): a file named `<target>.<kind>.<anything>` (CSV, JSON lines or document, X12 846)
 * starts a run and moves to processed/; one that cannot be taken moves to failed/ with
 * `<name>.errors.json` beside it saying why, row by row. A CSV or JSON-lines file is as of its
 * modification time unless it says otherwise.
 */
export function createDropWatcher(deps: { dir: string; pollMs: number; service: ReconciliationService; mappingFor: (target: string) => MappingTables | undefined; clock: Clock; log: Log }) {
  const dirs = { inbox: deps.dir, processing: path.join(deps.dir, 'processing'), processed: path.join(deps.dir, 'processed'), failed: path.join(deps.dir, 'failed') };
  let timer: NodeJS.Timeout | undefined;
  let scanning: Promise<void> | undefined;

  const take = async (file: string, name: string): Promise<void> => {
    const fail = async (message: string, errors: readonly { path: string; message: string }[]) => {
      await rename(file, path.join(dirs.failed, name));
      await writeFile(path.join(dirs.failed, `${name}.errors.json`), `${JSON.stringify({ message, errors }, null, 2)}\n`);
      deps.log.warn({ file: name, message }, 'reconciliation snapshot file refused');
    };
    const named = parseDropName(name);
    if (!named) return fail(`the name must be <target>.<kind>.<anything> with kind ${RECONCILE_KINDS.join(', ')}`, []);
    try {
      const read = await readSnapshotFile(file, formatOfName(name), named.kind, deps.mappingFor(named.target));
      const header = checkHeader({ ...named, asOf: read.asOf ?? read.modifiedAt, scope: read.scope }, deps.clock.now());
      if (!header.ok) return fail('the snapshot header is not valid', header.errors);
      const run = await deps.service.receive({ header: header.header, rows: read.rows, source: 'file', createdBy: `file:${name}` });
      await rename(file, path.join(dirs.processed, `${name}.${run.id}`));
      deps.log.info({ file: name, run: run.id }, 'reconciliation snapshot file queued');
    } catch (err) {
      if (err instanceof SnapshotError) return fail(err.message, err.errors);
      throw err;
    }
  };

  const scan = async (): Promise<void> => {
    await Promise.all(Object.values(dirs).map((d) => mkdir(d, { recursive: true })));
    const now = Date.now();
    for (const c of await reclaimStale(dirs.processing, 15 * 60_000, now)) await take(c.path, c.name);
    for (const name of await listInbox(dirs.inbox, 1_000, now)) {
      const c = await claim(dirs.inbox, dirs.processing, name, now);
      if (c) await take(c.path, c.name);
    }
  };

  const tick = (): void => {
    scanning = scan()
      .catch((err: unknown) => deps.log.error({ err, dir: deps.dir }, 'reconciliation drop directory scan failed'))
      .finally(() => {
        scanning = undefined;
        if (timer !== undefined) timer = setTimeout(tick, deps.pollMs);
      });
  };

  return {
    scan,
    start(): void {
      timer = setTimeout(tick, 0);
    },
    async stop(): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await scanning;
    },
  };
}
