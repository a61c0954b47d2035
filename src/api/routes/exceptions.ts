import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { EXCEPTION_ACTIONS, EXCEPTION_SEVERITIES } from '../../domain/exception/exception.js';
import { EXCEPTION_STATUSES } from '../../store/port.js';
import type { ApiDeps } from '../context.js';
import { idempotentAction, requireScope } from '../context.js';
import { ProblemError } from '../problem.js';
import { ListQuerySchema, parse } from '../schemas.js';

const id = z.string().min(1).max(128);
const ListExceptionsQuery = ListQuerySchema.extend({
  status: z.enum(EXCEPTION_STATUSES).optional(),
  type: z.string().min(1).max(64).optional(),
  severity: z.enum(EXCEPTION_SEVERITIES).optional(),
  owner: z.string().min(1).max(64).optional(),
  orderId: id.optional(),
});
const ActionSchema = z.object({ action: z.enum(EXCEPTION_ACTIONS), note: z.string().min(1).max(2000).optional() });

/** The exception workbench (API.md "Exceptions"): list, read, act. Actions are idempotent, audited and permission-checked. */
export function exceptionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/exceptions', { config: { doc: { summary: 'Exceptions, newest first, with age and whether overdue', scope: 'ops:exceptions', query: ListExceptionsQuery, okDescription: '{ items, nextCursor }' } } }, async (req) => {
    requireScope(req, 'ops:exceptions');
    const q = parse(ListExceptionsQuery, req.query, 'query');
    const beforeId = q.cursor === undefined ? undefined : Buffer.from(q.cursor, 'base64url').toString('utf8');
    const items = await deps.exceptions.list({
      limit: q.limit + 1,
      ...(q.status ? { status: q.status } : {}),
      ...(q.type ? { type: q.type } : {}),
      ...(q.severity ? { severity: q.severity } : {}),
      ...(q.owner ? { owner: q.owner } : {}),
      ...(q.orderId ? { orderId: q.orderId } : {}),
      ...(beforeId ? { beforeId } : {}),
    });
    const page = items.slice(0, q.limit);
    const now = Date.parse(deps.clock.now());
    return {
      items: page.map((e) => ({ ...e, ageSeconds: Math.round((now - Date.parse(e.createdAt)) / 1000), overdue: e.status !== 'resolved' && Date.parse(e.slaDueAt) < now })),
      nextCursor: items.length > q.limit ? Buffer.from(page.at(-1)!.id).toString('base64url') : null,
    };
  });

  app.get('/v1/exceptions/:id', { config: { doc: { summary: 'An exception: both sides, payloads, suggested actions, audit, the order’s recent events', scope: 'ops:exceptions' } } }, async (req) => {
    requireScope(req, 'ops:exceptions');
    const { id: exceptionId } = parse(z.object({ id }), req.params, 'path');
    const e = await deps.exceptions.get(exceptionId);
    if (!e) throw new ProblemError('not_found', `No exception ${exceptionId}`);
    // The order's recent events, so the reader has the timeline beside the two views.
    const events = e.orderId ? (await deps.orders.events(e.orderId)).slice(-10).map((ev) => ({ type: ev.type, version: ev.version, recordedAt: ev.recordedAt, data: ev.data })) : [];
    const now = Date.parse(deps.clock.now());
    return { ...e, context: { ...e.context, recentEvents: events }, ageSeconds: Math.round((now - Date.parse(e.createdAt)) / 1000), overdue: e.status !== 'resolved' && Date.parse(e.slaDueAt) < now };
  });

  app.post('/v1/exceptions/:id/actions', { config: { doc: { summary: 'Act on an exception (idempotent, audited)', scope: 'ops:exceptions', body: ActionSchema } } }, async (req, reply) =>
    idempotentAction(deps, req, reply, 'ops:exceptions', async (identity) => {
      const { id: exceptionId } = parse(z.object({ id }), req.params, 'path');
      const body = parse(ActionSchema, req.body);
      const outcome = await deps.exceptions.act(exceptionId, { action: body.action, ...(body.note !== undefined ? { note: body.note } : {}), actor: { kind: 'operator', id: identity.id } });
      switch (outcome.kind) {
        case 'ok':
          return { status: 200, body: outcome.exception };
        case 'not_found':
          throw new ProblemError('not_found', outcome.message ?? `No exception ${exceptionId}`);
        case 'conflict':
          throw new ProblemError('version_conflict', outcome.message ?? 'the exception changed meanwhile');
        case 'refused':
          throw new ProblemError('illegal_transition', outcome.message ?? 'the action does not apply');
      }
    }),
  );
}
