/**
 * Outbound CSV layouts (docs/connectors/batch-files.md): a release is one row per line with the
 * order, delivery and (when the connector may carry PII) ship-to columns repeated; a cancel is
 * one row. Pure.
 */
import { ConnectorError, type FulfillmentCancelMessage, type FulfillmentReleaseMessage } from '../port.js';
import { writeCsv } from './csv.js';

export const RELEASE_COLUMNS = [
  'action', 'fulfillmentId', 'orderId', 'nodeId', 'externalId', 'channel', 'currency', 'placedAt', 'releasedAt',
  'deliveryType', 'shipMethod', 'pickupStoreId',
  'shipToName', 'shipToLine1', 'shipToLine2', 'shipToCity', 'shipToRegion', 'shipToPostalCode', 'shipToCountry', 'shipToPhone',
  'customerName', 'customerEmail', 'customerPhone',
  'lineId', 'sku', 'quantity', 'unitPrice',
] as const;

export const CANCEL_COLUMNS = ['action', 'fulfillmentId', 'orderId', 'nodeId', 'reason', 'requestedAt'] as const;

const text = (v: string | number | undefined): string => (v === undefined ? '' : String(v));

export function releaseToCsv(m: FulfillmentReleaseMessage, options: { readonly pii: boolean }): string {
  const a = options.pii ? m.shipTo : undefined;
  const c = options.pii ? m.customer : undefined;
  const d = m.delivery;
  const head = [
    'release', m.fulfillmentId, m.orderId, m.nodeId, m.order.externalId, m.order.channel, m.order.currency, m.order.placedAt, m.releasedAt,
    d.type, d.type === 'ship' ? d.shipMethod : '', d.type === 'pickup' ? d.storeId : '',
    text(a?.name), text(a?.line1), text(a?.line2), text(a?.city), text(a?.region), text(a?.postalCode), text(a?.country), text(a?.phone),
    text(c?.name), text(c?.email), text(c?.phone),
  ];
  return writeCsv([[...RELEASE_COLUMNS], ...m.lines.map((l) => [...head, l.lineId, l.sku, text(l.quantity), text(l.unitPrice)])]);
}

export function cancelToCsv(m: FulfillmentCancelMessage): string {
  if (m.lines && m.lines.length > 0) {
    throw new ConnectorError('business', 'partial_cancel_unsupported', 'a CSV cancel row cancels the whole fulfillment; this connector does not cancel lines');
  }
  return writeCsv([[...CANCEL_COLUMNS], ['cancel', m.fulfillmentId, m.orderId, m.nodeId, m.reason, m.requestedAt]]);
}
