import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ProblemError } from '../../api/problem.js';
import { parseJsonBody } from '../../api/server.js';
import type { InboundMessage, InboundSink, InboundSource } from '../port.js';
import { isShopifyTopic, mapShopifyWebhook } from './map.js';
import type { ShopifyMapping } from './mapping.js';
import { SHOPIFY_CHANNEL } from './mapping.js';
import { shown } from './read.js';
import { SHOPIFY_HMAC_HEADER, verifyShopifyHmac } from './verify.js';

export const SHOPIFY_WEBHOOK_PATH = '/v1/channels/shopify/webhooks';

export interface ShopifyWebhookDeps {
  /** The app's client secret (or the admin's webhook secret): the HMAC key. */
  readonly secret: string;
  readonly sink: InboundSink;
  readonly log: Logger;
  readonly mapping?: ShopifyMapping;
}

/** How one canonical message of a webhook ended. */
export interface ShopifyMessageResult {
  readonly messageId: string;
  readonly type: InboundMessage['type'];
  readonly status: 'applied' | 'duplicate' | 'conflict' | 'unknown_reference' | 'quarantined';
  readonly orderId?: string;
  readonly exceptionId?: string;
  readonly code?: string;
}

// Shopify retries a 4xx too: only a header that is missing or could not be Shopify's is refused.
const HEADER_VALUE = /^[\x21-\x7E]{1,128}$/;
// When one webhook gives several messages, the body says the most pressing: a human first.
const PRECEDENCE: readonly ShopifyMessageResult['status'][] = ['quarantined', 'unknown_reference', 'conflict', 'applied', 'duplicate'];

/**
 * POST /v1/channels/shopify/webhooks. The signature is checked over the raw bytes before anything
 * else (401, nothing written); then the topic and webhook id headers (400). Everything after is
 * answered 2xx, because Shopify retries any other status and drops the subscription after enough
 * failures: a body that cannot be parsed or mapped, and a message the sink refuses, are
 * quarantined (202 with the exception id); an unhandled topic is acknowledged (200 ignored). Only
 * a failure of the sink itself (storage down) answers 5xx, so that Shopify delivers again.
 *
 * Each message goes to the sink as `{ system: 'shopify', messageId }`: the X-Shopify-Webhook-Id,
 * with `:<index>` when the webhook gives several. Redeliveries carry the same id, so the sink's
 * dedupe makes them harmless. Logs carry ids, topics and statuses, never the body.
 */
export function shopifyWebhookRoutes(app: FastifyInstance, deps: ShopifyWebhookDeps): void {
  const mapping = deps.mapping ?? {};
  const doc = {
    summary: 'Shopify webhooks (orders/create, orders/cancelled, refunds/create, fulfillments/*), verified by X-Shopify-Hmac-Sha256 before parsing',
    auth: 'signature' as const,
    idempotencyKey: 'none' as const,
    body: { contents: { 'application/json': { type: 'object', description: 'the Shopify resource (docs/shopify.md)' } } },
  };
  app.post(SHOPIFY_WEBHOOK_PATH, { config: { auth: 'signature', doc } }, async (req, reply) => {
    const raw = req.rawBody ?? Buffer.alloc(0);
    if (!verifyShopifyHmac(deps.secret, raw, header(req, SHOPIFY_HMAC_HEADER))) {
      deps.log.warn({ correlationId: req.correlationId, bytes: raw.length }, 'shopify webhook refused: the signature does not verify');
      throw new ProblemError('invalid_signature', 'X-Shopify-Hmac-Sha256 is missing or is not the HMAC of this body under the configured secret');
    }
    const topic = header(req, 'x-shopify-topic');
    const webhookId = header(req, 'x-shopify-webhook-id');
    const errors = [
      ...(topic && HEADER_VALUE.test(topic) ? [] : [{ path: 'header.X-Shopify-Topic', message: topic ? 'must be 1–128 printable characters' : 'required' }]),
      ...(webhookId && HEADER_VALUE.test(webhookId) ? [] : [{ path: 'header.X-Shopify-Webhook-Id', message: webhookId ? 'must be 1–128 printable characters' : 'required' }]),
    ];
    if (!topic || !webhookId || errors.length > 0) {
      throw new ProblemError('validation_failed', `A Shopify webhook needs its headers: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
    }
    const ctx = { correlationId: req.correlationId, topic, webhookId, shop: shopDomain(req) };
    // `outward` is the reason for logs and the answer; the exception keeps the full one.
    const quarantine = async (reason: string, code: string, outward = reason) => {
      const { exceptionId } = await deps.sink.quarantine({ connector: SHOPIFY_CHANNEL, reason, code, raw: raw.toString('utf8'), source: { system: SHOPIFY_CHANNEL, messageId: webhookId } });
      deps.log.warn({ ...ctx, code, reason: outward, exceptionId }, 'shopify webhook quarantined');
      return reply.code(202).send({ status: 'quarantined', exceptionId, code, reason: outward });
    };

    if (!isShopifyTopic(topic)) {
      deps.log.info({ ...ctx, status: 'ignored' }, 'shopify webhook ignored: topic not handled');
      return reply.code(200).send({ status: 'ignored', reason: `topic ${topic} is not handled` });
    }
    let payload: unknown;
    try {
      payload = parseJsonBody(raw.toString('utf8'));
    } catch (err) {
      // A JSON parser's message may quote the body (personal data): it goes to the exception only.
      return quarantine(err instanceof ProblemError ? err.detail : 'the body is not valid JSON', 'invalid_payload', 'the body is not valid JSON');
    }
    const mapped = mapShopifyWebhook(topic, payload, mapping);
    if (!mapped.ok) return quarantine(mapped.reason, mapped.code);
    if (mapped.messages.length === 0) {
      deps.log.info({ ...ctx, status: 'ignored', reason: mapped.ignored }, 'shopify webhook ignored');
      return reply.code(200).send({ status: 'ignored', reason: mapped.ignored });
    }

    const results: ShopifyMessageResult[] = [];
    for (const [i, message] of mapped.messages.entries()) {
      const source: InboundSource = { system: SHOPIFY_CHANNEL, messageId: mapped.messages.length > 1 ? `${webhookId}:${i}` : webhookId };
      results.push(await deliver(deps, message, source, raw));
    }
    for (const r of results) deps.log.info({ ...ctx, ...r }, 'shopify webhook message');
    return answer(reply, results);
  });
}

/** One message to the sink; a refusal is quarantined with the raw webhook, so nothing is lost. */
async function deliver(deps: ShopifyWebhookDeps, message: InboundMessage, source: InboundSource, raw: Buffer): Promise<ShopifyMessageResult> {
  const base = { messageId: source.messageId, type: message.type };
  const outcome = await deps.sink.receive(message, source);
  switch (outcome.status) {
    case 'applied':
    case 'duplicate':
      return { ...base, status: outcome.status, ...(outcome.orderId ? { orderId: outcome.orderId } : {}) };
    case 'conflict':
      return { ...base, status: 'conflict', exceptionId: outcome.exceptionId, ...(outcome.orderId ? { orderId: outcome.orderId } : {}) };
    case 'unknown_reference': {
      // The port says the sink quarantines these; without an exception id to show for it, keep it ourselves.
      const exceptionId = outcome.exceptionId ?? (await deps.sink.quarantine({ connector: SHOPIFY_CHANNEL, reason: outcome.message, code: 'unknown_reference', raw: raw.toString('utf8'), source })).exceptionId;
      return { ...base, status: 'unknown_reference', exceptionId };
    }
    case 'rejected': {
      // Shopify may send orders/create again under a new webhook id: the order is already here.
      if (outcome.code === 'duplicate_order') return { ...base, status: 'duplicate', code: outcome.code };
      const reason = outcome.errors?.length ? `${outcome.message} (${outcome.errors.map((e) => `${e.path}: ${e.message}`).join('; ')})` : outcome.message;
      const { exceptionId } = await deps.sink.quarantine({ connector: SHOPIFY_CHANNEL, reason, code: outcome.code, raw: raw.toString('utf8'), source });
      return { ...base, status: 'quarantined', exceptionId, code: outcome.code };
    }
  }
}

function answer(reply: FastifyReply, results: readonly ShopifyMessageResult[]): FastifyReply {
  const status = PRECEDENCE.find((s) => results.some((r) => r.status === s)) ?? 'applied';
  const orderId = results.find((r) => r.orderId)?.orderId;
  const exceptionId = results.find((r) => r.exceptionId)?.exceptionId;
  const needsHuman = status === 'quarantined' || status === 'unknown_reference' || status === 'conflict';
  return reply.code(needsHuman ? 202 : 200).send({ status, ...(orderId ? { orderId } : {}), ...(exceptionId ? { exceptionId } : {}), results });
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  const text = Array.isArray(v) ? v[0] : v;
  return text === undefined || text === '' ? undefined : text;
}

/** The shop's domain for logs: not personal data, but unauthenticated text, so shape-checked. */
function shopDomain(req: FastifyRequest): string | undefined {
  const d = header(req, 'x-shopify-shop-domain');
  return d && /^[a-z0-9.-]{1,255}$/i.test(d) ? d : d ? shown(d) : undefined;
}
