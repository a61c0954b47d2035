import { z } from 'zod';
import { isCurrencyCode, MAX_MINOR_AMOUNT } from '../domain/money.js';
import { HOLD_TYPES, ORDER_LIMITS, ORDER_STATUSES, SHIP_METHODS } from '../domain/order/index.js';
import { ProblemError, formatPath } from './problem.js';

/**
 * One schema per request: it validates, types the handler, and is published in /openapi.json.
 * Limits are documented here and in docs/api.md.
 */
const text = (max: number) => z.string().min(1).max(max);
const id = text(ORDER_LIMITS.maxIdLength);
const money = z.int().min(0).max(MAX_MINOR_AMOUNT);

export const AddressSchema = z.object({
  name: text(200).optional(),
  line1: text(200).optional(),
  line2: text(200).optional(),
  city: text(100).optional(),
  region: text(100).optional(),
  postalCode: text(32).optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US'),
  phone: text(40).optional(),
  lat: z.number().min(-90).max(90).optional(),
  lon: z.number().min(-180).max(180).optional(),
});

export const CustomerSchema = z.object({
  id: id.optional(),
  email: z.email().max(254).optional(),
  phone: text(40).optional(),
  name: text(200).optional(),
  tier: text(32).default('standard'),
});

export const FulfillmentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ship'), shipMethod: z.enum(SHIP_METHODS).default('standard') }),
  z.object({ type: z.literal('pickup'), storeId: id }),
]);

export const LineSchema = z.object({
  lineId: text(64),
  sku: id,
  quantity: z.int().min(1).max(ORDER_LIMITS.maxQuantityPerLine),
  unitPrice: money,
  attributes: z
    .record(text(64), z.union([z.string().max(ORDER_LIMITS.maxTextLength), z.number(), z.boolean()]))
    .refine((r) => Object.keys(r).length <= 50, 'at most 50 attributes')
    .optional(),
});

export const PlaceOrderSchema = z
  .object({
    externalId: id,
    channel: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'lower-case letters, digits, _ . - (at most 64)'),
    currency: z.string().refine(isCurrencyCode, 'must be an ISO 4217 currency code such as USD'),
    placedAt: z.iso.datetime({ offset: true }).optional(),
    customer: CustomerSchema.default({ tier: 'standard' }),
    shipTo: AddressSchema.optional(),
    fulfillment: FulfillmentSchema.default({ type: 'ship', shipMethod: 'standard' }),
    lines: z.array(LineSchema).min(1).max(ORDER_LIMITS.maxLines),
    payment: z.object({ authorizationId: id, amount: money }).optional(),
    externalRefs: z.array(z.object({ system: text(64), id })).max(20).optional(),
  })
  .superRefine((o, ctx) => {
    const seen = new Set<string>();
    o.lines.forEach((l, i) => {
      if (seen.has(l.lineId)) ctx.addIssue({ code: 'custom', path: ['lines', i, 'lineId'], message: `duplicate lineId ${l.lineId}` });
      seen.add(l.lineId);
    });
    if (o.fulfillment.type === 'ship' && !o.shipTo) {
      ctx.addIssue({ code: 'custom', path: ['shipTo'], message: 'required when fulfillment.type is ship' });
    }
  });

const LineQuantities = z
  .array(z.object({ lineId: text(64), quantity: z.int().min(1).max(ORDER_LIMITS.maxQuantityPerLine) }))
  .min(1)
  .max(ORDER_LIMITS.maxLines)
  .superRefine((lines, ctx) => {
    const seen = new Set<string>();
    lines.forEach((l, i) => {
      if (seen.has(l.lineId)) ctx.addIssue({ code: 'custom', path: [i, 'lineId'], message: `duplicate lineId ${l.lineId}` });
      seen.add(l.lineId);
    });
  });

export const CancelOrderSchema = z.object({
  reason: text(64).default('unspecified'),
  lines: LineQuantities.optional(),
});

export const HoldSchema = z.object({
  type: z.enum(HOLD_TYPES),
  note: text(ORDER_LIMITS.maxTextLength).optional(),
});

export const ReleaseHoldSchema = z.object({ note: text(ORDER_LIMITS.maxTextLength).optional() }).default({});

export const HoldTypeParam = z.object({ id: id, type: z.enum(HOLD_TYPES) });
export const OrderIdParam = z.object({ id });

export const PaymentAuthorizationSchema = z.object({ authorizationId: id, amount: z.int().min(1).max(MAX_MINOR_AMOUNT) });

export const ReleaseSchema = z.object({ fulfillmentIds: z.array(id).min(1).max(100).optional() });

const ReturnLine = z
  .object({ lineId: text(64).optional(), sku: id.optional(), quantity: z.int().min(1).max(ORDER_LIMITS.maxQuantityPerLine) })
  .refine((l) => l.lineId !== undefined || l.sku !== undefined, { message: 'give lineId or sku', path: ['lineId'] });

export const ReturnSchema = z.object({
  lines: z.array(ReturnLine).min(1).max(ORDER_LIMITS.maxLines),
  reason: text(64).default('unspecified'),
  /** An exchange: the return plus a new order for these lines, linked to it. */
  exchange: z.object({ lines: z.array(z.object({ lineId: text(64).optional(), sku: id, quantity: z.int().min(1).max(ORDER_LIMITS.maxQuantityPerLine), unitPrice: money })).min(1).max(ORDER_LIMITS.maxLines) }).optional(),
});

export const SCOPES = ['orders:read', 'orders:write', 'inventory:write', 'fulfillment:write', 'ops:exceptions', 'admin'] as const;

export const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(512).optional(),
});

export const ListOrdersQuerySchema = ListQuerySchema.extend({
  externalId: id.optional(),
  channel: text(64).optional(),
  status: z.enum(ORDER_STATUSES).optional(),
});

export type PlaceOrderBody = z.output<typeof PlaceOrderSchema>;

/** Parses or throws a 400 problem that names every offending field. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, where = 'body'): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ path: formatPath(i.path) || where, message: i.message }));
  const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  throw new ProblemError('validation_failed', `The ${where} is not valid: ${detail}`, errors);
}
