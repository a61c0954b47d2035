/** Orderly's own ids are prefixed strings; brands stop two kinds of id being mixed up. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type OrderId = Brand<string, 'OrderId'>;
export type FulfillmentId = Brand<string, 'FulfillmentId'>;
export type EventId = Brand<string, 'EventId'>;

export const ID_PREFIX = {
  order: 'ord_',
  fulfillment: 'ful_',
  shipment: 'shp_',
  reservation: 'rsv_',
  exception: 'exc_',
  reconciliation: 'rec_',
  return: 'ret_',
  event: 'evt_',
  identity: 'idn_',
  decision: 'dec_',
} as const;

export type IdKind = keyof typeof ID_PREFIX;

export const isOrderId = (s: string): s is OrderId => /^ord_[0-9a-z-]{8,64}$/.test(s);
