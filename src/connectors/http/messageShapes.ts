import type { OutboundMessageType } from '../port.js';

/**
 * The fields of each outbound message, as data: request templates are checked against them when
 * a connector's configuration is loaded, so a misspelt placeholder fails at start, not at 3 a.m.
 */
export type Shape =
  | { readonly kind: 'string' | 'number' | 'boolean'; readonly optional?: boolean }
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, Shape>>; readonly optional?: boolean }
  | { readonly kind: 'array'; readonly of: Shape; readonly optional?: boolean };

const str: Shape = { kind: 'string' };
const num: Shape = { kind: 'number' };
const optional = (s: Shape): Shape => ({ ...s, optional: true });
const obj = (fields: Record<string, Shape>): Shape => ({ kind: 'object', fields });
const arr = (of: Shape): Shape => ({ kind: 'array', of });

const address = obj({
  name: optional(str), line1: optional(str), line2: optional(str), city: optional(str), region: optional(str),
  postalCode: optional(str), country: str, phone: optional(str), lat: optional(num), lon: optional(num),
});
const payment = { type: str, orderId: str, amount: num, currency: str };

/** Personal data: dropped from messages (and from the template fields) when a connector has `pii: false`. */
export const PII_FIELDS = ['shipTo', 'customer'] as const;

export const MESSAGE_SHAPES: Readonly<Record<OutboundMessageType, Shape>> = {
  'fulfillment.release': obj({
    type: str, fulfillmentId: str, orderId: str, nodeId: str,
    order: obj({ externalId: str, channel: str, currency: str, placedAt: str }),
    delivery: obj({ type: str, shipMethod: optional(str), storeId: optional(str) }),
    shipTo: optional(address),
    customer: optional(obj({ name: optional(str), email: optional(str), phone: optional(str) })),
    lines: arr(obj({ lineId: str, sku: str, quantity: num, unitPrice: num })),
    releasedAt: str,
  }),
  'fulfillment.cancel': obj({
    type: str, fulfillmentId: str, orderId: str, nodeId: str,
    lines: optional(arr(obj({ lineId: str, sku: str, quantity: num }))),
    reason: str, requestedAt: str,
  }),
  'payment.authorize': obj(payment),
  'payment.capture': obj({ ...payment, authorizationId: str, reference: str }),
  'payment.void': obj({ ...payment, authorizationId: str, reference: str }),
  'payment.refund': obj({ ...payment, reference: str }),
};

export const OUTBOUND_MESSAGE_TYPES = Object.keys(MESSAGE_SHAPES) as OutboundMessageType[];

/** What a placeholder may name: the envelope, with `message` of the given shape. */
export function envelopeShape(message: Shape): Shape {
  return obj({ messageId: str, idempotencyKey: str, attempt: num, type: str, traceparent: optional(str), message });
}

/**
 * The message fields a template may use for several message types (a status query serves all the
 * types a connector handles): the fields they share with the same kind, optional if any has it optional.
 */
export function commonShape(shapes: readonly Shape[]): Shape {
  const [first, ...rest] = shapes;
  if (first === undefined) return obj({});
  return rest.reduce<Shape | undefined>((acc, s) => (acc ? intersect(acc, s) : undefined), first) ?? obj({});
}

function intersect(a: Shape, b: Shape): Shape | undefined {
  const opt = a.optional === true || b.optional === true ? { optional: true } : {};
  if (a.kind === 'object' && b.kind === 'object') {
    const fields: Record<string, Shape> = {};
    for (const [k, sa] of Object.entries(a.fields)) {
      const sb = b.fields[k];
      const both = sb ? intersect(sa, sb) : undefined;
      if (both) fields[k] = both;
    }
    return { kind: 'object', fields, ...opt };
  }
  if (a.kind === 'array' && b.kind === 'array') {
    const of = intersect(a.of, b.of);
    return of ? { kind: 'array', of, ...opt } : undefined;
  }
  return a.kind === b.kind ? { kind: a.kind, ...opt } as Shape : undefined;
}

/** The shape without the personal-data fields. */
export function withoutPii(shape: Shape): Shape {
  if (shape.kind !== 'object') return shape;
  const fields = Object.fromEntries(Object.entries(shape.fields).filter(([k]) => !(PII_FIELDS as readonly string[]).includes(k)));
  return { ...shape, fields };
}
