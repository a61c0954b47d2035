/**
 * Outbound X12: a FulfillmentReleaseMessage or FulfillmentCancelMessage → a 940 interchange.
 * Deterministic: control numbers come from the envelope's idempotency key and the ISA/GS date
 * from the message's own time, so a resend writes the identical file.
 */
import { createHash } from 'node:crypto';
import type { ShipMethod } from '../../domain/order/model.js';
import { ConnectorError, type Envelope, type FulfillmentCancelMessage, type FulfillmentReleaseMessage } from '../port.js';
import type { Party, ShippingOrder, WarehouseCarrier } from './documents/index.js';
import type { Separators } from './segment.js';
import { X12SerializeError, type InterchangeParty } from './serialize.js';
import { serialize940 } from './serialize940.js';

export interface X12OutboundOptions {
  readonly sender: InterchangeParty;
  readonly receiver: InterchangeParty;
  readonly separators?: Separators;
  /** ISA12, default `00401`. */
  readonly version?: string;
  readonly usage?: 'P' | 'T';
  /** Ship-to and customer contact are written only when true (connector config `pii`). */
  readonly pii: boolean;
  /** Canonical ship method → W66 carrier. Without it the method is written as W6605 routing text. */
  readonly carriers?: Partial<Record<ShipMethod, WarehouseCarrier>>;
}

export const DEFAULT_SEPARATORS: Separators = { element: '*', segment: '~\n', component: '>' };

/** 9-digit control numbers (1 … 999999999) derived from a key: the same key, the same numbers. */
export function controlNumbers(key: string): { readonly interchange: number; readonly group: number; readonly transaction: string } {
  const hex = createHash('sha256').update(key).digest('hex');
  const slice = (n: number): number => (parseInt(hex.slice(n * 8, n * 8 + 8), 16) % 999_999_999) + 1;
  return { interchange: slice(0), group: slice(1), transaction: String(slice(2)).padStart(9, '0') };
}

const business = (code: string, message: string): ConnectorError => new ConnectorError('business', code, message);

/** `2024-05-01T13:45:10Z` → `2024-05-01` and `1345` (UTC). */
export function x12DateTime(iso: string, what: string): { readonly date: string; readonly time: string } {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw business('invalid_message', `${what} '${iso}' is not a date-time`);
  const text = d.toISOString();
  return { date: text.slice(0, 10), time: text.slice(11, 13) + text.slice(14, 16) };
}

function carrierFor(m: FulfillmentReleaseMessage, o: X12OutboundOptions): WarehouseCarrier {
  if (m.delivery.type === 'pickup') return { paymentMethod: 'PP', transportMethod: 'H', routing: `PICKUP ${m.delivery.storeId}` };
  const method = m.delivery.shipMethod;
  if (!o.carriers) return { paymentMethod: 'PP', transportMethod: 'ZZ', routing: method.toUpperCase() };
  const carrier = o.carriers[method];
  if (!carrier) throw business('unmapped_ship_method', `no 940 carrier is configured for ship method ${method}`);
  return carrier;
}

function shipToParty(m: FulfillmentReleaseMessage): Party | undefined {
  const a = m.shipTo;
  if (!a) return undefined;
  const channels: Record<string, string> = {};
  const phone = m.customer?.phone ?? a.phone;
  if (phone) channels.TE = phone;
  if (m.customer?.email) channels.EM = m.customer.email;
  const contactName = m.customer?.name;
  return {
    role: 'ST',
    ...(a.name ?? contactName ? { name: a.name ?? contactName } : {}),
    address: {
      lines: [a.line1, a.line2].filter((l): l is string => l !== undefined && l !== ''),
      ...(a.city ? { city: a.city } : {}),
      ...(a.region ? { region: a.region } : {}),
      ...(a.postalCode ? { postalCode: a.postalCode } : {}),
      country: a.country,
    },
    ...(Object.keys(channels).length > 0 ? { contacts: [{ function: 'IC', ...(contactName ? { name: contactName } : {}), channels }] } : {}),
  };
}

/** W05 `N` (new) with W0502 = fulfillment id, W0503 = the channel's order number; one LX/W01 per line. */
export function releaseToShippingOrder(m: FulfillmentReleaseMessage, o: X12OutboundOptions): ShippingOrder {
  const shipTo = o.pii ? shipToParty(m) : undefined;
  return {
    kind: 'warehouse_shipping_order',
    statusCode: 'N',
    orderId: m.fulfillmentId,
    purchaseOrder: m.order.externalId,
    parties: shipTo ? [shipTo] : [],
    references: [{ qualifier: 'OQ', value: m.orderId }],
    dates: [],
    notes: [],
    carrier: carrierFor(m, o),
    lines: m.lines.map((l, n) => ({
      lineNumber: String(n + 1),
      quantity: l.quantity,
      uom: 'EA',
      itemIds: { SK: l.sku },
      references: [{ qualifier: 'LI', value: l.lineId }],
    })),
    totals: { quantity: m.lines.reduce((sum, l) => sum + l.quantity, 0) },
  };
}

/** W05 `F` (cancel) with no lines, as FORMATS.md §3 describes; a partial cancel is refused. */
export function cancelToShippingOrder(m: FulfillmentCancelMessage): ShippingOrder {
  if (m.lines && m.lines.length > 0) {
    throw business('partial_cancel_unsupported', 'a 940 cancel (W05 F) cancels the whole order; this connector does not cancel lines');
  }
  return {
    kind: 'warehouse_shipping_order',
    statusCode: 'F',
    orderId: m.fulfillmentId,
    parties: [],
    references: [{ qualifier: 'OQ', value: m.orderId }],
    dates: [],
    notes: [{ code: 'GEN', text: `CANCEL ${m.reason}`.toUpperCase() }],
    lines: [],
  };
}

/** The complete 940 interchange for a release or cancel envelope; business errors are ConnectorErrors. */
export function render940(envelope: Envelope, o: X12OutboundOptions): string {
  const m = envelope.message;
  let doc: ShippingOrder;
  let at: string;
  if (m.type === 'fulfillment.release') [doc, at] = [releaseToShippingOrder(m, o), m.releasedAt];
  else if (m.type === 'fulfillment.cancel') [doc, at] = [cancelToShippingOrder(m), m.requestedAt];
  else throw business('unsupported_message', `a 940 cannot carry ${m.type}`);
  const numbers = controlNumbers(envelope.idempotencyKey);
  const { date, time } = x12DateTime(at, m.type === 'fulfillment.release' ? 'releasedAt' : 'requestedAt');
  try {
    return serialize940(doc, {
      separators: o.separators ?? DEFAULT_SEPARATORS,
      sender: o.sender,
      receiver: o.receiver,
      date,
      time,
      interchangeControlNumber: numbers.interchange,
      groupControlNumber: numbers.group,
      transactionControlNumber: numbers.transaction,
      ...(o.usage ? { usage: o.usage } : {}),
      ...(o.version ? { version: o.version } : {}),
    });
  } catch (e) {
    if (e instanceof X12SerializeError) throw business('unencodable', `the 940 cannot be written: ${e.message}`);
    throw e;
  }
}
