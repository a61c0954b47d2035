/** Orderly's own ids are prefixed strings (`ord_…`, `ful_…`); the generator lives in the app layer. */
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
  message: 'msg_',
} as const;

export type IdKind = keyof typeof ID_PREFIX;

