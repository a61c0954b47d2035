import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { systemClock } from '../app/clock.js';
import type { Config } from '../app/config.js';
import { loadConfig } from '../app/config.js';
import { createExceptionService } from '../app/exceptions.js';
import { newId } from '../app/ids.js';
import { createReconciliationService } from '../app/reconcile/reconciliationService.js';
import { batchMappings } from '../app/reconcile/reconcileConfig.js';
import type { ProgressDoc, TotalsDoc } from '../app/reconcile/runModel.js';
import type { SnapshotFileFormat } from '../app/reconcile/snapshotFile.js';
import { formatOfName, readSnapshotFile } from '../app/reconcile/snapshotFile.js';
import { SnapshotError, checkHeader } from '../app/reconcile/snapshotRows.js';
import { reconciliationFileOf, reconciliationRunDeps } from '../app/reconcile/setUpReconciliation.js';
import { openStore } from '../app/runtime.js';
import { RECONCILE_KINDS } from '../reconcile/index.js';
import type { ReconcileKind } from '../reconcile/index.js';
import type { ReconciliationRunRow, Store } from '../store/port.js';

/** The side effects of the command, injectable so tests need no process exit. */
export interface ReconcileCliIo {
  openStore(config: Config): Promise<Store>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** A live progress line can be redrawn in place (a terminal), else progress is printed line by line. */
  readonly interactive: boolean;
  setExitCode(code: number): void;
}

const processIo: ReconcileCliIo = {
  openStore,
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/** The payment connector the server would use: the connectors file's `payments`, else the simulated gateway when it runs. */
function paymentConnectorOf(config: Config): string | undefined {
  if (config.connectorsFile) {
    const doc = parseYaml(readFileSync(config.connectorsFile, 'utf8')) as { payments?: unknown } | null;
    if (typeof doc?.payments === 'string') return doc.payments;
  }
  return config.simulators ? 'payments' : undefined;
}

/**
 * `orderly reconcile --target <id> --kind orders|inventory|payments --snapshot <file>`: one run
 * against the store `orderly serve` uses (DATABASE_URL, else SQLite under ORDERLY_DATA_DIR), in
 * this process, with progress on stderr and a summary table on stdout. Exit 0 when the run
 * completed, 1 when it failed, 2 for a bad command or snapshot (nothing kept), 3 with
 * --fail-on-drift when drifts were found.
 */
export function registerReconcile(program: Command, io: ReconcileCliIo = processIo): void {
  program
    .command('reconcile')
    .description('Reconcile the ledger with a target\'s snapshot file (JSON, JSON lines, CSV or X12 846); exceptions are raised and resolved as by the server')
    .requiredOption('--target <id>', 'the connector or system the snapshot is from, e.g. wms-east')
    .requiredOption('--kind <kind>', `what it lists: ${RECONCILE_KINDS.join(', ')}`)
    .requiredOption('--snapshot <file>', 'the snapshot file')
    .option('--as-of <time>', 'when the target counted (default: the file\'s own asOf, else its modification time)')
    .option('--format <format>', 'json, csv or x12 (default: from the file name)')
    .option('--scope <scope>', 'all (default) or open_only: the target lists open work only')
    .option('--json', 'print the finished run as JSON instead of a table')
    .option('--fail-on-drift', 'exit 3 when the run finds drifts')
    .action(async (opts: { target: string; kind: string; snapshot: string; asOf?: string; format?: string; scope?: string; json?: boolean; failOnDrift?: boolean }) => {
      const usage = (message: string) => {
        io.stderr(`error: ${message}\n`);
        io.setExitCode(2);
      };
      if (!(RECONCILE_KINDS as readonly string[]).includes(opts.kind)) return usage(`--kind must be one of ${RECONCILE_KINDS.join(', ')}, not ${opts.kind}`);
      if (opts.format !== undefined && !['json', 'csv', 'x12'].includes(opts.format)) return usage(`--format must be json, csv or x12, not ${opts.format}`);
      const kind = opts.kind as ReconcileKind;
      let store: Store | undefined;
      try {
        const config = loadConfig();
        store = await io.openStore(config);
        await store.migrate();
        const file = reconciliationFileOf(config);
        const started = performance.now();
        let lastDrawn = 0;
        const runDeps = reconciliationRunDeps({ store, exceptions: createExceptionService({ store, clock: systemClock, newId }), clock: systemClock, file, onProgress: (run) => {
          const now = performance.now();
          const p = run.progress as ProgressDoc;
          if (now - lastDrawn < (io.interactive ? 100 : 2_000) && p.phase === 'comparing') return;
          lastDrawn = now;
          const line = `${run.id} ${p.phase} ${p.percent}% — ${p.targetRows.toLocaleString('en')} target rows, ${p.ledgerRows.toLocaleString('en')} ledger rows, ${p.drifts} drift(s), ${((now - started) / 1000).toFixed(1)} s`;
          io.stderr(io.interactive ? `\r\x1b[K${line}` : `${line}\n`);
        } });
        const service = createReconciliationService({ ...runDeps, newId, ...(paymentConnectorOf(config) ? { paymentConnector: paymentConnectorOf(config)! } : {}) });
        const format = (opts.format as SnapshotFileFormat | undefined) ?? formatOfName(opts.snapshot);
        const read = await readSnapshotFile(opts.snapshot, format, kind, batchMappings(config.connectorsFile)(opts.target));
        const asOf = opts.asOf ?? read.asOf ?? read.modifiedAt;
        if (opts.asOf === undefined && read.asOf === undefined) io.stderr(`note: the snapshot does not say when it was counted; taking its modification time ${asOf} (--as-of to say)\n`);
        const header = checkHeader({ target: opts.target, kind, asOf, scope: opts.scope ?? read.scope }, systemClock.now());
        if (!header.ok) return usage(header.errors.map((e) => `${e.path === 'asOf' ? '--as-of' : `--${e.path}`}: ${e.message}`).join('; '));
        const run = await service.runNow({ header: header.header, rows: read.rows, source: 'cli', createdBy: `cli:${process.env.USER ?? 'user'}` });
        if (io.interactive) io.stderr('\n');
        const counts = await store.countReconciliationDrifts(run.id);
        io.stdout(opts.json ? `${JSON.stringify({ ...run, counts }, null, 2)}\n` : summary(run, counts, (performance.now() - started) / 1000));
        const drifts = counts.filter((c) => c.status === 'drift').reduce((n, c) => n + c.count, 0);
        if (run.status !== 'completed') io.setExitCode(1);
        else if (opts.failOnDrift && drifts > 0) io.setExitCode(3);
      } catch (err) {
        if (err instanceof SnapshotError) {
          io.stderr(`error: ${err.message}\n${err.errors.map((e) => `  ${e.path}: ${e.message}\n`).join('')}`);
          io.setExitCode(2);
        } else {
          io.stderr(`error: ${err instanceof Error ? err.message : String(err)}\n`);
          io.setExitCode(1);
        }
      } finally {
        await store?.close();
      }
    });
}

/** The run in a few lines and a table: drifts per class, deferred, exceptions raised and resolved. */
function summary(run: ReconciliationRunRow, counts: readonly { class: string; status: string; count: number }[], seconds: number): string {
  const totals = run.totals as TotalsDoc;
  const progress = run.progress as ProgressDoc;
  const rows: [string, string][] = counts.filter((c) => c.status === 'drift').map((c) => [c.class, String(c.count)]);
  const deferred = counts.filter((c) => c.status === 'deferral').reduce((n, c) => n + c.count, 0);
  rows.push(['(deferred: in flight, checked again later)', String(deferred)], ['exceptions raised', String(totals.exceptionsRaised)], ['exceptions resolved', String(totals.exceptionsResolved)]);
  const width = Math.max(...rows.map(([k]) => k.length), 'class'.length);
  const head = `run ${run.id}: ${run.status}${run.error ? ` (${run.error})` : ''} — ${run.target} ${run.kind} as of ${run.asOf}\n`
    + `${totals.targetRows.toLocaleString('en')} target rows, ${progress.ledgerRows.toLocaleString('en')} ledger rows compared in ${seconds.toFixed(1)} s\n\n`;
  return `${head}${'class'.padEnd(width)}  count\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}
