import { z } from 'zod';
import { MAX_MINOR_AMOUNT } from '../domain/money.js';
import { ORDER_LIMITS } from '../domain/order/index.js';
import type { Fact } from './port.js';

/**
 * The canonical `Fact` (src/connectors/port.ts) as a zod schema: signed webhooks validate with it,
 * the HTTP connector validates the facts a target answers with, and the API's fact endpoints can
 * reuse it. Unknown fields are dropped, not refused: systems of record add fields over time.
 */
const orderlyId = z.string().min(1).max(ORDER_LIMITS.maxIdLength);
/** Ids minted by external systems (shipment, capture, tracking numbers) may be longer. */
const externalId = z.string().min(1).max(255);
const text = z.string().min(1).max(ORDER_LIMITS.maxTextLength);
const timestamp = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 date-time' });
const quantity = z.int('must be a whole number').min(1, 'must be ≥ 1').max(ORDER_LIMITS.maxQuantityPerLine);
const money = z.int('must be whole minor units').min(0, 'must be ≥ 0').max(MAX_MINOR_AMOUNT);

const lineFields = { lineId: z.string().min(1).max(64).optional(), sku: orderlyId.optional(), quantity };
const namesALine = (l: { lineId?: string | undefined; sku?: string | undefined }) => l.lineId !== undefined || l.sku !== undefined;
const lineError = { error: 'a line needs a lineId or a sku', path: ['lineId'] };

export const factLineSchema = z.object(lineFields).refine(namesALine, lineError);
const factLines = z.array(factLineSchema).min(1, 'at least one line').max(ORDER_LIMITS.maxLines);

export const factSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('fulfillment.acknowledged'), fulfillmentId: orderlyId, accepted: z.boolean(), reason: text.optional() }),
  z.object({ type: z.literal('fulfillment.progress'), fulfillmentId: orderlyId, stage: z.enum(['picked', 'packed', 'ready_for_pickup']) }),
  z.object({
    type: z.literal('fulfillment.shipped'),
    fulfillmentId: orderlyId,
    shipmentId: externalId,
    lines: factLines,
    carrier: z.string().min(1).max(64).optional(),
    trackingNumber: externalId.optional(),
    packages: z.array(z.object({ trackingNumber: externalId.optional(), lines: factLines.optional() })).max(1000).optional(),
    shippedAt: timestamp,
  }),
  z.object({ type: z.literal('fulfillment.delivered'), fulfillmentId: orderlyId, shipmentId: externalId.optional(), deliveredAt: timestamp }),
  z.object({
    type: z.literal('fulfillment.cancellation_result'),
    fulfillmentId: orderlyId,
    outcome: z.enum(['cancelled', 'refused']),
    lines: factLines.optional(),
    reason: text.optional(),
  }),
  z.object({
    type: z.literal('return.received'),
    returnId: externalId,
    nodeId: orderlyId,
    lines: z
      .array(z.object({ ...lineFields, disposition: z.enum(['restock', 'damaged']) }).refine(namesALine, lineError))
      .min(1, 'at least one line')
      .max(ORDER_LIMITS.maxLines),
  }),
  z.object({ type: z.literal('payment.authorized'), orderId: orderlyId, authorizationId: externalId, amount: money }),
  z.object({ type: z.literal('payment.authorization_failed'), orderId: orderlyId, reason: text }),
  z.object({ type: z.literal('payment.captured'), orderId: orderlyId, captureId: externalId, amount: money, reference: externalId }),
  z.object({ type: z.literal('payment.voided'), orderId: orderlyId, amount: money, reference: externalId }),
  z.object({ type: z.literal('payment.refunded'), orderId: orderlyId, refundId: externalId, amount: money, reference: externalId }),
  z.object({
    type: z.literal('payment.failed'),
    orderId: orderlyId,
    operation: z.enum(['capture', 'void', 'refund']),
    amount: money,
    reference: externalId,
    reason: text,
  }),
  z.object({
    type: z.literal('inventory.snapshot'),
    nodeId: orderlyId,
    asOf: timestamp,
    positions: z
      .array(z.object({ sku: orderlyId, onHand: z.int('must be a whole number').min(0, 'must be ≥ 0').max(1_000_000_000) }))
      .min(1, 'at least one position')
      .max(50_000),
  }),
  z.object({
    type: z.literal('inventory.adjustment'),
    nodeId: orderlyId,
    sku: orderlyId,
    delta: z.int('must be a whole number').min(-1_000_000_000).max(1_000_000_000).refine((d) => d !== 0, 'must not be 0'),
    reason: z.string().min(1).max(64),
  }),
]);

// Compile-time proof that a parsed fact is a port `Fact`, and that every `Fact` type has a schema.
type Parsed = z.output<typeof factSchema>;
const _schemaFitsPort: (f: Parsed) => Fact = (f) => f;
const _everyTypeCovered: Exclude<Fact['type'], Parsed['type']> extends never ? true : never = true;
void _schemaFitsPort;
void _everyTypeCovered;

/** The `facts` of a signed webhook or of a target's immediate answer. */
export const factsSchema = z.array(factSchema).min(1, 'at least one fact').max(1000);
