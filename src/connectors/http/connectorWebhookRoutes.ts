import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
// For the FastifyRequest.rawBody and route `config.auth` declarations.
import type {} from '../../api/context.js';
import { parseJsonBody } from '../../api/jsonBody.js';
import { ProblemError, problem, sendProblem } from '../../api/problem.js';
import { toFieldErrors } from '../../routing/fieldErrors.js';
import { factsSchema } from '../factSchema.js';
import type { InboundOutcome, InboundSink } from '../port.js';
import { SIGNATURE_HEADER } from '../port.js';
import type { WebhookSecret } from './webhook.js';
import { verifyWebhookSignature } from './webhook.js';

/** A native body turned canonical (`{ messageId, facts }`), or a reason to quarantine it for a human. */
export type WebhookTranslation =
  | { readonly ok: true; readonly body: unknown }
  | { readonly ok: false; readonly reason: string; readonly code?: string; readonly messageId?: string };

export interface WebhookConnector {
  /** Several secrets while one is being rotated out. */
  readonly secret: WebhookSecret;
  /** Maps a native payload (native codes) to the canonical body; absent: the body is canonical already. */
  readonly translate?: (body: unknown) => WebhookTranslation;
}

export interface ConnectorWebhookOptions {
  readonly connectors: (id: string) => WebhookConnector | undefined;
  readonly sink: InboundSink;
  readonly log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** Unix seconds; the signature's timestamp is checked against it. */
  readonly nowSeconds?: () => number;
}

const CONNECTOR_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const webhookBodySchema = z.object({ messageId: z.string().min(1).max(255), facts: factsSchema });

/** Outcomes that are recorded but need a human (or were refused): the sender hears 202, not 200. */
const NEEDS_ATTENTION = new Set<InboundOutcome['status']>(['conflict', 'unknown_reference', 'rejected']);

/**
 * `POST /v1/connectors/:id/webhooks`: facts pushed by an external system, signed with its
 * connector's secret (src/connectors/port.ts). The signature is checked over the raw bytes before
 * anything is parsed; a refused request reaches no sink and writes nothing. Each fact gets a
 * stable message id (`messageId`, or `messageId#i` when several share a message), so a redelivered
 * webhook is acknowledged and ignored fact by fact.
 */
export function connectorWebhookRoutes(app: FastifyInstance, options: ConnectorWebhookOptions): void {
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const doc = {
    summary: 'A connector’s signed facts (X-Orderly-Signature, verified before parsing; docs/connectors/http.md)',
    auth: 'signature' as const,
    idempotencyKey: 'none' as const,
    body: webhookBodySchema,
  };
  app.post('/v1/connectors/:id/webhooks', { config: { auth: 'signature', doc } }, async (req, reply) => {
    const id = (req.params as { id?: unknown }).id;
    const connector = typeof id === 'string' && CONNECTOR_ID.test(id) ? options.connectors(id) : undefined;
    if (typeof id !== 'string' || !connector) return sendProblem(reply, problem('not_found', 'No connector with this id takes webhooks'));
    const raw = req.rawBody ?? Buffer.alloc(0);
    const verdict = verifyWebhookSignature(connector.secret, req.headers[SIGNATURE_HEADER], raw, nowSeconds());
    if (!verdict.ok) {
      options.log.warn({ connector: id, reason: verdict.reason, correlationId: req.correlationId }, 'webhook signature refused');
      return sendProblem(reply, problem('invalid_signature', `The ${SIGNATURE_HEADER} header does not verify (${verdict.reason.replaceAll('_', ' ')})`));
    }
    let body = parseJsonBody(raw.toString('utf8'));
    if (connector.translate) {
      const translated = connector.translate(body);
      if (!translated.ok) {
        const messageId = translated.messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
        const { exceptionId } = await options.sink.quarantine({
          connector: id, reason: translated.reason, ...(translated.code ? { code: translated.code } : {}), raw: raw.toString('utf8'), source: { system: id, messageId },
        });
        options.log.warn({ connector: id, messageId, exceptionId, code: translated.code }, 'webhook quarantined');
        return reply.code(202).send({ messageId, quarantined: true, exceptionId });
      }
      body = translated.body;
    }
    const parsed = webhookBodySchema.safeParse(body);
    if (!parsed.success) throw new ProblemError('validation_failed', 'The webhook body is not valid', toFieldErrors(parsed.error.issues));
    const { messageId, facts } = parsed.data;
    const outcomes: (InboundOutcome & { messageId: string })[] = [];
    // One at a time, in the sender's order: a later fact may depend on an earlier one.
    for (const [i, fact] of facts.entries()) {
      const factMessageId = facts.length > 1 ? `${messageId}#${i}` : messageId;
      outcomes.push({ messageId: factMessageId, ...(await options.sink.receive(fact, { system: id, messageId: factMessageId })) });
    }
    options.log.info({ connector: id, messageId, facts: facts.length, outcomes: outcomes.map((o) => o.status) }, 'webhook received');
    return reply.code(outcomes.some((o) => NEEDS_ATTENTION.has(o.status)) ? 202 : 200).send({ messageId, outcomes });
  });
}
