import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { InvalidCursorError, createDeadLetterService } from '../../app/dispatch/deadLetters.js';
import { DEAD_LETTER_REASONS } from '../../store/port.js';
import type { DeadLetterActionResult, DeadLetterReason } from '../../store/port.js';
import type { ApiDeps } from '../context.js';
import { idempotentAction, requireScope } from '../context.js';
import { ProblemError } from '../problem.js';
import { ListQuerySchema, parse } from '../schemas.js';

const SCOPE = 'ops:exceptions';
const IdParam = z.object({ id: z.string().min(1).max(255) });
const ListDeadLettersQuery = ListQuerySchema.extend({
  destination: z.string().min(1).max(128).optional(),
  reason: z.enum(DEAD_LETTER_REASONS as [DeadLetterReason, ...DeadLetterReason[]]).optional(),
});
const DiscardBody = z.object({ note: z.string().trim().min(1, 'a note saying why is required').max(2_000) });

export interface DeadLetterDeps extends ApiDeps {
  /** Tells the outbox dispatcher a redriven message is due now (optional: it also polls). */
  readonly nudgeDispatcher?: () => void;
}

/**
 * The dead-letter store over HTTP (docs/connectors/dispatcher.md): list, inspect, redrive and
 * discard parked outbox messages, and the outbox's depth per destination. Scope `ops:exceptions`
 * (admin implies it); POSTs take an Idempotency-Key.
 */
export function deadLetterRoutes(app: FastifyInstance, deps: DeadLetterDeps): void {
  const dlq = createDeadLetterService({ store: deps.store, clock: deps.clock });

  app.get('/v1/dead-letters', { config: { doc: { summary: 'Dead letters, oldest first', scope: SCOPE, query: ListDeadLettersQuery, okDescription: '{ items, nextCursor }' } } }, async (req) => {
    requireScope(req, SCOPE);
    const q = parse(ListDeadLettersQuery, req.query, 'query');
    try {
      return await dlq.list({
        limit: q.limit,
        ...(q.destination !== undefined ? { destination: q.destination } : {}),
        ...(q.reason !== undefined ? { reason: q.reason } : {}),
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      });
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new ProblemError('validation_failed', err.message, [{ path: 'cursor', message: 'invalid cursor' }]);
      throw err;
    }
  });

  app.get('/v1/dead-letters/:id', { config: { doc: { summary: 'A dead letter, with its attempts and audit', scope: SCOPE } } }, async (req) => {
    requireScope(req, SCOPE);
    const { id } = parse(IdParam, req.params, 'path');
    const found = await dlq.get(id);
    if (!found) throw new ProblemError('not_found', `No dead letter ${id}`);
    return found;
  });

  app.post('/v1/dead-letters/:id/redrive', { config: { doc: { summary: 'Send a dead letter again (back to pending, attempts reset, audited)', scope: SCOPE } } }, async (req, reply) =>
    idempotentAction(deps, req, reply, SCOPE, async (identity) => {
      const { id } = parse(IdParam, req.params, 'path');
      const result = answer(id, await dlq.redrive(id, identity.id));
      deps.nudgeDispatcher?.();
      return result;
    }),
  );

  app.post('/v1/dead-letters/:id/discard', { config: { doc: { summary: 'Give a dead letter up, with a note (unblocks its partition)', scope: SCOPE, body: DiscardBody } } }, async (req, reply) =>
    idempotentAction(deps, req, reply, SCOPE, async (identity) => {
      const { id } = parse(IdParam, req.params, 'path');
      const { note } = parse(DiscardBody, req.body ?? {});
      return answer(id, await dlq.discard(id, identity.id, note));
    }),
  );

  app.get('/v1/outbox/stats', { config: { doc: { summary: 'Outbox depth, oldest pending age and dead letters per destination', scope: SCOPE } } }, async (req) => {
    requireScope(req, SCOPE);
    return dlq.stats();
  });
}

function answer(id: string, result: DeadLetterActionResult): { status: number; body: unknown } {
  switch (result.status) {
    case 'ok':
      return { status: 200, body: result.message };
    case 'not_found':
      throw new ProblemError('not_found', `No dead letter ${id}`);
    case 'not_dead':
      throw new ProblemError('not_dead_letter', `Message ${id} is ${result.current}, not dead: only a dead letter can be redriven or discarded`, [], { current: result.current });
  }
}
