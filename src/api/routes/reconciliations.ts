import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ProgressDoc, RunScopeDoc, TotalsDoc } from '../../app/reconcile/runModel.js';
import type { RawItem } from '../../app/reconcile/snapshotFormats.js';
import { csvRows, x12InventoryRows } from '../../app/reconcile/snapshotFormats.js';
import { SnapshotError, checkHeader } from '../../app/reconcile/snapshotRows.js';
import { RECONCILE_KINDS } from '../../reconcile/index.js';
import type { ReconciliationRunRow, StoredReconciliationDrift } from '../../store/port.js';
import { RECONCILIATION_RUN_STATUSES } from '../../store/port.js';
import type { ApiDeps, ReconciliationApi } from '../context.js';
import { idempotentAction, requireScope } from '../context.js';
import { ProblemError } from '../problem.js';
import type { RouteDoc } from '../routeDoc.js';
import { ListQuerySchema, parse } from '../schemas.js';

/** A text upload (CSV, X12) with the query that names its target, kind and asOf: both make the request. */
interface TextUpload {
  readonly format: 'csv' | 'x12';
  readonly text: string;
  readonly query: Record<string, unknown>;
}

const ListRunsQuery = ListQuerySchema.extend({
  target: z.string().min(1).max(128).optional(),
  kind: z.enum(RECONCILE_KINDS).optional(),
  status: z.enum(RECONCILIATION_RUN_STATUSES).optional(),
});
const RunQuery = ListQuerySchema.extend({
  class: z.string().min(1).max(64).optional(),
  status: z.enum(['drift', 'deferral', 'cleared']).default('drift'),
});
const cursorOf = (text: string | undefined): string | undefined => (text === undefined ? undefined : Buffer.from(text, 'base64url').toString('utf8'));
const cursorFor = (value: string | number): string => Buffer.from(String(value)).toString('base64url');

/** A run as the API shows it: status, progress, totals per class. */
export function runView(run: ReconciliationRunRow, counts: readonly { class: string; status: string; count: number }[]) {
  const scope = run.scope as RunScopeDoc;
  const progress = run.progress as ProgressDoc;
  const totals = run.totals as TotalsDoc;
  const drifts: Record<string, number> = {};
  let deferred = 0;
  let cleared = 0;
  for (const c of counts) {
    if (c.status === 'drift') drifts[c.class] = (drifts[c.class] ?? 0) + c.count;
    else if (c.status === 'deferral') deferred += c.count;
    else cleared += c.count;
  }
  return {
    id: run.id, target: run.target, kind: run.kind, asOf: run.asOf, scope: scope.snapshotScope, nodeIds: scope.nodeIds, status: run.status, source: run.source,
    createdBy: run.createdBy, createdAt: run.createdAt, startedAt: run.startedAt, finishedAt: run.finishedAt, error: run.error,
    progress: { phase: progress.phase, percent: progress.percent, ledgerRows: progress.ledgerRows, targetRows: progress.targetRows, keys: progress.keys, resumed: progress.resumed },
    totals: {
      targetRows: totals.targetRows, drifts, driftCount: Object.values(drifts).reduce((a, b) => a + b, 0), deferred, cleared,
      exceptionsRaised: totals.exceptionsRaised, exceptionsResolved: totals.exceptionsResolved,
    },
  };
}

/** A finding as the run's drift list shows it: `{ class, orderId|sku|…, ledger, target, exceptionId }`. */
export function driftView(d: StoredReconciliationDrift) {
  const doc = d.doc as Record<string, unknown>;
  const { rows: _rows, ...shown } = doc;
  return { ...shown, class: d.class, status: d.status, exceptionId: d.exceptionId, ...(d.until !== null ? { until: d.until } : {}) };
}

/** POST /v1/reconciliations: rows are checked one by one by the handler (snapshotRows.ts), described here. */
const RECONCILIATION_DOC: RouteDoc = {
  summary: 'A target’s snapshot: checked, stored, reconciled in the background (docs/reconciliation.md)',
  scope: 'ops:exceptions',
  ok: 202,
  okDescription: '{ id, status, target, kind, asOf, rows }',
  body: {
    contents: {
      'application/json': {
        type: 'object',
        required: ['target', 'kind', 'asOf', 'rows'],
        properties: {
          target: { type: 'string' }, kind: { enum: ['orders', 'inventory', 'payments'] }, asOf: { type: 'string', format: 'date-time' }, scope: { enum: ['all', 'open_only'] },
          rows: {
            type: 'array',
            items: { type: 'object', description: 'orders { fulfillmentId, status, lines: [{ lineId, quantity, shipped }] }; inventory { nodeId, sku, onHand, asOf? }; payments { orderId, authorized, captured, refunded, currency? }' },
          },
        },
      },
      'text/csv': { type: 'string', description: 'with ?target=&kind=&asOf=' },
      'application/edi-x12': { type: 'string', description: 'an X12 846 (kind inventory), with ?target=' },
    },
  },
};

/**
 * Reconciliation runs (API.md "Exceptions and reconciliation"): a snapshot in (JSON rows, CSV or an
 * X12 846), 202 with the run's id at once, the run read back with its progress, totals and drifts.
 */
export function reconciliationRoutes(app: FastifyInstance, deps: ApiDeps, api: ReconciliationApi): void {
  // Snapshot files are text; parsers for them exist only within these routes.
  void app.register(async (scope) => {
    const text = (format: TextUpload['format']) => (req: { query: unknown }, body: string, done: (err: Error | null, body?: unknown) => void) =>
      done(null, { format, text: body, query: (req.query ?? {}) as Record<string, unknown> } satisfies TextUpload);
    scope.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit: api.bodyLimitBytes }, (req, body, done) => text('csv')(req, body as string, done));
    scope.addContentTypeParser(['application/edi-x12', 'application/x12', 'application/edi'], { parseAs: 'string', bodyLimit: api.bodyLimitBytes }, (req, body, done) => text('x12')(req, body as string, done));

    scope.post('/v1/reconciliations', { bodyLimit: api.bodyLimitBytes, config: { doc: RECONCILIATION_DOC } }, async (req, reply) =>
      idempotentAction(deps, req, reply, 'ops:exceptions', async (identity) => {
        const body = req.body as TextUpload | Record<string, unknown> | undefined;
        const upload = body && typeof body === 'object' && 'format' in body && 'text' in body ? (body as TextUpload) : undefined;
        const fields = upload ? upload.query : ((body ?? {}) as Record<string, unknown>);
        let rows: AsyncIterable<RawItem> | Iterable<RawItem>;
        let asOf = fields.asOf;
        if (upload?.format === 'x12') {
          if (fields.kind !== undefined && fields.kind !== 'inventory') throw new ProblemError('validation_failed', 'An X12 846 is an inventory snapshot', [{ path: 'query.kind', message: 'must be inventory for an X12 846' }]);
          const target = typeof fields.target === 'string' ? fields.target : '';
          const read = x12InventoryRows(upload.text, api.mappingFor(target));
          if (read.errors.length > 0) throw new ProblemError('validation_failed', `The 846 cannot be read: ${read.errors.slice(0, 5).map((e) => `${e.path}: ${e.message}`).join('; ')}`, read.errors.slice(0, 100));
          asOf ??= read.asOf;
          rows = read.rows;
        } else if (upload?.format === 'csv') {
          rows = csvRows((fields.kind as never) ?? 'orders', upload.text.split(/\r\n|\n|\r/));
        } else {
          if (!Array.isArray(fields.rows)) throw new ProblemError('validation_failed', 'The body needs rows: an array of what the target holds', [{ path: 'rows', message: 'required: an array' }]);
          rows = (fields.rows as unknown[]).map((input, i) => ({ input, path: `rows[${i}]` }));
        }
        const checked = checkHeader({ target: fields.target, kind: upload?.format === 'x12' ? (fields.kind ?? 'inventory') : fields.kind, asOf, scope: fields.scope }, deps.clock.now());
        if (!checked.ok) throw new ProblemError('validation_failed', `The snapshot is not valid: ${checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, upload ? checked.errors.map((e) => ({ ...e, path: `query.${e.path}` })) : checked.errors);
        try {
          const run = await api.service.receive({ header: checked.header, rows, source: upload ? `api:${upload.format}` : 'api', createdBy: identity.id });
          return { status: 202, body: { id: run.id, status: run.status, target: run.target, kind: run.kind, asOf: run.asOf, rows: (run.totals as TotalsDoc).targetRows } };
        } catch (err) {
          if (err instanceof SnapshotError) throw new ProblemError('validation_failed', err.message, err.errors);
          throw err;
        }
      }),
    );
  });

  app.get('/v1/reconciliations', { config: { doc: { summary: 'Runs, newest first', scope: 'ops:exceptions', query: ListRunsQuery, okDescription: '{ items, nextCursor }' } } }, async (req) => {
    requireScope(req, 'ops:exceptions');
    const q = parse(ListRunsQuery, req.query, 'query');
    const beforeId = cursorOf(q.cursor);
    const runs = await api.service.list({ limit: q.limit + 1, ...(q.target ? { target: q.target } : {}), ...(q.kind ? { kind: q.kind } : {}), ...(q.status ? { status: q.status } : {}), ...(beforeId ? { beforeId } : {}) });
    const page = runs.slice(0, q.limit);
    const items = await Promise.all(page.map(async (r) => runView(r, await api.service.counts(r.id))));
    return { items, nextCursor: runs.length > q.limit ? cursorFor(page.at(-1)!.id) : null };
  });

  app.get('/v1/reconciliations/:id', { config: { doc: { summary: 'A run: status, progress, totals per class, drifts (paged)', scope: 'ops:exceptions', query: RunQuery } } }, async (req) => {
    requireScope(req, 'ops:exceptions');
    const { id } = parse(z.object({ id: z.string().min(1).max(128) }), req.params, 'path');
    const q = parse(RunQuery, req.query, 'query');
    const run = await api.service.get(id);
    if (!run) throw new ProblemError('not_found', `No reconciliation run ${id}`);
    const afterSeq = Number(cursorOf(q.cursor) ?? 0);
    if (!Number.isInteger(afterSeq) || afterSeq < 0) throw new ProblemError('validation_failed', 'The cursor is not one this API gave', [{ path: 'query.cursor', message: 'not a cursor of this list' }]);
    const drifts = await api.service.findings(id, { status: q.status, afterSeq, limit: q.limit + 1, ...(q.class ? { class: q.class } : {}) });
    const page = drifts.slice(0, q.limit);
    return { ...runView(run, await api.service.counts(id)), drifts: page.map(driftView), nextCursor: drifts.length > q.limit ? cursorFor(page.at(-1)!.seq) : null };
  });
}
